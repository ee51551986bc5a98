package coord

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// permutedCopy returns in with every signal's action times relocated as one replicate of the
// empirical null does (seeded), for held-out checks of the calibration.
func permutedCopy(in Input, seed uint64) Input {
	out := in
	out.Actions = make([]Actions, len(in.Actions))
	rng := rand.New(rand.NewPCG(seed, 0xbeef))
	for s := range in.Actions {
		a := &in.Actions[s]
		g := groupActions(a, len(in.Objects.ID), nil, 1)
		rl := newRelocator(g, &in, in.Accounts.Len(), 1)
		rg := rl.replicate(g, rng, make([]act, len(g.acts)), make([]int64, len(g.acts)), 1)
		na := Actions{Signal: a.Signal}
		for o := 0; o+1 < len(rg.start); o++ {
			for _, x := range rg.acts[rg.start[o]:rg.start[o+1]] {
				na.Account = append(na.Account, x.a)
				na.Object = append(na.Object, int32(o))
				na.Time = append(na.Time, x.t)
				if a.Content != nil {
					na.Content = append(na.Content, x.c)
				}
			}
		}
		out.Actions[s] = na
	}
	return out
}

// TestCalibrationHeldOut: on organic-only data (the viral world without its planted network:
// 60 viral posts reposted by 700 of 3,000 accounts within minutes, a long tail without creation
// times, and 4 fast fans), the chance edges that a run reports at each score of its
// calibration curve agree within a factor of 2 with the edges actually found, at that score,
// on copies whose timing was broken by the same permutation with other seeds; and the run
// flags no one.
func TestCalibrationHeldOut(t *testing.T) {
	t.Parallel()
	in, _ := viralWorld(7, 3000, 60, 700, 0, 0)
	res, err := Detect(t.Context(), in, Params{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cal := res.Null.Calibration
	if cal == nil || cal.Runs < 2 {
		t.Fatalf("no calibration: %+v", res.Null)
	}
	if len(res.Accounts) != 0 {
		t.Errorf("organic-only world: %d accounts flagged (%+v)", len(res.Accounts), *cal)
	}
	const copies = 4
	found := make([]float64, len(cal.Curve))
	for k := 0; k < copies; k++ {
		raw, err := Detect(t.Context(), permutedCopy(in, 100+uint64(k)), Params{Alpha: -1, Algorithm: Components}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, pt := range cal.Curve {
			for _, e := range raw.Edges {
				if e.Score >= pt.Score {
					found[i]++
				}
			}
		}
	}
	checked := 0
	for i, pt := range cal.Curve {
		got := found[i] / copies
		if pt.ExpectedEdges < 5 && got < 5 {
			continue
		}
		checked++
		if r := pt.ExpectedEdges / math.Max(got, 1e-9); r > 2 || r < 0.5 {
			t.Errorf("score ≥ %g: reported %.1f chance edges, held-out copies give %.1f", pt.Score, pt.ExpectedEdges, got)
		}
		// On organic data the observed edges are chance edges too (where the counts are large
		// enough for Poisson noise to stay inside a factor of 2).
		if pt.Edges < 20 && pt.ExpectedEdges < 20 {
			continue
		}
		if r := float64(pt.Edges) / math.Max(pt.ExpectedEdges, 1e-9); r > 2 || r < 0.5 {
			t.Errorf("score ≥ %g: %d edges in the data, %.1f expected by chance", pt.Score, pt.Edges, pt.ExpectedEdges)
		}
	}
	if checked < 2 {
		t.Errorf("only %d curve points with ≥ 5 chance edges: the world is too small to check", checked)
	}
}

// TestQValues checks the empirical q-values on a hand-made case: observed scores 9, 5, 5, 1;
// two replicates with null scores {6, 1} and {2, 1}. FDR(9) = 0 ÷ 1; FDR(5) = (1 ÷ 2) ÷ 3
// (the tie counts whole); FDR(1) = (4 ÷ 2) ÷ 4 → 0.5; q is the running minimum from the bottom.
func TestQValues(t *testing.T) {
	t.Parallel()
	q := qValues([]float64{5, 9, 1, 5}, []float64{6, 1, 2, 1}, 2, math.Inf(-1))
	want := []float64{1.0 / 6, 0, 0.5, 1.0 / 6}
	for i := range q {
		if math.Abs(q[i]-want[i]) > 1e-12 {
			t.Errorf("q %v, want %v", q, want)
			break
		}
	}
	// Benjamini–Hochberg on p = 0.001, 0.01, 0.04, 0.5 (scores 3, 2, −log10 0.04, −log10 0.5):
	// q = 0.004, 0.02, 0.0533…, 0.5.
	b := bhQ([]float64{3, 2, -math.Log10(0.04), -math.Log10(0.5)}, math.Inf(-1))
	wantB := []float64{0.004, 0.02, 0.04 * 4 / 3, 0.5}
	for i := range b {
		if math.Abs(b[i]-wantB[i]) > 1e-12 {
			t.Errorf("bh %v, want %v", b, wantB)
			break
		}
	}
}

// TestQValuesFloor: thresholds below the floor take no part. Observed 5, 1, 1, 1, 1 against
// null {6, 6} over 2 replicates: FDR(5) = (2 ÷ 2) ÷ 1 = 1, FDR(1) = (2 ÷ 2) ÷ 5 = 0.2, so q(5)
// is 0.2 through the threshold at 1 — and 1 when the floor (2) leaves that threshold out.
// Benjamini–Hochberg on scores 3 and 0.5 (m = 2): q(3) = 0.002 either way; q(0.5) = 10^−0.5
// without a floor, 1 with floor 1.
func TestQValuesFloor(t *testing.T) {
	t.Parallel()
	obs, null := []float64{5, 1, 1, 1, 1}, []float64{6, 6}
	if q := qValues(obs, null, 2, math.Inf(-1)); math.Abs(q[0]-0.2) > 1e-12 || math.Abs(q[1]-0.2) > 1e-12 {
		t.Errorf("no floor: q %v, want 0.2 for all", q)
	}
	if q := qValues(obs, null, 2, 2); q[0] != 1 || q[1] != 1 {
		t.Errorf("floor 2: q %v, want 1 for all", q)
	}
	if b := bhQ([]float64{3, 0.5}, math.Inf(-1)); math.Abs(b[0]-0.002) > 1e-12 || math.Abs(b[1]-math.Pow(10, -0.5)) > 1e-12 {
		t.Errorf("bh, no floor: %v", b)
	}
	if b := bhQ([]float64{3, 0.5}, 1); math.Abs(b[0]-0.002) > 1e-12 || b[1] != 1 {
		t.Errorf("bh, floor 1: %v", b)
	}
}

// TestLogTail: the log-space tail agrees with the direct one where both are exact and keeps
// ranking past the underflow of p (two strong edges must not tie at a cap).
func TestLogTail(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		x int
		l float64
	}{{3, 0.9875}, {1, 2}, {10, 0.5}, {50, 3}} {
		if got, want := logTail10(c.x, c.l), math.Log10(poissonTail(c.x, c.l)); math.Abs(got-want) > 1e-9 {
			t.Errorf("logTail10(%d, %g) = %v, want %v", c.x, c.l, got, want)
		}
	}
	a, b := evidence(400, 0.01), evidence(500, 0.01)
	if !(b > a && a > 300) {
		t.Errorf("evidence 400 → %v, 500 → %v: want increasing past 300", a, b)
	}
}

// TestRelocatorKeepsMultisets: a replicate moves times only — each account keeps its
// latencies on anchored objects and its times on the others, every object its actions — and
// it does move them.
func TestRelocatorKeepsMultisets(t *testing.T) {
	t.Parallel()
	in := handInput()
	in.Objects.Created = []int64{-60, 0, 0} // p1 anchored, p2 and p3 not
	a := &in.Actions[0]
	g := groupActions(a, len(in.Objects.ID), nil, 1)
	rl := newRelocator(g, &in, in.Accounts.Len(), 1)
	moved := false
	for seed := uint64(0); seed < 20; seed++ {
		rg := rl.replicate(g, rand.New(rand.NewPCG(seed, 1)), make([]act, len(g.acts)), make([]int64, len(g.acts)), 1)
		rl2 := newRelocator(rg, &in, in.Accounts.Len(), 1)
		for k := range rl.seg {
			if rl.seg[k] != rl2.seg[k] {
				t.Fatalf("segments differ")
			}
		}
		for i := range rl.sorted {
			if rl.sorted[i] != rl2.sorted[i] {
				t.Fatalf("seed %d: values %v, want %v", seed, rl2.sorted, rl.sorted)
			}
		}
		for o := 0; o+1 < len(g.start); o++ {
			if g.start[o+1]-g.start[o] != rg.start[o+1]-rg.start[o] {
				t.Fatalf("object %d changed size", o)
			}
		}
		for i := range g.acts {
			if g.acts[i] != rg.acts[i] {
				moved = true
			}
		}
	}
	if !moved {
		t.Error("20 replicates moved nothing")
	}
}

// TestSoleHitEqualsRelocatedHit: the merged-interval shortcut gives exactly the general π on
// random groups (repeat actors included, which take the general path).
func TestSoleHitEqualsRelocatedHit(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 2000; trial++ {
		n := 2 + rng.IntN(30)
		grp := make([]act, n)
		for i := range grp {
			grp[i] = act{t: rng.Int64N(600), a: rng.Int32N(int32(3 + rng.IntN(20))), c: -1}
		}
		slices.SortFunc(grp, cmpAct)
		window := int64(1 + rng.IntN(90))
		ivs := unionIntervals(grp, window, nil)
		cnt := map[int32]int{}
		for _, x := range grp {
			cnt[x.a]++
		}
		vs := make([]int64, 1+rng.IntN(40)) // ≤ nearSample: exact
		for i := range vs {
			vs[i] = rng.Int64N(800) - 100
		}
		slices.Sort(vs)
		ref := rng.Int64N(50)
		for i, x := range grp {
			want := relocatedHit(grp, x.a, ref, vs, window, nil)
			if got := soleHit(grp, i, cnt[x.a] > 1, ref, vs, nil, window, ivs); got != want {
				t.Fatalf("trial %d, action %d: soleHit %v, relocatedHit %v (group %v, window %d)", trial, i, got, want, grp, window)
			}
		}
		// Above nearSample values, an account acting once on the object is represented by its
		// quantiles, whichever of the two ways soleHit counts them.
		big := make([]int64, nearSample+1+rng.IntN(3000))
		for i := range big {
			big[i] = rng.Int64N(800) - 100
		}
		slices.Sort(big)
		qs := make([]int64, nearSample)
		for i := range qs {
			qs[i] = big[(2*i+1)*len(big)/(2*nearSample)]
		}
		for i, x := range grp {
			want := relocatedHit(grp, x.a, ref, qs, window, nil)
			if cnt[x.a] > 1 {
				want = relocatedHit(grp, x.a, ref, big, window, nil)
			}
			if got := soleHit(grp, i, cnt[x.a] > 1, ref, big, qs, window, ivs); got != want {
				t.Fatalf("trial %d, action %d, %d values: soleHit %v, want %v (group %v, window %d)", trial, i, len(big), got, want, grp, window)
			}
		}
	}
}

// TestNearShareSample: above nearSample latencies the quantile estimate of q stays within 2 %
// of the exact share.
func TestNearShareSample(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	la, lb := make([]int64, 5000), make([]int64, 8000)
	for i := range la {
		la[i] = int64(600 * math.Exp(1.5*rng.NormFloat64()))
	}
	for i := range lb {
		lb[i] = int64(900 * math.Exp(1.2*rng.NormFloat64()))
	}
	slices.Sort(la)
	slices.Sort(lb)
	exact := float64(bruteNear(la, lb, 60)) / float64(len(la)*len(lb))
	if got := nearShare(la, lb, 60); math.Abs(got-exact) > 0.02*exact {
		t.Errorf("nearShare %v, exact %v", got, exact)
	}
	if got := nearShare(la[:200], lb, 60); got <= 0 {
		t.Errorf("exact path gave %v", got)
	}
}

// sortedRandom is n values drawn uniformly from [0, spread), ascending.
func sortedRandom(rng *rand.Rand, n int, spread int64) []int64 {
	xs := make([]int64, n)
	for i := range xs {
		xs[i] = rng.Int64N(spread)
	}
	slices.Sort(xs)
	return xs
}

// bruteNear counts the pairs (x, y), x in xs and y in ys, with |x − y| ≤ w, by trying them all.
func bruteNear(xs, ys []int64, w int64) int {
	var near int
	for _, x := range xs {
		for _, y := range ys {
			if d := x - y; d >= -w && d <= w {
				near++
			}
		}
	}
	return near
}

// TestNearShareExact: at or below nearSample latencies q is the exact share of pairs within
// the window, counted by brute force, on coarse (many ties, as at minute resolution) and fine
// times, with windows from 0 to wider than the data.
func TestNearShareExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 300; trial++ {
		spread := []int64{5, 100, 100000}[trial%3]
		la, lb := sortedRandom(rng, 1+rng.IntN(nearSample), spread), sortedRandom(rng, 1+rng.IntN(3000), spread)
		w := []int64{0, 1, 30, 1 << 40}[trial%4]
		want := float64(bruteNear(la, lb, w)) / float64(len(la)*len(lb))
		if got := nearShare(la, lb, w); got != want {
			t.Fatalf("trial %d (|la| %d, |lb| %d, window %d): nearShare %v, brute force %v", trial, len(la), len(lb), w, got, want)
		}
	}
}

// TestNearShareSampledExact: above nearSample latencies, q is exactly the brute-force share of
// pairs within the window between la's nearSample quantiles ((2i+1)/(2·nearSample)) and lb.
func TestNearShareSampledExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(15, 16))
	for trial := 0; trial < 40; trial++ {
		spread := []int64{50, 5000, 1000000}[trial%3]
		la, lb := sortedRandom(rng, nearSample+1+rng.IntN(3000), spread), sortedRandom(rng, 1+rng.IntN(4000), spread)
		w := []int64{0, 30, 600}[trial%3]
		quantiles := make([]int64, nearSample)
		for i := range quantiles {
			quantiles[i] = la[(2*i+1)*len(la)/(2*nearSample)]
		}
		want := float64(bruteNear(quantiles, lb, w)) / float64(nearSample*len(lb))
		if got := nearShare(la, lb, w); got != want {
			t.Fatalf("trial %d (|la| %d, |lb| %d, window %d): nearShare %v, brute force over the quantiles %v", trial, len(la), len(lb), w, got, want)
		}
	}
}

// TestLowerBoundGallop: both searches (bisection, galloping) agree with sort.Search on every
// short ascending array with ties, every start and every value around its elements.
func TestLowerBoundGallop(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 2000; trial++ {
		xs := make([]int64, rng.IntN(40))
		for i := range xs {
			xs[i] = rng.Int64N(20)
		}
		slices.Sort(xs)
		for v := int64(-1); v <= 21; v++ {
			want := sort.Search(len(xs), func(i int) bool { return xs[i] >= v })
			if got := lowerBound(xs, v); got != want {
				t.Fatalf("lowerBound(%v, %d) = %d, want %d", xs, v, got, want)
			}
			for from := 0; from <= want; from++ {
				if got := gallop(xs, from, v); got != want {
					t.Fatalf("gallop(%v, %d, %d) = %d, want %d", xs, from, v, got, want)
				}
			}
		}
	}
}

// TestObjectsOf: the objects a set of accounts acted on, from the relocator's positions, are
// those a scan of every object finds — with empty objects among them, accounts without actions
// and accounts acting several times on one object.
func TestObjectsOf(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 50; trial++ {
		nAcc, nObj := 2+rng.IntN(30), 1+rng.IntN(40)
		in := Input{TimeUnit: time.Second}
		for i := 0; i < nAcc; i++ {
			in.Accounts.ID = append(in.Accounts.ID, "a"+strconv.Itoa(i))
			in.Accounts.CreatedAt = append(in.Accounts.CreatedAt, 0)
			in.Accounts.Followers = append(in.Accounts.Followers, -1)
			in.Accounts.Status = append(in.Accounts.Status, StatusUnknown)
			in.Accounts.Watch = append(in.Accounts.Watch, false)
		}
		for o := 0; o < nObj; o++ {
			in.Objects.ID = append(in.Objects.ID, "o"+strconv.Itoa(o))
			in.Objects.Author = append(in.Objects.Author, -1)
			in.Objects.Created = append(in.Objects.Created, int64(rng.IntN(2))) // anchored or not
		}
		a := Actions{Signal: CoRepost}
		for i := rng.IntN(200); i > 0; i-- {
			a.Account = append(a.Account, rng.Int32N(int32(nAcc)))
			a.Object = append(a.Object, rng.Int32N(int32(nObj)))
			a.Time = append(a.Time, 10+rng.Int64N(1000))
		}
		g := groupActions(&a, nObj, nil, 1)
		rl := newRelocator(g, &in, nAcc, 1)
		side := map[int32]int8{}
		for i := 0; i < nAcc; i++ {
			if rng.IntN(3) == 0 {
				side[int32(i)] = int8(1 + rng.IntN(2))
			}
		}
		var want []int
		for o := 0; o < nObj; o++ {
			for _, x := range g.acts[g.start[o]:g.start[o+1]] {
				if side[x.a] > 0 {
					want = append(want, o)
					break
				}
			}
		}
		if got := rl.objectsOf(g, side); !slices.Equal(got, want) {
			t.Fatalf("trial %d: objectsOf %v, scan %v", trial, got, want)
		}
	}
}

// TestGallopEnd: the interval search agrees with sort.Search on disjoint ascending intervals,
// from every start at or before the answer.
func TestGallopEnd(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := 0; trial < 500; trial++ {
		var ivs [][2]int64
		x := int64(0)
		for i := rng.IntN(30); i > 0; i-- {
			lo := x + 1 + rng.Int64N(5)
			hi := lo + rng.Int64N(5)
			ivs = append(ivs, [2]int64{lo, hi})
			x = hi
		}
		for v := int64(-1); v <= x+2; v++ {
			want := sort.Search(len(ivs), func(k int) bool { return ivs[k][1] >= v })
			for from := 0; from <= want; from++ {
				if got := gallopEnd(ivs, from, v); got != want {
					t.Fatalf("gallopEnd(%v, %d, %d) = %d, want %d", ivs, from, v, got, want)
				}
			}
		}
	}
}

// TestAnchorAtFirstAction: a reposted post the study does not hold is anchored at its first
// repost; a repost identified only by its text (irart:) and a text object are not.
func TestAnchorAtFirstAction(t *testing.T) {
	t.Parallel()
	b := NewBuilder()
	a, c := b.Account("a"), b.Account("c")
	post := b.Object("x\x00123", -1)
	txt := b.Object("x\x00irart:abc", -1)
	b.Add(CoRepost, a, post, -1, 500)
	b.Add(CoRepost, c, post, -1, 400)
	b.Add(CoRepost, a, txt, -1, 450)
	n := b.NumObjects()
	text := b.Object("some text", -1)
	b.Add(CoText, c, text, -1, 300)
	b.anchorAtFirstAction(n, func(o int32) bool { return !strings.Contains(b.in.Objects.ID[o], "irart:") })
	in := b.Input(time.Second)
	if got := in.Objects.Created; got == nil || got[post] != 400 || got[txt] != 0 || got[text] != 0 {
		t.Errorf("created %v, want post at 400, the irart repost and the text without", got)
	}
}

// TestCrossTestLeavesOutKeptEdges: two accounts of two communities that co-repost 5 posts
// seconds apart (their one kept edge) are strong cross evidence when counted, and none when
// the kept edge is left out — so one chance edge cannot glue two networks.
func TestCrossTestLeavesOutKeptEdges(t *testing.T) {
	t.Parallel()
	b := NewBuilder()
	a, c := b.Account("a"), b.Account("c")
	for q := 0; q < 40; q++ {
		o := b.Object("p"+strconv.Itoa(q), -1)
		b.SetCreated(o, int64(q+1)*10000) // (0 would mean unknown)
		if q < 5 {
			b.Add(CoRepost, a, o, -1, int64(q+1)*10000+100)
			b.Add(CoRepost, c, o, -1, int64(q+1)*10000+105)
			continue
		}
		// their other reposts, never within a minute of each other
		b.Add(CoRepost, a, o, -1, int64(q+1)*10000+100+int64(q)*97)
		b.Add(CoRepost, c, o, -1, int64(q+1)*10000+5000+int64(q)*13)
	}
	in := b.Input(time.Second)
	r, err := prepareSignal(&in, &in.Actions[0], Params{}.Defaults(), 60)
	if err != nil {
		t.Fatal(err)
	}
	runs := []*signalRun{r}
	rls := []*relocator{newRelocator(r.g, &in, in.Accounts.Len(), 1)}
	open := crossTest(&in, runs, rls, []int32{a}, []int32{c}, 60, nil)
	if open.obs != 10 || open.score < 1.3 {
		t.Errorf("counting the edge: %+v, want 10 co-acting members and a strong score", open)
	}
	closed := crossTest(&in, runs, rls, []int32{a}, []int32{c}, 60, map[uint64]bool{pairKey(a, c): true})
	if closed.obs != 0 || closed.score != 0 {
		t.Errorf("kept edge left out: %+v, want nothing", closed)
	}
}
