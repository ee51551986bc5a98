package duckdb

import (
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/text"
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

// TestSnapshotKeysOfAnotherFormat: text keys cached by another snapshot format are dropped,
// not reused (a key hashed another way would split equal texts between two objects).
func TestSnapshotKeysOfAnotherFormat(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, t.TempDir(), Options{Create: true})
	t0 := time.Date(2020, 6, 9, 12, 0, 0, 0, time.UTC)
	b := event.Batch{Posts: []event.Post{
		{Platform: event.X, ID: "p1", AuthorID: "a", Kind: event.KindPost, CreatedAt: t0, Text: "Hello world",
			Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1},
	}}
	storetest.Commit(t, db, store.ImportRun{Source: "a", Format: "test", Started: t0}, &b)
	if _, err := db.RefreshSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	want, _, _ := text.Key(nil, "Hello world")
	key := func() uint64 {
		t.Helper()
		var k uint64
		if err := db.sql.QueryRowContext(ctx, `SELECT key FROM snap.text_keys`).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	if got := key(); got != want {
		t.Fatalf("cached key %x, text.Key %x", got, want)
	}
	// As an older build would have left it: another format, another key for the same text.
	if _, err := db.sql.ExecContext(ctx, `UPDATE snap.text_keys SET key = 12345; UPDATE snap.meta SET format = format - 1`); err != nil {
		t.Fatal(err)
	}
	if built, err := db.RefreshSnapshot(ctx); err != nil || !built {
		t.Fatalf("a snapshot of another format was not rebuilt (built %v, %v)", built, err)
	}
	if got := key(); got != want {
		t.Errorf("after the rebuild the cached key is %x, want text.Key's %x", got, want)
	}
}
