// Package sharedtest locates the real data samples that tests use as fixtures. They live in
// ../shared/data beside the repository root (CI lays a copy there); tests that need a whole
// sample call Data, which skips the test with a clear message when the samples are absent, so
// the suite still runs anywhere on the slices copied into each package's testdata/.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Data returns the path of ../shared/data/rel beside the repository root (the folder holding
// go.mod), or skips tb if the repository root or the sample cannot be found.
func Data(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared sample %s absent (CI lays it beside the repository): %v", p, err)
	}
	return p
}
