package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/settings"
	"github.com/echotrace/echotrace/internal/simulate"
)

func newDemoCmd(a *App) *cobra.Command {
	var (
		scale float64
		seed  uint64
	)
	cmd := &cobra.Command{
		Use:   "demo [DIR]",
		Short: "Simulate a world, import it, analyse it and write the report — no network needed",
		Long: `demo runs the whole pipeline on a synthetic world calibrated to the Oxford/AP study of PRC
diplomats on Twitter (the prc-2021 preset; docs/simulate.md): it simulates the world into
DIR/world, creates the study DIR, imports the world, analyses it and writes DIR/report.html.
The world's ground truth (planted networks, expected headline figures) is in DIR/world/truth.json.`,
		Example: `  echotrace demo
  echotrace demo --scale 0.2 my-demo`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.Study = "echotrace-demo"
			if len(args) == 1 {
				a.Study = args[0]
			}
			return a.runDemo(cmd.Context(), scale, seed)
		},
	}
	cmd.Flags().Float64Var(&scale, "scale", 0.05, "world size relative to the reference study (1 = 201k posts, 1.3M reposts)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed of the world")
	return cmd
}

func (a *App) runDemo(ctx context.Context, scale float64, seed uint64) error {
	start := time.Now()
	world := filepath.Join(a.Study, "world")
	a.Logf("1/4 simulating the prc-2021 world at scale %g into %s …", scale, world)
	truth, err := simulate.Run(ctx, simulate.Config{Scale: scale, Seed: seed, Out: world})
	if err != nil {
		return err
	}
	_ = truth
	st, err := a.CreateStore(ctx)
	if err != nil {
		return err
	}
	st.Close()
	if _, err := settings.WriteTemplate(a.Study); err != nil { // as init does
		return err
	}
	a.Logf("2/4 importing …")
	reg, err := all.New(all.Options{})
	if err != nil {
		return err
	}
	json := a.JSON
	a.JSON = true // keep the per-file lines quiet; the summary follows
	out := a.Out
	a.Out = discard{}
	err = a.runImport(ctx, reg, []string{world}, ingest.Options{})
	a.Out, a.JSON = out, json
	if err != nil {
		return err
	}
	a.Logf("3/4 analysing …")
	if err := a.runAnalyze(ctx, analyzeOptions{window: 60 * time.Second, minWeight: 2, seed: seed, asOf: "2021-03-01", labelAsOf: "2021-02-23"}); err != nil {
		return err
	}
	a.Logf("4/4 writing the report …")
	report := filepath.Join(a.Study, "report.html")
	rc := newReportCmd(a)
	rc.SetContext(ctx)
	if err := rc.Flags().Set("out", report); err != nil {
		return err
	}
	if err := rc.RunE(rc, nil); err != nil {
		return err
	}
	if a.JSON {
		return a.PrintJSON(map[string]any{"study": a.Study, "report": report, "truth": filepath.Join(world, simulate.TruthFile),
			"seconds": time.Since(start).Seconds()})
	}
	fmt.Fprintf(a.Out, "report: %s\nstudy:  %s (try: echotrace --study %s findings)\ntruth:  %s\n(%.1fs)\n",
		report, a.Study, a.Study, filepath.Join(world, simulate.TruthFile), time.Since(start).Seconds())
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
