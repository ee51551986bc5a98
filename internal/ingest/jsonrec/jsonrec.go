// Package jsonrec splits JSON input into top-level records with their line numbers, for the
// connectors of API-response formats. Two layouts are recognised from the first record: JSON
// lines (each non-blank line one value; a bad line is one bad record) and documents (one or more
// pretty-printed values, read whole: API responses are small; large archives are JSON lines).
package jsonrec

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// MaxDocument bounds a non-line-delimited document read into memory.
const MaxDocument = 512 << 20

// MaxLine bounds one JSON line.
const MaxLine = 64 << 20

// Record is one top-level JSON value, or the reason it could not be read.
type Record struct {
	Line int64  // 1-based line where the value starts
	Raw  []byte // the value (valid UTF-8 JSON) when Err is nil; the offending bytes otherwise
	Err  error  // why the record could not be read
}

// Reader yields records.
type Reader struct {
	br    *bufio.Reader
	line  int64
	mode  int // 0 undecided, 1 lines, 2 document
	doc   []byte
	dec   *json.Decoder
	first int64 // line number of the document's first byte
	off   int64 // doc[:off] has had its newlines counted
	nl    int64
	done  bool
}

// NewReader reads records from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 1<<20)}
}

// Next returns the next record, or io.EOF. An error other than io.EOF means the input cannot
// be read further.
func (r *Reader) Next() (Record, error) {
	if r.done {
		return Record{}, io.EOF
	}
	if r.mode == 2 {
		return r.nextDoc()
	}
	for {
		line, err := r.readLine()
		if err == io.EOF && len(line) == 0 {
			r.done = true
			return Record{}, io.EOF
		}
		if err != nil && err != io.EOF {
			return Record{}, err
		}
		r.line++
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			if err == io.EOF {
				r.done = true
				return Record{}, io.EOF
			}
			continue
		}
		if r.mode == 0 {
			if json.Valid(t) || !(t[0] == '{' || t[0] == '[') {
				r.mode = 1
			} else {
				// The first value spans lines: a pretty-printed document.
				r.mode = 2
				rest, rerr := io.ReadAll(io.LimitReader(r.br, MaxDocument))
				if rerr != nil {
					return Record{}, rerr
				}
				r.doc = append(append([]byte{}, line...), rest...)
				r.first = r.line
				r.dec = json.NewDecoder(bytes.NewReader(r.doc))
				return r.nextDoc()
			}
		}
		return check(r.line, t), nil
	}
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

func (r *Reader) readLine() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			if len(buf) > MaxLine {
				return nil, fmt.Errorf("line %d longer than %d bytes", r.line+1, MaxLine)
			}
			continue
		}
		return buf, err
	}
}

// nextDoc returns the next value of a document, with the line it starts on.
func (r *Reader) nextDoc() (Record, error) {
	start := r.dec.InputOffset()
	var raw json.RawMessage
	err := r.dec.Decode(&raw)
	if err == io.EOF {
		r.done = true
		return Record{}, io.EOF
	}
	line := r.lineAt(start)
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
