package duckdb

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/storetest"
)

// storeRun stores a run of command writing the given documents (name → body) and a table
// result_<name>_rows per document.
func storeRun(t testing.TB, db *DB, command string, docs map[string]string) store.Run {
	t.Helper()
	ctx := context.Background()
	w, err := db.BeginRun(ctx, command, map[string]any{"window": "60s"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	for name, body := range docs {
		if err := w.PutDocument(ctx, name, []byte(body)); err != nil {
			t.Fatal(err)
		}
		if err := w.PutTable(ctx, "result_"+name+"_rows", []string{"v"}, [][]any{{body}}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func importOne(t testing.TB, db *DB, source, id string) {
	storetest.Commit(t, db, store.ImportRun{Source: source}, &event.Batch{Posts: []event.Post{{Platform: event.X, ID: id,
		AuthorID: "a", Kind: event.KindPost, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1}}})
}

// TestRunStoresEveryResultWithItsRunID (issue 14, item 2): a run's documents and result rows
// carry its id; the runs table records its command, parameters, time, the latest import it saw,
// what it wrote and which stored results of other runs it read.
func TestRunStoresEveryResultWithItsRunID(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true})
	importOne(t, db, "a.jsonl", "1")
	first := storeRun(t, db, "coord", map[string]string{"coord": `{"clusters": []}`})
	if first.ID != 1 || first.ImportID != 1 || strings.Join(first.Results, ",") != "coord,result_coord_rows" {
		t.Errorf("first run = %+v", first)
	}
	importOne(t, db, "b.jsonl", "2")
	w, err := db.BeginRun(ctx, "analyze", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Document(ctx, "coord"); err != nil { // read from run 1: an input
		t.Fatal(err)
	}
	if err := w.PutDocument(ctx, "findings", []byte(`{"posts": 1}`)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Document(ctx, "findings"); err != nil { // its own: not an input
		t.Fatal(err)
	}
	second, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != 2 || second.ImportID != 2 || len(second.Inputs) != 1 || second.Inputs["coord"] != 1 {
		t.Errorf("second run = %+v, want import 2 and input coord of run 1", second)
	}
	if got := scalar[string](t, db, `SELECT string_agg(name || '=' || coalesce(CAST(run_id AS VARCHAR), '∅'), ' ' ORDER BY name) FROM core.documents`); got != "coord=1 findings=2" {
		t.Errorf("documents' runs = %s", got)
	}
	if got := scalar[string](t, db, `SELECT string_agg(v || '@' || run_id, ' ') FROM result_coord_rows`); got != `{"clusters": []}@1` {
		t.Errorf("result rows = %s", got)
	}
	if got := scalar[string](t, db, `SELECT string_agg(id || ' ' || command || ' ' || coalesce(params, '∅') || ' ' || import_id || ' ' ||
		results || ' ' || coalesce(inputs, '∅'), ' | ' ORDER BY id) FROM runs`); got != `1 coord {"window":"60s"} 1 ["coord","result_coord_rows"] ∅ | 2 analyze ∅ 2 ["findings"] {"coord":1}` {
		t.Errorf("runs view = %s", got)
	}
	// Together (findings computed with these clusters), but the clusters predate import 2.
	state, err := store.CheckResults(ctx, db, "findings", "coord")
	if err != nil || state.Mixed || !state.Stale || len(state.Results) != 2 || state.Results[0].Run.ID != 2 || state.Results[1].Run.ID != 1 ||
		len(state.Warnings) != 1 || !strings.HasPrefix(state.Warnings[0], "The clusters of run 1 (echotrace coord, ") {
		t.Errorf("state = %+v, %v", state, err)
	}
	// Another coord run replaces the clusters the findings were computed with.
	storeRun(t, db, "coord", map[string]string{"coord": `{"clusters": [{"id": 1}]}`})
	if state, _ := store.CheckResults(ctx, db, "findings", "coord"); !state.Mixed || state.Stale || len(state.Warnings) != 1 ||
		!strings.Contains(state.Warnings[0], "run 2 (echotrace analyze") || !strings.Contains(state.Warnings[0], "run 3 (echotrace coord") {
		t.Errorf("after a second coord run: %+v", state)
	}
	importOne(t, db, "/home/someone/c.jsonl", "3")
	if state, _ := store.CheckResults(ctx, db, "findings", "coord"); !state.Stale || state.LatestImport.Source != "c.jsonl" ||
		!strings.Contains(state.Warnings[len(state.Warnings)-1], "latest import, 3 of c.jsonl") {
		t.Errorf("after another import: %+v", state)
	}
	// Closed after Commit.
	if err := w.PutDocument(ctx, "x", []byte(`{}`)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("PutDocument after Commit: %v", err)
	}
}

// TestRunRollbackKeepsEarlierResults: a run rolled back (or failing part-way) leaves the
// study's documents, result tables and runs as they were.
func TestRunRollbackKeepsEarlierResults(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true})
	storeRun(t, db, "analyze", map[string]string{"coord": `{"v": 1}`, "findings": `{"v": 1}`})
	w, err := db.BeginRun(ctx, "coord", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PutDocument(ctx, "coord", []byte(`{"v": 2}`)); err != nil {
		t.Fatal(err)
	}
	if body, _, err := w.Document(ctx, "coord"); err != nil || string(body) != `{"v": 2}` {
		t.Errorf("the run does not read its own write: %s, %v", body, err)
	}
	if body, _, _ := db.Document(ctx, "coord"); string(body) != `{"v": 1}` {
		t.Errorf("the run's write is visible before Commit: %s", body)
	}
	if err := w.PutTable(ctx, "result_coord_rows", []string{"v", "run_id"}, [][]any{{"x", int64(1)}}); err == nil {
		t.Error("a run accepted a table with its own run_id column")
	}
	if _, err := w.Commit(ctx); err == nil {
		t.Error("Commit after a failed write succeeded")
	}
	if err := w.Rollback(); err != nil {
		t.Fatal(err)
	}
	if body, _, _ := db.Document(ctx, "coord"); string(body) != `{"v": 1}` {
		t.Errorf("coord after rollback = %s", body)
	}
	if got := scalar[string](t, db, `SELECT string_agg(v, ',') FROM result_coord_rows`); got != `{"v": 1}` {
		t.Errorf("table after rollback = %s", got)
	}
	if got := scalar[int64](t, db, `SELECT count(*) FROM runs`); got != 1 {
		t.Errorf("%d runs after rollback, want 1", got)
	}
}

// TestRunCrashStoresNothing kills a child process inside a run's commit transaction (after
// every result was written, just before COMMIT): the study keeps the results of the earlier
// run and records no new one.
func TestRunCrashStoresNothing(t *testing.T) {
	if dir := os.Getenv("ECHOTRACE_RUN_CRASH_DIR"); dir != "" {
		db, err := Open(context.Background(), dir, Options{})
		if err != nil {
			panic(err)
		}
		beforeRunCommit = func() { syscall.Kill(os.Getpid(), syscall.SIGKILL); time.Sleep(time.Minute) }
		storeRun(t, db, "coord", map[string]string{"coord": `{"v": 2}`})
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	db := openTest(t, dir, Options{Create: true})
	storeRun(t, db, "analyze", map[string]string{"coord": `{"v": 1}`, "findings": `{"v": 1}`})
	db.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunCrashStoresNothing$")
	cmd.Env = append(os.Environ(), "ECHOTRACE_RUN_CRASH_DIR="+dir)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed: %v\n%s", err, out)
	}
	db = openTest(t, dir, Options{})
	if body, _, _ := db.Document(context.Background(), "coord"); string(body) != `{"v": 1}` {
		t.Errorf("coord after a crash inside the run = %s, want the earlier run's", body)
	}
	if got := scalar[string](t, db, `SELECT string_agg(v, ',') FROM result_coord_rows`); got != `{"v": 1}` {
		t.Errorf("table after the crash = %s", got)
	}
	if got := scalar[int64](t, db, `SELECT count(*) FROM runs`); got != 1 {
		t.Errorf("%d runs after the crash, want 1", got)
	}
}

// TestResultsOfOlderStudies: a study written before schema 7 opens read-only; its results
// read as "run unknown" and are not flagged among themselves. Once migrated, a new run beside
// an unknown one is flagged as mixed, naming the unknown run by its time.
func TestResultsOfOlderStudies(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := open(ctx, dir, Options{Create: true}, migrations[:6])
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO core.imports (id, source, status, started, finished) VALUES (1, 'a.jsonl', 'committed', TIMESTAMP '2021-01-01 00:00:00', TIMESTAMP '2021-01-01 00:00:00')`,
		`INSERT INTO core.documents VALUES ('coord', TIMESTAMP '2021-01-02 00:00:00', '{}'), ('findings', TIMESTAMP '2021-01-02 00:00:01', '{}')`,
	} {
		if _, err := old.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	ro, err := Open(ctx, dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a version-6 study: %v", err)
	}
	state, err := store.CheckResults(ctx, ro, "findings", "coord")
	if err != nil || !state.OK() || len(state.Results) != 2 || state.Results[0].Run != nil || state.LatestImport.ID != 1 {
		t.Errorf("version-6 study: %+v, %v; want two results of unknown runs, not flagged", state, err)
	}
	if _, err := ro.Stats(ctx); err != nil {
		t.Errorf("stats of a version-6 study: %v", err)
	}
	ro.Close()

	db := openTest(t, dir, Options{})
	storeRun(t, db, "coord", map[string]string{"coord": `{"v": 2}`})
	state, _ = store.CheckResults(ctx, db, "findings", "coord")
	if !state.Mixed || len(state.Warnings) != 1 || !strings.Contains(state.Warnings[0], "a run unknown (stored 2021-01-02 00:00:01 UTC") ||
		!strings.Contains(state.Warnings[0], "run 1 (echotrace coord") {
		t.Errorf("unknown findings beside a known coord run: %+v", state)
	}
}

// TestPartialImportMakesResultsStale: a partial import (an input that broke off) commits the
// rows read before the break, so results computed before it are stale, and a run begun after
// it saw it.
func TestPartialImportMakesResultsStale(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true})
	importOne(t, db, "a.jsonl", "1")
	storeRun(t, db, "analyze", map[string]string{"findings": `{}`, "coord": `{}`})
	app, err := db.Appender(ctx, store.ImportRun{Source: "/data/cut.jsonl.gz", Fingerprint: "fp-cut"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append(ctx, &event.Batch{Posts: []event.Post{{Platform: event.X, ID: "2", AuthorID: "a",
		Kind: event.KindPost, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1}}}); err != nil {
		t.Fatal(err)
	}
	partial, err := app.CommitPartial(ctx, errors.New("unexpected EOF"))
	if err != nil {
		t.Fatal(err)
	}
	state, err := store.CheckResults(ctx, db, "findings", "coord")
	if err != nil || !state.Stale || state.LatestImport == nil || state.LatestImport.ID != partial.ImportID ||
		state.LatestImport.Source != "cut.jsonl.gz" {
		t.Errorf("after a partial import: %+v, %v; want stale, latest import %d of cut.jsonl.gz", state, err, partial.ImportID)
	}
	again := storeRun(t, db, "analyze", map[string]string{"findings": `{}`, "coord": `{}`})
	if again.ImportID != partial.ImportID {
		t.Errorf("run after the partial import saw import %d, want %d", again.ImportID, partial.ImportID)
	}
	if state, err := store.CheckResults(ctx, db, "findings", "coord"); err != nil || !state.OK() {
		t.Errorf("after analyze again: %+v, %v; want current", state, err)
	}
}
