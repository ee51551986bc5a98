package cli

import (
	crand "crypto/rand"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/export"
	"github.com/echotrace/echotrace/internal/report/pseudonym"
)

func newExportCmd(a *App) *cobra.Command {
	var (
		format, out string
		reveal      bool
		strict      bool
	)
	cmd := &cobra.Command{
		Use:   "export --format csv|parquet|json|gexf|graphml --out DIR [--reveal]",
		Short: "Export posts, engagements, accounts, findings and the coordination network",
		Long: `export writes the study's data into DIR for pandas, R, DuckDB and Gephi, with a
manifest.json listing every file, its row count and SHA-256.

  csv, json, parquet  posts, engagements, accounts (with watch flag, latest status, cluster
                      and coordination score), findings (flattened key/value), edges (weight,
                      score, p-value, a count per signal), evidence (the co-actions behind each
                      edge) and clusters (evidence-card figures and members). json writes JSON
                      Lines (.jsonl) plus findings.json; parquet has typed columns and UTC
                      timestamps.
  gexf, graphml       network.gexf (GEXF 1.3) or network.graphml for Gephi: accounts with
                      cluster, score, suspended, deleted, followers; edges with weight, count,
                      score, p-value, signals and a count per signal.

Accounts that are not on the watchlist are pseudonymised with the study's key, as in the
report: ids and handles become acct_… pseudonyms, names are emptied, ids of their posts become
post_… pseudonyms and @mentions of them in texts are replaced; the same account has the same
pseudonym in every file, so joins still work. --reveal exports everything in clear.

manifest.json also says which run stored the findings and the clusters ("results"): when they
come from different runs, or from before the latest import, it lists "warnings" (printed on
stderr too); --strict refuses to export instead.`,
		Example: `  echotrace export --format parquet --out export/
  echotrace export --format gexf --out gephi/ && gephi gephi/network.gexf
  duckdb -c "SELECT kind, count(*) FROM 'export/posts.parquet' GROUP BY kind"`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			ok := false
			for _, f := range export.Formats {
				ok = ok || f == format
			}
			if !ok {
				return usageError(fmt.Errorf("--format %q: want one of %s", format, strings.Join(export.Formats, ", ")))
			}
			if out == "" {
				return usageError(fmt.Errorf("--out is required (the folder to write)"))
			}
			ctx := cmd.Context()
			st, err := a.OpenStore(ctx, reveal)
			if err != nil {
				return err
			}
			defer st.Close()
			var key []byte
			if !reveal {
				if key, err = pseudonym.Key(ctx, st, crand.Reader, a.Now()); err != nil {
					return err
				}
			}
			groupsWarnings, err := a.storedGroupsWarnings(ctx, st)
			if err != nil {
				return err
			}
			man, err := export.Run(ctx, st, st, format, out, export.Options{Reveal: reveal, Key: key, Now: a.Now(), Strict: strict, Warnings: groupsWarnings})
			if err != nil {
				return err
			}
			a.warnResults(man.Warnings) // manifest.json has them too
			if a.JSON {
				return a.PrintJSON(man)
			}
			tw := tabwriter.NewWriter(a.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "file\trows\tbytes")
			for _, f := range man.Files {
				fmt.Fprintf(tw, "%s\t%d\t%d\n", f.Name, f.Rows, f.Bytes)
			}
			tw.Flush()
			if len(man.Missing) > 0 {
				a.Logf("not in the study yet (run `echotrace analyze`): %s", strings.Join(man.Missing, ", "))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "csv", "csv, parquet, json, gexf or graphml")
	f.StringVar(&out, "out", "", "folder to write (created if needed; required)")
	f.BoolVar(&reveal, "reveal", false, "keep handles, names and ids of non-watchlist accounts (internal use only)")
	f.BoolVar(&strict, "strict", false, "refuse to export when the stored findings and clusters come from different runs or predate the latest import")
	return cmd
}
