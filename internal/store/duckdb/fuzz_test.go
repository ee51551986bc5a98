package duckdb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/storetest"
)

// FuzzQuery feeds arbitrary SQL to Query on a study holding a few rows: Query must never panic,
// and whatever it accepts must leave the data as it was.
func FuzzQuery(f *testing.F) {
	for _, q := range storetest.Attacks {
		f.Add(q)
	}
	f.Add("SELECT * FROM posts")
	f.Add("EXPLAIN SELECT 1")
	ctx := context.Background()
	db, err := Open(ctx, f.TempDir(), Options{Create: true, Threads: 1})
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	app, err := db.Appender(ctx, store.ImportRun{Source: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	if err := app.Append(ctx, &event.Batch{Posts: []event.Post{{Platform: event.X, ID: "1", Text: "t"}}}); err != nil {
		f.Fatal(err)
	}
	if _, err := app.Commit(ctx); err != nil {
		f.Fatal(err)
	}
	if err := db.PutTable(ctx, "result_target", []string{"a"}, [][]any{{"x"}}); err != nil {
		f.Fatal(err)
	}
	state := func() string {
		var s string
		err := db.DB().QueryRow(`SELECT (SELECT count(*) FROM core.posts) || '/' ||
			(SELECT string_agg(a, ',') FROM result_target) || '/' ||
			(SELECT count(*) FROM duckdb_tables()) || '/' || (SELECT count(*) FROM duckdb_views())`).Scan(&s)
		if err != nil {
			return "error: " + err.Error()
		}
		return s
	}
	want := state()
	f.Fuzz(func(t *testing.T, q string) {
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		rows, err := db.Query(qctx, q)
		if err == nil {
			for rows.Next() {
			}
			rows.Close()
		} else if errors.Is(err, store.ErrReadOnly) && err.Error() == "" {
			t.Fatal("empty error")
		}
		if got := state(); got != want {
			t.Fatalf("Query(%q) changed the study: %s → %s", q, want, got)
		}
	})
}
