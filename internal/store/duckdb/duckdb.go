package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/echotrace/echotrace/internal/store"
)

// FileName is the study file inside a study folder.
const FileName = "echotrace.duckdb"

// Options control how a study is opened.
type Options struct {
	ReadOnly    bool   // open with access_mode=READ_ONLY; every write fails with store.ErrReadOnly
	Create      bool   // create the study file (and folder) if absent
	MemoryLimit string // DuckDB memory_limit, e.g. "4GB"; "" for DuckDB's default (80 % of RAM)
	Threads     int    // DuckDB threads; 0 for DuckDB's default (all cores)
	// TempDirectory is where DuckDB spills beyond MemoryLimit; "" for DuckDB's default (next to
	// the database file: <study>/echotrace.duckdb.tmp).
	TempDirectory string
	// Sandbox turns off DuckDB's access to files and the network beyond the study itself
	// (enable_external_access=false), so that Query cannot read local files: for serve.
	Sandbox bool
	// Now stamps imports and documents; time.Now if nil.
	Now func() time.Time
}

// DB is a study opened on DuckDB. It is safe for concurrent use; commits are serialised.
type DB struct {
	sql  *sql.DB
	conn *duck.Connector
	path string
	opt  Options
	// schema is the study's schema version once open: below the latest only for a study
	// opened read-only whose missing migrations are readable.
	schema int

	commitMu sync.Mutex // serialises merges so concurrent imports do not conflict
}

var _ store.Store = (*DB)(nil)

// Open opens the study in dir. Without opt.Create, a folder with no study file returns an error
// wrapping store.ErrNoStudy. An older study is migrated to the current schema (unless
// read-only, which then fails); a study written by a newer echotrace is refused.
func Open(ctx context.Context, dir string, opt Options) (*DB, error) {
	return open(ctx, dir, opt, migrations)
}

func open(ctx context.Context, dir string, opt Options, migs []migration) (*DB, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open study %s: %w", dir, err)
		}
		if !opt.Create || opt.ReadOnly {
			return nil, fmt.Errorf("open study %s: %w", dir, store.ErrNoStudy)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create study %s: %w", dir, err)
		}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	// A study never downloads extensions (DuckDB would, even while preparing a statement that
	// names one); those built in, such as parquet and json, work.
	q := url.Values{"autoinstall_known_extensions": {"false"}}
	if opt.ReadOnly {
		q.Set("access_mode", "READ_ONLY")
	}
	if opt.MemoryLimit != "" {
		q.Set("memory_limit", opt.MemoryLimit)
	}
	if opt.TempDirectory != "" {
		q.Set("temp_directory", opt.TempDirectory)
	}
	if opt.Sandbox {
		q.Set("enable_external_access", "false")
	}
	if opt.Threads > 0 {
		q.Set("threads", strconv.Itoa(opt.Threads))
	}
	dsn := path
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	c, err := duck.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("open study %s: %w", dir, err)
	}
	db := &DB{sql: sql.OpenDB(c), conn: c, path: path, opt: opt}
	if err := db.migrate(ctx, migs); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("open study %s: %w", dir, err)
	}
	if !opt.ReadOnly {
		// An import left "running" by a process that died never committed: say so.
		if _, err := db.sql.ExecContext(ctx,
			`UPDATE core.imports SET status = 'interrupted' WHERE status = 'running'`); err != nil {
			db.sql.Close()
			return nil, fmt.Errorf("open study %s: %w", dir, err)
		}
	}
	return db, nil
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// version reads the study's schema version: 0 for a fresh file.
func (db *DB) version(ctx context.Context) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables()
		WHERE schema_name = 'main' AND table_name = 'schema_version'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v sql.NullInt64
	if err := db.sql.QueryRowContext(ctx, `SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// migrate brings the study to the last of migs, one transaction per migration.
func (db *DB) migrate(ctx context.Context, migs []migration) error {
	have, err := db.version(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	want := migs[len(migs)-1].version
	switch {
	case have > want:
		return fmt.Errorf("schema version %d is newer than this echotrace supports (%d): upgrade echotrace", have, want)
	case have == want:
		db.schema = have
		return nil
	case db.opt.ReadOnly && readableFrom(migs, have):
		db.schema = have
		return nil // readers do without what is missing; the next read-write open adds it
	case db.opt.ReadOnly:
		return fmt.Errorf("schema version %d needs migrating to %d, which a read-only open cannot do: open it read-write once, e.g. with `echotrace init` on the study (which migrates it and keeps its data): %w", have, want, store.ErrReadOnly)
	}
	for _, m := range migs {
		if m.version <= have {
			continue
		}
		if err := db.apply(ctx, m); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.note, err)
		}
	}
	db.schema = want
	return nil
}

// readableFrom reports whether every migration after version have is readable.
func readableFrom(migs []migration, have int) bool {
	for _, m := range migs {
		if m.version > have && !m.readable {
			return false
		}
	}
	return true
}

func (db *DB) apply(ctx context.Context, m migration) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if m.before != nil {
		if err := m.before(ctx, tx); err != nil {
			return err
		}
	}
	stmts := append([]string{`CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER NOT NULL, note VARCHAR, applied_at TIMESTAMP NOT NULL)`}, m.stmts...)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version VALUES (?, ?, ?)`,
		m.version, m.note, db.opt.Now().UTC()); err != nil {
		return err
	}
	return tx.Commit()
}

// DB returns the underlying database handle, for the export helper's COPY statements and for
// tests. Writes through it bypass the store's merge rules.
func (db *DB) DB() *sql.DB { return db.sql }

// Path is the study file's path.
func (db *DB) Path() string { return db.path }

// Close closes the study. Appenders still open are abandoned (their staging is discarded).
func (db *DB) Close() error {
	return db.sql.Close()
}

// writable fails with store.ErrReadOnly on a read-only study.
func (db *DB) writable() error {
	if db.opt.ReadOnly {
		return store.ErrReadOnly
	}
	return nil
}
