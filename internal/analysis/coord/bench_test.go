package coord

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
	"time"
)

// repostWorld generates n reposts with a realistic skew, deterministic for the seed:
//   - posts: reposts per post follow a discrete Pareto law (α = 1.5, minimum 2, capped at
//     50,000), so most posts get a handful of reposts and a few get tens of thousands;
//   - times: each post appears uniformly over 30 days; its reposts follow a log-normal delay
//     (median 20 min, σ = 1.5), so popular posts are reposted in dense bursts;
//   - accounts: n/10 accounts, chosen with a skew (index = N·U³) so that a few accounts are
//     very active.
func repostWorld(n int, seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 2021))
	nAcc := max(n/10, 10)
	in := Input{TimeUnit: time.Second}
	in.Accounts = Accounts{ID: make([]string, nAcc), CreatedAt: make([]int64, nAcc), Followers: make([]int64, nAcc), Status: make([]Status, nAcc), Watch: make([]bool, nAcc)}
	for i := range in.Accounts.ID {
		in.Accounts.ID[i] = "a" + strconv.Itoa(i)
		in.Accounts.Followers[i] = -1
	}
	a := Actions{Signal: CoRepost, Account: make([]int32, 0, n), Object: make([]int32, 0, n), Time: make([]int64, 0, n)}
	const t0 = 1_600_000_000
	for obj := int32(0); len(a.Account) < n; obj++ {
		k := int(2 / math.Pow(1-rng.Float64(), 1/1.5))
		k = min(k, 50000, n-len(a.Account))
		posted := t0 + rng.Int64N(30*86400)
		for j := 0; j < k; j++ {
			u := rng.Float64()
			a.Account = append(a.Account, int32(float64(nAcc)*u*u*u))
			a.Object = append(a.Object, obj)
			a.Time = append(a.Time, posted+int64(1200*math.Exp(1.5*rng.NormFloat64())))
		}
		in.Objects.ID = append(in.Objects.ID, "p"+strconv.Itoa(int(obj)))
		in.Objects.Author = append(in.Objects.Author, -1)
		in.Objects.Created = append(in.Objects.Created, posted)
	}
	in.Actions = []Actions{a}
	return in
}

// BenchmarkCoRepost10M is the DESIGN §6 budget: co-repost at 60 s on 10 M reposts (override the
// size with COORD_BENCH_N) through Detect with the default parameters (min weight 2, null model,
// Leiden), with the coord command's GC target (50 %). Peak RSS: run the test binary under
// /usr/bin/time -v (see docs/coordination.md).
func BenchmarkCoRepost10M(b *testing.B) {
	n := 10_000_000
	if s := os.Getenv("COORD_BENCH_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("COORD_BENCH_N=%q: %v", s, err)
		}
		n = v
	}
	in := repostWorld(n, 1)
	// The coord command runs with the same GC target (--gc-percent 50).
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	runtime.GC()
	b.ResetTimer()
	var res Result
	for i := 0; i < b.N; i++ {
		var err error
		res, err = Detect(b.Context(), in, Params{Window: 60 * time.Second}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	st := res.Stats[0]
	b.ReportMetric(float64(n), "reposts")
	b.ReportMetric(float64(st.WindowPairs), "window_pairs")
	b.ReportMetric(float64(st.Candidates), "candidate_pairs")
	b.ReportMetric(float64(res.Null.AboveMinWeight), "pairs≥2")
	b.ReportMetric(float64(len(res.Edges)), "edges")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys_MiB")
}

// BenchmarkKernel measures the pair-counting kernel alone on 1 M reposts.
func BenchmarkKernel(b *testing.B) {
	in := repostWorld(1_000_000, 2)
	a := &in.Actions[0]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := groupActions(a, len(in.Objects.ID), nil, 0)
		if _, _, err := countPairs(b.Context(), g, kernelOpts{window: 60, minCount: 2}); err != nil {
			b.Fatal(err)
		}
	}
}
