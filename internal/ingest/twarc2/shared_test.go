package twarc2

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedPath locates ../shared/data/rel beside the repository root (the folder holding
// go.mod), skipping the test if the shared samples are absent.
func sharedPath(tb testing.TB, rel string) string {
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
		tb.Skipf("shared sample %s absent (it ships beside the repository as ../shared/data): %v", rel, err)
	}
	return p
}
