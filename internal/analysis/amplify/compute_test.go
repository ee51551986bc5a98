package amplify

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

// hist builds the expected bins of a histogram over edges from sparse counts (bin index → count).
func hist(edges []float64, counts map[int]int64) []Bin {
	h := newHistogram(edges)
	for i, c := range counts {
		h.counts[i] = c
	}
	return h.bins()
}

// handExpected is every figure of the hand fixture (handFixture, handParams), derived by hand.
//
// Target posts: w1 p1 p2 p3 p4; w2 p5 p6 and its repost of p1 (a post by a watchlist account,
// kind repost, counts unknown); w3 p7 and its reply to p5 (counts unknown). p0 and p8 precede
// the window. posts = 4+3+2 = 9; originals p1 p2 p5 p6 p7 = 5.
// Public counts, reposts excluded, latest observation: likes 30+4+2+7+100 = 143;
// reposts 8+3+1+4+20 = 36; replies 3+0+1+1+5 = 10; quotes 1+0+0+0+2 = 3; shares 39;
// posts with counts p1 p2 p3 p5 p7 = 5.
// Included accounts w1 w2 w3 (w4's only post precedes the window; @ghost has no account);
// watch_accounts 5; countries GB, CN = 2.
// Labels as of 2021-03-01: w1 government (2020-09); w2 none (2020-08; the 2021-04 label is
// later); w3 state media → 2/3.
//
// Target reposts per reposter: a1 4, a2 4, a3 2, a4 2, a5…a11 1 each: 11 reposters, total 19
// = n of concentration (the reference study's rule: reposting accounts only).
// Amplifiers: those 11 + a12 (reply only) + a13 (quote only) = 13. Watchlist reposts: w2 on p1 = 1.
// Top shares, k = ⌈p·11⌉: 0.1 %, 1 %, 5 % → k = 1 → 4/19 (a1 and a2 tie at the cut: either
// gives 4); 10 % → k = ⌈1.1⌉ = 2 → 8/19.
// Gini, ascending [1×7 2 2 4 4] (i = 1…11): Σ i·xᵢ = (1+…+7) + 2·(8+9) + 4·(10+11)
// = 28 + 34 + 84 = 146; G = 2·146/(11·19) − 12/11 = 292/209 − 228/209 = 64/209; pairwise:
// |1−2|·7·2 + |1−4|·7·2 + |2−4|·2·2 = 64 over unordered pairs, 128/(2·11²·19/11) = 64/209.
// Lorenz cumulative counts 0 1 2 3 4 5 6 7 9 11 15 19 over 19, x = k/11.
// (With every amplifier as the base, TestConcentrationBase: zeros for a12 a13, 102/247.)
//
// Status as of 2021-03-01 00:00: a1 suspended (02-15); a2 active (the 05-05 suspension is
// later); a3 deleted; a4 active (suspended 02-10, reinstated 02-25); a5 suspended (observed
// exactly at the as-of instant); a7 suspended (active and suspended at the same instant:
// suspended wins); a12 suspended; a6 a8 … unobserved (unknown).
// Suspended reposts a1 4 + a5 1 + a7 1 = 6 → 6/19; deleted a3 2 → 2/19.
// Suspended amplifiers a1 a5 a7 a12 = 4; deleted 1; observed a1 a2 a3 a4 a5 a7 a12 = 7.
// Coordinated {a2 a4 a8 w2 zz}: amplifiers among them a2 a4 a8 = 3 (w2 is on the watchlist);
// their reposts 4+2+1 = 7 → 7/19.
//
// Speed (heavy: > 3 reposts → a1, a2): a1 times 345600 345604 345608 345620, gaps 4 4 12,
// median 4; a2 259300 259330 259375 300000, gaps 30 45 40625, median 45 → ≤ 10 s: 1/2;
// ≤ 60 s: 2/2. a3 gap 86340; a4 gap 856793.
// Latencies (a6 untimed; a9's −10 s excluded): 1 2 7 30 60 120 600 3600 40800 86400 86420
// 172975 252130 255700 259204 338408 342000 (17 values) → median 40800; timed reposts 18.
func handExpected() Findings {
	cum := []float64{0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 15, 19}
	var lorenz []Point
	for k, c := range cum {
		lorenz = append(lorenz, Point{float64(k) / 11, c / 19})
	}
	asOf := date(2021, 3, 1, 0, 0, 0).Unix()
	vol := func(key string, accounts int, posts, likes, reposts, replies, quotes int64) VolumeRow {
		return VolumeRow{key, accounts, posts, likes, reposts, replies, quotes, reposts + quotes}
	}
	uk, cgtn := "uk", "cgtn"
	amp := func(id string, r, q, rp int64, wa int, gap, lat float64, status string, coord bool, created, top string,
		topShare float64, group string, groupShare, cov float64) AmplifierRow {
		return AmplifierRow{Platform: "x", ID: id, Reposts: r, Quotes: q, Replies: rp, WatchAccounts: wa, MedianGap: gap,
			MedianLatency: lat, Status: status, Coordinated: coord, Created: created, TopAccount: top,
			TopAccountShare: topShare, TopGroup: group, TopGroupShare: groupShare, Coverage: cov}
	}
	return Findings{
		Since: 1609718400, Until: 1609718400 + 14*86400 - 1,
		SinceDate: "2021-01-04T00:00:00Z", UntilDate: "2021-01-17T23:59:59Z",
		StatusAsOf: asOf, LabelAsOf: asOf, StatusAsOfD: "2021-03-01T00:00:00Z",

		WatchAccounts: 5, IncludedAccounts: 3, Countries: 2,
		Posts: 9, OriginalPosts: 5, Likes: 143, Reposts: 36, Replies: 10, Quotes: 3, Shares: 39, PostsWithCounts: 5,
		// likes: a5 a6 on p1, a13 on p7; reposts 19 + w2's; replies a12 a3 a1 w3; quote a13
		Events: Event{Likes: 3, Reposts: 20, Quotes: 1, Replies: 4},

		LabelShare: 2.0 / 3, LabelledAccounts: 2,

		Amplifiers: 13, Reposters: 11, TargetReposts: 19, TargetQuotes: 1, TargetReplies: 3, WatchReposts: 1,
		ConcentrationBase: BaseReposters,
		TopShare:          TopMap{"0.1": 4.0 / 19, "1": 4.0 / 19, "5": 4.0 / 19, "10": 8.0 / 19},
		Gini:              64.0 / 209, Lorenz: lorenz,

		SuspendedRepostShare: 6.0 / 19, DeletedRepostShare: 2.0 / 19,
		SuspendedAmplifiers: 4, DeletedAmplifiers: 1, ObservedAmplifiers: 7,

		HeavyAmplifiers: 2, FastAmplifiers10s: 0.5, FastAmplifiers60s: 1,
		MedianLatency: 40800, TimedReposts: 18, NegativeLatencies: 1,
		// bins: 1 [1,2) 2 [2,5) 7 [5,10) 30 [30,60) 60 [60,120) 120 [120,300) 600 [600,1800)
		// 3600 [3600,3h) 40800 [6h,12h) 86400 86420 [1d,2d) and six in [2d,7d)
		LatencyHist: hist(secondEdges, map[int]int64{1: 1, 2: 1, 3: 1, 5: 1, 6: 1, 7: 1, 9: 1, 11: 1, 13: 1, 15: 2, 16: 6}),
		// gaps 4 4 | 12 | 30 45 | 40625 | 86340 | 856793
		GapHist: hist(secondEdges, map[int]int64{2: 2, 4: 1, 5: 2, 13: 1, 14: 1, 17: 1}),
		// medians 4, 45, 86340, 856793
		MedianGapHist: hist(secondEdges, map[int]int64{2: 1, 5: 1, 14: 1, 17: 1}),
		// per-amplifier median latency: a1 (259204+338408)/2 = 298806, a2 (172975+252130)/2 =
		// 212552.5, a3 (60+3600)/2 = 1830, a4 (7+86400)/2 = 43203.5, a5 1, a7 120, a8 2, a10 600,
		// a11 30 (a6 untimed, a9 only negative)
		AmplifierLatencyHist: hist(secondEdges, map[int]int64{1: 1, 2: 1, 5: 1, 7: 1, 9: 1, 10: 1, 14: 1, 16: 2}),

		CoordinatedAccounts: 3, CoordinatedRepostShare: 7.0 / 19,

		// top watch account share of reposters with ≥ 2 reposts: a1 2/4, a2 2/4, a3 2/2, a4 2/2
		FocusHist: hist(tenthEdges, map[int]int64{5: 2, 10: 2}),
		// uk = w1 + w2 (named by id and by handle): reposts 10+6, reposters a1…a7 a9 a10 a11 = 10,
		// focused (≥ 2 reposts, ≥ half to uk) a1 3/4, a2 3/4, a3 2/2, a4 2/2; cgtn = w3: reposts
		// 3 by a1 a2 a8, none focused (a1 a2 send 1/4, a8 has 1 repost)
		Groups: []GroupRow{{cgtn, 1, 3, 3, 0}, {uk, 2, 16, 10, 4}},

		// age at first target engagement (s): a12 93900, a3 136560, a4 141607, a9 352790,
		// a8 392403, a2 394900, a1 482400, a7 58795320, a10 95731800, a13 158371250,
		// a5 176605201 → median (6th of 11) 394900 s; days: 7 in [1,7), a7 680.5 [365,730),
		// a10 1108.0 [730,1825), a13 1833.0 and a5 2044.0 [1825,3650)
		MedianAgeDays: 394900.0 / 86400, AgedAmplifiers: 11,
		AgeHist: hist(dayEdges, map[int]int64{1: 7, 6: 1, 7: 1, 8: 2}),
		CreationDays: []DayCount{{"2015-06-01", 1}, {"2016-01-01", 1}, {"2018-01-01", 1}, {"2019-03-03", 1},
			{"2020-12-31", 1}, {"2021-01-02", 6}},
		// 11 creations over 2043 days (2015-06-01 … 2021-01-02): threshold max(3, 5·11/2043) = 3;
		// 2021-01-02: a1 a2 a3 a4 a8 a12, reposts 4+4+2+2+1+0 = 13
		CreationBursts: []Burst{{"2021-01-02T00:00:00Z", 6, 11.0 / 2043, 13}},
		// 49032 hours; 10:00 holds a1 a2 a4 a8 (10:59:59), reposts 4+4+2+1 = 11
		CreationHourBursts: []Burst{{"2021-01-02T10:00:00Z", 4, 11.0 / 49032, 11}},

		ByPlatform:  []VolumeRow{vol("x", 3, 9, 143, 36, 10, 3)},
		ByActorType: []VolumeRow{vol("ambassador", 1, 4, 36, 12, 4, 1), vol("embassy", 1, 3, 7, 4, 1, 0), vol("state_media", 1, 2, 100, 20, 5, 2)},
		ByCountry:   []VolumeRow{vol("CN", 1, 2, 100, 20, 5, 2), vol("GB", 2, 7, 43, 16, 5, 1)},
		ByOutlet:    []VolumeRow{vol("(none)", 2, 7, 43, 16, 5, 1), vol("CGTN", 1, 2, 100, 20, 5, 2)},
		ByMonth:     []VolumeRow{vol("2021-01", 3, 9, 143, 36, 10, 3)},

		LabelByActorType: []LabelRow{{"ambassador", 1, 1, 1}, {"embassy", 1, 0, 0}, {"state_media", 1, 1, 1}},
		LabelByCountry:   []LabelRow{{"CN", 1, 1, 1}, {"GB", 2, 1, 0.5}},

		// by reposts, then quotes+replies, then id as a string (a10 < a11 < a5)
		TopAmplifiers: []AmplifierRow{
			amp("a1", 4, 0, 1, 3, 4, 298806, "suspended", false, "2021-01-02T10:00:00Z", "w1", 0.5, uk, 0.75, 1),
			amp("a2", 4, 0, 0, 3, 45, 212552.5, "active", true, "2021-01-02T10:20:00Z", "w1", 0.5, uk, 0.75, 1),
			amp("a3", 2, 0, 1, 1, 86340, 1830, "deleted", false, "2021-01-02T11:05:00Z", "w1", 1, uk, 1, 1),
			amp("a4", 2, 0, 0, 1, 856793, 43203.5, "active", true, "2021-01-02T10:40:00Z", "w2", 1, uk, 1, 1),
			amp("a10", 1, 0, 0, 1, -1, 600, "unknown", false, "2018-01-01T00:00:00Z", "w2", 1, uk, 1, 0.5),
			amp("a11", 1, 0, 0, 1, -1, 30, "unknown", false, "", "w1", 1, uk, 1, 0.5),
			amp("a5", 1, 0, 0, 1, -1, 1, "suspended", false, "2015-06-01T00:00:00Z", "w1", 1, uk, 1, 0.5),
			amp("a6", 1, 0, 0, 1, -1, -1, "unknown", false, "", "w1", 1, uk, 1, 0.5),
			// a7 reposted p3, a reply: no coverage of w1's originals
			amp("a7", 1, 0, 0, 1, -1, 120, "suspended", false, "2019-03-03T12:00:00Z", "w1", 1, uk, 1, 0),
			amp("a8", 1, 0, 0, 1, -1, 2, "unknown", true, "2021-01-02T10:59:59Z", "w3", 1, cgtn, 1, 1),
			amp("a9", 1, 0, 0, 1, -1, -1, "unknown", false, "2020-12-31T00:00:00Z", "w2", 1, uk, 1, 0.5),
			amp("a12", 0, 0, 1, 0, -1, -1, "suspended", false, "2021-01-02T23:00:00Z", "", 0, "", 0, 0),
			amp("a13", 0, 1, 0, 0, -1, -1, "unknown", false, "2016-01-01T00:00:00Z", "", 0, "", 0, 0),
		},
		PerAccount: []AccountRow{
			// w1: reposts p1 a1 a2 a3 a5 a6, p2 a1 a2 a3 a11, p3 a7 = 10; amplifiers 7 reposters
			// + a12 (reply) = 8; reposters' reposts [2 2 2 1 1 1 1]: top k = 1 for every p
			// (⌈0.7⌉ = 1) → 2/10; Gini ascending [1 1 1 1 2 2 2]: Σ i·x = (1+2+3+4) + 2·(5+6+7)
			// = 46, 92/70 − 8/7 = 6/35 (pairwise 4·3·1 = 12, 24/(2·49·10/7)); suspended a1 2 a5 a7 = 4/10, deleted a3 2/10, coordinated a2
			// 2/10; coverage of p1 p2: a1 a2 a3 both (1), a5 a6 a11 a12 one → half: 7
			{Platform: "x", ID: "w1", Handle: "AmbA", ActorType: "ambassador", Country: "GB", Labelled: true,
				Posts: 4, Originals: 2, Likes: 36, Reposts: 12, Replies: 4, Quotes: 1, Amplifiers: 8,
				TargetReposts: 10, WatchReposts: 1, SuspendedRepostShare: 0.4, DeletedRepostShare: 0.2,
				CoordinatedRepostShare: 0.2, Measured: true, TopShare: TopMap{"0.1": 0.2, "1": 0.2, "5": 0.2, "10": 0.2},
				Gini: 6.0 / 35, MaxCoverage: 1, HalfCoverage: 7},
			// w2: reposts p5 a1 a2 a4 a9, p6 a4 a10 = 6; [2 1 1 1 1]: top 2/6; Gini Σ = 1+2+3+4+10
			// = 20, 40/30 − 6/5 = 2/15; suspended a1 1/6; coordinated a2 a4 = 3/6; coverage a4 1,
			// a1 a2 a9 a10 0.5 → half 5
			{Platform: "x", ID: "w2", Handle: "EmbA", ActorType: "embassy", Country: "GB",
				Posts: 3, Originals: 2, Likes: 7, Reposts: 4, Replies: 1, Amplifiers: 5,
				TargetReposts: 6, SuspendedRepostShare: 1.0 / 6, CoordinatedRepostShare: 0.5, Measured: true,
				TopShare: TopMap{"0.1": 1.0 / 3, "1": 1.0 / 3, "5": 1.0 / 3, "10": 1.0 / 3},
				Gini:     2.0 / 15, MaxCoverage: 1, HalfCoverage: 5},
			// w3: p7 by a1 a2 a8 = 3 (< 5: not measured); suspended a1 1/3; coordinated a2 a8 2/3;
			// amplifiers + a13 (quote) = 4
			{Platform: "x", ID: "w3", Handle: "MediaB", ActorType: "state_media", Country: "CN", Outlet: "CGTN",
				Labelled: true, Posts: 2, Originals: 1, Likes: 100, Reposts: 20, Replies: 5, Quotes: 2, Amplifiers: 4,
				TargetReposts: 3, SuspendedRepostShare: 1.0 / 3, CoordinatedRepostShare: 2.0 / 3,
				MaxCoverage: 1, HalfCoverage: 3},
		},
		// weeks of Monday 01-04 and 01-11 (a6's untimed repost falls in its post's week);
		// precedence suspended > deleted > coordinated > other
		Weekly: []WeekRow{
			{"", "2021-01-04", 16, 5, 2, 6, 3, 6},
			{"", "2021-01-11", 3, 1, 0, 1, 1, 1},
			{"w1", "2021-01-04", 9, 3, 2, 2, 2, 2}, // p1 a1 S a2 C a3 D a5 S a6 O; p2 a1 S a2 C a3 D a11 O
			{"w1", "2021-01-11", 1, 1, 0, 0, 0, 0}, // p3 a7 S
			{"w2", "2021-01-04", 4, 1, 0, 2, 1, 2}, // p5 a1 S a2 C a4 C a9 O
			{"w2", "2021-01-11", 2, 0, 0, 1, 1, 1}, // p6 a4 C a10 O
			{"w3", "2021-01-04", 3, 1, 0, 2, 0, 2}, // p7 a1 S a2 C a8 C
		},
	}
}

func TestComputeHand(t *testing.T) {
	t.Parallel()
	got, err := Compute(batchInput(handFixture()), handParams())
	if err != nil {
		t.Fatal(err)
	}
	got.ActorGroups, got.ActorGroupsSource, got.ActorGroupsDefined = nil, "", nil // TestActorGroups
	for _, d := range approxDiff(got, handExpected()) {
		t.Error(d)
	}
}

// TestActorGroups: the hand fixture's figures per actor group, by hand.
//
// diplomats = w1 (ambassador) + w2 (embassy) (+ w4 and @ghost: watched, no post in the window):
// target reposts w1 10 + w2 6 = 16; reposters a1 a2 a3 a4 a5 a6 a7 a9 a10 a11 = 10, amplifiers
// + a12 = 11; per reposter a1 2+1, a2 2+1, a3 2, a4 2, six with 1 → top k = ⌈p·10⌉ = 1 → 3/16
// for every p; Gini ascending [1×6 2 2 3 3]: Σ i·x = 21 + 2·15 + 3·19 = 108, 216/160 − 11/10
// = 0.25; suspended a1 3 + a5 + a7 = 5/16; deleted a3 2/16; coordinated a2 3 + a4 2 = 5/16 (2
// accounts); label share 1/2; posts 4 + 3; likes 36 + 7.
// state_media = w3: reposts of p7 by a1 a2 a8 = 3, a13 quotes: amplifiers 4, reposters 3, equal
// counts → top 1/3, Gini 0; suspended a1 1/3; coordinated a2 a8 2/3; labelled 1/1.
// With --actor-type embassy only the embassy is left of the diplomats, and no state media.
func TestActorGroups(t *testing.T) {
	t.Parallel()
	f, err := Compute(batchInput(handFixture()), handParams())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]float64{
		"diplomats": {"watch_accounts": 4, "included_accounts": 2, "posts": 7, "likes": 43, "target_reposts": 16,
			"amplifiers": 11, "reposters": 10, "top_share.1": 3.0 / 16, "top_share.10": 3.0 / 16, "gini": 0.25,
			"suspended_repost_share": 5.0 / 16, "deleted_repost_share": 2.0 / 16, "coordinated_accounts": 2,
			"coordinated_repost_share": 5.0 / 16, "label_share": 0.5},
		"state_media": {"watch_accounts": 1, "included_accounts": 1, "target_reposts": 3, "amplifiers": 4, "reposters": 3,
			"top_share.1": 1.0 / 3, "gini": 0, "suspended_repost_share": 1.0 / 3, "coordinated_repost_share": 2.0 / 3,
			"label_share": 1},
	}
	if len(f.ActorGroups) != 2 || f.ActorGroups[0].Name != "diplomats" || f.ActorGroups[1].Name != "state_media" {
		t.Fatalf("actor groups %+v, want diplomats and state_media", f.ActorGroups)
	}
	if f.ActorGroupsSource != GroupsFromDefaults || !SameActorGroups(f.ActorGroupsDefined, DefaultActorGroups) {
		t.Errorf("source %q, defined %v; want the defaults", f.ActorGroupsSource, f.ActorGroupsDefined)
	}
	for _, g := range f.ActorGroups {
		for k, v := range want[g.Name] {
			got, ok := g.Figures[k]
			if !ok || math.Abs(got-v) > 1e-12 {
				t.Errorf("%s %s = %v (present %v), want %v", g.Name, k, got, ok, v)
			}
		}
	}
	p := handParams()
	p.Filter.ActorTypes = []string{"Embassy"}
	f, err = Compute(batchInput(handFixture()), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.ActorGroups) != 1 || f.ActorGroups[0].Name != "diplomats" || len(f.ActorGroups[0].ActorTypes) != 1 ||
		f.ActorGroups[0].Figures["target_reposts"] != 6 {
		t.Errorf("groups under --actor-type embassy: %+v, want diplomats = the embassy (6 reposts)", f.ActorGroups)
	}
	if !SameActorGroups(f.ActorGroupsDefined, DefaultActorGroups) {
		t.Errorf("defined %v under --actor-type embassy; want the whole definition, as given", f.ActorGroupsDefined)
	}
	p.ActorGroups, p.ActorGroupsSource = []ActorGroup{}, GroupsFromSettings
	if f, _ = Compute(batchInput(handFixture()), p); len(f.ActorGroups) != 0 || f.ActorGroupsSource != GroupsFromSettings || f.ActorGroupsDefined != nil {
		t.Errorf("ActorGroups empty: %d groups reported, source %q, defined %v", len(f.ActorGroups), f.ActorGroupsSource, f.ActorGroupsDefined)
	}
}

func TestSameActorGroups(t *testing.T) {
	t.Parallel()
	d := DefaultActorGroups
	for _, tc := range []struct {
		name string
		b    []ActorGroup
		want bool
	}{
		{"same", []ActorGroup{{"diplomats", []string{"ambassador", "embassy", "consulate", "staff", "ministry"}}, {"state_media", []string{"state_media", "media_personality"}}}, true},
		{"types reordered, other case", []ActorGroup{{"diplomats", []string{"Ministry", "staff", "consulate", "embassy", "ambassador"}}, {"state_media", []string{"media_personality", "state_media"}}}, true},
		{"groups reordered", []ActorGroup{d[1], d[0]}, false},
		{"renamed", []ActorGroup{{"diplomacy", d[0].ActorTypes}, d[1]}, false},
		{"type dropped", []ActorGroup{{"diplomats", []string{"ambassador", "embassy"}}, d[1]}, false},
		{"one group", d[:1], false},
		{"none", nil, false},
	} {
		if got := SameActorGroups(d, tc.b); got != tc.want {
			t.Errorf("%s: SameActorGroups = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !SameActorGroups(nil, []ActorGroup{}) {
		t.Error("nil and empty differ")
	}
}

// TestComputeHandVariants checks headline figures (by their JSON keys) for other windows,
// filters and as-of dates over the same hand fixture.
func TestComputeHandVariants(t *testing.T) {
	t.Parallel()
	in := batchInput(handFixture())
	tests := []struct {
		name string
		edit func(p *Params)
		want map[string]float64
	}{{
		// CN: w3 and w4 selected, only w3 included; target posts p7 and w3's reply; reposts
		// of p7 a1 a2 a8 (a13 only quotes: not a reposter) → [1 1 1]: every top share 1/3
		// (k = 1); Gini 0 (equal counts); a1 suspended 1/3;
		// coordinated a2 a8 2/3; amplifiers + a13 = 4; a1 has 1 repost here: no heavy amplifier.
		name: "country CN",
		edit: func(p *Params) { p.Filter.Countries = []string{"cn"} },
		want: map[string]float64{"watch_accounts": 2, "included_accounts": 1, "countries": 1, "posts": 2,
			"likes": 100, "reposts": 20, "replies": 5, "quotes": 2, "label_share": 1, "amplifiers": 4,
			"target_reposts": 3, "gini": 0, "suspended_repost_share": 1.0 / 3, "deleted_repost_share": 0,
			"coordinated_accounts": 2, "coordinated_repost_share": 2.0 / 3, "heavy_amplifiers": 0,
			"fast_amplifiers_10s": 0, "fast_amplifiers_60s": 0, "watch_reposts": 0},
	}, {
		// Second week: p3 (w1) and p6 (w2). Reposts p3 a7, p6 a4 a10 = 3; amplifiers + a1
		// (reply to p3) = 4; reposters [1 1 1]: Gini 0; suspended a7 1/3; coordinated a4 1/3;
		// label w1 yes, w2 no → 1/2; counts p3 2/1/1/0, p6 unknown.
		name: "second week",
		edit: func(p *Params) { p.Since = date(2021, 1, 11, 0, 0, 0) },
		want: map[string]float64{"since": 1610323200, "included_accounts": 2, "countries": 1, "posts": 2,
			"likes": 2, "reposts": 1, "replies": 1, "quotes": 0, "label_share": 0.5, "amplifiers": 4,
			"target_reposts": 3, "gini": 0, "suspended_repost_share": 1.0 / 3, "coordinated_repost_share": 1.0 / 3,
			"median_latency_s": 600},
	}, {
		// As of 2021-01-15 nothing has been observed yet: no suspension, no deletion; labels
		// (2020) unchanged.
		name: "early as-of",
		edit: func(p *Params) { p.AsOf = date(2021, 1, 15, 0, 0, 0) },
		want: map[string]float64{"suspended_repost_share": 0, "deleted_repost_share": 0, "observed_amplifiers": 0,
			"suspended_amplifiers": 0, "label_share": 2.0 / 3, "status_as_of": 1610668800},
	}, {
		// Unbounded status date: a2's 2021-05-05 suspension counts → (6+4)/19.
		name: "latest status",
		edit: func(p *Params) { p.AsOf = time.Time{} },
		want: map[string]float64{"suspended_repost_share": 10.0 / 19, "status_as_of": 0, "suspended_amplifiers": 5},
	}, {
		// By handle: @emba selects w2 only: p5, p6, repost of p1; reposts a1 a2 a4 a9 a4 a10.
		name: "account by handle",
		edit: func(p *Params) { p.Filter.Accounts = []string{"@emba"} },
		want: map[string]float64{"watch_accounts": 1, "included_accounts": 1, "posts": 3, "target_reposts": 6,
			"amplifiers": 5, "gini": 2.0 / 15},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := handParams()
			tc.edit(&p)
			f, err := Compute(in, p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(f)
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			for k, want := range tc.want {
				got, ok := m[k].(float64)
				if !ok {
					t.Errorf("%s: missing or not a number: %v", k, m[k])
					continue
				}
				if math.Abs(got-want) > 1e-12 {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
		})
	}
}

// TestConcentrationBase: the hand fixture's concentration over every amplifier (the other
// convention, Params.ConcentrationBase = BaseAmplifiers), by hand. The reply-only a12 and the
// quote-only a13 count as zeros: n = 13, counts ascending [0 0 1×7 2 2 4 4], C = 19.
//
//	top shares k = ⌈p·13⌉: 1 for 0.1, 1, 5 % → 4/19; ⌈1.3⌉ = 2 for 10 % → 8/19
//	Gini: Σ i·xᵢ = (3+…+9) + 2·(10+11) + 4·(12+13) = 42 + 42 + 100 = 184;
//	      2·184/(13·19) − 14/13 = 102/247
//	Lorenz: 14 points, cumulative 0 0 0 1 2 … over 19 at x = k/13
//	w1: [0 1 1 1 1 2 2 2] (a12 replied): Σ i·x = (2+3+4+5) + 2·(6+7+8) = 56, 112/80 − 9/8 = 0.275
//
// With the default (reposters) the same fixture gives 64/209 and 6/35 (handExpected): leaving
// the zeros in lowers nothing here at the top but inflates the Gini by a third.
func TestConcentrationBase(t *testing.T) {
	t.Parallel()
	p := handParams()
	p.ConcentrationBase = BaseAmplifiers
	f, err := Compute(batchInput(handFixture()), p)
	if err != nil {
		t.Fatal(err)
	}
	if f.ConcentrationBase != BaseAmplifiers {
		t.Errorf("concentration_base %q", f.ConcentrationBase)
	}
	want := TopMap{"0.1": 4.0 / 19, "1": 4.0 / 19, "5": 4.0 / 19, "10": 8.0 / 19}
	for k, v := range want {
		if math.Abs(f.TopShare[k]-v) > 1e-12 {
			t.Errorf("top %s %% = %v, want %v", k, f.TopShare[k], v)
		}
	}
	if math.Abs(f.Gini-102.0/247) > 1e-12 {
		t.Errorf("gini %v, want 102/247", f.Gini)
	}
	if len(f.Lorenz) != 14 || f.Lorenz[2].Y != 0 || math.Abs(f.Lorenz[1].X-1.0/13) > 1e-12 {
		t.Errorf("lorenz %v, want 14 points starting with three zeros", f.Lorenz)
	}
	if math.Abs(f.PerAccount[0].Gini-0.275) > 1e-12 {
		t.Errorf("w1 gini %v, want 0.275", f.PerAccount[0].Gini)
	}
	// The counts of accounts do not depend on the base.
	if f.Amplifiers != 13 || f.Reposters != 11 {
		t.Errorf("amplifiers %d, reposters %d; want 13, 11", f.Amplifiers, f.Reposters)
	}
	p.ConcentrationBase = "everyone"
	if _, err := Compute(batchInput(handFixture()), p); err == nil {
		t.Error("an unknown concentration base was accepted")
	}
}

// TestFindingsJSONKeys checks that the DESIGN §4 keys are present and numbers.
func TestFindingsJSONKeys(t *testing.T) {
	t.Parallel()
	f, err := Compute(batchInput(handFixture()), handParams())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"since", "until", "watch_accounts", "included_accounts", "countries", "posts",
		"likes", "reposts", "replies", "quotes", "label_share", "amplifiers", "target_reposts", "gini",
		"suspended_repost_share", "deleted_repost_share", "status_as_of", "fast_amplifiers_10s",
		"fast_amplifiers_60s", "coordinated_accounts", "coordinated_repost_share"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("key %q: %T %v, want a number", k, m[k], m[k])
		}
	}
	ts, ok := m["top_share"].(map[string]any)
	if !ok {
		t.Fatalf("top_share: %T", m["top_share"])
	}
	for _, k := range []string{"0.1", "1", "5", "10"} {
		if _, ok := ts[k].(float64); !ok {
			t.Errorf("top_share[%q]: %T, want a number", k, ts[k])
		}
	}
	if _, ok := m["per_account"].([]any); !ok {
		t.Errorf("per_account: %T, want an array", m["per_account"])
	}
}

func TestComputeRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(in *Input)
	}{
		{"engagement post out of range", func(in *Input) { in.Engagements.Post[0] = 999 }},
		{"engagement account negative", func(in *Input) { in.Engagements.Account[0] = -1 }},
		{"ragged posts", func(in *Input) { in.Posts.Likes = in.Posts.Likes[:1] }},
		{"status kind", func(in *Input) { in.Statuses.Status[0] = 9 }},
		{"label watch index", func(in *Input) { in.Labels.Watch[0] = 99 }},
		{"platform index", func(in *Input) { in.Accounts.Platform[0] = 3 }},
		{"engagement kind", func(in *Input) { in.Engagements.Kind[0] = 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := batchInput(handFixture())
			tc.edit(&in)
			if _, err := Compute(in, handParams()); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	p := handParams()
	p.Since, p.Until = p.Until, p.Since
	if _, err := Compute(batchInput(handFixture()), p); err == nil {
		t.Fatal("since after until: want an error")
	}
}

// TestComputeEmpty: no data gives zeros, not NaN, and valid JSON.
func TestComputeEmpty(t *testing.T) {
	t.Parallel()
	f, err := Compute(Input{Platforms: []string{"x"}}, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(f); err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if f.Gini != 0 || f.TopShare["1"] != 0 || f.SuspendedRepostShare != 0 || f.MedianLatency != 0 {
		t.Fatalf("empty input: %+v", f)
	}
}
