package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/store"
)

// Study is what FromResults needs besides the findings and the coordination result: the
// watchlist and the profiles, statuses, posts and activity hours of the accounts it shows.
// Load fills it from a store.
type Study struct {
	Name       string
	Title      string
	Watch      []Account            // the watchlist
	Accounts   map[string]Account   // by account id: amplifiers, cluster members, post authors
	Posts      map[string]Example   // by post id: example posts of clusters
	Hours      map[string][24]int64 // by account id: posts per UTC hour of day
	Sources    []Source
	FindingsAt time.Time
	CoordAt    time.Time
}

// FromResults builds the report input from stored results. Either result may be the zero
// value (not computed yet); the matching charts then say there is no data.
func FromResults(f amplify.Findings, c coord.Result, s Study) Input {
	in := Input{Title: s.Title, Study: s.Name, Watch: s.Watch, Platform: "x"}
	if f.Since > 0 {
		in.Since = time.Unix(f.Since, 0).UTC()
	}
	if f.Until > 0 {
		in.Until = time.Unix(f.Until, 0).UTC()
	}
	watchByID := map[string]Account{}
	for _, w := range s.Watch {
		watchByID[w.ID] = w
		if w.Platform != "" {
			in.Platform = w.Platform
		}
	}
	acct := func(id string) Account {
		if a, ok := watchByID[id]; ok {
			return a
		}
		if a, ok := s.Accounts[id]; ok {
			return a
		}
		return Account{Platform: in.Platform, ID: id, Followers: -1}
	}
	clusterOf := map[string]string{}
	coordinated := 0
	for _, a := range c.Accounts {
		if a.Cluster >= 0 {
			clusterOf[a.ID] = strconv.Itoa(a.Cluster)
			coordinated++
		}
	}
	sum := Summary{WatchAccounts: f.WatchAccounts, IncludedAccounts: f.IncludedAccounts, Countries: f.Countries,
		Posts: f.Posts, Likes: f.Likes, Reposts: f.Reposts, Replies: f.Replies, Quotes: f.Quotes,
		LabelShare: f.LabelShare, Amplifiers: int64(f.Amplifiers), Reposters: int64(f.Reposters), TargetReposts: f.TargetReposts,
		Top01: f.TopShare["0.1"], Top1: f.TopShare["1"], Top5: f.TopShare["5"], Top10: f.TopShare["10"],
		Gini: f.Gini, SuspendedShare: f.SuspendedRepostShare, DeletedShare: f.DeletedRepostShare,
		FastAmplifiers10s: f.FastAmplifiers10s, FastAmplifiers60s: f.FastAmplifiers60s,
		HeavyAmplifiers: int64(f.HeavyAmplifiers), CoordinatedAccounts: f.CoordinatedAccounts,
		CoordinatedClusters: len(c.Clusters), CoordinatedShare: f.CoordinatedRepostShare}
	if sum.CoordinatedAccounts == 0 {
		sum.CoordinatedAccounts = coordinated
	}
	if f.StatusAsOf > 0 {
		sum.StatusAsOf = time.Unix(f.StatusAsOf, 0).UTC()
	}
	in.Summary = sum
	for _, g := range f.ActorGroups {
		in.Groups = append(in.Groups, GroupColumn{Name: g.Name, Figures: g.Figures})
	}

	in.Methods = Methods{Params: params(f, c), Sources: s.Sources, FindingsAt: s.FindingsAt, CoordAt: s.CoordAt, Calibration: calibration(c)}
	if len(f.TopAmplifiers) > 0 {
		in.Methods.Notes = append(in.Methods.Notes, fmt.Sprintf("The amplifier table lists the %d most active amplifiers kept by the analysis; `echotrace export` has every account.", len(f.TopAmplifiers)))
	}
	if c.Params.EvidenceCap > 0 {
		in.Methods.Notes = append(in.Methods.Notes, fmt.Sprintf("Each coordination edge keeps at most %d pieces of evidence; example posts are drawn from them.", c.Params.EvidenceCap))
	}

	for _, p := range f.Lorenz {
		in.Lorenz = append(in.Lorenz, Point{p.X, p.Y})
	}
	in.Weekly = weekly(f.Weekly, acct)
	in.Latency = histogram(f.LatencyHist)
	in.Gaps = histogram(f.MedianGapHist)
	for _, d := range f.CreationDays {
		if t, err := time.Parse("2006-01-02", d.Day); err == nil {
			in.Creation = append(in.Creation, DateCount{t, int64(d.Count)})
		}
	}
	for _, r := range f.LabelByActorType {
		in.LabelsByActor = append(in.LabelsByActor, Coverage{r.Key, r.Accounts, r.Labelled})
	}
	for _, r := range f.LabelByCountry {
		in.LabelsByCountry = append(in.LabelsByCountry, Coverage{r.Key, r.Accounts, r.Labelled})
	}
	for _, r := range f.ByOutlet {
		in.Outlets = append(in.Outlets, Outlet{Outlet: r.Key, Accounts: r.Accounts, Posts: r.Posts, Likes: r.Likes, Reposts: r.Reposts, Replies: r.Replies})
	}
	for _, r := range f.TopAmplifiers {
		a := acct(r.ID)
		if a.Handle == "" {
			a.Handle = r.Handle
		}
		if r.Status != "" {
			a.Status = r.Status
		}
		share := 0.0
		if f.TargetReposts > 0 {
			share = float64(r.Reposts) / float64(f.TargetReposts)
		}
		top := r.TopAccount
		if w, ok := watchByID[top]; ok && w.Handle != "" {
			top = w.Handle
		}
		in.Amplifiers = append(in.Amplifiers, Amplifier{Account: a, Reposts: r.Reposts, Share: share,
			MedianGap: r.MedianGap, MedianLatency: r.MedianLatency, TopTarget: top, Focus: r.TopAccountShare,
			Cluster: clusterOf[r.ID]})
	}
	for _, cl := range c.Clusters {
		in.Clusters = append(in.Clusters, cluster(cl, s, acct))
	}
	for _, e := range c.Edges {
		in.Edges = append(in.Edges, Edge{Platform: acct(e.Source).Platform, Source: e.Source, Target: e.Target,
			Weight: e.Weight, Signals: signalNames(e.Signals)})
	}
	return in
}

func params(f amplify.Findings, c coord.Result) []Param {
	p := c.Params
	var out []Param
	add := func(name, value, meaning string) { out = append(out, Param{name, value, meaning}) }
	if f.StatusAsOf > 0 {
		add("status as of", time.Unix(f.StatusAsOf, 0).UTC().Format("2006-01-02"), "account statuses are the latest observation at or before this date")
	}
	if f.LabelAsOf > 0 {
		add("labels as of", time.Unix(f.LabelAsOf, 0).UTC().Format("2006-01-02"), "platform labels are the latest observation at or before this date")
	}
	if f.ActorGroupsSource != "" || len(f.ActorGroups) > 0 {
		add("actor groups", actorGroupsText(f), actorGroupsMeaning(f.ActorGroupsSource))
	}
	if len(p.Signals) == 0 && p.WindowSeconds == 0 {
		return out
	}
	sigs := make([]string, len(p.Signals))
	for i, s := range p.Signals {
		sigs[i] = string(s)
	}
	add("signals", strings.Join(sigs, ", "), "kinds of co-action looked for")
	add("window", strconv.FormatFloat(p.WindowSeconds, 'f', -1, 64)+" s", "largest |t_A − t_B| between two co-actions")
	add("min weight", strconv.Itoa(p.MinWeight), "distinct objects two accounts must have co-acted on to form an edge")
	if p.MinParticipation > 0 {
		add("min participation", strconv.Itoa(p.MinParticipation), "actions an account needs to be considered")
	}
	add("edge weight", string(p.Weight), "how edges are weighted")
	switch cal := c.Null.Calibration; {
	case cal != nil:
		add("false discovery rate", strconv.FormatFloat(cal.FDR, 'g', -1, 64), fmt.Sprintf("edges and accounts are kept when chance alone — %d replicates of the empirical null, every action moved in time, each account keeping its activity, speed and timeline — gives at most this share of results as strong (and the analytic Benjamini–Hochberg bound agrees)", cal.Runs))
	case p.Alpha > 0:
		add("alpha", strconv.FormatFloat(p.Alpha, 'g', -1, 64), fmt.Sprintf("significance level of the analytic null model of chance co-action (Bonferroni over %d candidate pairs: p ≤ %.3g)", c.Null.Candidates, c.Null.Threshold))
	default:
		add("significance", "off", "no null-model filter: every pair reaching the minimum weight is an edge")
	}
	if p.Percentile > 0 {
		add("percentile", strconv.FormatFloat(p.Percentile, 'g', -1, 64), "edges below this weight percentile are dropped")
	}
	add("clustering", string(p.Algorithm), fmt.Sprintf("community detection (resolution %g, minimum cluster size %d)", p.Resolution, p.MinClusterSize))
	add("seed", strconv.FormatUint(p.Seed, 10), "random seed: the same seed gives the same clusters")
	return out
}

// actorGroupsText is the run's actor group definitions, "name = type, type; …".
func actorGroupsText(f amplify.Findings) string {
	defs := f.ActorGroupsDefined
	if f.ActorGroupsSource == "" { // stored before the definition was: the groups reported
		for _, g := range f.ActorGroups {
			defs = append(defs, amplify.ActorGroup{Name: g.Name, ActorTypes: g.ActorTypes})
		}
	}
	if len(defs) == 0 {
		return "none"
	}
	parts := make([]string, len(defs))
	for i, g := range defs {
		parts[i] = g.Name + " = " + strings.Join(g.ActorTypes, ", ")
	}
	return strings.Join(parts, "; ")
}

// actorGroupsMeaning says where the run's actor groups were defined.
func actorGroupsMeaning(source string) string {
	const what = "the groups of the \"By actor group\" table, each over the watch accounts of its actor types: "
	switch source {
	case amplify.GroupsFromSettings:
		return what + "defined in the study's settings file, echotrace.toml"
	case amplify.GroupsFromFlags:
		return what + "given on the command line (--actor-group), overriding the study's settings"
	case amplify.GroupsFromDefaults:
		return what + "echotrace's built-in groups, the reference study's (the study's echotrace.toml defines none)"
	}
	return what + "stored before echotrace recorded where they were defined"
}

// calibration copies the run's calibration report for the methods section.
func calibration(c coord.Result) *Calibration {
	cal := c.Null.Calibration
	if cal == nil {
		return nil
	}
	out := &Calibration{FDR: cal.FDR, EdgeScore: cal.EdgeScore, AccountScore: cal.AccountScore, Runs: cal.Runs,
		Edges: cal.Edges, Accounts: cal.Accounts, Flagged: cal.Flagged, ExpectedEdges: cal.ExpectedEdges,
		ExpectedAccounts: cal.ExpectedAccounts, ExpectedFlagged: cal.ExpectedFlagged, ResolutionSeconds: cal.ResolutionSeconds}
	for _, pt := range cal.Curve {
		out.Curve = append(out.Curve, CalibrationRow{Score: pt.Score, Edges: pt.Edges, Accounts: pt.Accounts,
			ExpectedEdges: pt.ExpectedEdges, ExpectedAccounts: pt.ExpectedAccounts})
	}
	return out
}

func weekly(rows []amplify.WeekRow, acct func(string) Account) []WeeklySeries {
	byAcct := map[string]*WeeklySeries{}
	total := map[string]int64{}
	var order []string
	for _, r := range rows {
		if r.Account == "" {
			continue
		}
		s, ok := byAcct[r.Account]
		if !ok {
			s = &WeeklySeries{Account: acct(r.Account)}
			byAcct[r.Account] = s
			order = append(order, r.Account)
		}
		start, err := time.Parse("2006-01-02", r.Week)
		if err != nil {
			continue
		}
		s.Weeks = append(s.Weeks, Week{Start: start, Suspended: r.Suspended, Deleted: r.Deleted, Coordinated: r.Coordinated, Other: r.Other})
		total[r.Account] += r.Reposts
	}
	sort.SliceStable(order, func(i, j int) bool {
		if total[order[i]] != total[order[j]] {
			return total[order[i]] > total[order[j]]
		}
		return order[i] < order[j]
	})
	out := make([]WeeklySeries, 0, len(order))
	for _, id := range order {
		s := byAcct[id]
		sort.Slice(s.Weeks, func(i, j int) bool { return s.Weeks[i].Start.Before(s.Weeks[j].Start) })
		out = append(out, *s)
	}
	return out
}

func histogram(bins []amplify.Bin) Histogram {
	if len(bins) == 0 {
		return Histogram{}
	}
	h := Histogram{Unit: "s"}
	for i, b := range bins {
		if i == 0 {
			h.Edges = append(h.Edges, b.Lo)
		} else if b.Lo != h.Edges[len(h.Edges)-1] {
			return Histogram{} // not contiguous: not drawable as one histogram
		}
		hi := b.Hi
		if hi < 0 {
			hi = math.Inf(1)
		}
		h.Edges = append(h.Edges, hi)
		h.Counts = append(h.Counts, b.Count)
	}
	return h
}

func signalNames(m map[coord.Signal]int) []string {
	var out []string
	for _, sg := range coord.AllSignals {
		if m[sg] > 0 {
			out = append(out, string(sg))
		}
	}
	return out
}

func cluster(cl coord.Cluster, s Study, acct func(string) Account) Cluster {
	out := Cluster{ID: strconv.Itoa(cl.ID), Size: cl.Size, Density: cl.Density, Score: cl.Score, MedianGap: cl.MedianGap,
		SuspendedShare: cl.SuspendedShare, DeletedShare: cl.DeletedShare, FollowersMedian: cl.FollowersMedian,
		FollowersMean: cl.FollowersMean, Edges: cl.Edges, OrganicEngagement: int64(cl.OrganicEngagement)}
	for _, sg := range coord.AllSignals {
		if n := cl.Signals[sg]; n > 0 {
			out.Signals = append(out.Signals, SignalCount{string(sg), n})
		}
	}
	if cl.CreatedFirst != nil {
		out.CreatedFirst = cl.CreatedFirst.UTC()
	}
	if cl.CreatedLast != nil {
		out.CreatedLast = cl.CreatedLast.UTC()
	}
	for i, t := range cl.Targets {
		if i == 10 {
			break
		}
		tg := Target{Object: t.Object, CoActions: t.CoActions}
		if t.Author != "" {
			tg.Author = acct(t.Author)
		}
		out.SharedTargets = append(out.SharedTargets, tg)
	}
	for _, m := range cl.Members {
		out.Members = append(out.Members, acct(m))
		h := s.Hours[m]
		for i := range out.Hours {
			out.Hours[i] += h[i]
		}
	}
	seen := map[string]bool{}
	for _, ex := range cl.Examples {
		for _, id := range []string{ex.SourcePost, ex.TargetPost} {
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			if p, ok := s.Posts[id]; ok {
				out.Examples = append(out.Examples, p)
			}
		}
	}
	return out
}

// LoadOptions limit what Load reads.
type LoadOptions struct {
	Title       string
	Name        string // study name shown in the report
	MaxClusters int    // clusters whose members and examples are read (default 200)
	// Compare names a reference study (amplify.ReferenceNames) whose published figures the
	// report sets beside this study's; "" for none.
	Compare string
}

// Load reads the stored findings and coordination result and the profiles, statuses, posts
// and activity they mention, through the store's query interface, and builds the report
// input. A missing document leaves its part of the report empty. When docs records runs
// (store.Runs), results of different runs, or older than the latest import, are named in
// Input.Warnings.
func Load(ctx context.Context, q store.Querier, docs store.ResultStore, opt LoadOptions) (Input, error) {
	if opt.MaxClusters <= 0 {
		opt.MaxClusters = 200
	}
	var f amplify.Findings
	var c coord.Result
	s := Study{Name: opt.Name, Title: opt.Title, Accounts: map[string]Account{}, Posts: map[string]Example{}, Hours: map[string][24]int64{}}
	for _, d := range []struct {
		name string
		v    any
		at   *time.Time
	}{{"findings", &f, &s.FindingsAt}, {"coord", &c, &s.CoordAt}} {
		body, at, err := docs.Document(ctx, d.name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return Input{}, fmt.Errorf("read %s: %w", d.name, err)
		}
		if err := json.Unmarshal(body, d.v); err != nil {
			return Input{}, fmt.Errorf("read %s document: %w", d.name, err)
		}
		*d.at = at
	}
	// Findings and clusters are shown side by side: say so loudly when they come from
	// different runs, or from before the latest import.
	state, err := store.CheckResults(ctx, docs, amplify.DocumentName, amplify.CoordDocument)
	if err != nil {
		return Input{}, err
	}
	if len(c.Clusters) > opt.MaxClusters {
		c.Clusters = c.Clusters[:opt.MaxClusters]
	}
	// accounts the report shows
	want := map[string]bool{}
	for _, a := range f.TopAmplifiers {
		want[a.ID] = true
	}
	for _, cl := range c.Clusters {
		for _, m := range cl.Members {
			want[m] = true
		}
	}
	err = each(ctx, q, `SELECT platform, coalesce(account_id, ''), coalesce(handle, ''), coalesce(actor_type, ''),
		coalesce(country, ''), coalesce(outlet, '') FROM watchlist ORDER BY platform, account_id, handle`, func(r []string) {
		s.Watch = append(s.Watch, Account{Platform: r[0], ID: r[1], Handle: r[2], ActorType: r[3], Country: r[4], Outlet: r[5], Followers: -1})
	})
	if err != nil {
		return Input{}, fmt.Errorf("read watchlist: %w", err)
	}
	// latest status at or before the findings' as-of date (any date when unbounded)
	status := map[string]string{}
	asOf := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if f.StatusAsOf > 0 {
		asOf = time.Unix(f.StatusAsOf, 0).UTC()
	}
	err = eachArgs(ctx, q, `SELECT account_id, status FROM status_observations WHERE account_id IS NOT NULL AND observed_at <= ? ORDER BY observed_at, status`, []any{asOf}, func(r []string) {
		if want[r[0]] {
			status[r[0]] = r[1]
		}
	})
	if err != nil {
		return Input{}, fmt.Errorf("read statuses: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT platform, id, coalesce(handle, ''), coalesce(name, ''), coalesce(description, ''),
		created_at, coalesce(followers, -1) FROM accounts`)
	if err != nil {
		return Input{}, fmt.Errorf("read accounts: %w", err)
	}
	for rows.Next() {
		var a Account
		var created *time.Time
		if err := rows.Scan(&a.Platform, &a.ID, &a.Handle, &a.Name, &a.Bio, &created, &a.Followers); err != nil {
			rows.Close()
			return Input{}, fmt.Errorf("read accounts: %w", err)
		}
		if !want[a.ID] {
			continue
		}
		if created != nil {
			a.CreatedAt = created.UTC()
		}
		a.Status = status[a.ID]
		s.Accounts[a.ID] = a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Input{}, fmt.Errorf("read accounts: %w", err)
	}
	for id := range want {
		if _, ok := s.Accounts[id]; !ok && status[id] != "" {
			s.Accounts[id] = Account{Platform: "x", ID: id, Followers: -1, Status: status[id]}
		}
	}
	// activity hours of cluster members
	members := map[string]bool{}
	for _, cl := range c.Clusters {
		for _, m := range cl.Members {
			members[m] = true
		}
	}
	if len(members) > 0 {
		rows, err := q.Query(ctx, `SELECT author_id, CAST(extract(hour FROM created_at) AS BIGINT), count(*)
			FROM posts WHERE created_at IS NOT NULL GROUP BY 1, 2`)
		if err != nil {
			return Input{}, fmt.Errorf("read activity hours: %w", err)
		}
		for rows.Next() {
			var id string
			var h, n int64
			if err := rows.Scan(&id, &h, &n); err != nil {
				rows.Close()
				return Input{}, fmt.Errorf("read activity hours: %w", err)
			}
			if members[id] && h >= 0 && h < 24 {
				hs := s.Hours[id]
				hs[h] += n
				s.Hours[id] = hs
			}
		}
		rows.Close()
	}
	// example posts of the shown clusters
	var ids []string
	for _, cl := range c.Clusters {
		for _, ex := range cl.Examples {
			for _, id := range []string{ex.SourcePost, ex.TargetPost} {
				if id != "" {
					ids = append(ids, id)
				}
			}
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.Query(ctx, `SELECT id, author_id, created_at, kind, coalesce(text, '') FROM posts WHERE id IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return Input{}, fmt.Errorf("read example posts: %w", err)
		}
		for rows.Next() {
			var id, author, kind, text string
			var at *time.Time
			if err := rows.Scan(&id, &author, &at, &kind, &text); err != nil {
				rows.Close()
				return Input{}, fmt.Errorf("read example posts: %w", err)
			}
			ex := Example{Author: Account{Platform: "x", ID: author, Followers: -1}, Kind: kind, Text: text}
			if a, ok := s.Accounts[author]; ok {
				ex.Author = a
			}
			if at != nil {
				ex.At = at.UTC()
			}
			s.Posts[id] = ex
		}
		rows.Close()
	}
	st, err := q.Stats(ctx)
	if err != nil {
		return Input{}, fmt.Errorf("read import history: %w", err)
	}
	for _, imp := range st.Imports {
		s.Sources = append(s.Sources, Source{Source: displaySource(imp.Source), Format: imp.Format, Posts: imp.Stored.Posts,
			Accounts: imp.Stored.Accounts, Rejected: imp.Rejected})
	}
	in := FromResults(f, c, s)
	in.Warnings = state.Warnings
	if opt.Compare != "" {
		if in.Replication, err = amplify.Replication(opt.Compare, f); err != nil {
			return Input{}, err
		}
	}
	return in, nil
}

// each runs a query whose columns are all text and calls fn per row.
func each(ctx context.Context, q store.Querier, query string, fn func([]string)) error {
	return eachArgs(ctx, q, query, nil, fn)
}

func eachArgs(ctx context.Context, q store.Querier, query string, args []any, fn func([]string)) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		fn(vals)
	}
	return rows.Err()
}

// displaySource shows a local file by its name only (a full path can name the analyst's
// machine and home folder); endpoints stay as they are.
func displaySource(src string) string {
	if strings.Contains(src, "://") {
		return src
	}
	return filepath.Base(src)
}
