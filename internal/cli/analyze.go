package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/store"
)

// analyzeOptions are the settings of one analysis run.
type analyzeOptions struct {
	since, until, asOf string
	labelAsOf          string
	signals            string
	window             time.Duration
	minWeight          int
	seed               uint64
	noCoord            bool
	concentrationBase  string
	actorGroups        []string
}

func newAnalyzeCmd(a *App) *cobra.Command {
	var o analyzeOptions
	cmd := &cobra.Command{
		Use:   "analyze",
		Short: "Compute the findings and the coordination network and store them in the study",
		Long: `analyze runs the two analyses and stores their results in the study, where findings,
report, export and serve read them:

  1. coordination detection (DESIGN §5): co-action networks among amplifiers inside a sliding
     time window, filtered by a null model, clustered with Leiden; evidence per edge and cluster;
  2. the findings (DESIGN §4, docs/metrics.md): volume, labels, concentration, suspended share,
     speed, focus, account age and weekly composition — with the coordinated accounts from step 1.

All results of one run are stored in one transaction, recorded as a run (the runs view: id,
command, parameters, time, the latest import it saw, what it wrote); report, export and serve
flag results of different runs combined, and results older than the latest import.

Results are deterministic for a --seed.`,
		Example: `  echotrace analyze
  echotrace analyze --since 2020-06-09 --until 2021-02-23 --status-as-of 2021-03-01
  echotrace analyze --signals co-repost,co-reply --window 30s`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runAnalyze(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.since, "since", "", "window start (RFC 3339 or YYYY-MM-DD; default: all)")
	f.StringVar(&o.until, "until", "", "window end (default: all)")
	f.StringVar(&o.asOf, "status-as-of", "", "status observation date for suspended/deleted shares (default: the latest observation)")
	f.StringVar(&o.labelAsOf, "label-as-of", "", "label observation date (default: the status date)")
	f.StringVar(&o.signals, "signals", "", "coordination signals, comma-separated (default: every signal present)")
	f.DurationVar(&o.window, "window", 60*time.Second, "co-action window: |t_A − t_B| ≤ window")
	f.IntVar(&o.minWeight, "min-weight", 2, "minimum distinct co-acted objects for an edge")
	f.Uint64Var(&o.seed, "seed", 1, "random seed (community detection, null model)")
	f.BoolVar(&o.noCoord, "no-coord", false, "skip coordination detection")
	f.StringArrayVar(&o.actorGroups, "actor-group", nil, "report this actor group beside the total, NAME=actor_type,... (repeatable; replaces the groups of the study's echotrace.toml, else the default groups diplomats and state_media; none: no groups)")
	f.StringVar(&o.concentrationBase, "concentration-base", amplify.BaseReposters, "who the concentration figures are over: reposters (accounts with ≥ 1 repost, the reference study's rule) or amplifiers (every amplifier, non-reposters as zeros)")
	return cmd
}

func (a *App) runAnalyze(ctx context.Context, o analyzeOptions) error {
	var p amplify.Params
	var err error
	if p.Since, err = parseDate("--since", o.since, false); err != nil {
		return err
	}
	// A date-only --until, --status-as-of or --label-as-of covers that whole day, as in findings.
	if p.Until, err = parseDate("--until", o.until, true); err != nil {
		return err
	}
	if p.AsOf, err = parseDate("--status-as-of", o.asOf, true); err != nil {
		return err
	}
	if p.LabelAsOf, err = parseDate("--label-as-of", o.labelAsOf, true); err != nil {
		return err
	}
	if p.ConcentrationBase, err = concentrationBase(o.concentrationBase); err != nil {
		return err
	}
	if p.ActorGroups, p.ActorGroupsSource, err = a.actorGroups(o.actorGroups); err != nil {
		return err
	}
	cp := coord.Params{Window: o.window, MinWeight: o.minWeight}
	if o.signals != "" {
		for _, s := range strings.Split(o.signals, ",") {
			sig, err := coord.ParseSignal(strings.TrimSpace(s))
			if err != nil {
				return usageError(err)
			}
			cp.Signals = append(cp.Signals, sig)
		}
	}
	st, err := a.OpenStore(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	// Both analyses read the snapshot (the findings too, with --no-coord).
	if err := a.refreshSnapshot(ctx, st); err != nil {
		return err
	}
	if !o.noCoord {
		a.coordDefaults(&cp, false)
		if err := a.checkCoordMemory(ctx, st, cp); err != nil {
			return err
		}
	}

	// Every result of the run goes into one transaction, committed after the findings: a
	// failure or a kill part-way leaves the study's earlier results as they were, never the
	// clusters of this run beside the findings of another.
	run, err := st.BeginRun(ctx, "analyze", o.params())
	if err != nil {
		return err
	}
	defer run.Rollback()
	rs := store.WithRun(st, run)

	start := time.Now()
	// The findings' input does not depend on the coordination result: load it while
	// coordination runs (2 cores), then compute the findings with the coordinated accounts.
	var (
		ain     amplify.Input
		loadErr error
		loaded  = make(chan struct{})
	)
	go func() {
		defer close(loaded)
		ain, loadErr = amplify.Load(ctx, st, p)
	}()
	var cres coord.Result
	if !o.noCoord {
		a.Logf("coordination: detecting co-action networks …")
		var done func()
		cp.Progress, done = a.steps("coordination")
		cres, err = coord.Analyze(ctx, rs, cp, rand.New(rand.NewPCG(o.seed, 0x5eed)))
		done()
		if err != nil {
			<-loaded
			return fmt.Errorf("coordination: %w", err)
		}
		a.Logf("coordination: %d edges, %d clusters (%.1fs)", len(cres.Edges), len(cres.Clusters), time.Since(start).Seconds())
	}
	<-loaded
	if loadErr != nil {
		return fmt.Errorf("findings: %w", loadErr)
	}
	t1 := time.Now()
	// With --no-coord the findings take the coordinated accounts of the stored coordination
	// result; the run records which run that was.
	f, err := amplify.Finish(ctx, rs, ain, p)
	if err != nil {
		return fmt.Errorf("findings: %w", err)
	}
	a.Logf("findings: %d target posts, %d amplifiers, %d target reposts (%.1fs after coordination)", f.Posts, f.Amplifiers, f.TargetReposts, time.Since(t1).Seconds())
	r, err := run.Commit(ctx)
	if err != nil {
		return err
	}
	if a.JSON {
		return a.PrintJSON(map[string]any{"findings": f, "coord": map[string]any{"edges": len(cres.Edges), "clusters": len(cres.Clusters)},
			"run": r, "seconds": time.Since(start).Seconds()})
	}
	a.Logf("stored as run %d; see `echotrace findings`, `echotrace coord`, `echotrace report --out report.html`", r.ID)
	return nil
}

// params are the run's parameters as stored with its results (core.runs), by flag name.
func (o analyzeOptions) params() map[string]any {
	return map[string]any{"since": o.since, "until": o.until, "status-as-of": o.asOf, "label-as-of": o.labelAsOf,
		"signals": o.signals, "window": o.window.String(), "min-weight": o.minWeight, "seed": o.seed,
		"no-coord": o.noCoord, "concentration-base": o.concentrationBase, "actor-group": o.actorGroups}
}
