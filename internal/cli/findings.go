package cli

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/ingest/field"
	"github.com/echotrace/echotrace/internal/store"
)

func newFindingsCmd(a *App) *cobra.Command {
	var (
		asCSV, asMD                       bool
		since, until, statusAsOf, labelAt string
		accounts, actorTypes, countries   []string
		groups                            []string
		top                               int
		concBase                          string
		actorGroups                       []string
		compare                           string
	)
	cmd := &cobra.Command{
		Use:   "findings [--json|--csv|--md]",
		Short: "Print the headline findings: volume, labels, amplifiers, concentration, suspensions, speed",
		Long: `findings prints the study's measurements as defined in docs/metrics.md (DESIGN §4):
volume (posts and the latest public like/repost/reply/quote counts), label coverage,
amplifiers (non-watchlist accounts that reposted, quoted or replied to a watchlist post),
concentration (share of reposts from the top 0.1/1/5/10 % of reposting accounts, Gini), the share of
reposts from accounts suspended or deleted as of a status date, the share of heavy amplifiers
(> 100 reposts) whose median gap between reposts is ≤ 10 s / ≤ 60 s, and the share from
coordinated accounts (from the last 'echotrace coord' run).

Without options it prints what 'echotrace analyze' stored. With a window, a watchlist subset
or a status date it computes afresh (the stored findings are left unchanged).

Dates are YYYY-MM-DD or RFC 3339, in UTC. A date-only --until or --status-as-of covers that
whole day: --until 2021-02-23 includes posts of 23 Feb; --status-as-of 2021-03-01 uses each
account's latest status observation made on or before 1 March.`,
		Example: `  echotrace findings
  echotrace findings --json | jq '.top_share["1"]'
  echotrace findings --since 2020-06-09 --until 2021-02-23 --status-as-of 2021-03-01
  echotrace findings --actor-type ambassador,embassy --country GB --md > uk.md
  echotrace findings --accounts @AmbLiuXiaoMing,@ChineseEmbinUK --csv
  echotrace findings --json --group uk=@AmbLiuXiaoMing,@ChineseEmbinUK | jq .groups`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			formats := 0
			for _, on := range []bool{a.JSON, asCSV, asMD} {
				if on {
					formats++
				}
			}
			if formats > 1 {
				return usageError(fmt.Errorf("choose one of --json, --csv and --md"))
			}
			var p amplify.Params
			var err error
			if p.Since, err = parseDate("--since", since, false); err != nil {
				return err
			}
			if p.Until, err = parseDate("--until", until, true); err != nil {
				return err
			}
			if p.AsOf, err = parseDate("--status-as-of", statusAsOf, true); err != nil {
				return err
			}
			if p.LabelAsOf, err = parseDate("--label-as-of", labelAt, true); err != nil {
				return err
			}
			if !p.Since.IsZero() && !p.Until.IsZero() && p.Since.After(p.Until) {
				return usageError(fmt.Errorf("--since %s is after --until %s", since, until))
			}
			p.Filter = amplify.Filter{Accounts: splitList(accounts), ActorTypes: splitList(actorTypes), Countries: splitList(countries)}
			p.TopN = top
			if p.ConcentrationBase, err = concentrationBase(concBase); err != nil {
				return err
			}
			if p.ActorGroups, p.ActorGroupsSource, err = a.actorGroups(actorGroups); err != nil {
				return err
			}
			if p.GroupNames, err = parseGroups(groups); err != nil {
				return err
			}
			custom := !p.Filter.Empty() || since != "" || until != "" || statusAsOf != "" || labelAt != "" ||
				len(groups) > 0 || cmd.Flags().Changed("top") || cmd.Flags().Changed("concentration-base") || len(actorGroups) > 0

			ctx := cmd.Context()
			st, err := a.OpenStore(ctx, true)
			if err != nil {
				return err
			}
			defer st.Close()
			var f amplify.Findings
			stored := false
			if !custom {
				f, err = amplify.Stored(ctx, st)
				switch {
				case err == nil:
					stored = true
				case !errors.Is(err, store.ErrNotFound):
					return err
				}
				if stored && f.ConcentrationBase != amplify.BaseReposters {
					a.Logf("the stored findings count concentration over %s (stored before the reference study's rule was the default, or with --concentration-base): run `echotrace analyze` to recompute", f.ConcentrationBase)
				}
				if stored && compare != "" && len(f.ActorGroups) == 0 {
					// Stored before the actor groups: recompute them for the stored run's dates
					// and filter.
					stored = false
					p.Filter = f.Filter
					if f.StatusAsOf > 0 {
						p.AsOf = time.Unix(f.StatusAsOf, 0).UTC()
					}
					if f.LabelAsOf > 0 {
						p.LabelAsOf = time.Unix(f.LabelAsOf, 0).UTC()
					}
					a.Logf("computed now for the stored findings' status and label dates (stored before the actor groups)")
				}
				if stored {
					w, err := a.groupsWarning(f)
					if err != nil {
						return err
					}
					if w != "" {
						a.warnResults([]string{w})
					}
				}
			}
			if !stored {
				if p.Coordinated, err = amplify.CoordinatedFromStore(ctx, st); err != nil {
					return err
				}
				in, err := amplify.Load(ctx, st, p)
				if err != nil {
					return err
				}
				if f, err = amplify.Compute(in, p); err != nil {
					return err
				}
			}
			if compare != "" {
				rows, err := amplify.Replication(compare, f)
				if err != nil {
					return usageError(fmt.Errorf("--compare: %w", err))
				}
				return a.writeReplication(rows, asCSV, asMD)
			}
			switch {
			case a.JSON:
				return a.PrintJSON(f)
			case asCSV:
				return writeFindingsCSV(a.Out, f)
			case asMD:
				return writeFindingsMD(a.Out, f)
			default:
				if !stored {
					a.Logf("computed now (not stored; run `echotrace analyze` to store the study's findings)")
				}
				return writeFindingsTable(a.Out, f)
			}
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asCSV, "csv", false, "print the headline figures as CSV (metric,value,<one column per actor group>; value is the total)")
	fl.BoolVar(&asMD, "md", false, "print Markdown tables (headline and per watch account)")
	fl.StringVar(&since, "since", "", "window start (inclusive): posts created at or after this date")
	fl.StringVar(&until, "until", "", "window end (inclusive; a date-only value covers the whole day)")
	fl.StringVar(&statusAsOf, "status-as-of", "", "status date: each account's latest status observed on or before it (default: latest)")
	fl.StringVar(&labelAt, "label-as-of", "", "label date (default: the status date)")
	fl.StringSliceVar(&accounts, "accounts", nil, "watch accounts to include, by id or @handle (comma-separated)")
	fl.StringSliceVar(&actorTypes, "actor-type", nil, "actor types to include: ambassador, embassy, consulate, staff, ministry, state_media, media_personality, other")
	fl.StringSliceVar(&countries, "country", nil, "countries to include (ISO 3166 alpha-2, comma-separated)")
	fl.IntVar(&top, "top", 50, "how many top amplifiers the findings list")
	fl.StringArrayVar(&actorGroups, "actor-group", nil, "report this actor group beside the total, NAME=actor_type,... (repeatable; replaces the groups of the study's echotrace.toml, else the default groups diplomats=ambassador,embassy,consulate,staff,ministry and state_media=state_media,media_personality; --actor-group none reports none)")
	fl.StringVar(&compare, "compare", "", "print the replication table instead: the reference study's published figures beside this study's, with the definition used for each (known: "+strings.Join(amplify.ReferenceNames(), ", ")+")")
	fl.StringVar(&concBase, "concentration-base", amplify.BaseReposters, "who the concentration figures are over: reposters (accounts with ≥ 1 repost, the reference study's rule) or amplifiers (every amplifier, non-reposters as zeros)")
	fl.StringArrayVar(&groups, "group", nil, "a named group of watch accounts for the focus figures, NAME=id-or-@handle,... (repeatable)")
	return cmd
}

// parseDate parses a --flag value; endOfDay extends a date-only value to its last second.
func parseDate(flag, s string, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := field.Time(s)
	if err != nil {
		return t, usageError(fmt.Errorf("%s %q: %w; expected YYYY-MM-DD or RFC 3339", flag, s, err))
	}
	if endOfDay && len(s) == len(time.DateOnly) {
		t = t.Add(24*time.Hour - time.Second)
	}
	return t, nil
}

// parseGroups parses --group NAME=account,account values into watch account → group name.
func parseGroups(v []string) (map[string]string, error) {
	if len(v) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, g := range v {
		name, members, ok := strings.Cut(g, "=")
		name = strings.TrimSpace(name)
		list := splitList(strings.Split(members, ","))
		if !ok || name == "" || len(list) == 0 {
			return nil, usageError(fmt.Errorf("--group %q: expected NAME=account,account (ids or @handles)", g))
		}
		for _, m := range list {
			if prev, dup := out[m]; dup && prev != name {
				return nil, usageError(fmt.Errorf("--group: %s is in both %q and %q", m, prev, name))
			}
			out[m] = name
		}
	}
	return out, nil
}

func splitList(v []string) []string {
	var out []string
	for _, s := range v {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// groupValue is metric m of actor group g, formatted as m is (empty when g lacks it).
func groupValue(m amplify.Metric, g amplify.GroupFindings, text bool) string {
	v, ok := g.Figures[m.Key]
	if !ok {
		return ""
	}
	m.Value = v
	if text {
		return m.Text()
	}
	return formatValue(m)
}

func writeFindingsTable(w io.Writer, f amplify.Findings) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(f.ActorGroups) > 0 {
		fmt.Fprint(tw, "\ttotal")
		for _, g := range f.ActorGroups {
			fmt.Fprintf(tw, "\t%s", termCell(g.Name))
		}
		fmt.Fprintln(tw)
	}
	for _, m := range f.Headline() {
		fmt.Fprintf(tw, "%s\t%s", m.Label, m.Text())
		for _, g := range f.ActorGroups {
			fmt.Fprintf(tw, "\t%s", groupValue(m, g, true))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(f.PerAccount) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "account\tactor type\tcountry\tposts\treposts by amplifiers\tamplifiers\ttop 1 %\tsuspended\t")
	for i, r := range f.PerAccount {
		if i == 20 {
			fmt.Fprintf(tw, "… %d more (--json for all)\t\t\t\t\t\t\t\t\n", len(f.PerAccount)-20)
			break
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t\n", termCell(accountName(r)), termCell(r.ActorType), termCell(r.Country), r.Posts,
			r.TargetReposts, r.Amplifiers, topText(r), pct(r.SuspendedRepostShare))
	}
	return tw.Flush()
}

func writeFindingsMD(w io.Writer, f amplify.Findings) error {
	fmt.Fprint(w, "| Metric | Value |")
	for _, g := range f.ActorGroups {
		fmt.Fprintf(w, " %s |", mdEscape(g.Name))
	}
	fmt.Fprint(w, "\n|---|---:|")
	for range f.ActorGroups {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, m := range f.Headline() {
		fmt.Fprintf(w, "| %s | %s |", mdEscape(m.Label), m.Text())
		for _, g := range f.ActorGroups {
			fmt.Fprintf(w, " %s |", groupValue(m, g, true))
		}
		fmt.Fprintln(w)
	}
	if len(f.PerAccount) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Account | Actor type | Country | Posts | Reposts by amplifiers | Amplifiers | Top 1 % | Suspended |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|")
	for _, r := range f.PerAccount {
		_, err := fmt.Fprintf(w, "| %s | %s | %s | %d | %d | %d | %s | %s |\n", mdEscape(accountName(r)), mdEscape(r.ActorType),
			mdEscape(r.Country), r.Posts, r.TargetReposts, r.Amplifiers, topText(r), pct(r.SuspendedRepostShare))
		if err != nil {
			return err
		}
	}
	return nil
}

func writeFindingsCSV(w io.Writer, f amplify.Findings) error {
	cw := csv.NewWriter(w)
	// metric, value (the total), then one column per actor group.
	head := []string{"metric", "value"}
	for _, g := range f.ActorGroups {
		head = append(head, g.Name)
	}
	_ = cw.Write(head)
	for _, m := range f.Headline() {
		row := []string{m.Key, formatValue(m)}
		for _, g := range f.ActorGroups {
			row = append(row, groupValue(m, g, false))
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// formatValue renders a metric for machines: full precision, dates as unix seconds.
func formatValue(m amplify.Metric) string {
	if m.Value == float64(int64(m.Value)) {
		return fmt.Sprint(int64(m.Value))
	}
	return fmt.Sprint(m.Value)
}

func accountName(r amplify.AccountRow) string {
	if r.Handle != "" {
		return "@" + strings.TrimPrefix(r.Handle, "@")
	}
	return r.ID
}

func topText(r amplify.AccountRow) string {
	if !r.Measured {
		return "n<100"
	}
	return pct(r.TopShare["1"])
}

func pct(v float64) string { return fmt.Sprintf("%.1f %%", 100*v) }

// mdEscape keeps untrusted text from breaking a Markdown table.
func mdEscape(s string) string {
	return termCell(strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s))
}

// concentrationBase checks a --concentration-base value.
func concentrationBase(s string) (string, error) {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "", amplify.BaseReposters:
		return amplify.BaseReposters, nil
	case amplify.BaseAmplifiers:
		return s, nil
	}
	return "", usageError(fmt.Errorf("--concentration-base %q: want %s or %s", s, amplify.BaseReposters, amplify.BaseAmplifiers))
}

// parseActorGroups reads --actor-group values: nil (the default groups) when there are none, no
// group for "none".
func parseActorGroups(v []string) ([]amplify.ActorGroup, error) {
	if len(v) == 0 {
		return nil, nil
	}
	out := []amplify.ActorGroup{}
	for _, g := range v {
		if strings.EqualFold(strings.TrimSpace(g), "none") {
			continue
		}
		name, types, ok := strings.Cut(g, "=")
		name = strings.TrimSpace(name)
		list := splitList(strings.Split(types, ","))
		if !ok || name == "" || len(list) == 0 {
			return nil, usageError(fmt.Errorf("--actor-group %q: expected NAME=actor_type,actor_type", g))
		}
		if slices.ContainsFunc(out, func(x amplify.ActorGroup) bool { return x.Name == name }) {
			return nil, usageError(fmt.Errorf("--actor-group: %q is named twice", name))
		}
		for _, t := range list {
			if !slices.Contains(actorTypes, strings.ToLower(t)) {
				return nil, usageError(fmt.Errorf("--actor-group %q: unknown actor type %q (known: %s)", g, t, strings.Join(actorTypes, ", ")))
			}
		}
		out = append(out, amplify.ActorGroup{Name: name, ActorTypes: list})
	}
	return out, nil
}

// writeReplication prints the replication table (findings --compare) as a table, Markdown,
// CSV or JSON.
func (a *App) writeReplication(rows []amplify.ReplicationRow, asCSV, asMD bool) error {
	value := func(r amplify.ReplicationRow, machine bool) string {
		if !r.Found {
			return ""
		}
		m := amplify.Metric{Value: r.Value, Share: r.Share}
		if machine {
			return formatValue(m)
		}
		return m.Text()
	}
	switch {
	case a.JSON:
		return a.PrintJSON(map[string]any{"replication": rows})
	case asCSV:
		cw := csv.NewWriter(a.Out)
		_ = cw.Write([]string{"group", "metric", "published", "this_study", "definition"})
		for _, r := range rows {
			_ = cw.Write([]string{r.Group, r.Metric, r.Published, value(r, true), r.Definition})
		}
		cw.Flush()
		return cw.Error()
	case asMD:
		fmt.Fprintln(a.Out, "| Group | Metric | Published | This study | Definition |")
		fmt.Fprintln(a.Out, "|---|---|---:|---:|---|")
		for _, r := range rows {
			fmt.Fprintf(a.Out, "| %s | %s | %s | %s | %s |\n", mdEscape(r.Group), mdEscape(r.Metric), mdEscape(r.Published),
				value(r, false), mdEscape(r.Definition))
		}
		return nil
	}
	tw := tabwriter.NewWriter(a.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "group\tmetric\tpublished\tthis study\tdefinition")
	for _, r := range rows {
		v := value(r, false)
		if !r.Found {
			v = "(no such group)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", termCell(r.Group), termCell(r.Metric), termCell(r.Published), v, termCell(r.Definition))
	}
	return tw.Flush()
}

// actorTypes are the watchlist's actor types (DESIGN §3).
var actorTypes = []string{"ambassador", "embassy", "consulate", "staff", "ministry", "state_media", "media_personality", "other"}
