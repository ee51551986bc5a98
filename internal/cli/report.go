package cli

import (
	"bufio"
	crand "crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/report"
	"github.com/echotrace/echotrace/internal/report/pseudonym"
	"github.com/echotrace/echotrace/internal/store"
)

func newReportCmd(a *App) *cobra.Command {
	var (
		out, title, compare string
		reveal, strict      bool
		seed                uint64
		maxRows             int
	)
	cmd := &cobra.Command{
		Use:   "report --out report.html [--reveal] [--title TEXT]",
		Short: "Write a self-contained HTML evidence report of the study",
		Long: `report writes one HTML file with the study's headline findings as sentences, the methods
(definitions, parameters, data provenance, as-of dates), inline SVG charts (Lorenz curve, weekly
composition, repost latency and gaps, cluster activity hours, account creation dates, label
coverage, engagement by outlet), a drawing of the coordination network and tables of the top
amplifiers and clusters with evidence cards. It reads what ` + "`echotrace analyze`" + ` stored.

The file loads nothing from the network (no fonts, scripts or images; a Content-Security-Policy
forbids it), opens from disk, and prints to PDF from the browser.

Accounts that are not on the watchlist appear as keyed-hash pseudonyms (acct_…): the key is
created on first use and kept inside the study, never in the report, so the same account has
the same pseudonym in every report and export of the study. --reveal shows their handles,
names and bios instead: for internal use only, do not publish such a report.

Findings and clusters stored by different runs (say, ` + "`echotrace coord`" + ` after
` + "`echotrace analyze`" + `), or before the latest import, are named in a warning at the top of
the report and on stderr; --strict refuses to write the report instead.

Tables are capped at --max-rows rows (the full data is in ` + "`echotrace export`" + `).`,
		Example: `  echotrace report --out report.html
  echotrace report --out internal.html --reveal --title "UK embassy network, 2020-21"`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError(fmt.Errorf("--out is required (the HTML file to write)"))
			}
			ctx := cmd.Context()
			st, err := a.OpenStore(ctx, reveal) // the pseudonym key may have to be created
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
			name := filepath.Base(a.Study)
			if abs, err := filepath.Abs(a.Study); err == nil {
				name = filepath.Base(abs)
			}
			in, err := report.Load(ctx, st, st, report.LoadOptions{Title: title, Name: name, MaxClusters: maxRows, Compare: compare})
			if err != nil {
				return err
			}
			// Stored actor groups that the study's settings no longer define are a warning too.
			extra, err := a.storedGroupsWarnings(ctx, st)
			if err != nil {
				return err
			}
			in.Warnings = append(in.Warnings, extra...)
			if err := a.refuseResults(in.Warnings, strict); err != nil {
				return err
			}
			f, err := os.Create(out)
			if err != nil {
				return fmt.Errorf("create report: %w", err)
			}
			w := bufio.NewWriter(f)
			err = report.Render(w, in, report.Options{Reveal: reveal, Key: key, MaxRows: maxRows, Seed: seed, Now: a.Now()})
			if err == nil {
				err = w.Flush()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			info, _ := os.Stat(out)
			var size int64
			if info != nil {
				size = info.Size()
			}
			if a.JSON {
				return a.PrintJSON(map[string]any{"report": out, "bytes": size, "pseudonymised": !reveal,
					"amplifiers": len(in.Amplifiers), "clusters": len(in.Clusters), "warnings": in.Warnings})
			}
			a.Logf("report written: %s (%d KiB, %d amplifiers, %d clusters%s)", out, size>>10, len(in.Amplifiers), len(in.Clusters),
				map[bool]string{true: ", NOT pseudonymised: do not publish", false: ""}[reveal])
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "HTML file to write (required)")
	f.StringVar(&title, "title", "", "report title (default: \"State-backed amplification report\")")
	f.StringVar(&compare, "compare", "", "add the replication table: this reference study's published figures beside the study's (known: "+strings.Join(amplify.ReferenceNames(), ", ")+")")
	f.BoolVar(&reveal, "reveal", false, "show handles, names and bios of non-watchlist accounts (internal use only)")
	f.BoolVar(&strict, "strict", false, "refuse to write the report when the stored findings and clusters come from different runs or predate the latest import")
	f.Uint64Var(&seed, "seed", 1, "seed of the network layout (the same seed draws the same picture)")
	f.IntVar(&maxRows, "max-rows", 200, "rows per table and clusters with evidence cards")
	return cmd
}

// resultNames are the stored results that report, export and serve show together.
var resultNames = []string{amplify.DocumentName, amplify.CoordDocument}

// warnResults prints on stderr (with --json too) why the stored results may not belong
// together. A warning names the latest import's file or endpoint, data from the study: it goes
// through termCell, not only termText, so that no control in it acts on the terminal and a
// newline in a file name cannot forge a line of its own (a warning is one line).
func (a *App) warnResults(warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(a.Err, "echotrace: warning: %s\n", termCell(w))
	}
}

// refuseResults prints the warnings about the stored results and, under --strict, refuses
// with store.ErrResultsMixed.
func (a *App) refuseResults(warnings []string, strict bool) error {
	a.warnResults(warnings)
	if strict && len(warnings) > 0 {
		return fmt.Errorf("--strict: %w (see the warnings above); run `echotrace analyze` to recompute them together", store.ErrResultsMixed)
	}
	return nil
}
