package amplify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/echotrace/echotrace/internal/event"
)

// genWorld is a generated study for the SQL cross-check: watch accounts with posts of every
// kind (some before the window, some with unknown counts, some observed twice), Zipf-like
// amplifiers, fast "bots" reposting in sweeps seconds apart, watch accounts reposting each
// other, reposts known both as posts and as engagement records, replies, quotes, likes, and
// status and label observations on both sides of the as-of date.
type genWorld struct {
	main, later *event.Batch // later holds second count observations of some posts
	since       time.Time
	until       time.Time
	asOf        time.Time
	coordinated []string
}

func generate(seed uint64, nWatch, postsPer, nAmp int) genWorld {
	rng := rand.New(rand.NewPCG(seed, 0xec407ace))
	x := event.X
	since := time.Date(2021, 1, 4, 0, 0, 0, 0, time.UTC)
	until := time.Date(2021, 3, 31, 23, 59, 59, 0, time.UTC)
	g := genWorld{main: &event.Batch{}, later: &event.Batch{}, since: since, until: until,
		asOf: time.Date(2021, 4, 15, 0, 0, 0, 0, time.UTC)}
	b := g.main
	span := until.Unix() - since.Unix()
	actors := []event.ActorType{event.ActorAmbassador, event.ActorEmbassy, event.ActorStateMedia, event.ActorMinistry}
	countries := []string{"GB", "CN", "FR", "US", "DE"}
	for w := range nWatch {
		id := fmt.Sprintf("w%d", w)
		b.Watch = append(b.Watch, event.WatchEntry{Platform: x, ID: id, Handle: "H" + id,
			ActorType: actors[w%len(actors)], Country: countries[w%len(countries)], Outlet: fmt.Sprintf("o%d", w%3)})
		b.Accounts = append(b.Accounts, event.Account{Platform: x, ID: id, Handle: "H" + id,
			CreatedAt: since.AddDate(-5, 0, -w), Followers: -1, Following: -1, Posts: -1})
		for k := range 3 {
			if rng.IntN(2) == 0 {
				class := []event.LabelClass{event.LabelGovernment, event.LabelStateMedia, event.LabelNone}[rng.IntN(3)]
				b.Labels = append(b.Labels, event.LabelObservation{Platform: x, AccountID: id,
					ObservedAt: since.AddDate(0, 2*k, rng.IntN(20)).Add(time.Duration(w) * time.Minute), Label: string(class), Class: class})
			}
		}
	}
	b.Watch = append(b.Watch, event.WatchEntry{Platform: x, Handle: "nobody", ActorType: event.ActorStaff, Country: "IT"})
	burst := since.AddDate(0, -1, 0)
	for a := range nAmp {
		created := since.AddDate(-rng.IntN(8), -rng.IntN(12), -rng.IntN(28)).Add(-time.Duration(rng.IntN(86400)) * time.Second)
		switch {
		case a%7 == 3:
			created = burst.Add(time.Duration(rng.IntN(3600)) * time.Second)
		case a%11 == 5:
			created = time.Time{}
		}
		id := fmt.Sprintf("u%d", a)
		b.Accounts = append(b.Accounts, event.Account{Platform: x, ID: id, CreatedAt: created, Followers: -1, Following: -1, Posts: -1})
		if rng.IntN(10) < 4 {
			st := []event.Status{event.StatusSuspended, event.StatusDeleted, event.StatusActive, event.StatusProtected}[rng.IntN(4)]
			b.Statuses = append(b.Statuses, event.StatusObservation{Platform: x, AccountID: id,
				ObservedAt: g.asOf.AddDate(0, 0, rng.IntN(60)-40).Add(time.Duration(a) * time.Second), Status: st})
			if rng.IntN(3) == 0 {
				b.Statuses = append(b.Statuses, event.StatusObservation{Platform: x, AccountID: id,
					ObservedAt: g.asOf.AddDate(0, 0, rng.IntN(60)-40).Add(time.Duration(a)*time.Second + time.Hour), Status: event.StatusSuspended})
			}
		}
		if a >= 5 && a < 15 {
			g.coordinated = append(g.coordinated, id)
		}
	}
	type target struct {
		id, author string
		at         int64
	}
	var targets []target
	n := 0
	for w := range nWatch - 1 { // the last watch account posts only before the window
		author := fmt.Sprintf("w%d", w)
		for range postsPer {
			n++
			id := fmt.Sprintf("p%d", n)
			t := since.Unix() + rng.Int64N(span)
			if rng.IntN(20) == 0 {
				t = since.Unix() - 1 - rng.Int64N(86400*10) // before the window
			}
			kind := event.KindPost
			ref, refAuthor := "", ""
			switch r := rng.IntN(20); {
			case r == 0:
				kind, ref, refAuthor = event.KindRepost, fmt.Sprintf("ext%d", n), "ext"
			case r == 1:
				kind, ref, refAuthor = event.KindReply, fmt.Sprintf("ext%d", n), "ext"
			case r == 2:
				kind, ref, refAuthor = event.KindQuote, fmt.Sprintf("ext%d", n), "ext"
			}
			c := func() int64 {
				if rng.IntN(12) == 0 {
					return -1
				}
				return rng.Int64N(500)
			}
			p := event.Post{Platform: x, ID: id, AuthorID: author, CreatedAt: time.Unix(t, 0).UTC(), Kind: kind,
				RefID: ref, RefAuthorID: refAuthor, Likes: c(), Reposts: c(), Replies: c(), Quotes: c(), Views: -1,
				CountsAt: time.Unix(t+3600, 0).UTC()}
			b.Posts = append(b.Posts, p)
			if rng.IntN(5) == 0 {
				q := p
				q.Likes, q.Reposts, q.Replies, q.Quotes = rng.Int64N(900), rng.Int64N(900), -1, rng.Int64N(9)
				q.CountsAt = p.CountsAt.Add(48 * time.Hour)
				g.later.Posts = append(g.later.Posts, q)
			}
			targets = append(targets, target{id, author, t})
		}
	}
	// Amplification.
	weights := make([]float64, nAmp)
	var totalW float64
	for a := range weights {
		weights[a] = 1 / math.Pow(float64(a+1), 0.9)
		totalW += weights[a]
	}
	pick := func() int {
		r := rng.Float64() * totalW
		for a, w := range weights {
			if r < w {
				return a
			}
			r -= w
		}
		return nAmp - 1
	}
	m := 0
	repost := func(acct string, tg target, at int64, asEngagement bool) {
		if asEngagement {
			b.Engagements = append(b.Engagements, event.Engagement{Platform: x, AccountID: acct, Kind: event.EngageRepost,
				PostID: tg.id, PostAuthorID: tg.author, At: time.Unix(at, 0).UTC()})
			return
		}
		m++
		b.Posts = append(b.Posts, event.Post{Platform: x, ID: fmt.Sprintf("r%d", m), AuthorID: acct, CreatedAt: time.Unix(at, 0).UTC(),
			Kind: event.KindRepost, RefID: tg.id, RefAuthorID: tg.author, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1})
	}
	for _, tg := range targets {
		seen := map[int]bool{}
		for range rng.IntN(12) {
			a := pick()
			if a < 5 || seen[a] { // bots repost in sweeps below; one repost per account and post
				continue
			}
			seen[a] = true
			lat := int64(rng.ExpFloat64() * 1800)
			if a >= 5 && a < 15 {
				lat = int64(rng.IntN(30))
			}
			acct := fmt.Sprintf("u%d", a)
			switch r := rng.IntN(10); {
			case r == 0:
				b.Engagements = append(b.Engagements, event.Engagement{Platform: x, AccountID: acct, Kind: event.EngageRepost,
					PostID: tg.id, PostAuthorID: tg.author}) // no time
			case r == 1:
				repost(acct, tg, tg.at+lat, true)
				repost(acct, tg, tg.at+lat, false) // the same repost known twice: one event
			default:
				repost(acct, tg, tg.at+lat, false)
			}
		}
		for range rng.IntN(4) {
			m++
			kind := event.KindReply
			if rng.IntN(3) == 0 {
				kind = event.KindQuote
			}
			b.Posts = append(b.Posts, event.Post{Platform: x, ID: fmt.Sprintf("r%d", m), AuthorID: fmt.Sprintf("u%d", pick()),
				CreatedAt: time.Unix(tg.at+int64(rng.IntN(7200)), 0).UTC(), Kind: kind, RefID: tg.id, RefAuthorID: tg.author,
				Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1})
		}
		if rng.IntN(15) == 0 && tg.author != "w0" {
			repost("w0", tg, tg.at+60, false) // a watchlist account amplifying another
		}
		for range rng.IntN(3) {
			b.Engagements = append(b.Engagements, event.Engagement{Platform: x, AccountID: fmt.Sprintf("u%d", rng.IntN(nAmp)),
				Kind: event.EngageLike, PostID: tg.id, PostAuthorID: tg.author})
		}
	}
	// Bots: each reposts every post of a few watch accounts, in sweeps of 20 posts 3 s apart
	// (bot 4 sweeps 15 s apart: heavy but not fast at 10 s).
	sorted := slices.Clone(targets)
	slices.SortFunc(sorted, func(a, b target) int { return int(a.at - b.at) })
	for bot := range 5 {
		var mine []target
		for _, tg := range sorted {
			var w int
			fmt.Sscanf(tg.author, "w%d", &w)
			if w%5 == bot || w%5 == (bot+1)%5 {
				mine = append(mine, tg)
			}
		}
		gap := int64(3)
		if bot == 4 {
			gap = 15
		}
		for i := 0; i < len(mine); i += 20 {
			chunk := mine[i:min(i+20, len(mine))]
			start := chunk[len(chunk)-1].at + 600
			for j, tg := range chunk {
				repost(fmt.Sprintf("u%d", bot), tg, start+int64(j)*gap, false)
			}
		}
	}
	return g
}
