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

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

// Query runs one read-only statement. The statement is prepared (never executed) on its own
// first: DuckDB must parse exactly one statement and report it as a SELECT, an EXPLAIN of a
// SELECT (not EXPLAIN ANALYZE, which executes) or a PRAGMA from a short read-only list
// (table_info, show_tables, …). DESCRIBE, SHOW and SUMMARIZE parse as SELECTs. Anything else —
// INSERT, COPY, ATTACH, SET, CALL, CREATE, several statements — is refused with
// store.ErrReadOnly, as are calls of the functions nextval, setval, currval, checkpoint and
// force_checkpoint (even inside a string literal: the check is deliberately blunt). On a study
// opened read-only DuckDB refuses writes as well.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := db.checkReadOnly(ctx, query); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return rows, nil
}

// readOnlyPragmas are the PRAGMAs Query accepts: each only reports.
var readOnlyPragmas = map[string]bool{
	"table_info": true, "show": true, "show_tables": true, "show_tables_expanded": true,
	"show_databases": true, "database_list": true, "database_size": true, "storage_info": true,
	"version": true, "platform": true, "functions": true, "collations": true,
	"metadata_info": true, "user_agent": true,
}

// readWords are the first words of statements that may read only; a statement that fails to
// prepare and starts with another word is reported as a write.
var readWords = map[string]bool{"select": true, "with": true, "from": true, "values": true,
	"table": true, "explain": true, "describe": true, "show": true, "summarize": true, "pragma": true}

var (
	pragmaName  = regexp.MustCompile(`(?is)^\s*pragma\s+([a-z_][a-z0-9_]*)`)
	explainHead = regexp.MustCompile(`(?is)^\s*explain\s*(\([^)]*\))?`)
	analyze     = regexp.MustCompile(`(?i)\banaly[sz]e\b`)
	analyzeHead = regexp.MustCompile(`(?i)^analy[sz]e\b`)
	writingFn   = regexp.MustCompile(`(?i)\b(nextval|setval|currval|checkpoint|force_checkpoint)\s*\(`)
	firstWord   = regexp.MustCompile(`^[\s(]*([A-Za-z]+)`)
	comments    = regexp.MustCompile(`(?s)/\*.*?\*/|--[^\n]*`)
)

// checkReadOnly refuses query unless it is one read-only statement (see Query).
func (db *DB) checkReadOnly(ctx context.Context, query string) error {
	if writingFn.MatchString(query) {
		return fmt.Errorf("query calls a sequence or checkpoint function: %w", store.ErrReadOnly)
	}
	typ, err := db.statementType(ctx, query)
	if err != nil {
		return err
	}
	switch typ {
	case duck.STATEMENT_TYPE_SELECT:
		return nil
	case duck.STATEMENT_TYPE_PRAGMA:
		m := pragmaName.FindStringSubmatch(query)
		if m != nil && readOnlyPragmas[strings.ToLower(m[1])] {
			return nil
		}
		return fmt.Errorf("only reporting PRAGMAs (table_info, show_tables, …) are allowed: %w", store.ErrReadOnly)
	case duck.STATEMENT_TYPE_EXPLAIN:
		// EXPLAIN ANALYZE runs its statement; a plain EXPLAIN must explain a read-only one.
		bare := comments.ReplaceAllString(query, " ")
		head := explainHead.FindStringSubmatchIndex(bare)
		if head == nil {
			return fmt.Errorf("cannot read the EXPLAIN statement: %w", store.ErrReadOnly)
		}
		rest := strings.TrimSpace(bare[head[1]:])
		if analyze.MatchString(bare[:head[1]]) || analyzeHead.MatchString(rest) {
			return fmt.Errorf("EXPLAIN ANALYZE executes its statement: %w", store.ErrReadOnly)
		}
		return db.checkReadOnly(ctx, rest)
	}
	return fmt.Errorf("only SELECT, WITH … SELECT, EXPLAIN, DESCRIBE, SHOW and reporting PRAGMAs are allowed: %w", store.ErrReadOnly)
}

// statementType prepares query on a connection of its own, without executing it, and returns
// DuckDB's statement type. Several statements are refused: DuckDB's multi-statement prepare
// would execute all but the last.
func (db *DB) statementType(ctx context.Context, query string) (duck.StmtType, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("query: %w", err)
	}
	defer conn.Close()
	var typ duck.StmtType
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*duck.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		// Prepare without a context refuses several statements instead of running them.
		st, err := c.Prepare(query)
		if err != nil {
			if strings.Contains(err.Error(), "multi-statement") {
				return fmt.Errorf("query holds several statements; give one: %w", store.ErrReadOnly)
			}
			// It does not prepare (e.g. it writes to a view): name it a write if it reads as one.
			if m := firstWord.FindStringSubmatch(comments.ReplaceAllString(query, " ")); m != nil && !readWords[strings.ToLower(m[1])] {
				return fmt.Errorf("query: %w: %w", store.ErrReadOnly, err)
			}
			return fmt.Errorf("query: %w", err)
		}
		defer st.(driver.Stmt).Close()
		ds, ok := st.(*duck.Stmt)
		if !ok {
			return fmt.Errorf("unexpected driver statement %T", st)
		}
		typ, err = ds.StatementType()
		return err
	})
	return typ, err
}

// SourceDone reports whether an import with this fingerprint committed. An empty fingerprint
// is never done.
func (db *DB) SourceDone(ctx context.Context, fingerprint string) (bool, error) {
	if fingerprint == "" {
		return false, nil
	}
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM core.imports
		WHERE fingerprint = ? AND status = 'committed'`, fingerprint).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("source done: %w", err)
	}
	return n > 0, nil
}

// Stats returns the rows of each documented view, per platform, and lists the imports. The
// counts come from core.stats, which every import rewrites inside its own commit (so they are
// exactly those of the committed data, and reading them costs nothing at any size); a study
// whose cache does not belong to its latest committed import (one written before schema
// version 6) is counted instead. Conflicts are counted in core.conflicts (none before schema
// version 7).
func (db *DB) Stats(ctx context.Context) (store.Stats, error) {
	st, ok, err := db.cachedStats(ctx)
	if err != nil {
		return st, err
	}
	if !ok {
		if st, err = countStats(ctx, db.sql); err != nil {
			return st, err
		}
	}
	imps, err := db.imports(ctx)
	if err != nil {
		return st, err
	}
	st.Imports = imps
	if db.schema >= runsVersion {
		if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM core.conflicts`).Scan(&st.Conflicts); err != nil {
			return st, fmt.Errorf("stats conflicts: %w", err)
		}
	}
	return st, nil
}

// cachedStats reads core.stats when it was written by the latest committed (or partial) import.
func (db *DB) cachedStats(ctx context.Context) (store.Stats, bool, error) {
	var st store.Stats
	var tables int
	if err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables()
		WHERE schema_name = 'core' AND table_name = 'stats'`).Scan(&tables); err != nil || tables == 0 {
		return st, false, err // a study below version 6, opened read-only
	}
	var cached, latest sql.NullInt64
	var body sql.NullString
	err := db.sql.QueryRowContext(ctx, `SELECT (SELECT max(import_id) FROM core.stats),
		(SELECT any_value(body) FROM core.stats WHERE import_id = (SELECT max(import_id) FROM core.stats)),
		(SELECT max(id) FROM core.imports WHERE status IN ('committed', 'partial'))`).Scan(&cached, &body, &latest)
	if err != nil {
		return st, false, fmt.Errorf("stats: %w", err)
	}
	if !cached.Valid || !latest.Valid || cached.Int64 != latest.Int64 || !body.Valid {
		return st, false, nil
	}
	if err := json.Unmarshal([]byte(body.String), &st); err != nil {
		return st, false, fmt.Errorf("stats: cached counts of import %d: %w", cached.Int64, err)
	}
	if st.PerPlatform == nil {
		st.PerPlatform = map[string]event.Counts{}
	}
	return st, true, nil
}

// querier is what countStats reads through: the study's pool, or an import's connection inside
// its commit.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// statsQueries count each documented view per platform. The engagements view is counted by an
// equivalent query without its joins: its three branches are the reposts, quotes and replies
// among the posts that name their post (split by whether they state its author, then joined
// to the posts on their key, which keeps the row count), plus the stored engagements that no
// such post repeats. Counting the view itself costs a join over every post (2 s at scale 1).
var statsQueries = []struct {
	name  string
	query string
	per   func(*event.Counts) *int64
}{
	{"accounts", `SELECT platform, count(*) FROM accounts GROUP BY platform`, func(c *event.Counts) *int64 { return &c.Accounts }},
	{"posts", `SELECT platform, count(*) FROM posts GROUP BY platform`, func(c *event.Counts) *int64 { return &c.Posts }},
	{"engagements", `SELECT platform, sum(n) FROM (
  SELECT platform, count(*) AS n FROM core.posts
  WHERE kind IN ('repost', 'quote', 'reply') AND ref_id IS NOT NULL GROUP BY platform
  UNION ALL
  SELECT e.platform, count(*) AS n FROM core.engagements e
  WHERE NOT EXISTS (SELECT 1 FROM core.posts p
                    WHERE p.platform = e.platform AND p.author_id = e.account_id
                      AND p.kind = e.kind AND p.ref_id = e.post_id)
  GROUP BY e.platform) GROUP BY platform`, func(c *event.Counts) *int64 { return &c.Engagements }},
	{"shares", `SELECT platform, count(*) FROM shares GROUP BY platform`, func(c *event.Counts) *int64 { return &c.Shares }},
	{"status_observations", `SELECT platform, count(*) FROM status_observations GROUP BY platform`, func(c *event.Counts) *int64 { return &c.Statuses }},
	{"label_observations", `SELECT platform, count(*) FROM label_observations GROUP BY platform`, func(c *event.Counts) *int64 { return &c.Labels }},
	{"watchlist", `SELECT platform, count(*) FROM watchlist GROUP BY platform`, func(c *event.Counts) *int64 { return &c.Watch }},
}

// countStats counts the documented views (without the import list).
func countStats(ctx context.Context, q querier) (store.Stats, error) {
	st := store.Stats{PerPlatform: map[string]event.Counts{}}
	for _, v := range statsQueries {
		rows, err := q.QueryContext(ctx, v.query)
		if err != nil {
			return st, fmt.Errorf("stats %s: %w", v.name, err)
		}
		for rows.Next() {
			var p string
			var n int64
			if err := rows.Scan(&p, &n); err != nil {
				rows.Close()
				return st, fmt.Errorf("stats %s: %w", v.name, err)
			}
			c := st.PerPlatform[p]
			*v.per(&c) = n
			st.PerPlatform[p] = c
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return st, fmt.Errorf("stats %s: %w", v.name, err)
		}
	}
	for _, c := range st.PerPlatform {
		st.Accounts += c.Accounts
		st.Posts += c.Posts
		st.Engagements += c.Engagements
		st.Shares += c.Shares
		st.Statuses += c.Statuses
		st.Labels += c.Labels
		st.Watchlist += c.Watch
	}
	rows, err := q.QueryContext(ctx, `SELECT count(*) FROM core.rejects`)
	if err != nil {
		return st, fmt.Errorf("stats rejects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&st.Rejects); err != nil {
			return st, fmt.Errorf("stats rejects: %w", err)
		}
	}
	return st, rows.Err()
}

// refreshStats recounts the views into core.stats inside an import's commit transaction
// (after the import is marked committed), keyed by the latest committed import id as the
// transaction sees it (commits are serialised, so that is the state being committed). A
// recount costs a scan of the study (0.5 s at scale 1); collection pages skip it
// (store.ImportRun.Incremental).
func refreshStats(ctx context.Context, conn querier, exec func(ctx context.Context, query string, args ...any) (sql.Result, error)) error {
	st, err := countStats(ctx, conn)
	if err != nil {
		return err
	}
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if _, err := exec(ctx, `DELETE FROM core.stats`); err != nil {
		return err
	}
	_, err = exec(ctx, `INSERT INTO core.stats (import_id, body)
		SELECT max(id), ? FROM core.imports WHERE status IN ('committed', 'partial')`, string(body))
	return err
}

// imports lists the committed and partial imports, oldest first.
func (db *DB) imports(ctx context.Context) ([]store.ImportSummary, error) {
	conflicts, kept := "NULL", "NULL"
	if db.schema >= runsVersion {
		conflicts = "conflicts"
	}
	if db.schema >= keptVersion {
		kept = "rejected_kept"
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id, source, format, read, stored, duplicates, rejected, `+kept+`, `+conflicts+`,
		coalesce(error, '') FROM core.imports WHERE status IN ('committed', 'partial') ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("stats imports: %w", err)
	}
	defer rows.Close()
	var out []store.ImportSummary
	for rows.Next() {
		var s store.ImportSummary
		var src, format, read, stored, dup, conf sql.NullString
		var rej, rejKept sql.NullInt64
		if err := rows.Scan(&s.ImportID, &src, &format, &read, &stored, &dup, &rej, &rejKept, &conf, &s.Error); err != nil {
			return nil, fmt.Errorf("stats imports: %w", err)
		}
		s.Source, s.Format, s.Rejected, s.RejectedKept = src.String, format.String, rej.Int64, rejKept.Int64
		for _, f := range []struct {
			text sql.NullString
			into *event.Counts
		}{{read, &s.Read}, {stored, &s.Stored}, {dup, &s.Duplicates}, {conf, &s.Conflicts}} {
			if f.text.Valid {
				if err := json.Unmarshal([]byte(f.text.String), f.into); err != nil {
					return nil, fmt.Errorf("stats import %d: %w", s.ImportID, err)
				}
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// stamp is the current time as stored: UTC, microseconds (DuckDB's TIMESTAMP resolution).
func (db *DB) stamp() time.Time { return db.opt.Now().UTC().Truncate(time.Microsecond) }
