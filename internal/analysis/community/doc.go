// Package community partitions weighted undirected graphs into communities: Leiden (Traag,
// Waltman & van Eck 2019), Louvain (Blondel et al. 2008) as the classic baseline, and connected
// components. Every partition is scored by modularity with a resolution parameter γ:
//
//	Q = 1/2m Σ_ij [A_ij − γ k_i k_j / 2m] δ(c_i, c_j)
//
// where A is the symmetric weighted adjacency matrix, k_i = Σ_j A_ij the weighted degree of node
// i and 2m = Σ_i k_i. An edge {u, v, w} with u ≠ v contributes A_uv = A_vu = w; a self-loop
// {u, u, w} contributes A_uu = 2w (the convention of NetworkX and igraph, so that it adds 2w to
// k_u and w to m). Edges whose weight is not a positive finite number are ignored by every
// function in the package.
//
// The algorithms work on a compressed sparse row (CSR) adjacency built once per aggregation
// level, with int32 node indexes and dense scratch arrays instead of maps in the inner loops. The
// random source is a parameter (math/rand/v2); for a given seed the result is deterministic.
// Community ids in a Partition are numbered 0..k−1 in order of each community's smallest node id.
package community
