package csvtable

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/echotrace/echotrace/internal/event"
)

// bom is the UTF-8 byte-order mark some tools (Excel, pandas with utf-8-sig) write first.
const bom = "\ufeff"

// Reader reads a CSV table record by record. Column positions come from the header; use Col to
// look a column up once and Field to read it from the current record.
type Reader struct {
	src    string
	cr     *csv.Reader
	header []string       // as written, BOM and surrounding spaces removed
	index  map[string]int // lower-cased name → first position
	rec    []string
	line   int64
}

// Open reads the header of the CSV table in r. src names the input in rejects. An empty input
// yields a Reader whose Next returns io.EOF at once. Open fails only when the header itself
// cannot be read.
func Open(r io.Reader, src string) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	t := &Reader{src: src, cr: cr, index: map[string]int{}}
	hdr, err := cr.Read()
	if err == io.EOF {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", src, err)
	}
	t.header = make([]string, len(hdr))
	for i, h := range hdr {
		if i == 0 {
			h = strings.TrimPrefix(h, bom)
		}
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
// to b; and io.EOF at the end of input.
func (t *Reader) Next(b *event.Batch) (bool, error) {
	if t.header == nil {
		return false, io.EOF
	}
	rec, err := t.cr.Read()
	if err == io.EOF {
		return false, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			t.line = int64(pe.StartLine)
			reason := fmt.Sprintf("malformed CSV: %v (at line %d, column %d)", pe.Err, pe.Line, pe.Column)
			b.Rejects = append(b.Rejects, event.NewReject(t.src, t.line, "", reason, nil))
			return false, nil
		}
		return false, fmt.Errorf("%s: %w", t.src, err)
	}
	t.rec = rec
	ln, _ := t.cr.FieldPos(0)
	t.line = int64(ln)
	if len(rec) != len(t.header) {
		t.Reject(b, "", fmt.Sprintf("record has %d fields; the header has %d", len(rec), len(t.header)))
		return false, nil
	}
	for i, v := range rec {
		if !utf8.ValidString(v) {
			t.Reject(b, t.header[i], "not valid UTF-8")
			return false, nil
		}
	}
	return true, nil
}

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
