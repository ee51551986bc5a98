package twarc2

import (
	"os"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

// FuzzDecode feeds arbitrary lines to the decoder. Seeds: the small fixtures plus the corpus in
// testdata/fuzz/FuzzDecode (pages, flat tweets, stream objects, damaged lines).
func FuzzDecode(f *testing.F) {
	for _, p := range []string{"testdata/handmade.jsonl", "testdata/two_tweets.jsonl", "testdata/quoted_edit.jsonl"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	c := New()
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, c, data) })
}
