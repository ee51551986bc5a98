//go:build beam

package pipeline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/coord"
)

func TestObjectActions(t *testing.T) {
	t.Parallel()
	w := func(a string) bool { return a == "w" }
	tests := []struct {
		name    string
		items   []Item
		targets func(string) bool
		want    []Action
	}{
		{
			// Two observations of repost r1: the one with the later counts (CountsAt 2, time 20)
			// is the stored row.
			name: "post observations merge",
			items: []Item{
				{Kind: ItemRepostPost, Account: "a", PostID: "r1", Time: 10, HasTime: true, CountsAt: 1},
				{Kind: ItemRepostPost, Account: "a", PostID: "r1", Time: 20, HasTime: true, CountsAt: 2},
			},
			want: []Action{{"a", 20}},
		},
		{
			// a's engagement is hidden by a's repost post; b's engagements merge to the earliest.
			name: "engagements",
			items: []Item{
				{Kind: ItemRepostPost, Account: "a", PostID: "r1", Time: 10, HasTime: true},
				{Kind: ItemRepostEngagement, Account: "a", Time: 5, HasTime: true},
				{Kind: ItemRepostEngagement, Account: "b", Time: 7, HasTime: true},
				{Kind: ItemRepostEngagement, Account: "b", Time: 3, HasTime: true},
			},
			want: []Action{{"b", 3}, {"a", 10}},
		},
		{
			// A repost post without a time is no action but still hides c's engagement.
			name: "untimed post hides engagement",
			items: []Item{
				{Kind: ItemRepostPost, Account: "c", PostID: "r9"},
				{Kind: ItemRepostEngagement, Account: "c", Time: 4, HasTime: true},
			},
			want: nil,
		},
		{
			// Targets {w}: a carries author w; b carries none and the object's own post says w;
			// c carries x (the carried author wins over the object's).
			name: "targets",
			items: []Item{
				{Kind: ItemPost, Account: "w", PostID: "p"},
				{Kind: ItemRepostPost, Account: "a", Author: "w", PostID: "r1", Time: 1, HasTime: true},
				{Kind: ItemRepostPost, Account: "b", PostID: "r2", Time: 2, HasTime: true},
				{Kind: ItemRepostEngagement, Account: "c", Author: "x", Time: 3, HasTime: true},
			},
			targets: w,
			want:    []Action{{"a", 1}, {"b", 2}},
		},
		{
			// No author known at all: not a target's post.
			name:    "unknown author",
			items:   []Item{{Kind: ItemRepostEngagement, Account: "d", Time: 3, HasTime: true}},
			targets: w,
			want:    nil,
		},
		{
			name:  "no targets keeps all, sorted by time then account",
			items: []Item{{Kind: ItemRepostPost, Account: "z", PostID: "1", Time: 5, HasTime: true}, {Kind: ItemRepostEngagement, Account: "y", Time: 5, HasTime: true}},
			want:  []Action{{"y", 5}, {"z", 5}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ObjectActions(tc.items, tc.targets)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestObjectPairs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		acts   []Action
		window int64
		want   []Pair
	}{
		{
			// j=B@30: lo=A@0 → AB. j=C@61: 61−0 > 60, lo=B → BC. j=A@100: 100−30 > 60, lo=C →
			// AC. j=D@160: 160−61 > 60, lo=A@100 (160−100 = 60, inclusive) → AD.
			name:   "sliding inclusive window",
			acts:   []Action{{"A", 0}, {"B", 30}, {"C", 61}, {"A", 100}, {"D", 160}},
			window: 60,
			want:   []Pair{{"A", "B"}, {"A", "C"}, {"A", "D"}, {"B", "C"}},
		},
		{
			// Window 0: the same second only; Y's two actions give XY once; YY is no pair.
			name:   "zero window",
			acts:   []Action{{"X", 5}, {"Y", 5}, {"Y", 6}},
			window: 0,
			want:   []Pair{{"X", "Y"}},
		},
		{
			name:   "one account alone",
			acts:   []Action{{"A", 1}, {"A", 2}},
			window: 60,
			want:   []Pair{},
		},
		{name: "empty", window: 60},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ObjectPairs(tc.acts, tc.window)
			if len(got) != len(tc.want) || (len(got) > 0 && !slices.Equal(got, tc.want)) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// brutePairs is the definition: every pair of actions of different accounts at most window
// seconds apart, de-duplicated.
func brutePairs(acts []Action, window int64) []Pair {
	seen := map[Pair]bool{}
	var out []Pair
	for i := range acts {
		for j := range acts {
			a, b := acts[i], acts[j]
			d := a.Time - b.Time
			if a.Account >= b.Account || d > window || -d > window {
				continue
			}
			p := Pair{a.Account, b.Account}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(x, y Pair) int {
		if x.A != y.A {
			return cmpStr(x.A, y.A)
		}
		return cmpStr(x.B, y.B)
	})
	return out
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func randomActs(rng *rand.Rand, n, accounts int, span int64) []Action {
	acts := make([]Action, n)
	for i := range acts {
		acts[i] = Action{Account: fmt.Sprintf("u%d", rng.IntN(accounts)), Time: rng.Int64N(span)}
	}
	slices.SortFunc(acts, cmpAction)
	return acts
}

func TestObjectPairsMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 200; trial++ {
		acts := randomActs(rng, rng.IntN(40), 1+rng.IntN(12), 1+rng.Int64N(300))
		for _, w := range []int64{0, 1, 10, 60} {
			got, want := ObjectPairs(acts, w), brutePairs(acts, w)
			if len(got) != len(want) || (len(got) > 0 && !slices.Equal(got, want)) {
				t.Fatalf("trial %d window %d: got %v, want %v (acts %v)", trial, w, got, want, acts)
			}
		}
	}
}

func FuzzObjectPairs(f *testing.F) {
	f.Add([]byte{0, 0, 1, 30, 2, 61, 0, 100, 3, 160}, uint8(60))
	f.Add([]byte{0, 5, 1, 5, 1, 6}, uint8(0))
	f.Add([]byte{}, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, window uint8) {
		var acts []Action
		for i := 0; i+1 < len(data); i += 2 {
			acts = append(acts, Action{Account: fmt.Sprintf("a%d", data[i]%16), Time: int64(data[i+1])})
		}
		slices.SortFunc(acts, cmpAction)
		got, want := ObjectPairs(acts, int64(window)), brutePairs(acts, int64(window))
		if len(got) != len(want) || (len(got) > 0 && !slices.Equal(got, want)) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

// TestKernelMatchesCoordDetect: on random co-repost actions, per-object pairs counted per pair
// and filtered by the minimum weight are exactly coord.Detect's co-repost edges (count weight,
// null model off) for the same window and minimum weight.
func TestKernelMatchesCoordDetect(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := 0; trial < 20; trial++ {
		nAcc, nObj := 2+rng.IntN(30), 1+rng.IntN(25)
		span := 1 + rng.Int64N(900)
		b := coord.NewBuilder()
		byObj := map[string][]Action{}
		for i, n := 0, 20+rng.IntN(500); i < n; i++ {
			acc, obj, tm := fmt.Sprintf("u%02d", rng.IntN(nAcc)), fmt.Sprintf("p%d", rng.IntN(nObj)), rng.Int64N(span)
			b.Add(coord.CoRepost, b.Account(acc), b.Object(obj, -1), -1, tm)
			byObj[obj] = append(byObj[obj], Action{acc, tm})
		}
		in := b.Input(time.Second)
		for _, window := range []int64{1, 30, 60} { // coord treats a zero window as the 60 s default
			for _, minW := range []int{1, 2, 3} {
				res, err := coord.Detect(t.Context(), in, coord.Params{Signals: []coord.Signal{coord.CoRepost},
					Window: time.Duration(window) * time.Second, MinWeight: minW, Alpha: -1, Algorithm: coord.Components},
					rand.New(rand.NewPCG(1, 1)))
				if err != nil {
					t.Fatal(err)
				}
				var want []Edge
				for _, e := range res.Edges {
					want = append(want, Edge{e.Source, e.Target, int(e.Weight)})
				}
				counts := map[Pair]int{}
				for _, acts := range byObj {
					slices.SortFunc(acts, cmpAction)
					for _, p := range ObjectPairs(acts, window) {
						counts[p]++
					}
				}
				var got []Edge
				for p, n := range counts {
					if n >= minW {
						got = append(got, Edge{p.A, p.B, n})
					}
				}
				SortEdges(got)
				if !slices.Equal(got, want) {
					t.Fatalf("trial %d window %d min %d: %d edges, coord.Detect %d\n got %v\nwant %v", trial, window, minW, len(got), len(want), got, want)
				}
			}
		}
	}
}
