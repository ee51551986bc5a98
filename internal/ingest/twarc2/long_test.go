package twarc2

import (
	"runtime"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

// TestDecodeRejectsOverLongLineInBoundedMemory is the reproduction at the reader: one
// 1.5 GB line (generated, never held) is rejected with its line and size, the next line is
// decoded, and the decoder allocates a small fraction of the line (it used to read the whole
// line, decode it and keep a 1.5 GB post text).
func TestDecodeRejectsOverLongLineInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1.5 GB")
	}
	const size = 1_500_000_000
	r := ingesttest.Repeat(`{"data":[{"id":"1","author_id":"2","created_at":"2021-01-01T00:00:00.000Z","text":"`, 'a', size,
		`"}],"includes":{}}`+"\n"+`{"data":[{"id":"3","author_id":"2","created_at":"2021-01-01T00:00:00.000Z","text":"after"}]}`+"\n")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b, err := ingesttest.DecodeReader(New(), "long.jsonl", r)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("decoding a %d-byte line allocated %d bytes; want at most 64 MiB", int64(size), grew)
	}
	if len(b.Rejects) != 1 || b.Rejects[0].Line != 1 || !strings.Contains(b.Rejects[0].Reason, "1,500,000,1") ||
		!strings.Contains(b.Rejects[0].Reason, "longer than the limit") {
		t.Fatalf("rejects %+v; want one for line 1 giving its size and the limit", b.Rejects)
	}
	if len(b.Posts) != 1 || b.Posts[0].ID != "3" || b.Posts[0].Prov.Line != 2 {
		t.Fatalf("posts %+v; want the post of line 2", b.Posts)
	}
}
