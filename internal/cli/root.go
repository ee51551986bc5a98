package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/membudget"
)

// Main runs the command line with args and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, reg *ingest.Registry) int {
	a := &App{Out: stdout, Err: stderr, Now: time.Now, Registry: reg}
	defer a.stopProfile()
	if f, ok := stderr.(*os.File); ok {
		a.Interactive = term.IsTerminal(int(f.Fd()))
	}
	root := NewRoot(a)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var r reported
	if err != nil && !(a.JSON && errors.As(err, &r)) {
		if a.JSON {
			_ = a.PrintJSON(map[string]any{"error": err.Error(), "exit_code": ExitCode(err)})
		} else {
			a.Logf("echotrace: %v", err)
		}
	}
	return ExitCode(err)
}

// NewRoot builds the command tree around a.
func NewRoot(a *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "echotrace",
		Short: "Measure state-backed amplification and coordinated networks on social media",
		Long: `echotrace measures how state-affiliated accounts (diplomats, embassies, ministries,
state media) are amplified on social media, and by whom.

A study is a folder holding echotrace.duckdb and its settings, echotrace.toml
(docs/metrics.md: the actor groups). Typical session:

  echotrace init mystudy && cd mystudy
  echotrace import ~/data/tweets/*.jsonl.gz       # twarc2, v1.1, IO archive, IRA, CSV ...
  echotrace watchlist import watchlist.csv        # the state accounts under study
  echotrace status import status.csv              # later-suspended / deleted amplifiers
  echotrace analyze                               # findings + coordination, stored
  echotrace findings                              # the headline table
  echotrace report --out report.html              # self-contained evidence report

Or try everything on a synthetic world with no network:  echotrace demo

Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 input rejected (under --strict, or
most of a file's records; report, export and serve --strict refusing results of different
runs or older than the latest import).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if a.Study == "" {
				a.Study = os.Getenv("ECHOTRACE_STUDY")
			}
			if a.Study == "" {
				a.Study = "."
			}
			if err := a.setMemory(); err != nil {
				return err
			}
			return a.startProfile()
		},
	}
	root.PersistentFlags().StringVar(&a.Study, "study", "", "study folder (default $ECHOTRACE_STUDY, else the current folder)")
	root.PersistentFlags().BoolVar(&a.JSON, "json", false, "print machine-readable JSON instead of text")
	root.PersistentFlags().StringVar(&a.memoryFlag, "memory", "", fmt.Sprintf(
		"memory budget of every step, e.g. 12GiB or 8GB: %.0f %% to DuckDB (which spills to the study's %s/ folder beyond it), the rest to the analyses; a step that would need more says so before it starts (default %.0f %% of this machine's memory: %s)",
		100*membudget.DuckDBShare, TempDir, 100*membudget.DefaultShare, membudget.Default()))
	root.PersistentFlags().StringVar(&a.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the command to this file (go tool pprof)")
	root.PersistentFlags().StringVar(&a.memProfile, "memprofile", "", "write a Go heap profile to this file when the command ends (go tool pprof -sample_index=alloc_space: every allocation by call site)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError(err) })
	for _, c := range commands(a) {
		root.AddCommand(c)
	}
	return root
}

// commands lists the subcommands, one constructor per file.
func commands(a *App) []*cobra.Command {
	return []*cobra.Command{
		newInitCmd(a),
		newImportCmd(a),
		newObservationCmd(a, "watchlist", "watchlist", "Import the watchlist: the state accounts under study",
			"platform,handle,id,actor_type,country,outlet,lang,since,until"),
		newObservationCmd(a, "status", "status", "Import account status observations (active, suspended, deleted ...)",
			"platform,account_id,handle,observed_at,status,raw_code"),
		newObservationCmd(a, "labels", "labels", "Import platform label observations (government, state-affiliated media)",
			"platform,account_id,handle,observed_at,label,class"),
		newSimulateCmd(a),
		newAnalyzeCmd(a),
		newFindingsCmd(a),
		newCoordCmd(a),
		newReportCmd(a),
		newExportCmd(a),
		newSQLCmd(a),
		newStatsCmd(a),
		newServeCmd(a),
		newCollectCmd(a),
		newPipelineCmd(a),
		newDemoCmd(a),
	}
}

// exactArgs is cobra.ExactArgs reporting a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError(err)
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs reporting a usage error.
func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MinimumNArgs(n)(cmd, args); err != nil {
			return usageError(err)
		}
		return nil
	}
}

// maxArgs is cobra.MaximumNArgs reporting a usage error.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MaximumNArgs(n)(cmd, args); err != nil {
			return usageError(err)
		}
		return nil
	}
}
