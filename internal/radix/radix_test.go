package radix

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSort(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 63, 64, 1000, 100000} {
		for _, mask := range []uint64{math.MaxUint64, 0xFFFFF_000FFFFF, 0xFF} {
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = rng.Uint64() & mask
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			Sort(keys, make([]uint64, n))
			if !slices.Equal(keys, want) {
				t.Fatalf("n=%d mask=%x: not sorted", n, mask)
			}
		}
	}
}

func TestSortKV(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 2, 63, 64, 1000, 100000} {
		for _, mask := range []uint64{math.MaxUint64, 0xFFFFF_000FFFFF, 0xFF} {
			keys, vals := make([]uint64, n), make([]uint64, n)
			type kv struct{ k, v uint64 }
			want := make([]kv, n)
			for i := range keys {
				keys[i], vals[i] = rng.Uint64()&mask, uint64(i)
				want[i] = kv{keys[i], vals[i]}
			}
			// LSD radix sort is stable: equal keys keep their input order.
			slices.SortStableFunc(want, func(x, y kv) int { return cmp.Compare(x.k, y.k) })
			SortKV(keys, vals, make([]uint64, n), make([]uint64, n))
			for i := range want {
				if keys[i] != want[i].k || vals[i] != want[i].v {
					t.Fatalf("n=%d mask=%x: entry %d = (%x, %d), want (%x, %d)", n, mask, i, keys[i], vals[i], want[i].k, want[i].v)
				}
			}
		}
	}
}
