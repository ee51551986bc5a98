package all

import (
	"runtime"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
	"github.com/echotrace/echotrace/internal/ingest/lines"
)

// TestJSONReadersRejectOverLongLineAndResume runs every JSON connector over a file whose second
// line is 100 MiB (generated, never held; over lines.MaxRecord): the line is rejected with its
// number and size, reading resumes at line 3, and decoding allocates a fraction of the line.
func TestJSONReadersRejectOverLongLineAndResume(t *testing.T) {
	reg, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	const size = 100 << 20
	for _, name := range []string{"twarc2", "twitter-v1", "bluesky", "mastodon", "telegram"} {
		t.Run(name, func(t *testing.T) {
			c, err := reg.Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			r := ingesttest.Repeat("{}\n"+`{"text":"`, 'a', size, `"}`+"\nnot json\n")
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b, err := ingesttest.DecodeReader(c, "long.jsonl", r)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 3*lines.MaxRecord {
				t.Errorf("decoding a %d-byte line allocated %d bytes; want at most %d", size, grew, 3*lines.MaxRecord)
			}
			var long, next bool
			for _, rj := range b.Rejects {
				switch {
				case rj.Line == 2 && strings.Contains(rj.Reason, "104,857,6") && strings.Contains(rj.Reason, "longer than the limit"):
					long = true
				case rj.Line == 3:
					next = true
				}
			}
			if !long || !next {
				t.Errorf("rejects %+v; want line 2 rejected for its size and line 3 read", b.Rejects)
			}
		})
	}
}
