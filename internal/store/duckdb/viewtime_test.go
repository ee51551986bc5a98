package duckdb

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

func TestViewTimes(t *testing.T) {
	if os.Getenv("VT") == "" {
		t.Skip()
	}
	ctx := context.Background()
	N := 1_000_000
	if os.Getenv("VTN") != "" {
		N = 100_000
	}
	db := openTest(t, t.TempDir(), Options{Create: true})
	app, _ := db.Appender(ctx, store.ImportRun{Source: "b"})
	var b event.Batch
	for from := 0; from < N; from += 50_000 {
		fillPosts(&b, from, 50_000)
		app.Append(ctx, &b)
	}
	app.Commit(ctx)
	// re-import half with newer counts
	t0 := time.Now()
	app, _ = db.Appender(ctx, store.ImportRun{Source: "c"})
	for from := 0; from < N/2; from += 50_000 {
		fillPosts(&b, from, 50_000)
		for i := range b.Posts {
			b.Posts[i].CountsAt = b.Posts[i].CountsAt.Add(time.Hour)
			b.Posts[i].Likes++
		}
		app.Append(ctx, &b)
	}
	sum, err := app.Commit(ctx)
	t.Logf("reimport 500k with updates: %v %+v %v", time.Since(t0), sum.Stored, err)
	t.Log(scalar[int64](t, db, "SELECT count(*) FROM core.posts"), scalar[int64](t, db, "SELECT count(DISTINCT id) FROM core.posts"), scalar[int64](t, db, "SELECT count(import_id) FROM core.posts"), scalar[int64](t, db, "SELECT sum(likes) FROM core.posts"))
	t0 = time.Now()
	app, _ = db.Appender(ctx, store.ImportRun{Source: "d"})
	for from := 0; from < N/2; from += 50_000 {
		fillPosts(&b, from, 50_000)
		for i := range b.Posts {
			b.Posts[i].CountsAt = b.Posts[i].CountsAt.Add(time.Hour)
			b.Posts[i].Likes++
		}
		app.Append(ctx, &b)
	}
	sum, err = app.Commit(ctx)
	t.Logf("reimport 500k identical: %v %+v %v", time.Since(t0), sum.Stored, err)
	for _, q := range []string{"SELECT count(*) FROM posts", "SELECT count(*) FROM engagements", "SELECT count(*) FROM post_urls", "SELECT count(*), count(DISTINCT domain) FROM post_urls", "SELECT count(*) FROM post_hashtags", "SELECT count(*), count(post_author_id) FROM engagements WHERE kind = 'repost'"} {
		t0 := time.Now()
		var n any
		rows, err := db.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		rows.Next()
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptr := make([]any, len(cols))
		for i := range vals {
			ptr[i] = &vals[i]
		}
		rows.Scan(ptr...)
		rows.Close()
		n = vals
		t.Logf("%s: %v in %v", q, n, time.Since(t0))
	}
	t0 = time.Now()
	st, err := db.Stats(ctx)
	t.Logf("stats %v %v %v", st.Posts, err, time.Since(t0))
}
