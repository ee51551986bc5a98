package duckdb

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/storetest"
)

func openTest(t testing.TB, dir string, opt Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := Open(context.Background(), t.TempDir(), Options{Create: true, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

// scalar runs a query through the raw handle and scans one value.
func scalar[T any](t testing.TB, db *DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.DB().QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func TestOpenNoStudy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, opt := range []Options{{}, {ReadOnly: true}, {ReadOnly: true, Create: true}} {
		_, err := Open(ctx, dir, opt)
		if !errors.Is(err, store.ErrNoStudy) {
			t.Errorf("Open(%+v) of an empty folder = %v, want ErrNoStudy", opt, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Errorf("a failed Open left a study file behind: %v", err)
	}
	// Create makes the folder too.
	sub := filepath.Join(dir, "a", "b")
	db := openTest(t, sub, Options{Create: true})
	if got := scalar[int](t, db, `SELECT max(version) FROM schema_version`); got != SchemaVersion() {
		t.Errorf("new study at version %d, want %d", got, SchemaVersion())
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// A study written by an older echotrace that knew only migration 1.
	old, err := open(ctx, dir, Options{Create: true}, migrations[:1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.DB().Exec(`SELECT count(*) FROM posts`); err == nil {
		t.Fatal("version-1 study already has the posts view")
	}
	old.Close()

	// Read-only cannot migrate it.
	if _, err := Open(ctx, dir, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "read-write") {
		t.Errorf("read-only open of an old study = %v, want a clear refusal", err)
	}
	db, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := scalar[int](t, db, `SELECT max(version) FROM schema_version`); got != SchemaVersion() {
		t.Errorf("migrated to %d, want %d", got, SchemaVersion())
	}
	if got := scalar[int](t, db, `SELECT count(*) FROM schema_version`); got != len(migrations) {
		t.Errorf("schema_version has %d rows, want one per migration (%d)", got, len(migrations))
	}
	if got := scalar[int64](t, db, `SELECT count(*) FROM posts`); got != 0 {
		t.Errorf("posts view after migration: %d rows", got)
	}
	// Every migration is idempotent: applying them all again changes nothing and fails not.
	for _, m := range migrations {
		if err := db.apply(ctx, m); err != nil {
			t.Errorf("re-applying migration %d: %v", m.version, err)
		}
	}
	// A study from the future is refused.
	if _, err := db.DB().Exec(`INSERT INTO schema_version VALUES (999, 'future', now())`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, dir, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("open of a newer study = %v, want a refusal naming the version", err)
	}
}

// TestMigrateListColumns opens a version-2 study whose core.posts lists are VARCHAR[] (as
// written before version 3) and checks that migration 3 keeps every item.
func TestMigrateListColumns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := open(ctx, dir, Options{Create: true}, migrations[:2])
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`ALTER TABLE core.posts ALTER COLUMN urls TYPE VARCHAR[] USING string_split(urls, chr(31))`,
		`ALTER TABLE core.posts ALTER COLUMN hashtags TYPE VARCHAR[] USING string_split(hashtags, chr(31))`,
		`ALTER TABLE core.posts ALTER COLUMN mentions TYPE VARCHAR[] USING string_split(mentions, chr(31))`,
		`INSERT INTO core.posts (platform, id, urls, hashtags, mentions, import_id) VALUES
			('x', '1', ['https://www.a.example/x', 'http://b.example'], ['t1', 't2', 't1'], NULL, 1),
			('x', '2', NULL, [], ['m'], 1)`,
	} {
		if _, err := old.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()
	db := openTest(t, dir, Options{})
	// Post 1: 2 URLs, 3 hashtags (the repeat kept), no mentions; post 2: an empty list is NULL.
	got := scalar[string](t, db, `SELECT string_agg(id || ':' || coalesce(array_to_string(urls, ','), '∅') || ':' ||
		coalesce(array_to_string(hashtags, ','), '∅') || ':' || coalesce(array_to_string(mentions, ','), '∅'), ' ' ORDER BY id) FROM posts`)
	if want := "1:https://www.a.example/x,http://b.example:t1,t2,t1:∅ 2:∅:∅:m"; got != want {
		t.Errorf("posts after migration = %q, want %q", got, want)
	}
	if got := scalar[string](t, db, `SELECT string_agg(domain, ',' ORDER BY position) FROM post_urls`); got != "a.example,b.example" {
		t.Errorf("domains = %q", got)
	}
	if got := scalar[string](t, db, `SELECT data_type FROM duckdb_columns() WHERE table_name = 'posts' AND schema_name = 'core' AND column_name = 'urls'`); got != "VARCHAR" {
		t.Errorf("core.posts.urls is %s after migration", got)
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir, Options{Create: true})
	app, err := db.Appender(ctx, store.ImportRun{Source: "s", Format: "test", Fingerprint: "fp"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append(ctx, &event.Batch{Posts: []event.Post{{Platform: event.X, ID: "1", Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()

	ro := openTest(t, dir, Options{ReadOnly: true})
	if _, err := ro.Appender(ctx, store.ImportRun{Source: "s"}); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("Appender on a read-only study: %v, want ErrReadOnly", err)
	}
	if err := ro.PutDocument(ctx, "d", []byte(`{}`)); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("PutDocument on a read-only study: %v, want ErrReadOnly", err)
	}
	if err := ro.PutTable(ctx, "result_x", []string{"a"}, nil); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("PutTable on a read-only study: %v, want ErrReadOnly", err)
	}
	if _, err := ro.DB().Exec(`DELETE FROM core.posts`); err == nil {
		t.Error("DuckDB accepted a DELETE on a read-only study")
	}
	if got := scalar[int64](t, ro, `SELECT count(*) FROM posts`); got != 1 {
		t.Errorf("read-only posts = %d, want 1", got)
	}
	if done, err := ro.SourceDone(ctx, "fp"); err != nil || !done {
		t.Errorf("SourceDone on read-only = %v, %v", done, err)
	}
	if _, err := ro.Stats(ctx); err != nil {
		t.Errorf("Stats on read-only: %v", err)
	}
}

func TestOptions(t *testing.T) {
	db := openTest(t, t.TempDir(), Options{Create: true, Threads: 1, MemoryLimit: "512MB"})
	if got := scalar[int64](t, db, `SELECT current_setting('threads')`); got != 1 {
		t.Errorf("threads = %d, want 1", got)
	}
	// DuckDB reports 512MB as "488.2 MiB" (512·10⁶ bytes / 2²⁰).
	if got := scalar[string](t, db, `SELECT current_setting('memory_limit')`); !strings.HasPrefix(got, "488") {
		t.Errorf("memory_limit = %s, want 512 MB", got)
	}
}

func TestSandbox(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "outside.csv")
	if err := os.WriteFile(outside, []byte("a\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	q := "SELECT count(*) FROM read_csv(?)"
	open := openTest(t, dir, Options{Create: true})
	rows, err := open.Query(ctx, q, outside)
	if err != nil {
		t.Fatalf("without Sandbox, reading a file: %v", err)
	}
	rows.Close()
	open.Close()
	sb := openTest(t, dir, Options{ReadOnly: true, Sandbox: true})
	rows, err = sb.Query(ctx, q, outside)
	t.Logf("sandboxed read: %v", err)
	if err == nil {
		rows.Close()
		t.Error("Sandbox let Query read a file outside the study")
	}
	if got := scalar[int64](t, sb, `SELECT count(*) FROM posts`); got != 0 {
		t.Errorf("sandboxed study: posts = %d", got)
	}
}

// TestInvalidEvents checks that events the store cannot key become rejects instead of failing
// the import, and that the summary still reconciles.
func TestInvalidEvents(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true})
	p := event.Provenance{Source: "in.jsonl", Line: 4}
	b := &event.Batch{
		Posts: []event.Post{
			{Platform: event.X, ID: "", Prov: p},                 // no id
			{Platform: "", ID: "1", Prov: p},                     // no platform
			{Platform: event.X, ID: "2", Kind: "boost", Prov: p}, // unknown kind
			{Platform: event.X, ID: "3", Likes: -1, Prov: p},     // fine
		},
		Accounts:    []event.Account{{Platform: event.X, Prov: p}},
		Engagements: []event.Engagement{{Platform: event.X, AccountID: "a", Kind: "view", PostID: "3", Prov: p}},
		Shares:      []event.Share{{Platform: event.Other, AccountID: "a", Prov: p}},
		Statuses:    []event.StatusObservation{{Platform: event.X, Status: event.StatusActive, Prov: p}},
		Labels:      []event.LabelObservation{{Platform: event.X, Label: "x", Prov: p}},
		Watch:       []event.WatchEntry{{Platform: event.X, Prov: p}},
	}
	app, err := db.Appender(ctx, store.ImportRun{Source: "in.jsonl", Format: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append(ctx, b); err != nil {
		t.Fatal(err)
	}
	sum, err := app.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 3 bad posts + 1 account + 1 engagement + 1 share + 1 status + 1 label + 1 watch = 9.
	if sum.Rejected != 9 || sum.Read.Posts != 1 || sum.Stored.Posts != 1 || sum.Read.Total() != 10 {
		t.Errorf("summary %+v: want 9 rejects and 1 post", sum)
	}
	rows := scalar[string](t, db, `SELECT string_agg(field || ':' || reason, ' / ' ORDER BY reason) FROM rejects WHERE line = 4`)
	for _, f := range []string{"id:post has no id", "platform:post has no platform", `kind:post kind "boost"`, "object_id:share needs"} {
		if !strings.Contains(rows, f) {
			t.Errorf("rejects %q lack %q", rows, f)
		}
	}
}

// TestConcurrentImports runs two appenders at once over overlapping keys: each stages on its
// own connection; the commits are serialised, so the second sees the first's rows.
func TestConcurrentImports(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true})
	mk := func(ids ...string) *event.Batch {
		b := &event.Batch{}
		for _, id := range ids {
			b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: id, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1})
		}
		return b
	}
	a1, err := db.Appender(ctx, store.ImportRun{Source: "a"})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := db.Appender(ctx, store.ImportRun{Source: "b"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sums := make([]store.ImportSummary, 2)
	errs := make([]error, 2)
	for i, run := range []struct {
		app store.Appender
		b   *event.Batch
	}{{a1, mk("1", "2", "3")}, {a2, mk("3", "4")}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = run.app.Append(ctx, run.b); errs[i] == nil {
				sums[i], errs[i] = run.app.Commit(ctx)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// 5 posts read, keys {1,2,3,4}: 4 stored in all, post 3 a duplicate in whichever
	// committed second.
	if got := sums[0].Stored.Posts + sums[1].Stored.Posts; got != 4 {
		t.Errorf("stored %d + %d posts, want 4 in all", sums[0].Stored.Posts, sums[1].Stored.Posts)
	}
	if got := scalar[int64](t, db, `SELECT count(*) FROM posts`); got != 4 {
		t.Errorf("posts = %d, want 4", got)
	}
}

// TestCommitCancelled: a commit whose context is cancelled stores nothing and is not done.
func TestCommitCancelled(t *testing.T) {
	db := openTest(t, t.TempDir(), Options{Create: true})
	app, err := db.Appender(context.Background(), store.ImportRun{Source: "s", Fingerprint: "fp"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append(context.Background(), &event.Batch{Posts: []event.Post{{Platform: event.X, ID: "1"}}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := app.Commit(ctx); err == nil {
		t.Fatal("Commit with a cancelled context succeeded")
	}
	if got := scalar[int64](t, db, `SELECT count(*) FROM core.posts`); got != 0 {
		t.Errorf("cancelled commit stored %d posts", got)
	}
	if done, _ := db.SourceDone(context.Background(), "fp"); done {
		t.Error("cancelled commit marked the source done")
	}
	if got := scalar[string](t, db, `SELECT status FROM core.imports`); got != "failed" {
		t.Errorf("import status = %q, want failed", got)
	}
}

// TestCrash kills a child process during an import (after staging, and inside Commit's
// transaction just before COMMIT) and checks that the study holds neither data nor a finished
// marker; killed just after Commit, both are there.
func TestCrash(t *testing.T) {
	if mode := os.Getenv("ECHOTRACE_CRASH_MODE"); mode != "" {
		crashChild(mode, os.Getenv("ECHOTRACE_CRASH_DIR"))
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, tc := range []struct {
		mode       string
		posts      int64
		done       bool
		lastStatus string
	}{
		{"append", 0, false, "interrupted"},
		{"commit", 0, false, "interrupted"},
		{"after", 3, true, "committed"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
			cmd.Env = append(os.Environ(), "ECHOTRACE_CRASH_MODE="+tc.mode, "ECHOTRACE_CRASH_DIR="+dir)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed: %v\n%s", err, out)
			}
			db := openTest(t, dir, Options{})
			if got := scalar[int64](t, db, `SELECT count(*) FROM core.posts`); got != tc.posts {
				t.Errorf("posts after crash = %d, want %d", got, tc.posts)
			}
			if done, err := db.SourceDone(context.Background(), "fp-crash"); err != nil || done != tc.done {
				t.Errorf("SourceDone after crash = %v, %v; want %v", done, err, tc.done)
			}
			if got := scalar[string](t, db, `SELECT status FROM core.imports ORDER BY id DESC LIMIT 1`); got != tc.lastStatus {
				t.Errorf("import status = %q, want %q", got, tc.lastStatus)
			}
		})
	}
}

func crashChild(mode, dir string) {
	ctx := context.Background()
	kill := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL); time.Sleep(time.Minute) }
	db, err := Open(ctx, dir, Options{Create: true})
	if err != nil {
		panic(err)
	}
	app, err := db.Appender(ctx, store.ImportRun{Source: "crash", Fingerprint: "fp-crash"})
	if err != nil {
		panic(err)
	}
	b := &event.Batch{}
	for _, id := range []string{"1", "2", "3"} {
		b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: id, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1})
	}
	if err := app.Append(ctx, b); err != nil {
		panic(err)
	}
	switch mode {
	case "append":
		kill()
	case "commit":
		beforeCommit = kill
	}
	if _, err := app.Commit(ctx); err != nil {
		panic(err)
	}
	kill()
}

// TestQueryDuckDBSpecific covers refusals beyond the suite's Attacks: DuckDB functions that
// write although they run inside a SELECT, and statements DuckDB types as EXPLAIN or PRAGMA.
func TestQueryDuckDBSpecific(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true})
	for _, tc := range []struct {
		q    string
		want string // "read-only": refused with ErrReadOnly; "error": refused; "ok": accepted
	}{
		{"SELECT nextval('core.import_id_seq')", "read-only"},
		{"SELECT NEXTVAL ('core.import_id_seq')", "read-only"},
		{"SELECT * FROM checkpoint()", "read-only"},
		{"SELECT * FROM force_checkpoint()", "read-only"},
		{"EXPLAIN (FORMAT json) DELETE FROM core.posts", "read-only"},
		{"EXPLAIN (ANALYZE) SELECT 1", "read-only"},
		{"PRAGMA enable_profiling", "read-only"},
		{"PRAGMA create_fts_index('core.posts', 'id', 'text')", "error"}, // never downloads fts
		{"PRAGMA show_tables", "ok"},
		{"PRAGMA database_size", "ok"},
		{"EXPLAIN (FORMAT json) SELECT 1", "ok"},
		{"SELECT * FROM core.imports", "ok"},
		{"SELECT * FROM imports", "ok"},
		{"SELECT * FROM post_mentions", "ok"},
	} {
		rows, err := db.Query(ctx, tc.q)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		got := "ok"
		switch {
		case errors.Is(err, store.ErrReadOnly):
			got = "read-only"
		case err != nil:
			got = "error"
		}
		if got != tc.want {
			t.Errorf("Query(%q) = %v; want %s", tc.q, err, tc.want)
		}
	}
	if got := scalar[int64](t, db, `SELECT count(*) FROM core.imports`); got != 0 {
		t.Errorf("imports = %d after the refused queries", got)
	}
}

// TestBuiltinExtensions checks that what the export helper needs works without downloads.
func TestBuiltinExtensions(t *testing.T) {
	db := openTest(t, t.TempDir(), Options{Create: true})
	out := filepath.Join(t.TempDir(), "x.parquet")
	if _, err := db.DB().Exec(`COPY (SELECT 1 AS a, '{"b": 2}'::JSON AS j) TO '` + out + `' (FORMAT parquet)`); err != nil {
		t.Fatalf("parquet/json without downloads: %v", err)
	}
	if got := scalar[int64](t, db, `SELECT count(*) FROM read_parquet('`+out+`')`); got != 1 {
		t.Errorf("read back %d rows", got)
	}
}

// TestStagingDropped checks that Commit and Rollback leave no temporary tables on the
// connection they return to the pool (the pool is one connection, so it is the same one).
func TestStagingDropped(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true})
	db.DB().SetMaxOpenConns(1)
	b := &event.Batch{
		Posts:   []event.Post{{Platform: event.X, ID: "1"}, {Platform: event.X, ID: "1"}},
		Rejects: []event.Reject{{Source: "s", Line: 1, Reason: "r"}},
	}
	for _, commit := range []bool{true, false} {
		app, err := db.Appender(ctx, store.ImportRun{Source: "s"})
		if err != nil {
			t.Fatal(err)
		}
		if err := app.Append(ctx, b); err != nil {
			t.Fatal(err)
		}
		if commit {
			_, err = app.Commit(ctx)
		} else {
			err = app.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		if n := scalar[int64](t, db, `SELECT count(*) FROM duckdb_tables() WHERE temporary`); n != 0 {
			t.Errorf("commit=%v left %d temporary tables", commit, n)
		}
	}
}

// TestStatsCache: the counts `stats` reads from core.stats equal the documented views counted
// directly, after each of several imports — including one whose post repeats an engagement
// stored earlier (the engagements view then hides the stored one) and a handle-only watchlist
// entry — and a study whose cache is stale (or absent: written before version 6) is counted.
func TestStatsCache(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true})
	direct := func() store.Stats {
		t.Helper()
		st := store.Stats{PerPlatform: map[string]event.Counts{}}
		for _, v := range []struct {
			view string
			n    *int64
			per  func(*event.Counts) *int64
		}{
			{"accounts", &st.Accounts, func(c *event.Counts) *int64 { return &c.Accounts }},
			{"posts", &st.Posts, func(c *event.Counts) *int64 { return &c.Posts }},
			{"engagements", &st.Engagements, func(c *event.Counts) *int64 { return &c.Engagements }},
			{"shares", &st.Shares, func(c *event.Counts) *int64 { return &c.Shares }},
			{"status_observations", &st.Statuses, func(c *event.Counts) *int64 { return &c.Statuses }},
			{"label_observations", &st.Labels, func(c *event.Counts) *int64 { return &c.Labels }},
			{"watchlist", &st.Watchlist, func(c *event.Counts) *int64 { return &c.Watch }},
		} {
			rows, err := db.DB().Query(`SELECT platform, count(*) FROM ` + v.view + ` GROUP BY platform`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var p string
				var n int64
				if err := rows.Scan(&p, &n); err != nil {
					t.Fatal(err)
				}
				c := st.PerPlatform[p]
				*v.per(&c) = n
				st.PerPlatform[p] = c
				*v.n += n
			}
			rows.Close()
		}
		st.Rejects = scalar[int64](t, db, `SELECT count(*) FROM rejects`)
		return st
	}
	check := func(step string) {
		t.Helper()
		got, err := db.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !scalarBool(t, db, `SELECT count(*) = 1 FROM core.stats`) {
			t.Fatalf("%s: core.stats does not hold one row", step)
		}
		got.Imports = nil
		if want := direct(); !equalStats(got, want) {
			t.Errorf("%s: stats %+v, want the views' counts %+v", step, got, want)
		}
	}
	at := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	imp := func(b *event.Batch) {
		t.Helper()
		app, err := db.Appender(ctx, store.ImportRun{Source: "s", Format: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := app.Append(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, err := app.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	imp(&event.Batch{
		Accounts:    []event.Account{{Platform: event.X, ID: "u1", Handle: "amb", Followers: 1}},
		Posts:       []event.Post{{Platform: event.X, ID: "p1", AuthorID: "u1", Kind: event.KindPost, CreatedAt: at}},
		Engagements: []event.Engagement{{Platform: event.X, AccountID: "u2", Kind: event.EngageRepost, PostID: "p1", At: at.Add(time.Minute)}},
		Watch:       []event.WatchEntry{{Platform: event.X, Handle: "amb"}},
	})
	check("first import")
	if n := scalar[int64](t, db, `SELECT count(*) FROM engagements`); n != 1 {
		t.Fatalf("engagements = %d after the first import, want 1", n)
	}
	// The repost arrives again as a post of u2 (the view now shows the post, not the stored
	// engagement), with a reply whose post author is not stated, and a reject.
	imp(&event.Batch{
		Posts: []event.Post{
			{Platform: event.X, ID: "r1", AuthorID: "u2", Kind: event.KindRepost, RefID: "p1", RefAuthorID: "u1", CreatedAt: at.Add(time.Minute)},
			{Platform: event.X, ID: "r2", AuthorID: "u3", Kind: event.KindReply, RefID: "p1", CreatedAt: at.Add(2 * time.Minute)},
			{Platform: event.X, ID: "", Prov: event.Provenance{Source: "s", Line: 9}},
		},
		Shares:   []event.Share{{Platform: event.Other, AccountID: "a", ObjectID: "o", ContentID: "c", At: at}},
		Statuses: []event.StatusObservation{{Platform: event.X, AccountID: "u2", Status: event.StatusSuspended, ObservedAt: at}},
	})
	check("second import")
	if n := scalar[int64](t, db, `SELECT count(*) FROM engagements`); n != 2 {
		t.Fatalf("engagements = %d after the second import, want 2 (the stored repost is hidden)", n)
	}
	// An incremental commit (a collection page) skips the recount: the cache is stale, and the
	// counts are those of the views all the same.
	app, err := db.Appender(ctx, store.ImportRun{Source: "page", Format: "test", Incremental: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append(ctx, &event.Batch{Posts: []event.Post{{Platform: event.X, ID: "p9", AuthorID: "u9", Kind: event.KindPost, CreatedAt: at}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := scalar[int64](t, db, `SELECT count(*) FROM core.stats WHERE import_id = (SELECT max(id) FROM core.imports WHERE status = 'committed')`); n != 0 {
		t.Errorf("an incremental commit recounted the stats")
	}
	got0, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got0.Imports = nil
	if want := direct(); !equalStats(got0, want) || want.Posts != 4 {
		t.Errorf("stale cache: stats %+v, want %+v (4 posts)", got0, want)
	}
	imp(&event.Batch{Posts: []event.Post{{Platform: event.X, ID: "p10", AuthorID: "u9", Kind: event.KindPost, CreatedAt: at}}})
	check("recount after a stale cache")
	// A stale cache (here: as if an older echotrace had imported after it) is not used.
	if _, err := db.DB().Exec(`UPDATE core.stats SET import_id = import_id - 1, body = '{"posts": 999}'`); err != nil {
		t.Fatal(err)
	}
	check("stale cache")
	if _, err := db.DB().Exec(`DELETE FROM core.stats`); err != nil {
		t.Fatal(err)
	}
	got, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got.Imports = nil
	if want := direct(); !equalStats(got, want) {
		t.Errorf("no cache: stats %+v, want %+v", got, want)
	}
}

func scalarBool(t *testing.T, db *DB, q string) bool { return scalar[bool](t, db, q) }

func equalStats(a, b store.Stats) bool {
	if len(a.PerPlatform) != len(b.PerPlatform) {
		return false
	}
	for p, c := range a.PerPlatform {
		if b.PerPlatform[p] != c {
			return false
		}
	}
	a.PerPlatform, b.PerPlatform = nil, nil
	return a.Accounts == b.Accounts && a.Posts == b.Posts && a.Engagements == b.Engagements &&
		a.Shares == b.Shares && a.Statuses == b.Statuses && a.Labels == b.Labels &&
		a.Watchlist == b.Watchlist && a.Rejects == b.Rejects
}

// TestReadOnlyBeforeStatsCache: a study written before version 6 (no core.stats) opens
// read-only — the cache is only an optimisation — and its stats are counted; the next
// read-write open adds the table.
func TestReadOnlyBeforeStatsCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := open(ctx, dir, Options{Create: true}, migrations[:5])
	if err != nil {
		t.Fatal(err)
	}
	// A row as an old echotrace stored it (this package's appender would write core.stats).
	if _, err := old.DB().Exec(`INSERT INTO core.posts (platform, id, kind, import_id) VALUES ('x', '1', 'post', 1)`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	ro, err := Open(ctx, dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a version-5 study: %v", err)
	}
	st, err := ro.Stats(ctx)
	if err != nil || st.Posts != 1 {
		t.Errorf("stats of a version-5 study = %+v, %v; want 1 post", st, err)
	}
	ro.Close()
	rw := openTest(t, dir, Options{})
	if n := scalar[int](t, rw, `SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'core' AND table_name = 'stats'`); n != 1 {
		t.Errorf("read-write open did not add core.stats")
	}
}

// TestRejectsKeptMigration: a study written before version 8 opens read-only (its imports
// read as keeping no record among their rejects); the next read-write open marks its earlier
// rejects of records kept with a time cleared (recognised by CheckTimes' wording) as kept.
func TestRejectsKeptMigration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := open(ctx, dir, Options{Create: true}, migrations[:7])
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO core.imports (id, source, status, started, finished, rejected) VALUES (1, 'a.jsonl', 'committed', TIMESTAMP '2021-01-01 00:00:00', TIMESTAMP '2021-01-01 00:00:00', 2)`,
		`INSERT INTO core.rejects (source, line, reason, import_id) VALUES
			('a.jsonl', 1, 'post 1: counts_at year 10000 is outside the plausible window 2006-03-01 .. 2026-12-08 for x; the time is cleared, the post kept', 1),
			('a.jsonl', 2, 'post 2: created_at 0000-12-27T00:00:00Z is outside the plausible window 2006-03-01 .. 2026-12-08 for x', 1)`,
	} {
		if _, err := old.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	ro, err := Open(ctx, dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a version-7 study: %v", err)
	}
	if st, err := ro.Stats(ctx); err != nil || len(st.Imports) != 1 || st.Imports[0].Rejected != 2 || st.Imports[0].RejectedKept != 0 {
		t.Errorf("stats of a version-7 study = %+v, %v", st, err)
	}
	ro.Close()
	rw := openTest(t, dir, Options{})
	if got := scalar[string](t, rw, `SELECT string_agg(line || '=' || kept, ' ' ORDER BY line) FROM rejects`); got != "1=true 2=false" {
		t.Errorf("rejects after migration: %s", got)
	}
}
