package e2e

import "testing"

// TestDeterministic: the same study renders the same bytes.
func TestDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("short: no simulated world")
	}
	st := world(t, 0.01)
	if a, b := renderStudy(t, st), renderStudy(t, st); a != b {
		t.Fatal("two renders of the same study differ")
	}
}
