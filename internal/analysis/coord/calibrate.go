package coord

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync/atomic"
)

// This file is the calibrated significance layer (docs/coordination.md §2): an empirical null
// made by relocating every action in time, the account-level test, and the empirical false
// discovery rate that sets the thresholds.
//
// The empirical null. Each replicate moves every action to a new time and leaves everything
// else as observed: which account acted on which object, how often, with which post. An
// action on an anchored object (one with a creation time) keeps its object and takes a latency
// drawn without replacement from its account's latencies on the signal's anchored objects; an
// action on an object without a creation time takes an absolute time drawn without replacement
// from its account's times on the signal's other objects. Each account keeps its activity, its
// speed and its own timeline (its daily rhythm and its bursts); each object keeps its
// popularity and its creation time; the alignment of one account's actions with another's is
// broken. The kernel and the same statistics then run on every replicate, and the number of
// pairs (accounts) reaching a threshold in the replicates estimates how many of the observed
// ones chance alone would give.

// relocator holds what the empirical null permutes for one signal's grouped actions.
type relocator struct {
	ref []int64 // per object: the time its actions are measured from (0: not anchored)
	// seg[k]:seg[k+1] are the positions in pos (and values in sorted) of segment k = 2·account
	// + class, class 0 anchored, 1 not.
	seg    []int
	pos    []int32 // action positions in g.acts, grouped by segment
	obj    []int32 // the object of each action of pos
	sorted []int64 // each segment's values (t − ref), ascending
	// qseg[k]:qseg[k+1] are segment k's nearSample evenly spaced order statistics in quant
	// when it has more values than that (empty otherwise): what the account test reads of a
	// very active account, contiguous (the test reads it once per object the account acted
	// on; striding over all its values each time cost a third of the calibrated run).
	qseg  []int32
	quant []int64
}

func newRelocator(g groups, in *Input, nAcc, workers int) *relocator {
	nObj := len(g.start) - 1
	r := &relocator{ref: make([]int64, nObj), seg: make([]int, 2*nAcc+1)}
	cls := func(o int) int {
		if anchored(in, o) {
			return 0
		}
		return 1
	}
	for o := 0; o < nObj; o++ {
		lo, hi := g.start[o], g.start[o+1]
		if lo == hi {
			continue
		}
		r.ref[o] = refTime(in, o, g.acts[lo].t)
		c := cls(o)
		for i := lo; i < hi; i++ {
			r.seg[2*int(g.acts[i].a)+c+1]++
		}
	}
	for k := 0; k < 2*nAcc; k++ {
		r.seg[k+1] += r.seg[k]
	}
	r.pos = make([]int32, len(g.acts))
	r.obj = make([]int32, len(g.acts))
	r.sorted = make([]int64, len(g.acts))
	fill := slices.Clone(r.seg[:2*nAcc])
	for o := 0; o < nObj; o++ {
		c := cls(o)
		for i := g.start[o]; i < g.start[o+1]; i++ {
			k := 2*int(g.acts[i].a) + c
			r.pos[fill[k]] = int32(i)
			r.obj[fill[k]] = int32(o)
			r.sorted[fill[k]] = g.acts[i].t - r.ref[o]
			fill[k]++
		}
	}
	parallel(workers, 2*nAcc, func(k int) {
		if s := r.sorted[r.seg[k]:r.seg[k+1]]; len(s) > 1 {
			slices.Sort(s)
		}
	})
	r.qseg = make([]int32, 2*nAcc+1)
	for k := 0; k < 2*nAcc; k++ {
		r.qseg[k+1] = r.qseg[k]
		if r.seg[k+1]-r.seg[k] > nearSample {
			r.qseg[k+1] += nearSample
		}
	}
	r.quant = make([]int64, r.qseg[2*nAcc])
	parallel(workers, 2*nAcc, func(k int) {
		if q := r.quant[r.qseg[k]:r.qseg[k+1]]; len(q) > 0 {
			s := r.sorted[r.seg[k]:r.seg[k+1]]
			for i := range q {
				q[i] = s[(2*i+1)*len(s)/(2*nearSample)]
			}
		}
	})
	return r
}

// sample returns what the account test reads of account a's values in the class of object o:
// the values, or their nearSample evenly spaced order statistics when there are more.
func (r *relocator) sample(in *Input, a int32, o int) []int64 {
	k := 2 * int(a)
	if !anchored(in, o) {
		k++
	}
	if lo, hi := r.qseg[k], r.qseg[k+1]; hi > lo {
		return r.quant[lo:hi]
	}
	return r.sorted[r.seg[k]:r.seg[k+1]]
}

// values returns account a's values in the class of object o (ascending).
func (r *relocator) values(in *Input, a int32, o int) []int64 {
	k := 2 * int(a)
	if !anchored(in, o) {
		k++
	}
	return r.sorted[r.seg[k]:r.seg[k+1]]
}

// replicate writes into out (len(g.acts)) the actions of g with relocated times and returns
// them grouped as g, each object's actions sorted by time again. scratch holds len(g.acts)
// values.
func (r *relocator) replicate(g groups, rng *rand.Rand, out []act, scratch []int64, workers int) groups {
	copy(out, g.acts)
	copy(scratch, r.sorted)
	for k := 0; k+1 < len(r.seg); k++ {
		s := scratch[r.seg[k]:r.seg[k+1]]
		for i := len(s) - 1; i > 0; i-- {
			j := rng.IntN(i + 1)
			s[i], s[j] = s[j], s[i]
		}
	}
	for j, p := range r.pos {
		out[p].t = scratch[j]
	}
	rg := groups{start: g.start, acts: out}
	rg.forEachObject(workers, func(_, o int, grp []act) {
		for i := range grp {
			grp[i].t += r.ref[o]
		}
		if len(grp) > 1 {
			slices.SortFunc(grp, cmpAct)
		}
	})
	return rg
}

// The account test. For account A and object o on which A acted, let y_Ao = 1 when another
// account acted on o within the window of one of A's actions there, and π_Ao the probability of
// that when A's action alone is relocated as in the empirical null (the others stay where
// they are): the share of A's values v (latencies or times, its own included) for which
// ref_o + v lies within the window of another account's action on o. A's statistic is
// y_A = Σ_o y_Ao against e_A = Σ_o π_Ao; its p-value P(X ≥ y_A), X ~ Poisson(e_A). An object
// counts once per account however many accounts act on it, so the test stays valid around
// viral objects; objects with more than GroupObjectCap actions are left out (the pair test
// covers them; leaving objects out by size alone keeps the test valid).

// accountStats returns, per account, y_A and e_A summed over the runs' objects with 2 … cap
// actions; e_A is computed only for accounts with y_A ≥ minY (0 for the others). With level < 1
// an account's e_A is summed only until it reaches the λ at which P(X ≥ y_A) > level (its score
// is then below the floor: see scoreFloor); over marks those accounts, whose e_A is a lower
// bound (which one depends on the workers' schedule: only that it is past the limit counts).
func accountStats(in *Input, gs []groups, rls []*relocator, window int64, capN, minY, workers int, level float64) (y, e []float64, over []bool) {
	nAcc := in.Accounts.Len()
	if workers < 1 {
		workers = 1
	}
	y = make([]float64, nAcc)
	ys := make([][]float64, workers)
	seen := make([][]int32, workers)
	for w := range ys {
		ys[w], seen[w] = make([]float64, nAcc), make([]int32, nAcc)
	}
	for _, g := range gs {
		for w := range seen {
			clear(seen[w])
		}
		g.forEachObject(workers, func(w, o int, grp []act) {
			if len(grp) < 2 || len(grp) > capN {
				return
			}
			for i, x := range grp {
				if seen[w][x.a] != int32(o)+1 && coActs(grp, i, window, nil) {
					seen[w][x.a] = int32(o) + 1
					ys[w][x.a]++
				}
			}
		})
	}
	for w := range ys {
		for a, v := range ys[w] {
			y[a] += v
		}
	}
	// The fixed-point sum at which an account's e_A is past its limit (math.MaxInt64: none).
	limit := make([]int64, nAcc)
	memo := map[int]int64{}
	for a := range limit {
		limit[a] = math.MaxInt64
		if y[a] < float64(minY) || level >= 1 {
			continue
		}
		c := int(y[a])
		l, ok := memo[c]
		if !ok {
			l = math.MaxInt64
			if v := pruneLimit(c, level) * (1 + 1e-9) * fixedOne; v < math.MaxInt64/2 {
				l = int64(math.Ceil(v))
			}
			memo[c] = l
		}
		limit[a] = l
	}
	want := make([]bool, nAcc)
	for a := range want {
		want[a] = y[a] >= float64(minY)
	}
	e, over = expectedHits(in, gs, rls, window, capN, workers, want, limit)
	return y, e, over
}

// expectedHits is e_A (see accountStats) for the accounts marked in want, each summed until
// it reaches its limit (fixed point; math.MaxInt64: exact).
//
// The objects are taken largest first, and every worker adds to one shared sum per account:
// the larger an object's group, the more of its values fall within the window of someone else
// (π is larger), so an account past its limit gets there in its first few objects. An account
// whose sum never reaches the limit is summed over every object (in fixed point: integer sums
// do not depend on the order in which the workers take the objects, so e_A is the same on
// every run); one whose sum reached it is over whatever the schedule, since e_A ≥ any partial sum.
func expectedHits(in *Input, gs []groups, rls []*relocator, window int64, capN, workers int, want []bool, limit []int64) (e []float64, over []bool) {
	nAcc := in.Accounts.Len()
	if workers < 1 {
		workers = 1
	}
	es := make([]atomic.Int64, nAcc)
	seen := make([][]int32, workers)
	cnt := make([][]int32, workers)
	for w := range seen {
		seen[w], cnt[w] = make([]int32, nAcc), make([]int32, nAcc)
	}
	ivs := make([][][2]int64, workers)
	for ri, g := range gs {
		rl := rls[ri]
		for w := range seen {
			clear(seen[w])
		}
		g.forEachLargestFirst(workers, 2, capN, func(w, o int, grp []act) {
			ivs[w] = unionIntervals(grp, window, ivs[w][:0])
			for _, x := range grp {
				cnt[w][x.a]++
			}
			for i, x := range grp {
				if seen[w][x.a] == int32(o)+1 || !want[x.a] {
					continue
				}
				seen[w][x.a] = int32(o) + 1
				if es[x.a].Load() >= limit[x.a] {
					continue
				}
				es[x.a].Add(int64(math.Round(soleHit(grp, i, cnt[w][x.a] > 1, rl.ref[o], rl.values(in, x.a, o), rl.sample(in, x.a, o), window, ivs[w]) * fixedOne)))
			}
			for _, x := range grp {
				cnt[w][x.a] = 0
			}
		})
	}
	e = make([]float64, nAcc)
	over = make([]bool, nAcc)
	for a := range es {
		v := es[a].Load()
		e[a] = float64(v) / fixedOne
		over[a] = v >= limit[a]
	}
	return e, over
}

const fixedOne = 1 << 32

// coActs reports whether grp[i] has an action of another account (passing other, nil: any)
// within the window in the time-sorted group.
func coActs(grp []act, i int, window int64, other func(a int32) bool) bool {
	x := grp[i]
	for j := i - 1; j >= 0 && x.t-grp[j].t <= window; j-- {
		if grp[j].a != x.a && (other == nil || other(grp[j].a)) {
			return true
		}
	}
	for j := i + 1; j < len(grp) && grp[j].t-x.t <= window; j++ {
		if grp[j].a != x.a && (other == nil || other(grp[j].a)) {
			return true
		}
	}
	return false
}

// relocatedHit is π: the share of the values vs (ascending) for which ref + v is within the
// window of an action in grp by an account other than a (passing other, nil: any). It takes
// the cheaper of two ways: a binary search per value, or one pass over the others' merged
// intervals with a binary search per interval.
func relocatedHit(grp []act, a int32, ref int64, vs []int64, window int64, other func(int32) bool) float64 {
	if len(vs) == 0 {
		return 0
	}
	ok := func(b int32) bool { return b != a && (other == nil || other(b)) }
	hits := 0
	if float64(len(vs))*math.Log2(float64(len(grp))+1) < float64(len(grp)) {
		for _, v := range vs {
			t := ref + v
			j, _ := slices.BinarySearchFunc(grp, t-window, func(x act, t int64) int { return cmp.Compare(x.t, t) })
			for ; j < len(grp) && grp[j].t <= t+window; j++ {
				if ok(grp[j].a) {
					hits++
					break
				}
			}
		}
		return float64(hits) / float64(len(vs))
	}
	lo, hi, open := int64(0), int64(0), false
	flush := func() {
		i, _ := slices.BinarySearch(vs, lo-ref)
		j, _ := slices.BinarySearch(vs, hi-ref+1)
		hits += j - i
	}
	for _, x := range grp {
		if !ok(x.a) {
			continue
		}
		if open && x.t-window <= hi {
			hi = x.t + window
			continue
		}
		if open {
			flush()
		}
		lo, hi, open = x.t-window, x.t+window, true
	}
	if open {
		flush()
	}
	return float64(hits) / float64(len(vs))
}

// unionIntervals returns the merged intervals [t − window, t + window] of every action of the
// time-sorted group, ascending.
func unionIntervals(grp []act, window int64, out [][2]int64) [][2]int64 {
	for _, x := range grp {
		if n := len(out); n > 0 && x.t-window <= out[n-1][1] {
			out[n-1][1] = x.t + window
			continue
		}
		out = append(out, [2]int64{x.t - window, x.t + window})
	}
	return out
}

// soleHit is relocatedHit for the account of grp[i] against every other account, using the
// group's merged intervals ivs: when the account acts once on the object, the region only its
// own action covers is its interval less its neighbours' ((prev other + window, next other −
// window)), so π = (values in the union) − (values in that region), in
// O(min(len(ivs)·log k, k·log len(ivs))) instead of a pass over the group per account; above
// nearSample values, π is estimated from nearSample of them. Accounts acting several times on the object
// (multi) take the general path.
func soleHit(grp []act, i int, multi bool, ref int64, vs, qs []int64, window int64, ivs [][2]int64) float64 {
	if len(vs) == 0 {
		return 0
	}
	a, t := grp[i].a, grp[i].t
	lo, hi := t-window, t+window
	for j := i - 1; j >= 0 && t-grp[j].t <= 2*window; j-- {
		if grp[j].a == a {
			return relocatedHit(grp, a, ref, vs, window, nil)
		}
		lo = max(lo, grp[j].t+window+1)
		break
	}
	for j := i + 1; j < len(grp) && grp[j].t-t <= 2*window; j++ {
		if grp[j].a == a {
			return relocatedHit(grp, a, ref, vs, window, nil)
		}
		hi = min(hi, grp[j].t-window-1)
		break
	}
	if multi {
		return relocatedHit(grp, a, ref, vs, window, nil)
	}
	// A very active account is represented by nearSample evenly spaced order statistics of its
	// values (qs: an unbiased estimate of π, as for q_AB).
	xs := vs
	if len(vs) > nearSample {
		xs = qs
	}
	hits := 0
	if float64(len(xs))*math.Log2(float64(len(ivs))+1) < float64(len(ivs)) {
		// Few values: look each one up among the intervals. The values ascend, so the interval
		// that may hold each only moves forward: a galloping search from the previous one.
		j := 0
		for _, v := range xs {
			x := ref + v
			if lo <= x && x <= hi {
				continue
			}
			j = gallopEnd(ivs, j, x)
			if j < len(ivs) && ivs[j][0] <= x {
				hits++
			}
		}
		return float64(hits) / float64(len(xs))
	}
	// The intervals ascend and are disjoint: each one's values start where the previous one's
	// ended. The account's own region [lo, hi] lies inside the interval holding t: its values
	// are searched from that interval's start.
	x := 0
	for _, iv := range ivs {
		x = gallop(xs, x, iv[0]-ref)
		y := gallop(xs, x, iv[1]-ref+1)
		hits += y - x
		if lo <= hi && iv[0] <= t && t <= iv[1] {
			i := gallop(xs, x, lo-ref)
			hits -= gallop(xs, i, hi-ref+1) - i
		}
		x = y
	}
	return float64(hits) / float64(len(xs))
}

// gallopEnd is gallop over intervals by their end: the first index i ≥ from with
// ivs[i][1] ≥ v (len(ivs) if none), for intervals ascending and disjoint.
func gallopEnd(ivs [][2]int64, from int, v int64) int {
	if from >= len(ivs) || ivs[from][1] >= v {
		return from
	}
	lo, step := from, 1
	hi := from + 1
	for hi < len(ivs) && ivs[hi][1] < v {
		lo = hi
		step *= 2
		hi = lo + step
	}
	hi = min(hi, len(ivs))
	// ivs[lo][1] < v; the answer is in (lo, hi]: a bisection of ivs[lo+1:hi] by end, branch
	// free as in lowerBound.
	base, n := lo+1, hi-lo-1
	if n == 0 {
		return base
	}
	for n > 1 {
		half := n / 2
		if ivs[base+half-1][1] < v {
			base += half
		}
		n -= half
	}
	if ivs[base][1] < v {
		base++
	}
	return base
}

// logTail10 is log10 P(X ≥ x), X ~ Poisson(lambda), without underflow: the score −logTail10
// ranks any two results however strong (no cap).
func logTail10(x int, lambda float64) float64 {
	if x <= 0 {
		return 0
	}
	if lambda <= 0 {
		return math.Inf(-1)
	}
	if lambda >= float64(x) {
		return math.Log10(poissonTail(x, lambda))
	}
	return math.Min(0, lnUpperTail(x, lambda)/math.Ln10)
}

// evidence is the score of a count against its Poisson expectation: −log10 P(X ≥ x), finite
// (an expectation of 0 is taken as 1e-300).
func evidence(x int, lambda float64) float64 {
	return -logTail10(x, math.Max(lambda, 1e-300))
}

// qValues returns, for each observed score, the empirical false discovery rate of the set of
// observed results scoring at least as high, monotonised (Storey's q-value with π0 = 1): with
// V(s) = (null results with score ≥ s) ÷ runs and R(s) = observed results with score ≥ s,
// FDR(s) = min(1, V(s) ÷ R(s)) and q_i = min over s ≤ score_i of FDR(s). null pools every
// replicate's scores. Thresholds s below floor are left out of the minimum (their results
// have q = 1): see scoreFloor.
func qValues(obs, null []float64, runs int, floor float64) []float64 {
	q := make([]float64, len(obs))
	// Only results at or above the floor are ranked: every threshold below it has FDR 1, so a
	// result below it has q = 1 (the minimum over no threshold).
	idx := atLeastDesc(obs, floor)
	for i := range q {
		q[i] = 1
	}
	ns := descAtLeast(null, floor)
	// FDR per tie group of observed scores (R(s) counts the whole tie), then the running
	// minimum from the lowest score up.
	type grp struct {
		lo, hi int
		fdr    float64
	}
	var gs []grp
	k := 0
	for r := 0; r < len(idx); {
		j := r
		for j < len(idx) && obs[idx[j]] == obs[idx[r]] {
			j++
		}
		s := obs[idx[r]]
		for k < len(ns) && ns[k] >= s {
			k++
		}
		gs = append(gs, grp{r, j, math.Min(1, float64(k)/float64(max(runs, 1))/float64(j))})
		r = j
	}
	best := 1.0
	for gi := len(gs) - 1; gi >= 0; gi-- {
		best = math.Min(best, gs[gi].fdr)
		for r := gs[gi].lo; r < gs[gi].hi; r++ {
			q[idx[r]] = best
		}
	}
	return q
}

// descAtLeast returns the scores ≥ floor, in decreasing order.
func descAtLeast(scores []float64, floor float64) []float64 {
	var xs []float64
	for _, v := range scores {
		if v >= floor {
			xs = append(xs, v)
		}
	}
	slices.SortFunc(xs, func(x, y float64) int { return cmp.Compare(y, x) })
	return xs
}

// atLeastDesc returns the indices of the scores ≥ floor, by decreasing score (ties in index
// order).
func atLeastDesc(scores []float64, floor float64) []int32 {
	type sc struct {
		s float64
		i int32
	}
	var xs []sc
	for i, v := range scores {
		if v >= floor {
			xs = append(xs, sc{v, int32(i)})
		}
	}
	slices.SortFunc(xs, func(x, y sc) int {
		if c := cmp.Compare(y.s, x.s); c != 0 {
			return c
		}
		return cmp.Compare(x.i, y.i)
	})
	idx := make([]int32, len(xs))
	for i, x := range xs {
		idx[i] = x.i
	}
	return idx
}

// CalibrationPoint is one row of the calibration curve: at score threshold Score (−log10 of
// the analytic p-value), how many edges (account-test accounts) the data gave and how many the
// empirical null gave on average, and their ratio, the estimated false discovery rate.
type CalibrationPoint struct {
	Score            float64 `json:"score"`
	Edges            int     `json:"edges"`
	ExpectedEdges    float64 `json:"expected_chance_edges"`
	EdgeFDR          float64 `json:"edge_fdr"`
	Accounts         int     `json:"accounts"`
	ExpectedAccounts float64 `json:"expected_chance_accounts"`
	AccountFDR       float64 `json:"account_fdr"`
}

// Calibration reports the empirical null of a run (see Params.FDR).
type Calibration struct {
	Method string  `json:"method"` // "empirical-fdr"
	FDR    float64 `json:"fdr"`
	Runs   int     `json:"null_runs"`
	// EdgeScore and AccountScore are the thresholds that the FDR target chose (the lowest
	// observed score whose q-value is ≤ FDR; +Inf-like 0 when nothing passed).
	EdgeScore    float64 `json:"edge_score_threshold"`
	AccountScore float64 `json:"account_score_threshold"`
	// Edges and Accounts passed; ExpectedEdges and ExpectedAccounts are the chance counts at
	// those thresholds (mean over the replicates); ExpectedFlagged is the mean number of
	// distinct accounts a replicate flagged by either test at the same thresholds.
	Edges            int     `json:"edges"`
	ExpectedEdges    float64 `json:"expected_chance_edges"`
	Accounts         int     `json:"accounts"`
	ExpectedAccounts float64 `json:"expected_chance_accounts"`
	Flagged          int     `json:"flagged_accounts"`
	ExpectedFlagged  float64 `json:"expected_chance_flagged_accounts"`
	// ReplicateCandidates is the mean number of pairs reaching MinWeight in a replicate.
	ReplicateCandidates float64            `json:"replicate_candidates"`
	Curve               []CalibrationPoint `json:"curve"`
	// ResolutionSeconds is the coarsest time step every action time is a multiple of (60 for
	// sources with whole minutes); a window below it counts only actions in the same tick.
	ResolutionSeconds float64 `json:"time_resolution_seconds"`
	GroupObjectCap    int     `json:"group_object_cap"`
}

// replicateResult is what one replicate of the empirical null contributes.
type replicateResult struct {
	pairs     []cand
	pairScore []float64
	accScore  []float64 // account-test scores of the accounts with y ≥ MinWeight
	accIDs    []int32
}

// runReplicate relocates every run's actions and recomputes the pair table and the account
// statistics on them.
func runReplicate(ctx context.Context, in *Input, runs []*signalRun, rls []*relocator, p Params, window int64, rng *rand.Rand, bufs [][]act, scratch [][]int64) (replicateResult, error) {
	var res replicateResult
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	reps := make([]*signalRun, len(runs))
	gs := make([]groups, len(runs))
	for i, r := range runs {
		rg := rls[i].replicate(r.g, rng, bufs[i], scratch[i], workers)
		minCount := uint32(1)
		if len(runs) == 1 {
			minCount = uint32(p.MinWeight)
		}
		part := r.part
		if part != nil {
			// CooRTweet's participation is a property of the co-actions: recount it on the copy.
			part = participation(r.acts, rg, window, in.Accounts.Len(), p.MinParticipation)
		}
		t, _, err := countPairs(ctx, rg, kernelOpts{
			window: window, rows: p.Weight == WeightPairs, participating: part, workers: p.Workers,
			budget: p.MemoryBudget, tempDir: p.TempDir, minCount: minCount,
		})
		if err != nil {
			return res, err
		}
		reps[i] = &signalRun{acts: r.acts, g: rg, table: t}
		gs[i] = rg
	}
	res.pairs = mergeTables(reps, p.MinWeight)
	y, e, over := accountStats(in, gs, rls, window, p.GroupObjectCap, p.MinWeight, workers, pruneLevel(p))
	for a := range y {
		if y[a] >= float64(p.MinWeight) {
			res.accIDs = append(res.accIDs, int32(a))
			res.accScore = append(res.accScore, accountScore(int(y[a]), e[a], over[a], p.FDR))
		}
	}
	return res, nil
}

// autoRuns is the default number of replicates: enough for stable chance counts on small
// data (20), fewer as the in-window pairs grow, never below 2 (docs/coordination.md).
func autoRuns(windowPairs int64) int {
	r := int(math.Round(1e7 / math.Max(1, float64(windowPairs))))
	return max(2, min(20, r))
}

// timeResolution is the largest of 3600, 60, 1 seconds (in ticks) that divides every action
// time: the source's time resolution.
func timeResolution(in *Input) int64 {
	unit := int64(in.unit() / 1e9)
	if unit < 1 {
		return 1
	}
	for _, step := range []int64{3600, 60} {
		if step%unit != 0 {
			continue
		}
		k := step / unit
		ok, n := true, 0
		for s := range in.Actions {
			for _, t := range in.Actions[s].Time {
				n++
				if t%k != 0 {
					ok = false
					break
				}
			}
			if !ok {
				break
			}
		}
		if ok && n > 0 {
			return k
		}
	}
	return 1
}

// curveScores are the thresholds of the reported calibration curve; the first bounds the score
// floor (scoreFloor), so every point counts exact scores.
var curveScores = []float64{2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100}

func countAtLeast(desc []float64, s float64) int {
	// desc is sorted descending.
	return sort.Search(len(desc), func(i int) bool { return desc[i] < s })
}

// calibrationCurve fills cal's curve and its chance counts at the chosen thresholds.
func calibrationCurve(cal *Calibration, obs, null, accObs, accNull []float64, reps []replicateResult, runs int) {
	// Only the scores at or above the lowest threshold counted take part (most are below it).
	lowest := min(curveScores[0], cal.EdgeScore, cal.AccountScore)
	o, n := descAtLeast(obs, lowest), descAtLeast(null, lowest)
	ao, an := descAtLeast(accObs, lowest), descAtLeast(accNull, lowest)
	r := float64(max(runs, 1))
	ratio := func(exp float64, got int) float64 {
		if got == 0 {
			if exp > 0 {
				return 1
			}
			return 0
		}
		return math.Min(1, exp/float64(got))
	}
	for _, s := range curveScores {
		pt := CalibrationPoint{Score: s, Edges: countAtLeast(o, s), ExpectedEdges: float64(countAtLeast(n, s)) / r,
			Accounts: countAtLeast(ao, s), ExpectedAccounts: float64(countAtLeast(an, s)) / r}
		pt.EdgeFDR, pt.AccountFDR = ratio(pt.ExpectedEdges, pt.Edges), ratio(pt.ExpectedAccounts, pt.Accounts)
		cal.Curve = append(cal.Curve, pt)
	}
	cal.ExpectedEdges = float64(countAtLeast(n, cal.EdgeScore)) / r
	cal.ExpectedAccounts = float64(countAtLeast(an, cal.AccountScore)) / r
	// Accounts a replicate would flag at the same thresholds, by either test.
	var flagged float64
	for _, rep := range reps {
		m := map[int32]bool{}
		for i, c := range rep.pairs {
			if rep.pairScore[i] >= cal.EdgeScore {
				a, b := splitKey(c.key)
				m[a], m[b] = true, true
			}
		}
		for i, a := range rep.accIDs {
			if rep.accScore[i] >= cal.AccountScore {
				m[a] = true
			}
		}
		flagged += float64(len(m))
	}
	cal.ExpectedFlagged = flagged / r
	for _, v := range []*float64{&cal.EdgeScore, &cal.AccountScore} {
		if math.IsInf(*v, 1) {
			*v = 0
		}
	}
}

// supportEdges returns, for the accounts that passed the account test but are in no kept
// edge, their co-actions (any count ≥ 1) with the other flagged accounts, as edges marked
// Support: the evidence behind the account's flag, and what places it in a cluster.
func supportEdges(in *Input, runs []*signalRun, kept []Edge, accSig map[int32]float64, window int64) []Edge {
	nAcc := in.Accounts.Len()
	inEdge, only, flagged := make([]bool, nAcc), make([]bool, nAcc), make([]bool, nAcc)
	for _, e := range kept {
		inEdge[e.s], inEdge[e.t] = true, true
		flagged[e.s], flagged[e.t] = true, true
	}
	nOnly := 0
	for a := range accSig {
		flagged[a] = true
		if !inEdge[a] {
			only[a] = true
			nOnly++
		}
	}
	if nOnly == 0 {
		return nil
	}
	type agg struct {
		per  []int
		last []int // last object counted + 1, per run
	}
	pairs := map[uint64]*agg{}
	for ri, r := range runs {
		for o := 0; o+1 < len(r.g.start); o++ {
			grp := r.g.acts[r.g.start[o]:r.g.start[o+1]]
			if len(grp) < 2 {
				continue
			}
			hit := false
			for _, x := range grp {
				if only[x.a] {
					hit = true
					break
				}
			}
			if !hit {
				continue
			}
			sweep(grp, window, func(i, j int) {
				x, y := grp[i], grp[j]
				if x.a == y.a || (x.c >= 0 && x.c == y.c) || !flagged[x.a] || !flagged[y.a] || !(only[x.a] || only[y.a]) {
					return
				}
				if r.part != nil && !r.part[x.a] && !r.part[y.a] {
					return
				}
				k := pairKey(x.a, y.a)
				g := pairs[k]
				if g == nil {
					g = &agg{per: make([]int, len(runs)), last: make([]int, len(runs))}
					pairs[k] = g
				}
				if g.last[ri] != o+1 {
					g.last[ri] = o + 1
					g.per[ri]++
				}
			})
		}
	}
	keys := make([]uint64, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]Edge, 0, len(keys))
	for _, k := range keys {
		g := pairs[k]
		a, b := splitKey(k)
		e := Edge{Signals: map[Signal]int{}, key: k, Cluster: -1, Support: true}
		for ri, r := range runs {
			if g.per[ri] > 0 {
				e.Signals[r.acts.Signal] = g.per[ri]
				e.Count += g.per[ri]
			}
			e.Expected += r.null.expected(a, b)
		}
		e.PValue = poissonTail(e.Count, e.Expected)
		e.Score = evidence(e.Count, e.Expected)
		e.s, e.t = a, b
		if in.Accounts.ID[a] > in.Accounts.ID[b] {
			e.s, e.t = b, a
		}
		e.Source, e.Target = in.Accounts.ID[e.s], in.Accounts.ID[e.t]
		out = append(out, e)
	}
	return out
}

// groupEvidence is a cluster's test: Observed and Expected co-acting members, and the score.
type groupEvidence struct {
	obs, exp, score float64
}

// clusterTest is a group's evidence, built to stay valid when many accounts act on one object.
// Per object o on which m_o ≥ 2 members acted: Y_o = members with an action within the window
// of another member's, E_o = Σ over those members of π (the chance that the member's action,
// relocated as in the empirical null, lands within the window of another member's; at most
// m_o). Objects are independent under the null, but the members' indicators on one object are
// not, so the tail of S = Σ Y_o is bounded without assuming anything about that dependence:
// with 0 ≤ Y_o ≤ m_o, Var Y_o ≤ m_o·E_o, and t = S − Σ E_o > 0, Bernstein's inequality gives
// P ≤ exp(−t²/2 ÷ (Σ m_o·E_o + max m_o · t/3)) and Hoeffding's P ≤ exp(−2t² ÷ Σ m_o²); the
// score is −log10 of the smaller bound (0 when t ≤ 0). The members were selected by their
// edges, so the score describes and ranks clusters; it is not a test of a cluster chosen in
// advance.
func clusterTest(in *Input, runs []*signalRun, rls []*relocator, members []int32, window int64) groupEvidence {
	side := make(map[int32]int8, len(members))
	for _, a := range members {
		side[a] = 1
	}
	return coActTest(in, runs, rls, side, false, nil, window)
}

// crossTest is clusterTest between two groups: per object on which members of both acted,
// Y_o = members with an action within the window of a member of the OTHER group, E_o = Σ of
// their π against the other group's actions; the same Bernstein/Hoeffding bound. It says
// whether two communities act together beyond chance — one network that modularity split (along
// its creation batches, say) — without counting the kept edges between them, which were
// selected for being high: a member's co-actions with a partner it has a kept edge to are left
// out, so two networks bridged by one chance edge stay apart.
func crossTest(in *Input, runs []*signalRun, rls []*relocator, ga, gb []int32, window int64, kept map[uint64]bool) groupEvidence {
	side := make(map[int32]int8, len(ga)+len(gb))
	for _, a := range ga {
		side[a] = 1
	}
	for _, b := range gb {
		side[b] = 2
	}
	return coActTest(in, runs, rls, side, true, kept, window)
}

// coActTest is the scan and bound shared by clusterTest and crossTest: side[a] > 0 marks the
// accounts taking part; with cross, an account's partners are the accounts of the other side
// (less those it has a kept edge to), else every other account taking part.
func coActTest(in *Input, runs []*signalRun, rls []*relocator, side map[int32]int8, cross bool, kept map[uint64]bool, window int64) groupEvidence {
	var (
		sub              []act
		s, e, v, h, maxM float64
	)
	seen := map[int32]bool{}
	for ri, r := range runs {
		for _, o := range rls[ri].objectsOf(r.g, side) {
			grp := r.g.acts[r.g.start[o]:r.g.start[o+1]]
			if len(grp) < 2 {
				continue
			}
			sub = sub[:0]
			var has [3]bool
			for _, x := range grp {
				if k := side[x.a]; k > 0 {
					sub = append(sub, x)
					has[k] = true
				}
			}
			if len(sub) < 2 || (cross && (!has[1] || !has[2])) {
				continue
			}
			clear(seen)
			var y, pi, m float64
			for i, x := range sub {
				if seen[x.a] {
					continue
				}
				seen[x.a] = true
				m++
				var other func(int32) bool
				if cross {
					a, k := x.a, side[x.a]
					other = func(b int32) bool { return side[b] != k && !kept[pairKey(a, b)] }
				}
				pi += relocatedHit(sub, x.a, rls[ri].ref[o], rls[ri].values(in, x.a, o), window, other)
				for j := i; j < len(sub); j++ {
					if sub[j].a == x.a && coActs(sub, j, window, other) {
						y++
						break
					}
				}
			}
			if m < 2 {
				continue
			}
			pi = math.Min(pi, m)
			s += y
			e += pi
			v += m * pi
			h += m * m
			maxM = math.Max(maxM, m)
		}
	}
	g := groupEvidence{obs: s, exp: e}
	if t := s - e; t > 0 {
		g.score = math.Max(t*t/2/(v+maxM*t/3), 2*t*t/h) / math.Ln10
	}
	return g
}

// objectsOf returns, ascending, the objects on which at least one account of side acted: the
// only objects coActTest needs to visit (found from the accounts' action positions, so a test
// of a small group costs its members' actions, not a scan of the signal).
func (r *relocator) objectsOf(g groups, side map[int32]int8) []int {
	var objs []int
	for a := range side {
		for k := 2 * int(a); k < 2*int(a)+2; k++ {
			for _, p := range r.pos[r.seg[k]:r.seg[k+1]] {
				// The object whose range holds position p: the last o with start[o] ≤ p (empty
				// objects share their successor's start, so the first start > p follows it).
				o, _ := slices.BinarySearch(g.start, int(p)+1)
				objs = append(objs, o-1)
			}
		}
	}
	slices.Sort(objs)
	return slices.Compact(objs)
}

// distinctByScore returns, for the pairs scoring ≥ floor ordered by decreasing score, the
// tie groups' scores (descending) and the number of distinct accounts in the pairs scoring at
// least each.
func distinctByScore(cs []cand, scores []float64, floor float64) (desc []float64, accounts []int) {
	idx := atLeastDesc(scores, floor)
	var top int32
	for _, i := range idx {
		a, b := splitKey(cs[i].key)
		top = max(top, a, b)
	}
	seen := make([]bool, top+1)
	n := 0
	for r := 0; r < len(idx); {
		j := r
		for ; j < len(idx) && scores[idx[j]] == scores[idx[r]]; j++ {
			a, b := splitKey(cs[idx[j]].key)
			for _, x := range [2]int32{a, b} {
				if !seen[x] {
					seen[x] = true
					n++
				}
			}
		}
		desc = append(desc, scores[idx[r]])
		accounts = append(accounts, n)
		r = j
	}
	return desc, accounts
}

// accountsAtLeast is the distinct-account count of distinctByScore at threshold s.
func accountsAtLeast(desc []float64, accounts []int, s float64) int {
	n := countAtLeast(desc, s)
	if n == 0 {
		return 0
	}
	return accounts[n-1]
}

// pairAccountThreshold is the lowest observed pair score s at which the accounts of the
// pairs scoring ≥ s have an empirical false discovery rate ≤ fdr: (mean over replicates of the
// distinct accounts in their pairs scoring ≥ s) ÷ (distinct accounts in the observed pairs
// scoring ≥ s). Chance edges spread over many accounts, so controlling the edges' FDR alone
// would let chance flag far more accounts than edges; this bounds what is reported, the
// accounts. Only thresholds at or above floor are considered (scoreFloor: below it no pair can
// be kept, so the accounts such a threshold selects are not those reported). +Inf when no
// threshold qualifies.
func pairAccountThreshold(cs []cand, scores []float64, reps []replicateResult, fdr, floor float64) float64 {
	od, oa := distinctByScore(cs, scores, floor)
	type step struct {
		desc []float64
		acc  []int
	}
	rs := make([]step, len(reps))
	for i, rep := range reps {
		rs[i].desc, rs[i].acc = distinctByScore(rep.pairs, rep.pairScore, floor)
	}
	best := math.Inf(1)
	for g, s := range od { // od descends, from the floor up
		var null float64
		for _, r := range rs {
			null += float64(accountsAtLeast(r.desc, r.acc, s))
		}
		null /= float64(max(len(rs), 1))
		if null/float64(oa[g]) <= fdr {
			best = s
		}
	}
	return best
}

// bhQ returns Benjamini–Hochberg q-values of the scores (−log10 p) of m tested results:
// q_(i) = min over j ≥ i of p_(j)·m ÷ j, p ascending; results scoring below floor take no
// part in the minimum (their q is 1: see scoreFloor).
func bhQ(scores []float64, floor float64) []float64 {
	m := len(scores)
	q := make([]float64, m)
	for i := range q {
		q[i] = 1
	}
	// The results at or above the floor are the top ranks; the others keep q = 1.
	idx := atLeastDesc(scores, floor)
	best := 1.0
	for r := len(idx) - 1; r >= 0; r-- {
		p := math.Pow(10, -scores[idx[r]])
		best = math.Min(best, p*float64(m)/float64(r+1))
		q[idx[r]] = best
	}
	return q
}

// scoreFloor is the pair score below which nothing is kept or reported in the calibrated
// mode: a pair scoring below −log10(fdr) has a p-value above fdr, so its Benjamini–Hochberg
// q-value (and so its combined q-value) exceeds fdr; and the calibration curve starts at
// curveScores[0]. Pairs below the floor are scored only as far as needed to know that (see
// pruneLimits), and the thresholds the empirical FDR is taken at are those at or above it
// (qValues, pairAccountThreshold): a threshold below it selects no result that can be kept.
func scoreFloor(fdr float64) float64 { return math.Min(curveScores[0], -math.Log10(fdr)) }

// pruneLevel is the p-value above which the calibrated mode needs no exact score (see
// scoreFloor); 1 (no pruning) for the tests that compare with exact scores.
func pruneLevel(p Params) float64 {
	if p.exactScores {
		return 1
	}
	return math.Pow(10, -scoreFloor(p.FDR))
}

// accountScore is the account test's score; a pruned account's is just below the floor.
func accountScore(y int, e float64, over bool, fdr float64) float64 {
	if over {
		return math.Nextafter(scoreFloor(fdr), math.Inf(-1))
	}
	return evidence(y, e)
}

// pruneLimits returns, for every count c in counts (indexed by c), a λ at and above which a
// pair with c co-actions has P(X ≥ c) > level under Poisson(λ): its exact λ is not needed.
// +Inf where no pruning applies (level ≥ 1).
func pruneLimits(counts []uint64, level float64) []float64 {
	var top uint64
	for _, c := range counts {
		top = max(top, c)
	}
	limits := make([]float64, top+1)
	for i := range limits {
		limits[i] = math.Inf(1)
	}
	if level >= 1 || level <= 0 {
		return limits
	}
	done := make([]bool, top+1)
	for _, c := range counts {
		if done[c] {
			continue
		}
		done[c] = true
		// A margin above the least such λ: the keep rules compute the tail by another formula
		// (logTail10), and a stopped sum may sit a few ulps below its limit.
		limits[c] = pruneLimit(int(c), level) * (1 + 1e-9)
	}
	return limits
}

// pruneLimit is a λ with poissonTail(c, λ) > level, within a relative 1e-9 of the least
// such (bisection: poissonTail grows with λ).
func pruneLimit(c int, level float64) float64 {
	if poissonTail(c, 0) > level {
		return 0
	}
	hi := 1.0
	for poissonTail(c, hi) <= level {
		hi *= 2
		if math.IsInf(hi, 1) {
			return hi
		}
	}
	lo := 0.0
	for hi-lo > 1e-9*hi {
		mid := (lo + hi) / 2
		if poissonTail(c, mid) > level {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// combinedQ is the larger of the empirical and the Benjamini–Hochberg q-value of each result:
// a result is kept only when both are ≤ the FDR. The empirical null guards against the
// analytic model's miscalibration (the reason it exists); the analytic bound guards against the
// empirical null's resolution (a few replicates, and scores bunched in the bulk where a small
// shift between two distributions would pass results whose own p-value is large).
//
// The empirical q-value is taken over thresholds at or above floor only (−Inf: all).
func combinedQ(obs, null []float64, runs int, floor float64) []float64 {
	q := qValues(obs, null, runs, floor)
	for i, b := range bhQ(obs, floor) {
		q[i] = math.Max(q[i], b)
	}
	return q
}
