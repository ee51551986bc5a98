package community

import (
	"math"
	"math/rand/v2"
)

// Edge is an undirected weighted edge between nodes U and V (U ≠ V). Edges with a weight that
// is not a positive finite number are ignored. Parallel edges add up.
type Edge struct {
	U, V int32
	W    float64
}

// Graph is an undirected weighted graph on the nodes 0..N−1. Every edge endpoint must lie in
// [0, N); an endpoint outside that range is a programmer error and panics.
type Graph struct {
	N     int
	Edges []Edge
}

// Params tune Leiden and Louvain.
type Params struct {
	// Resolution is γ in the modularity formula (see the package comment). 1 gives classic
	// modularity; larger values give more, smaller communities. 0 (or a negative or non-finite
	// value) means 1.
	Resolution float64
	// MaxIter bounds the outer iterations. For Leiden it is the number of full Leiden
	// iterations, each one started from the partition found by the previous one; 0 (or
	// negative) means until stable: an iteration changes nothing or gains less than 0.001 in Q,
	// at most 64. For Louvain it is the number of aggregation levels; 0 means until a level
	// moves no node.
	MaxIter int
}

// Partition assigns every node to a community.
type Partition struct {
	// Membership[i] is the community of node i, numbered 0..Communities−1 in order of each
	// community's smallest node id.
	Membership []int32
	// Communities is the number of distinct communities (isolated nodes are communities too).
	Communities int
	// Quality is the modularity of Membership at the resolution used (1 for Components).
	Quality float64
}

// defaultLeidenIter caps Leiden's "until stable" loop; in practice it stabilises in 2–5
// iterations.
const defaultLeidenIter = 64

func (p Params) resolution() float64 {
	if p.Resolution <= 0 || math.IsNaN(p.Resolution) || math.IsInf(p.Resolution, 0) {
		return 1
	}
	return p.Resolution
}

func validWeight(w float64) bool { return w > 0 && !math.IsInf(w, 0) } // NaN > 0 is false

func checkEdge(g Graph, e Edge) {
	if e.U < 0 || int(e.U) >= g.N || e.V < 0 || int(e.V) >= g.N {
		panic("community: edge endpoint out of range [0, N)")
	}
}

// Modularity returns Q = 1/2m Σ_ij [A_ij − γ k_i k_j / 2m] δ(c_i, c_j) for the given membership
// (one community id per node; ids may be any int32 values, they only have to be equal within a
// community). It is computed per community as Σ_c [Σ_in,c / 2m − γ (K_c / 2m)²], where Σ_in,c is
// the sum of A_ij over ordered pairs i, j in c and K_c the sum of the degrees in c. A graph
// without (valid) edges has Q = 0. A resolution ≤ 0 means 1. It panics if len(membership) != N.
func Modularity(g Graph, membership []int32, resolution float64) float64 {
	if len(membership) != g.N {
		panic("community: membership length differs from N")
	}
	gamma := Params{Resolution: resolution}.resolution()
	ids, k := renumber(membership)
	in := make([]float64, k)
	tot := make([]float64, k)
	var m2 float64
	for _, e := range g.Edges {
		checkEdge(g, e)
		if !validWeight(e.W) {
			continue
		}
		cu, cv := ids[e.U], ids[e.V]
		tot[cu] += e.W
		tot[cv] += e.W
		m2 += 2 * e.W
		if cu == cv {
			in[cu] += 2 * e.W
		}
	}
	if m2 == 0 {
		return 0
	}
	var q float64
	for c := range k {
		q += in[c]/m2 - gamma*(tot[c]/m2)*(tot[c]/m2)
	}
	return q
}

// Components returns the connected components (union-find with path halving and union by
// size over the valid edges). Quality is their modularity at γ = 1.
func Components(g Graph) Partition {
	parent := make([]int32, g.N)
	size := make([]int32, g.N)
	for i := range parent {
		parent[i] = int32(i)
		size[i] = 1
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, e := range g.Edges {
		checkEdge(g, e)
		if !validWeight(e.W) {
			continue
		}
		a, b := find(e.U), find(e.V)
		if a == b {
			continue
		}
		if size[a] < size[b] {
			a, b = b, a
		}
		parent[b] = a
		size[a] += size[b]
	}
	root := make([]int32, g.N)
	for i := range root {
		root[i] = find(int32(i))
	}
	return finish(g, root, 1)
}

// finish renumbers a membership and scores it.
func finish(g Graph, membership []int32, gamma float64) Partition {
	ids, k := renumber(membership)
	return Partition{Membership: ids, Communities: k, Quality: Modularity(g, ids, gamma)}
}

// renumber maps arbitrary community ids to 0..k−1 in order of first appearance, which is the
// order of each community's smallest node id.
func renumber(membership []int32) ([]int32, int) {
	n := len(membership)
	out := make([]int32, n)
	dense := make([]int32, n)  // ids in [0, n), the usual case; dense[c] = new id + 1
	var sparse map[int32]int32 // any other id (never in a hot loop)
	var k int32
	for i, c := range membership {
		if c >= 0 && int(c) < n {
			if dense[c] == 0 {
				k++
				dense[c] = k
			}
			out[i] = dense[c] - 1
			continue
		}
		if sparse == nil {
			sparse = make(map[int32]int32)
		}
		v, ok := sparse[c]
		if !ok {
			v = k
			sparse[c] = v
			k++
		}
		out[i] = v
	}
	return out, int(k)
}

// csr is one level of the graph: a symmetric adjacency without self-loops, plus the self-loop
// weight A_ii and the degree k_i = A_ii + Σ_j≠i A_ij of every node.
type csr struct {
	n    int
	off  []int // neighbours of i are adj[off[i]:off[i+1]]
	adj  []int32
	wt   []float64
	self []float64 // A_ii
	deg  []float64 // k_i
	m2   float64   // 2m = Σ_i k_i
}

// buildCSR builds the level-0 adjacency from the edge list. Parallel edges are kept as separate
// entries (they add up wherever weights are summed).
func buildCSR(g Graph) *csr {
	c := &csr{n: g.N, off: make([]int, g.N+1), self: make([]float64, g.N), deg: make([]float64, g.N)}
	for _, e := range g.Edges {
		checkEdge(g, e)
		if !validWeight(e.W) {
			continue
		}
		if e.U == e.V {
			c.self[e.U] += 2 * e.W
			continue
		}
		c.off[e.U+1]++
		c.off[e.V+1]++
	}
	for i := range g.N {
		c.off[i+1] += c.off[i]
	}
	c.adj = make([]int32, c.off[g.N])
	c.wt = make([]float64, c.off[g.N])
	pos := make([]int, g.N)
	copy(pos, c.off[:g.N])
	for _, e := range g.Edges {
		if !validWeight(e.W) || e.U == e.V {
			continue
		}
		c.adj[pos[e.U]], c.wt[pos[e.U]] = e.V, e.W
		pos[e.U]++
		c.adj[pos[e.V]], c.wt[pos[e.V]] = e.U, e.W
		pos[e.V]++
	}
	c.computeDegrees()
	return c
}

func (c *csr) computeDegrees() {
	c.m2 = 0
	for i := range c.n {
		d := c.self[i]
		for p := c.off[i]; p < c.off[i+1]; p++ {
			d += c.wt[p]
		}
		c.deg[i] = d
		c.m2 += d
	}
}

// aggregate collapses every cluster of part (ids 0..k−1) into one node. Edges inside a cluster
// become its self-loop (A_CC = Σ_i,j∈C A_ij), edges between clusters are summed.
func (c *csr) aggregate(part []int32, k int) *csr {
	// Members of each cluster, grouped, in node order.
	start := make([]int, k+1)
	for _, p := range part {
		start[p+1]++
	}
	for i := range k {
		start[i+1] += start[i]
	}
	members := make([]int32, c.n)
	pos := make([]int, k)
	copy(pos, start[:k])
	for i, p := range part {
		members[pos[p]] = int32(i)
		pos[p]++
	}
	a := &csr{n: k, off: make([]int, k+1), self: make([]float64, k), deg: make([]float64, k)}
	a.adj = make([]int32, 0, len(c.adj)/2)
	a.wt = make([]float64, 0, len(c.adj)/2)
	acc := make([]float64, k) // > 0 iff D is in touched (weights are > 0)
	touched := make([]int32, 0, 64)
	for C := range k {
		touched = touched[:0]
		for _, v := range members[start[C]:start[C+1]] {
			a.self[C] += c.self[v]
			for p := c.off[v]; p < c.off[v+1]; p++ {
				D := part[c.adj[p]]
				if int(D) == C {
					a.self[C] += c.wt[p]
					continue
				}
				if acc[D] == 0 {
					touched = append(touched, D)
				}
				acc[D] += c.wt[p]
			}
		}
		for _, D := range touched {
			a.adj = append(a.adj, D)
			a.wt = append(a.wt, acc[D])
			acc[D] = 0
		}
		a.off[C+1] = len(a.adj)
	}
	a.computeDegrees()
	// Degrees are preserved exactly in theory; keep 2m from the finer level to avoid drift.
	a.m2 = c.m2
	return a
}

// orDefault returns rng, or a generator with the fixed seed (0, 0) if rng is nil.
func orDefault(rng *rand.Rand) *rand.Rand {
	if rng == nil {
		return rand.New(rand.NewPCG(0, 0))
	}
	return rng
}

// shuffled returns 0..n−1 in a random order drawn from rng.
func shuffled(n int, rng *rand.Rand) []int32 {
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	return order
}
