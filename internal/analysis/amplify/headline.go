package amplify

import "time"

// Metric is one headline figure: its findings --json key, a label for people, its value and
// whether it is a share (printed as a percentage).
type Metric struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Value float64 `json:"value"`
	Share bool    `json:"share"`
	Date  bool    `json:"date"` // unix seconds, printed as a UTC date (0: unbounded)
}

// Headline lists the headline figures of DESIGN §4 in the order of the reference study's
// summary, keyed as in findings --json (top shares as "top_share.1" etc.).
func (f Findings) Headline() []Metric {
	m := []Metric{
		{Key: "since", Label: "Window start", Value: float64(f.Since), Date: true},
		{Key: "until", Label: "Window end", Value: float64(f.Until), Date: true},
		{Key: "watch_accounts", Label: "Watchlist accounts", Value: float64(f.WatchAccounts)},
		{Key: "included_accounts", Label: "Accounts with posts in the window", Value: float64(f.IncludedAccounts)},
		{Key: "countries", Label: "Countries", Value: float64(f.Countries)},
		{Key: "posts", Label: "Posts", Value: float64(f.Posts)},
		{Key: "likes", Label: "Likes (latest public counts)", Value: float64(f.Likes)},
		{Key: "reposts", Label: "Reposts (latest public counts)", Value: float64(f.Reposts)},
		{Key: "replies", Label: "Replies (latest public counts)", Value: float64(f.Replies)},
		{Key: "quotes", Label: "Quotes (latest public counts)", Value: float64(f.Quotes)},
		{Key: "label_share", Label: "Accounts labelled government / state media", Value: f.LabelShare, Share: true},
		{Key: "amplifiers", Label: "Amplifiers (non-watchlist accounts)", Value: float64(f.Amplifiers)},
		{Key: "reposters", Label: "Reposting amplifiers", Value: float64(f.Reposters)},
		{Key: "target_reposts", Label: "Reposts by amplifiers (events)", Value: float64(f.TargetReposts)},
	}
	// Who the concentration is over (docs/metrics.md): the reposting accounts by default, as in
	// the reference study.
	over, per := "reposting accounts", "reposting account"
	if f.ConcentrationBase == BaseAmplifiers {
		over, per = "amplifiers (non-reposters as zeros)", "amplifier"
	}
	for _, k := range TopShareKeys {
		m = append(m, Metric{Key: "top_share." + k.Key, Label: "Reposts from the top " + k.Key + " % of " + over,
			Value: f.TopShare[k.Key], Share: true})
	}
	m = append(m,
		Metric{Key: "gini", Label: "Gini coefficient of reposts per " + per, Value: f.Gini},
		Metric{Key: "status_as_of", Label: "Account status as of", Value: float64(f.StatusAsOf), Date: true},
		Metric{Key: "suspended_repost_share", Label: "Reposts from suspended accounts", Value: f.SuspendedRepostShare, Share: true},
		Metric{Key: "deleted_repost_share", Label: "Reposts from deleted accounts", Value: f.DeletedRepostShare, Share: true},
		Metric{Key: "heavy_amplifiers", Label: "Heavy amplifiers (> 100 reposts)", Value: float64(f.HeavyAmplifiers)},
		Metric{Key: "fast_amplifiers_10s", Label: "Heavy amplifiers with median gap ≤ 10 s", Value: f.FastAmplifiers10s, Share: true},
		Metric{Key: "fast_amplifiers_60s", Label: "Heavy amplifiers with median gap ≤ 60 s", Value: f.FastAmplifiers60s, Share: true},
		Metric{Key: "coordinated_accounts", Label: "Coordinated amplifiers", Value: float64(f.CoordinatedAccounts)},
		Metric{Key: "coordinated_repost_share", Label: "Reposts from coordinated accounts", Value: f.CoordinatedRepostShare, Share: true},
	)
	return m
}

// Text renders the metric's value for people: shares as percentages with one decimal, dates
// as YYYY-MM-DD ("latest" for an unbounded status date, "-" for other unbounded dates), and
// counts as integers.
func (m Metric) Text() string {
	switch {
	case m.Date && m.Value == 0:
		if m.Key == "status_as_of" {
			return "latest"
		}
		return "-"
	case m.Date:
		return time.Unix(int64(m.Value), 0).UTC().Format(time.DateOnly)
	case m.Share:
		return formatFloat(100*m.Value, 1) + " %"
	case m.Value == float64(int64(m.Value)):
		return GroupDigits(int64(m.Value))
	default:
		return formatFloat(m.Value, 3)
	}
}
