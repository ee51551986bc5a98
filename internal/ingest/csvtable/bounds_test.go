package csvtable

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// strayQuoteFile is a table of rows data rows (id,text,n) of about 120 bytes each whose line 2
// opens a quoted field it never closes.
func strayQuoteFile(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("id,text,n\n")
	pad := strings.Repeat("lorem ipsum ", 9)
	for i := 1; i <= rows; i++ {
		if i == 1 {
			fmt.Fprintf(&b, "%d,\"stray %s,%d\n", i, pad, i)
			continue
		}
		fmt.Fprintf(&b, "%d,text %s,%d\n", i, pad, i)
	}
	return b.Bytes()
}

// TestStrayQuoteCostsOneRecord is issue 14's item 4: one unterminated quote on line 2 used to
// swallow the rest of the file into one reject (and hold it all in memory). Now line 2 alone is
// rejected, every other row is read, and the reader has read no more than MaxRecord ahead when
// it gives the reject.
func TestStrayQuoteCostsOneRecord(t *testing.T) {
	const rows = 100_000
	data := strayQuoteFile(rows)
	if len(data) < 2*MaxRecord {
		t.Fatalf("test file of %d bytes does not exceed the bounds it tests", len(data))
	}
	in := &countingReader{r: bytes.NewReader(data)}
	r, err := Open(in, "stray.csv")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var (
		rejects []event.Reject
		readAt  int64 // bytes read when the first reject came
		good    int
		next    = 2 // the id expected next
	)
	for {
		var b event.Batch
		ok, err := r.Next(&b)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			if len(rejects) == 0 {
				readAt = in.n
				runtime.ReadMemStats(&after)
			}
			rejects = append(rejects, b.Rejects...)
			continue
		}
		if got := r.Field(0); got != fmt.Sprint(next) || r.Line() != int64(next+1) {
			t.Fatalf("record id %s on line %d; want id %d on line %d", got, r.Line(), next, next+1)
		}
		next++
		good++
	}
	if len(rejects) != 1 || rejects[0].Line != 2 || !strings.Contains(rejects[0].Reason, "quoted field opened at line 2, column 3") {
		t.Fatalf("rejects %+v; want one, for line 2's quote", rejects)
	}
	if good != rows-1 {
		t.Errorf("%d rows read; want the %d after the broken one", good, rows-1)
	}
	if limit := int64(MaxRecord + 64<<10); readAt > limit {
		t.Errorf("the reject came after reading %d bytes; want at most %d (MaxRecord + one buffer)", readAt, limit)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2*MaxRecord {
		t.Errorf("%d bytes allocated before the reject; want at most %d", alloc, 2*MaxRecord)
	}
}

// TestRecordBounds checks each bound: the record is rejected with its line and the bound it
// broke, and the next good line is read.
func TestRecordBounds(t *testing.T) {
	big := func(n int) string { return strings.Repeat("x", n) }
	manyLines := strings.Repeat("x\n", MaxFieldLines)
	wide := func(n int) string { // n quoted fields of 900 kB, each ending in a line break
		var f []string
		for range n {
			f = append(f, `"`+big(900_000)+"\n"+`"`)
		}
		return strings.Join(f, ",")
	}
	tests := []struct {
		name, in string
		line     int64
		reason   string
		rejects  int // rejects in all, the first one checked
	}{
		{"unquoted field over MaxField", "a,b\n1," + big(MaxField+1) + "\n3,4\n", 2,
			"malformed CSV: the field at line 2, column 3 is longer than 1048576 bytes", 1},
		{"quoted field over MaxField", "a,b\n1,\"" + big(MaxField+1) + "\"\n3,4\n", 2,
			"malformed CSV: the quoted field opened at line 2, column 3 is longer than 1048576 bytes", 1},
		{"quoted field over MaxFieldLines", "a,b\n1,\"" + manyLines + "\"\n3,4\n", 2,
			"malformed CSV: the quoted field opened at line 2, column 3 spans more than 1000 lines (a stray quote?); reading resumes at line 3",
			1 + (MaxFieldLines - 1) + 1}, // then each "x" line has 1 field, and the closing quote opens a field never closed
		{"record over MaxRecord", "a,b,c,d,e\n" + wide(5) + "\n3,4,5,6,7\n", 2,
			"malformed CSV: the record starting at line 2 is longer than 4194304 bytes; reading resumes at line 3", -1},
		{"line over MaxRecord", "a,b\n1," + big(MaxRecord+10) + "\n3,4\n", 2,
			"malformed CSV: line 2 is longer than 4194304 bytes", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(strings.NewReader(tc.in), "t.csv")
			if err != nil {
				t.Fatal(err)
			}
			var rejects []event.Reject
			var last []string
			for {
				var b event.Batch
				ok, err := r.Next(&b)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					last = append(last[:0], r.rec...)
				}
				rejects = append(rejects, b.Rejects...)
			}
			if len(rejects) == 0 || rejects[0].Line != tc.line || rejects[0].Reason != tc.reason {
				if len(rejects) > 0 {
					t.Fatalf("first reject line %d %q; want line %d %q", rejects[0].Line, rejects[0].Reason, tc.line, tc.reason)
				}
				t.Fatalf("no reject; want line %d %q", tc.line, tc.reason)
			}
			if tc.rejects >= 0 && len(rejects) != tc.rejects {
				t.Errorf("%d rejects; want %d", len(rejects), tc.rejects)
			}
			if len(rejects[0].Raw) > event.MaxRejectRaw {
				t.Errorf("reject keeps %d raw bytes", len(rejects[0].Raw))
			}
			if len(last) == 0 || last[0] != "3" {
				t.Errorf("last record %.40q; want the good line after the broken record", last)
			}
		})
	}
}

// TestReadErrorInsideQuotedField: a stray quote on line 10 opens a field that is still open when
// the gzip stream breaks off (at about line 500). The records read ahead while looking for the
// closing quote (lines 11 to the last whole line) used to be thrown away with the read error,
// which then said the input broke "after line 9". Now line 10 is rejected as at the end of
// input, every whole line after it is read, and the read error comes last.
func TestReadErrorInsideQuotedField(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var plain bytes.Buffer
	plain.WriteString("id,text,n\n")
	for i := 1; i <= 1000; i++ {
		text := fmt.Sprintf("%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64()) // hardly compressible
		if i == 9 {
			text = `"stray ` + text
		}
		fmt.Fprintf(&plain, "%d,%s,%d\n", i, text, i)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(plain.Bytes())
	w.Close()
	cut := gz.Bytes()[:gz.Len()/2]
	// What a reader gets before the break: its whole lines are the records to keep.
	got, err := io.ReadAll(mustGunzip(t, cut))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated gzip: %v", err)
	}
	whole := int64(bytes.Count(got, []byte("\n"))) // lines 1 .. whole are complete
	if whole < 300 || whole > 700 {
		t.Fatalf("the break is at line %d; want it mid-file", whole)
	}

	r, err := Open(mustGunzip(t, cut), "cut.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	var (
		rejects []event.Reject
		lines   []int64
	)
	for {
		var b event.Batch
		ok, err := r.Next(&b)
		if err == io.EOF {
			t.Fatal("io.EOF; want the read error")
		}
		if err != nil {
			if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasPrefix(err.Error(), "cut.csv.gz: ") {
				t.Errorf("error %v; want cut.csv.gz: unexpected EOF", err)
			}
			if _, again := r.Next(&b); !errors.Is(again, io.ErrUnexpectedEOF) {
				t.Errorf("next after the error: %v; want the same error again", again)
			}
			break
		}
		if !ok {
			rejects = append(rejects, b.Rejects...)
			continue
		}
		lines = append(lines, r.Line())
	}
	if len(rejects) != 1 || rejects[0].Line != 10 || !strings.Contains(rejects[0].Reason, "quoted field opened at line 10, column 3 is not closed before the input broke off") {
		t.Errorf("rejects %+v; want line 10's quote, not closed before the break", rejects)
	}
	var want []int64
	for l := int64(2); l <= whole; l++ {
		if l != 10 {
			want = append(want, l)
		}
	}
	if !slices.Equal(lines, want) {
		t.Errorf("records on lines %v … %v (%d); want lines 2–9 and 11–%d", lines[:min(len(lines), 3)], lines[max(0, len(lines)-3):], len(lines), whole)
	}
}

func mustGunzip(t *testing.T, b []byte) io.Reader {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}
