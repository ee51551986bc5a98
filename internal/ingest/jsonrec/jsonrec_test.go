package jsonrec

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

func records(t *testing.T, in string) []Record {
	t.Helper()
	r := NewReader(strings.NewReader(in))
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

func TestLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		wantLines []int64
		wantBad   []bool
	}{
		{"jsonl", "{\"a\":1}\n\n{\"b\":2}\n", []int64{1, 3}, []bool{false, false}},
		{"jsonl with broken line", "{\"a\":1}\n{\"b\":\n{\"c\":3}", []int64{1, 2, 3}, []bool{false, true, false}},
		{"invalid utf8 line", "{\"a\":\"\xff\"}\n{\"b\":1}\n", []int64{1, 2}, []bool{true, false}},
		{"pretty document", "\n{\n  \"a\": [\n 1\n ]\n}\n", []int64{2}, []bool{false}},
		{"two pretty documents", "{\n\"a\":1\n}\n\n[\n2\n]\n", []int64{1, 5}, []bool{false, false}},
		{"truncated document", "{\n\"a\": [1,\n", []int64{1}, []bool{true}},
		{"scalar line", "42\n", []int64{1}, []bool{false}},
		{"empty", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := records(t, tt.in)
			if len(got) != len(tt.wantLines) {
				t.Fatalf("got %d records %+v, want %d", len(got), got, len(tt.wantLines))
			}
			for i, rec := range got {
				if rec.Line != tt.wantLines[i] || (rec.Err != nil) != tt.wantBad[i] {
					t.Errorf("record %d: line %d err %v; want line %d bad %v", i, rec.Line, rec.Err, tt.wantLines[i], tt.wantBad[i])
				}
			}
		})
	}
}

type breaksOff struct {
	r   *strings.Reader
	err error
}

func (b *breaksOff) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil {
		return n, b.err
	}
	return n, nil
}

// TestNextKeepsWholeValuesOfBrokenInput: when the input breaks off (a truncated .json.gz),
// the values before the cut come out whole, in documents and in lines, and then the read error;
// the cut value is not returned as a bad record.
func TestNextKeepsWholeValuesOfBrokenInput(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"document": "{\n\"a\": 1\n}\n[\n2\n]\n{\n\"c\": [1,\n",
		"lines":    "{\"a\":1}\n[2]\n{\"c\":[1,",
	} {
		t.Run(name, func(t *testing.T) {
			r := NewReader(&breaksOff{strings.NewReader(in), io.ErrUnexpectedEOF})
			var got []Record
			for {
				rec, err := r.Next()
				if err != nil {
					if !errors.Is(err, io.ErrUnexpectedEOF) {
						t.Fatalf("error %v; want the read error", err)
					}
					break
				}
				got = append(got, Record{Line: rec.Line, Raw: append([]byte(nil), rec.Raw...), Err: rec.Err})
			}
			if len(got) != 2 || got[0].Err != nil || got[1].Err != nil || !strings.Contains(string(got[1].Raw), "2") {
				t.Fatalf("records %+v; want the two whole values", got)
			}
		})
	}
}

// FuzzReader reads arbitrary input: records come in line order, reading ends, and the reader
// allocates at most 512 bytes per input byte plus 4 MiB: its 1 MiB line buffer, a document's
// copy, and a record per value; the worst measured is 230 per byte, on lines of one bad byte
// each (the JSON error message of each).
func FuzzReader(f *testing.F) {
	f.Add("{\"a\":1}\n{\"b\":\n")
	f.Add("{\n\"a\": [1,\n2]}\n[\n]")
	f.Fuzz(func(t *testing.T, in string) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		defer func() {
			runtime.ReadMemStats(&after)
			if grew, ceiling := after.TotalAlloc-before.TotalAlloc, uint64(512*len(in)+4<<20); grew > ceiling {
				t.Fatalf("reading %d bytes allocated %d, over the ceiling of %d (512 per byte + 4 MiB)", len(in), grew, ceiling)
			}
		}()
		r := NewReader(strings.NewReader(in))
		prev := int64(0)
		for i := 0; i < 1<<20; i++ {
			rec, err := r.Next()
			if err != nil {
				return
			}
			if rec.Line < 1 || rec.Line < prev {
				t.Fatalf("line %d after %d", rec.Line, prev)
			}
			prev = rec.Line
		}
		t.Fatal("no end")
	})
}
