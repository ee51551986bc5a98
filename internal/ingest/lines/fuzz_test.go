package lines

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// FuzzReader reads arbitrary input with a small limit: lines come in order, none is longer
// than the limit, the lines and skipped parts add up to the input, and memory stays bounded by
// the limit, not the input: at most 256 bytes per line returned (a TooLongError each) plus a
// fixed 16 KiB, however long the lines.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"a\nb\n", "\n\n", strings.Repeat("x", 300) + "\ny", "abc"} {
		f.Add([]byte(s), 8)
	}
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		max = 1 + int(uint(max)%256)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := NewReader(bytes.NewReader(in), max)
		var n, kept int64
		for {
			l, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			if l.N != n {
				t.Fatalf("line %d numbered %d", n, l.N)
			}
			if len(l.Bytes) > max {
				t.Fatalf("line %d: %d bytes over the limit %d", n, len(l.Bytes), max)
			}
			if l.Err == nil {
				kept += int64(len(l.Bytes))
			} else if !errors.Is(l.Err, ErrTooLong) {
				t.Fatalf("line %d: %v", n, l.Err)
			}
		}
		runtime.ReadMemStats(&after)
		if want := int64(bytes.Count(in, []byte("\n"))); n != want && n != want+1 {
			t.Fatalf("%d lines from input with %d newlines", n, want)
		}
		if grew, ceiling := after.TotalAlloc-before.TotalAlloc, uint64(256*n+16<<10); grew > ceiling {
			t.Fatalf("%d bytes of input, %d lines: allocated %d bytes, ceiling %d", len(in), n, grew, ceiling)
		}
	})
}
