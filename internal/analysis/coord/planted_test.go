package coord

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"testing"
	"time"
)

// plantedWorld is the issue-11 generator, written for the test (not the simulator), with n
// organic reposts:
//   - 200 "state" accounts post; reposts per post follow a discrete Pareto law (α 1.3, minimum
//     1, capped at 5,000); each post appears uniformly over 30 days (its creation time is known);
//   - users = n/8 (1.25 M at 10 M) with Pareto(1.2) activity: a repost's account is drawn in
//     proportion to the users' activity weights;
//   - a repost follows its post after a log-normal delay (median 30 min, σ 1.5);
//   - 50 planted groups of 5–40 accounts (accounts of their own), each reposting 10 posts of
//     the state accounts together: the group fires after a log-normal delay, each member
//     (probability 0.9) within 30 s of the firing.
//
// It returns the input and the planted accounts.
func plantedWorld(n int, seed uint64) (Input, map[string]bool) {
	rng := rand.New(rand.NewPCG(seed, 1311))
	const (
		t0     = 1_600_000_000
		states = 200
		groups = 50
	)
	users := max(n/8, 100)
	in := Input{TimeUnit: time.Second}
	addAcc := func(id string, watch bool) int32 {
		in.Accounts.ID = append(in.Accounts.ID, id)
		in.Accounts.CreatedAt = append(in.Accounts.CreatedAt, 0)
		in.Accounts.Followers = append(in.Accounts.Followers, -1)
		in.Accounts.Status = append(in.Accounts.Status, StatusUnknown)
		in.Accounts.Watch = append(in.Accounts.Watch, watch)
		return int32(len(in.Accounts.ID) - 1)
	}
	for s := 0; s < states; s++ {
		addAcc("state"+strconv.Itoa(s), true)
	}
	// Activity weights: Pareto(1.2), sampled by a binary search in the cumulative weights.
	base := int32(len(in.Accounts.ID))
	cum := make([]float64, users)
	var total float64
	for u := 0; u < users; u++ {
		addAcc("u"+strconv.Itoa(u), false)
		total += 1 / math.Pow(1-rng.Float64(), 1/1.2)
		cum[u] = total
	}
	pick := func() int32 {
		x := rng.Float64() * total
		return base + int32(sort.SearchFloat64s(cum, x))
	}
	a := Actions{Signal: CoRepost, Account: make([]int32, 0, n+20000), Object: make([]int32, 0, n+20000), Time: make([]int64, 0, n+20000)}
	delay := func() int64 { return int64(1800 * math.Exp(1.5*rng.NormFloat64())) }
	for o := int32(0); len(a.Account) < n; o++ {
		created := t0 + rng.Int64N(30*86400)
		in.Objects.ID = append(in.Objects.ID, "p"+strconv.Itoa(int(o)))
		in.Objects.Author = append(in.Objects.Author, rng.Int32N(states))
		in.Objects.Created = append(in.Objects.Created, created)
		k := int(1 / math.Pow(1-rng.Float64(), 1/1.3))
		k = min(k, 5000, n-len(a.Account))
		for j := 0; j < k; j++ {
			a.Account = append(a.Account, pick())
			a.Object = append(a.Object, o)
			a.Time = append(a.Time, created+delay())
		}
	}
	truth := map[string]bool{}
	nObj := int32(len(in.Objects.ID))
	for g := 0; g < groups; g++ {
		size := 5 + rng.IntN(36)
		members := make([]int32, size)
		for i := range members {
			id := "g" + strconv.Itoa(g) + "m" + strconv.Itoa(i)
			members[i] = addAcc(id, false)
			truth[id] = true
		}
		for q := 0; q < 10; q++ {
			o := rng.Int32N(nObj)
			fire := in.Objects.Created[o] + delay()
			for _, m := range members {
				if rng.Float64() < 0.9 {
					a.Account = append(a.Account, m)
					a.Object = append(a.Object, o)
					a.Time = append(a.Time, fire+rng.Int64N(31))
				}
			}
		}
	}
	in.Actions = []Actions{a}
	return in, truth
}

// scoreFlags returns account precision and recall of the flagged accounts.
func scoreFlags(res Result, truth map[string]bool) (precision, recall float64, tp, fp int) {
	for _, acc := range res.Accounts {
		if truth[acc.ID] {
			tp++
		} else {
			fp++
		}
	}
	return float64(tp) / float64(max(1, tp+fp)), float64(tp) / float64(max(1, len(truth))), tp, fp
}

// TestPlantedWorld: the issue-11 generator at 1 M organic reposts (125 k users); default
// parameters must give account precision ≥ 0.95 and recall ≥ 0.90. (Fixed raw thresholds —
// min weight 2, no significance filter — flag tens of thousands of organic accounts here.)
func TestPlantedWorld(t *testing.T) {
	if testing.Short() {
		t.Skip("1 M reposts")
	}
	in, truth := plantedWorld(1_000_000, 1)
	res, err := Detect(t.Context(), in, Params{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	prec, rec, tp, fp := scoreFlags(res, truth)
	c := res.Null.Calibration
	t.Logf("precision %.3f recall %.3f (%d planted of %d, %d organic); %d clusters; null runs %d, edge score ≥ %.1f, chance edges %.1f of %d, chance accounts %.1f of %d",
		prec, rec, tp, len(truth), fp, len(res.Clusters), c.Runs, c.EdgeScore, c.ExpectedEdges, c.Edges, c.ExpectedFlagged, c.Flagged)
	if prec < 0.95 || rec < 0.90 {
		t.Errorf("precision %.3f (want ≥ 0.95), recall %.3f (want ≥ 0.90)", prec, rec)
	}
}

// BenchmarkPlanted10M is issue 11's speed and accuracy check at 10 M organic reposts:
// co-repost with the default calibrated layer (b.ReportMetric: precision, recall), and with
// the analytic layer only (-alpha: PLANTED_ALPHA=0.001) for the cost of the empirical null.
// Size override: PLANTED_N. Peak RSS: run the test binary under /usr/bin/time -v.
func BenchmarkPlanted10M(b *testing.B) {
	n := 10_000_000
	if s := os.Getenv("PLANTED_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("PLANTED_N=%q: %v", s, err)
		}
		n = v
	}
	p := Params{}
	if s := os.Getenv("PLANTED_ALPHA"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			b.Fatalf("PLANTED_ALPHA=%q: %v", s, err)
		}
		p.Alpha = v
	}
	in, truth := plantedWorld(n, 1)
	if os.Getenv("PLANTED_STEPS") != "" {
		start, last := time.Now(), ""
		p.Progress = func(step string, done, total int64) {
			if step != last {
				fmt.Fprintf(os.Stderr, "%7.2fs %s\n", time.Since(start).Seconds(), step) // b.Logf truncates
				last = step
			}
		}
	}
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	b.ResetTimer()
	var res Result
	for i := 0; i < b.N; i++ {
		var err error
		if res, err = Detect(b.Context(), in, p, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	prec, rec, _, _ := scoreFlags(res, truth)
	b.ReportMetric(prec, "precision")
	b.ReportMetric(rec, "recall")
	b.ReportMetric(float64(res.Null.AboveMinWeight), "pairs")
	if c := res.Null.Calibration; c != nil {
		b.ReportMetric(float64(c.Runs), "null-runs")
		b.ReportMetric(c.ExpectedFlagged, "chance-accounts")
	}
}

// TestPruningKeepsResults: scoring pairs only as far as their limit (pruneLimits) gives the
// same result as scoring every pair exactly, in the calibrated and in the analytic mode.
func TestPruningKeepsResults(t *testing.T) {
	if testing.Short() {
		t.Skip("300 k reposts, four detections")
	}
	in, _ := plantedWorld(300_000, 2)
	for _, c := range []struct{ alpha, edgeAlpha float64 }{{0, 0}, {0.001, 0}, {0.001, 1e-4}} {
		alpha := c.alpha
		pruned, err := Detect(t.Context(), in, Params{Alpha: alpha, EdgeAlpha: c.edgeAlpha}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if pruned.pruned.pairs == 0 || (alpha == 0 && pruned.pruned.accounts == 0) {
			t.Fatalf("alpha %v edge alpha %v: %+v scored up to their limit: nothing was pruned", alpha, c.edgeAlpha, pruned.pruned)
		}
		exact, err := Detect(t.Context(), in, Params{Alpha: alpha, EdgeAlpha: c.edgeAlpha, exactScores: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(exact.Edges) == 0 || len(exact.Clusters) == 0 {
			t.Fatalf("alpha %v: %d edges, %d clusters: nothing to compare", alpha, len(exact.Edges), len(exact.Clusters))
		}
		if !reflect.DeepEqual(pruned.Edges, exact.Edges) {
			t.Errorf("alpha %v: edges differ (%d pruned, %d exact)", alpha, len(pruned.Edges), len(exact.Edges))
		}
		if !reflect.DeepEqual(pruned.Clusters, exact.Clusters) {
			t.Errorf("alpha %v: clusters differ", alpha)
		}
		if !reflect.DeepEqual(pruned.Accounts, exact.Accounts) {
			t.Errorf("alpha %v: accounts differ", alpha)
		}
		if exact.pruned != (pruneCounts{}) {
			t.Errorf("exact scores pruned %+v", exact.pruned)
		}
		if !reflect.DeepEqual(pruned.Null, exact.Null) {
			t.Errorf("alpha %v: null summary differs:\n%+v\n%+v", alpha, pruned.Null, exact.Null)
		}
	}
}
