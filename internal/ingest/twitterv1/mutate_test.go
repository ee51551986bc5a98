package twitterv1

import (
	"os"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

// TestMutations runs 1000 seeded mutations of testdata/handmade_array.json (ingesttest.Mutations).
func TestMutations(t *testing.T) {
	seed, err := os.ReadFile("testdata/handmade_array.json")
	if err != nil {
		t.Fatal(err)
	}
	ingesttest.Mutations(t, New(), seed, 1000)
}
