package duckdb

import (
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/storetest"
)

// TestRefreshSnapshot: a build happens when an import committed since the last one (and a
// re-import of the same data is an import too), never otherwise; the text keys are kept.
func TestRefreshSnapshot(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, t.TempDir(), Options{Create: true})
	t0 := time.Date(2020, 6, 9, 12, 0, 0, 0, time.UTC)
	b := event.Batch{Posts: []event.Post{
		{Platform: event.X, ID: "p1", AuthorID: "a", Kind: event.KindPost, CreatedAt: t0, Text: "Hello world",
			Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1},
		{Platform: event.X, ID: "r1", AuthorID: "b", Kind: event.KindRepost, RefID: "p1", RefAuthorID: "a", CreatedAt: t0.Add(time.Second),
			Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1},
	}}
	refresh := func(want bool) {
		t.Helper()
		built, err := db.RefreshSnapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if built != want {
			t.Errorf("built = %v, want %v", built, want)
		}
	}
	refresh(true) // an empty study has a snapshot too
	refresh(false)
	storetest.Commit(t, db, store.ImportRun{Source: "a", Format: "test", Started: t0}, &b)
	refresh(true)
	refresh(false)
	storetest.Commit(t, db, store.ImportRun{Source: "a again", Format: "test", Started: t0}, &b)
	refresh(true)
	var n, keys int
	if err := db.sql.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM snap.engagements), (SELECT count(*) FROM snap.text_keys)`).Scan(&n, &keys); err != nil {
		t.Fatal(err)
	}
	if n != 1 || keys != 1 {
		t.Errorf("%d engagements and %d text keys in the snapshot, want 1 and 1", n, keys)
	}
}
