package coord

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMergeTables checks the radix merge against a map over random tables whose keys
// overlap across runs.
func TestMergeTables(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, nr := range []int{1, 2, 3, 6} {
		runs := make([]*signalRun, nr)
		want := map[uint64][]int32{}
		for ri := range runs {
			r := &signalRun{}
			seen := map[uint64]bool{}
			for range 2000 {
				k := pairKey(rng.Int32N(80), rng.Int32N(80))
				if seen[k] {
					continue // a table holds each pair once
				}
				seen[k] = true
				c := uint32(1 + rng.IntN(3))
				r.table.keys = append(r.table.keys, k)
				r.table.counts = append(r.table.counts, c)
				if want[k] == nil {
					want[k] = make([]int32, nr)
				}
				want[k][ri] += int32(c)
			}
			runs[ri] = r
		}
		for _, minTotal := range []int{1, 2, 5} {
			got := mergeTables(runs, minTotal)
			n := 0
			for k, cs := range want {
				total := 0
				for _, c := range cs {
					total += int(c)
				}
				if total >= minTotal {
					n++
				} else {
					continue
				}
				i := slices.IndexFunc(got, func(c cand) bool { return c.key == k })
				if i < 0 {
					t.Fatalf("runs=%d min=%d: pair %x (total %d) missing", nr, minTotal, k, total)
				}
				if got[i].total != total || !slices.Equal(got[i].counts, cs) {
					t.Fatalf("runs=%d min=%d: pair %x = %v/%d, want %v/%d", nr, minTotal, k, got[i].counts, got[i].total, cs, total)
				}
			}
			if len(got) != n {
				t.Fatalf("runs=%d min=%d: %d candidates, want %d", nr, minTotal, len(got), n)
			}
			if nr > 1 && !slices.IsSortedFunc(got, func(x, y cand) int { return cmp.Compare(x.key, y.key) }) {
				t.Fatalf("runs=%d: candidates not sorted by key", nr)
			}
		}
	}
}
