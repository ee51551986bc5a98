package amplify

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

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
