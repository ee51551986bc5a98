package coord

import (
	"math"
	"sort"
)

// AccountScore is an account's coordination score and its parts.
//
//	strength = 1 − exp(−S ÷ 10), S = Σ over the account's kept edges of the edge Score (−log10 p)
//	speed    = 1 − min(1, median co-action gap ÷ window)
//	focus    = share of the account's actions on objects by their single most frequent author
//	youth    = max(0, 1 − account age in days at its first action ÷ 365) (0 when unknown)
//	score    = strength · (0.55 + 0.15·speed + 0.15·focus + 0.15·youth)
//
// The score is in [0, 1]; strength alone decides whether an account is coordinated (it is 0
// without a kept edge), while speed, focus and youth — the indicators of the reference study
// (seconds between reposts, attention to one account, batches of new accounts) — order the
// coordinated accounts.
type AccountScore struct {
	ID        string  `json:"id"`
	Cluster   int     `json:"cluster"` // -1: in no reported cluster
	Score     float64 `json:"score"`
	Strength  float64 `json:"strength"`
	Speed     float64 `json:"speed"`
	Focus     float64 `json:"focus"`
	Youth     float64 `json:"youth"`
	Degree    int     `json:"degree"`
	CoActions int     `json:"co_actions"`
	MedianGap float64 `json:"median_gap_seconds"`
	Actions   int     `json:"actions"`
}

func scoreAccounts(in *Input, runs []*signalRun, edges []Edge, p Params) []AccountScore {
	if len(edges) == 0 {
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
			x.gaps = append(x.gaps, e.gaps...)
			if e.Cluster >= 0 {
				x.s.Cluster = e.Cluster
			}
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
		if window > 0 {
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
		s.Score = s.Strength * (0.55 + 0.15*s.Speed + 0.15*s.Focus + 0.15*s.Youth)
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
