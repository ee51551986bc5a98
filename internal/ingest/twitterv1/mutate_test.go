package twitterv1

import (
	"math/rand"
	"os"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

// TestMutations is a seeded, deterministic complement to FuzzDecode that runs in every
// "go test": 1000 copies of testdata/handmade_array.json with one to eight random byte changes, deletions or
// insertions of JSON punctuation must decode without panics and with well-formed events and
// rejects.
func TestMutations(t *testing.T) {
	seed, err := os.ReadFile("testdata/handmade_array.json")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	for range 1000 {
		d := append([]byte(nil), seed...)
		for range 1 + rng.Intn(8) {
			j := rng.Intn(len(d))
			switch rng.Intn(3) {
			case 0:
				d[j] = byte(rng.Intn(256))
			case 1:
				d = append(d[:j], d[j+1:]...)
			case 2:
				d = append(d[:j], append([]byte{"{}[]\":,\n"[rng.Intn(8)]}, d[j:]...)...)
			}
		}
		ingesttest.Fuzz(t, New(), d)
	}
}
