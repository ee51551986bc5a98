// Package jsonrec splits JSON input into top-level records with their line numbers, for the
// connectors of API-response formats. Two layouts are recognised from the first record: JSON
// lines (each non-blank line one value; a bad line, or one over MaxLine, is one bad record) and
// documents (one or more pretty-printed values, read whole up to MaxDocument: API responses are
// small; large archives are JSON lines). Lines are read through the bounded lines.Reader.
package jsonrec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/echotrace/echotrace/internal/ingest/lines"
)

// MaxDocument bounds a non-line-delimited document read into memory (lines.MaxDocument).
const MaxDocument = lines.MaxDocument

// MaxLine bounds one JSON line (lines.MaxRecord). The first line, which may be a whole document
// written on one line, is bounded by MaxDocument.
const MaxLine = lines.MaxRecord

// Record is one top-level JSON value, or the reason it could not be read.
type Record struct {
	Line int64  // 1-based line where the value starts
	Raw  []byte // the value (valid UTF-8 JSON) when Err is nil; the offending bytes otherwise. Valid until the next call to Next.
	Err  error  // why the record could not be read
}

// Reader yields records.
type Reader struct {
	lr    *lines.Reader
	mode  int // 0 undecided, 1 lines, 2 document
	doc   []byte
	dec   *json.Decoder
	first int64 // line number of the document's first byte
	off   int64 // doc[:off] has had its newlines counted
	nl    int64
	done  bool
	// readErr is where the input broke off inside a document: returned once the document's
	// whole values are read.
	readErr error
}

// NewReader reads records from r.
func NewReader(r io.Reader) *Reader {
	lr := lines.NewReader(r, MaxLine)
	lr.SetMax(MaxDocument) // until the layout is known
	return &Reader{lr: lr}
}

// Next returns the next record, or io.EOF. An error other than io.EOF means the input cannot
// be read further; every record returned before it was whole. A line longer than MaxLine is a
// bad record (its Err wraps lines.ErrTooLong) and reading resumes after it.
func (r *Reader) Next() (Record, error) {
	if r.done {
		if r.readErr != nil {
			return Record{}, r.readErr
		}
		return Record{}, io.EOF
	}
	if r.mode == 2 {
		return r.nextDoc()
	}
	for {
		l, err := r.lr.Next()
		if err == io.EOF {
			r.done = true
			return Record{}, io.EOF
		}
		if err != nil {
			return Record{}, err
		}
		if l.Err != nil {
			r.startLines()
			return Record{Line: l.N, Raw: l.Bytes, Err: l.Err}, nil
		}
		t := bytes.TrimSpace(l.Bytes)
		if len(t) == 0 {
			continue
		}
		if r.mode == 0 {
			if json.Valid(t) || !(t[0] == '{' || t[0] == '[') {
				r.startLines()
			} else {
				// The first value spans lines: a pretty-printed document.
				return r.startDoc(l)
			}
		}
		return check(l.N, t), nil
	}
}

// startLines switches to line mode: every line is one record.
func (r *Reader) startLines() {
	r.mode = 1
	r.lr.SetMax(MaxLine)
}

// startDoc reads the document that begins with line l into memory, up to MaxDocument.
func (r *Reader) startDoc(l lines.Line) (Record, error) {
	r.mode = 2
	r.first = l.N
	doc := append(append(make([]byte, 0, len(l.Bytes)+1), l.Bytes...), '\n')
	rest, err := r.lr.Rest(max(0, MaxDocument-len(doc)))
	switch {
	case errors.Is(err, lines.ErrTooLong):
		r.done = true
		return Record{Line: l.N, Raw: l.Bytes, Err: fmt.Errorf("%w; the document is not read (write it as JSON lines, one value per line)", err)}, nil
	case err != nil:
		// The input broke off inside the document: its values before the cut are whole.
		r.readErr = err
		rest = rest[:bytes.LastIndexByte(rest, '\n')+1]
	}
	r.doc = append(doc, rest...)
	r.dec = json.NewDecoder(bytes.NewReader(r.doc))
	return r.nextDoc()
}

func check(line int64, t []byte) Record {
	rec := Record{Line: line, Raw: t}
	switch {
	case !utf8.Valid(t):
		rec.Err = errors.New("invalid UTF-8")
	case !json.Valid(t):
		var v any
		err := json.Unmarshal(t, &v)
		rec.Err = fmt.Errorf("not valid JSON: %v", err)
	}
	return rec
}

// nextDoc returns the next value of a document, with the line it starts on.
func (r *Reader) nextDoc() (Record, error) {
	start := r.dec.InputOffset()
	var raw json.RawMessage
	err := r.dec.Decode(&raw)
	if err == io.EOF {
		r.done = true
		if r.readErr != nil {
			return Record{}, r.readErr
		}
		return Record{}, io.EOF
	}
	line := r.lineAt(start)
	if err != nil && r.readErr != nil && errors.Is(err, io.ErrUnexpectedEOF) {
		r.done = true // the document ends where the input broke off
		return Record{}, r.readErr
	}
	if err != nil {
		// A broken document cannot be resynchronised: report it as one bad record and stop.
		r.done = true
		end := min(int(start)+200, len(r.doc))
		return Record{Line: line, Raw: r.doc[start:end], Err: fmt.Errorf("not valid JSON: %v", err)}, nil
	}
	return check(line, bytes.TrimSpace(raw)), nil
}

// lineAt returns the line of the first non-space byte at or after off. Offsets only grow, so
// newlines are counted once: r.nl is the number of newlines in doc[:r.off].
func (r *Reader) lineAt(off int64) int64 {
	for off < int64(len(r.doc)) {
		switch r.doc[off] {
		case ' ', '\n', '\r', '\t':
			off++
			continue
		}
		break
	}
	if off > r.off {
		r.nl += int64(bytes.Count(r.doc[r.off:off], []byte("\n")))
		r.off = off
	}
	return r.first + r.nl
}
