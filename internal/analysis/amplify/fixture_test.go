package amplify

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/event"
)

// t0 is Monday 2021-01-04 00:00:00 UTC (unix 1609718400); the hand fixture's times are
// offsets from it in seconds.
var t0 = time.Date(2021, 1, 4, 0, 0, 0, 0, time.UTC)

func at(sec int64) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func date(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, time.UTC)
}

// handFixture is the hand-built study of TestComputeHand (every figure is derived by hand in
// handExpected). Watchlist: w1 @AmbA (GB ambassador), w2 @EmbA (GB embassy, also reposts w1),
// w3 @MediaB (CN state media, outlet CGTN), w4 @MinX (CN ministry, only posts outside the
// window) and a handle-only entry @ghost (FR staff, no known account).
//
// Target posts (window 2021-01-04 … 2021-01-17, offsets from t0):
//
//	p1 w1 post   +1h (3600)   counts seen twice: 10/5/2/1 at +2h, then 30/8/3/1 at +10d (latest wins)
//	p2 w1 post   +1d (86400)  4/3/0/0
//	p3 w1 reply  +8d (691200) 2/1/1/0
//	p4 w1 repost +2d          0/500/0/0 (a repost: its counts are the reposted post's, not summed)
//	p5 w2 post   +2h (7200)   7/4/1/0
//	p6 w2 post   +9d (777600) counts unknown
//	p7 w3 post   +3d (259200) 100/20/5/2
//	p0 w2 post   2021-01-01 (before the window), p8 w4 post 2020-12-31 (before the window)
//
// Reposts of target posts by non-watchlist accounts (time offset, latency):
//
//	a1: p1 345600 (342000), p2 345604 (259204), p5 345608 (338408), p7 345620 (86420); also reposts p0 (ignored)
//	a2: p1 259300 (255700), p5 259330 (252130), p2 259375 (172975), p7 300000 (40800)
//	a3: p1 3660 (60), p2 90000 (3600)
//	a4: p5 7207 (7), p6 864000 (86400)
//	a5: p1 3601 (1)      a6: p1, time unknown     a7: p3 691320 (120)   a8: p7 259202 (2)
//	a9: p5 7190 (-10: before the post, excluded from latencies)
//	a10: p6 778200 (600) a11: p2 86430 (30)
//
// Other engagements: a12 replies to p1 at 3900; a13 quotes p7 at 259250; a3 replies to p2 at
// 90010; a1 replies to p3 at 691205; w2 (watchlist) reposts p1 at 3700; w3 (watchlist) replies
// to p5 at 8000; a5 reposts p8 (w4, outside the window); a5 and a6 like p1, a13 likes p7.
func handFixture() *event.Batch {
	b := &event.Batch{}
	x := event.X
	w := func(handle, id string, at event.ActorType, country, outlet string) {
		b.Watch = append(b.Watch, event.WatchEntry{Platform: x, Handle: handle, ID: id, ActorType: at, Country: country, Outlet: outlet})
	}
	w("AmbA", "w1", event.ActorAmbassador, "GB", "")
	w("EmbA", "w2", event.ActorEmbassy, "GB", "")
	w("MediaB", "w3", event.ActorStateMedia, "CN", "CGTN")
	w("MinX", "", event.ActorMinistry, "CN", "") // id resolved from the accounts by handle
	w("ghost", "", event.ActorStaff, "FR", "")

	acct := func(id, handle string, created time.Time) {
		b.Accounts = append(b.Accounts, event.Account{Platform: x, ID: id, Handle: handle, CreatedAt: created,
			Followers: event.Unknown, Following: event.Unknown, Posts: event.Unknown})
	}
	acct("w1", "AmbA", date(2019, 5, 1, 0, 0, 0))
	acct("w2", "EmbA", date(2018, 5, 1, 0, 0, 0))
	acct("w3", "MediaB", date(2012, 5, 1, 0, 0, 0))
	acct("w4", "MinX", date(2010, 5, 1, 0, 0, 0))
	acct("a1", "", date(2021, 1, 2, 10, 0, 0))
	acct("a2", "", date(2021, 1, 2, 10, 20, 0))
	acct("a3", "", date(2021, 1, 2, 11, 5, 0))
	acct("a4", "", date(2021, 1, 2, 10, 40, 0))
	acct("a5", "", date(2015, 6, 1, 0, 0, 0))
	acct("a6", "", time.Time{})
	acct("a7", "", date(2019, 3, 3, 12, 0, 0))
	acct("a8", "", date(2021, 1, 2, 10, 59, 59))
	acct("a9", "", date(2020, 12, 31, 0, 0, 0))
	acct("a10", "", date(2018, 1, 1, 0, 0, 0))
	acct("a11", "", time.Time{})
	acct("a12", "", date(2021, 1, 2, 23, 0, 0))
	acct("a13", "", date(2016, 1, 1, 0, 0, 0))

	post := func(id, author string, created time.Time, kind event.PostKind, l, r, rp, q int64, countsAt time.Time) {
		b.Posts = append(b.Posts, event.Post{Platform: x, ID: id, AuthorID: author, CreatedAt: created, Kind: kind,
			Likes: l, Reposts: r, Replies: rp, Quotes: q, Views: event.Unknown, CountsAt: countsAt})
	}
	u := event.Unknown
	post("p1", "w1", at(3600), event.KindPost, 10, 5, 2, 1, at(7200))
	post("p2", "w1", at(86400), event.KindPost, 4, 3, 0, 0, at(90000))
	post("p3", "w1", at(691200), event.KindReply, 2, 1, 1, 0, at(700000))
	b.Posts[len(b.Posts)-1].RefID, b.Posts[len(b.Posts)-1].RefAuthorID = "ext0", "e1"
	post("p4", "w1", at(172800), event.KindRepost, 0, 500, 0, 0, at(180000))
	b.Posts[len(b.Posts)-1].RefID, b.Posts[len(b.Posts)-1].RefAuthorID = "ext1", "e1"
	post("p5", "w2", at(7200), event.KindPost, 7, 4, 1, 0, at(9000))
	post("p6", "w2", at(777600), event.KindPost, u, u, u, u, time.Time{})
	post("p7", "w3", at(259200), event.KindPost, 100, 20, 5, 2, at(300000))
	post("p0", "w2", date(2021, 1, 1, 12, 0, 0), event.KindPost, 50, 50, 50, 50, at(0))
	post("p8", "w4", date(2020, 12, 31, 12, 0, 0), event.KindPost, 60, 60, 60, 60, at(0))
	// p1 observed again later: these counts win.
	post("p1", "w1", at(3600), event.KindPost, 30, 8, 3, 1, at(864000))

	authors := map[string]string{"p0": "w2", "p1": "w1", "p2": "w1", "p3": "w1", "p5": "w2", "p6": "w2", "p7": "w3", "p8": "w4"}
	n := 0
	// As posts (a retweet known as a tweet).
	ref := func(acct string, kind event.PostKind, target string, sec int64) {
		n++
		b.Posts = append(b.Posts, event.Post{Platform: x, ID: fmt.Sprintf("r%d", n), AuthorID: acct, CreatedAt: at(sec),
			Kind: kind, RefID: target, RefAuthorID: authors[target], Likes: u, Reposts: u, Replies: u, Quotes: u, Views: u})
	}
	// As engagement records (a retweeted_by or likers list).
	eng := func(acct string, kind event.EngagementKind, target string, when time.Time) {
		b.Engagements = append(b.Engagements, event.Engagement{Platform: x, AccountID: acct, Kind: kind, PostID: target,
			PostAuthorID: authors[target], At: when})
	}
	rp := event.KindRepost
	ref("a1", rp, "p1", 345600)
	ref("a1", rp, "p2", 345604)
	ref("a1", rp, "p5", 345608)
	ref("a1", rp, "p7", 345620)
	ref("a1", rp, "p0", 345630)
	ref("a2", rp, "p1", 259300)
	ref("a2", rp, "p5", 259330)
	eng("a2", event.EngageRepost, "p2", at(259375))
	ref("a2", rp, "p7", 300000)
	ref("a3", rp, "p1", 3660)
	ref("a3", rp, "p2", 90000)
	ref("a4", rp, "p5", 7207)
	eng("a4", event.EngageRepost, "p6", at(864000))
	ref("a5", rp, "p1", 3601)
	eng("a6", event.EngageRepost, "p1", time.Time{})
	ref("a7", rp, "p3", 691320)
	ref("a8", rp, "p7", 259202)
	ref("a9", rp, "p5", 7190)
	ref("a10", rp, "p6", 778200)
	ref("a11", rp, "p2", 86430)
	ref("a12", event.KindReply, "p1", 3900)
	ref("a13", event.KindQuote, "p7", 259250)
	ref("a3", event.KindReply, "p2", 90010)
	ref("a1", event.KindReply, "p3", 691205)
	ref("w2", rp, "p1", 3700)
	ref("w3", event.KindReply, "p5", 8000)
	ref("a5", rp, "p8", 3800)
	eng("a5", event.EngageLike, "p1", time.Time{})
	eng("a6", event.EngageLike, "p1", time.Time{})
	eng("a13", event.EngageLike, "p7", time.Time{})

	st := func(acct string, when time.Time, s event.Status) {
		b.Statuses = append(b.Statuses, event.StatusObservation{Platform: x, AccountID: acct, ObservedAt: when, Status: s})
	}
	st("a1", date(2021, 2, 15, 0, 0, 0), event.StatusSuspended)
	st("a2", date(2021, 2, 1, 0, 0, 0), event.StatusActive)
	st("a2", date(2021, 5, 5, 0, 0, 0), event.StatusSuspended) // after the as-of date: ignored
	st("a3", date(2021, 2, 20, 0, 0, 0), event.StatusDeleted)
	st("a4", date(2021, 2, 10, 0, 0, 0), event.StatusSuspended)
	st("a4", date(2021, 2, 25, 0, 0, 0), event.StatusActive)   // reinstated before the as-of date
	st("a5", date(2021, 3, 1, 0, 0, 0), event.StatusSuspended) // exactly at the as-of instant: counts
	st("a7", date(2021, 2, 1, 0, 0, 0), event.StatusActive)
	st("a7", date(2021, 2, 1, 0, 0, 0), event.StatusSuspended) // same instant: suspended wins
	st("a12", date(2021, 1, 30, 0, 0, 0), event.StatusSuspended)

	lb := func(acct string, when time.Time, c event.LabelClass) {
		b.Labels = append(b.Labels, event.LabelObservation{Platform: x, AccountID: acct, ObservedAt: when, Label: string(c), Class: c})
	}
	lb("w1", date(2020, 9, 1, 0, 0, 0), event.LabelGovernment)
	lb("w2", date(2020, 8, 1, 0, 0, 0), event.LabelNone)
	lb("w2", date(2021, 4, 1, 0, 0, 0), event.LabelGovernment) // after the as-of date: ignored
	lb("w3", date(2020, 8, 1, 0, 0, 0), event.LabelStateMedia)
	lb("w4", date(2020, 8, 1, 0, 0, 0), event.LabelGovernment) // not included (no post in the window)
	return b
}

// handParams are the parameters of the hand fixture: thresholds lowered so that a few dozen
// events exercise them (heavy: > 3 reposts; per-account figures from 5 reposts; bursts ≥ 3).
func handParams() Params {
	return Params{
		Since:         t0,
		Until:         date(2021, 1, 17, 23, 59, 59),
		AsOf:          date(2021, 3, 1, 0, 0, 0),
		Coordinated:   []string{"a2", "a4", "a8", "w2", "zz"},
		GroupNames:    map[string]string{"w1": "uk", "@EmbA": "uk", "w3": "cgtn"},
		HeavyMin:      3,
		PerAccountMin: 5,
		BurstMin:      3,
	}
}

// batchInput turns a batch into an Input with the store's semantics (latest counts by
// counts_at; reposts known as posts or as engagement records; handles resolved through the
// accounts): the reference for the kernel test before the store is involved.
func batchInput(b *event.Batch) Input {
	var in Input
	in.Platforms = []string{"x"}
	accts := map[string]int32{}
	created := map[string]time.Time{}
	handles := map[string]string{}
	byHandle := map[string]string{}
	for _, a := range b.Accounts {
		created[a.ID] = a.CreatedAt
		handles[a.ID] = a.Handle
		if a.Handle != "" {
			byHandle[strings.ToLower(a.Handle)] = a.ID
		}
	}
	account := func(id string) int32 {
		if i, ok := accts[id]; ok {
			return i
		}
		i := in.Accounts.Add(0, id, handles[id], unix(created[id]))
		accts[id] = i
		return i
	}
	watch := map[string]int32{}
	for _, e := range b.Watch {
		id := e.ID
		if id == "" {
			id = byHandle[strings.ToLower(e.Handle)]
		}
		we := WatchEntry{Account: -1, Platform: string(e.Platform), ID: id, Handle: e.Handle, ActorType: string(e.ActorType),
			Country: e.Country, Outlet: e.Outlet, Since: unix(e.Since), Until: unix(e.Until)}
		if id != "" {
			we.Account = account(id)
			watch[id] = int32(len(in.Watch))
		}
		in.Watch = append(in.Watch, we)
	}
	type latest struct {
		p  event.Post
		at time.Time
	}
	posts := map[string]*latest{}
	var order []string
	for _, p := range b.Posts {
		l := posts[p.ID]
		if l == nil {
			posts[p.ID] = &latest{p, p.CountsAt}
			order = append(order, p.ID)
			continue
		}
		if !p.CountsAt.IsZero() && (l.at.IsZero() || p.CountsAt.After(l.at)) {
			l.p, l.at = p, p.CountsAt
		}
	}
	postIdx := map[string]int32{}
	for _, id := range order {
		p := posts[id].p
		w, ok := watch[p.AuthorID]
		if !ok {
			continue
		}
		k, _ := ParsePostKind(string(p.Kind))
		postIdx[id] = in.Posts.Add(w, unix(p.CreatedAt), k, p.Likes, p.Reposts, p.Replies, p.Quotes)
	}
	for _, id := range order {
		p := posts[id].p
		pi, ok := postIdx[p.RefID]
		if p.Kind == event.KindPost || !ok {
			continue
		}
		k, _ := ParseKind(string(p.Kind))
		in.Engagements.Add(account(p.AuthorID), pi, k, unix(p.CreatedAt))
	}
	for _, e := range b.Engagements {
		pi, ok := postIdx[e.PostID]
		if !ok {
			continue
		}
		if e.Kind == event.EngageLike {
			in.Posts.LikeEvents[pi]++
			continue
		}
		k, _ := ParseKind(string(e.Kind))
		in.Engagements.Add(account(e.AccountID), pi, k, unix(e.At))
	}
	for _, s := range b.Statuses {
		st, _ := ParseStatus(string(s.Status))
		in.Statuses.Add(account(s.AccountID), unix(s.ObservedAt), st)
	}
	for _, l := range b.Labels {
		if w, ok := watch[l.AccountID]; ok {
			in.Labels.Add(w, unix(l.ObservedAt), ParseLabelClass(string(l.Class)))
		}
	}
	return in
}

// approxDiff reports the differences between got and want, comparing floats with a relative
// tolerance of 1e-9 and everything else exactly.
func approxDiff(got, want any) []string {
	var out []string
	var walk func(path string, g, w reflect.Value)
	walk = func(path string, g, w reflect.Value) {
		if len(out) > 40 {
			return
		}
		switch g.Kind() {
		case reflect.Float64, reflect.Float32:
			a, b := g.Float(), w.Float()
			if a != b && math.Abs(a-b) > 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b))) {
				out = append(out, fmt.Sprintf("%s: got %v, want %v", path, a, b))
			}
		case reflect.Struct:
			for i := range g.NumField() {
				walk(path+"."+g.Type().Field(i).Name, g.Field(i), w.Field(i))
			}
		case reflect.Slice:
			if g.Len() != w.Len() {
				out = append(out, fmt.Sprintf("%s: got %d elements %v, want %d %v", path, g.Len(), g.Interface(), w.Len(), w.Interface()))
				return
			}
			for i := range g.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), g.Index(i), w.Index(i))
			}
		case reflect.Map:
			keys := map[string]bool{}
			for _, k := range g.MapKeys() {
				keys[k.String()] = true
			}
			for _, k := range w.MapKeys() {
				keys[k.String()] = true
			}
			ks := make([]string, 0, len(keys))
			for k := range keys {
				ks = append(ks, k)
			}
			slices.Sort(ks)
			for _, k := range ks {
				kv := reflect.ValueOf(k).Convert(g.Type().Key())
				gv, wv := g.MapIndex(kv), w.MapIndex(kv)
				if !gv.IsValid() || !wv.IsValid() {
					out = append(out, fmt.Sprintf("%s[%q]: present in one only (got %v, want %v)", path, k, gv.IsValid(), wv.IsValid()))
					continue
				}
				walk(fmt.Sprintf("%s[%q]", path, k), gv, wv)
			}
		default:
			if !reflect.DeepEqual(g.Interface(), w.Interface()) {
				out = append(out, fmt.Sprintf("%s: got %v, want %v", path, g.Interface(), w.Interface()))
			}
		}
	}
	walk("", reflect.ValueOf(got), reflect.ValueOf(want))
	return out
}
