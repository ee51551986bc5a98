package coord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/simulate"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
	"github.com/echotrace/echotrace/internal/store/storetest"
)

// refreshSnapshot rebuilds the study's analysis snapshot, as imports do.
func refreshSnapshot(t testing.TB, db *duckdb.DB) {
	t.Helper()
	if _, err := db.RefreshSnapshot(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// loadBoth loads p's input from the views and through Load, which must read the fresh
// snapshot (its contents are unnamed until asked for), names everything in both and requires
// them to be equal, column by column.
func loadBoth(t *testing.T, db *duckdb.DB, p Params) Input {
	t.Helper()
	return loadBothNamed(t, db, p, nil, nil)
}

// loadBothNamed is loadBoth naming only the given objects and contents (nil: all), and
// comparing the names of those.
func loadBothNamed(t *testing.T, db *duckdb.DB, p Params, objs, contents []int32) Input {
	t.Helper()
	ctx := t.Context()
	views, err := loadViews(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Load(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Contents.name == nil {
		t.Fatalf("%+v: Load did not read the snapshot", p)
	}
	for _, in := range []*Input{&views, &snap} {
		if err := in.NameObjects(ctx, objs); err != nil {
			t.Fatal(err)
		}
		if err := in.NameContents(ctx, contents); err != nil {
			t.Fatal(err)
		}
	}
	if objs != nil || contents != nil {
		// Only those are named: compare them, then take the views' names for the rest.
		for _, x := range []struct{ v, s []string }{{views.Objects.ID, snap.Objects.ID}, {views.Contents.ID, snap.Contents.ID}} {
			if len(x.v) != len(x.s) {
				t.Fatalf("%d vs %d names", len(x.v), len(x.s))
			}
			for i := range x.s {
				if x.s[i] != "" && x.v[i] != "" && x.s[i] != x.v[i] {
					t.Errorf("name %d: %q from the snapshot, %q from the views", i, x.s[i], x.v[i])
				}
				x.s[i] = x.v[i]
			}
		}
	}
	if err := sameInput(&views, &snap); err != nil {
		t.Errorf("params %+v: snapshot input differs from the views': %v", p, err)
	}
	return snap
}

// sameInput compares two inputs column by column (a nil column equals an empty one).
func sameInput(x, y *Input) error {
	eq := func(name string, ok bool) error {
		if !ok {
			return fmt.Errorf("%s differ", name)
		}
		return nil
	}
	firstDiff := func(a, b []string) string {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				return fmt.Sprintf("at %d: %q vs %q", i, a[i], b[i])
			}
		}
		return fmt.Sprintf("lengths %d vs %d", len(a), len(b))
	}
	if !slices.Equal(x.Accounts.ID, y.Accounts.ID) {
		return fmt.Errorf("account ids differ %s", firstDiff(x.Accounts.ID, y.Accounts.ID))
	}
	if !slices.Equal(x.Objects.ID, y.Objects.ID) {
		return fmt.Errorf("object ids differ %s", firstDiff(x.Objects.ID, y.Objects.ID))
	}
	if !slices.Equal(x.Contents.ID, y.Contents.ID) {
		return fmt.Errorf("content ids differ %s", firstDiff(x.Contents.ID, y.Contents.ID))
	}
	for _, e := range []error{
		eq("account created", slices.Equal(x.Accounts.CreatedAt, y.Accounts.CreatedAt)),
		eq("account followers", slices.Equal(x.Accounts.Followers, y.Accounts.Followers)),
		eq("account status", slices.Equal(x.Accounts.Status, y.Accounts.Status)),
		eq("account watch", slices.Equal(x.Accounts.Watch, y.Accounts.Watch)),
		eq("object authors", slices.Equal(x.Objects.Author, y.Objects.Author)),
		eq("object created", slices.Equal(x.Objects.Created, y.Objects.Created)),
		eq("time unit", x.unit() == y.unit()),
		eq("status date", x.StatusAsOf.Equal(y.StatusAsOf)),
		eq("signals", len(x.Actions) == len(y.Actions)),
	} {
		if e != nil {
			return e
		}
	}
	for i := range x.Actions {
		a, b := &x.Actions[i], &y.Actions[i]
		if a.Signal != b.Signal {
			return fmt.Errorf("signal %d: %s vs %s", i, a.Signal, b.Signal)
		}
		for _, e := range []error{
			eq(string(a.Signal)+" accounts", slices.Equal(a.Account, b.Account)),
			eq(string(a.Signal)+" objects", slices.Equal(a.Object, b.Object)),
			eq(string(a.Signal)+" times", slices.Equal(a.Time, b.Time)),
			eq(string(a.Signal)+" contents", slices.Equal(a.Content, b.Content)),
		} {
			if e != nil {
				return e
			}
		}
	}
	return nil
}

// awkwardBatch is a study with the cases the snapshot must get right: two platforms, a
// watchlist entry by id and one by handle, an engagement of a post the study does not hold, a
// post stored under another author than its reposts state, reposts, replies and quotes as
// posts (with their via) and as engagements (with and without a stated author, one already
// represented by a post), missing times, texts that normalise alike and to nothing, URLs,
// hashtags, shares, statuses by id and by handle.
func awkwardBatch(t0 time.Time) *event.Batch {
	var b event.Batch
	b.Watch = []event.WatchEntry{
		{Platform: event.X, ID: "emb", Handle: "embassy", ActorType: event.ActorEmbassy, Country: "GB"},
		{Platform: event.Bluesky, Handle: "Amb.bsky", ActorType: event.ActorAmbassador, Country: "GB"},
	}
	for _, a := range []struct {
		pl     event.Platform
		id, h  string
		follow int64
	}{{event.X, "emb", "embassy", 9}, {event.X, "n1", "n1", 7}, {event.X, "n2", "n2", -1}, {event.X, "n3", "n3", 3},
		{event.Bluesky, "did:amb", "amb.bsky", 100}, {event.Bluesky, "did:f1", "f1", 2}, {event.Bluesky, "did:f2", "f2", 2}} {
		b.Accounts = append(b.Accounts, event.Account{Platform: a.pl, ID: a.id, Handle: a.h, CreatedAt: t0.AddDate(0, -1, 0),
			Followers: a.follow, Following: -1, Posts: -1, ObservedAt: t0})
	}
	post := func(pl event.Platform, id, author string, kind event.PostKind, ref, refAuthor string, at time.Time, text string) event.Post {
		return event.Post{Platform: pl, ID: id, AuthorID: author, Kind: kind, RefID: ref, RefAuthorID: refAuthor, CreatedAt: at,
			Text: text, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1}
	}
	b.Posts = append(b.Posts,
		post(event.X, "p1", "emb", event.KindPost, "", "", t0, "Our statement"),
		post(event.X, "p2", "other", event.KindPost, "", "", t0.Add(time.Minute), "not the stated author"),
		post(event.X, "r1", "n1", event.KindRepost, "p1", "emb", t0.Add(10*time.Second), ""),
		post(event.X, "r2", "n2", event.KindRepost, "p1", "", t0.Add(12*time.Second), ""), // author from p1
		post(event.X, "r3", "n1", event.KindRepost, "p2", "emb", t0.Add(90*time.Second), ""),
		post(event.X, "r4", "n2", event.KindRepost, "p2", "emb", t0.Add(95*time.Second), ""),
		post(event.X, "r5", "n3", event.KindRepost, "gone", "emb", t0.Add(3*time.Hour), ""), // not stored
		post(event.X, "r6", "n1", event.KindRepost, "gone", "emb", t0.Add(3*time.Hour+time.Second), ""),
		post(event.X, "y1", "n1", event.KindReply, "p1", "emb", t0.Add(20*time.Second), "So TRUE! https://t.co/a @emb"),
		post(event.X, "y2", "n2", event.KindReply, "p1", "emb", t0.Add(25*time.Second), "so true"),
		post(event.X, "y3", "n3", event.KindReply, "p1", "emb", time.Time{}, "no time"),
		post(event.X, "q1", "n3", event.KindQuote, "p1", "emb", t0.Add(30*time.Second), "@emb https://t.co/b"), // normalises to nothing
		post(event.X, "o1", "n1", event.KindRepost, "z1", "other", t0.Add(time.Second), ""),                    // not a target
		post(event.X, "o2", "n3", event.KindRepost, "z1", "other", t0.Add(2*time.Second), ""),
		post(event.Bluesky, "at://amb/1", "did:amb", event.KindPost, "", "", t0, "Hello"),
		post(event.Bluesky, "at://f1/r", "did:f1", event.KindRepost, "at://amb/1", "did:amb", t0.Add(5*time.Second), ""),
		post(event.Bluesky, "at://f2/r", "did:f2", event.KindRepost, "at://amb/1", "", t0.Add(6*time.Second), ""),
		post(event.Bluesky, "at://f1/t", "did:f1", event.KindPost, "", "", t0.Add(7*time.Second), "so true"),
	)
	for i, id := range []string{"y1", "y2"} {
		p := &b.Posts[8+i]
		p.URLs = []string{"https://example.org/a", "https://example.org/b"}
		p.Hashtags = []string{"China", "UK"}
		_ = id
	}
	b.Posts[0].URLs = []string{"https://example.org/a"}
	b.Posts[17].Hashtags = []string{"china", "uk"}
	b.Engagements = []event.Engagement{
		{Platform: event.X, AccountID: "n3", Kind: event.EngageRepost, PostID: "p1", PostAuthorID: "emb", At: t0.Add(11 * time.Second)},
		{Platform: event.X, AccountID: "n1", Kind: event.EngageRepost, PostID: "p1", PostAuthorID: "emb", At: t0.Add(10 * time.Second)}, // = r1
		{Platform: event.X, AccountID: "n2", Kind: event.EngageQuote, PostID: "p1", At: t0.Add(40 * time.Second)},                       // author from p1
		{Platform: event.X, AccountID: "n3", Kind: event.EngageRepost, PostID: "unknown", PostAuthorID: "emb", At: t0.Add(time.Hour)},
		{Platform: event.X, AccountID: "n2", Kind: event.EngageRepost, PostID: "unknown", PostAuthorID: "emb", At: t0.Add(time.Hour + 3*time.Second)},
		{Platform: event.X, AccountID: "n1", Kind: event.EngageLike, PostID: "p1", PostAuthorID: "emb"},
		{Platform: event.X, AccountID: "n2", Kind: event.EngageRepost, PostID: "p2", PostAuthorID: "emb"}, // no time
		// Within one second, in the other order than their accounts' ids (times are whole
		// seconds in the Input: both paths order by the second, then by account).
		{Platform: event.Bluesky, AccountID: "did:f2", Kind: event.EngageReply, PostID: "at://amb/1", PostAuthorID: "did:amb", At: t0.Add(8*time.Second + 200*time.Millisecond)},
		{Platform: event.Bluesky, AccountID: "did:f1", Kind: event.EngageReply, PostID: "at://amb/1", PostAuthorID: "did:amb", At: t0.Add(8*time.Second + 700*time.Millisecond)},
	}
	b.Shares = []event.Share{
		{Platform: event.X, AccountID: "n1", ObjectID: "img1", ContentID: "c1", At: t0},
		{Platform: event.X, AccountID: "n3", ObjectID: "img1", ContentID: "c2", At: t0.Add(3 * time.Second)},
		{Platform: event.X, AccountID: "n2", ObjectID: "url:https://example.org/a", At: t0.Add(4 * time.Second)},
	}
	b.Statuses = []event.StatusObservation{
		{Platform: event.X, AccountID: "n1", ObservedAt: t0.AddDate(0, 9, 0), Status: event.StatusSuspended},
		{Platform: event.X, AccountID: "n2", ObservedAt: t0.AddDate(0, 8, 0), Status: event.StatusActive},
		{Platform: event.X, AccountID: "n2", ObservedAt: t0.AddDate(0, 9, 0), Status: event.StatusDeleted},
		{Platform: event.Bluesky, Handle: "F1", ObservedAt: t0.AddDate(0, 9, 1), Status: event.StatusSuspended},
	}
	return &b
}

// paramsToCompare are the parameter sets whose input the snapshot must reproduce.
var paramsToCompare = []Params{
	{},
	{AllTargets: true},
	{Signals: []Signal{CoRepost, CoText}},
	{Signals: []Signal{CoReply, CoQuote, CoLink, CoHashtag, CoShare}},
}

// TestSnapshotInputEqualsViews: on the awkward study, imported twice (the second import a
// duplicate), the input read from the snapshot equals the views' for every parameter set.
func TestSnapshotInputEqualsViews(t *testing.T) {
	t.Parallel()
	db := openStudy(t)
	t0 := time.Date(2020, 6, 9, 12, 0, 0, 0, time.UTC)
	for i := range 2 {
		storetest.Commit(t, db, store.ImportRun{Source: fmt.Sprint("awkward-", i), Format: "test", Started: t0}, awkwardBatch(t0))
	}
	refreshSnapshot(t, db)
	for _, p := range paramsToCompare {
		in := loadBoth(t, db, p)
		if len(p.Signals) == 0 && !p.AllTargets {
			// The checks above compare two loads; these pin what they load.
			if got := in.actionsOf(CoRepost).Len(); got != 11 {
				t.Errorf("co-repost: %d actions, want 11 (r1–r6, n3's, n3's and n2's of the unknown post, f1's and f2's)", got)
			}
		}
	}
}

// TestSnapshotFollowsImports: import A, build, analyse; import B (new posts, statuses, a
// watchlist change): Load reads the views while the snapshot is stale, and the rebuilt
// snapshot equals the views again.
func TestSnapshotFollowsImports(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := openStudy(t)
	t0 := time.Date(2020, 6, 9, 12, 0, 0, 0, time.UTC)
	storetest.Commit(t, db, store.ImportRun{Source: "a", Format: "test", Started: t0}, awkwardBatch(t0))
	refreshSnapshot(t, db)
	loadBoth(t, db, Params{})
	if _, err := Analyze(ctx, db, Params{MinWeight: 1, Alpha: -1, Algorithm: Components}, nil); err != nil {
		t.Fatal(err)
	}
	// B: more reposts (of a new watch account's post), a later status, a new watch entry.
	b := event.Batch{
		Watch: []event.WatchEntry{{Platform: event.X, ID: "other", ActorType: event.ActorMinistry, Country: "CN"}},
		Posts: []event.Post{
			storedPost("r7", "n3", event.KindRepost, "p2", "other", t0.Add(100*time.Second)),
			storedPost("r8", "n9", event.KindRepost, "z1", "other", t0.Add(3*time.Second)),
		},
		Statuses: []event.StatusObservation{{Platform: event.X, AccountID: "n2", ObservedAt: t0.AddDate(1, 0, 0), Status: event.StatusSuspended}},
	}
	storetest.Commit(t, db, store.ImportRun{Source: "b", Format: "test", Started: t0}, &b)
	stale, err := Load(ctx, db, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if stale.Contents.name != nil {
		t.Error("Load read a stale snapshot")
	}
	refreshSnapshot(t, db)
	in := loadBoth(t, db, Params{})
	if !in.StatusAsOf.Equal(t0.AddDate(1, 0, 0)) {
		t.Errorf("status date %v, want the new observation's", in.StatusAsOf)
	}
	for _, p := range paramsToCompare {
		loadBoth(t, db, p)
	}
}

// TestSnapshotSimulated compares the snapshot's input with the views' on a small simulated
// prc-2021 world (scale 0.01), imported with every connector as `echotrace import` does.
func TestSnapshotSimulated(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates and imports a world")
	}
	dir := t.TempDir()
	if _, err := simulate.Run(t.Context(), simulate.Config{Scale: 0.01, Seed: 1, Out: dir}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "posts-*"))
	files = append(files, filepath.Join(dir, simulate.WatchlistFile), filepath.Join(dir, simulate.StatusFile))
	db := importedStudy(t, filepath.Join(dir, "study"), files)
	refreshSnapshot(t, db)
	for _, p := range paramsToCompare {
		loadBoth(t, db, p)
	}
	ctx := t.Context()
	views, err := loadViews(ctx, db, Params{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Load(ctx, db, Params{})
	if err != nil {
		t.Fatal(err)
	}
	rv, err := Detect(ctx, views, Params{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Detect(ctx, snap, Params{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jv, _ := json.Marshal(rv)
	js, _ := json.Marshal(rs)
	if !bytes.Equal(jv, js) {
		t.Errorf("Detect differs: views %d edges %d accounts; snapshot %d edges %d accounts", len(rv.Edges), len(rv.Accounts), len(rs.Edges), len(rs.Accounts))
	}
}

// TestSnapshotStudy compares the snapshot's input with the views' on a study of one's own
// (ECHOTRACE_SNAPSHOT_STUDY=DIR, opened read-only; its snapshot must be fresh), e.g. a copy
// of the scale-1 simulated world.
func TestSnapshotStudy(t *testing.T) {
	dir := os.Getenv("ECHOTRACE_SNAPSHOT_STUDY")
	if dir == "" {
		t.Skip("set ECHOTRACE_SNAPSHOT_STUDY=DIR to compare on a study of your own")
	}
	db, err := duckdb.Open(t.Context(), dir, duckdb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Every 997th object and content is named (naming millions takes long).
	var sample []int32
	for i := int32(0); i < 5_000_000; i += 997 {
		sample = append(sample, i)
	}
	in, err := Load(t.Context(), db, Params{})
	if err != nil {
		t.Fatal(err)
	}
	objs := slices.DeleteFunc(slices.Clone(sample), func(o int32) bool { return int(o) >= len(in.Objects.ID) })
	contents := slices.DeleteFunc(slices.Clone(sample), func(c int32) bool { return int(c) >= len(in.Contents.ID) })
	loadBothNamed(t, db, Params{}, objs, contents)
}
