package amplify

import (
	"math"
	"testing"
)

func TestTopShares(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		desc []int64
		want TopMap
	}{
		{"empty", nil, TopMap{"0.1": 0, "1": 0, "5": 0, "10": 0}},
		// n = 1: k = 1 everywhere → 1
		{"one", []int64{7}, TopMap{"0.1": 1, "1": 1, "5": 1, "10": 1}},
		// n = 20, total 20+19+…+1 = 210: 0.1 % and 1 % → k = 1 → 20/210; 5 % → k = ⌈1⌉ = 1;
		// 10 % → k = 2 → 39/210
		{"twenty", seq(20), TopMap{"0.1": 20.0 / 210, "1": 20.0 / 210, "5": 20.0 / 210, "10": 39.0 / 210}},
		// n = 100 equal counts: 1 % → k = ⌈0.01·100⌉ = 1 exactly (no float rounding up to 2)
		{"hundred equal", rep(100, 3), TopMap{"0.1": 0.01, "1": 0.01, "5": 0.05, "10": 0.10}},
		// n = 1001: 0.1 % → k = ⌈1.001⌉ = 2; 1 % → 11; 5 % → 51; 10 % → 101 (equal counts)
		{"1001 equal", rep(1001, 1), TopMap{"0.1": 2.0 / 1001, "1": 11.0 / 1001, "5": 51.0 / 1001, "10": 101.0 / 1001}},
		// ties at the cut: [5 5 5 1 …] n = 10 → 10 % takes k = 1 → 5/(15+7)
		{"ties at the cut", []int64{5, 5, 5, 1, 1, 1, 1, 1, 1, 1}, TopMap{"0.1": 5.0 / 22, "1": 5.0 / 22, "5": 5.0 / 22, "10": 5.0 / 22}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := TopShares(tc.desc)
			for k, w := range tc.want {
				if math.Abs(got[k]-w) > 1e-12 {
					t.Errorf("top %s%% = %v, want %v", k, got[k], w)
				}
			}
		})
	}
}

func seq(n int) []int64 {
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(n - i)
	}
	return v
}

func rep(n int, c int64) []int64 {
	v := make([]int64, n)
	for i := range v {
		v[i] = c
	}
	return v
}

// giniPairs is the textbook definition G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ), an independent check of
// the sorted-rank formula used by Gini.
func giniPairs(x []int64) float64 {
	n := float64(len(x))
	var sum, diff float64
	for _, a := range x {
		sum += float64(a)
		for _, b := range x {
			diff += math.Abs(float64(a - b))
		}
	}
	if sum == 0 {
		return 0
	}
	return diff / (2 * n * n * (sum / n))
}

func TestGini(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		asc  []int64
		want float64
	}{
		{"empty", nil, 0},
		{"equal", []int64{4, 4, 4, 4}, 0},
		// one of four holds everything: (n−1)/n = 3/4
		{"one holds all", []int64{0, 0, 0, 8}, 0.75},
		// [1 2 3 4]: Σ i·x = 1+4+9+16 = 30; 60/(4·10) − 5/4 = 1.5 − 1.25 = 0.25;
		// pairs: Σ|xᵢ−xⱼ| = 2·(1+2+3+1+2+1) = 20; 20/(2·16·2.5) = 0.25
		{"one to four", []int64{1, 2, 3, 4}, 0.25},
		// [1 1 2 6]: Σ i·x = 1+2+6+24 = 33; 66/(4·10) − 5/4 = 1.65 − 1.25 = 0.4
		{"skewed", []int64{1, 1, 2, 6}, 0.4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Gini(tc.asc); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Gini = %v, want %v", got, tc.want)
			}
			if len(tc.asc) > 0 {
				if got := giniPairs(tc.asc); math.Abs(got-tc.want) > 1e-12 {
					t.Errorf("pairwise Gini = %v, want %v (test arithmetic)", got, tc.want)
				}
			}
		})
	}
	// A heavy-tailed sample: the two formulas agree.
	x := make([]int64, 500)
	for i := range x {
		x[i] = int64(1 + (i*i)%97)
	}
	sortInts(x)
	if a, b := Gini(x), giniPairs(x); math.Abs(a-b) > 1e-9 {
		t.Errorf("Gini %v != pairwise %v", a, b)
	}
}

func sortInts(x []int64) {
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j] < x[j-1]; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
}

func TestLorenz(t *testing.T) {
	t.Parallel()
	// [1 1 2 6]: cumulative 0 1 2 4 10 over 10
	got := Lorenz([]int64{1, 1, 2, 6}, 0)
	want := []Point{{0, 0}, {0.25, 0.1}, {0.5, 0.2}, {0.75, 0.4}, {1, 1}}
	for _, d := range approxDiff(got, want) {
		t.Error(d)
	}
	// 1000 equal counts downsampled to 4 segments: k = 0 250 500 750 1000 → the diagonal.
	got = Lorenz(rep(1000, 2), 4)
	want = []Point{{0, 0}, {0.25, 0.25}, {0.5, 0.5}, {0.75, 0.75}, {1, 1}}
	for _, d := range approxDiff(got, want) {
		t.Error(d)
	}
	if Lorenz(nil, 10) != nil {
		t.Error("empty: want nil")
	}
}

func TestMedianAndWeek(t *testing.T) {
	t.Parallel()
	if m := median([]int64{5, 1, 3}); m != 3 {
		t.Errorf("median odd = %v", m)
	}
	if m := median([]int64{4, 1, 3, 10}); m != 3.5 {
		t.Errorf("median even = %v", m)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median empty: want NaN")
	}
	for _, tc := range []struct {
		t    int64
		want string
	}{
		{1609718400, "2021-01-04"},                   // Monday 00:00
		{1609718400 - 1, "2020-12-28"},               // Sunday 23:59:59
		{1609718400 + 6*86400 + 86399, "2021-01-04"}, // Sunday 23:59:59 of the same week
		{0, "1969-12-29"},                            // Thursday 1970-01-01
		{-86400 * 4, "1969-12-22"},                   // Sunday 1969-12-28
	} {
		if got := dateOf(weekStart(tc.t)); got != tc.want {
			t.Errorf("weekStart(%d) = %s, want %s", tc.t, got, tc.want)
		}
	}
}
