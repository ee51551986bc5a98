package report

import (
	"fmt"
	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/report/pseudonym"
	"math"
	"time"
)

var (
	t0       = time.Date(2020, 6, 9, 0, 0, 0, 0, time.UTC)
	fixedNow = time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	testKey  = []byte("0123456789abcdef0123456789abcdef")
)

// fixedInput is a small study: two watch accounts, four amplifiers (two in one cluster),
// hand-made so that every chart has data.
func fixedInput() Input {
	amb := Account{Platform: "x", ID: "100", Handle: "AmbLiuXiaoMing", Name: "Liu Xiaoming", ActorType: "ambassador", Country: "GB", Outlet: "Embassy"}
	emb := Account{Platform: "x", ID: "101", Handle: "ChineseEmbinUK", Name: "Chinese Embassy in UK", ActorType: "embassy", Country: "GB", Outlet: "Embassy"}
	a1 := Account{Platform: "x", ID: "9001", Handle: "private_person1", Name: "Private Person", Bio: "just me", CreatedAt: t0.AddDate(0, -2, 0), Followers: 12, Status: "suspended"}
	a2 := Account{Platform: "x", ID: "9002", Handle: "private_person2", Name: "Another Person", CreatedAt: t0.AddDate(0, -2, 1), Followers: 3, Status: "deleted"}
	a3 := Account{Platform: "x", ID: "9003", Handle: "organic_fan", CreatedAt: t0.AddDate(-5, 0, 0), Followers: 420, Status: "active"}
	a4 := Account{Platform: "x", ID: "9004", Handle: "quiet_one", CreatedAt: t0.AddDate(-3, 0, 0), Followers: -1}
	var hours [24]int64
	for h := 1; h <= 10; h++ { // office hours in UTC+8: 01–10 UTC
		hours[h] = int64(10 + h)
	}
	return Input{
		Title: "PRC diplomats on X: test study",
		Study: "teststudy",
		Since: t0, Until: t0.AddDate(0, 0, 20),
		Platform: "x",
		Summary: Summary{WatchAccounts: 2, IncludedAccounts: 2, Countries: 1, Posts: 40, Likes: 1200,
			Reposts: 300, Replies: 50, Quotes: 7, LabelShare: 0.5, Amplifiers: 4, Reposters: 3, TargetReposts: 100,
			Top01: 0.4, Top1: 0.4, Top5: 0.4, Top10: 0.4, Gini: 0.35, SuspendedShare: 0.4, DeletedShare: 0.3,
			StatusAsOf: fixedNow, FastAmplifiers10s: 0.5, FastAmplifiers60s: 1, HeavyAmplifiers: 0,
			CoordinatedAccounts: 2, CoordinatedClusters: 1, CoordinatedShare: 0.7},
		Groups: []GroupColumn{
			{Name: "diplomats", Figures: map[string]float64{"watch_accounts": 1, "included_accounts": 1, "countries": 1, "posts": 30,
				"likes": 1000, "reposts": 250, "replies": 40, "label_share": 1, "amplifiers": 4, "reposters": 3, "target_reposts": 90,
				"top_share.1": 0.4, "gini": 0.3, "suspended_repost_share": 0.4}},
			{Name: "state_media", Figures: map[string]float64{"watch_accounts": 1, "included_accounts": 1, "countries": 1, "posts": 10,
				"likes": 200, "reposts": 50, "replies": 10, "label_share": 0, "amplifiers": 2, "reposters": 1, "target_reposts": 10,
				"top_share.1": 1, "gini": 0, "suspended_repost_share": 0}},
		},
		Replication: []amplify.ReplicationRow{
			{Group: "diplomats", Metric: "accounts", Published: "189", Reference: 189, Value: 1, Found: true, Definition: "watchlist accounts of the group"},
			{Group: "diplomats", Metric: "labelled", Published: "14 %", Reference: 0.14, Value: 1, Share: true, Found: true, Definition: "latest label <government>"},
			{Group: "media_personalities", Metric: "accounts", Published: "12", Reference: 12, Definition: "watchlist accounts of the group"},
		},
		Methods: Methods{
			Params:     []Param{{"window", "60s", "maximum seconds between co-actions"}, {"min_weight", "2", "minimum distinct objects per edge"}},
			Sources:    []Source{{Source: "tweets.jsonl", Format: "twarc2", Posts: 140, Accounts: 6}},
			FindingsAt: fixedNow, CoordAt: fixedNow,
			Notes: []string{"Synthetic fixture."},
			Calibration: &Calibration{FDR: 0.05, EdgeScore: 7.2, AccountScore: 1.4, Runs: 20, Edges: 713, Accounts: 214,
				Flagged: 230, ExpectedEdges: 6.95, ExpectedAccounts: 1.85, ExpectedFlagged: 12.1, ResolutionSeconds: 60,
				Curve: []CalibrationRow{{Score: 1, Edges: 1504, Accounts: 223, ExpectedEdges: 372.9, ExpectedAccounts: 5.3},
					{Score: 10, Edges: 419, Accounts: 154, ExpectedEdges: 1.45}}},
		},
		Watch:  []Account{amb, emb},
		Lorenz: []Point{{0, 0}, {0.25, 0.1}, {0.5, 0.2}, {0.75, 0.3}, {1, 1}},
		Weekly: []WeeklySeries{{Account: amb, Weeks: []Week{
			{Start: t0.AddDate(0, 0, -1), Suspended: 10, Deleted: 5, Coordinated: 20, Other: 15},
			{Start: t0.AddDate(0, 0, 6), Suspended: 4, Deleted: 0, Coordinated: 10, Other: 6},
			{Start: t0.AddDate(0, 0, 13)},
		}}},
		Latency:         Histogram{Edges: []float64{0, 10, 60, 600, math.Inf(1)}, Counts: []int64{40, 30, 20, 10}, Unit: "s"},
		Gaps:            Histogram{Edges: []float64{0, 10, 60, 3600}, Counts: []int64{2, 1, 1}, Unit: "s"},
		Creation:        []DateCount{{a1.CreatedAt, 1}, {a2.CreatedAt, 1}, {a3.CreatedAt, 1}, {a4.CreatedAt, 1}},
		LabelsByActor:   []Coverage{{"ambassador", 1, 1}, {"embassy", 1, 0}},
		LabelsByCountry: []Coverage{{"GB", 2, 1}},
		Outlets:         []Outlet{{Outlet: "Embassy", Accounts: 2, Posts: 40, Likes: 1200, Reposts: 300, Replies: 50}},
		Amplifiers: []Amplifier{
			{Account: a1, Reposts: 40, Share: 0.4, MedianGap: 5, MedianLatency: 8, TopTarget: "AmbLiuXiaoMing", Focus: 0.9, Cluster: "1"},
			{Account: a2, Reposts: 30, Share: 0.3, MedianGap: 7, MedianLatency: 9, TopTarget: "AmbLiuXiaoMing", Focus: 0.8, Cluster: "1"},
			{Account: a3, Reposts: 20, Share: 0.2, MedianGap: 3600, MedianLatency: 4000, TopTarget: "ChineseEmbinUK", Focus: 0.5},
			{Account: a4, Reposts: 10, Share: 0.1, MedianGap: -1, MedianLatency: -1},
		},
		Clusters: []Cluster{{ID: "1", Size: 2, Density: 1, Score: 7.5,
			Signals:   []SignalCount{{"co-repost", 1}, {"co-text", 1}},
			MedianGap: 4, SharedTargets: []Target{{Object: "P1", Author: amb, CoActions: 3}, {Object: "cc @private_person2", CoActions: 2}},
			CreatedFirst: a1.CreatedAt, CreatedLast: a2.CreatedAt, SuspendedShare: 0.5, DeletedShare: 0.5,
			FollowersMedian: 7.5, FollowersMean: 7.5, Edges: 1, OrganicEngagement: 3, Hours: hours,
			Members: []Account{a1, a2},
			Examples: []Example{
				{Author: a1, At: t0.Add(time.Hour), Kind: "reply", Text: "@AmbLiuXiaoMing well said! cc @private_person2 @organic_fan @somebody_else"},
				{Author: a2, At: t0.Add(time.Hour + 4*time.Second), Kind: "reply", Text: "well said! mail me at me@example.org"},
			}}},
		Edges: []Edge{{Platform: "x", Source: "9001", Target: "9002", Weight: 12, Signals: []string{"co-repost", "co-text"}}},
	}
}

// bigInput is a large study: 1,000 clusters of 10 accounts and 10,000 amplifiers.
func bigInput() Input {
	in := fixedInput()
	in.Amplifiers = nil
	in.Clusters = nil
	in.Edges = nil
	for i := range 10000 {
		a := Account{Platform: "x", ID: fmt.Sprint(100000 + i), Handle: fmt.Sprintf("amp%05d", i), Name: "Name", Bio: "bio text", CreatedAt: t0.AddDate(0, 0, -i%900), Followers: int64(i), Status: "active"}
		in.Amplifiers = append(in.Amplifiers, Amplifier{Account: a, Reposts: int64(10000 - i), Share: 1e-4, MedianGap: 30, MedianLatency: 40, Cluster: fmt.Sprint(i / 10)})
		in.Creation = append(in.Creation, DateCount{a.CreatedAt, 1})
	}
	for c := range 1000 {
		cl := Cluster{ID: fmt.Sprint(c), Size: 10, Density: 0.5, Score: float64(1000 - c), Signals: []SignalCount{{"co-repost", 20}}, MedianGap: 5}
		for j := range 10 {
			a := in.Amplifiers[c*10+j]
			cl.Members = append(cl.Members, a.Account)
			cl.Hours[(j+c)%24] += 5
			cl.Examples = append(cl.Examples, Example{Author: a.Account, At: t0, Kind: "repost", Text: "some text @amp00001"})
			if j > 0 {
				in.Edges = append(in.Edges, Edge{Platform: "x", Source: cl.Members[0].ID, Target: a.Account.ID, Weight: float64(j)})
			}
		}
		in.Clusters = append(in.Clusters, cl)
	}
	return in
}

func newMapper() *pseudonym.Mapper { return pseudonym.New(testKey, false) }
