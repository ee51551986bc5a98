package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/echotrace/echotrace/internal/store"
)

// beforeRunCommit, if set (by tests), runs inside a run's transaction just before COMMIT.
var beforeRunCommit func()

// runWriter stores one run's results on a connection of its own, inside one transaction begun
// at the first write and committed with the run's row in core.runs.
type runWriter struct {
	db   *DB
	conn *sql.Conn
	run  store.Run

	mu     sync.Mutex
	inTx   bool
	done   bool
	failed error // a write failed: the transaction is aborted and only Rollback remains
}

// BeginRun starts storing the results of a run of command; params are encoded as JSON. It
// notes the latest import that stored data, committed or partial (the data the run will read) and reserves the run id;
// nothing is written before the first PutDocument or PutTable, and nothing is visible before
// Commit.
func (db *DB) BeginRun(ctx context.Context, command string, params any) (store.RunWriter, error) {
	if err := db.writable(); err != nil {
		return nil, err
	}
	if command == "" {
		return nil, errors.New("begin run: empty command")
	}
	var raw json.RawMessage
	if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			return nil, fmt.Errorf("begin run %s: parameters: %w", command, err)
		}
		raw = b
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin run %s: %w", command, err)
	}
	w := &runWriter{db: db, conn: conn, run: store.Run{Command: command, Params: raw, Started: db.stamp(), Inputs: map[string]int64{}}}
	var imp sql.NullInt64
	err = conn.QueryRowContext(ctx, `SELECT nextval('core.run_id_seq'),
		(SELECT max(id) FROM core.imports WHERE status IN ('committed', 'partial'))`).Scan(&w.run.ID, &imp)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin run %s: %w", command, err)
	}
	w.run.ImportID = imp.Int64
	return w, nil
}

// begin opens the run's transaction on first use.
func (w *runWriter) begin(ctx context.Context) error {
	if w.done {
		return store.ErrClosed
	}
	if w.failed != nil {
		return fmt.Errorf("run %d: an earlier write failed: %w", w.run.ID, w.failed)
	}
	if w.inTx {
		return nil
	}
	if _, err := w.conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return fmt.Errorf("run %d: %w", w.run.ID, err)
	}
	w.inTx = true
	return nil
}

// wrote records a result the run stored; a failed write leaves only Rollback.
func (w *runWriter) wrote(name string, err error) error {
	if err != nil {
		w.failed = err
		return err
	}
	for _, r := range w.run.Results {
		if r == name {
			return nil
		}
	}
	w.run.Results = append(w.run.Results, name)
	return nil
}

// PutDocument stores a document of the run.
func (w *runWriter) PutDocument(ctx context.Context, name string, body []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.begin(ctx); err != nil {
		return err
	}
	return w.wrote(name, w.db.putDocument(ctx, w.conn, name, body, &w.run.ID))
}

// PutTable stores a result table of the run, with a last column run_id.
func (w *runWriter) PutTable(ctx context.Context, name string, columns []string, rows [][]any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.begin(ctx); err != nil {
		return err
	}
	return w.wrote(name, putTable(ctx, w.conn, name, columns, rows, &w.run.ID))
}

// Document reads a document as the run sees it: its own, or else the study's, which then
// becomes an input of the run.
func (w *runWriter) Document(ctx context.Context, name string) ([]byte, time.Time, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil, time.Time{}, store.ErrClosed
	}
	body, at, run, err := document(ctx, w.conn, name, true)
	if err != nil {
		return nil, time.Time{}, err
	}
	if run.Int64 != w.run.ID {
		w.run.Inputs[name] = run.Int64 // 0: stored outside a run
	}
	return body, at, nil
}

// Commit records the run in core.runs and makes its results visible, in the one transaction.
func (w *runWriter) Commit(ctx context.Context) (store.Run, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.begin(ctx); err != nil {
		return store.Run{}, err
	}
	w.done = true
	defer w.conn.Close()
	run := w.run
	run.At = w.db.stamp()
	err := func() error {
		results, _ := json.Marshal(nonNil(run.Results))
		var inputs, params any
		if len(run.Inputs) > 0 {
			b, _ := json.Marshal(run.Inputs)
			inputs = string(b)
		}
		if run.Params != nil {
			params = string(run.Params)
		}
		var imp any
		if run.ImportID > 0 {
			imp = run.ImportID
		}
		if _, err := w.conn.ExecContext(ctx, `INSERT INTO core.runs (id, command, params, started, finished, import_id, results, inputs)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, run.ID, run.Command, params, run.Started, run.At, imp, string(results), inputs); err != nil {
			return err
		}
		if beforeRunCommit != nil {
			beforeRunCommit()
		}
		_, err := w.conn.ExecContext(ctx, `COMMIT`)
		return err
	}()
	if err != nil {
		_, _ = w.conn.ExecContext(context.Background(), `ROLLBACK`)
		return store.Run{}, fmt.Errorf("commit run %d (%s): %w", run.ID, run.Command, err)
	}
	return run, nil
}

// Rollback discards the run's results. It is a no-op after Commit, so that callers may defer
// it.
func (w *runWriter) Rollback() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil
	}
	w.done = true
	defer w.conn.Close()
	if w.inTx {
		if _, err := w.conn.ExecContext(context.Background(), `ROLLBACK`); err != nil {
			return fmt.Errorf("roll back run %d: %w", w.run.ID, err)
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ResultOrigins returns, for each named document that is stored, when and by which run it was
// stored, and the latest import that stored data (committed or partial: a partial import
// commits the rows read before its input broke off). A study below schema version 7 (opened read-only)
// has no runs: its documents read as stored by a run unknown.
func (db *DB) ResultOrigins(ctx context.Context, names ...string) ([]store.ResultOrigin, *store.ImportMark, error) {
	var out []store.ResultOrigin
	var runIDs []int64
	for _, name := range names {
		var at time.Time
		var run sql.NullInt64
		var err error
		if db.schema >= runsVersion {
			err = db.sql.QueryRowContext(ctx, `SELECT stored_at, run_id FROM core.documents WHERE name = ?`, name).Scan(&at, &run)
		} else {
			err = db.sql.QueryRowContext(ctx, `SELECT stored_at FROM core.documents WHERE name = ?`, name).Scan(&at)
		}
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("origin of %s: %w", name, err)
		}
		out = append(out, store.ResultOrigin{Name: name, StoredAt: at.UTC()})
		runIDs = append(runIDs, run.Int64)
	}
	if db.schema >= runsVersion {
		runs, err := db.ListRuns(ctx)
		if err != nil {
			return nil, nil, err
		}
		byID := map[int64]*store.Run{}
		for i := range runs {
			byID[runs[i].ID] = &runs[i]
		}
		for i, id := range runIDs {
			out[i].Run = byID[id] // nil for 0 (no run) or a run not recorded
		}
	}
	var imp store.ImportMark
	var src sql.NullString
	var fin sql.NullTime
	err := db.sql.QueryRowContext(ctx, `SELECT id, source, finished FROM core.imports
		WHERE status IN ('committed', 'partial') ORDER BY id DESC LIMIT 1`).Scan(&imp.ID, &src, &fin)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("latest import: %w", err)
	}
	imp.Source, imp.Finished = src.String, fin.Time.UTC()
	return out, &imp, nil
}

// ListRuns lists the recorded runs, oldest first (none below schema version 7).
func (db *DB) ListRuns(ctx context.Context) ([]store.Run, error) {
	if db.schema < runsVersion {
		return nil, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, command, params, started, finished, import_id, results, inputs
		FROM core.runs ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []store.Run
	for rows.Next() {
		var r store.Run
		var params, inputs sql.NullString
		var results string
		var imp sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Command, &params, &r.Started, &r.At, &imp, &results, &inputs); err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		r.Started, r.At, r.ImportID = r.Started.UTC(), r.At.UTC(), imp.Int64
		if params.Valid {
			r.Params = json.RawMessage(params.String)
		}
		if err := json.Unmarshal([]byte(results), &r.Results); err != nil {
			return nil, fmt.Errorf("run %d: results %q: %w", r.ID, results, err)
		}
		if inputs.Valid && strings.TrimSpace(inputs.String) != "" {
			if err := json.Unmarshal([]byte(inputs.String), &r.Inputs); err != nil {
				return nil, fmt.Errorf("run %d: inputs %q: %w", r.ID, inputs.String, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
