package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/echotrace/echotrace/internal/store"
)

// PutDocument stores a JSON document under name, replacing any earlier one. A document stored
// this way belongs to no run (BeginRun stores a run's documents).
func (db *DB) PutDocument(ctx context.Context, name string, body []byte) error {
	if err := db.writable(); err != nil {
		return err
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put document %q: %w", name, err)
	}
	defer tx.Rollback()
	if err := db.putDocument(ctx, tx, name, body, nil); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put document %q: %w", name, err)
	}
	return nil
}

// execer is a connection or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// putDocument replaces the document name inside the caller's transaction; runID is the run
// storing it (nil: none).
func (db *DB) putDocument(ctx context.Context, tx execer, name string, body []byte, runID *int64) error {
	if name == "" {
		return errors.New("put document: empty name")
	}
	if !json.Valid(body) {
		return fmt.Errorf("put document %q: body is not valid JSON", name)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM core.documents WHERE name = ?`, name); err != nil {
		return fmt.Errorf("put document %q: %w", name, err)
	}
	var run any
	if runID != nil {
		run = *runID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO core.documents (name, stored_at, body, run_id) VALUES (?, ?, ?, ?)`,
		name, db.stamp(), string(body), run); err != nil {
		return fmt.Errorf("put document %q: %w", name, err)
	}
	return nil
}

// Document returns the document stored under name and when it was stored, or an error
// wrapping store.ErrNotFound.
func (db *DB) Document(ctx context.Context, name string) ([]byte, time.Time, error) {
	body, at, _, err := document(ctx, db.sql, name, false)
	return body, at, err
}

// document reads a document and, withRun, the run that stored it (NULL: none or unknown).
func document(ctx context.Context, q execer, name string, withRun bool) ([]byte, time.Time, sql.NullInt64, error) {
	var body string
	var at time.Time
	var run sql.NullInt64
	var err error
	if withRun {
		err = q.QueryRowContext(ctx, `SELECT body, stored_at, run_id FROM core.documents WHERE name = ?`, name).Scan(&body, &at, &run)
	} else {
		err = q.QueryRowContext(ctx, `SELECT body, stored_at FROM core.documents WHERE name = ?`, name).Scan(&body, &at)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, run, fmt.Errorf("document %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return nil, time.Time{}, run, fmt.Errorf("document %q: %w", name, err)
	}
	return []byte(body), at.UTC(), run, nil
}

var (
	resultName = regexp.MustCompile(`^result_[a-z0-9_]+$`)
	columnName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
)

// PutTable replaces the result table name (^result_[a-z0-9_]+$) with columns and rows, in one
// transaction, loading the rows through DuckDB's appender. Column types come from the first
// non-nil value of each column: string → VARCHAR, int/int32/int64 → BIGINT, float32/float64 →
// DOUBLE, bool → BOOLEAN, time.Time → TIMESTAMP (the zero time is stored as NULL); a column
// of nils only is VARCHAR. A table stored this way belongs to no run; one stored by a run
// (BeginRun) has a last column run_id.
func (db *DB) PutTable(ctx context.Context, name string, columns []string, rows [][]any) error {
	if err := db.writable(); err != nil {
		return err
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("put table %s: %w", name, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return fmt.Errorf("put table %s: %w", name, err)
	}
	err = putTable(ctx, conn, name, columns, rows, nil)
	if err == nil {
		if _, err = conn.ExecContext(ctx, `COMMIT`); err != nil {
			err = fmt.Errorf("put table %s: %w", name, err)
		}
	}
	if err != nil {
		_, _ = conn.ExecContext(context.Background(), `ROLLBACK`)
		return err
	}
	return nil
}

// putTable replaces a result table inside the transaction open on conn; runID, if not nil,
// is stored in a last column run_id of every row.
func putTable(ctx context.Context, conn *sql.Conn, name string, columns []string, rows [][]any, runID *int64) error {
	if !resultName.MatchString(name) {
		return fmt.Errorf("put table %q: name must match ^result_[a-z0-9_]+$", name)
	}
	if len(columns) == 0 {
		return fmt.Errorf("put table %s: no columns", name)
	}
	seen := map[string]bool{}
	for _, c := range columns {
		if !columnName.MatchString(c) || seen[c] {
			return fmt.Errorf("put table %s: column %q must match ^[a-z_][a-z0-9_]*$ and be unique", name, c)
		}
		if runID != nil && c == "run_id" {
			return fmt.Errorf("put table %s: column run_id is the run's own", name)
		}
		seen[c] = true
	}
	types := make([]string, len(columns))
	for i := range columns {
		types[i] = "VARCHAR"
	}
	for r, row := range rows {
		if len(row) != len(columns) {
			return fmt.Errorf("put table %s: row %d has %d values for %d columns", name, r+1, len(row), len(columns))
		}
	}
	for i := range columns {
		for _, row := range rows {
			if row[i] == nil {
				continue
			}
			t, err := sqlType(row[i])
			if err != nil {
				return fmt.Errorf("put table %s: column %s: %w", name, columns[i], err)
			}
			types[i] = t
			break
		}
	}
	var ddl strings.Builder
	fmt.Fprintf(&ddl, "CREATE OR REPLACE TABLE main.%s (", name)
	for i, c := range columns {
		if i > 0 {
			ddl.WriteString(", ")
		}
		fmt.Fprintf(&ddl, `"%s" %s`, c, types[i])
	}
	if runID != nil {
		ddl.WriteString(`, "run_id" BIGINT NOT NULL`)
	}
	ddl.WriteString(")")
	err := func() error {
		if _, err := conn.ExecContext(ctx, ddl.String()); err != nil {
			return err
		}
		return conn.Raw(func(dc any) error {
			app, err := duck.NewAppender(dc.(driver.Conn), "", "main", name)
			if err != nil {
				return err
			}
			n := len(columns)
			if runID != nil {
				n++
			}
			vals := make([]driver.Value, n)
			if runID != nil {
				vals[n-1] = *runID
			}
			for r, row := range rows {
				for i, v := range row {
					if vals[i], err = value(v, types[i]); err != nil {
						app.Close()
						return fmt.Errorf("row %d, column %s: %w", r+1, columns[i], err)
					}
				}
				if err := app.AppendRow(vals...); err != nil {
					app.Close()
					return fmt.Errorf("row %d: %w", r+1, err)
				}
			}
			return app.Close()
		})
	}()
	if err != nil {
		return fmt.Errorf("put table %s: %w", name, err)
	}
	return nil
}

// sqlType is the column type for a Go value.
func sqlType(v any) (string, error) {
	switch v.(type) {
	case string:
		return "VARCHAR", nil
	case int, int32, int64:
		return "BIGINT", nil
	case float32, float64:
		return "DOUBLE", nil
	case bool:
		return "BOOLEAN", nil
	case time.Time:
		return "TIMESTAMP", nil
	}
	return "", fmt.Errorf("unsupported value type %T (want string, int64, float64, bool or time.Time)", v)
}

// value converts v for a column of type typ, refusing values of another type.
func value(v any, typ string) (driver.Value, error) {
	if v == nil {
		return nil, nil
	}
	t, err := sqlType(v)
	if err != nil {
		return nil, err
	}
	if t != typ {
		return nil, fmt.Errorf("value %v of type %T in a %s column", v, v, typ)
	}
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case time.Time:
		if x.IsZero() {
			return nil, nil
		}
		return x.UTC(), nil
	}
	return v, nil
}
