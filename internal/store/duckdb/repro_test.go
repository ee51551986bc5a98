package duckdb

import (
	"context"
	"os"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

func TestReproUpdate(t *testing.T) {
	if os.Getenv("REPRO") == "" {
		t.Skip()
	}
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true})
	app, _ := db.Appender(ctx, store.ImportRun{Source: "b"})
	var b event.Batch
	for from := 0; from < 1_000_000; from += 50_000 {
		fillPosts(&b, from, 50_000)
		app.Append(ctx, &b)
	}
	app.Commit(ctx)
	conn, _ := db.DB().Conn(context.Background())
	defer conn.Close()
	cnt := func() int64 {
		var n int64
		conn.QueryRowContext(context.Background(), "SELECT count(*) FROM core.posts").Scan(&n)
		return n
	}
	_ = os.Getenv("REPRO_SET")
	upd := kinds[kPosts].updateFrom("m")
	if os.Getenv("REPRO_SIMPLE") != "" {
		upd = `UPDATE core.posts t SET likes = m.likes2 FROM m WHERE m.existed AND t.platform IS NOT DISTINCT FROM m.platform AND t.id IS NOT DISTINCT FROM m.id`
	}
	for _, q := range []string{
		`BEGIN`,
		`CREATE TEMP TABLE m AS SELECT * REPLACE (likes + 1 AS likes), likes + 1 AS likes2, true AS existed FROM core.posts WHERE id::INT < 500000 ORDER BY ` + os.Getenv("REPRO_ORDER"),
		upd,
		os.Getenv("REPRO_AFTER"),
		`COMMIT`,
	} {
		if q == "" {
			continue
		}
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatal(q, err)
		}
		t.Log(q[:min(20, len(q))], cnt())
	}
}
