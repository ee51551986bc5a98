package csvtable

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
)

// TestGivenBackLinesStayBounded reads a file in which every line opens a quoted field that the
// next line's quote breaks, so that every record fails and gives its lines back: the storage of
// the lines given back must not grow with the file.
func TestGivenBackLinesStayBounded(t *testing.T) {
	const rows = 200_000
	var in bytes.Buffer
	in.WriteString("a,b\n")
	pad := strings.Repeat("y", 100)
	for range rows {
		fmt.Fprintf(&in, "x,\"%s\n", pad)
	}
	r, err := Open(&in, "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		var b event.Batch
		ok, err := r.Next(&b)
		if err == io.EOF {
			break
		}
		if err != nil || ok {
			t.Fatalf("ok %v, err %v: every line should be rejected", ok, err)
		}
		n++
		if cap(r.arena) > 3*MaxRecord {
			t.Fatalf("after %d records the arena holds %d bytes", n, cap(r.arena))
		}
	}
	if n != rows {
		t.Errorf("%d rejects; want %d", n, rows)
	}
}
