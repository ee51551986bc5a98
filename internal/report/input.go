package report

import (
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
)

// Input is everything a report shows. Build it with FromResults (from the stored findings and
// coordination results) or directly in tests. Shares are fractions in [0, 1]; times are UTC.
type Input struct {
	Title    string
	Study    string    // study folder or name, shown under provenance
	Since    time.Time // analysis window
	Until    time.Time
	Platform string // main platform, for pseudonymising mentions in texts (default "x")

	Summary Summary
	Methods Methods
	// Warnings say that the stored results do not belong together (findings and clusters of
	// different runs) or predate the latest import (store.ResultState); shown at the top.
	Warnings []string

	// Watch is the watchlist. Watchlist accounts are never pseudonymised.
	Watch []Account

	// Lorenz is the amplification Lorenz curve: X the cumulative share of amplifiers sorted
	// from least to most active, Y the cumulative share of target reposts they made. It starts
	// at (0, 0) and ends at (1, 1).
	Lorenz []Point
	// Weekly is the weekly composition of the reposts of top watch accounts.
	Weekly []WeeklySeries
	// Latency is the distribution of seconds from a target post to its repost; Gaps the
	// distribution of amplifiers' median seconds between consecutive target reposts.
	Latency Histogram
	Gaps    Histogram
	// Creation counts amplifier accounts by creation day.
	Creation []DateCount
	// LabelsByActor and LabelsByCountry give label coverage of included watch accounts.
	LabelsByActor   []Coverage
	LabelsByCountry []Coverage
	// Outlets is engagement with target posts per outlet.
	Outlets []Outlet

	// Amplifiers are the top amplifiers, most reposts first.
	Amplifiers []Amplifier
	// Groups are the actor groups' headline figures, side by side with the total (Summary).
	Groups []GroupColumn
	// Replication is the reference study's published figures beside this study's (report
	// --compare), nil when not asked for.
	Replication []amplify.ReplicationRow
	// Clusters are the coordinated clusters, most suspicious first.
	Clusters []Cluster
	// Edges is the coordination network between cluster members.
	Edges []Edge
}

// GroupColumn is one actor group's headline figures (amplify.GroupFindings), keyed as in
// findings --json.
type GroupColumn struct {
	Name    string
	Figures map[string]float64
}

// Summary holds the headline numbers (DESIGN §4).
type Summary struct {
	WatchAccounts       int
	IncludedAccounts    int
	Countries           int
	Posts               int64
	Likes               int64
	Reposts             int64
	Replies             int64
	Quotes              int64
	LabelShare          float64
	Amplifiers          int64
	Reposters           int64 // amplifiers with ≥ 1 target repost: n of the concentration figures
	TargetReposts       int64
	Top01, Top1         float64 // share of target reposts by the top 0.1 % / 1 % of reposting accounts
	Top5, Top10         float64
	Gini                float64
	SuspendedShare      float64 // share of target reposts by accounts suspended as of StatusAsOf
	DeletedShare        float64
	StatusAsOf          time.Time
	FastAmplifiers10s   float64 // share of heavy amplifiers (> 100 reposts) with median gap ≤ 10 s
	FastAmplifiers60s   float64
	HeavyAmplifiers     int64 // amplifiers with > 100 target reposts (0: unknown)
	CoordinatedAccounts int
	CoordinatedClusters int
	CoordinatedShare    float64 // share of target reposts by coordinated accounts
}

// Methods says how the numbers were made.
type Methods struct {
	Params     []Param  // analysis parameters (coordination window, thresholds, seeds …)
	Sources    []Source // imported files or endpoints
	FindingsAt time.Time
	CoordAt    time.Time
	Notes      []string // further caveats, shown as a list
	// Calibration is the coordination run's empirical null (nil for runs without one): how many
	// of its edges and accounts chance alone would give, at its thresholds and along a curve.
	Calibration *Calibration
}

// Calibration is the report's view of coord.Calibration.
type Calibration struct {
	FDR, EdgeScore, AccountScore       float64
	Runs, Edges, Accounts, Flagged     int
	ExpectedEdges, ExpectedAccounts    float64
	ExpectedFlagged, ResolutionSeconds float64
	Curve                              []CalibrationRow
}

// CalibrationRow is one threshold of the calibration curve.
type CalibrationRow struct {
	Score                           float64
	Edges, Accounts                 int
	ExpectedEdges, ExpectedAccounts float64
}

// Param is one analysis parameter.
type Param struct {
	Name, Value, Meaning string
}

// Source is one import.
type Source struct {
	Source   string
	Format   string
	Posts    int64
	Accounts int64
	Rejected int64
}

// Account is an account as the report shows it.
type Account struct {
	Platform  string
	ID        string
	Handle    string
	Name      string
	Bio       string
	CreatedAt time.Time
	Followers int64  // -1: unknown
	Status    string // active, suspended, deleted, protected, unknown or ""
	// Watch-list attributes (for watchlist accounts).
	ActorType string
	Country   string
	Outlet    string
}

// Point is a point of a curve.
type Point struct{ X, Y float64 }

// WeeklySeries is one watch account's reposts per week by kind of amplifier.
type WeeklySeries struct {
	Account Account
	Weeks   []Week
}

// Week counts one week's target reposts by the amplifier's status. Start is the Monday.
type Week struct {
	Start                                  time.Time
	Suspended, Deleted, Coordinated, Other int64
}

// Total is the week's reposts.
func (w Week) Total() int64 { return w.Suspended + w.Deleted + w.Coordinated + w.Other }

// Histogram counts values into bins: bin i holds Edges[i] ≤ v < Edges[i+1]. The last edge
// may be +Inf. Unit names what the values are ("s" for seconds).
type Histogram struct {
	Edges  []float64
	Counts []int64
	Unit   string
}

// DateCount is a count on a day.
type DateCount struct {
	Day   time.Time
	Count int64
}

// Coverage is label coverage of a group of included watch accounts.
type Coverage struct {
	Group    string
	Accounts int
	Labelled int
}

// Share is Labelled / Accounts (0 when empty).
func (c Coverage) Share() float64 {
	if c.Accounts == 0 {
		return 0
	}
	return float64(c.Labelled) / float64(c.Accounts)
}

// Outlet is engagement with one outlet's target posts.
type Outlet struct {
	Outlet   string
	Accounts int
	Posts    int64
	Likes    int64
	Reposts  int64
	Replies  int64
}

// Amplifier is one top amplifier.
type Amplifier struct {
	Account       Account
	Reposts       int64   // target reposts
	Share         float64 // of all target reposts
	MedianGap     float64 // seconds between consecutive target reposts (-1: unknown)
	MedianLatency float64 // seconds from target post to repost (-1: unknown)
	TopTarget     string  // watch account it reposts most
	Focus         float64 // share of its reposts going to TopTarget
	Cluster       string  // coordinated cluster id, "" if none
}

// Cluster is a coordinated cluster with its evidence card (DESIGN §5).
type Cluster struct {
	ID                string
	Size              int
	Density           float64
	Score             float64
	Signals           []SignalCount
	MedianGap         float64  // median seconds between co-actions (-1: unknown)
	SharedTargets     []Target // objects most co-acted on
	CreatedFirst      time.Time
	CreatedLast       time.Time
	SuspendedShare    float64
	DeletedShare      float64
	FollowersMedian   float64
	FollowersMean     float64
	Edges             int       // coordination edges inside the cluster
	OrganicEngagement int64     // likes, reposts and replies the members' posts received
	Hours             [24]int64 // members' actions by hour of day (UTC)
	Members           []Account
	Examples          []Example
}

// Target is an object a cluster co-acted on: a post (with its author), a URL, a text or a
// hashtag sequence.
type Target struct {
	Object    string
	Author    Account // zero when the object has no author
	CoActions int
}

// SignalCount counts a cluster's edges carrying a signal.
type SignalCount struct {
	Signal string
	Edges  int
}

// Example is an example post of a cluster.
type Example struct {
	Author Account
	At     time.Time
	Kind   string
	Text   string
}

// Edge is a coordination edge between two accounts (by Platform and ID).
type Edge struct {
	Platform       string
	Source, Target string
	Weight         float64
	Signals        []string
}
