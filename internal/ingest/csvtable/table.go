package csvtable

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/echotrace/echotrace/internal/event"
)

// bom is the UTF-8 byte-order mark some tools (Excel, pandas with utf-8-sig) write first.
const bom = "\ufeff"

// The bounds of one record. A record that exceeds one of them is rejected, and reading
// resumes at the line after the one the record started on (see Reader).
const (
	// MaxField bounds one field's value, after unquoting: 1 MiB holds the longest post any
	// platform allows (a Facebook post of 63,206 characters is at most 253 KB of UTF-8).
	MaxField = 1 << 20
	// MaxRecord bounds the input one record may span, line endings included.
	MaxRecord = 4 << 20
	// MaxFieldLines bounds how many physical lines one quoted field may span. A post with
	// more than a thousand line breaks is implausible; a stray quote is not.
	MaxFieldLines = 1000
)

// Reader reads a CSV table record by record. Column positions come from the header; use Col to
// look a column up once and Field to read it from the current record.
//
// The syntax is RFC 4180 as encoding/csv reads it (comma-separated, `"` quotes with `""` for a
// quote inside, quoted fields may span lines, CRLF or LF line endings, blank lines skipped, no
// lazy quotes). A record is accepted only when it parses, within MaxField, MaxRecord and
// MaxFieldLines, into exactly as many fields as the header has. Any other record is rejected
// with the line it starts on and the reason, and reading resumes at the next physical line: a
// stray quote costs the record it opens in, not the rest of the file, and memory stays bounded
// by MaxRecord whatever the input.
type Reader struct {
	src    string
	br     *bufio.Reader
	header []string       // as written, BOM and surrounding spaces removed
	index  map[string]int // lower-cased name → first position
	rec    []string
	line   int64 // physical line on which the current record starts

	read    int64      // physical lines read from br
	pending []physLine // lines read but not consumed: given back by a record that failed
	first   physLine   // the current candidate's first line (b may alias lineBuf or arena)
	lineBuf []byte     // first-line storage when it comes straight from br
	arena   []byte     // storage of the pending lines' bytes, reused once none is pending
	spare   []physLine // pending's storage, reused likewise
	longBuf []byte     // assembles lines longer than br's buffer
	buf     []byte     // unquoted field bytes of the candidate
	ends    []int      // end offsets of the fields in buf
	eof     bool
	// readErr is the read error that ended the input (a truncated .gz, say). It is sticky: a
	// quoted field open when it came is rejected as at the end of input, the lines read ahead
	// are parsed again, and readErr is returned once they are used up.
	readErr error
}

// physLine is one physical line of input: its bytes with "\r\n" normalised to "\n" (the last
// line may lack it) and its 1-based number. A line longer than MaxRecord keeps only its first
// event.MaxRejectRaw bytes, for the reject, and is marked long.
type physLine struct {
	b    []byte
	n    int64
	long bool
}

// Open reads the header of the CSV table in r. src names the input in rejects. An empty input
// yields a Reader whose Next returns io.EOF at once. Open fails only when the header itself
// cannot be read.
func Open(r io.Reader, src string) (*Reader, error) {
	t := &Reader{src: src, br: bufio.NewReaderSize(r, 64<<10), index: map[string]int{}}
	if b, _ := t.br.Peek(len(bom)); string(b) == bom {
		_, _ = t.br.Discard(len(bom)) // so that a quoted first column name parses
	}
	hdr, bad, err := t.parse(false)
	if err == io.EOF {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", src, err)
	}
	if bad != "" {
		return nil, fmt.Errorf("%s:%d: header: %s", src, t.line, bad)
	}
	t.header = make([]string, len(hdr))
	for i, h := range hdr {
		h = strings.TrimSpace(h)
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("%s:1: header column %d is not valid UTF-8", src, i+1)
		}
		t.header[i] = h
		k := strings.ToLower(h)
		if _, dup := t.index[k]; !dup {
			t.index[k] = i
		}
	}
	return t, nil
}

// Header returns the column names as written (BOM and surrounding spaces removed).
func (t *Reader) Header() []string { return t.header }

// Col returns the position of the column named name (case-insensitive), or -1.
func (t *Reader) Col(name string) int {
	if i, ok := t.index[strings.ToLower(name)]; ok {
		return i
	}
	return -1
}

// Require returns the positions of the named columns, or an error listing the missing ones and
// the header found.
func (t *Reader) Require(names ...string) ([]int, error) {
	pos := make([]int, len(names))
	var missing []string
	for i, n := range names {
		pos[i] = t.Col(n)
		if pos[i] < 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s:1: header lacks column(s) %s; found %s", t.src,
			strings.Join(missing, ", "), strings.Join(t.header, ","))
	}
	return pos, nil
}

// Next advances to the next record. It returns true when the record is ready to read with
// Field; false with a nil error when the record was unusable and a reject for it was appended
// to b; and io.EOF at the end of input. When a read error ends the input, a record still open
// (a quoted field not closed) is rejected, every whole record read before the error is
// returned, and then the error.
func (t *Reader) Next(b *event.Batch) (bool, error) {
	if t.header == nil {
		return false, io.EOF
	}
	rec, bad, err := t.parse(true)
	if err == io.EOF {
		return false, io.EOF
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", t.src, err)
	}
	if bad != "" {
		b.Rejects = append(b.Rejects, event.NewReject(t.src, t.line, "", bad, bytes.TrimRight(t.first.b, "\n")))
		return false, nil
	}
	t.rec = rec
	for i, v := range rec {
		if !utf8.ValidString(v) {
			t.Reject(b, t.header[i], "not valid UTF-8")
			return false, nil
		}
	}
	return true, nil
}

// parse reads the next record, skipping blank lines. It returns the fields, or a reason why the
// record starting on line t.line is unusable (the line is then consumed and the lines after it
// are kept for the next call), or io.EOF, or a read error. With count, a record must have as
// many fields as the header.
func (t *Reader) parse(count bool) (fields []string, bad string, err error) {
	if len(t.pending) == 0 { // nothing refers to the arena any more
		t.pending, t.arena = t.spare[:0], t.arena[:0]
	}
	for {
		if t.first, err = t.take(); err != nil {
			return nil, "", err
		}
		if !blank(t.first.b) {
			break
		}
	}
	t.line = t.first.n
	used := 0 // lines of t.pending consumed after the first
	if t.first.long {
		return nil, fmt.Sprintf("malformed CSV: line %d is longer than %d bytes", t.first.n, MaxRecord), nil
	}
	size := len(t.first.b)
	t.buf, t.ends = t.buf[:0], t.ends[:0]
	ln, cur, col := t.first.n, t.first.b, 1 // col: 1-based byte column of cur[0] on line ln
	fail := func(format string, args ...any) ([]string, string, error) {
		reason := fmt.Sprintf(format, args...)
		if used > 0 {
			reason += fmt.Sprintf("; reading resumes at line %d", t.first.n+1)
		}
		return nil, reason, nil
	}
fields:
	for {
		if len(cur) == 0 || cur[0] != '"' {
			// An unquoted field runs to the next comma or the end of the line.
			i := bytes.IndexByte(cur, ',')
			f := cur
			if i >= 0 {
				f = cur[:i]
			} else {
				f = bytes.TrimSuffix(cur, []byte("\n"))
			}
			if j := bytes.IndexByte(f, '"'); j >= 0 {
				return fail("malformed CSV: %v (at line %d, column %d)", csv.ErrBareQuote, ln, col+j)
			}
			if len(f) > MaxField {
				return fail("malformed CSV: the field at line %d, column %d is longer than %d bytes", ln, col, MaxField)
			}
			t.buf = append(t.buf, f...)
			t.ends = append(t.ends, len(t.buf))
			if i < 0 {
				break fields
			}
			cur, col = cur[i+1:], col+i+1
			continue
		}
		// A quoted field runs to the closing quote, across lines if need be.
		openLine, openCol, start, lines := ln, col, len(t.buf), 1
		cur, col = cur[1:], col+1
		for {
			i := bytes.IndexByte(cur, '"')
			if i < 0 {
				t.buf = append(t.buf, cur...)
				if len(t.buf)-start > MaxField {
					return fail("malformed CSV: the quoted field opened at line %d, column %d is longer than %d bytes", openLine, openCol, MaxField)
				}
				next, more := t.continuation(used)
				if !more && t.readErr != nil {
					return fail("malformed CSV: the quoted field opened at line %d, column %d is not closed before the input broke off", openLine, openCol)
				}
				if !more {
					return fail("malformed CSV: the quoted field opened at line %d, column %d is not closed before the end of the input", openLine, openCol)
				}
				used++
				if lines++; lines > MaxFieldLines {
					return fail("malformed CSV: the quoted field opened at line %d, column %d spans more than %d lines (a stray quote?)", openLine, openCol, MaxFieldLines)
				}
				if size += len(next.b); next.long || size > MaxRecord {
					return fail("malformed CSV: the record starting at line %d is longer than %d bytes", t.first.n, MaxRecord)
				}
				ln, cur, col = next.n, next.b, 1
				continue
			}
			t.buf = append(t.buf, cur[:i]...)
			cur, col = cur[i+1:], col+i+1
			switch {
			case len(cur) > 0 && cur[0] == '"': // "" is a quote inside the field
				t.buf = append(t.buf, '"')
				cur, col = cur[1:], col+1
				continue
			case len(t.buf)-start > MaxField:
				return fail("malformed CSV: the quoted field opened at line %d, column %d is longer than %d bytes", openLine, openCol, MaxField)
			case len(cur) > 0 && cur[0] == ',':
				t.ends = append(t.ends, len(t.buf))
				cur, col = cur[1:], col+1
				continue fields
			case len(cur) == 0 || (len(cur) == 1 && cur[0] == '\n'):
				t.ends = append(t.ends, len(t.buf))
				break fields
			default:
				return fail("malformed CSV: %v (at line %d, column %d)", csv.ErrQuote, ln, col-1)
			}
		}
	}
	if count && len(t.ends) != len(t.header) {
		return fail("record has %d fields; the header has %d", len(t.ends), len(t.header))
	}
	// The record is good: its lines are consumed.
	t.pending = t.pending[used:]
	s := string(t.buf) // one allocation for the whole record, sliced per field
	fields = t.rec[:0]
	prev := 0
	for _, e := range t.ends {
		fields = append(fields, s[prev:e])
		prev = e
	}
	return fields, "", nil
}

// take returns the next line to start a record on: the oldest pending line, else a fresh one.
func (t *Reader) take() (physLine, error) {
	if len(t.pending) > 0 {
		l := t.pending[0]
		t.pending = t.pending[1:]
		return l, nil
	}
	l, err := t.readLine()
	if err != nil {
		return physLine{}, err
	}
	t.lineBuf = append(t.lineBuf[:0], l.b...)
	l.b = t.lineBuf
	return l, nil
}

// continuation returns the line after the used lines that follow the current record's first
// line, reading (and keeping) a new one when the pending lines run out. more is false at the end
// of input, and when a read error ended it (t.readErr): the open record is then given up like
// one at the end of input, and the pending lines after its first are parsed again before the
// error is returned (by take), so that every whole record read before the break is kept.
func (t *Reader) continuation(used int) (l physLine, more bool) {
	if used < len(t.pending) {
		return t.pending[used], true
	}
	l, err := t.readLine()
	if err != nil {
		return physLine{}, false
	}
	if len(t.arena) > 2*MaxRecord {
		t.compact() // lines given back one after another never let the arena empty
	}
	start := len(t.arena) // kept until the record is done, maybe longer
	t.arena = append(t.arena, l.b...)
	l.b = t.arena[start:len(t.arena):len(t.arena)]
	if t.pending = append(t.pending, l); cap(t.pending) > cap(t.spare) {
		t.spare = t.pending[:0]
	}
	return l, true
}

// compact moves the pending lines to a new arena. Slices into the old one stay valid: it is
// never written again.
func (t *Reader) compact() {
	n := 0
	for _, l := range t.pending {
		n += len(l.b)
	}
	arena := make([]byte, 0, 2*n+64<<10)
	for i := range t.pending {
		start := len(arena)
		arena = append(arena, t.pending[i].b...)
		t.pending[i].b = arena[start:len(arena):len(arena)]
	}
	t.arena = arena
}

// readLine reads one physical line from the input. The bytes are only valid until the next
// read. A line longer than MaxRecord is read to its end but only its first bytes are returned.
// A read error is kept in t.readErr and returned by every later call; the bytes of the line it
// cut short are not a whole record and are dropped.
func (t *Reader) readLine() (physLine, error) {
	if t.readErr != nil {
		return physLine{}, t.readErr
	}
	if t.eof {
		return physLine{}, io.EOF
	}
	b, err := t.br.ReadSlice('\n')
	long := false
	if err == bufio.ErrBufferFull {
		t.longBuf = append(t.longBuf[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = t.br.ReadSlice('\n')
			if !long && len(t.longBuf)+len(b) > MaxRecord {
				long = true
				t.longBuf = t.longBuf[:event.MaxRejectRaw]
			}
			if !long {
				t.longBuf = append(t.longBuf, b...)
			}
		}
		b = t.longBuf
	}
	switch {
	case err == io.EOF:
		t.eof = true
		if len(b) == 0 && !long {
			return physLine{}, io.EOF
		}
		b = bytes.TrimSuffix(b, []byte("\r")) // as encoding/csv: a final "\r" is dropped
	case err != nil:
		t.readErr = err
		return physLine{}, err
	}
	if n := len(b); n >= 2 && b[n-2] == '\r' && b[n-1] == '\n' {
		b[n-2] = '\n'
		b = b[:n-1]
	}
	t.read++
	return physLine{b: b, n: t.read, long: long}, nil
}

// blank reports whether a line holds nothing but its line ending.
func blank(b []byte) bool { return len(b) == 0 || (len(b) == 1 && b[0] == '\n') }

// Line is the 1-based physical line on which the current record starts.
func (t *Reader) Line() int64 { return t.line }

// Field returns the current record's value in column i, or "" when i < 0.
func (t *Reader) Field(i int) string {
	if i < 0 || i >= len(t.rec) {
		return ""
	}
	return t.rec[i]
}

// Prov returns the provenance of the current record.
func (t *Reader) Prov() event.Provenance { return event.Provenance{Source: t.src, Line: t.line} }

// Reject appends to b a reject for the current record, blaming field (a column name, or "").
func (t *Reader) Reject(b *event.Batch, field, reason string) {
	b.Rejects = append(b.Rejects, event.NewReject(t.src, t.line, field, reason, t.Raw()))
}

// Raw re-encodes the current record as one CSV line, for a reject.
func (t *Reader) Raw() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(t.rec)
	w.Flush()
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// HeaderIs reports whether the first line of head, BOM and quotes removed, lower-cased, equals
// want (comma-separated, lower case) exactly. Connectors use it in Detect.
func HeaderIs(head []byte, want string) bool {
	return NormHeader(head) == want
}

// HeaderHas reports whether the first line of head contains every one of cols as a column.
func HeaderHas(head []byte, cols ...string) bool {
	got := map[string]bool{}
	for _, c := range strings.Split(NormHeader(head), ",") {
		got[c] = true
	}
	for _, c := range cols {
		if !got[c] {
			return false
		}
	}
	return true
}

// NormHeader returns the first line of head without a BOM, quotes, spaces around names and the
// line ending, lower-cased.
func NormHeader(head []byte) string {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	s := strings.TrimPrefix(string(line), bom)
	s = strings.TrimRight(s, "\r")
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.ToLower(strings.Trim(strings.TrimSpace(p), `"`))
	}
	return strings.Join(parts, ",")
}
