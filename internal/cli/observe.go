package cli

import (
	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
)

// newObservationCmd builds `echotrace NAME import FILE...` for the watchlist, status and
// label CSVs, which are ordinary connectors forced by name.
func newObservationCmd(a *App, name, format, short, header string) *cobra.Command {
	parent := &cobra.Command{Use: name, Short: short}
	var opt ingest.Options
	imp := &cobra.Command{
		Use:   "import FILE.csv...",
		Short: short,
		Long: short + `.

The CSV header is:
  ` + header + `

Times are RFC 3339 or "2006-01-02[ 15:04:05]" (UTC). Rows that cannot be read are kept in the
rejects table with file, line and reason; re-importing the same file changes nothing.`,
		Example: "  echotrace " + name + " import " + name + ".csv",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := all.New(all.Options{})
			if err != nil {
				return err
			}
			opt.Format = format
			return a.runImport(cmd.Context(), reg, args, opt)
		},
	}
	imp.Flags().BoolVar(&opt.Strict, "strict", false, "stop at the first row that cannot be read (exit code 3)")
	imp.Flags().BoolVar(&opt.Force, "force", false, "re-read files that were already imported")
	parent.AddCommand(imp)
	return parent
}
