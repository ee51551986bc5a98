package amplify

import (
	"slices"
	"strings"
	"time"
)

// Params selects the window, the watchlist subset and the observation dates of a computation.
type Params struct {
	// Since and Until bound the window (inclusive) on the target posts' creation time; zero:
	// unbounded. Posts with an unknown creation time are outside any bounded window.
	Since, Until time.Time
	// AsOf is the status date: an account's status is its latest observation at or before AsOf.
	// Zero: the latest observation whatever its date.
	AsOf time.Time
	// LabelAsOf is the label date, with the same rule; zero: AsOf.
	LabelAsOf time.Time
	// Filter selects the watchlist subset under study; the zero Filter selects all.
	Filter Filter
	// Coordinated holds the account ids found coordinated by the coordination step (matched on
	// the id, whatever the platform); may be empty.
	Coordinated []string
	// GroupNames maps watch account ids or handles (case-insensitive, without '@') to a named
	// group (e.g. the ambassador and the embassy of one country) for the focus figures.
	GroupNames map[string]string
	// HeavyMin: amplifiers with more than HeavyMin target reposts are "heavy" (speed figures).
	// Zero: 100.
	HeavyMin int
	// PerAccountMin: per-watch-account concentration figures need at least this many target
	// reposts. Zero: 100.
	PerAccountMin int
	// BurstMin and BurstFactor define creation bursts: a day (hour) on which at least
	// max(BurstMin, BurstFactor × the mean per day (hour)) amplifiers were created. Zero: 5, 5.
	BurstMin    int
	BurstFactor float64
	// TopN is how many top amplifiers are listed. Zero: 50.
	TopN int
	// ActorGroups are reported apart, side by side with the total (Findings.ActorGroups); nil
	// means DefaultActorGroups, an empty non-nil slice none.
	ActorGroups []ActorGroup
	// ActorGroupsSource says where ActorGroups came from (Findings.ActorGroupsSource): one of
	// the GroupsFrom values; "" means GroupsFromDefaults when ActorGroups is nil.
	ActorGroupsSource string
	// ConcentrationBase is who the concentration figures (top shares, Gini, Lorenz; global and
	// per watch account) are computed over: BaseReposters (the default, the reference study's
	// rule) or BaseAmplifiers (every amplifier, those with no repost as zeros).
	ConcentrationBase string
}

// ActorGroup is a named set of actor types whose findings are reported apart.
type ActorGroup struct {
	Name       string   `json:"name"`
	ActorTypes []string `json:"actor_types"`
}

// DefaultActorGroups are the reference study's groups: it reports the diplomats and the state
// media apart (its "14 % labelled" is of the 189 diplomat accounts).
var DefaultActorGroups = []ActorGroup{
	{Name: "diplomats", ActorTypes: []string{"ambassador", "embassy", "consulate", "staff", "ministry"}},
	{Name: "state_media", ActorTypes: []string{"state_media", "media_personality"}},
}

// Where a run's actor groups came from (Params.ActorGroupsSource, Findings.ActorGroupsSource),
// in the order of precedence.
const (
	GroupsFromFlags    = "--actor-group"  // the command line
	GroupsFromSettings = "echotrace.toml" // the study's settings file
	GroupsFromDefaults = "defaults"       // DefaultActorGroups
)

// SameActorGroups reports whether a and b define the same groups: the same names in the same
// order, each with the same actor types (case-insensitive, in any order).
func SameActorGroups(a, b []ActorGroup) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || len(a[i].ActorTypes) != len(b[i].ActorTypes) {
			return false
		}
		for _, t := range a[i].ActorTypes {
			if !slices.ContainsFunc(b[i].ActorTypes, func(u string) bool { return strings.EqualFold(t, u) }) {
				return false
			}
		}
	}
	return true
}

// GroupFindings are the headline figures of one actor group: Findings.Headline's keys and
// values for the group's watch accounts (within the run's filter), computed by the same
// definitions.
type GroupFindings struct {
	Name       string             `json:"name"`
	ActorTypes []string           `json:"actor_types"`
	Figures    map[string]float64 `json:"figures"`
}

// The concentration bases (Params.ConcentrationBase).
const (
	// BaseReposters: accounts with ≥ 1 target repost, as the reference study's code counts
	// retweets per retweeting account (docs/metrics.md).
	BaseReposters = "reposters"
	// BaseAmplifiers: every amplifier, those who only quoted or replied counted with 0 reposts.
	BaseAmplifiers = "amplifiers"
)

// Filter selects watchlist entries: an entry is selected when it matches every non-empty list
// (an entry matches a list when it matches any of its values).
type Filter struct {
	ActorTypes []string `json:"actor_types,omitempty"` // actor_type, case-insensitive
	Countries  []string `json:"countries,omitempty"`   // ISO2 country, case-insensitive
	Accounts   []string `json:"accounts,omitempty"`    // account id, or handle (case-insensitive, '@' optional)
}

// Empty reports whether the filter selects the whole watchlist.
func (f Filter) Empty() bool {
	return len(f.ActorTypes) == 0 && len(f.Countries) == 0 && len(f.Accounts) == 0
}

// TopShareKeys are the keys of Findings.TopShare, in percent, and their value in per mille.
var TopShareKeys = []struct {
	Key      string
	PerMille int64
}{{"0.1", 1}, {"1", 10}, {"5", 50}, {"10", 100}}

// Findings are the measurements of one study window and watchlist subset. JSON keys follow
// DESIGN §4; times are unix seconds (numbers) with an RFC 3339 twin where useful. Shares are
// fractions in [0, 1]; a share whose denominator is zero is 0.
type Findings struct {
	Since       int64  `json:"since"` // effective window start: Params.Since, else the first target post
	Until       int64  `json:"until"` // effective window end: Params.Until, else the last target post
	SinceDate   string `json:"since_date"`
	UntilDate   string `json:"until_date"`
	StatusAsOf  int64  `json:"status_as_of"` // 0 when unbounded (latest observation)
	LabelAsOf   int64  `json:"label_as_of"`  // 0 when unbounded
	StatusAsOfD string `json:"status_as_of_date,omitempty"`
	Filter      Filter `json:"filter"`

	WatchAccounts    int   `json:"watch_accounts"`    // watchlist accounts selected by the filter
	IncludedAccounts int   `json:"included_accounts"` // ... with ≥ 1 post in the window
	Countries        int   `json:"countries"`
	Posts            int64 `json:"posts"`          // target posts, all kinds
	OriginalPosts    int64 `json:"original_posts"` // target posts of kind "post"
	Likes            int64 `json:"likes"`          // Σ latest public counts over target posts other than reposts
	Reposts          int64 `json:"reposts"`
	Replies          int64 `json:"replies"`
	Quotes           int64 `json:"quotes"`
	Shares           int64 `json:"shares"`            // reposts + quotes
	PostsWithCounts  int64 `json:"posts_with_counts"` // target posts (not reposts) with ≥ 1 known count
	Events           Event `json:"events"`            // engagement events on target posts, by anyone

	LabelShare       float64 `json:"label_share"`
	LabelledAccounts int     `json:"labelled_accounts"`

	Amplifiers    int   `json:"amplifiers"` // non-watchlist accounts with ≥ 1 target repost, quote or reply
	Reposters     int   `json:"reposters"`  // ... with ≥ 1 target repost (n of concentration by default)
	TargetReposts int64 `json:"target_reposts"`
	TargetQuotes  int64 `json:"target_quotes"`
	TargetReplies int64 `json:"target_replies"`
	WatchReposts  int64 `json:"watch_reposts"` // reposts of target posts by watchlist accounts
	// ConcentrationBase is who TopShare, Gini and Lorenz (and the per-account ones) are over:
	// "reposters" (n = Reposters) or "amplifiers" (n = Amplifiers).
	ConcentrationBase string  `json:"concentration_base"`
	TopShare          TopMap  `json:"top_share"`
	Gini              float64 `json:"gini"`
	Lorenz            []Point `json:"lorenz"`

	SuspendedRepostShare float64 `json:"suspended_repost_share"`
	DeletedRepostShare   float64 `json:"deleted_repost_share"`
	SuspendedAmplifiers  int     `json:"suspended_amplifiers"`
	DeletedAmplifiers    int     `json:"deleted_amplifiers"`
	ObservedAmplifiers   int     `json:"observed_amplifiers"` // amplifiers with a status observation as of StatusAsOf

	HeavyAmplifiers      int     `json:"heavy_amplifiers"` // > HeavyMin target reposts
	FastAmplifiers10s    float64 `json:"fast_amplifiers_10s"`
	FastAmplifiers60s    float64 `json:"fast_amplifiers_60s"`
	MedianLatency        float64 `json:"median_latency_s"` // over target reposts with both times known
	TimedReposts         int64   `json:"timed_reposts"`
	NegativeLatencies    int64   `json:"negative_latencies"` // reposts timed before their post (excluded)
	LatencyHist          []Bin   `json:"latency_hist"`       // seconds, per target repost
	GapHist              []Bin   `json:"gap_hist"`           // seconds, every consecutive gap of every reposter
	MedianGapHist        []Bin   `json:"median_gap_hist"`    // seconds, per reposter with ≥ 2 timed reposts
	AmplifierLatencyHist []Bin   `json:"amplifier_latency_hist"`

	CoordinatedAccounts    int     `json:"coordinated_accounts"` // coordinated accounts that amplified
	CoordinatedRepostShare float64 `json:"coordinated_repost_share"`

	FocusHist []Bin      `json:"focus_hist"` // per reposter with ≥ 2 target reposts: top watch account share, in tenths
	Groups    []GroupRow `json:"groups,omitempty"`
	// ActorGroups: the headline figures per actor group (Params.ActorGroups), beside the
	// total that the other fields hold.
	ActorGroups []GroupFindings `json:"actor_groups,omitempty"`
	// ActorGroupsSource says where the run's actor groups were defined (GroupsFromFlags,
	// GroupsFromSettings or GroupsFromDefaults; absent in findings stored before it was
	// recorded) and ActorGroupsDefined is that definition, groups the run left out included
	// (absent for none).
	ActorGroupsSource  string       `json:"actor_groups_source,omitempty"`
	ActorGroupsDefined []ActorGroup `json:"actor_groups_defined,omitempty"`

	MedianAgeDays      float64    `json:"median_age_days"` // amplifier age at first target engagement
	AgedAmplifiers     int        `json:"aged_amplifiers"` // amplifiers with both times known
	AgeHist            []Bin      `json:"age_hist"`        // days
	CreationDays       []DayCount `json:"creation_days"`
	CreationBursts     []Burst    `json:"creation_bursts"`
	CreationHourBursts []Burst    `json:"creation_hour_bursts"`

	ByPlatform  []VolumeRow `json:"by_platform"`
	ByActorType []VolumeRow `json:"by_actor_type"`
	ByCountry   []VolumeRow `json:"by_country"`
	ByOutlet    []VolumeRow `json:"by_outlet"`
	ByMonth     []VolumeRow `json:"by_month"`

	LabelByActorType []LabelRow `json:"label_by_actor_type"`
	LabelByCountry   []LabelRow `json:"label_by_country"`

	TopAmplifiers []AmplifierRow `json:"top_amplifiers"`
	PerAccount    []AccountRow   `json:"per_account"`
	Weekly        []WeekRow      `json:"weekly"` // account "" = all selected accounts
}

// TopMap holds top-p shares keyed "0.1", "1", "5", "10" (percent of amplifiers).
type TopMap map[string]float64

// Event counts engagement events of target posts.
type Event struct {
	Likes   int64 `json:"likes"`
	Reposts int64 `json:"reposts"`
	Quotes  int64 `json:"quotes"`
	Replies int64 `json:"replies"`
}

// Point is a Lorenz-curve point: X of the amplifiers (ascending by reposts) made Y of the reposts.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Bin is a histogram bin [Lo, Hi); Hi = -1 is unbounded.
type Bin struct {
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Count int64   `json:"count"`
}

// DayCount counts amplifiers created on one UTC day.
type DayCount struct {
	Day   string `json:"day"` // YYYY-MM-DD
	Count int    `json:"count"`
}

// Burst is a creation day or hour with many amplifiers created.
type Burst struct {
	Start    string  `json:"start"` // RFC 3339, UTC
	Count    int     `json:"count"`
	Expected float64 `json:"expected"` // mean per day (hour) over the creation span
	Reposts  int64   `json:"reposts"`  // target reposts made by the accounts created then
}

// VolumeRow is the volume of one platform, actor type, country, outlet or month.
type VolumeRow struct {
	Key      string `json:"key"`
	Accounts int    `json:"accounts"` // included accounts with ≥ 1 target post in the row
	Posts    int64  `json:"posts"`
	Likes    int64  `json:"likes"`
	Reposts  int64  `json:"reposts"`
	Replies  int64  `json:"replies"`
	Quotes   int64  `json:"quotes"`
	Shares   int64  `json:"shares"`
}

// LabelRow is label coverage for one actor type or country.
type LabelRow struct {
	Key      string  `json:"key"`
	Accounts int     `json:"accounts"`
	Labelled int     `json:"labelled"`
	Share    float64 `json:"share"`
}

// GroupRow summarises a named group of watch accounts.
type GroupRow struct {
	Group      string `json:"group"`
	Accounts   int    `json:"accounts"`
	Reposts    int64  `json:"reposts"`    // target reposts of the group's posts
	Amplifiers int    `json:"amplifiers"` // reposters of the group's posts
	// Focused counts reposters with ≥ 2 target reposts sending at least half of them to the group.
	Focused int `json:"focused"`
}

// AmplifierRow describes one of the most active amplifiers.
type AmplifierRow struct {
	Platform        string  `json:"platform"`
	ID              string  `json:"id"`
	Handle          string  `json:"handle,omitempty"`
	Reposts         int64   `json:"reposts"`
	Quotes          int64   `json:"quotes"`
	Replies         int64   `json:"replies"`
	WatchAccounts   int     `json:"watch_accounts"` // distinct watch accounts reposted
	MedianGap       float64 `json:"median_gap_s"`   // -1: fewer than 2 timed reposts
	MedianLatency   float64 `json:"median_latency_s"`
	Status          string  `json:"status"`
	Coordinated     bool    `json:"coordinated"`
	Created         string  `json:"created,omitempty"`
	TopAccount      string  `json:"top_account"`
	TopAccountShare float64 `json:"top_account_share"`
	TopGroup        string  `json:"top_group,omitempty"`
	TopGroupShare   float64 `json:"top_group_share,omitempty"`
	Coverage        float64 `json:"coverage"` // of the top account's original posts, reposted or replied to
}

// AccountRow holds the figures of one included watch account.
type AccountRow struct {
	Platform   string `json:"platform"`
	ID         string `json:"id"`
	Handle     string `json:"handle,omitempty"`
	ActorType  string `json:"actor_type"`
	Country    string `json:"country"`
	Outlet     string `json:"outlet,omitempty"`
	Labelled   bool   `json:"labelled"`
	Posts      int64  `json:"posts"`
	Originals  int64  `json:"original_posts"`
	Likes      int64  `json:"likes"`
	Reposts    int64  `json:"reposts"`
	Replies    int64  `json:"replies"`
	Quotes     int64  `json:"quotes"`
	Amplifiers int    `json:"amplifiers"`
	// TargetReposts are reposts by non-watchlist accounts; WatchReposts by watchlist accounts.
	TargetReposts          int64   `json:"target_reposts"`
	WatchReposts           int64   `json:"watch_reposts"`
	SuspendedRepostShare   float64 `json:"suspended_repost_share"`
	DeletedRepostShare     float64 `json:"deleted_repost_share"`
	CoordinatedRepostShare float64 `json:"coordinated_repost_share"`
	// Measured is true when TargetReposts ≥ PerAccountMin; TopShare and Gini are set only then.
	Measured bool    `json:"measured"`
	TopShare TopMap  `json:"top_share,omitempty"`
	Gini     float64 `json:"gini"`
	// MaxCoverage is the largest share of the account's original posts that one amplifier
	// reposted or replied to; HalfCoverage counts amplifiers covering at least half of them.
	MaxCoverage  float64 `json:"max_coverage"`
	HalfCoverage int     `json:"half_coverage_amplifiers"`
}

// WeekRow is the composition of one week's target reposts (weeks start Monday 00:00 UTC).
// Each repost falls in exactly one of Suspended, Deleted, Coordinated, Other, in that
// precedence; CoordinatedAll counts coordinated reposts whatever their status.
type WeekRow struct {
	Account        string `json:"account"` // watch account id; "" for all selected accounts
	Week           string `json:"week"`    // YYYY-MM-DD of the Monday
	Reposts        int64  `json:"reposts"`
	Suspended      int64  `json:"suspended"`
	Deleted        int64  `json:"deleted"`
	Coordinated    int64  `json:"coordinated"`
	Other          int64  `json:"other"`
	CoordinatedAll int64  `json:"coordinated_all"`
}
