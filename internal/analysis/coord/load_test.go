package coord

import (
	"github.com/echotrace/echotrace/internal/analysis/text"
	"github.com/echotrace/echotrace/internal/store/storetest"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

// openStudy opens an empty study for the test.
func openStudy(t *testing.T) *duckdb.DB {
	t.Helper()
	db, err := duckdb.Open(t.Context(), t.TempDir(), duckdb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// storedPost is an X post with unknown counts.
func storedPost(id, author string, kind event.PostKind, ref, refAuthor string, at time.Time) event.Post {
	return event.Post{Platform: event.X, ID: id, AuthorID: author, Kind: kind, RefID: ref, RefAuthorID: refAuthor, CreatedAt: at,
		Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1}
}

// studyWorld stores a small study: watch account emb posts p1..p4; n1, n2, n3 repost each
// within 5 s (n3 skips p4); o1 reposts p1 an hour later; n1 and n2 also repost q1 (not a
// target) 2 s apart, post the same text with the same URL and hashtags 10 s apart, and share
// object img1 with n3; n1 is later suspended.
func studyWorld(t *testing.T) store.Store {
	t.Helper()
	db := openStudy(t)
	t0 := time.Date(2020, 6, 9, 12, 0, 0, 0, time.UTC)
	var b event.Batch
	b.Watch = append(b.Watch, event.WatchEntry{Platform: event.X, ID: "emb", Handle: "embassy", ActorType: event.ActorEmbassy, Country: "GB"})
	for _, id := range []string{"emb", "n1", "n2", "n3", "o1", "other"} {
		b.Accounts = append(b.Accounts, event.Account{Platform: event.X, ID: id, Handle: id, CreatedAt: t0.AddDate(0, -1, 0),
			Followers: 7, Following: -1, Posts: -1})
	}
	for i, p := range []string{"p1", "p2", "p3", "p4"} {
		at := t0.Add(time.Duration(i) * time.Hour)
		b.Posts = append(b.Posts, storedPost(p, "emb", event.KindPost, "", "", at))
		for j, n := range []string{"n1", "n2", "n3"} {
			if n == "n3" && p == "p4" {
				continue
			}
			b.Posts = append(b.Posts, storedPost("rt-"+n+"-"+p, n, event.KindRepost, p, "emb", at.Add(time.Duration(60+2*j)*time.Second)))
		}
	}
	b.Posts = append(b.Posts, storedPost("rt-o1-p1", "o1", event.KindRepost, "p1", "emb", t0.Add(time.Hour)))
	b.Posts = append(b.Posts, storedPost("q1", "other", event.KindPost, "", "", t0))
	b.Posts = append(b.Posts, storedPost("rt-n1-q1", "n1", event.KindRepost, "q1", "other", t0.Add(10*time.Second)))
	b.Posts = append(b.Posts, storedPost("rt-n2-q1", "n2", event.KindRepost, "q1", "other", t0.Add(12*time.Second)))
	for i, n := range []string{"n1", "n2"} {
		p := storedPost("txt-"+n, n, event.KindPost, "", "", t0.Add(time.Duration(500+10*i)*time.Second))
		p.Text = "Stand with the Embassy! https://t.co/xyz"
		p.URLs = []string{"https://example.org/a"}
		p.Hashtags = []string{"china", "uk"}
		b.Posts = append(b.Posts, p)
	}
	for i, n := range []string{"n1", "n3"} {
		b.Shares = append(b.Shares, event.Share{Platform: event.X, AccountID: n, ObjectID: "img1", ContentID: "c-" + n, At: t0.Add(time.Duration(3*i) * time.Second)})
	}
	b.Statuses = append(b.Statuses, event.StatusObservation{Platform: event.X, AccountID: "n1", ObservedAt: t0.AddDate(0, 9, 0), Status: event.StatusSuspended})
	storetest.Commit(t, db, store.ImportRun{Source: "test", Format: "test", Started: t0}, &b)
	return db
}

func TestLoadAndAnalyze(t *testing.T) {
	t.Parallel()
	st := studyWorld(t)
	ctx := t.Context()
	in, err := Load(ctx, st, Params{})
	if err != nil {
		t.Fatal(err)
	}
	count := func(s Signal) int {
		if a := in.actionsOf(s); a != nil {
			return a.Len()
		}
		return 0
	}
	// 11 target reposts + o1's (q1's two are not on targets); 2 texts, 2 URLs, 2 hashtag
	// sequences, 2 shares.
	for s, want := range map[Signal]int{CoRepost: 12, CoText: 2, CoLink: 2, CoHashtag: 2, CoShare: 2, CoReply: 0} {
		if got := count(s); got != want {
			t.Errorf("%s: %d actions, want %d", s, got, want)
		}
	}
	// Every repost in the world is a post of its own: each co-repost action names it as its
	// content, which evidence cards show as example posts.
	if a := in.actionsOf(CoRepost); a != nil {
		for i, c := range a.Content {
			if c < 0 || in.Contents.ID[c] == "" {
				t.Errorf("co-repost action %d has no content (the repost post)", i)
			}
		}
		if len(a.Content) != a.Len() {
			t.Errorf("%d contents for %d co-repost actions", len(a.Content), a.Len())
		}
	}
	if in2, err := Load(ctx, st, Params{AllTargets: true, Signals: []Signal{CoRepost}}); err != nil || in2.actionsOf(CoRepost).Len() != 14 || in2.actionsOf(CoText) != nil {
		t.Errorf("all targets: %v", err)
	}
	p := Params{MinWeight: 1, Alpha: -1, Algorithm: Components, Signals: []Signal{CoRepost, CoText, CoLink, CoHashtag, CoShare}}
	res, err := Analyze(ctx, st, p, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	// n1–n2: 4 reposted posts + text + link + hashtags = 7; n1–n3: 3 + share = 4; n2–n3: 3.
	// o1 reposted p1 an hour after the others: no edge.
	want := map[string]float64{"n1-n2": 7, "n1-n3": 4, "n2-n3": 3}
	got := edgeMap(res)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("edge %s = %v, want %v (all %v)", k, got[k], w, got)
		}
	}
	if len(got) != 3 {
		t.Errorf("edges %v", got)
	}
	// Co-text objects are loaded unnamed (a hash of the text) and named for the evidence from
	// the stored post: the name is the normalised text, as before.
	var textObjects []string
	for _, e := range res.Edges {
		for _, ev := range e.Evidence {
			if ev.Signal == CoText {
				textObjects = append(textObjects, ev.Object)
			}
		}
	}
	if want := "text:" + text.Normalize("Stand with the Embassy! https://t.co/xyz"); len(textObjects) != 1 || textObjects[0] != want {
		t.Errorf("co-text evidence objects %q, want [%q]", textObjects, want)
	}
	c := res.Clusters[0]
	if c.Size != 3 || c.Suspended != 1 || c.Targets[0].Author != "emb" || c.CreatedSpreadDays != 0 || c.FollowersMedian != 7 {
		t.Errorf("cluster card %+v", c)
	}
	if _, _, err := st.Document(ctx, "coord"); err != nil {
		t.Errorf("coord document: %v", err)
	}
	rows, err := st.Query(ctx, "SELECT count(*) FROM result_coord_edges")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if n != 3 {
		t.Errorf("result_coord_edges has %d rows, want 3", n)
	}
}

// TestLoadSharesPostContents: a post's content is one entry shared by co-text, co-link and
// co-hashtag (evidence compares and shows contents by index); a post with a URL and hashtags
// but no text gets one entry of its own for both.
func TestLoadSharesPostContents(t *testing.T) {
	t.Parallel()
	st := studyWorld(t)
	ctx := t.Context()
	t0 := time.Date(2020, 6, 9, 12, 0, 0, 0, time.UTC)
	p := event.Post{Platform: event.X, ID: "a1", AuthorID: "n1", Kind: event.KindPost, CreatedAt: t0.Add(500 * time.Second),
		URLs: []string{"https://example.org/a"}, Hashtags: []string{"china", "uk"}, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1}
	storetest.Commit(t, st, store.ImportRun{Source: "more", Format: "test", Started: t0}, &event.Batch{Posts: []event.Post{p}})
	in, err := Load(ctx, st, Params{})
	if err != nil {
		t.Fatal(err)
	}
	contents := map[string]map[int32]bool{} // post id → the content indexes naming it
	for _, s := range []Signal{CoText, CoLink, CoHashtag} {
		a := in.actionsOf(s)
		for _, c := range a.Content {
			id := in.Contents.ID[c]
			if contents[id] == nil {
				contents[id] = map[int32]bool{}
			}
			contents[id][c] = true
		}
	}
	for _, id := range []string{"txt-n1", "txt-n2", "a1"} {
		if len(contents[id]) != 1 {
			t.Errorf("post %s has contents %v across the signals, want one", id, contents[id])
		}
	}
	if n := in.actionsOf(CoText).Len(); n != 2 {
		t.Errorf("co-text: %d actions, want 2 (a1 has no text)", n)
	}
}

// TestLoadCreatedOfStatedAuthor: an object's creation time comes from the stored post even
// when the engagements state a watchlist author that the stored post does not carry.
func TestLoadCreatedOfStatedAuthor(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := openStudy(t)
	t0 := time.Date(2020, 6, 9, 12, 0, 0, 0, time.UTC)
	b := event.Batch{
		Watch: []event.WatchEntry{{Platform: event.X, ID: "emb", Handle: "embassy"}},
		Posts: []event.Post{
			storedPost("p1", "x", event.KindPost, "", "", t0), // stored with another author
			storedPost("p2", "emb", event.KindPost, "", "", t0.Add(time.Hour)),
			storedPost("r1", "n1", event.KindRepost, "p1", "emb", t0.Add(time.Minute)),
			storedPost("r2", "n1", event.KindRepost, "p2", "emb", t0.Add(time.Hour+time.Minute)),
		},
	}
	storetest.Commit(t, db, store.ImportRun{Source: "test", Format: "test", Started: t0}, &b)
	in, err := Load(ctx, db, Params{Signals: []Signal{CoRepost}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for o, id := range in.Objects.ID {
		got[id] = in.Objects.Created[o]
	}
	if got["p1"] != t0.Unix() || got["p2"] != t0.Add(time.Hour).Unix() {
		t.Errorf("created = %v, want p1 %d and p2 %d", got, t0.Unix(), t0.Add(time.Hour).Unix())
	}
}
