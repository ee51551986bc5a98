package community

// mover holds the per-level state of local moving: community totals and sizes, and dense
// scratch space for the weights from one node to its neighbouring communities.
type mover struct {
	c       *csr
	gamma   float64
	comm    []int32   // community of each node
	tot     []float64 // K_C, sum of degrees in community C
	size    []int32   // number of nodes in C
	acc     []float64 // scratch: weight from the current node to community C; > 0 iff touched
	touched []int32
}

func newMover(c *csr, gamma float64, comm []int32) *mover {
	m := &mover{
		c: c, gamma: gamma, comm: comm,
		tot: make([]float64, c.n), size: make([]int32, c.n),
		acc:     make([]float64, c.n),
		touched: make([]int32, 0, 64),
	}
	for v, C := range comm {
		m.tot[C] += c.deg[v]
		m.size[C]++
	}
	return m
}

// gather fills acc with the weight from v to each neighbouring community (self-loop excluded).
func (m *mover) gather(v int32) {
	c := m.c
	for p := c.off[v]; p < c.off[v+1]; p++ {
		D := m.comm[c.adj[p]]
		if m.acc[D] == 0 { // weights are > 0, so 0 means not yet touched
			m.touched = append(m.touched, D)
		}
		m.acc[D] += c.wt[p]
	}
}

func (m *mover) reset() {
	for _, D := range m.touched {
		m.acc[D] = 0
	}
	m.touched = m.touched[:0]
}

// best returns the community that maximises the gain of moving v, and whether the gain beats
// staying by more than rounding noise. The gain of putting v (removed from its community) into
// D is, in edge-weight units (m times the change in Q),
//
//	ΔH(v → D) = w(v, D) − γ k_v K_D / 2m
//
// with K_D excluding v. If allowEmpty, moving v to an empty community (ΔH = 0) is a candidate,
// returned as -1. gather must have been called for v.
func (m *mover) best(v int32, allowEmpty bool) (int32, bool) {
	kv := m.c.deg[v]
	scale := m.gamma * kv / m.c.m2
	own := m.comm[v]
	stay := m.acc[own] - scale*(m.tot[own]-kv)
	best, bestC := stay, own
	for _, D := range m.touched {
		if D == own {
			continue
		}
		if g := m.acc[D] - scale*m.tot[D]; g > best {
			best, bestC = g, D
		}
	}
	if allowEmpty && m.size[own] > 1 && 0 > best {
		best, bestC = 0, -1
	}
	// Require a strict improvement beyond floating-point noise so that local moving terminates.
	eps := 1e-12 * (kv + 1)
	return bestC, bestC != own && best > stay+eps
}

// move puts v into community D.
func (m *mover) move(v, D int32) {
	kv := m.c.deg[v]
	C := m.comm[v]
	m.tot[C] -= kv
	m.size[C]--
	m.tot[D] += kv
	m.size[D]++
	m.comm[v] = D
}
