package coord

import (
	"github.com/echotrace/echotrace/internal/radix"

	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Edge is an undirected edge between two accounts (Source < Target as strings).
type Edge struct {
	Source string `json:"source"`
	Target string `json:"target"`
	// Weight is the edge weight of Params.Weight.
	Weight float64 `json:"weight"`
	// Count is the co-action count summed over signals: distinct objects (pair rows with
	// WeightPairs).
	Count   int            `json:"count"`
	Signals map[Signal]int `json:"signals"`
	// Expected is the null-model expectation λ of Count; PValue = P(X ≥ Count), X ~ Poisson(λ);
	// Score = −log10 PValue, computed in log space (no cap), so it ranks any two edges.
	Expected float64 `json:"expected"`
	PValue   float64 `json:"p_value"`
	Score    float64 `json:"score"`
	// MedianGap is the median, over co-acted objects, of the smallest |t_A − t_B| (seconds).
	MedianGap float64    `json:"median_gap_seconds"`
	Evidence  []CoAction `json:"evidence"`
	Cluster   int        `json:"cluster"` // cluster id, -1 when in no reported cluster
	// Support marks an edge kept because one of its accounts passed the account test (and not
	// the pair test): a co-action of two flagged accounts, shown as the account's evidence.
	Support bool `json:"account_support,omitempty"`

	s, t int32 // account indices of Source and Target
	key  uint64
	gaps []float64
}

// CoAction is one piece of edge evidence: both accounts acted on Object within the window.
type CoAction struct {
	Signal     Signal    `json:"signal"`
	Object     string    `json:"object"`
	SourcePost string    `json:"source_post,omitempty"`
	TargetPost string    `json:"target_post,omitempty"`
	SourceTime time.Time `json:"source_time"`
	TargetTime time.Time `json:"target_time"`
	GapSeconds float64   `json:"gap_seconds"`
}

// SignalStats reports one signal's kernel run.
type SignalStats struct {
	Signal Signal `json:"signal"`
	kernelStats
}

// NullSummary reports the significance filter.
type NullSummary struct {
	Alpha float64 `json:"alpha"`
	// Candidates is the number of tested account pairs (distinct pairs with ≥ 1 co-action,
	// summed over signals); Threshold = Alpha ÷ Candidates is the p-value an edge must reach
	// (0 when the filter is off, Alpha < 0).
	Candidates int64   `json:"candidate_pairs"`
	Threshold  float64 `json:"p_threshold"`
	// EdgeAlpha is the p-value at which candidate edges were screened before clustering: the
	// strict Threshold unless Params.EdgeAlpha is larger.
	EdgeAlpha float64 `json:"edge_alpha"`
	// AboveMinWeight pairs reached MinWeight; Rejected of them failed the EdgeAlpha screen;
	// PercentileCut were removed by the percentile cut.
	AboveMinWeight int     `json:"above_min_weight"`
	Rejected       int     `json:"rejected_by_null"`
	PercentileCut  int     `json:"removed_by_percentile"`
	WeightCut      float64 `json:"percentile_weight"`
	// ClustersTested groups were found on the screened edges; ClusterThreshold = Alpha ÷
	// ClustersTested; ClustersRejected of them failed it. EdgesOutsideClusters screened edges
	// were dropped because they lie in no reported cluster and their own p-value is above
	// Threshold.
	ClustersTested int `json:"clusters_tested"`
	// ClustersJoined counts the merges of communities whose members co-act with each other
	// beyond chance (see joinGroups).
	ClustersJoined int `json:"clusters_joined"`
	// MemberThreshold = Alpha ÷ (members of the tested groups): a member stays in its group
	// when its co-actions with the other members reach it (see pruneMembers).
	MemberThreshold      float64 `json:"member_p_threshold"`
	ClusterThreshold     float64 `json:"cluster_p_threshold"`
	ClustersRejected     int     `json:"clusters_rejected"`
	EdgesOutsideClusters int     `json:"edges_outside_clusters"`
	// Calibration is the empirical null's report (nil with Alpha ≠ 0).
	Calibration *Calibration `json:"calibration,omitempty"`
}

// Result is the output of Detect.
type Result struct {
	Params   Params         `json:"params"`
	Null     NullSummary    `json:"null"`
	Stats    []SignalStats  `json:"signals"`
	Clusters []Cluster      `json:"clusters"`
	Accounts []AccountScore `json:"accounts"`
	Edges    []Edge         `json:"edges"`
	pruned   pruneCounts    // how much was scored only up to its limit (tests)
}

// pruneCounts counts the distinct pairs and the data's accounts whose score stopped at its
// limit, and the shown accounts whose expectation was then recomputed exactly.
type pruneCounts struct{ pairs, accounts, recomputed int }

// signalRun is the per-signal state kept between the kernel and the evidence pass.
type signalRun struct {
	acts  *Actions
	g     groups
	null  nullModel
	part  []bool
	table pairTable
	stats kernelStats
}

// Detect builds the co-action network of in, filters it by weight and by the null model,
// clusters it and assembles the evidence. rng drives Leiden/Louvain only; the result is
// deterministic for a given rng seed.
func Detect(ctx context.Context, in Input, p Params, rng *rand.Rand) (Result, error) {
	p = p.Defaults()
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if err := in.Validate(); err != nil {
		return Result{}, fmt.Errorf("coord input: %w", err)
	}
	signals := p.Signals
	if len(signals) == 0 {
		for _, s := range AllSignals {
			if a := in.actionsOf(s); a != nil && a.Len() > 0 {
				signals = append(signals, s)
			}
		}
	}
	p.Signals = signals
	res := Result{Params: p}
	window := int64(p.Window / in.unit())
	var runs []*signalRun
	for i, s := range signals {
		p.report("co-action pairs", int64(i), int64(len(signals)))
		a := in.actionsOf(s)
		if a == nil || a.Len() == 0 {
			continue
		}
		r, err := runSignal(ctx, &in, a, p, window, len(signals) == 1)
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", s, err)
		}
		runs = append(runs, r)
		res.Stats = append(res.Stats, SignalStats{Signal: s, kernelStats: r.stats})
		res.Null.Candidates += r.stats.Candidates
	}

	p.report("co-action pairs", int64(len(signals)), int64(len(signals)))
	// Combine the signals' pair tables.
	cands := mergeTables(runs, p.MinWeight)
	res.Null.AboveMinWeight = len(cands)
	res.Null.Alpha = p.Alpha
	calibrated := p.Alpha == 0
	if res.Null.Candidates > 0 && p.Alpha > 0 {
		res.Null.Threshold = p.Alpha / float64(res.Null.Candidates)
	}
	// Legacy mode: edges are screened at EdgeAlpha when set, else at the strict per-edge
	// threshold.
	screen := res.Null.Threshold
	lenient := p.Alpha > 0 && p.EdgeAlpha > screen
	if lenient {
		screen = p.EdgeAlpha
	}
	res.Null.EdgeAlpha = screen

	workers := p.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The relocators (the empirical null's permutation tables, also read by the group tests)
	// are built while what does not need them runs: in the analytic mode, the null model.
	rls := make([]*relocator, len(runs))
	gs := make([]groups, len(runs))
	var windowPairs int64
	for i, r := range runs {
		gs[i] = r.g
		windowPairs += r.stats.WindowPairs
	}
	var relocating sync.WaitGroup
	relocating.Go(func() {
		for i, r := range runs {
			rls[i] = newRelocator(r.g, &in, in.Accounts.Len(), workers)
		}
	})
	// The empirical null's replicates, and the account test on the data.
	var reps []replicateResult
	var accY, accE []float64
	var accOver []bool
	if calibrated && len(runs) > 0 {
		relocating.Wait()
		nRuns := p.NullRuns
		if nRuns == 0 {
			nRuns = autoRuns(windowPairs)
		}
		bufs := make([][]act, len(runs))
		scratch := make([][]int64, len(runs))
		for i, r := range runs {
			bufs[i] = make([]act, len(r.g.acts))
			scratch[i] = make([]int64, len(r.g.acts))
		}
		for k := 0; k < nRuns; k++ {
			p.report("empirical null", int64(k), int64(nRuns))
			rng := rand.New(rand.NewPCG(p.Seed, uint64(k)+1))
			rep, err := runReplicate(ctx, &in, runs, rls, p, window, rng, bufs, scratch)
			if err != nil {
				return Result{}, fmt.Errorf("empirical null: %w", err)
			}
			reps = append(reps, rep)
		}
		p.report("empirical null", int64(nRuns), int64(nRuns))
		bufs, scratch = nil, nil // the replicates' actions are no longer needed
		p.report("account test", 0, 1)
		accY, accE, accOver = accountStats(&in, gs, rls, window, p.GroupObjectCap, p.MinWeight, workers, pruneLevel(p))
		p.report("account test", 1, 1)
	}
	// The null model's statistics, for the accounts of every pair and account to be scored.
	needed := make([]bool, in.Accounts.Len())
	mark := func(cs []cand) {
		for _, c := range cs {
			a, b := splitKey(c.key)
			needed[a], needed[b] = true, true
		}
	}
	mark(cands)
	for _, rep := range reps {
		mark(rep.pairs)
	}
	for a, y := range accY {
		if y >= float64(p.MinWeight) {
			needed[a] = true
		}
	}
	relocating.Wait()
	for i, r := range runs {
		r.null = newNullModel(r.g, &in, window, needed, rls[i], p.Workers)
	}
	// λ depends on the pair only (the replicates keep every account's values), so it is
	// computed once per distinct pair of the data and the replicates, with the largest count the
	// pair has in any of them (what its pruning limit depends on).
	// slot maps the data's pairs (first) and then each replicate's, in order, to their distinct
	// pair (nil without replicates: the distinct pairs are the candidates, in order).
	pairKeys := make([]uint64, 0, len(cands))
	totals := make([]uint64, 0, len(cands))
	add := func(cs []cand) {
		for _, c := range cs {
			pairKeys = append(pairKeys, c.key)
			totals = append(totals, uint64(c.total))
		}
	}
	add(cands)
	pairMax := totals
	var slot []int32
	if len(reps) > 0 {
		for _, rep := range reps {
			add(rep.pairs)
		}
		src := make([]uint64, len(pairKeys))
		for i := range src {
			src[i] = uint64(i)
		}
		radix.SortKV(pairKeys, src, make([]uint64, len(pairKeys)), make([]uint64, len(pairKeys)))
		slot = make([]int32, len(pairKeys))
		pairMax = nil
		for i, k := range pairKeys {
			t := totals[src[i]]
			if w := len(pairMax); w > 0 && k == pairKeys[w-1] {
				pairMax[w-1] = max(pairMax[w-1], t)
			} else {
				pairKeys[w] = k
				pairMax = append(pairMax, t)
			}
			slot[src[i]] = int32(len(pairMax) - 1)
		}
		pairKeys = pairKeys[:len(pairMax)]
	}
	// A pair's λ is computed exactly only while it could still be significant: past its
	// pruning limit its p-value exceeds the level below which anything is kept (the strict or
	// lenient screen; in the calibrated mode, the score floor: see pruneLevel).
	floor := math.Inf(-1)
	level := 1.0
	switch {
	case calibrated:
		floor = scoreFloor(p.FDR)
		level = math.Pow(10, -floor)
	case p.Alpha > 0:
		level = screen
	}
	if p.exactScores {
		level = 1
	}
	limits := pruneLimits(pairMax, level)
	pairLambda := make([]float64, len(pairKeys))
	pairOver := make([]bool, len(pairKeys))
	var scored atomic.Int64
	nPairs := int64(len(pairKeys))
	p.report("pair scores", 0, nPairs)
	order := heavyFirst(pairKeys, runs)
	parallel(p.Workers, len(pairKeys), func(k int) {
		i := int(order[k])
		a, b := splitKey(pairKeys[i])
		limit := limits[pairMax[i]]
		for _, r := range runs {
			l, over := r.null.expectedBelow(a, b, limit-pairLambda[i])
			pairLambda[i] += l
			if over {
				pairOver[i] = true
				break
			}
		}
		if p.Progress != nil && i%4096 == 4095 {
			p.report("pair scores", scored.Add(4096), nPairs)
		}
	})
	p.report("pair scores", nPairs, nPairs)
	for _, o := range pairOver {
		if o {
			res.pruned.pairs++
		}
	}
	for _, o := range accOver {
		if o {
			res.pruned.accounts++
		}
	}
	pairMax = nil
	// lambdaOf returns the λ of each pair of cs, and whether it was pruned (λ is then a lower
	// bound past the pair's limit); cs starts at position from of slot's order.
	lambdaOf := func(from int, cs []cand) ([]float64, []bool) {
		if slot == nil {
			return pairLambda, pairOver // the keys are the candidates', in order
		}
		ls := make([]float64, len(cs))
		os := make([]bool, len(cs))
		for i, j := range slot[from : from+len(cs)] {
			ls[i], os[i] = pairLambda[j], pairOver[j]
		}
		return ls, os
	}
	// score is a pair's evidence; a pruned pair's is below the floor whatever its bound gives.
	below := math.Nextafter(floor, math.Inf(-1))
	score := func(c int, lambda float64, over bool) float64 {
		s := evidence(c, lambda)
		if over {
			s = math.Min(s, below)
		}
		return s
	}
	lambdas, overs := lambdaOf(0, cands)
	scores := make([]float64, len(cands))
	for i, c := range cands {
		scores[i] = score(c.total, lambdas[i], overs[i])
	}
	var keepPair []bool
	var cal *Calibration
	accSig := map[int32]float64{} // account-test significant accounts → q-value
	accQ := map[int32]float64{}   // every tested account → q-value
	if calibrated {
		cal = &Calibration{Method: "empirical-fdr", FDR: p.FDR, Runs: len(reps), GroupObjectCap: p.GroupObjectCap}
		var nullScores []float64
		from := len(cands)
		for ri := range reps {
			ls, os := lambdaOf(from, reps[ri].pairs)
			from += len(reps[ri].pairs)
			reps[ri].pairScore = make([]float64, len(ls))
			for i, c := range reps[ri].pairs {
				reps[ri].pairScore[i] = score(c.total, ls[i], os[i])
			}
			nullScores = append(nullScores, reps[ri].pairScore...)
			cal.ReplicateCandidates += float64(len(reps[ri].pairs)) / float64(len(reps))
		}
		q := combinedQ(scores, nullScores, len(reps), floor)
		accCut := pairAccountThreshold(cands, scores, reps, p.FDR, floor)
		keepPair = make([]bool, len(cands))
		cal.EdgeScore = math.Inf(1)
		for i := range cands {
			if q[i] <= p.FDR && scores[i] >= accCut {
				keepPair[i] = true
				cal.Edges++
				cal.EdgeScore = math.Min(cal.EdgeScore, scores[i])
			}
		}
		var accIDs []int32
		var accScores, accNull []float64
		for a, y := range accY {
			if y >= float64(p.MinWeight) {
				accIDs = append(accIDs, int32(a))
				accScores = append(accScores, accountScore(int(y), accE[a], accOver[a], p.FDR))
			}
		}
		for _, rep := range reps {
			accNull = append(accNull, rep.accScore...)
		}
		aq := combinedQ(accScores, accNull, len(reps), floor)
		cal.AccountScore = math.Inf(1)
		for i, a := range accIDs {
			accQ[a] = aq[i]
			if aq[i] <= p.FDR {
				accSig[a] = aq[i]
				cal.Accounts++
				cal.AccountScore = math.Min(cal.AccountScore, accScores[i])
			}
		}
		calibrationCurve(cal, scores, nullScores, accScores, accNull, reps, len(reps))
		cal.ResolutionSeconds = float64(time.Duration(timeResolution(&in))*in.unit()) / float64(time.Second)
	}
	var edges []Edge
	for ci, c := range cands {
		a, b := splitKey(c.key)
		lambda := lambdas[ci]
		sig := map[Signal]int{}
		for ri, r := range runs {
			if c.counts[ri] > 0 {
				sig[r.acts.Signal] = int(c.counts[ri])
			}
		}
		pv := poissonTail(c.total, lambda)
		switch {
		case calibrated && !keepPair[ci]:
			res.Null.Rejected++
			continue
		case p.Alpha > 0 && (pv > screen || overs[ci]):
			res.Null.Rejected++
			continue
		}
		e := Edge{Count: c.total, Signals: sig, Expected: lambda, PValue: pv, Score: scores[ci], key: c.key, Cluster: -1}
		e.s, e.t = a, b
		if in.Accounts.ID[a] > in.Accounts.ID[b] {
			e.s, e.t = b, a
		}
		e.Source, e.Target = in.Accounts.ID[e.s], in.Accounts.ID[e.t]
		edges = append(edges, e)
	}
	if calibrated {
		edges = append(edges, supportEdges(&in, runs, edges, accSig, window)...)
		flagged := map[int32]bool{}
		for _, e := range edges {
			flagged[e.s], flagged[e.t] = true, true
		}
		for a := range accSig {
			flagged[a] = true
		}
		cal.Flagged = len(flagged)
		res.Null.Calibration = cal
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	setWeights(&in, runs, edges, p.Weight)
	if p.Percentile > 0 && len(edges) > 0 {
		ws := make([]float64, len(edges))
		for i := range edges {
			ws[i] = edges[i].Weight
		}
		cut := Quantile(ws, p.Percentile)
		res.Null.WeightCut = cut
		kept := edges[:0]
		for _, e := range edges {
			if e.Weight > cut {
				kept = append(kept, e)
			} else {
				res.Null.PercentileCut++
			}
		}
		edges = kept
	}
	// Clusters on the screened edges; each is tested as a whole against the null, and kept
	// when its p-value reaches Alpha ÷ (groups tested).
	count := make(map[uint64]int, len(cands))
	for _, c := range cands {
		count[c.key] = c.total
	}
	groupsFound := findGroups(&in, edges, p, rng)
	joinAlpha := p.Alpha
	if calibrated {
		joinAlpha = p.FDR
	}
	if !lenient {
		var jr []*relocator
		if calibrated {
			jr = rls
		}
		groupsFound, res.Null.ClustersJoined = joinGroups(&in, runs, jr, window, groupsFound, edges, count, joinAlpha)
	}
	res.Null.ClustersTested = len(groupsFound)
	if len(groupsFound) > 0 && p.Alpha > 0 {
		res.Null.ClusterThreshold = p.Alpha / float64(len(groupsFound))
	}
	screened := make(map[uint64]float64, len(edges))
	for _, e := range edges {
		screened[e.key] = e.PValue
	}
	var keptGroups [][]int32
	var tests []groupEvidence
	totalMembers := 0
	for _, m := range groupsFound {
		totalMembers += len(m)
	}
	if totalMembers > 0 && p.Alpha > 0 {
		res.Null.MemberThreshold = p.Alpha / float64(totalMembers)
	}
	for gi, m := range groupsFound {
		p.report("cluster tests", int64(gi), int64(len(groupsFound)))
		if p.Alpha > 0 && lenient {
			m = pruneMembers(runs, m, count, res.Null.MemberThreshold, p.MinClusterSize)
			if len(m) < p.MinClusterSize {
				res.Null.ClustersRejected++
				continue
			}
		}
		obs, exp, clique, cliqueOK := groupTest(runs, m, count, screened, res.Null.Threshold)
		if p.Alpha > 0 && lenient {
			ok := cliqueOK
			if !clique {
				ok = poissonTail(int(math.Round(obs)), exp) <= res.Null.ClusterThreshold
			}
			if !ok {
				res.Null.ClustersRejected++
				continue
			}
		}
		ev := groupEvidence{obs: obs, exp: exp, score: evidence(int(math.Round(obs)), exp)}
		if !lenient {
			// Descriptive: members co-acting on each object against their chance (clusterTest).
			ev = clusterTest(&in, runs, rls, m, window)
		}
		keptGroups = append(keptGroups, m)
		tests = append(tests, ev)
	}
	p.report("cluster tests", int64(len(groupsFound)), int64(len(groupsFound)))
	of := map[int32]int{}
	for gi, m := range keptGroups {
		for _, a := range m {
			of[a] = gi
		}
	}
	// Final edges: inside a reported cluster, or significant on their own.
	final := edges[:0]
	for _, e := range edges {
		ci, ok1 := of[e.s]
		cj, ok2 := of[e.t]
		e.Cluster = -1
		if ok1 && ok2 && ci == cj {
			e.Cluster = ci
		}
		if e.Cluster >= 0 || p.Alpha <= 0 || e.PValue <= res.Null.Threshold {
			// Calibrated (Alpha 0) edges all passed the FDR or support an account that did.
			final = append(final, e)
		} else {
			res.Null.EdgesOutsideClusters++
		}
	}
	edges = final
	if err := gatherEvidence(ctx, &in, runs, edges, window, p.EvidenceCap); err != nil {
		return Result{}, err
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].Source != edges[j].Source {
			return edges[i].Source < edges[j].Source
		}
		return edges[i].Target < edges[j].Target
	})
	res.Edges = edges
	res.Clusters = cards(&in, runs, res.Edges, keptGroups, tests, p)
	// An account whose account test stopped at its limit (below the floor) but that is shown
	// because of its edges gets its exact expectation.
	if accOver != nil {
		redo := make([]bool, len(accOver))
		some := false
		for _, e := range res.Edges {
			for _, a := range []int32{e.s, e.t} {
				if accOver[a] {
					redo[a], some = true, true
				}
			}
		}
		if some {
			exact := make([]int64, len(redo))
			for a := range exact {
				exact[a] = math.MaxInt64
			}
			ex, _ := expectedHits(&in, gs, rls, window, p.GroupObjectCap, workers, redo, exact)
			for a, r := range redo {
				if r {
					accE[a] = ex[a]
					res.pruned.recomputed++
				}
			}
		}
	}
	res.Accounts = scoreAccounts(&in, runs, res.Edges, p, accountTest{y: accY, e: accE, sig: accSig, q: accQ}, of)
	// Empty lists, not null, in JSON.
	if res.Edges == nil {
		res.Edges = []Edge{}
	}
	if res.Clusters == nil {
		res.Clusters = []Cluster{}
	}
	if res.Accounts == nil {
		res.Accounts = []AccountScore{}
	}
	return res, nil
}

// runSignal runs the filters and the kernel for one signal.
func runSignal(ctx context.Context, in *Input, a *Actions, p Params, window int64, single bool) (*signalRun, error) {
	r, err := prepareSignal(in, a, p, window)
	if err != nil {
		return nil, err
	}
	minCount := uint32(1)
	if single {
		minCount = uint32(p.MinWeight)
	}
	t, st, err := countPairs(ctx, r.g, kernelOpts{
		window: window, rows: p.Weight == WeightPairs, participating: r.part, workers: p.Workers,
		budget: p.MemoryBudget, tempDir: p.TempDir, minCount: minCount,
	})
	if err != nil {
		return nil, err
	}
	r.table, r.stats = t, st
	return r, nil
}

// participation implements CooRTweet's steps 2–4: C is the set of share ids (content ids) that
// appear in any in-window pair of different accounts and different content ids; an account
// participates if at least minPart of its input ROWS have a share id in C — rows, not distinct
// share ids: a share listed under several objects (a post with two URLs, a repost that is
// itself an object) counts once per row, whether or not that row is itself in a pair, and so
// do rows left out of the pairs because their content id is the object itself. An action
// without a content id is a share of its own. a holds every input row of the accounts kept by
// step 1; g its rows that can pair.
func participation(a *Actions, g groups, window int64, nAcc, minPart int) []bool {
	inPair := make([]bool, len(g.acts))
	inC := map[int32]bool{}
	for o := 0; o+1 < len(g.start); o++ {
		base := g.start[o]
		grp := g.acts[base:g.start[o+1]]
		sweep(grp, window, func(i, j int) {
			x, y := grp[i], grp[j]
			if x.a != y.a && (x.c < 0 || x.c != y.c) {
				inPair[base+i], inPair[base+j] = true, true
				for _, c := range [2]int32{x.c, y.c} {
					if c >= 0 {
						inC[c] = true
					}
				}
			}
		})
	}
	n := make([]int32, nAcc)
	if a.Content != nil {
		for i, c := range a.Content {
			if c >= 0 && inC[c] {
				n[a.Account[i]]++
			}
		}
	}
	for i, x := range g.acts {
		if x.c < 0 && inPair[i] {
			n[x.a]++
		}
	}
	part := make([]bool, nAcc)
	for x, c := range n {
		part[x] = int(c) >= minPart
	}
	return part
}

// Quantile is R's type-7 quantile of xs at probability q (xs is not modified).
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	h := float64(len(s)-1) * q
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (h-lo)*(s[i+1]-s[i])
}

// setWeights fills Edge.Weight.
func setWeights(in *Input, runs []*signalRun, edges []Edge, kind WeightKind) {
	switch kind {
	case WeightCount, WeightPairs:
		for i := range edges {
			edges[i].Weight = float64(edges[i].Count)
		}
	case WeightJaccard:
		objs := make([]float64, in.Accounts.Len())
		for _, r := range runs {
			for o := 0; o+1 < len(r.g.start); o++ {
				grp := r.g.acts[r.g.start[o]:r.g.start[o+1]]
				for i, x := range grp {
					if !seenBefore(grp[:i], x.a) {
						objs[x.a]++
					}
				}
			}
		}
		for i := range edges {
			e := &edges[i]
			union := objs[e.s] + objs[e.t] - float64(e.Count)
			if union > 0 {
				e.Weight = float64(e.Count) / union
			}
		}
	case WeightTFIDF:
		tfidfWeights(in, runs, edges)
	}
}

// seenBefore reports whether account a acts in grp (a linear scan; groups are short, and only
// the Jaccard and TF-IDF weights use it).
func seenBefore(grp []act, a int32) bool {
	for _, y := range grp {
		if y.a == a {
			return true
		}
	}
	return false
}

// tfidfWeights sets each edge's weight to the cosine similarity of the two accounts' TF-IDF
// vectors over (signal, object): tf = the account's actions on the object, idf = ln(N ÷ df)
// with N the accounts active in the signal and df the accounts acting on the object.
func tfidfWeights(in *Input, runs []*signalRun, edges []Edge) {
	nAcc := in.Accounts.Len()
	type entry struct {
		dim uint64
		w   float64
	}
	need := make([]bool, nAcc)
	for _, e := range edges {
		need[e.s], need[e.t] = true, true
	}
	vec := make(map[int32][]entry)
	for ri, r := range runs {
		seen := make([]bool, nAcc)
		active := 0
		for _, x := range r.g.acts {
			if !seen[x.a] {
				seen[x.a] = true
				active++
			}
		}
		for o := 0; o+1 < len(r.g.start); o++ {
			grp := r.g.acts[r.g.start[o]:r.g.start[o+1]]
			if len(grp) == 0 {
				continue
			}
			tf := map[int32]float64{}
			for _, x := range grp {
				tf[x.a]++
			}
			idf := math.Log(float64(active) / float64(len(tf)))
			for a, f := range tf {
				if need[a] {
					vec[a] = append(vec[a], entry{dim: uint64(ri)<<32 | uint64(o), w: f * idf})
				}
			}
		}
	}
	norm := map[int32]float64{}
	for a, v := range vec {
		slices.SortFunc(v, func(x, y entry) int {
			if x.dim < y.dim {
				return -1
			} else if x.dim > y.dim {
				return 1
			}
			return 0
		})
		var s float64
		for _, e := range v {
			s += e.w * e.w
		}
		norm[a] = math.Sqrt(s)
	}
	for i := range edges {
		e := &edges[i]
		va, vb := vec[e.s], vec[e.t]
		var dot float64
		for x, y := 0, 0; x < len(va) && y < len(vb); {
			switch {
			case va[x].dim < vb[y].dim:
				x++
			case va[x].dim > vb[y].dim:
				y++
			default:
				dot += va[x].w * vb[y].w
				x++
				y++
			}
		}
		if d := norm[e.s] * norm[e.t]; d > 0 {
			e.Weight = dot / d
		}
	}
}

// gatherEvidence sweeps the objects again and, for the kept edges only, records per co-acted
// object the closest pair of actions (the co-action gap) and up to evidenceCap examples.
func gatherEvidence(ctx context.Context, in *Input, runs []*signalRun, edges []Edge, window int64, evidenceCap int) error {
	if len(edges) == 0 {
		return nil
	}
	// The examples' objects, named once all are known (see Objects.ID).
	type unnamed struct{ edge, ev int }
	var later []unnamed
	var laterObj []int32
	// The examples' posts, likewise (see Contents.ID).
	type unnamedPosts struct {
		edge, ev int
		src, dst int32
	}
	var laterPosts []unnamedPosts
	var laterContent []int32
	idx := make(map[uint64]int, len(edges))
	for i := range edges {
		idx[edges[i].key] = i
	}
	unit := in.unit()
	type best struct {
		gap  int64
		x, y act
	}
	// Only the actions of accounts in an edge can give its examples: each object's are taken
	// out first (in time order, so the sweep sees the same pairs of them).
	inEdge := make([]bool, in.Accounts.Len())
	for _, e := range edges {
		inEdge[e.s], inEdge[e.t] = true, true
	}
	var grp []act
	for _, r := range runs {
		local := map[int]best{}
		for o := 0; o+1 < len(r.g.start); o++ {
			grp = grp[:0]
			for _, x := range r.g.acts[r.g.start[o]:r.g.start[o+1]] {
				if inEdge[x.a] {
					grp = append(grp, x)
				}
			}
			if len(grp) < 2 {
				continue
			}
			clear(local)
			sweep(grp, window, func(i, j int) {
				x, y := grp[i], grp[j]
				if x.a == y.a || (x.c >= 0 && x.c == y.c) {
					return
				}
				if r.part != nil && !r.part[x.a] && !r.part[y.a] {
					return
				}
				ei, ok := idx[pairKey(x.a, y.a)]
				if !ok {
					return
				}
				gap := y.t - x.t
				if b, seen := local[ei]; !seen || gap < b.gap {
					local[ei] = best{gap: gap, x: x, y: y}
				}
			})
			for ei, b := range local {
				e := &edges[ei]
				e.gaps = append(e.gaps, float64(time.Duration(b.gap)*unit)/float64(time.Second))
				if len(e.Evidence) < evidenceCap {
					src, dst := b.x, b.y
					if src.a != e.s {
						src, dst = dst, src
					}
					if in.Objects.ID[o] == "" {
						later = append(later, unnamed{ei, len(e.Evidence)})
						laterObj = append(laterObj, int32(o))
					}
					if (src.c >= 0 && in.Contents.ID[src.c] == "") || (dst.c >= 0 && in.Contents.ID[dst.c] == "") {
						laterPosts = append(laterPosts, unnamedPosts{ei, len(e.Evidence), src.c, dst.c})
						laterContent = append(laterContent, src.c, dst.c)
					}
					e.Evidence = append(e.Evidence, CoAction{
						Signal: r.acts.Signal, Object: in.Objects.ID[o],
						SourcePost: contentID(in, src.c), TargetPost: contentID(in, dst.c),
						SourceTime: in.tickTime(src.t), TargetTime: in.tickTime(dst.t),
						GapSeconds: float64(time.Duration(b.gap)*unit) / float64(time.Second),
					})
				}
			}
		}
	}
	if len(laterContent) > 0 {
		if err := in.NameContents(ctx, laterContent); err != nil {
			return err
		}
		for _, u := range laterPosts {
			ev := &edges[u.edge].Evidence[u.ev]
			ev.SourcePost, ev.TargetPost = contentID(in, u.src), contentID(in, u.dst)
		}
	}
	if len(later) > 0 {
		if err := in.NameObjects(ctx, laterObj); err != nil {
			return err
		}
		for i, u := range later {
			edges[u.edge].Evidence[u.ev].Object = in.Objects.ID[laterObj[i]]
		}
	}
	for i := range edges {
		edges[i].MedianGap = median(edges[i].gaps)
		slices.SortFunc(edges[i].Evidence, func(x, y CoAction) int {
			if c := x.SourceTime.Compare(y.SourceTime); c != 0 {
				return c
			}
			return strings.Compare(x.Object, y.Object)
		})
	}
	return nil
}

func contentID(in *Input, c int32) string {
	if c < 0 {
		return ""
	}
	return in.Contents.ID[c]
}

func (in *Input) tickTime(t int64) time.Time {
	return time.Unix(0, 0).UTC().Add(time.Duration(t) * in.unit())
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// parallel calls f(i) for i in [0, n) on workers goroutines (GOMAXPROCS when ≤ 0).
// heavyFirst returns the indexes of the pair keys ordered by the pair's more active account
// (then the other): λ's cost is the search of the less active account's latencies in the more
// active one's, so pairs sharing that account are scored one after another while its latencies
// are in the cache (the pairs are in key order otherwise, which shares the smaller index).
func heavyFirst(keys []uint64, runs []*signalRun) []uint64 {
	var acts []int
	for _, r := range runs {
		for c := range r.null {
			off := r.null[c].off
			if len(acts) < len(off)-1 {
				acts = slices.Grow(acts, len(off)-1-len(acts))[:len(off)-1]
			}
			for a := 0; a+1 < len(off); a++ {
				acts[a] += off[a+1] - off[a]
			}
		}
	}
	heavy := make([]uint64, len(keys))
	order := make([]uint64, len(keys))
	for i, k := range keys {
		a, b := splitKey(k)
		if int(b) < len(acts) && (int(a) >= len(acts) || acts[b] > acts[a]) {
			a, b = b, a
		}
		heavy[i] = uint64(uint32(a))<<32 | uint64(uint32(b))
		order[i] = uint64(i)
	}
	radix.SortKV(heavy, order, make([]uint64, len(keys)), make([]uint64, len(keys)))
	return order
}

func parallel(workers, n int, f func(i int)) { parallelW(workers, n, func(_, i int) { f(i) }) }

// parallelW calls f(worker, i) for i in [0, n), spread over workers (≤ 0: GOMAXPROCS) in
// dynamic chunks of 256; serially, as worker 0, below 1,024 items or with one worker.
func parallelW(workers, n int, f func(w, i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if n < 1024 || workers == 1 {
		for i := 0; i < n; i++ {
			f(0, i)
		}
		return
	}
	const chunk = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					f(w, i)
				}
			}
		})
	}
	wg.Wait()
}
