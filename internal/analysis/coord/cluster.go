package coord

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/community"
)

// Cluster is a group of coordinated accounts with its evidence card.
type Cluster struct {
	ID      int      `json:"id"`
	Members []string `json:"members"`
	Size    int      `json:"size"`
	// Edges inside the cluster; Density = Edges ÷ (Size·(Size−1)/2).
	Edges   int     `json:"edges"`
	Density float64 `json:"density"`
	// Signals counts the co-actions inside the cluster per signal.
	Signals map[Signal]int `json:"signals"`
	// Observed = members co-acting with another member inside the window, summed over the
	// objects; Expected = their chance under the empirical null's relocation; Score = −log10 of
	// a Bernstein/Hoeffding bound on P(Observed | chance) that holds however the members on one
	// object depend on each other (clusterTest), never capped, so clusters rank; PValue =
	// 10^−Score. Descriptive: the members were selected by their edges. With a lenient Params.EdgeAlpha
	// (legacy mode) the two sums are over the member pairs that are not screened edges, and the
	// cluster is reported only when PValue ≤ Alpha ÷ (groups tested).
	Observed float64 `json:"observed"`
	Expected float64 `json:"expected"`
	PValue   float64 `json:"p_value"`
	Score    float64 `json:"score"`
	// MedianGap: median co-action gap (seconds) over the co-acted objects of its edges.
	MedianGap float64 `json:"median_gap_seconds"`
	// Targets: the objects most co-acted on, with their authors.
	Targets []Target `json:"targets"`
	// CreatedFirst/Last and CreatedSpreadDays describe the members' creation dates (known ones);
	// CreatedSameDayShare is the largest share of members created on one UTC day.
	CreatedFirst        *time.Time `json:"created_first,omitempty"`
	CreatedLast         *time.Time `json:"created_last,omitempty"`
	CreatedSpreadDays   float64    `json:"created_spread_days"`
	CreatedSameDayShare float64    `json:"created_same_day_share"`
	Suspended           int        `json:"suspended"`
	Deleted             int        `json:"deleted"`
	SuspendedShare      float64    `json:"suspended_share"`
	DeletedShare        float64    `json:"deleted_share"`
	FollowersMedian     float64    `json:"followers_median"`
	FollowersMean       float64    `json:"followers_mean"`
	// Examples: co-actions with their posts and times.
	Examples []CoAction `json:"examples"`
	// OrganicEngagement: actions (any signal) by accounts outside the cluster on objects
	// authored by its members.
	OrganicEngagement int `json:"organic_engagement"`

	members []int32
}

// Target is an object co-acted on by a cluster.
type Target struct {
	Object    string `json:"object"`
	Author    string `json:"author,omitempty"`
	CoActions int    `json:"co_actions"`
}

// partition clusters the accounts of the edges; it returns each edge account's cluster label.
func partition(nodes []int32, local map[int32]int32, edges []Edge, p Params, rng *rand.Rand) []int32 {
	g := community.Graph{N: len(nodes)}
	for _, e := range edges {
		g.Edges = append(g.Edges, community.Edge{U: local[e.s], V: local[e.t], W: e.Weight})
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(p.Seed, 0x636f6f7264))
	}
	cp := community.Params{Resolution: p.Resolution}
	var part community.Partition
	switch p.Algorithm {
	case Louvain:
		part = community.Louvain(g, cp, rng)
	case Components:
		part = community.Components(g)
	default:
		part = community.Leiden(g, cp, rng)
	}
	return part.Membership
}

// findGroups partitions the accounts of the screened edges and returns the groups of at least
// MinClusterSize members, members sorted by id, groups by decreasing size then first id.
func findGroups(in *Input, edges []Edge, p Params, rng *rand.Rand) [][]int32 {
	if len(edges) == 0 {
		return nil
	}
	local := map[int32]int32{}
	var nodes []int32
	for _, e := range edges {
		for _, a := range []int32{e.s, e.t} {
			if _, ok := local[a]; !ok {
				local[a] = int32(len(nodes))
				nodes = append(nodes, a)
			}
		}
	}
	member := mergeDense(partition(nodes, local, edges, p, rng), local, edges)
	byLabel := map[int32][]int32{}
	for i, a := range nodes {
		byLabel[member[i]] = append(byLabel[member[i]], a)
	}
	var gs [][]int32
	for _, m := range byLabel {
		if len(m) < p.MinClusterSize {
			continue
		}
		slices.SortFunc(m, func(x, y int32) int { return cmpStr(in.Accounts.ID[x], in.Accounts.ID[y]) })
		gs = append(gs, m)
	}
	sort.Slice(gs, func(i, j int) bool {
		if len(gs[i]) != len(gs[j]) {
			return len(gs[i]) > len(gs[j])
		}
		return in.Accounts.ID[gs[i][0]] < in.Accounts.ID[gs[j][0]]
	})
	return gs
}

// groupTest tests a group as a whole on the member pairs that are NOT screened edges (the
// screened edges were selected for being high, so counting them would bias the test): observed
// sums their co-action counts (pairs below MinWeight count 0: the test errs low), expected sums
// their λ_AB. A group whose member pairs are all screened edges (a clique) has nothing left to
// test; it is reported when every one of its edges is significant on its own. Groups beyond 300
// members are tested on at most 300·299/2 pairs of their first 300 members.
func groupTest(runs []*signalRun, members []int32, count map[uint64]int, screened map[uint64]float64, strict float64) (obs, exp float64, clique bool, cliqueOK bool) {
	m := members
	if len(m) > 300 {
		m = m[:300]
	}
	pairs := 0
	cliqueOK = true
	for i, a := range m {
		for _, b := range m[i+1:] {
			k := pairKey(a, b)
			if pv, ok := screened[k]; ok {
				if pv > strict {
					cliqueOK = false
				}
				continue
			}
			pairs++
			obs += float64(count[k])
			for _, r := range runs {
				exp += r.null.expected(a, b)
			}
		}
	}
	return obs, exp, pairs == 0, cliqueOK
}

// cards builds the evidence cards of the reported groups; edges carry their Cluster already.
func cards(in *Input, runs []*signalRun, edges []Edge, gs [][]int32, tests []groupEvidence, p Params) []Cluster {
	cs := make([]Cluster, len(gs))
	of := map[int32]int{}
	for ci, m := range gs {
		cs[ci] = Cluster{ID: ci, members: m}
		for _, a := range m {
			of[a] = ci
		}
	}
	for ci := range cs {
		card(in, runs, edges, &cs[ci], p)
		cs[ci].Observed, cs[ci].Expected, cs[ci].Score = tests[ci].obs, tests[ci].exp, tests[ci].score
		cs[ci].PValue = math.Pow(10, -cs[ci].Score)
	}
	targetAuthors(in, cs)
	organic(in, cs, of)
	return cs
}

// targetAuthors fills the authors of the clusters' top targets, in one pass over the objects
// for all clusters.
func targetAuthors(in *Input, cs []Cluster) {
	objIdx := map[string]int32{}
	for _, c := range cs {
		for _, t := range c.Targets {
			objIdx[t.Object] = -1
		}
	}
	if len(objIdx) == 0 {
		return
	}
	for o, id := range in.Objects.ID {
		if _, ok := objIdx[id]; ok {
			objIdx[id] = int32(o)
		}
	}
	for ci := range cs {
		for i := range cs[ci].Targets {
			t := &cs[ci].Targets[i]
			if o := objIdx[t.Object]; o >= 0 && in.Objects.Author[o] >= 0 {
				t.Author = in.Accounts.ID[in.Objects.Author[o]]
			}
		}
	}
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// card fills a cluster's evidence card.
func card(in *Input, runs []*signalRun, edges []Edge, c *Cluster, p Params) {
	n := len(c.members)
	c.Size = n
	c.Signals = map[Signal]int{}
	for _, a := range c.members {
		c.Members = append(c.Members, in.Accounts.ID[a])
	}
	targets := map[string]int{}
	var gaps []float64
	for i := range edges {
		e := &edges[i]
		if e.Cluster != c.ID {
			continue
		}
		c.Edges++
		for s, k := range e.Signals {
			c.Signals[s] += k
		}
		gaps = append(gaps, e.gaps...)
		for _, ev := range e.Evidence {
			targets[ev.Object]++
			if len(c.Examples) < p.EvidenceCap {
				c.Examples = append(c.Examples, ev)
			}
		}
	}
	if n > 1 {
		c.Density = float64(c.Edges) / (float64(n) * float64(n-1) / 2)
	}
	c.MedianGap = median(gaps)
	for obj, k := range targets {
		t := Target{Object: obj, CoActions: k}
		c.Targets = append(c.Targets, t)
	}
	sort.Slice(c.Targets, func(i, j int) bool {
		if c.Targets[i].CoActions != c.Targets[j].CoActions {
			return c.Targets[i].CoActions > c.Targets[j].CoActions
		}
		return c.Targets[i].Object < c.Targets[j].Object
	})
	if len(c.Targets) > 10 {
		c.Targets = c.Targets[:10]
	}
	var created []int64
	var followers []float64
	days := map[int64]int{}
	for _, a := range c.members {
		if t := in.Accounts.CreatedAt[a]; t != 0 {
			created = append(created, t)
			days[t/86400]++
		}
		if f := in.Accounts.Followers[a]; f >= 0 {
			followers = append(followers, float64(f))
		}
		switch in.Accounts.Status[a] {
		case StatusSuspended:
			c.Suspended++
		case StatusDeleted:
			c.Deleted++
		}
	}
	c.SuspendedShare = float64(c.Suspended) / float64(n)
	c.DeletedShare = float64(c.Deleted) / float64(n)
	if len(created) > 0 {
		lo, hi := slices.Min(created), slices.Max(created)
		f, l := time.Unix(lo, 0).UTC(), time.Unix(hi, 0).UTC()
		c.CreatedFirst, c.CreatedLast = &f, &l
		c.CreatedSpreadDays = float64(hi-lo) / 86400
		best := 0
		for _, k := range days {
			best = max(best, k)
		}
		c.CreatedSameDayShare = float64(best) / float64(n)
	}
	if len(followers) > 0 {
		c.FollowersMedian = median(followers)
		var s float64
		for _, f := range followers {
			s += f
		}
		c.FollowersMean = s / float64(len(followers))
	}
	if math.IsNaN(c.MedianGap) {
		c.MedianGap = 0
	}
}

// organic counts, per cluster, the actions by non-members on objects authored by members.
func organic(in *Input, cs []Cluster, of map[int32]int) {
	for s := range in.Actions {
		a := &in.Actions[s]
		for i, o := range a.Object {
			au := in.Objects.Author[o]
			if au < 0 {
				continue
			}
			ci, ok := of[au]
			if !ok {
				continue
			}
			if cj, ok := of[a.Account[i]]; ok && cj == ci {
				continue
			}
			cs[ci].OrganicEngagement++
		}
	}
}

// pruneMembers removes, repeatedly, the members whose co-actions with the rest of the group are
// not significant: for member A, observed = Σ_B count(A, B) and expected = Σ_B λ_AB over the
// other members B; A stays when P(X ≥ observed) ≤ threshold, X ~ Poisson(expected). An
// organic account that Leiden attached to a network by one or two chance edges co-acts with
// the network no more than expected and is dropped; a member of a network co-acts with many.
func pruneMembers(runs []*signalRun, members []int32, count map[uint64]int, threshold float64, minSize int) []int32 {
	m := slices.Clone(members)
	for iter := 0; iter < 5 && len(m) >= minSize; iter++ {
		kept := m[:0:0]
		for _, a := range m {
			var obs, exp float64
			for _, b := range m {
				if a == b {
					continue
				}
				obs += float64(count[pairKey(a, b)])
				for _, r := range runs {
					exp += r.null.expected(a, b)
				}
			}
			if poissonTail(int(math.Round(obs)), exp) <= threshold {
				kept = append(kept, a)
			}
		}
		if len(kept) == len(m) {
			break
		}
		m = kept
	}
	return m
}

// mergeDense joins two communities when the density of the edges between them is at least half
// the smaller of their own densities (a single community's density counts as 1). Modularity
// splits a lone dense network whose graph is not complete into halves, since one community of a
// whole component has modularity 0; a coordinated network is one cluster, so such splits are
// undone.
func mergeDense(member []int32, local map[int32]int32, edges []Edge) []int32 {
	size := map[int32]int{}
	for _, c := range member {
		size[c]++
	}
	intra := map[int32]int{}
	between := map[[2]int32]int{}
	for _, e := range edges {
		x, y := member[local[e.s]], member[local[e.t]]
		if x == y {
			intra[x]++
			continue
		}
		if x > y {
			x, y = y, x
		}
		between[[2]int32{x, y}]++
	}
	density := func(c int32) float64 {
		n := float64(size[c])
		if n < 2 {
			return 1
		}
		return float64(intra[c]) / (n * (n - 1) / 2)
	}
	parent := map[int32]int32{}
	var find func(c int32) int32
	find = func(c int32) int32 {
		if p, ok := parent[c]; ok && p != c {
			r := find(p)
			parent[c] = r
			return r
		}
		return c
	}
	keys := make([][2]int32, 0, len(between))
	for k := range between {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int32) int {
		if a[0] != b[0] {
			return int(a[0] - b[0])
		}
		return int(a[1] - b[1])
	})
	for _, k := range keys {
		d := float64(between[k]) / (float64(size[k[0]]) * float64(size[k[1]]))
		if d >= 0.5*math.Min(density(k[0]), density(k[1])) {
			a, b := find(k[0]), find(k[1])
			if a != b {
				parent[b] = a
			}
		}
	}
	out := make([]int32, len(member))
	for i, c := range member {
		out[i] = find(c)
	}
	return out
}

// allPairs sums the co-action counts and λ over all member pairs (the first 300 members).
func allPairs(runs []*signalRun, members []int32, count map[uint64]int) (obs, exp float64) {
	m := members
	if len(m) > 300 {
		m = m[:300]
	}
	for i, a := range m {
		for _, b := range m[i+1:] {
			obs += float64(count[pairKey(a, b)])
			for _, r := range runs {
				exp += r.null.expected(a, b)
			}
		}
	}
	return obs, exp
}

// joinGroups merges groups that are one network split in parts (by the community algorithm, or
// because its members' own edges are too sparse to connect it): two groups are merged when their
// members co-act with each other beyond chance on the cross pairs that are NOT kept edges
// (those were selected for being high): P(X ≥ observed) ≤ alpha ÷ (group pairs tested),
// X ~ Poisson(Σ λ over those pairs). Every pair of groups is tested when there are at most 40
// groups, else the pairs bridged by a kept edge. Two networks bridged by a chance edge stay
// apart; the parts of one network do not.
//
// With rls (the calibrated layer), bridged pairs of groups are tested by crossTest instead —
// members of each acting within the window of the other's on the same objects, counted by object
// — at P ≤ alpha ÷ (bridged pairs); pairs without a kept edge between them are not tested.
func joinGroups(in *Input, runs []*signalRun, rls []*relocator, window int64, gs [][]int32, edges []Edge, count map[uint64]int, alpha float64) ([][]int32, int) {
	if len(gs) < 2 || alpha <= 0 {
		return gs, 0
	}
	of := map[int32]int{}
	for gi, m := range gs {
		for _, a := range m {
			of[a] = gi
		}
	}
	kept := map[uint64]bool{}
	bridges := map[[2]int]bool{}
	for _, e := range edges {
		kept[e.key] = true
		x, ok1 := of[e.s]
		y, ok2 := of[e.t]
		if ok1 && ok2 && x != y {
			bridges[[2]int{min(x, y), max(x, y)}] = true
		}
	}
	// With few groups every pair is tested (a network may come out as parts with no kept edge
	// between them); with many, only the pairs a kept edge bridges.
	if len(gs) <= 40 && rls == nil {
		for i := range gs {
			for j := i + 1; j < len(gs); j++ {
				bridges[[2]int{i, j}] = true
			}
		}
	}
	if len(bridges) == 0 {
		return gs, 0
	}
	threshold := alpha / float64(len(bridges))
	parent := make([]int, len(gs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	pairs := make([][2]int, 0, len(bridges))
	for k := range bridges {
		pairs = append(pairs, k)
	}
	slices.SortFunc(pairs, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	merged := 0
	for _, pr := range pairs {
		ga, gb := gs[pr[0]], gs[pr[1]]
		if len(ga) > 300 {
			ga = ga[:300]
		}
		if len(gb) > 300 {
			gb = gb[:300]
		}
		if rls != nil {
			if ev := crossTest(in, runs, rls, ga, gb, window, kept); ev.score >= -math.Log10(threshold) {
				x, y := find(pr[0]), find(pr[1])
				if x != y {
					parent[y] = x
					merged++
				}
			}
			continue
		}
		var obs, exp float64
		for _, a := range ga {
			for _, b := range gb {
				k := pairKey(a, b)
				if kept[k] {
					continue
				}
				obs += float64(count[k])
				for _, r := range runs {
					exp += r.null.expected(a, b)
				}
			}
		}
		if obs > 0 && poissonTail(int(math.Round(obs)), exp) <= threshold {
			x, y := find(pr[0]), find(pr[1])
			if x != y {
				parent[y] = x
				merged++
			}
		}
	}
	if merged == 0 {
		return gs, 0
	}
	byRoot := map[int][]int32{}
	for gi, m := range gs {
		r := find(gi)
		byRoot[r] = append(byRoot[r], m...)
	}
	out := make([][]int32, 0, len(byRoot))
	for _, m := range byRoot {
		slices.SortFunc(m, func(x, y int32) int { return cmpStr(in.Accounts.ID[x], in.Accounts.ID[y]) })
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return in.Accounts.ID[out[i][0]] < in.Accounts.ID[out[j][0]]
	})
	return out, merged
}
