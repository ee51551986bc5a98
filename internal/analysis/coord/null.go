package coord

import (
	"math"
	"slices"
)

// signalNull holds the null-model statistics of one signal.
//
// Null model (independent accounts, shuffled timing). Under the null, accounts choose objects
// independently of each other, in proportion to the objects' popularity within each author's
// objects, and each account's latencies (the delay from an object's creation to its action) are
// its own, shuffled across the objects it acted on. For two accounts A and B the expected
// number of objects they co-act on is
//
//	λ_AB = q_AB · Σ_X k_AX · k_BX · Q_X ÷ S_X²
//
// where X runs over object authors (objects without a known author form one stratum), k_AX is
// the number of A's actions on X's objects, S_X = Σ_o n_o and Q_X = Σ_o n_o² over X's objects
// (n_o = the object's actions), so k_AX·n_o ÷ S_X is the chance that A acts on object o; and
// q_AB is the share of all (A latency, B latency) pairs with |l_A − l_B| ≤ window: the chance
// that two independent actions of A and B on one object fall inside the window. A latency is
// measured from the object's creation time when known (Objects.Created), else from the first
// action on the object.
//
// Fans who each repost half of an account's posts within a minute co-act often, but as often
// as their own rates and speeds predict: λ ≈ observed. Viral objects raise Q_X ÷ S_X², so
// co-reposting them is expected. A network that fires together (correlated choices, or times
// bunched relative to each other rather than to the post) exceeds λ. Probabilities above 1 and
// repeated actions on one object are not capped, so λ errs high: the test is conservative.
type signalNull struct {
	window int64
	off    []int             // per account: its actions are lat[off[a]:off[a+1]] (needed accounts only)
	lat    []int64           // latencies, ascending per account
	xs     []int32           // authors of the same actions, ascending per account
	p2     map[int32]float64 // Q_X ÷ S_X²
}

// newSignalNull builds the statistics for the accounts marked in needed.
func newSignalNull(g groups, in *Input, window int64, needed []bool) signalNull {
	nAcc := len(needed)
	s := signalNull{window: window, off: make([]int, nAcc+1), p2: map[int32]float64{}}
	sq := map[int32]*[2]float64{}
	for o := 0; o+1 < len(g.start); o++ {
		grp := g.acts[g.start[o]:g.start[o+1]]
		if len(grp) == 0 {
			continue
		}
		x := in.Objects.Author[o]
		v := sq[x]
		if v == nil {
			v = new([2]float64)
			sq[x] = v
		}
		n := float64(len(grp))
		v[0] += n
		v[1] += n * n
		for _, y := range grp {
			if needed[y.a] {
				s.off[y.a+1]++
			}
		}
	}
	for x, v := range sq {
		s.p2[x] = v[1] / (v[0] * v[0])
	}
	for a := 0; a < nAcc; a++ {
		s.off[a+1] += s.off[a]
	}
	s.lat = make([]int64, s.off[nAcc])
	s.xs = make([]int32, s.off[nAcc])
	pos := make([]int, nAcc)
	copy(pos, s.off[:nAcc])
	for o := 0; o+1 < len(g.start); o++ {
		grp := g.acts[g.start[o]:g.start[o+1]]
		if len(grp) == 0 {
			continue
		}
		ref := grp[0].t
		if in.Objects.Created != nil {
			if c := in.Objects.Created[o]; c != 0 && c < ref {
				ref = c
			}
		}
		x := in.Objects.Author[o]
		for _, y := range grp {
			if needed[y.a] {
				s.lat[pos[y.a]] = y.t - ref
				s.xs[pos[y.a]] = x
				pos[y.a]++
			}
		}
	}
	for a := 0; a < nAcc; a++ {
		if s.off[a+1]-s.off[a] > 1 {
			slices.Sort(s.lat[s.off[a]:s.off[a+1]])
			slices.Sort(s.xs[s.off[a]:s.off[a+1]])
		}
	}
	return s
}

// expected is λ_AB.
func (s *signalNull) expected(a, b int32) float64 {
	if int(a) >= len(s.off)-1 || int(b) >= len(s.off)-1 {
		return 0
	}
	xa, xb := s.xs[s.off[a]:s.off[a+1]], s.xs[s.off[b]:s.off[b+1]]
	var sum float64
	for i, j := 0, 0; i < len(xa) && j < len(xb); {
		switch {
		case xa[i] < xb[j]:
			i++
		case xa[i] > xb[j]:
			j++
		default:
			x := xa[i]
			ka, kb := 0, 0
			for i < len(xa) && xa[i] == x {
				i++
				ka++
			}
			for j < len(xb) && xb[j] == x {
				j++
				kb++
			}
			sum += float64(ka) * float64(kb) * s.p2[x]
		}
	}
	if sum == 0 {
		return 0
	}
	la, lb := s.lat[s.off[a]:s.off[a+1]], s.lat[s.off[b]:s.off[b+1]]
	var near int64
	lo, hi := 0, 0
	for _, l := range la {
		for lo < len(lb) && lb[lo] < l-s.window {
			lo++
		}
		if hi < lo {
			hi = lo
		}
		for hi < len(lb) && lb[hi] <= l+s.window {
			hi++
		}
		near += int64(hi - lo)
	}
	return sum * float64(near) / (float64(len(la)) * float64(len(lb)))
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
	// Sum the tail from x upward in log space: terms shrink geometrically (ratio λ/k < 1).
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
	return math.Min(1, math.Exp(logTerm+math.Log(sum)))
}

// significance is −log10 p, capped at 300 (p underflows past that).
func significance(p float64) float64 {
	if p <= 1e-300 {
		return 300
	}
	return -math.Log10(p)
}
