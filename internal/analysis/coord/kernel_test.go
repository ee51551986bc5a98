package coord

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// bruteForce counts, per account pair, the distinct objects (or pair rows) co-acted on within
// the window by checking every pair of actions: the definition, O(n²).
func bruteForce(a *Actions, window int64, rows bool) map[uint64]uint32 {
	type po struct {
		k uint64
		o int32
	}
	seen := map[po]bool{}
	out := map[uint64]uint32{}
	for i := 0; i < a.Len(); i++ {
		for j := i + 1; j < a.Len(); j++ {
			if a.Object[i] != a.Object[j] || a.Account[i] == a.Account[j] {
				continue
			}
			if d := a.Time[i] - a.Time[j]; d > window || -d > window {
				continue
			}
			k := pairKey(a.Account[i], a.Account[j])
			if rows {
				out[k]++
				continue
			}
			if !seen[po{k, a.Object[i]}] {
				seen[po{k, a.Object[i]}] = true
				out[k]++
			}
		}
	}
	return out
}

func randomActions(rng *rand.Rand, n, accounts, objects int, span int64) *Actions {
	a := &Actions{Signal: CoRepost}
	for i := 0; i < n; i++ {
		a.Account = append(a.Account, int32(rng.IntN(accounts)))
		a.Object = append(a.Object, int32(rng.IntN(objects)))
		a.Time = append(a.Time, rng.Int64N(span))
	}
	return a
}

// TestKernelMatchesBruteForce compares the sweep kernel with the O(n²) definition on random
// inputs, for both weights, several windows (0 s included: same-second only), worker counts and
// memory budgets (a budget of 1 KiB forces many spilled runs and a k-way merge from disk).
func TestKernelMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 12; trial++ {
		a := randomActions(rng, 50+rng.IntN(600), 2+rng.IntN(40), 1+rng.IntN(30), 1+rng.Int64N(600))
		nObj := 0
		for _, o := range a.Object {
			nObj = max(nObj, int(o)+1)
		}
		for _, window := range []int64{0, 5, 60} {
			for _, rows := range []bool{false, true} {
				want := bruteForce(a, window, rows)
				for _, cfg := range []struct {
					workers int
					budget  int64
				}{{1, 1 << 20}, {2, 1 << 20}, {2, 1024}} {
					g := groupActions(a, nObj, nil, cfg.workers)
					tab, st, err := countPairs(t.Context(), g, kernelOpts{window: window, rows: rows, workers: cfg.workers, budget: cfg.budget, tempDir: t.TempDir(), minCount: 1})
					if err != nil {
						t.Fatal(err)
					}
					if cfg.budget == 1024 && st.Emitted > 128 && st.SpilledBytes == 0 {
						t.Errorf("trial %d: tiny budget did not spill", trial)
					}
					if int64(len(want)) != st.Candidates || tab.len() != len(want) {
						t.Fatalf("trial %d window %d rows %v %+v: %d pairs, want %d", trial, window, rows, cfg, tab.len(), len(want))
					}
					for i, k := range tab.keys {
						if want[k] != tab.counts[i] {
							a, b := splitKey(k)
							t.Fatalf("trial %d window %d rows %v %+v: pair %d–%d = %d, want %d", trial, window, rows, cfg, a, b, tab.counts[i], want[k])
						}
					}
				}
			}
		}
	}
}

// TestSweepPairs checks the two-pointer sweep on a hand-made group. Times 0, 10, 60, 61, 130
// with window 60: pairs (0,10) (0,60) (10,60) (10,61) (60,61) (61,130)? 130−61 = 69 > 60, no;
// (60,130) 70 no. So 5 pairs; window 59 drops (0,60): 4 pairs.
func TestSweepPairs(t *testing.T) {
	t.Parallel()
	grp := []act{{t: 0}, {t: 10}, {t: 60}, {t: 61}, {t: 130}}
	for _, tc := range []struct {
		window int64
		want   [][2]int64
	}{
		{60, [][2]int64{{0, 10}, {0, 60}, {10, 60}, {10, 61}, {60, 61}}},
		{59, [][2]int64{{0, 10}, {10, 60}, {10, 61}, {60, 61}}},
		{0, nil},
		{1000, [][2]int64{{0, 10}, {0, 60}, {10, 60}, {0, 61}, {10, 61}, {60, 61}, {0, 130}, {10, 130}, {60, 130}, {61, 130}}},
	} {
		var got [][2]int64
		n := sweep(grp, tc.window, func(i, j int) { got = append(got, [2]int64{grp[i].t, grp[j].t}) })
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || n != int64(len(tc.want)) {
			t.Errorf("window %d: pairs %v (n=%d), want %v", tc.window, got, n, tc.want)
		}
	}
}

// handInput: accounts a, b, c, d; objects p1..p3 (posts by watch account w).
//
//	p1: a@0 b@30 c@100           → a–b (30 s)
//	p2: a@1000 b@1059 c@1060     → a–b (59 s), b–c (1 s); a–c is 60 s: a co-action at 60 s
//	p3: a@2000 a@2010 b@2070     → a–b (60 s via a@2010); a–a never pairs
//	p1 again: d@5000             → alone
//
// Window 60: a–b co-acted on p1, p2, p3 = 3 distinct objects (4 pair rows: p1, p2, p3 via
// a@2010 only, since a@2000–b@2070 is 70 s… so 3 rows); a–c on p2 (60 s, inclusive) = 1;
// b–c on p2 = 1. Window 59: a–b = p1, p2 = 2; b–c = 1; a–c = 0.
func handInput() Input {
	b := NewBuilder()
	w := b.SetAccount("w", 0, 1000, StatusActive, true)
	acc := map[string]int32{}
	for _, id := range []string{"a", "b", "c", "d"} {
		acc[id] = b.SetAccount(id, 86400*100, 10, StatusActive, false)
	}
	add := func(who, obj string, t int64) {
		b.Add(CoRepost, acc[who], b.Object(obj, w), -1, t)
	}
	add("a", "p1", 0)
	add("b", "p1", 30)
	add("c", "p1", 100)
	add("a", "p2", 1000)
	add("b", "p2", 1059)
	add("c", "p2", 1060)
	add("a", "p3", 2000)
	add("a", "p3", 2010)
	add("b", "p3", 2070)
	add("d", "p1", 5000)
	return b.Input(time.Second)
}

func edgeMap(r Result) map[string]float64 {
	m := map[string]float64{}
	for _, e := range r.Edges {
		m[e.Source+"-"+e.Target] = e.Weight
	}
	return m
}

func TestDetectHandComputed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    Params
		want map[string]float64
	}{
		{"count w60", Params{Window: 60 * time.Second, MinWeight: 1}, map[string]float64{"a-b": 3, "a-c": 1, "b-c": 1}},
		{"count w59", Params{Window: 59 * time.Second, MinWeight: 1}, map[string]float64{"a-b": 2, "b-c": 1}},
		{"min weight 2", Params{Window: 60 * time.Second, MinWeight: 2}, map[string]float64{"a-b": 3}},
		{"pairs w60", Params{Window: 60 * time.Second, MinWeight: 1, Weight: WeightPairs}, map[string]float64{"a-b": 3, "a-c": 1, "b-c": 1}},
		// Jaccard: objects(a) = {p1,p2,p3}, objects(b) = {p1,p2,p3}, objects(c) = {p1,p2}.
		// a–b: 3 ÷ (3+3−3) = 1; a–c: 1 ÷ (3+2−1) = 0.25; b–c: 0.25.
		{"jaccard", Params{Window: 60 * time.Second, MinWeight: 1, Weight: WeightJaccard}, map[string]float64{"a-b": 1, "a-c": 0.25, "b-c": 0.25}},
		// Percentile 0.5 of weights {3,1,1} is 1 (type 7): keep weight > 1.
		{"percentile", Params{Window: 60 * time.Second, MinWeight: 1, Percentile: 0.5}, map[string]float64{"a-b": 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.p
			p.Alpha = -1
			p.Algorithm = Components
			res, err := Detect(t.Context(), handInput(), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := edgeMap(res); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("edges %v, want %v", got, tc.want)
			}
		})
	}
}

// TestTFIDF: N = 4 active accounts (a, b, c, d). df(p1) = 4 → idf 0; df(p2) = 3 → ln(4/3);
// df(p3) = 2 → ln 2. tf(a,p3) = 2. Vectors over (p2, p3): a = (i2, 2·i3), b = (i2, i3),
// c = (i2, 0). cos(a,b) = (i2² + 2·i3²) ÷ (√(i2²+4·i3²)·√(i2²+i3²)); cos(a,c) = i2 ÷ √(i2²+4·i3²).
func TestTFIDF(t *testing.T) {
	t.Parallel()
	res, err := Detect(t.Context(), handInput(), Params{MinWeight: 1, Weight: WeightTFIDF, Alpha: -1, Algorithm: Components}, nil)
	if err != nil {
		t.Fatal(err)
	}
	i2, i3 := math.Log(4.0/3), math.Log(2)
	want := map[string]float64{
		"a-b": (i2*i2 + 2*i3*i3) / (math.Sqrt(i2*i2+4*i3*i3) * math.Sqrt(i2*i2+i3*i3)),
		"a-c": i2 / math.Sqrt(i2*i2+4*i3*i3),
		"b-c": i2 / math.Sqrt(i2*i2+i3*i3),
	}
	got := edgeMap(res)
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-12 {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
}

// TestEvidence: the a–b edge's evidence lists p1 (gap 30), p2 (59), p3 (60: a@2010–b@2070),
// median gap 59; cluster {a, b, c} by components, targets authored by w; organic engagement of
// the cluster is 0 (no object is authored by a member).
func TestEvidence(t *testing.T) {
	t.Parallel()
	res, err := Detect(t.Context(), handInput(), Params{MinWeight: 1, Alpha: -1, Algorithm: Components}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ab Edge
	for _, e := range res.Edges {
		if e.Source == "a" && e.Target == "b" {
			ab = e
		}
	}
	var gaps []string
	for _, ev := range ab.Evidence {
		gaps = append(gaps, fmt.Sprintf("%s:%g:%d", ev.Object, ev.GapSeconds, ev.SourceTime.Unix()))
	}
	if want := "[p1:30:0 p2:59:1000 p3:60:2010]"; fmt.Sprint(gaps) != want {
		t.Errorf("evidence %v, want %s", gaps, want)
	}
	if ab.MedianGap != 59 {
		t.Errorf("median gap %v, want 59", ab.MedianGap)
	}
	if len(res.Clusters) != 1 {
		t.Fatalf("%d clusters, want 1", len(res.Clusters))
	}
	c := res.Clusters[0]
	if fmt.Sprint(c.Members) != "[a b c]" || c.Density != 1 || c.Edges != 3 || c.Observed != 7 {
		t.Errorf("cluster %+v", c)
	}
	if len(c.Targets) == 0 || c.Targets[0].Author != "w" {
		t.Errorf("targets %+v, want authored by w", c.Targets)
	}
	// Gaps in the cluster: a–b {30, 59, 60}, a–c {60}, b–c {1} → median 59.
	if c.MedianGap != 59 {
		t.Errorf("cluster median gap %v, want 59", c.MedianGap)
	}
	if len(res.Accounts) != 3 || res.Accounts[0].ID != "a" && res.Accounts[0].ID != "b" {
		t.Errorf("accounts %+v", res.Accounts)
	}
}

// TestSpill forces the pair keys out of memory: with a 1 KiB budget (128 keys) almost every
// emitted chunk goes to its partition's file and each partition is read back from disk; the
// result must equal the in-memory result and leave no temporary file behind.
func TestSpill(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	a := randomActions(rng, 20000, 300, 200, 3600)
	g := groupActions(a, 200, nil, 2)
	mem, stMem, err := countPairs(t.Context(), g, kernelOpts{window: 60, workers: 2, budget: 1 << 30, minCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	disk, stDisk, err := countPairs(t.Context(), g, kernelOpts{window: 60, workers: 2, budget: 1024, tempDir: dir, minCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	if stMem.SpilledBytes != 0 || stDisk.SpilledBytes < (stDisk.Emitted-128)*8 {
		t.Fatalf("spilled bytes: in memory %d (want 0), tiny budget %d of %d keys (want all but 128)", stMem.SpilledBytes, stDisk.SpilledBytes, stDisk.Emitted)
	}
	if !slices.Equal(mem.keys, disk.keys) || !slices.Equal(mem.counts, disk.counts) || stMem.Candidates != stDisk.Candidates {
		t.Fatalf("spilled result differs: %d vs %d pairs", disk.len(), mem.len())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
		t.Errorf("spill files left behind: %v", left)
	}
	// minCount filters at the merge and counts every candidate.
	f, st, err := countPairs(t.Context(), g, kernelOpts{window: 60, workers: 2, budget: 1024, tempDir: dir, minCount: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, c := range mem.counts {
		if c >= 3 {
			want++
		}
	}
	if f.len() != want || st.Candidates != stMem.Candidates {
		t.Errorf("minCount 3: %d pairs (%d candidates), want %d (%d)", f.len(), st.Candidates, want, stMem.Candidates)
	}
}

// TestForEachLargestFirst: every object with lo … hi actions exactly once, largest first, ties
// in object order; none when hi < lo.
func TestForEachLargestFirst(t *testing.T) {
	sizes := []int{3, 0, 1, 5, 2, 3, 2, 7}
	g := groups{start: []int{0}}
	for _, n := range sizes {
		g.start = append(g.start, g.start[len(g.start)-1]+n)
	}
	g.acts = make([]act, g.start[len(g.start)-1])
	for _, c := range []struct {
		lo, hi int
		want   []int
	}{
		{2, 5, []int{3, 0, 5, 4, 6}},
		{2, 100, []int{7, 3, 0, 5, 4, 6}},
		{2, 1, nil},
		{8, 100, nil},
	} {
		var got []int
		g.forEachLargestFirst(1, c.lo, c.hi, func(_, o int, grp []act) {
			if len(grp) != sizes[o] {
				t.Errorf("object %d: group of %d, want %d", o, len(grp), sizes[o])
			}
			got = append(got, o)
		})
		if !slices.Equal(got, c.want) {
			t.Errorf("lo %d hi %d: visited %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}
