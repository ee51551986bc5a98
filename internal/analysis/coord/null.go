package coord

import (
	"math"
	"slices"
)

// signalNull holds the null-model statistics of one signal.
//
// Null model (independent accounts, shuffled timing). Under the null, each account chooses
// objects independently of the others, in proportion to the objects' popularity within each
// author's objects, and its latencies (the delay from an object's creation to its action) are
// its own, shuffled across the objects it acted on. Conditioning on A's actual objects, the
// expected number of them that B also acts on is Σ_{o ∈ A's} k_BX·n_o ÷ S_X; symmetrised,
//
//	λ_AB = q_AB · Σ_X (k_BX·N_AX + k_AX·N_BX) ÷ (2·S_X)
//
// where X runs over object authors (objects without a known author form one stratum), k_AX is
// the number of A's actions on X's objects, N_AX = Σ n_o over those actions (n_o = the object's
// actions: how popular A's choices are), S_X = Σ_o n_o over X's objects; and q_AB is the share
// of all (A latency, B latency) pairs with |l_A − l_B| ≤ window: the chance that two
// independent actions of A and B on one object fall inside the window. A latency is measured
// from the object's creation time when known (Objects.Created), else from the first action on
// the object.
//
// Fans who each repost half of an account's posts within a minute co-act often, but as often
// as their own rates and speeds predict: λ ≈ observed. Accounts that repost viral objects have
// a large N, so co-reposting them is expected. A network that fires together (correlated
// choices, or times bunched relative to each other rather than to the post) exceeds λ.
// Probabilities above 1 and repeated actions on one object are not capped, so λ errs high: the
// test is conservative.
type signalNull struct {
	window int64
	off    []int     // per account: its actions are lat[off[a]:off[a+1]] (needed accounts only)
	lat    []int64   // latencies, ascending per account
	xoff   []int     // per account: its distinct authors are xs[xoff[a]:xoff[a+1]]
	xs     []int32   // distinct authors, ascending per account
	xk     []float64 // the account's actions on each of those authors' objects
	xn     []float64 // Σ n_o over those actions (how popular the account's objects are)
	sx     []float64 // S_X, indexed by X+1 (X = −1: objects without a known author)
}

// nullModel is a signal's null model: one signalNull over its anchored objects (those with a
// creation time: latencies from it) and one over the others (absolute times: see anchored).
type nullModel [2]signalNull

// expected is λ_AB summed over the two classes of objects.
func (m *nullModel) expected(a, b int32) float64 { return m[0].expected(a, b) + m[1].expected(a, b) }

// expectedBelow is expected when it is below limit; otherwise it may stop early and return a
// lower bound ≥ limit with over set (see signalNull.expectedBelow).
func (m *nullModel) expectedBelow(a, b int32, limit float64) (float64, bool) {
	l0, over := m[0].expectedBelow(a, b, limit)
	if over {
		return l0, true
	}
	l1, over := m[1].expectedBelow(a, b, limit-l0)
	return l0 + l1, over
}

// newNullModel builds both classes' statistics for the accounts marked in needed, from the
// signal's relocator (which holds every account's values per class, sorted, and the objects
// they were on), with up to workers goroutines (0: GOMAXPROCS).
func newNullModel(g groups, in *Input, window int64, needed []bool, rl *relocator, workers int) nullModel {
	return nullModel{newSignalNull(g, in, window, needed, rl, 0, workers), newSignalNull(g, in, window, needed, rl, 1, workers)}
}

// anchored reports whether object o has a creation time. An anchored object's actions are
// timed by their latency from it; an object without one (a text, a URL, a repost whose original
// is not in the study) has no meaningful latency — its first action would be its "creation",
// and a cell that starts the burst would look instantaneous and so expected — and its actions
// are timed by their absolute time: the null then keeps each account's own timeline (when it is
// active, in what bursts) and breaks only the alignment between accounts.
func anchored(in *Input, o int) bool { return in.Objects.Created != nil && in.Objects.Created[o] != 0 }

// refTime is the time an action on object o (whose first action is at first) is measured from:
// its creation time (or the first action, if earlier: clocks differ) when anchored, else 0.
func refTime(in *Input, o int, first int64) int64 {
	if !anchored(in, o) {
		return 0
	}
	return min(first, in.Objects.Created[o])
}

// newSignalNull builds the statistics of one class of objects (cls 0: anchored, 1: not) for
// the accounts marked in needed. An account's latencies in the class are the relocator's
// values of its segment (already sorted: v = t − ref, ref the object's creation for anchored
// objects and 0 for the others); its authors come from the segment's objects. The accounts are
// independent, so they are built in parallel.
func newSignalNull(g groups, in *Input, window int64, needed []bool, rl *relocator, cls, workers int) signalNull {
	nAcc := len(needed)
	s := signalNull{window: window, off: make([]int, nAcc+1), sx: make([]float64, in.Accounts.Len()+1)}
	anch := cls == 0
	for o := 0; o+1 < len(g.start); o++ {
		if n := g.start[o+1] - g.start[o]; n > 0 && anchored(in, o) == anch {
			s.sx[in.Objects.Author[o]+1] += float64(n)
		}
	}
	seg := func(a int) (int, int) { return rl.seg[2*a+cls], rl.seg[2*a+cls+1] }
	for a := 0; a < nAcc; a++ {
		s.off[a+1] = s.off[a]
		if needed[a] {
			lo, hi := seg(a)
			s.off[a+1] += hi - lo
		}
	}
	s.lat = make([]int64, s.off[nAcc])
	type xn struct {
		x int32
		n float64
	}
	xs := make([]xn, s.off[nAcc])
	s.xoff = make([]int, nAcc+1)
	parallel(workers, nAcc, func(a int) {
		if !needed[a] {
			return
		}
		lo, hi := seg(a)
		at := s.off[a]
		copy(s.lat[at:], rl.sorted[lo:hi])
		mine := xs[at : at+hi-lo]
		for i, o := range rl.obj[lo:hi] {
			mine[i] = xn{in.Objects.Author[o], float64(g.start[o+1] - g.start[o])}
		}
		if len(mine) > 1 {
			slices.SortFunc(mine, func(p, q xn) int { return int(p.x) - int(q.x) })
		}
		d := 0
		for i := range mine {
			if i == 0 || mine[i].x != mine[i-1].x {
				d++
			}
		}
		s.xoff[a+1] = d
	})
	for a := 0; a < nAcc; a++ {
		s.xoff[a+1] += s.xoff[a]
	}
	s.xs = make([]int32, s.xoff[nAcc])
	s.xk = make([]float64, s.xoff[nAcc])
	s.xn = make([]float64, s.xoff[nAcc])
	parallel(workers, nAcc, func(a int) {
		d := s.xoff[a] - 1
		for i := s.off[a]; i < s.off[a+1]; i++ {
			if i == s.off[a] || xs[i].x != xs[i-1].x {
				d++
				s.xs[d] = xs[i].x
			}
			s.xk[d]++
			s.xn[d] += xs[i].n
		}
	})
	return s
}

// expected is λ_AB. Cost: O(distinct authors) for the sum and O(min(k_small, 256) ·
// log k_large) at most for q_AB (see nearSample and nearShare).
func (s *signalNull) expected(a, b int32) float64 {
	l, _ := s.expectedBelow(a, b, math.Inf(1))
	return l
}

// expectedBelow is λ_AB when it is below limit; otherwise it may stop early and return a
// partial sum ≥ limit with over set (q_AB's sum has only non-negative terms, so a partial sum
// is a lower bound). A pair whose λ reaches the limit cannot be significant (see
// pruneLimit), and most organic pairs reach it within their first few latencies.
func (s *signalNull) expectedBelow(a, b int32, limit float64) (lambda float64, over bool) {
	if int(a) >= len(s.off)-1 || int(b) >= len(s.off)-1 {
		return 0, false
	}
	xa, xb := s.xs[s.xoff[a]:s.xoff[a+1]], s.xs[s.xoff[b]:s.xoff[b+1]]
	ka, kb := s.xk[s.xoff[a]:s.xoff[a+1]], s.xk[s.xoff[b]:s.xoff[b+1]]
	na, nb := s.xn[s.xoff[a]:s.xoff[a+1]], s.xn[s.xoff[b]:s.xoff[b+1]]
	var sum float64
	for i, j := 0, 0; i < len(xa) && j < len(xb); {
		switch {
		case xa[i] < xb[j]:
			i++
		case xa[i] > xb[j]:
			j++
		default:
			sum += (kb[j]*na[i] + ka[i]*nb[j]) / (2 * s.sx[xa[i]+1])
			i++
			j++
		}
	}
	if sum == 0 {
		return 0, false
	}
	la, lb := s.lat[s.off[a]:s.off[a+1]], s.lat[s.off[b]:s.off[b+1]]
	if len(la) > len(lb) {
		la, lb = lb, la
	}
	stop := math.MaxInt
	if limit < sum {
		// The near count at which sum · near ÷ (n · |lb|) reaches the limit.
		n := float64(min(len(la), nearSample))
		if v := math.Ceil(limit / sum * n * float64(len(lb))); v < float64(math.MaxInt/2) {
			stop = max(1, int(v))
		}
	}
	q, over := nearShareBelow(la, lb, s.window, stop)
	return sum * q, over
}

// nearSample bounds the cost of q_AB for two very active accounts: when the less active of
// the two has more than nearSample latencies, q_AB is estimated from nearSample evenly spaced
// order statistics of them (its quantiles), each counted exactly against the other's.
const nearSample = 256

// nearShare is q: the share of (x, y) pairs, x in la and y in lb (both ascending, la the
// shorter), with |x − y| ≤ window; above nearSample latencies in la, x runs over nearSample
// evenly spaced order statistics of la (its (2i+1)/(2·nearSample) quantiles) instead.
//
// The x visited ascend, so the window's bounds in lb only move forward: the first lower bound
// is a bisection of lb, every later bound a galloping search from its predecessor (O(log gap),
// where a fresh bisection costs O(log |lb|) and misses the cache; a bucket index of lb and a
// skip list measured slower).
func nearShare(la, lb []int64, window int64) float64 {
	q, _ := nearShareBelow(la, lb, window, math.MaxInt)
	return q
}

// nearShareBelow is nearShare, stopped early (over set) once the count of near pairs reaches
// stop: it then returns the share of the pairs counted so far, a lower bound of q.
func nearShareBelow(la, lb []int64, window int64, stop int) (q float64, over bool) {
	if len(la) == 0 || len(lb) == 0 {
		return 0, false
	}
	n := min(len(la), nearSample)
	x := func(i int) int64 {
		if n == len(la) {
			return la[i]
		}
		return la[(2*i+1)*len(la)/(2*nearSample)]
	}
	lo := lowerBound(lb, x(0)-window)
	hi := gallop(lb, lo, x(0)+window+1)
	near := hi - lo
	for i := 1; i < n; i++ {
		if near >= stop {
			return float64(near) / (float64(n) * float64(len(lb))), true
		}
		v := x(i)
		lo = gallop(lb, lo, v-window)
		hi = gallop(lb, max(hi, lo), v+window+1)
		near += hi - lo
	}
	return float64(near) / (float64(n) * float64(len(lb))), near >= stop
}

// gallop returns the first index i ≥ from with xs[i] ≥ v (len(xs) if none), for ascending xs:
// it doubles its step from `from` until it passes v, then bisects the last step.
func gallop(xs []int64, from int, v int64) int {
	if from >= len(xs) || xs[from] >= v {
		return from
	}
	// xs[lo] < v throughout; the answer is in (lo, hi].
	lo, step := from, 1
	hi := from + 1
	for hi < len(xs) && xs[hi] < v {
		lo = hi
		step *= 2
		hi = lo + step
	}
	hi = min(hi, len(xs))
	return lo + 1 + lowerBound(xs[lo+1:hi], v)
}

// lowerBound is the first index i with xs[i] ≥ v (len(xs) if none), for ascending xs: a
// bisection whose step does not branch on the data (the comparison becomes a conditional
// move), which matters when it runs billions of times on unpredictable values.
func lowerBound(xs []int64, v int64) int {
	n := len(xs)
	if n == 0 {
		return 0
	}
	base := 0
	for n > 1 {
		half := n / 2
		if xs[base+half-1] < v {
			base += half
		}
		n -= half
	}
	if xs[base] < v {
		base++
	}
	return base
}

// poissonTail returns P(X ≥ x) for X ~ Poisson(lambda), accurate for tiny tails.
func poissonTail(x int, lambda float64) float64 {
	if x <= 0 {
		return 1
	}
	if lambda <= 0 {
		return 0
	}
	if lambda >= float64(x) {
		// Not a tail: 1 − P(X < x), summed directly.
		var cdf float64
		term := math.Exp(-lambda)
		for k := 0; k < x; k++ {
			if k > 0 {
				term *= lambda / float64(k)
			}
			cdf += term
		}
		return math.Max(0, math.Min(1, 1-cdf))
	}
	return math.Min(1, math.Exp(lnUpperTail(x, lambda)))
}

// lnUpperTail is ln P(X ≥ x), X ~ Poisson(lambda), for lambda < x: the tail summed from x
// upward in log space (terms shrink geometrically, ratio λ/k < 1).
func lnUpperTail(x int, lambda float64) float64 {
	lg, _ := math.Lgamma(float64(x) + 1)
	logTerm := -lambda + float64(x)*math.Log(lambda) - lg
	sum, term := 1.0, 1.0
	for k := x + 1; k < x+1000; k++ {
		term *= lambda / float64(k)
		sum += term
		if term < 1e-17*sum {
			break
		}
	}
	return logTerm + math.Log(sum)
}

// significance is −log10 p, capped at 300 (p underflows past that).
func significance(p float64) float64 {
	if p <= 1e-300 {
		return 300
	}
	return -math.Log10(p)
}
