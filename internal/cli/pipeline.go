//go:build beam

package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/pipeline"
)

func newPipelineCmd(a *App) *cobra.Command {
	var (
		o       pipeline.Options
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "pipeline --runner direct|prism|flink|spark|dataflow --out EDGES.csv PATH... [-- BEAM_FLAGS...]",
		Short: "Count co-repost pairs with Apache Beam, for inputs larger than one machine",
		Long: `pipeline runs the heavy part of coordination detection, co-repost pair counting, as an
Apache Beam pipeline over the input files themselves (no study needed): every file that
"echotrace import" reads (twarc2 pages, v1.1 JSON, IO archive CSV, ... compressed or not) is
decoded on a worker, reposts are grouped by the reposted post, and per post a two-pointer sweep
finds the pairs of accounts that reposted it within --window of each other (|t_A − t_B| ≤
window, inclusive). An edge's weight is the number of DISTINCT posts the pair co-reposted;
pairs below --min-weight are dropped. The edges are written once, sorted, as CSV
source,target,weight (source < target): the same edges as
  echotrace coord --signals co-repost --window W --min-weight N --alpha -1
after importing the same files (no null model, no clusters here).

When the inputs contain watchlist entries with ids (watchlist.csv), only reposts of the
watchlist accounts' posts count, as in "echotrace coord"; --all-targets counts every post.

Runners: direct and prism run in this process. flink and spark submit to a Beam job server
and dataflow to Google Cloud; give Beam's own flags after "--" (--endpoint=HOST:PORT,
--environment_type=..., --project=..., --region=..., --staging_location=gs://...). Inputs
and --out for remote runners must be paths the workers can read and write (gs://...).
See docs/pipeline.md.`,
		Example: `  echotrace simulate --preset prc-2021 --scale 0.01 --out world
  echotrace pipeline --runner direct --out edges.csv world
  echotrace pipeline --runner prism --window 10s --min-weight 3 --out edges.csv world/*.jsonl.gz
  echotrace pipeline --runner flink --out /shared/edges.csv /shared/world -- \
      --endpoint=localhost:8099 --environment_type=LOOPBACK`,
		RunE: func(cmd *cobra.Command, args []string) error {
			inputs := args
			if at := cmd.ArgsLenAtDash(); at >= 0 {
				inputs, o.RunnerFlags = args[:at], args[at:]
			}
			if len(inputs) == 0 {
				return usageError(errors.New("give the files or folders to read, e.g. echotrace pipeline --out edges.csv world"))
			}
			o.Inputs = inputs
			if o.Window <= 0 || o.Window%time.Second != 0 {
				return usageError(fmt.Errorf("--window %s: want a positive whole number of seconds such as 60s", o.Window))
			}
			if o.MinWeight < 1 {
				return usageError(fmt.Errorf("--min-weight %d: want ≥ 1", o.MinWeight))
			}
			for _, f := range o.RunnerFlags {
				if !strings.HasPrefix(f, "-") {
					return usageError(fmt.Errorf("Beam flag %q after --: want --name=value", f))
				}
			}
			if err := o.Validate(); err != nil {
				return usageError(err)
			}
			pipeline.SetLog(a.Err, verbose)
			a.Logf("pipeline: %s runner, reading %s", o.Runner, strings.Join(o.Inputs, " "))
			res, err := pipeline.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			if a.JSON {
				return a.PrintJSON(res)
			}
			c := res.Counters
			fmt.Fprintf(a.Out, "edges: %d written to %s; %d files, %d reposts, %d reposted posts, %d candidate pairs; %s runner, %.1f s\n",
				c["edges"], res.Out, res.Files, c["actions"], c["objects"], c["candidate_pairs"], res.Runner, res.Elapsed)
			if c["rejects"] > 0 {
				fmt.Fprintf(a.Out, "%d records could not be read (run echotrace import on the files for their lines and reasons)\n", c["rejects"])
			}
			if c["watch_handle_only"] > 0 {
				fmt.Fprintf(a.Out, "%d watchlist entries have no id and were ignored: the pipeline matches watchlist accounts by id\n", c["watch_handle_only"])
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Runner, "runner", "direct", "Beam runner: direct or prism (in this process), flink, spark (a job server: --endpoint after --), dataflow")
	f.StringVar(&o.Out, "out", "", "edges CSV to write (source,target,weight); a gs:// path for remote runners")
	f.DurationVar(&o.Window, "window", 60*time.Second, "co-repost window: reposts at most this far apart count (inclusive, whole seconds)")
	f.IntVar(&o.MinWeight, "min-weight", 2, "keep pairs that co-reposted at least this many distinct posts")
	f.BoolVar(&o.AllTargets, "all-targets", false, "count reposts of every post, not only of the watchlist's posts")
	f.StringVar(&o.Format, "format", "auto", "input format (as for import): auto detects it per file")
	f.BoolVar(&verbose, "verbose", false, "show Beam's own log (the plan, the job's progress)")
	return cmd
}
