package community

import "math/rand/v2"

// Louvain partitions g with the Louvain method (Blondel, Guillaume, Lambiotte & Lefebvre 2008,
// "Fast unfolding of communities in large networks", J. Stat. Mech. P10008): starting from
// singletons, sweep the nodes in a random order, moving each to the neighbouring community with
// the largest modularity gain, until a sweep moves nothing; then aggregate every community into
// one node and repeat on the aggregate graph until a level moves no node (or p.MaxIter levels).
// Louvain can return badly connected, even disconnected, communities; prefer Leiden. A nil rng
// means a fixed seed.
func Louvain(g Graph, p Params, rng *rand.Rand) Partition {
	rng = orDefault(rng)
	gamma := p.resolution()
	c := buildCSR(g)
	nodeOf := make([]int32, g.N) // level node of every original node
	for i := range nodeOf {
		nodeOf[i] = int32(i)
	}
	for level := 0; p.MaxIter <= 0 || level < p.MaxIter; level++ {
		comm := make([]int32, c.n)
		for i := range comm {
			comm[i] = int32(i)
		}
		m := newMover(c, gamma, comm)
		order := shuffled(c.n, rng)
		moved := false
		for {
			moves := 0
			for _, v := range order {
				m.gather(v)
				D, ok := m.best(v, false)
				m.reset()
				if ok {
					m.move(v, D)
					moves++
				}
			}
			if moves == 0 {
				break
			}
			moved = true
		}
		if !moved {
			break
		}
		part, k := renumber(comm)
		for i, v := range nodeOf {
			nodeOf[i] = part[v]
		}
		c = c.aggregate(part, k)
	}
	return finish(g, nodeOf, gamma)
}
