package coord

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"
)

// PairRow is one co-share pair: a row of CooRTweet's detect_groups output.
type PairRow struct {
	Object    string `json:"object_id"`
	Content   string `json:"content_id"`
	ContentY  string `json:"content_id_y"`
	TimeDelta int64  `json:"time_delta"` // |t − t_y| in ticks (seconds by default)
	Account   string `json:"account_id"`
	AccountY  string `json:"account_id_y"`
}

// CooRTweetGroups lists the co-share pair rows of signal s with CooRTweet 2.1.3's
// detect_groups semantics (docs/coordination.md, verified against its output):
//  1. accounts with fewer than minParticipation shares are dropped;
//  2. every pair of shares of one object with |t_i − t_j| ≤ window is a candidate;
//  3. pairs of the same account, of the same content id, or with a content id equal to the
//     object id are removed;
//  4. an account participates if ≥ minParticipation of its input rows have a share id that
//     appears in a remaining pair (rows, not distinct share ids: see participation); a pair is
//     kept if either account participates.
//
// The earlier share of each pair comes first (ties: by account, then content).
func CooRTweetGroups(in *Input, s Signal, window time.Duration, minParticipation int) ([]PairRow, error) {
	a := in.actionsOf(s)
	if a == nil {
		return nil, fmt.Errorf("no %s actions in the input", s)
	}
	p := Params{MinParticipation: minParticipation, Workers: 1}
	w := int64(window / in.unit())
	r, err := prepareSignal(in, a, p, w)
	if err != nil {
		return nil, err
	}
	if err := in.NameContents(context.Background(), nil); err != nil {
		return nil, err
	}
	if err := in.NameObjects(context.Background(), nil); err != nil {
		return nil, err
	}
	var rows []PairRow
	for o := 0; o+1 < len(r.g.start); o++ {
		grp := r.g.acts[r.g.start[o]:r.g.start[o+1]]
		sweep(grp, w, func(i, j int) {
			x, y := grp[i], grp[j]
			if x.a == y.a || (x.c >= 0 && x.c == y.c) {
				return
			}
			if r.part != nil && !r.part[x.a] && !r.part[y.a] {
				return
			}
			rows = append(rows, PairRow{
				Object: in.Objects.ID[o], Content: contentID(in, x.c), ContentY: contentID(in, y.c),
				TimeDelta: y.t - x.t, Account: in.Accounts.ID[x.a], AccountY: in.Accounts.ID[y.a],
			})
		})
	}
	return rows, nil
}

// prepareSignal groups a signal's actions with the CooRTweet filters (steps 1, 3 and 4).
func prepareSignal(in *Input, a *Actions, p Params, window int64) (*signalRun, error) {
	nAcc := in.Accounts.Len()
	var shares []int32
	if p.MinParticipation > 0 {
		shares = make([]int32, nAcc)
		for _, x := range a.Account {
			shares[x]++
		}
	}
	var keep func(i int) bool
	if shares != nil || a.Content != nil {
		keep = func(i int) bool {
			if shares != nil && int(shares[a.Account[i]]) < p.MinParticipation {
				return false
			}
			// A share whose content id is the object itself (the original post listed among
			// its own shares) never pairs.
			if a.Content != nil && a.Content[i] >= 0 && in.contentIsObject(a.Content[i], a.Object[i]) {
				return false
			}
			return true
		}
	}
	r := &signalRun{acts: a}
	r.g = groupActions(a, len(in.Objects.ID), keep, p.Workers)
	if p.MinParticipation > 0 {
		r.part = participation(a, r.g, window, nAcc, p.MinParticipation)
	}
	return r, nil
}

// CooREdge is one edge of CooRTweet's generate_coordinated_network.
type CooREdge struct {
	From, To        string  // From < To
	Weight          int     // pair rows between the two accounts
	AvgTimeDelta    float64 // mean time_delta of those rows
	NContent        int     // distinct content ids of From in those rows
	NContentY       int     // distinct content ids of To in those rows
	SymmetryScore   float64 // min(NContent, NContentY) ÷ max(…)
	WeightThreshold int     // 1 when Weight > the edgeWeight quantile (type 7) of all weights
}

// CooRTweetNetwork aggregates pair rows into undirected edges as CooRTweet's
// generate_coordinated_network does, with edgeWeight its quantile for weight_threshold.
func CooRTweetNetwork(rows []PairRow, edgeWeight float64) []CooREdge {
	type agg struct {
		n, sum   int64
		cf, ct   map[string]bool
		from, to string
	}
	m := map[[2]string]*agg{}
	for _, r := range rows {
		from, to, cf, ct := r.Account, r.AccountY, r.Content, r.ContentY
		if from > to {
			from, to, cf, ct = to, from, ct, cf
		}
		k := [2]string{from, to}
		g, ok := m[k]
		if !ok {
			g = &agg{cf: map[string]bool{}, ct: map[string]bool{}, from: from, to: to}
			m[k] = g
		}
		g.n++
		g.sum += r.TimeDelta
		g.cf[cf], g.ct[ct] = true, true
	}
	var out []CooREdge
	var ws []float64
	for _, g := range m {
		e := CooREdge{From: g.from, To: g.to, Weight: int(g.n), AvgTimeDelta: float64(g.sum) / float64(g.n),
			NContent: len(g.cf), NContentY: len(g.ct)}
		e.SymmetryScore = float64(min(e.NContent, e.NContentY)) / float64(max(e.NContent, e.NContentY))
		out = append(out, e)
		ws = append(ws, float64(e.Weight))
	}
	if len(ws) > 0 {
		q := Quantile(ws, edgeWeight)
		for i := range out {
			if float64(out[i].Weight) > q {
				out[i].WeightThreshold = 1
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From < out[j].From
		}
		return out[i].To < out[j].To
	})
	return out
}

// DirectedEdge is an edge of the QUT toolkit's networks.
type DirectedEdge struct {
	Source, Target string
	Weight         int
}

// QUT computes the QUT coordination-network-toolkit's directed weights for signal s:
// weight(A → B) = the number of distinct contents (messages) of A that have at least one
// action of B ≠ A on the same object with |Δt| ≤ window. Edges are sorted by source, target.
func QUT(in *Input, s Signal, window time.Duration) ([]DirectedEdge, error) {
	a := in.actionsOf(s)
	if a == nil {
		return nil, nil
	}
	if a.Content == nil {
		return nil, fmt.Errorf("%s: the QUT weighting needs content (message) ids", s)
	}
	w := int64(window / in.unit())
	g := groupActions(a, len(in.Objects.ID), nil, 1)
	// Keys (content of A, account B), with A's account recovered from the content.
	owner := make(map[int32]int32)
	var keys []uint64
	for o := 0; o+1 < len(g.start); o++ {
		grp := g.acts[g.start[o]:g.start[o+1]]
		sweep(grp, w, func(i, j int) {
			x, y := grp[i], grp[j]
			if x.a == y.a {
				return
			}
			owner[x.c], owner[y.c] = x.a, y.a
			keys = append(keys, uint64(uint32(x.c))<<32|uint64(uint32(y.a)), uint64(uint32(y.c))<<32|uint64(uint32(x.a)))
		})
	}
	slices.Sort(keys)
	keys = uniqueSorted(keys)
	count := map[[2]int32]int{}
	for _, k := range keys {
		c, b := int32(k>>32), int32(uint32(k))
		count[[2]int32{owner[c], b}]++
	}
	out := make([]DirectedEdge, 0, len(count))
	for k, n := range count {
		out = append(out, DirectedEdge{Source: in.Accounts.ID[k[0]], Target: in.Accounts.ID[k[1]], Weight: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Source != out[j].Source {
			return out[i].Source < out[j].Source
		}
		return out[i].Target < out[j].Target
	})
	return out, nil
}
