package coord

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestNullHandComputed checks λ on handInput (window 60 s). One stratum (author w): n = 4, 3,
// 3 actions on p1, p2, p3, so S = 10. k = a 4, b 3, c 2; N (Σ n_o over each account's actions)
// = a 4+3+3+3 = 13, b 4+3+3 = 10, c 4+3 = 7, so the choice parts are a–b (3·13 + 4·10) ÷ 20 =
// 3.95, a–c (2·13 + 4·7) ÷ 20 = 2.7, b–c (2·10 + 3·7) ÷ 20 = 2.05.
//
// No creation times: the objects are not anchored, and actions are timed absolutely: a [0 1000
// 2000 2010], b [30 1059 2070], c [100 1060]. Pairs within 60 s: a–b 3 of 12 (0–30, 1000–1059,
// 2010–2070), a–c 1 of 8 (1000–1060), b–c 1 of 6 (1059–1060). λ_ab = 3.95 · 0.25 = 0.9875,
// λ_ac = 2.7 · 0.125 = 0.3375, λ_bc = 2.05 ÷ 6.
//
// Creation times 60 s before each object's first action (−60, 940, 1940) anchor the objects:
// latencies a [60 60 60 70], b [90 119 130], c [120 160]; within 60 s: a–b 9 of 12, a–c 4 of 8,
// b–c 5 of 6: λ_ab = 2.9625, λ_ac = 1.35, λ_bc = 2.05 · 5/6.
//
// Cluster {a, b, c} (clusterTest, absolute times). p1: a and b co-act (c@100 is 70 s from
// b), Y = 2; π_a = 1/4 (a's time 0 lies within 60 s of b@30 or c@100; 1000, 2000, 2010 do
// not), π_b = 1/3 (30), π_c = 0 → E = 7/12. p2: all three co-act, Y = 3, E = ¼ + ⅓ + ½ (c's
// 1060) = 13/12. p3 (a, b): Y = 2 (a@2010–b@2070), E = ¼ + ⅓ = 7/12. Observed 7, expected
// 27/12 = 2.25, t = 4.75; Σ m·E = 74/12, max m = 3, Σ m² = 22: Bernstein's exponent
// 11.28125 ÷ (74/12 + 4.75) = 1.0334, Hoeffding's 2·4.75² ÷ 22 = 2.05114 → score
// 2.05114 ÷ ln 10 = 0.89080.
func TestNullHandComputed(t *testing.T) {
	t.Parallel()
	res, err := Detect(t.Context(), handInput(), Params{MinWeight: 1, Alpha: -1, Algorithm: Components}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"a-b": 0.9875, "a-c": 0.3375, "b-c": 2.05 / 6}
	for _, e := range res.Edges {
		if math.Abs(e.Expected-want[e.Source+"-"+e.Target]) > 1e-12 {
			t.Errorf("%s–%s λ = %v, want %v", e.Source, e.Target, e.Expected, want[e.Source+"-"+e.Target])
		}
		if e.Source == "a" && e.Target == "b" {
			l := 0.9875
			p := 1 - math.Exp(-l)*(1+l+l*l/2)
			if math.Abs(e.PValue-p) > 1e-12 || math.Abs(e.Score+math.Log10(p)) > 1e-9 {
				t.Errorf("a–b p = %v score %v, want %v", e.PValue, e.Score, p)
			}
		}
	}
	if c := res.Clusters[0]; math.Abs(c.Expected-2.25) > 1e-12 || c.Observed != 7 || math.Abs(c.Score-2*4.75*4.75/22/math.Ln10) > 1e-12 {
		t.Errorf("cluster expected %v observed %v score %v, want 2.25, 7 and 0.8908", c.Expected, c.Observed, c.Score)
	}
	in := handInput()
	in.Objects.Created = []int64{-60, 940, 1940}
	res2, err := Detect(t.Context(), in, Params{MinWeight: 1, Alpha: -1, Algorithm: Components}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want2 := map[string]float64{"a-b": 2.9625, "a-c": 1.35, "b-c": 2.05 * 5 / 6}
	for _, e := range res2.Edges {
		if math.Abs(e.Expected-want2[e.Source+"-"+e.Target]) > 1e-12 {
			t.Errorf("with creation times: %s–%s λ = %v, want %v", e.Source, e.Target, e.Expected, want2[e.Source+"-"+e.Target])
		}
	}
	// Alpha 0.01 over 3 candidate pairs: threshold 0.00333…; no edge reaches it.
	res, err = Detect(t.Context(), handInput(), Params{MinWeight: 1, Alpha: 0.01, Algorithm: Components}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Edges) != 0 || res.Null.Candidates != 3 || math.Abs(res.Null.Threshold-0.01/3) > 1e-15 || res.Null.Rejected != 3 {
		t.Errorf("null summary %+v, %d edges; want 3 candidates, threshold 0.01/3, all rejected", res.Null, len(res.Edges))
	}
}

func TestPoissonTail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		x    int
		l    float64
		want float64
	}{
		{0, 3, 1},
		{1, 0.5, 1 - math.Exp(-0.5)},
		{3, 1.7, 1 - math.Exp(-1.7)*(1+1.7+1.445)},
		{2, 5, 1 - math.Exp(-5)*6},
		// P(X ≥ 20 | 1) = Σ_{k≥20} e^−1/k! ≈ e^−1/20!·(1 + 1/21 + 1/462 …) = 1.5967e-19.
		{20, 1, math.Exp(-1) / 2432902008176640000 * (1 + 1.0/21 + 1.0/(21*22) + 1.0/(21*22*23))},
	} {
		if got := poissonTail(tc.x, tc.l); math.Abs(got-tc.want) > 1e-12*math.Max(tc.want, 1e-300) && math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("P(X ≥ %d | %v) = %v, want %v", tc.x, tc.l, got, tc.want)
		}
	}
}

// viralWorld: organic accounts repost viral posts in 10-minute bursts (each viral post by
// `viralReach` random organic accounts) and long-tail posts slowly; a planted network of
// `planted` accounts reposts `plantedPosts` niche target posts, each by ~80 % of its members
// within 20 s, and also behaves like organic accounts on viral posts.
func viralWorld(seed uint64, organicN, viral, viralReach, planted, plantedPosts int) (Input, map[string]bool) {
	rng := rand.New(rand.NewPCG(seed, 99))
	b := NewBuilder()
	w := b.SetAccount("watch", 0, 100000, StatusActive, true)
	org := make([]int32, organicN)
	for i := range org {
		org[i] = b.SetAccount(fmt.Sprintf("org%05d", i), 1e9, 100, StatusActive, false)
	}
	net := make([]int32, planted)
	truth := map[string]bool{}
	for i := range net {
		id := fmt.Sprintf("net%03d", i)
		net[i] = b.SetAccount(id, 1.6e9, 5, StatusSuspended, false)
		truth[id] = true
	}
	everyone := append(append([]int32{}, org...), net...)
	t0 := int64(1.6e9)
	for v := 0; v < viral; v++ {
		obj := b.Object(fmt.Sprintf("viral%d", v), w)
		start := t0 + int64(v)*7200
		b.SetCreated(obj, start)
		for _, x := range rng.Perm(len(everyone))[:viralReach] {
			b.Add(CoRepost, everyone[x], obj, -1, start+int64(rng.ExpFloat64()*200))
		}
	}
	for l := 0; l < organicN/2; l++ {
		obj := b.Object(fmt.Sprintf("tail%d", l), w)
		for k := 0; k < 3; k++ {
			b.Add(CoRepost, org[rng.IntN(organicN)], obj, -1, t0+rng.Int64N(30*86400))
		}
	}
	for q := 0; q < plantedPosts; q++ {
		obj := b.Object(fmt.Sprintf("niche%d", q), w)
		created := t0 + rng.Int64N(30*86400)
		b.SetCreated(obj, created)
		// the network fires some minutes after the post, its members within 20 s of each other
		start := created + 30 + int64(rng.ExpFloat64()*300)
		for _, a := range net {
			if rng.Float64() < 0.8 {
				b.Add(CoRepost, a, obj, -1, start+rng.Int64N(20))
			}
		}
		// a few organic accounts find the niche post later
		for k := 0; k < 2; k++ {
			b.Add(CoRepost, org[rng.IntN(organicN)], obj, -1, start+3600+rng.Int64N(86400))
		}
	}
	// Hard negatives: 4 fans of a second watch account, each reposting half of its 100 posts
	// on their own, 35 s after posting (log-normal, σ 0.6): they co-repost often, and as often
	// as their own habits predict.
	star := b.SetAccount("star", 0, 5000, StatusActive, true)
	fans := make([]int32, 4)
	for i := range fans {
		fans[i] = b.SetAccount(fmt.Sprintf("fan%d", i), 1e9, 50, StatusActive, false)
	}
	for q := 0; q < 100; q++ {
		obj := b.Object(fmt.Sprintf("star%d", q), star)
		created := t0 + rng.Int64N(30*86400)
		b.SetCreated(obj, created)
		for _, f := range fans {
			if rng.Float64() < 0.5 {
				b.Add(CoRepost, f, obj, -1, created+2+int64(35*math.Exp(0.6*rng.NormFloat64())))
			}
		}
		for k := 0; k < 5; k++ {
			b.Add(CoRepost, org[rng.IntN(organicN)], obj, -1, created+int64(rng.ExpFloat64()*7200))
		}
	}
	return b.Input(time.Second), truth
}

// TestViralDoesNotGlue: with 60 viral posts reposted by 700 of 3,000 accounts within minutes,
// ~900,000 organic pairs co-repost twice or more (they pass MinWeight; without the null they
// would all be edges), but the null model rejects them, and so it does the 4 fast fans (pairs
// co-reposting ~20 posts within a minute, independently); the planted 25-account network is
// recovered as one cluster and no other account is flagged.
func TestViralDoesNotGlue(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		in, truth := viralWorld(seed, 3000, 60, 700, 25, 60)
		res, err := Detect(t.Context(), in, Params{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		flagged := map[string]bool{}
		for _, a := range res.Accounts {
			flagged[a.ID] = true
		}
		tp := 0
		for id := range flagged {
			if truth[id] {
				tp++
			}
		}
		fp := len(flagged) - tp
		if res.Null.AboveMinWeight < 1000*len(res.Edges) {
			t.Errorf("seed %d: only %d pairs above min weight for %d edges: the world is not viral enough to test the null", seed, res.Null.AboveMinWeight, len(res.Edges))
		}
		if tp < len(truth)*9/10 || fp > 0 {
			t.Errorf("seed %d: flagged %d planted of %d, %d organic (null %+v)", seed, tp, len(truth), fp, res.Null)
		}
		if len(res.Clusters) != 1 || res.Clusters[0].Size != tp || res.Clusters[0].SuspendedShare != 1 {
			t.Errorf("seed %d: %d clusters (%+v), want one cluster of %d", seed, len(res.Clusters), res.Null, tp)
		}
	}
}

// TestExpectedBelow: without a limit expectedBelow is expected; below the limit it is exact;
// when it stops (over) its value is a lower bound of λ that reached the limit.
func TestExpectedBelow(t *testing.T) {
	t.Parallel()
	in, _ := plantedWorld(60_000, 3)
	r, err := runSignal(t.Context(), &in, &in.Actions[0], Params{}.Defaults(), 60, true)
	if err != nil {
		t.Fatal(err)
	}
	needed := make([]bool, in.Accounts.Len())
	for i := range needed {
		needed[i] = true
	}
	m := newNullModel(r.g, &in, 60, needed, newRelocator(r.g, &in, in.Accounts.Len(), 2), 2)
	rng := rand.New(rand.NewPCG(5, 6))
	checked, stopped := 0, 0
	for range 20000 {
		a, b := int32(rng.IntN(in.Accounts.Len())), int32(rng.IntN(in.Accounts.Len()))
		exact := m.expected(a, b)
		if got, over := m.expectedBelow(a, b, math.Inf(1)); got != exact || over {
			t.Fatalf("pair %d,%d: no limit gives %v (over %v), expected %v", a, b, got, over, exact)
		}
		if exact == 0 {
			continue
		}
		checked++
		for _, f := range []float64{0.01, 0.3, 0.999, 1.001, 3} {
			limit := exact * f
			got, over := m.expectedBelow(a, b, limit)
			switch {
			case !over && got != exact:
				t.Fatalf("pair %d,%d limit %v: %v without stopping, expected %v", a, b, limit, got, exact)
			case !over && exact >= limit*(1+1e-9):
				t.Fatalf("pair %d,%d limit %v: λ %v is past the limit, not reported over", a, b, limit, exact)
			case over && (got > exact*(1+1e-12) || exact < limit*(1-1e-9) || got < limit*(1-1e-9)):
				t.Fatalf("pair %d,%d limit %v: stopped at %v, λ %v", a, b, limit, got, exact)
			case over && got < exact:
				stopped++
			}
		}
	}
	if checked < 1000 || stopped == 0 {
		t.Fatalf("checked %d pairs with λ > 0, %d stopped early: the test does not exercise the limit", checked, stopped)
	}
}

// TestPruneLimit: the limit is where the tail crosses the level, from above.
func TestPruneLimit(t *testing.T) {
	t.Parallel()
	for _, level := range []float64{0.1, 0.05, 1e-6, 1e-12, 1e-30} {
		for _, c := range []int{1, 2, 3, 7, 40, 1000} {
			l := pruneLimit(c, level)
			if !(poissonTail(c, l) > level) || poissonTail(c, l*(1-1e-6)) > level {
				t.Errorf("c %d level %g: limit %g, tail there %g, just below %g", c, level, l, poissonTail(c, l), poissonTail(c, l*(1-1e-6)))
			}
		}
	}
	if l := pruneLimits([]uint64{2}, 1)[2]; !math.IsInf(l, 1) {
		t.Errorf("level 1 prunes at %v", l)
	}
}
