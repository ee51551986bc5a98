package report

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/report/pseudonym"
)

// Options control rendering.
type Options struct {
	// Reveal shows the handles, names and bios of non-watchlist accounts (internal use only).
	Reveal bool
	// Key is the study's pseudonym key (pseudonym.Key); required unless Reveal.
	Key []byte
	// MaxRows caps every table (default 200). MaxNodes and MaxEdges cap the network drawing
	// (defaults 400 and 3000); MaxMembers and MaxExamples cap each evidence card (30 and 5);
	// MaxWeekly caps the weekly composition charts (8 watch accounts); MaxHours the rows of the
	// hour-of-day chart (12 clusters).
	MaxRows, MaxNodes, MaxEdges, MaxMembers, MaxExamples, MaxWeekly, MaxHours int
	// Seed seeds the network layout (default 1).
	Seed uint64
	// Now is the generation time printed in the report.
	Now time.Time
}

func (o *Options) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxRows, 200)
	def(&o.MaxNodes, 400)
	def(&o.MaxEdges, 3000)
	def(&o.MaxMembers, 30)
	def(&o.MaxExamples, 5)
	def(&o.MaxWeekly, 8)
	def(&o.MaxHours, 12)
	if o.Seed == 0 {
		o.Seed = 1
	}
}

// ErrNoKey is returned by Render when neither a pseudonym key nor Reveal is given.
var ErrNoKey = errors.New("report: a pseudonym key is required unless Reveal is set")

//go:embed report.html.tmpl
var pageText string

var pageTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"f":     ff,
	"num":   numText,
	"pct":   pctText,
	"date":  func(t time.Time) string { return dateText(t) },
	"stamp": func(t time.Time) string { return stampText(t) },
	"dur":   durText,
	"trunc": truncate,
	"plain": StripBidi,
	"bdi":   Isolate,
	"inc":   func(i int) int64 { return int64(i) + 1 },
	"opac": func(v float64) string {
		if v <= 0 {
			return "1"
		}
		return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	},
	"followers": func(n int64) string {
		if n < 0 {
			return "?"
		}
		return amplify.GroupDigits(n)
	},
}).Parse(pageText))

// view is what the template renders.
type view struct {
	In          Input
	Generated   time.Time
	Pseudonymed bool
	Sentences   []string
	Definitions []definition
	Charts      map[string]chart
	Weekly      []chart
	Amplifiers  []Amplifier
	AmpHidden   int
	Clusters    []Cluster
	ClHidden    int
	MaxMembers  int
	NetNodes    int
	NetClusters int
	GroupNames  []string
	GroupRows   []groupRow
	Replication []replicationRow
}

// groupRow is one measure of the per-group table: the total and each actor group's value.
type groupRow struct {
	Label  string
	Total  string
	Values []string
}

// replicationRow is one row of the replication table, formatted.
type replicationRow struct {
	Group, Metric, Published, Value, Definition string
}

// groupMeasures are the rows of the per-group table: key in the group figures, label, the
// total from the summary, and how to format.
var groupMeasures = []struct {
	key, label string
	total      func(Summary) float64
	kind       byte // 'n' count, '%' share, 'g' Gini
}{
	{"watch_accounts", "Watch accounts", func(s Summary) float64 { return float64(s.WatchAccounts) }, 'n'},
	{"included_accounts", "Accounts with posts", func(s Summary) float64 { return float64(s.IncludedAccounts) }, 'n'},
	{"countries", "Countries", func(s Summary) float64 { return float64(s.Countries) }, 'n'},
	{"posts", "Posts", func(s Summary) float64 { return float64(s.Posts) }, 'n'},
	{"likes", "Likes", func(s Summary) float64 { return float64(s.Likes) }, 'n'},
	{"reposts", "Reposts (public counts)", func(s Summary) float64 { return float64(s.Reposts) }, 'n'},
	{"replies", "Replies (public counts)", func(s Summary) float64 { return float64(s.Replies) }, 'n'},
	{"label_share", "Labelled accounts", func(s Summary) float64 { return s.LabelShare }, '%'},
	{"amplifiers", "Amplifiers", func(s Summary) float64 { return float64(s.Amplifiers) }, 'n'},
	{"reposters", "Reposting amplifiers", func(s Summary) float64 { return float64(s.Reposters) }, 'n'},
	{"target_reposts", "Reposts by amplifiers (events)", func(s Summary) float64 { return float64(s.TargetReposts) }, 'n'},
	{"top_share.1", "Reposts by the top 1 % of reposting accounts", func(s Summary) float64 { return s.Top1 }, '%'},
	{"gini", "Gini coefficient", func(s Summary) float64 { return s.Gini }, 'g'},
	{"suspended_repost_share", "Reposts by suspended accounts", func(s Summary) float64 { return s.SuspendedShare }, '%'},
}

func measureText(v float64, kind byte) string {
	switch kind {
	case '%':
		return pctText(v)
	case 'g':
		return fmt.Sprintf("%.3f", v)
	}
	return amplify.GroupDigits(int64(v))
}

// groupTable lays out the per-group table (nil without groups).
func groupTable(in Input) ([]string, []groupRow) {
	if len(in.Groups) == 0 {
		return nil, nil
	}
	var names []string
	for _, g := range in.Groups {
		names = append(names, g.Name)
	}
	var rows []groupRow
	for _, m := range groupMeasures {
		r := groupRow{Label: m.label, Total: measureText(m.total(in.Summary), m.kind)}
		for _, g := range in.Groups {
			v, ok := g.Figures[m.key]
			if !ok {
				r.Values = append(r.Values, "–")
				continue
			}
			r.Values = append(r.Values, measureText(v, m.kind))
		}
		rows = append(rows, r)
	}
	return names, rows
}

// replicationTable formats the replication rows.
func replicationTable(in Input) []replicationRow {
	var out []replicationRow
	for _, r := range in.Replication {
		v := "no such group in this study"
		if r.Found {
			kind := byte('n')
			if r.Share {
				kind = '%'
			}
			v = measureText(r.Value, kind)
		}
		out = append(out, replicationRow{Group: strings.ReplaceAll(r.Group, "_", " "), Metric: r.Metric, Published: r.Published, Value: v, Definition: r.Definition})
	}
	return out
}

type definition struct{ Term, Meaning string }

// Render writes the report of in to w.
func Render(w io.Writer, in Input, opt Options) error {
	opt.defaults()
	if !opt.Reveal && len(opt.Key) == 0 {
		return ErrNoKey
	}
	if in.Platform == "" {
		in.Platform = "x"
	}
	if in.Title == "" {
		in.Title = "State-backed amplification report"
	}
	in = Pseudonymise(in, pseudonym.New(opt.Key, opt.Reveal))
	v := view{In: in, Generated: opt.Now, Pseudonymed: !opt.Reveal, MaxMembers: opt.MaxMembers,
		Sentences: sentences(in), Definitions: definitions, Charts: map[string]chart{}}
	v.GroupNames, v.GroupRows = groupTable(in)
	v.Replication = replicationTable(in)
	v.Charts["lorenz"] = lorenzChart(in.Lorenz, in.Summary.Gini)
	weekly := in.Weekly
	if len(weekly) > opt.MaxWeekly {
		weekly = weekly[:opt.MaxWeekly]
	}
	v.Weekly = weeklyCharts(weekly)
	if len(v.Weekly) == 0 {
		v.Weekly = []chart{emptyChart("weekly-1", "Weekly composition of reposts", "No watch account has reposts in the window.")}
	}
	v.Charts["latency"] = histogramChart("latency", "Repost latency",
		"Seconds from a target post to each of its reposts. A tall first bar means reposts within seconds of publication, faster than people read.", in.Latency)
	v.Charts["gaps"] = histogramChart("gaps", "Median gap between an amplifier's consecutive reposts",
		"Per amplifier, the median seconds between its consecutive target reposts. Super-spreaders repost every few seconds.", in.Gaps)
	v.Charts["hours"] = hoursChart(in.Clusters, opt.MaxHours)
	v.Charts["creation"] = creationChart(in.Creation)
	v.Charts["labels-actor"] = coverageChart("labels-actor", "Label coverage by actor type", in.LabelsByActor, 40)
	v.Charts["labels-country"] = coverageChart("labels-country", "Label coverage by country", in.LabelsByCountry, 60)
	v.Charts["outlets"] = outletChart(in.Outlets, 30)
	v.Charts["network"], v.NetNodes, v.NetClusters = networkChart(in.Clusters, in.Edges, opt.MaxNodes, opt.MaxEdges, opt.Seed)

	v.Amplifiers = in.Amplifiers
	if len(v.Amplifiers) > opt.MaxRows {
		v.AmpHidden = len(v.Amplifiers) - opt.MaxRows
		v.Amplifiers = v.Amplifiers[:opt.MaxRows]
	}
	v.Clusters = in.Clusters
	if len(v.Clusters) > opt.MaxRows {
		v.ClHidden = len(v.Clusters) - opt.MaxRows
		v.Clusters = v.Clusters[:opt.MaxRows]
	}
	cards := make([]Cluster, len(v.Clusters))
	for i, cl := range v.Clusters {
		if len(cl.Members) > opt.MaxMembers {
			cl.Members = cl.Members[:opt.MaxMembers]
		}
		if len(cl.Examples) > opt.MaxExamples {
			cl.Examples = cl.Examples[:opt.MaxExamples]
		}
		cards[i] = cl
	}
	v.Clusters = cards

	bw := bufio.NewWriterSize(w, 64<<10)
	if err := pageTmpl.Execute(bw, v); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return bw.Flush()
}

// Pseudonymise returns a copy of in in which every account not on in.Watch is replaced by
// its pseudonym (id and handle), loses its name and bio, and @mentions of such accounts in
// example texts are pseudonymised. Watch accounts, counts and times are unchanged. With a
// revealing mapper it returns in unchanged.
func Pseudonymise(in Input, m *pseudonym.Mapper) Input {
	if m.Reveal() {
		return in
	}
	for _, a := range in.Watch {
		m.Watch(a.Platform, a.ID, a.Handle)
	}
	known := func(a Account) { m.Known(a.Platform, a.ID, a.Handle) }
	for _, a := range in.Amplifiers {
		known(a.Account)
	}
	for _, c := range in.Clusters {
		for _, a := range c.Members {
			known(a)
		}
		for _, e := range c.Examples {
			known(e.Author)
		}
	}
	acct := func(a Account) Account {
		if m.IsWatched(a.Platform, a.ID, a.Handle) {
			return a
		}
		a.Handle = m.Handle(a.Platform, a.ID, a.Handle)
		a.ID = m.ID(a.Platform, a.ID)
		a.Name, a.Bio = "", ""
		return a
	}
	amps := make([]Amplifier, len(in.Amplifiers))
	for i, a := range in.Amplifiers {
		a.Account = acct(a.Account)
		amps[i] = a
	}
	in.Amplifiers = amps
	cls := make([]Cluster, len(in.Clusters))
	for i, c := range in.Clusters {
		members := make([]Account, len(c.Members))
		for j, a := range c.Members {
			members[j] = acct(a)
		}
		c.Members = members
		ex := make([]Example, len(c.Examples))
		for j, e := range c.Examples {
			platform := e.Author.Platform
			if platform == "" {
				platform = in.Platform
			}
			e.Author = acct(e.Author)
			e.Text = m.Text(platform, e.Text)
			ex[j] = e
		}
		c.Examples = ex
		targets := make([]Target, len(c.SharedTargets))
		for j, t := range c.SharedTargets {
			platform := t.Author.Platform
			if platform == "" {
				platform = in.Platform
			}
			if t.Author.ID != "" {
				// The object is a post: a private account's post id is pseudonymised like the
				// account (watch accounts' post ids stay as they are).
				t.Object = m.PostID(platform, t.Author.ID, t.Object)
			} else {
				t.Object = m.Text(platform, t.Object)
			}
			if t.Author.ID != "" || t.Author.Handle != "" {
				t.Author = acct(t.Author)
			}
			targets[j] = t
		}
		c.SharedTargets = targets
		cls[i] = c
	}
	in.Clusters = cls
	edges := make([]Edge, len(in.Edges))
	for i, e := range in.Edges {
		if !m.IsWatched(e.Platform, e.Source, "") {
			e.Source = m.ID(e.Platform, e.Source)
		}
		if !m.IsWatched(e.Platform, e.Target, "") {
			e.Target = m.ID(e.Platform, e.Target)
		}
		edges[i] = e
	}
	in.Edges = edges
	return in
}

func pctText(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	p := v * 100
	switch {
	case p == 0:
		return "0 %"
	case math.Abs(p) < 1:
		return strconv.FormatFloat(p, 'f', 2, 64) + " %"
	default:
		return strconv.FormatFloat(p, 'f', 1, 64) + " %"
	}
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2 January 2006")
}

func stampText(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func durText(sec float64) string {
	if sec < 0 || math.IsNaN(sec) {
		return "–"
	}
	if sec < 60 {
		return strconv.FormatFloat(math.Round(sec*10)/10, 'f', -1, 64) + " s"
	}
	return durLabel(sec)
}

// sentences writes the executive summary from the headline numbers, skipping claims whose
// numbers are absent.
func sentences(in Input) []string {
	s := in.Summary
	var out []string
	window := ""
	if !in.Since.IsZero() && !in.Until.IsZero() {
		window = fmt.Sprintf(" between %s and %s", dateText(in.Since), dateText(in.Until))
	}
	if s.WatchAccounts > 0 {
		out = append(out, fmt.Sprintf("The watchlist holds %s accounts; %s of them posted%s, from %s countries.",
			amplify.GroupDigits(int64(s.WatchAccounts)), amplify.GroupDigits(int64(s.IncludedAccounts)), window, amplify.GroupDigits(int64(s.Countries))))
	}
	if s.Posts > 0 {
		out = append(out, fmt.Sprintf("They published %s posts, which drew %s likes, %s reposts, %s replies and %s quotes.",
			amplify.GroupDigits(s.Posts), amplify.GroupDigits(s.Likes), amplify.GroupDigits(s.Reposts), amplify.GroupDigits(s.Replies), amplify.GroupDigits(s.Quotes)))
	}
	if s.IncludedAccounts > 0 {
		asOf := ""
		if !s.StatusAsOf.IsZero() {
			asOf = " as of " + dateText(s.StatusAsOf)
		}
		var per []string
		for _, g := range in.Groups {
			if n := g.Figures["included_accounts"]; n > 0 {
				per = append(per, fmt.Sprintf("%s %s of %s", strings.ReplaceAll(g.Name, "_", " "), pctText(g.Figures["label_share"]), amplify.GroupDigits(int64(n))))
			}
		}
		if len(per) > 0 {
			out = append(out, fmt.Sprintf("%s of these accounts carried a platform government or state-affiliated media label%s: %s.",
				capitalise(pctText(s.LabelShare)), asOf, strings.Join(per, ", ")))
		} else {
			out = append(out, fmt.Sprintf("%s of these accounts carried a platform government or state-affiliated media label%s.",
				capitalise(pctText(s.LabelShare)), asOf))
		}
	}
	if s.Amplifiers > 0 && s.TargetReposts > 0 {
		who := amplify.GroupDigits(s.Amplifiers) + " accounts outside the watchlist"
		if s.Reposters > 0 {
			who += " engaged with them; " + amplify.GroupDigits(s.Reposters) + " of them"
		}
		out = append(out, fmt.Sprintf("%s reposted them %s times. The most active 1 %% of the accounts that reposted made %s of all those reposts (the top 0.1 %%: %s; the top 10 %%: %s; Gini coefficient %.2f).",
			who, amplify.GroupDigits(s.TargetReposts), pctText(s.Top1), pctText(s.Top01), pctText(s.Top10), s.Gini))
	}
	if s.TargetReposts > 0 {
		asOf := ""
		if !s.StatusAsOf.IsZero() {
			asOf = " by " + dateText(s.StatusAsOf)
		}
		out = append(out, fmt.Sprintf("%s of the reposts came from accounts suspended%s, and %s from accounts that had deleted themselves.",
			capitalise(pctText(s.SuspendedShare)), asOf, pctText(s.DeletedShare)))
	}
	if s.HeavyAmplifiers > 0 {
		out = append(out, fmt.Sprintf("Of the %s amplifiers with more than 100 reposts, %s reposted with a median gap of 10 seconds or less and %s within a minute.",
			amplify.GroupDigits(s.HeavyAmplifiers), pctText(s.FastAmplifiers10s), pctText(s.FastAmplifiers60s)))
	}
	if s.CoordinatedAccounts > 0 {
		out = append(out, fmt.Sprintf("%s accounts in %s coordinated clusters acted together within the coordination window; they made %s of the reposts.",
			amplify.GroupDigits(int64(s.CoordinatedAccounts)), amplify.GroupDigits(int64(s.CoordinatedClusters)), pctText(s.CoordinatedShare)))
	}
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// definitions are the metric definitions of DESIGN §4 and §5 printed under Methods.
var definitions = []definition{
	{"Target posts", "Posts authored by watchlist accounts within the window."},
	{"Included accounts", "Watchlist accounts with at least one post in the window; countries are the distinct ISO 3166 codes of included accounts."},
	{"Volume", "Likes, reposts, replies and quotes are sums over target posts of the latest observed public count; snapshots are never added up."},
	{"Label coverage", "Share of included accounts whose latest label observation at or before the as-of date is government or state-affiliated media."},
	{"Amplifier", "Any account not on the watchlist that reposted, quoted or replied to a target post."},
	{"Concentration", "Target reposts are counted per reposting account (n = accounts with at least one target repost, as the reference study's code counts retweets per retweeting account) and sorted in descending order; the top-p share is the reposts by the ceil(p·n) most active of them divided by all target reposts. The Lorenz curve and Gini coefficient summarise the whole distribution."},
	{"Suspended and deleted share", "Target reposts made by accounts whose status as of the observation date is suspended (respectively deleted), divided by all target reposts."},
	{"Speed", "Per amplifier, the median seconds between its consecutive target reposts; fast amplifiers are those with more than 100 target reposts and a median of at most 10 s (or 60 s). Latency is the time from a target post to its repost."},
	{"Account age", "Creation dates of amplifier accounts; many accounts created on the same day or hour suggest an account farm."},
	{"Weekly composition", "Per watch account and week, the share of its reposts made by suspended, deleted, coordinated and other accounts."},
	{"Co-action", "Two different accounts acting on the same object (reposting the same post, replying to it, posting the same text or link) with |t_A − t_B| at most the window; the window slides, it is not binned."},
	{"Edge weight and clusters", "An edge's weight is the number of distinct objects two accounts co-acted on; edges are scored against a null model of chance co-action, filtered, and clustered by community detection. Each cluster's evidence card lists its members, signals, timing, creation dates, status and example posts."},
	{"Pseudonyms", "Accounts not on the watchlist are shown as acct_ followed by ten characters of a keyed hash (HMAC-SHA256 with a secret key kept in the study), like the platforms' archives do for small accounts. The same account has the same pseudonym throughout this report; names and bios of such accounts are omitted."},
}

// numText formats an integer count with thousands separators.
func numText(v any) string {
	switch n := v.(type) {
	case int:
		return amplify.GroupDigits(int64(n))
	case int64:
		return amplify.GroupDigits(n)
	case float64:
		return amplify.GroupDigits(int64(math.Round(n)))
	}
	return fmt.Sprint(v)
}
