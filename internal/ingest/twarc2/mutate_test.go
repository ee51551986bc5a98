package twarc2

import (
	"os"
	"testing"

	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

// TestMutations runs 1000 seeded mutations of testdata/handmade.jsonl (ingesttest.Mutations).
func TestMutations(t *testing.T) {
	seed, err := os.ReadFile("testdata/handmade.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	ingesttest.Mutations(t, New(), seed, 1000)
}
