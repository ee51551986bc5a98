// Package coord detects coordinated accounts from co-actions: two different accounts acting on
// the same object (a reposted post, a replied-to post, a quoted post, a URL, a normalised text,
// a hashtag sequence, a generic shared object, a rare phrase of a target post) within a time
// window of each other.
//
// The kernel is exact: for every object the actions are sorted by time and a two-pointer sweep
// emits each pair of actions (i, j) of different accounts with |t_i − t_j| ≤ window (inclusive,
// sliding, never binned). The cost is proportional to the number of pairs inside the window,
// never to the cartesian product of an object's actions. Pairs are aggregated per account pair
// as the number of DISTINCT objects co-acted on (the default edge weight, the convention of both
// the QUT coordination-network-toolkit and CooRTweet for co-retweets), in parallel over objects,
// with sorted runs spilled to disk when the pair table outgrows Params.MemoryBudget.
//
// On top of the kernel: optional normalised weights (Jaccard, TF-IDF cosine after Pacheco et
// al. 2021, a CooRTweet percentile cut), a null model of independent accounts (expected
// co-actions from each account's activity, focus and speed and the objects' popularity; Poisson
// tail p-value; Bonferroni threshold), clusters (Leiden, Louvain or connected components),
// per-cluster evidence cards and a per-account coordination score. Two compatibility modes reproduce peer tools
// exactly: CooRTweet's detect_groups/min_participation (CooRTweet) and the QUT toolkit's directed
// weights (QUT). docs/coordination.md gives every definition.
package coord
