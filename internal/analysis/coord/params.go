package coord

import (
	"fmt"
	"math"
	"time"
)

// WeightKind selects the edge weight.
type WeightKind string

// Edge weights.
const (
	// WeightCount is the number of distinct objects the two accounts co-acted on, summed over
	// the signals (the default; QUT and CooRTweet agree on it for co-retweets).
	WeightCount WeightKind = "count"
	// WeightPairs is the number of co-acting action pairs (CooRTweet's `weight`: one per row of
	// detect_groups).
	WeightPairs WeightKind = "pairs"
	// WeightJaccard is count ÷ |objects(A) ∪ objects(B)|.
	WeightJaccard WeightKind = "jaccard"
	// WeightTFIDF is the cosine similarity of the accounts' TF-IDF vectors over objects
	// (Pacheco et al. 2021), computed for the account pairs that co-acted in the window.
	WeightTFIDF WeightKind = "tfidf"
)

// Algorithm selects how clusters are found on the filtered graph.
type Algorithm string

// Cluster algorithms.
const (
	Leiden     Algorithm = "leiden"
	Louvain    Algorithm = "louvain"
	Components Algorithm = "components"
)

// Params configure Detect. The zero value is filled by Defaults.
type Params struct {
	// Signals to detect; empty means every signal present in the input.
	Signals []Signal `json:"signals"`
	// Window: two actions are co-actions when |t_A − t_B| ≤ Window (inclusive). Default 60 s.
	Window time.Duration `json:"-"`
	// WindowSeconds mirrors Window in the JSON output.
	WindowSeconds float64 `json:"window_seconds"`
	// MinWeight drops account pairs whose co-action count (distinct objects, or pair rows with
	// WeightPairs), summed over signals, is below it. Default 2.
	MinWeight int `json:"min_weight"`
	// MinParticipation, when > 0, applies CooRTweet's min_participation filter (see
	// docs/coordination.md): accounts with fewer shares are dropped, and a pair is kept only if
	// one of its accounts has ≥ MinParticipation shares that take part in any co-share pair.
	MinParticipation int `json:"min_participation"`
	// Weight is the edge weight. Default count.
	Weight WeightKind `json:"weight"`
	// Percentile, when in (0, 1), keeps only edges whose weight is above the Percentile
	// quantile (R type 7) of all edge weights: CooRTweet's edge_weight.
	Percentile float64 `json:"percentile"`
	// FDR is the false discovery rate the significance layer controls (default 0.05): edges,
	// and accounts by the account test, are kept when their empirical q-value — the share of
	// results at least as strong that the empirical null gives (calibrate.go) — is ≤ FDR.
	FDR float64 `json:"fdr"`
	// NullRuns is the number of empirical-null replicates; 0 chooses by data size (autoRuns:
	// 20 on small data, down to 2 on tens of millions of in-window pairs).
	NullRuns int `json:"null_runs"`
	// GroupObjectCap: objects with more actions are left out of the account test (they stay in
	// the pair test; cluster scores use every object). Default 1000.
	GroupObjectCap int `json:"group_object_cap"`
	// Alpha, when > 0, replaces the calibrated layer by the analytic family-wise bound of
	// earlier versions: an edge is kept only if its Poisson tail p-value is ≤ Alpha ÷ (number
	// of candidate pairs), with no empirical null and no account test. A negative value
	// disables the significance filter (scores are still computed). Default 0: FDR.
	Alpha float64 `json:"alpha"`
	// EdgeAlpha, when larger than the strict per-edge threshold (Alpha ÷ candidate pairs),
	// screens candidate edges more leniently before clustering (exploratory; 0 = off): the
	// groups found are then pruned (pruneMembers) and tested as wholes (groupTest) at Alpha ÷
	// groups, and edges outside reported clusters stay only if they pass the strict threshold.
	// These group tests treat pair co-actions as independent, which they are not when many
	// accounts act on one object: expect false groups around viral objects.
	EdgeAlpha float64 `json:"edge_alpha"`
	// Algorithm finds clusters: leiden (default), louvain or components.
	Algorithm Algorithm `json:"algorithm"`
	// Resolution of Leiden/Louvain (1 = modularity). Default 0.5: the graph left after the
	// null-model filter is sparse, and at 1 modularity splits one operation along its account-
	// creation batches (the simulated UK network of 62 came out as two clusters of 32 and 30
	// at scale 1; at 0.5 it is one, and the copy and link cells stay apart).
	Resolution float64 `json:"resolution"`
	// MinClusterSize: smaller clusters are not reported. Default 2.
	MinClusterSize int `json:"min_cluster_size"`
	// EvidenceCap bounds the co-actions kept as evidence per edge. Default 5.
	EvidenceCap int `json:"evidence_cap"`
	// AllTargets: the loader keeps co-repost/co-reply/co-quote actions on every post, not only
	// on the watchlist's posts.
	AllTargets bool `json:"all_targets"`
	// SameDomain: co-link objects are URL domains instead of full URLs.
	SameDomain bool `json:"same_domain"`
	// NearDuplicates: co-text objects are near-duplicate groups (MinHash/LSH) instead of exact
	// normalised texts.
	NearDuplicates bool `json:"near_duplicates"`
	// PhraseN is the length in words of a co-phrase n-gram. Default 6.
	PhraseN int `json:"phrase_n"`
	// PhraseMaxAccounts: a co-phrase object must be used by at most this many non-watchlist
	// accounts, so that slogans and quotations everyone uses are not objects. Default 50.
	PhraseMaxAccounts int `json:"phrase_max_accounts"`
	// Workers for the kernel; 0 = GOMAXPROCS.
	Workers int `json:"-"`
	// Progress, when set, is told how far each step has come (see Progress); it is called from
	// several goroutines, and with done = total when a step ends.
	Progress Progress `json:"-"`
	// exactScores turns off the pruning of pair scores (tests: pruning must not change results).
	exactScores bool
	// MemoryBudget in bytes for the emitted pair keys (8 bytes each) held in memory; beyond it
	// keys are spilled to per-partition files in TempDir. Default 512 MiB.
	MemoryBudget int64 `json:"memory_budget"`
	// TempDir for spilled runs ("" = the system temporary folder).
	TempDir string `json:"-"`
	// Seed is recorded for reproducibility (the caller seeds the rng with it).
	Seed uint64 `json:"seed"`
}

// Defaults returns p with zero fields set to their defaults.
func (p Params) Defaults() Params {
	if p.Window <= 0 {
		p.Window = 60 * time.Second
	}
	p.WindowSeconds = p.Window.Seconds()
	if p.MinWeight <= 0 {
		p.MinWeight = 2
	}
	if p.Weight == "" {
		p.Weight = WeightCount
	}
	if p.FDR <= 0 {
		p.FDR = 0.05
	}
	if p.GroupObjectCap <= 0 {
		p.GroupObjectCap = 1000
	}
	if p.Algorithm == "" {
		p.Algorithm = Leiden
	}
	if p.Resolution <= 0 {
		p.Resolution = 0.5
	}
	if p.MinClusterSize <= 0 {
		p.MinClusterSize = 2
	}
	if p.EvidenceCap <= 0 {
		p.EvidenceCap = 5
	}
	if p.PhraseN <= 0 {
		p.PhraseN = 6
	}
	if p.PhraseMaxAccounts <= 0 {
		p.PhraseMaxAccounts = 50
	}
	if p.MemoryBudget <= 0 {
		p.MemoryBudget = 512 << 20
	}
	return p
}

// Validate reports the first invalid parameter.
func (p Params) Validate() error {
	switch p.Weight {
	case WeightCount, WeightPairs, WeightJaccard, WeightTFIDF:
	default:
		return fmt.Errorf("weight %q: want count, pairs, jaccard or tfidf", p.Weight)
	}
	switch p.Algorithm {
	case Leiden, Louvain, Components:
	default:
		return fmt.Errorf("algorithm %q: want leiden, louvain or components", p.Algorithm)
	}
	if p.Percentile < 0 || p.Percentile >= 1 {
		return fmt.Errorf("percentile %v: want a value in [0, 1)", p.Percentile)
	}
	if math.IsNaN(p.FDR) || p.FDR >= 1 {
		return fmt.Errorf("fdr %v: want a value in (0, 1)", p.FDR)
	}
	if p.NullRuns < 0 {
		return fmt.Errorf("null runs %d: want ≥ 0 (0: automatic)", p.NullRuns)
	}
	if p.MinParticipation < 0 {
		return fmt.Errorf("min participation %d: want ≥ 0", p.MinParticipation)
	}
	return nil
}

// Progress receives the progress of one step of Load or Detect: done of total units (rows read,
// signals counted, null replicates, pairs scored, groups tested). Steps, in order: "read"
// (rows), "co-action pairs" (signals), "empirical null" (replicates), "account test" (one
// unit), "pair scores" (pairs), "cluster tests" (groups). A step that does not run is not
// reported.
type Progress func(step string, done, total int64)

// report calls Progress if it is set.
func (p *Params) report(step string, done, total int64) {
	if p.Progress != nil {
		p.Progress(step, done, total)
	}
}
