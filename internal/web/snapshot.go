package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/report"
	"github.com/echotrace/echotrace/internal/report/pseudonym"
	"github.com/echotrace/echotrace/internal/store"
)

// snapshot is everything the server derives from the stored results, computed once. It is
// read-only after load, so requests share it without locks (the mapper included: all its
// Watch and Known calls happen during load).
type snapshot struct {
	m        *pseudonym.Mapper
	reveal   bool
	platform string // main platform, for accounts whose platform is unknown

	overview  []byte // /api/overview
	findings  []byte // /api/findings, pseudonymised; nil before `echotrace analyze`
	stats     []byte // /api/stats
	report    []byte // /report
	dashboard []byte // /

	clusters []clusterSummary
	cards    map[string]*clusterCard // by cluster id

	// accounts maps the id a client may ask for to the account: pseudonyms of shown
	// non-watchlist accounts, ids of watchlist accounts ("@" + lower-case handle for their
	// handles) and, with reveal, raw ids of shown accounts.
	accounts map[string]accountRef
	scores   map[string]coord.AccountScore   // by raw account id
	amps     map[string]amplify.AmplifierRow // by raw account id, pseudonymised
	watch    map[string]report.Account       // by platform \x00 id

	weekly map[string][]weekView // by watch account id; "" for all selected accounts
}

// accountRef is an account in the store.
type accountRef struct {
	Platform, ID string
}

// clusterSummary is a coordinated cluster in the cluster list.
type clusterSummary struct {
	ID                  string         `json:"id"`
	Size                int            `json:"size"`
	Edges               int            `json:"edges"`
	Density             float64        `json:"density"`
	Score               float64        `json:"score"`
	PValue              float64        `json:"p_value"`
	Signals             map[string]int `json:"signals"`
	MedianGap           float64        `json:"median_gap_seconds"`
	SuspendedShare      float64        `json:"suspended_share"`
	DeletedShare        float64        `json:"deleted_share"`
	CreatedSameDayShare float64        `json:"created_same_day_share"`
	CreatedSpreadDays   float64        `json:"created_spread_days"`
	FollowersMedian     float64        `json:"followers_median"`
	OrganicEngagement   int            `json:"organic_engagement"`
	URL                 string         `json:"url"`
}

// clusterCard is a cluster's evidence card (DESIGN §5).
type clusterCard struct {
	clusterSummary
	Observed      float64        `json:"observed"`
	Expected      float64        `json:"expected"`
	CreatedFirst  *time.Time     `json:"created_first,omitempty"`
	CreatedLast   *time.Time     `json:"created_last,omitempty"`
	FollowersMean float64        `json:"followers_mean"`
	Hours         [24]int64      `json:"hours_utc"`
	Members       []memberView   `json:"members"`
	MembersTotal  int            `json:"members_total"`
	Targets       []targetView   `json:"shared_targets"`
	Examples      []exampleView  `json:"examples"`
	CoActions     []coActionView `json:"co_actions"`
	InnerEdges    []edgeView     `json:"edges_inside"`
	EdgesTotal    int            `json:"edges_inside_total"`
}

type accountView struct {
	Platform  string     `json:"platform"`
	ID        string     `json:"id"`
	Handle    string     `json:"handle,omitempty"`
	Name      string     `json:"name,omitempty"`
	Status    string     `json:"status,omitempty"`
	Followers *int64     `json:"followers,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	Watch     bool       `json:"watchlist"`
	URL       string     `json:"url,omitempty"`
}

type memberView struct {
	accountView
	Score     float64 `json:"coordination_score"`
	Degree    int     `json:"degree"`
	CoActions int     `json:"co_actions"`
}

type targetView struct {
	Object    string       `json:"object"`
	Author    *accountView `json:"author,omitempty"`
	CoActions int          `json:"co_actions"`
}

type exampleView struct {
	Author accountView `json:"author"`
	At     *time.Time  `json:"at,omitempty"`
	Kind   string      `json:"kind"`
	Text   string      `json:"text"`
}

// coActionView is one piece of a cluster's evidence: two members acted on Object within the
// window, at SourceTime and TargetTime.
type coActionView struct {
	Signal     string    `json:"signal"`
	Object     string    `json:"object"`
	SourceTime time.Time `json:"source_time"`
	TargetTime time.Time `json:"target_time"`
	GapSeconds float64   `json:"gap_seconds"`
}

type edgeView struct {
	Source    string         `json:"source"`
	Target    string         `json:"target"`
	Weight    float64        `json:"weight"`
	Count     int            `json:"count"`
	Signals   map[string]int `json:"signals"`
	PValue    float64        `json:"p_value"`
	MedianGap float64        `json:"median_gap_seconds"`
}

type weekView struct {
	Week             string  `json:"week"`
	Reposts          int64   `json:"reposts"`
	Suspended        int64   `json:"suspended"`
	Deleted          int64   `json:"deleted"`
	Coordinated      int64   `json:"coordinated"`
	Other            int64   `json:"other"`
	CoordinatedAll   int64   `json:"coordinated_all"`
	SuspendedShare   float64 `json:"suspended_share"`
	DeletedShare     float64 `json:"deleted_share"`
	CoordinatedShare float64 `json:"coordinated_share"`
	OtherShare       float64 `json:"other_share"`
}

// groupView is one actor group's headline figures in /api/overview.
type groupView struct {
	Name       string             `json:"name"`
	ActorTypes []string           `json:"actor_types"`
	Values     map[string]float64 `json:"values"`
}

type metricView struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Value float64 `json:"value"`
	Text  string  `json:"text"`
	Share bool    `json:"share,omitempty"`
	Date  bool    `json:"date,omitempty"`
}

type overviewView struct {
	Study         string             `json:"study"`
	Generated     time.Time          `json:"generated"`
	Pseudonymised bool               `json:"pseudonymised"`
	Analysed      bool               `json:"analysed"`
	Note          string             `json:"note,omitempty"`
	Warnings      []string           `json:"warnings,omitempty"` // results of different runs, or older than the latest import: a banner
	FindingsAt    *time.Time         `json:"findings_at,omitempty"`
	CoordAt       *time.Time         `json:"coord_at,omitempty"`
	Headline      []metricView       `json:"headline"`
	Values        map[string]float64 `json:"values"`
	// ActorGroups are the stored findings' actor groups (findings --json's actor_groups):
	// values keyed as Values; ActorGroupsSource says where they were defined.
	ActorGroups         []groupView      `json:"actor_groups"`
	ActorGroupsSource   string           `json:"actor_groups_source,omitempty"`
	Counts              map[string]int64 `json:"counts"`
	Clusters            int              `json:"clusters"`
	CoordinatedAccounts int              `json:"coordinated_accounts"`
	TopClusters         []clusterSummary `json:"top_clusters"`
	// Calibration is the coordination run's empirical null: chance edges and accounts.
	Calibration *coord.Calibration `json:"calibration,omitempty"`
	Links       map[string]string  `json:"links"`
}

// errNoRandom stands in for a random source when reading the pseudonym key: the server
// never creates a key (the store is read-only), it only reads one.
var errNoRandom = errors.New("no key stored")

type noRandom struct{}

func (noRandom) Read([]byte) (int, error) { return 0, errNoRandom }

var _ io.Reader = noRandom{}

// load reads the stored results and prepares every response derived from them.
func (s *Server) load(ctx context.Context) (*snapshot, error) {
	now := s.opt.Now().UTC()
	key := s.opt.Key
	if !s.opt.Reveal && len(key) == 0 {
		k, err := pseudonym.Key(ctx, s.docs, noRandom{}, now)
		if errors.Is(err, errNoRandom) {
			return nil, ErrNoKey
		}
		if err != nil {
			return nil, err
		}
		key = k
	}
	var f amplify.Findings
	var c coord.Result
	var fAt, cAt *time.Time
	for _, d := range []struct {
		name string
		v    any
		at   **time.Time
	}{{amplify.DocumentName, &f, &fAt}, {amplify.CoordDocument, &c, &cAt}} {
		body, at, err := s.docs.Document(ctx, d.name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s document: %w", d.name, err)
		}
		if err := json.Unmarshal(body, d.v); err != nil {
			return nil, fmt.Errorf("read %s document: %w", d.name, err)
		}
		at = at.UTC()
		*d.at = &at
	}
	in, err := report.Load(ctx, s.q, s.docs, report.LoadOptions{Name: s.opt.Name, MaxClusters: math.MaxInt32})
	if err != nil {
		return nil, err
	}
	if in.Platform == "" {
		in.Platform = "x"
	}
	in.Warnings = append(in.Warnings, s.opt.Warnings...)
	st, err := s.q.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("read store statistics: %w", err)
	}

	sn := &snapshot{m: pseudonym.New(key, s.opt.Reveal), reveal: s.opt.Reveal, platform: in.Platform,
		cards: map[string]*clusterCard{}, accounts: map[string]accountRef{}, scores: map[string]coord.AccountScore{},
		amps: map[string]amplify.AmplifierRow{}, watch: map[string]report.Account{}, weekly: map[string][]weekView{}}
	m := sn.m
	for _, w := range in.Watch {
		m.Watch(w.Platform, w.ID, w.Handle)
		if w.ID != "" {
			sn.watch[w.Platform+"\x00"+w.ID] = w
			sn.accounts[w.ID] = accountRef{w.Platform, w.ID}
			if w.Handle != "" {
				sn.accounts["@"+strings.ToLower(w.Handle)] = accountRef{w.Platform, w.ID}
			}
		}
	}
	// A shared target that is a post of a non-watchlist account is named by a post pseudonym:
	// its id leads to its author on the platform.
	for i := range in.Clusters {
		for j, t := range in.Clusters[i].SharedTargets {
			if t.Author.ID != "" && !m.IsWatched(t.Author.Platform, t.Author.ID, "") {
				in.Clusters[i].SharedTargets[j].Object = m.PostID(t.Author.Platform, t.Author.ID, t.Object)
			}
		}
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, in, report.Options{Reveal: s.opt.Reveal, Key: key, Now: now}); err != nil {
		return nil, err
	}
	sn.report = buf.Bytes()
	pin := report.Pseudonymise(in, m) // registers the known handles with m

	platformOf := map[string]string{}
	for _, a := range in.Amplifiers {
		platformOf[a.Account.ID] = a.Account.Platform
	}
	for _, cl := range in.Clusters {
		for _, a := range cl.Members {
			platformOf[a.ID] = a.Platform
		}
	}
	plat := func(id string) string {
		if p := platformOf[id]; p != "" {
			return p
		}
		return in.Platform
	}
	// shown maps a raw account id to the id clients see, and indexes it for /api/accounts.
	shown := func(platform, id string) string {
		v := m.ID(platform, id)
		if _, ok := sn.accounts[v]; !ok {
			sn.accounts[v] = accountRef{platform, id}
		}
		return v
	}

	// coordination scores
	for _, a := range c.Accounts {
		sn.scores[a.ID] = a
		shown(plat(a.ID), a.ID)
	}
	// findings, with the amplifiers pseudonymised
	if fAt != nil {
		pf := f
		pf.TopAmplifiers = make([]amplify.AmplifierRow, len(f.TopAmplifiers))
		for i, r := range f.TopAmplifiers {
			p := r.Platform
			if p == "" {
				p = plat(r.ID)
			}
			r.Handle = m.Handle(p, r.ID, r.Handle)
			raw := r.ID
			r.ID = shown(p, r.ID)
			pf.TopAmplifiers[i] = r
			sn.amps[raw] = r
		}
		if sn.findings, err = json.Marshal(pf); err != nil {
			return nil, fmt.Errorf("encode findings: %w", err)
		}
		for _, w := range f.Weekly {
			sn.weekly[w.Account] = append(sn.weekly[w.Account], weekOf(w))
		}
	}
	// clusters and their evidence cards
	for i, cl := range c.Clusters {
		sum := summaryOf(cl)
		sn.clusters = append(sn.clusters, sum)
		card := &clusterCard{clusterSummary: sum, Observed: cl.Observed, Expected: cl.Expected,
			CreatedFirst: utcPtr(cl.CreatedFirst), CreatedLast: utcPtr(cl.CreatedLast), FollowersMean: cl.FollowersMean,
			MembersTotal: len(cl.Members)}
		authorOf := map[string]string{}
		for _, t := range cl.Targets {
			if t.Author != "" {
				authorOf[t.Object] = t.Author
			}
		}
		for _, ex := range cl.Examples {
			card.CoActions = append(card.CoActions, coActionView{Signal: string(ex.Signal),
				Object: sn.object(ex.Signal, ex.Object, authorOf[ex.Object], plat), SourceTime: ex.SourceTime.UTC(),
				TargetTime: ex.TargetTime.UTC(), GapSeconds: ex.GapSeconds})
		}
		if i < len(pin.Clusters) && pin.Clusters[i].ID == sum.ID {
			rc := pin.Clusters[i]
			card.Hours = rc.Hours
			for j, a := range rc.Members {
				raw := ""
				if j < len(cl.Members) {
					raw = cl.Members[j]
				}
				mv := memberView{accountView: sn.view(a)}
				if sc, ok := sn.scores[raw]; ok {
					mv.Score, mv.Degree, mv.CoActions = sc.Score, sc.Degree, sc.CoActions
				}
				if raw != "" {
					shown(a.Platform, raw)
				}
				card.Members = append(card.Members, mv)
			}
			for _, t := range rc.SharedTargets {
				tv := targetView{Object: t.Object, CoActions: t.CoActions}
				if t.Author.ID != "" || t.Author.Handle != "" {
					av := sn.view(t.Author)
					tv.Author = &av
				}
				card.Targets = append(card.Targets, tv)
			}
			for _, e := range rc.Examples {
				card.Examples = append(card.Examples, exampleView{Author: sn.view(e.Author), At: timePtr(e.At), Kind: e.Kind, Text: e.Text})
			}
		}
		sn.cards[sum.ID] = card
	}
	for _, e := range c.Edges {
		card := sn.cards[strconv.Itoa(e.Cluster)]
		if e.Cluster < 0 || card == nil {
			continue
		}
		card.EdgesTotal++
		if len(card.InnerEdges) < MaxLimit {
			card.InnerEdges = append(card.InnerEdges, edgeView{Source: m.ID(plat(e.Source), e.Source), Target: m.ID(plat(e.Target), e.Target),
				Weight: e.Weight, Count: e.Count, Signals: signalMap(e.Signals), PValue: e.PValue, MedianGap: e.MedianGap})
		}
	}

	// statistics, with import sources reduced to file names (no local folder layout)
	ss := st
	ss.Imports = make([]store.ImportSummary, len(st.Imports))
	for i, imp := range st.Imports {
		imp.Source = sourceName(imp.Source)
		ss.Imports[i] = imp
	}
	if sn.stats, err = json.Marshal(ss); err != nil {
		return nil, fmt.Errorf("encode statistics: %w", err)
	}

	ov := overviewView{Study: s.opt.Name, Generated: now, Pseudonymised: !s.opt.Reveal, Analysed: fAt != nil,
		FindingsAt: fAt, CoordAt: cAt, Values: map[string]float64{}, Clusters: len(c.Clusters),
		Counts: map[string]int64{"accounts": st.Accounts, "posts": st.Posts, "engagements": st.Engagements, "shares": st.Shares,
			"watchlist": st.Watchlist, "status_observations": st.Statuses, "label_observations": st.Labels, "rejects": st.Rejects},
		Links: map[string]string{"findings": "/api/findings", "clusters": "/api/clusters", "weekly": "/api/weekly",
			"stats": "/api/stats", "report": "/report"}}
	ov.Warnings = in.Warnings
	if fAt == nil {
		ov.Note = "no findings stored yet: run `echotrace analyze`"
	} else {
		for _, mt := range f.Headline() {
			ov.Headline = append(ov.Headline, metricView{Key: mt.Key, Label: mt.Label, Value: mt.Value, Text: mt.Text(), Share: mt.Share, Date: mt.Date})
			ov.Values[mt.Key] = mt.Value
		}
		ov.ActorGroupsSource = f.ActorGroupsSource
		for _, g := range f.ActorGroups {
			ov.ActorGroups = append(ov.ActorGroups, groupView{Name: g.Name, ActorTypes: g.ActorTypes, Values: g.Figures})
		}
	}
	if ov.ActorGroups == nil {
		ov.ActorGroups = []groupView{}
	}
	for _, a := range c.Accounts {
		if a.Cluster >= 0 {
			ov.CoordinatedAccounts++
		}
	}
	ov.Calibration = c.Null.Calibration
	ov.TopClusters = sn.clusters[:min(len(sn.clusters), 10)]
	if ov.TopClusters == nil {
		ov.TopClusters = []clusterSummary{}
	}
	if sn.overview, err = json.Marshal(ov); err != nil {
		return nil, fmt.Errorf("encode overview: %w", err)
	}
	if sn.dashboard, err = renderDashboard(ov, f, sn, pin); err != nil {
		return nil, err
	}
	return sn, nil
}

// object is how a co-acted object is shown: a post of a non-watchlist (or unknown) author by
// its post pseudonym, a text with its @mentions pseudonymised, anything else (URLs, hashtags) as is.
func (sn *snapshot) object(sig coord.Signal, obj, author string, plat func(string) string) string {
	switch {
	case author != "":
		return sn.m.PostID(plat(author), author, obj)
	case sig == coord.CoRepost || sig == coord.CoReply || sig == coord.CoQuote:
		// a post whose author is not at hand: hashed, as it may lead to a private account
		// (the post pseudonym depends on the platform and the id only)
		return sn.m.PostID(sn.platform, "\x00unknown", obj)
	case sig == coord.CoText:
		return sn.m.Text(sn.platform, obj)
	}
	return obj
}

// view is how an account already passed through report.Pseudonymise is shown.
func (sn *snapshot) view(a report.Account) accountView {
	v := accountView{Platform: a.Platform, ID: a.ID, Handle: a.Handle, Name: a.Name, Status: a.Status,
		CreatedAt: timePtr(a.CreatedAt), Watch: sn.m.IsWatched(a.Platform, a.ID, a.Handle) || a.ActorType != ""}
	if a.Followers >= 0 {
		n := a.Followers
		v.Followers = &n
	}
	if a.ID != "" {
		v.URL = "/api/accounts/" + url.PathEscape(a.ID)
	}
	return v
}

func summaryOf(cl coord.Cluster) clusterSummary {
	id := strconv.Itoa(cl.ID)
	return clusterSummary{ID: id, Size: cl.Size, Edges: cl.Edges, Density: cl.Density, Score: cl.Score, PValue: cl.PValue,
		Signals: signalMap(cl.Signals), MedianGap: cl.MedianGap, SuspendedShare: cl.SuspendedShare, DeletedShare: cl.DeletedShare,
		CreatedSameDayShare: cl.CreatedSameDayShare, CreatedSpreadDays: cl.CreatedSpreadDays, FollowersMedian: cl.FollowersMedian,
		OrganicEngagement: cl.OrganicEngagement, URL: "/api/clusters/" + id}
}

func signalMap(m map[coord.Signal]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

// weekOf adds the shares of the week's composition (each part ÷ reposts; 0 for an empty week).
func weekOf(w amplify.WeekRow) weekView {
	share := func(n int64) float64 {
		if w.Reposts == 0 {
			return 0
		}
		return float64(n) / float64(w.Reposts)
	}
	return weekView{Week: w.Week, Reposts: w.Reposts, Suspended: w.Suspended, Deleted: w.Deleted, Coordinated: w.Coordinated,
		Other: w.Other, CoordinatedAll: w.CoordinatedAll, SuspendedShare: share(w.Suspended), DeletedShare: share(w.Deleted),
		CoordinatedShare: share(w.Coordinated), OtherShare: share(w.Other)}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return timePtr(*t)
}

// sourceName keeps an import source's file name (or an endpoint's address) and drops the
// folders it was read from.
func sourceName(src string) string {
	if strings.Contains(src, "://") || src == "" {
		return src
	}
	return path.Base(strings.ReplaceAll(src, "\\", "/"))
}
