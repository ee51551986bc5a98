package cli

import (
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"
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
				{"label_observations", s.Labels}, {"rejects", s.Rejects}} {
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
			return nil
		},
	}
}
