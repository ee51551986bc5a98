package twitterv1

import (
	"os"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

// FuzzDecode feeds arbitrary input to the decoder, in both line and document mode. Seeds: the
// small fixtures plus the corpus in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, p := range []string{"testdata/handmade.jsonl", "testdata/handmade_array.json", "testdata/handmade_search.json", "testdata/get_status.json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	c := New()
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, c, data) })
}
