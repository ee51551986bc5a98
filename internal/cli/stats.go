package cli

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

func newStatsCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "Count what the study holds: per table, per platform and per import",
		Example: `  echotrace stats
  echotrace stats --json | jq .posts`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.OpenStore(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer st.Close()
			s, err := st.Stats(cmd.Context())
			if err != nil {
				return err
			}
			if a.JSON {
				return a.PrintJSON(s)
			}
			tw := tabwriter.NewWriter(a.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "table\trows\t")
			for _, r := range []struct {
				name string
				n    int64
			}{{"accounts", s.Accounts}, {"posts", s.Posts}, {"engagements", s.Engagements},
				{"shares", s.Shares}, {"watchlist", s.Watchlist}, {"status_observations", s.Statuses},
				{"label_observations", s.Labels}, {"rejects", s.Rejects}, {"conflicts", s.Conflicts}} {
				fmt.Fprintf(tw, "%s\t%d\t\n", r.name, r.n)
			}
			tw.Flush()
			if len(s.PerPlatform) > 0 {
				fmt.Fprintln(a.Out)
				tw = tabwriter.NewWriter(a.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintln(tw, "platform\taccounts\tposts\tengagements\tshares\t")
				var names []string
				for p := range s.PerPlatform {
					names = append(names, p)
				}
				sort.Strings(names)
				for _, p := range names {
					c := s.PerPlatform[p]
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", p, c.Accounts, c.Posts, c.Engagements, c.Shares)
				}
				tw.Flush()
			}
			if len(s.Imports) > 0 {
				fmt.Fprintf(a.Out, "\n%d imports; latest: %s (%s)\n", len(s.Imports), termCell(s.Imports[len(s.Imports)-1].Source), termCell(s.Imports[len(s.Imports)-1].Format))
			}
			if s.Conflicts > 0 {
				fmt.Fprintf(a.Out, "identity conflicts: a known id with another author, kind or post (the first seen is kept), one row per field: echotrace sql \"SELECT * FROM conflicts\"\n")
			}
			return nil
		},
	}
}

// logConflicts says how many of the records imported were identity conflicts — a known id
// with another author, kind or referenced post — rather than plain duplicates (they are
// counted among the duplicates of the import summary), and where to see them.
func (a *App) logConflicts(files []store.ImportSummary) {
	var n event.Counts
	for _, f := range files {
		n = n.Plus(f.Conflicts)
	}
	if n == (event.Counts{}) {
		return
	}
	var parts []string
	for _, c := range []struct {
		name string
		n    int64
	}{{"post", n.Posts}, {"engagement", n.Engagements}} {
		switch {
		case c.n == 1:
			parts = append(parts, "1 "+c.name)
		case c.n > 1:
			parts = append(parts, fmt.Sprintf("%d %ss", c.n, c.name))
		}
	}
	a.Logf("identity conflicts among the duplicates: %s with a known id but another author, kind or post; the first seen is kept, see echotrace sql \"SELECT * FROM conflicts\"", strings.Join(parts, ", "))
}
