package amplify

import (
	"context"
	"github.com/echotrace/echotrace/internal/store/storetest"
	"slices"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

// openStore creates a study in a temporary folder and appends the batches, one import each.
func openStore(t testing.TB, batches ...*event.Batch) *duckdb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := duckdb.Open(ctx, t.TempDir(), duckdb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, b := range batches {
		storetest.Commit(t, db, store.ImportRun{Source: "fixture", Format: "test"}, b)
	}
	return db
}

// TestLoadHand stores the hand fixture (p1's two count observations in two imports, so the
// store's "latest counts win" rule is exercised) and checks that Load + Compute give every
// hand-computed figure.
func TestLoadHand(t *testing.T) {
	b := handFixture()
	// Split: the later observation of p1 goes in a second import.
	later := slices.IndexFunc(b.Posts, func(p event.Post) bool { return p.ID == "p1" && p.Likes == 30 })
	second := &event.Batch{Posts: []event.Post{b.Posts[later]}}
	first := *b
	first.Posts = slices.Delete(slices.Clone(b.Posts), later, later+1)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		batches []*event.Batch
	}{{"later counts imported last", []*event.Batch{&first, second}},
		{"later counts imported first", []*event.Batch{second, &first}},
		{"one import", []*event.Batch{b}}} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Load(ctx, openStore(t, tc.batches...), handParams())
			if err != nil {
				t.Fatal(err)
			}
			got, err := Compute(in, handParams())
			if err != nil {
				t.Fatal(err)
			}
			got.ActorGroups, got.ActorGroupsSource, got.ActorGroupsDefined = nil, "", nil // checked by TestActorGroups
			for _, d := range approxDiff(got, handExpected()) {
				t.Error(d)
			}
		})
	}
	db := openStore(t, b)

	// Analyze stores the document; Stored reads it back.
	f, err := Analyze(ctx, db, handParams())
	if err != nil {
		t.Fatal(err)
	}
	back, err := Stored(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range approxDiff(back, f) {
		t.Error("stored:", d)
	}
}
