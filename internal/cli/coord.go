package cli

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/store"
)

func newCoordCmd(a *App) *cobra.Command {
	var (
		signals    []string
		p          coord.Params
		weight     string
		algorithm  string
		edgesFile  string
		memoryMiB  int64
		noStore    bool
		gcPercent  int
		window     time.Duration
		minWeight  int
		resolution float64
	)
	cmd := &cobra.Command{
		Use:   "coord",
		Short: "Find coordinated accounts: co-action networks, significance, clusters, evidence",
		Long: `coord builds the network of accounts that act together: two different accounts co-act
when they act on the same object (the same reposted post, replied-to post, quoted post,
normalised text, URL, hashtag sequence, shared object, or rare phrase copied from a target
post) within --window of each other
(|t_A − t_B| ≤ window, inclusive, sliding). An edge's count is the number of DISTINCT objects
the two accounts co-acted on, summed over the signals.

Edges below --min-weight are dropped; then a calibrated significance layer keeps what chance
cannot explain. Every action is moved in time many times over (each account keeps its
activity, its speed and its own timeline; each object its popularity and creation time), and
an edge — or an account, by the account test that counts co-acted objects — is kept when the
share of results as strong on those copies, the false discovery rate, is at most --fdr. Every
run reports how many of its edges and accounts chance alone would give (JSON: null.calibration).
Clusters are found by Leiden (default), Louvain or connected
components; each carries an evidence card.

The result is stored in the study (document "coord", tables result_coord_*) unless --no-store,
as one run (the runs view). Findings stored by an earlier ` + "`echotrace analyze`" + ` were not
computed with the new clusters: report, export and serve then flag the mix until analyze runs
again.
Definitions and the mapping to the QUT toolkit, CooRTweet and Pacheco et al. (2021) are in
docs/coordination.md. For CooRTweet's exact output use --weight pairs --min-weight 1
--min-participation N --alpha -1.`,
		Example: `  echotrace coord                                   # all signals, 60 s, min weight 2
  echotrace coord --signals co-repost --window 10s --edges edges.csv
  echotrace coord --signals co-share --window 30s --weight pairs --min-weight 1 \
      --min-participation 2 --alpha -1 --percentile 0.5   # CooRTweet semantics
  echotrace coord --json > coord.json                # params, clusters, accounts, edges
  echotrace coord --edges network.gexf               # Gephi`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, s := range signals {
				for _, part := range strings.Split(s, ",") {
					if part = strings.TrimSpace(part); part == "" {
						continue
					}
					sig, err := coord.ParseSignal(part)
					if err != nil {
						return usageError(fmt.Errorf("--signals: %w", err))
					}
					p.Signals = append(p.Signals, sig)
				}
			}
			if window <= 0 {
				return usageError(fmt.Errorf("--window %s: want a positive duration such as 60s", window))
			}
			if minWeight < 1 {
				return usageError(fmt.Errorf("--min-weight %d: want ≥ 1", minWeight))
			}
			p.Window, p.MinWeight, p.Resolution = window, minWeight, resolution
			p.Weight, p.Algorithm = coord.WeightKind(weight), coord.Algorithm(algorithm)
			if cmd.Flags().Changed("memory-mib") {
				p.MemoryBudget = memoryMiB << 20
			}
			if p.FDR <= 0 || p.FDR >= 1 {
				return usageError(fmt.Errorf("--fdr %v: want a rate in (0, 1) such as 0.05", p.FDR))
			}
			if err := p.Defaults().Validate(); err != nil {
				return usageError(err)
			}
			if gcPercent > 0 && os.Getenv("GOGC") == "" {
				// The pair keys and groups are large and long-lived: a lower GC target keeps
				// the heap from doubling past them (DESIGN §6: 10 M reposts within 2 GiB).
				defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
			}
			ctx := cmd.Context()
			st, err := a.OpenStore(ctx, noStore)
			if err != nil {
				return err
			}
			defer st.Close()
			if !noStore { // a read-only study is read from the views when its snapshot is stale
				if err := a.refreshSnapshot(ctx, st); err != nil {
					return err
				}
			}
			a.coordDefaults(&p, cmd.Flags().Changed("temp-dir") || noStore) // --no-store writes nothing into the study
			if err := a.checkCoordMemory(ctx, st, p); err != nil {
				return err
			}
			rng := rand.New(rand.NewPCG(p.Seed, 0x636f6f7264))
			var res coord.Result
			var done func()
			p.Progress, done = a.steps("coordination")
			if noStore {
				in, err := coord.Load(ctx, st, p)
				if err != nil {
					done()
					return err
				}
				res, err = coord.Detect(ctx, in, p, rng)
				done()
				if err != nil {
					return err
				}
			} else {
				// Stored as one run, in one transaction: the document and its tables together.
				run, err := st.BeginRun(ctx, "coord", p.Defaults())
				if err != nil {
					done()
					return err
				}
				defer run.Rollback()
				res, err = coord.Analyze(ctx, store.WithRun(st, run), p, rng)
				done()
				if err != nil {
					return err
				}
				r, err := run.Commit(ctx)
				if err != nil {
					return err
				}
				a.Logf("stored as run %d", r.ID)
				if state, err := store.CheckResults(ctx, st, resultNames...); err == nil && state.Mixed {
					a.warnResults(state.Warnings)
				}
			}
			if edgesFile != "" {
				f, err := os.Create(edgesFile)
				if err != nil {
					return fmt.Errorf("--edges: %w", err)
				}
				write := coord.WriteEdgesCSV
				if strings.HasSuffix(strings.ToLower(edgesFile), ".gexf") {
					write = coord.WriteGEXF
				}
				if err := write(f, res); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return fmt.Errorf("--edges: %w", err)
				}
			}
			if a.JSON {
				return coord.WriteJSON(a.Out, res)
			}
			printCoord(a, res, edgesFile)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&signals, "signals", nil, "signals to use, comma-separated: co-repost,co-reply,co-quote,co-text,co-link,co-hashtag,co-share,co-phrase (default: every signal with data except co-phrase, which is computed only when named: it is slow on large studies)")
	f.DurationVar(&window, "window", 60*time.Second, "co-action window: actions on the same object at most this far apart (inclusive)")
	f.IntVar(&minWeight, "min-weight", 2, "drop account pairs that co-acted on fewer distinct objects (pair rows with --weight pairs)")
	f.IntVar(&p.MinParticipation, "min-participation", 0, "CooRTweet's min_participation: accounts need this many shares, and a pair needs one account with this many co-shares (0: off)")
	f.StringVar(&weight, "weight", "count", "edge weight: count (distinct objects), pairs (CooRTweet pair rows), jaccard, tfidf (cosine, Pacheco et al. 2021)")
	f.Float64Var(&p.Percentile, "percentile", 0, "keep only edges whose weight is above this quantile of all weights, e.g. 0.5 (CooRTweet edge_weight; 0: off)")
	f.Float64Var(&p.FDR, "fdr", 0.05, "false discovery rate of the calibrated significance layer: edges and accounts are kept when the empirical null gives at most this share of results as strong")
	f.IntVar(&p.NullRuns, "null-runs", 0, "replicates of the empirical null (0: by data size, 20 on small studies down to 2 on tens of millions of co-action pairs)")
	f.IntVar(&p.GroupObjectCap, "group-object-cap", 1000, "objects with more actions are left out of the account test (they stay in the pair test)")
	f.Float64Var(&p.Alpha, "alpha", 0, "legacy: instead of --fdr, keep edges whose analytic p-value is ≤ alpha ÷ candidate pairs (Bonferroni; no empirical null, no account test); negative disables the filter")
	f.Float64Var(&p.EdgeAlpha, "edge-alpha", 0, "legacy, with --alpha: screen edges at this p-value before clustering and test the clusters as wholes")
	f.StringVar(&algorithm, "algorithm", "leiden", "clustering: leiden, louvain or components")
	f.Float64Var(&resolution, "resolution", 0.5, "Leiden/Louvain resolution (1 = modularity; larger gives smaller clusters)")
	f.IntVar(&p.MinClusterSize, "min-cluster-size", 2, "do not report smaller clusters")
	f.StringVar(&edgesFile, "edges", "", "also write the edges to FILE: CSV (source,target,weight,...), or GEXF 1.3 when FILE ends in .gexf")
	f.Uint64Var(&p.Seed, "seed", 1, "random seed of Leiden/Louvain (results are deterministic for a seed)")
	f.BoolVar(&p.AllTargets, "all-targets", false, "co-repost/reply/quote on every post, not only the watchlist's posts")
	f.BoolVar(&p.SameDomain, "same-domain", false, "co-link on URL domains instead of full URLs")
	f.BoolVar(&p.NearDuplicates, "near-duplicates", false, "co-text on near-duplicate groups (MinHash/LSH over word 3-shingles, Jaccard ≥ 0.7) instead of identical normalised text")
	f.Int64Var(&memoryMiB, "memory-mib", 0, "memory for pair keys in MiB; beyond it they are spilled to temporary files (default: an eighth of the --memory budget's analysis share)")
	f.IntVar(&gcPercent, "gc-percent", 50, "Go garbage-collector target while detecting (GOGC; lower uses less memory and more CPU; 0: leave as is; $GOGC overrides)")
	f.StringVar(&p.TempDir, "temp-dir", "", "folder for spilled pair keys (default: the study's tmp folder)")
	f.BoolVar(&noStore, "no-store", false, "do not store the result in the study (opens it read-only)")
	return cmd
}

func printCoord(a *App, r coord.Result, edgesFile string) {
	out := a.Out
	filter := "null filter off"
	switch {
	case r.Null.Calibration != nil:
		c := r.Null.Calibration
		filter = fmt.Sprintf("FDR %g over %d null runs: score ≥ %.1f; chance alone gives ~%.1f of these edges and ~%.1f flagged accounts",
			c.FDR, c.Runs, c.EdgeScore, c.ExpectedEdges, c.ExpectedFlagged)
	case r.Params.Alpha > 0:
		filter = fmt.Sprintf("p ≤ %.3g", r.Null.Threshold)
	}
	fmt.Fprintf(out, "signals %s, window %gs: %d candidate pairs, %d at ≥ %d, %d kept (%s), %d clusters, %d accounts\n",
		joinSignals(r.Params.Signals), r.Params.WindowSeconds, r.Null.Candidates, r.Null.AboveMinWeight, r.Params.MinWeight,
		len(r.Edges), filter, len(r.Clusters), len(r.Accounts))
	for i, c := range r.Clusters {
		if i == 10 {
			fmt.Fprintf(out, "… %d more clusters (--json for all)\n", len(r.Clusters)-10)
			break
		}
		var targets []string
		for j, t := range c.Targets {
			if j == 3 {
				break
			}
			if t.Author != "" {
				targets = append(targets, termCell(t.Object)+" by "+termCell(t.Author))
			} else {
				targets = append(targets, termCell(t.Object))
			}
		}
		fmt.Fprintf(out, "cluster %d: %d accounts, density %.2f, score %.1f, median gap %.0fs, suspended %.0f%%, targets: %s\n",
			c.ID, c.Size, c.Density, c.Score, c.MedianGap, 100*c.SuspendedShare, strings.Join(targets, ", "))
	}
	if edgesFile != "" {
		fmt.Fprintf(out, "edges written to %s\n", edgesFile)
	}
}

func joinSignals(s []coord.Signal) string {
	var parts []string
	for _, x := range s {
		parts = append(parts, string(x))
	}
	return strings.Join(parts, ",")
}
