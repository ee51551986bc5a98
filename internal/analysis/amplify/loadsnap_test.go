package amplify

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
	"github.com/echotrace/echotrace/internal/store/storetest"
)

// canonical describes in as sorted lines that do not depend on the order of the rows or of
// the account and post indexes, so that two loads of one study compare equal exactly when
// they hold the same data.
func canonical(in Input) []string {
	acct := func(i int32) string {
		a := &in.Accounts
		return fmt.Sprintf("%s/%s", in.Platforms[a.Platform[i]], a.ID[i])
	}
	var out []string
	for i := range in.Accounts.Len() {
		a := &in.Accounts
		out = append(out, fmt.Sprintf("account %s handle %q created %d", acct(int32(i)), a.Handle[i], a.Created[i]))
	}
	for i, w := range in.Watch {
		who := "-"
		if w.Account >= 0 {
			who = acct(w.Account)
		}
		out = append(out, fmt.Sprintf("watch %d %s %+v", i, who, WatchEntry{Platform: w.Platform, ID: w.ID,
			Handle: w.Handle, ActorType: w.ActorType, Country: w.Country, Outlet: w.Outlet, Since: w.Since, Until: w.Until}))
	}
	// A post is known by its fields and its engagements.
	engs := make([][]string, in.Posts.Len())
	e := &in.Engagements
	for i := range e.Len() {
		engs[e.Post[i]] = append(engs[e.Post[i]], fmt.Sprintf("%s:%d@%d", acct(e.Account[i]), e.Kind[i], e.At[i]))
	}
	p := &in.Posts
	for i := range p.Len() {
		slices.Sort(engs[i])
		out = append(out, fmt.Sprintf("post by %d at %d kind %d counts %d/%d/%d/%d likes %d: %s", p.Author[i], p.Created[i],
			p.Kind[i], p.Likes[i], p.Reposts[i], p.Replies[i], p.Quotes[i], p.LikeEvents[i], strings.Join(engs[i], " ")))
	}
	for i := range in.Statuses.Account {
		s := &in.Statuses
		out = append(out, fmt.Sprintf("status %s %d %s", acct(s.Account[i]), s.At[i], s.Status[i]))
	}
	for i := range in.Labels.Watch {
		l := &in.Labels
		out = append(out, fmt.Sprintf("label %d %d %d", l.Watch[i], l.At[i], l.Class[i]))
	}
	slices.Sort(out)
	return out
}

// loadBoth refreshes db's snapshot, loads p's input from it and from the views, and requires
// the same data and the same findings from both.
func loadBoth(t *testing.T, db *duckdb.DB, p Params) Findings {
	t.Helper()
	ctx := t.Context()
	if _, err := db.RefreshSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	if !store.SnapshotFresh(ctx, db) {
		t.Fatal("the snapshot is not fresh after a refresh")
	}
	views, err := loadViews(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := readSnapshot(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.Validate(); err != nil {
		t.Fatal(err)
	}
	cv, cs := canonical(views), canonical(snap)
	if !slices.Equal(cv, cs) {
		for i := range max(len(cv), len(cs)) {
			var a, b string
			if i < len(cv) {
				a = cv[i]
			}
			if i < len(cs) {
				b = cs[i]
			}
			if a != b {
				t.Fatalf("inputs differ (%d vs %d lines); first difference:\nviews:    %s\nsnapshot: %s", len(cv), len(cs), a, b)
			}
		}
	}
	fv, err := Compute(views, p)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Compute(snap, p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fv, fs) {
		for _, d := range approxDiff(fs, fv) {
			t.Error("findings from the snapshot:", d)
		}
		t.Fatal("findings differ")
	}
	return fs
}

// TestSnapshotLoadEqualsViews: the findings' input read from the analysis snapshot is the
// views' input (the hand fixture: handle-resolved and handle-only watch entries, an engagement
// without a time, likes; generated worlds: reposts known both as posts and as engagement
// records, statuses and labels on both sides of the dates, windows), and so are the findings.
func TestSnapshotLoadEqualsViews(t *testing.T) {
	t.Run("hand", func(t *testing.T) {
		f := loadBoth(t, openStore(t, handFixture()), handParams())
		if f.TargetReposts == 0 {
			t.Fatal("no reposts")
		}
	})
	for _, seed := range []uint64{1, 2} {
		g := generate(seed, 12, 150, 400)
		db := openStore(t, g.main, g.later)
		for i, p := range []Params{
			{Since: g.since, Until: g.until, AsOf: g.asOf, Coordinated: g.coordinated},
			{AsOf: g.asOf},
			{Since: g.since.AddDate(0, 1, 0), Until: g.until.AddDate(0, 0, -10)},
		} {
			t.Run(fmt.Sprintf("seed %d window %d", seed, i), func(t *testing.T) {
				if f := loadBoth(t, db, p); f.TargetReposts < 1000 || f.SuspendedRepostShare == 0 {
					t.Fatalf("degenerate: %d reposts, suspended share %v", f.TargetReposts, f.SuspendedRepostShare)
				}
			})
		}
	}
}

// TestLoadPrefersFreshSnapshot: Load reads the snapshot only while it is fresh; after an
// import it reads the views (and finds the new data) until the next refresh.
func TestLoadPrefersFreshSnapshot(t *testing.T) {
	b := handFixture()
	db := openStore(t, b)
	ctx := t.Context()
	before := loadBoth(t, db, handParams())
	extra := &event.Batch{Engagements: []event.Engagement{{Platform: event.X, AccountID: "newcomer",
		Kind: event.EngageRepost, PostID: "p1", At: at(100)}}}
	storetest.Commit(t, db, store.ImportRun{Source: "fixture 2", Format: "test"}, extra)
	if store.SnapshotFresh(ctx, db) {
		t.Fatal("the snapshot is fresh after an import")
	}
	in, err := Load(ctx, db, handParams())
	if err != nil {
		t.Fatal(err)
	}
	stale, err := Compute(in, handParams())
	if err != nil {
		t.Fatal(err)
	}
	if stale.Amplifiers != before.Amplifiers+1 {
		t.Fatalf("after the import Load saw %d amplifiers, want %d", stale.Amplifiers, before.Amplifiers+1)
	}
	if after := loadBoth(t, db, handParams()); !reflect.DeepEqual(after, stale) {
		t.Fatal("findings from the refreshed snapshot differ from the views'")
	}
}

// TestSameIDOnTwoPlatforms: a watch id listed on two platforms gives two weekly rows of the
// same account and week, ordered by platform whatever the order of the engagements (the
// snapshot's order is not the views').
func TestSameIDOnTwoPlatforms(t *testing.T) {
	base := time.Date(2021, 1, 4, 0, 0, 0, 0, time.UTC)
	b := &event.Batch{}
	line := int64(0)
	prov := func() event.Provenance { line++; return event.Provenance{Source: "two platforms", Line: line} }
	for _, p := range []event.Platform{event.X, event.Mastodon} {
		b.Watch = append(b.Watch, event.WatchEntry{Platform: p, ID: "w1", ActorType: event.ActorStateMedia, Prov: prov()})
		b.Posts = append(b.Posts, event.Post{Platform: p, ID: "p1", AuthorID: "w1", CreatedAt: base, Kind: event.KindPost,
			Likes: event.Unknown, Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown, Prov: prov()})
	}
	// x/p1: one repost by a suspended account; mastodon/p1: two by active ones.
	eng := func(p event.Platform, a string) {
		b.Engagements = append(b.Engagements, event.Engagement{Platform: p, AccountID: a, Kind: event.EngageRepost,
			PostID: "p1", At: base.Add(time.Hour), Prov: prov()})
	}
	eng(event.X, "s")
	eng(event.Mastodon, "a")
	eng(event.Mastodon, "b")
	b.Statuses = append(b.Statuses, event.StatusObservation{Platform: event.X, AccountID: "s",
		ObservedAt: base.AddDate(0, 1, 0), Status: event.StatusSuspended, Prov: prov()})
	f := loadBoth(t, openStore(t, b), Params{AsOf: base.AddDate(0, 2, 0)})
	var rows []WeekRow
	for _, r := range f.Weekly {
		if r.Account == "w1" {
			rows = append(rows, r)
		}
	}
	// "mastodon" sorts before "x".
	if len(rows) != 2 || rows[0].Reposts != 2 || rows[0].Suspended != 0 || rows[1].Reposts != 1 || rows[1].Suspended != 1 {
		t.Fatalf("weekly rows of w1: %+v", rows)
	}
}

// TestComputeIgnoresRowOrder: the findings do not depend on the order of the engagements or
// of the accounts (two loads, or two runs of one query, may give them in any order).
func TestComputeIgnoresRowOrder(t *testing.T) {
	g := generate(3, 12, 150, 400)
	// Every amplifier listed (ties in the tail), and the watch ids of the first world listed
	// again on a second platform with the posts and engagements of a second world.
	p := Params{Since: g.since, Until: g.until, AsOf: g.asOf, Coordinated: g.coordinated, TopN: 1 << 20}
	h := generate(4, 12, 150, 400)
	for _, b := range []*event.Batch{h.main, h.later} {
		for i := range b.Watch {
			b.Watch[i].Platform = event.Mastodon
		}
		for i := range b.Posts {
			b.Posts[i].Platform = event.Mastodon
		}
		for i := range b.Engagements {
			b.Engagements[i].Platform = event.Mastodon
		}
		for i := range b.Accounts {
			b.Accounts[i].Platform = event.Mastodon
		}
		for i := range b.Statuses {
			b.Statuses[i].Platform = event.Mastodon
		}
		for i := range b.Labels {
			b.Labels[i].Platform = event.Mastodon
		}
	}
	in, err := loadViews(t.Context(), openStore(t, g.main, g.later, h.main, h.later), p)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Compute(in, p)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	// Accounts renumbered by a random permutation, engagements and statuses shuffled.
	na := in.Accounts.Len()
	perm := rng.Perm(na)
	var out Input = in
	out.Accounts = Accounts{Platform: make([]uint8, na), ID: make([]string, na), Handle: make([]string, na), Created: make([]int64, na)}
	for old, nw := range perm {
		out.Accounts.Platform[nw], out.Accounts.ID[nw] = in.Accounts.Platform[old], in.Accounts.ID[old]
		out.Accounts.Handle[nw], out.Accounts.Created[nw] = in.Accounts.Handle[old], in.Accounts.Created[old]
	}
	out.Watch = slices.Clone(in.Watch)
	for i := range out.Watch {
		if a := out.Watch[i].Account; a >= 0 {
			out.Watch[i].Account = int32(perm[a])
		}
	}
	ne := in.Engagements.Len()
	out.Engagements = Engagements{}
	for _, i := range rng.Perm(ne) {
		e := &in.Engagements
		out.Engagements.Add(int32(perm[e.Account[i]]), e.Post[i], e.Kind[i], e.At[i])
	}
	out.Statuses = StatusObservations{}
	for _, i := range rng.Perm(len(in.Statuses.Account)) {
		s := &in.Statuses
		out.Statuses.Add(int32(perm[s.Account[i]]), s.At[i], s.Status[i])
	}
	got, err := Compute(out, p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		for _, d := range approxDiff(got, want) {
			t.Error(d)
		}
		t.Fatal("findings depend on the order of the rows")
	}
}

// TestHandleEntryIsNotAnID: a label observation of account id "@ghost" does not attach to the
// handle-only watch entry "ghost" (the handle keys and the ids were once in one map).
func TestHandleEntryIsNotAnID(t *testing.T) {
	base := time.Date(2021, 1, 4, 0, 0, 0, 0, time.UTC)
	b := &event.Batch{}
	line := int64(0)
	prov := func() event.Provenance { line++; return event.Provenance{Source: "handles", Line: line} }
	b.Watch = append(b.Watch, event.WatchEntry{Platform: event.X, ID: "w1", ActorType: event.ActorStateMedia, Prov: prov()},
		event.WatchEntry{Platform: event.X, Handle: "ghost", ActorType: event.ActorStaff, Prov: prov()})
	b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: "p1", AuthorID: "w1", CreatedAt: base, Kind: event.KindPost,
		Likes: event.Unknown, Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown, Prov: prov()})
	b.Engagements = append(b.Engagements, event.Engagement{Platform: event.X, AccountID: "a", Kind: event.EngageRepost,
		PostID: "p1", At: base.Add(time.Hour), Prov: prov()})
	b.Labels = append(b.Labels, event.LabelObservation{Platform: event.X, AccountID: "@ghost", ObservedAt: base,
		Label: "gov", Class: event.LabelGovernment, Prov: prov()})
	db := openStore(t, b)
	loadBoth(t, db, Params{})
	in, err := loadViews(t.Context(), db, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Labels.Watch) != 0 {
		t.Fatalf("the label of id @ghost attached to watch entry %d", in.Labels.Watch[0])
	}
}
