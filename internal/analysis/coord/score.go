package coord

import (
	"math"
	"sort"
)

// AccountScore is a flagged account's evidence and the reference study's indicators.
//
//	score    = the strongest evidence against chance, −log10 p: the larger of the account
//	           test's (CoActed objects against Expected, see accountStats) and its strongest
//	           kept pair edge's. Score 6 means chance alone gives such a result with
//	           probability 10⁻⁶; it is never capped, so accounts rank.
//	strength = 1 − exp(−S ÷ 10), S = Σ over the account's kept edges of the edge Score
//	speed    = 1 − min(1, median co-action gap ÷ window)
//	focus    = share of the account's actions on objects by their single most frequent author
//	youth    = max(0, 1 − account age in days at its first action ÷ 365) (0 when unknown)
//
// Speed, focus and youth are the indicators of the reference study (seconds between reposts,
// attention to one account, batches of new accounts); they describe, they do not decide.
type AccountScore struct {
	ID      string  `json:"id"`
	Cluster int     `json:"cluster"` // -1: in no reported cluster
	Score   float64 `json:"score"`
	// CoActed objects (up to GroupObjectCap actions each) on which the account co-acted with
	// any other account; Expected is their chance (the account test); QValue its empirical
	// q-value (1 when not tested, or untested in legacy mode).
	CoActed   int     `json:"co_acted_objects"`
	Expected  float64 `json:"expected"`
	QValue    float64 `json:"q_value"`
	Strength  float64 `json:"strength"`
	Speed     float64 `json:"speed"`
	Focus     float64 `json:"focus"`
	Youth     float64 `json:"youth"`
	Degree    int     `json:"degree"`
	CoActions int     `json:"co_actions"`
	MedianGap float64 `json:"median_gap_seconds"`
	Actions   int     `json:"actions"`
}

// accountTest carries the account test's statistics (nil in legacy mode) and the accounts
// that passed it, with their q-values.
type accountTest struct {
	y, e []float64
	sig  map[int32]float64 // passed, with their q-values
	q    map[int32]float64 // every tested account's q-value
}

func scoreAccounts(in *Input, runs []*signalRun, edges []Edge, p Params, at accountTest, cluster map[int32]int) []AccountScore {
	if len(edges) == 0 && len(at.sig) == 0 {
		return nil
	}
	type acc struct {
		s    AccountScore
		sig  float64
		gaps []float64
	}
	m := map[int32]*acc{}
	get := func(a int32) *acc {
		x, ok := m[a]
		if !ok {
			x = &acc{s: AccountScore{ID: in.Accounts.ID[a], Cluster: -1}}
			m[a] = x
		}
		return x
	}
	for _, e := range edges {
		for _, a := range []int32{e.s, e.t} {
			x := get(a)
			x.s.Degree++
			x.s.CoActions += e.Count
			x.sig += e.Score
			if !e.Support {
				x.s.Score = math.Max(x.s.Score, e.Score)
			}
			x.gaps = append(x.gaps, e.gaps...)
			if e.Cluster >= 0 {
				x.s.Cluster = e.Cluster
			}
		}
	}
	for a := range at.sig {
		get(a)
	}
	for a, x := range m {
		x.s.QValue = 1
		if at.y != nil {
			x.s.CoActed = int(at.y[a])
			x.s.Expected = at.e[a]
			if q, ok := at.q[a]; ok {
				x.s.QValue = q
			}
			if x.s.CoActed >= p.MinWeight {
				x.s.Score = math.Max(x.s.Score, evidence(x.s.CoActed, x.s.Expected))
			}
		}
		if c, ok := cluster[a]; ok && x.s.Cluster < 0 {
			x.s.Cluster = c
		}
	}
	// Focus and first action time over every action of the scored accounts.
	authors := map[int32]map[int32]int{}
	first := map[int32]int64{}
	for s := range in.Actions {
		a := &in.Actions[s]
		for i, x := range a.Account {
			st, ok := m[x]
			if !ok {
				continue
			}
			st.s.Actions++
			t := int64(float64(a.Time[i]) * in.unit().Seconds())
			if f, ok := first[x]; !ok || t < f {
				first[x] = t
			}
			if au := in.Objects.Author[a.Object[i]]; au >= 0 {
				if authors[x] == nil {
					authors[x] = map[int32]int{}
				}
				authors[x][au]++
			}
		}
	}
	window := p.Window.Seconds()
	out := make([]AccountScore, 0, len(m))
	for a, x := range m {
		s := x.s
		s.Strength = 1 - math.Exp(-x.sig/10)
		s.MedianGap = median(x.gaps)
		if window > 0 && len(x.gaps) > 0 {
			s.Speed = 1 - math.Min(1, s.MedianGap/window)
		}
		if s.Actions > 0 {
			top := 0
			for _, k := range authors[a] {
				top = max(top, k)
			}
			s.Focus = float64(top) / float64(s.Actions)
		}
		if c := in.Accounts.CreatedAt[a]; c != 0 {
			age := float64(first[a]-c) / 86400
			s.Youth = math.Max(0, math.Min(1, 1-age/365))
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out
}
