package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// rule says how Commit merges one column over the observations of a key (the stored row and
// every staged row with that key).
type rule int

const (
	// best takes the value of the highest-ranked observation whose value is not NULL: the
	// latest observation wins and empty fields are filled from older ones.
	best rule = iota
	// first takes the value of the highest-ranked observation even if it is NULL (booleans,
	// which have no "unknown").
	first
	// least and greatest take the minimum / maximum non-NULL value.
	least
	greatest
)

// column is one column of a core table.
type column struct {
	name string
	typ  string // DuckDB type
	rule rule   // merge rule (data columns only)
}

// kind describes one event kind: its core table, its key and how observations merge.
type kind struct {
	name  string   // staging suffix and summary name
	table string   // core table, unqualified
	keys  []column // identity; compared with IS NOT DISTINCT FROM
	data  []column // merged columns
	// rankBy ranks the observations of one key, best first (NULLs last): by this column,
	// descending if rankDesc ("" for none); ties go to the later import, then the later
	// record (see mergeKind).
	rankBy   string
	rankDesc bool
	prov     bool // has source and line provenance columns (rejects carry them as keys)
	// identity lists the data columns that say which object a record is (who wrote the post,
	// what kind it is, which post it refers to): a record whose non-NULL value differs from
	// the one kept for its key is an identity conflict, not a duplicate. It is left out of the
	// merge and listed in core.conflicts; the first value seen is kept (see identityConflicts).
	identity []string
	// conflictKey names the key columns that fill core.conflicts' id, account_id and action
	// (the engagement kind); "" for none.
	conflictKey [3]string
	record      string // core.conflicts.record: "post" or "engagement"
}

func str(name string) column             { return column{name: name, typ: "VARCHAR"} }
func strRule(name string, r rule) column { return column{name: name, typ: "VARCHAR", rule: r} }
func i64(name string) column             { return column{name: name, typ: "BIGINT"} }
func ts(name string) column              { return column{name: name, typ: "TIMESTAMP"} }
func tsRule(name string, r rule) column  { return column{name: name, typ: "TIMESTAMP", rule: r} }
func boolean(name string) column         { return column{name: name, typ: "BOOLEAN", rule: first} }

// list is a list of strings stored as one VARCHAR, items joined by listSep: DuckDB rewrites
// an UPDATE of a LIST column as delete + insert, which lost rows at commit in large merges
// (1 M posts, 500 k updated); a VARCHAR is updated in place. The views split it back.
func list(name string) column { return column{name: name, typ: "VARCHAR"} }

// listSep separates the items of a list column (ASCII unit separator, chr(31)); items never
// contain it (nullList replaces it with a space).
const listSep = "\x1f"

// Indexes into kinds, in the order events are staged.
const (
	kPosts = iota
	kAccounts
	kEngagements
	kShares
	kStatuses
	kLabels
	kWatch
	kRejects
	nKinds
)

// kinds are the event kinds in merge order.
var kinds = [nKinds]kind{
	kPosts: {
		name: "posts", table: "posts",
		keys: []column{str("platform"), str("id")},
		data: []column{str("author_id"), str("author_handle"), ts("created_at"), str("kind"),
			str("ref_id"), str("ref_author_id"), str("conversation_id"), str("text"), str("lang"),
			str("client"), list("urls"), list("hashtags"), list("mentions"),
			i64("likes"), i64("reposts"), i64("replies"), i64("quotes"), i64("views"),
			tsRule("counts_at", greatest)},
		rankBy: "counts_at", rankDesc: true,
		prov:        true,
		identity:    []string{"author_id", "kind", "ref_id"},
		conflictKey: [3]string{"id", "", ""}, record: "post",
	},
	kAccounts: {
		name: "accounts", table: "accounts",
		keys: []column{str("platform"), str("id")},
		data: []column{str("handle"), str("name"), ts("created_at"), i64("followers"),
			i64("following"), i64("posts_count"), boolean("verified"), boolean("default_avatar"),
			str("description"), str("location"), str("lang"), tsRule("observed_at", greatest),
			tsRule("first_seen", least), tsRule("last_seen", greatest)},
		rankBy: "observed_at", rankDesc: true,
		prov: true,
	},
	kEngagements: {
		name: "engagements", table: "engagements",
		keys:        []column{str("platform"), str("account_id"), str("kind"), str("post_id")},
		data:        []column{str("post_author_id"), tsRule("at", least)},
		rankBy:      "at",
		prov:        true,
		identity:    []string{"post_author_id"},
		conflictKey: [3]string{"post_id", "account_id", "kind"}, record: "engagement",
	},
	kShares: {
		name: "shares", table: "shares",
		keys: []column{str("platform"), str("account_id"), str("object_id"), str("content_id"), ts("at")},
		prov: true,
	},
	kStatuses: {
		name: "status_observations", table: "status_observations",
		keys: []column{str("platform"), str("account_key"), ts("observed_at"), str("status")},
		data: []column{str("account_id"), str("handle"), str("raw_code")},
		prov: true,
	},
	kLabels: {
		name: "label_observations", table: "label_observations",
		keys: []column{str("platform"), str("account_key"), ts("observed_at"), str("label")},
		data: []column{str("account_id"), str("handle"), str("class")},
		prov: true,
	},
	kWatch: {
		name: "watch_entries", table: "watch_entries",
		keys: []column{str("platform"), str("account_key")},
		data: []column{str("id"), str("handle"), str("actor_type"), str("country"), str("outlet"),
			str("lang"), ts("since"), ts("until")},
		prov: true,
	},
	kRejects: {
		name: "rejects", table: "rejects",
		keys: []column{str("source"), i64("line"), str("reason")},
		data: []column{str("field"), str("raw"), boolean("kept")},
	},
}

// columns lists a kind's key and data columns, then its provenance columns.
func (k *kind) columns() []column {
	cols := append(append([]column{}, k.keys...), k.data...)
	if k.prov {
		cols = append(cols, str("source"), i64("line"))
	}
	return cols
}

// coreDDL creates the kind's core table.
func (k *kind) coreDDL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS core.%s (", k.table)
	for _, c := range k.columns() {
		fmt.Fprintf(&b, "%s %s, ", quote(c.name), c.typ)
	}
	b.WriteString("import_id BIGINT NOT NULL)")
	return b.String()
}

// stageDDL creates a staging table for the kind: its columns plus seq, the record's position
// in the import.
func (k *kind) stageDDL(name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TEMP TABLE %s (", name)
	for _, c := range k.columns() {
		fmt.Fprintf(&b, "%s %s, ", quote(c.name), c.typ)
	}
	b.WriteString("seq BIGINT NOT NULL)")
	return b.String()
}

// migration is one schema step: an optional Go step, then statements. Every step is
// idempotent, so that a migration interrupted before its version was recorded can run again.
type migration struct {
	version int
	note    string
	stmts   []string
	before  func(ctx context.Context, tx *sql.Tx) error
	// readable: a study without this migration (and the later ones, if readable too) can
	// still be opened read-only; readers do without what it adds (an optimisation, or a record
	// that older studies never had).
	readable bool
}

// migrations are applied in order; the study's version is the highest one applied.
var migrations = []migration{
	{version: 1, note: "core tables, import log, documents", stmts: migration1()},
	{version: 2, note: "documented views", stmts: migration2()},
	{version: 3, note: "list columns of core.posts as chr(31)-joined VARCHAR", before: listsToVarchar, stmts: migration2()},
	{version: 4, note: "handle resolution in views by equi-joins", stmts: migration2()},
	// The engagements view used to join every repost, quote and reply to the referenced post
	// for coalesce(ref_author_id, author): a hash join over all posts (2 CPU-s in each query on
	// a scale-1 simulated study) even when every row states its post's author. Only the rows
	// without one are joined now; the view's rows are the same.
	{version: 5, note: "engagements view joins only posts without a stated post author", stmts: migration2()},
	// `stats` counted every view on each call (25 s on a scale-10 study); every import now
	// writes the counts inside its commit.
	{version: 6, note: "row counts cached by each import (core.stats)", readable: true, stmts: []string{
		`CREATE TABLE IF NOT EXISTS core.stats (import_id BIGINT NOT NULL, body VARCHAR NOT NULL)`}},
	// The results of one analysis run are stored in one transaction with its row in
	// core.runs, and every document and result row carries its run id, so that report, export
	// and serve can tell results of different runs apart; imports keep the records whose
	// identity conflicts with the one kept in core.conflicts. A study without these still
	// opens read-only: its results read as "run unknown" and it lists no conflicts.
	{version: 7, note: "analysis runs (core.runs, documents.run_id) and identity conflicts (core.conflicts)", readable: true, stmts: migration7()},
	// A reject may stand for a record that was stored with a field cleared (an optional time
	// outside its window) rather than dropped; the import summary and its >50 % rule count
	// the two apart. Older rejects of that kind are recognised by CheckTimes' wording. A study
	// without this still opens read-only: its imports read as keeping none.
	{version: 8, note: "rejects of records kept with a field cleared (rejects.kept, imports.rejected_kept)", readable: true, stmts: migration8()},
	// The coordination load read the views row by row (32 s of a 45 s analyze at scale 1):
	// schema snap holds the same input integer-coded, rebuilt when an import committed since
	// (snapshot.go). A study without it opens read-only and Load reads the views.
	{version: 9, note: "analysis snapshot (schema snap)", readable: true, stmts: []string{
		`CREATE SCHEMA IF NOT EXISTS snap`,
		`CREATE TABLE IF NOT EXISTS snap.text_keys (h1 UBIGINT NOT NULL, h2 UBIGINT NOT NULL, key BIGINT)`,
		`CREATE TABLE IF NOT EXISTS snap.meta (format INTEGER, import_id BIGINT, built TIMESTAMP, status_as_of TIMESTAMP, seconds DOUBLE)`,
	}},
}

// runsVersion is the first schema version with core.runs and core.conflicts.
const runsVersion = 7

// keptVersion is the first schema version with rejects.kept and imports.rejected_kept.
const keptVersion = 8

func migration8() []string {
	return []string{
		`ALTER TABLE core.rejects ADD COLUMN IF NOT EXISTS kept BOOLEAN`,
		`UPDATE core.rejects SET kept = true WHERE kept IS NULL AND reason LIKE '%; the time is cleared, the % kept'`,
		`ALTER TABLE core.imports ADD COLUMN IF NOT EXISTS rejected_kept BIGINT`,
		`CREATE OR REPLACE VIEW rejects AS
SELECT source, line, reason, field, raw, import_id, coalesce(kept, false) AS kept FROM core.rejects`,
		`CREATE OR REPLACE VIEW imports AS
SELECT id, source, format, fingerprint, started, finished, status, read, stored, duplicates,
       rejected, error, rejected_kept
FROM core.imports`,
	}
}

func migration7() []string {
	return []string{
		`CREATE SEQUENCE IF NOT EXISTS core.run_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS core.runs (
			id BIGINT NOT NULL, command VARCHAR NOT NULL, params VARCHAR, started TIMESTAMP NOT NULL,
			finished TIMESTAMP NOT NULL, import_id BIGINT, results VARCHAR NOT NULL, inputs VARCHAR)`,
		`ALTER TABLE core.documents ADD COLUMN IF NOT EXISTS run_id BIGINT`,
		`CREATE OR REPLACE VIEW runs AS
SELECT id, command, params, started, finished, import_id, results, inputs FROM core.runs`,
		`ALTER TABLE core.imports ADD COLUMN IF NOT EXISTS conflicts VARCHAR`,
		`CREATE TABLE IF NOT EXISTS core.conflicts (
			record VARCHAR NOT NULL, platform VARCHAR, id VARCHAR, account_id VARCHAR, action VARCHAR,
			field VARCHAR NOT NULL, kept VARCHAR, kept_source VARCHAR, kept_line BIGINT, kept_import_id BIGINT,
			value VARCHAR, source VARCHAR, line BIGINT, import_id BIGINT NOT NULL)`,
		`CREATE OR REPLACE VIEW conflicts AS
SELECT record, platform, id, account_id, action, field, kept, kept_source, kept_line, kept_import_id,
       value, source, line, import_id
FROM core.conflicts`,
	}
}

// listsToVarchar converts the list columns of core.posts from VARCHAR[] (studies written
// before version 3) to VARCHAR joined by listSep, the layout of list (see there for why).
// Columns already VARCHAR are left alone.
func listsToVarchar(ctx context.Context, tx *sql.Tx) error {
	for _, c := range []string{"urls", "hashtags", "mentions"} {
		var typ string
		err := tx.QueryRowContext(ctx, `SELECT data_type FROM duckdb_columns()
			WHERE schema_name = 'core' AND table_name = 'posts' AND column_name = ?`, c).Scan(&typ)
		if err != nil {
			return fmt.Errorf("type of core.posts.%s: %w", c, err)
		}
		if typ == "VARCHAR" {
			continue
		}
		q := fmt.Sprintf(`ALTER TABLE core.posts ALTER COLUMN %[1]s TYPE VARCHAR
			USING NULLIF(array_to_string(list_transform(%[1]s, x -> replace(x, chr(31), ' ')), chr(31)), '')`, c)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("convert core.posts.%s: %w", c, err)
		}
	}
	return nil
}

func migration1() []string {
	s := []string{
		`CREATE SCHEMA IF NOT EXISTS core`,
		`CREATE SEQUENCE IF NOT EXISTS core.import_id_seq START 1`,
		`CREATE TABLE IF NOT EXISTS core.imports (
			id BIGINT NOT NULL, source VARCHAR, format VARCHAR, fingerprint VARCHAR,
			started TIMESTAMP, finished TIMESTAMP, status VARCHAR NOT NULL,
			read VARCHAR, stored VARCHAR, duplicates VARCHAR, rejected BIGINT, error VARCHAR)`,
		`CREATE TABLE IF NOT EXISTS core.documents (
			name VARCHAR NOT NULL, stored_at TIMESTAMP NOT NULL, body VARCHAR NOT NULL)`,
	}
	for i := range kinds {
		s = append(s, kinds[i].coreDDL())
	}
	return s
}

// handleIndex maps (platform, lower(handle)) to one account id: the account whose profile was
// seen last (ties: the smallest id), so that handle-only references resolve deterministically.
const handleIndex = `CREATE OR REPLACE VIEW core.handle_index AS
SELECT platform, lower(handle) AS handle_lc,
       first(id ORDER BY last_seen DESC NULLS LAST, id) AS account_id,
       first(handle ORDER BY last_seen DESC NULLS LAST, id) AS handle
FROM core.accounts WHERE handle IS NOT NULL
GROUP BY platform, lower(handle)`

// domainExpr is the lower-case host of a URL without a leading "www.", or NULL.
const domainExpr = `NULLIF(regexp_replace(lower(regexp_extract(url,
	'^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^:/?#]+)', 1)), '^www\.', ''), '')`

func migration2() []string {
	return []string{
		handleIndex,
		`CREATE OR REPLACE VIEW accounts AS
SELECT platform, id, handle, name, created_at, followers, following, verified, posts_count,
       default_avatar, description, location, lang, first_seen, last_seen, observed_at,
       source, line, import_id
FROM core.accounts`,
		`CREATE OR REPLACE VIEW posts AS
SELECT platform, id, author_id, created_at, kind, ref_id, ref_author_id, text,
       likes, reposts, replies, quotes, views, counts_at, conversation_id, lang, client,
       author_handle, string_split(urls, chr(31)) AS urls,
       string_split(hashtags, chr(31)) AS hashtags, string_split(mentions, chr(31)) AS mentions,
       source, line, import_id
FROM core.posts`,
		`CREATE OR REPLACE VIEW post_urls AS
SELECT platform, post_id, author_id, created_at, kind, url, ` + domainExpr + ` AS domain, position
FROM (SELECT platform, post_id, author_id, created_at, kind,
             unnest(l) AS url, unnest(generate_series(1, len(l))) AS position
      FROM (SELECT platform, id AS post_id, author_id, created_at, kind, string_split(urls, chr(31)) AS l
            FROM core.posts WHERE urls IS NOT NULL))`,
		`CREATE OR REPLACE VIEW post_hashtags AS
SELECT platform, post_id, author_id, created_at, kind,
       unnest(l) AS tag, unnest(generate_series(1, len(l))) AS position
FROM (SELECT platform, id AS post_id, author_id, created_at, kind, string_split(hashtags, chr(31)) AS l
      FROM core.posts WHERE hashtags IS NOT NULL)`,
		`CREATE OR REPLACE VIEW post_mentions AS
SELECT platform, post_id, author_id, created_at, kind,
       unnest(l) AS handle, unnest(generate_series(1, len(l))) AS position
FROM (SELECT platform, id AS post_id, author_id, created_at, kind, string_split(mentions, chr(31)) AS l
      FROM core.posts WHERE mentions IS NOT NULL)`,
		`CREATE OR REPLACE VIEW engagements AS
SELECT p.platform, p.author_id AS account_id, p.kind, p.ref_id AS post_id,
       p.ref_author_id AS post_author_id, p.created_at AS "at",
       'post' AS origin, p.id AS via_post_id, p.source, p.line, p.import_id
FROM core.posts p
WHERE p.kind IN ('repost', 'quote', 'reply') AND p.ref_id IS NOT NULL AND p.ref_author_id IS NOT NULL
UNION ALL
SELECT p.platform, p.author_id AS account_id, p.kind, p.ref_id AS post_id,
       t.author_id AS post_author_id, p.created_at AS "at",
       'post' AS origin, p.id AS via_post_id, p.source, p.line, p.import_id
FROM core.posts p
LEFT JOIN core.posts t ON t.platform = p.platform AND t.id = p.ref_id
WHERE p.kind IN ('repost', 'quote', 'reply') AND p.ref_id IS NOT NULL AND p.ref_author_id IS NULL
UNION ALL
SELECT e.platform, e.account_id, e.kind, e.post_id,
       coalesce(e.post_author_id, t.author_id) AS post_author_id, e."at",
       'engagement' AS origin, NULL AS via_post_id, e.source, e.line, e.import_id
FROM core.engagements e
LEFT JOIN core.posts t ON t.platform = e.platform AND t.id = e.post_id
WHERE NOT EXISTS (SELECT 1 FROM core.posts p
                  WHERE p.platform = e.platform AND p.author_id = e.account_id
                    AND p.kind = e.kind AND p.ref_id = e.post_id)`,
		`CREATE OR REPLACE VIEW shares AS
SELECT platform, account_id, object_id, content_id, "at", source, line, import_id
FROM core.shares`,
		// The three views below resolve handle-only rows through the handle index. Rows with an
		// id and rows without are selected apart and joined on equalities only: a join condition
		// like "s.account_id IS NULL AND …" makes DuckDB fall back to a nested-loop join, which
		// cost 70 CPU-s on a scale-1 simulated study (0.6 s this way).
		`CREATE OR REPLACE VIEW watchlist AS
SELECT w.platform, w.id AS account_id, coalesce(w.handle, a.handle) AS handle, w.actor_type,
       w.country, w.outlet, w.lang, w.since, w.until, w.source, w.line, w.import_id
FROM core.watch_entries w
LEFT JOIN core.accounts a ON a.platform = w.platform AND a.id = w.id
WHERE w.id IS NOT NULL
UNION ALL
SELECT w.platform, h.account_id, w.handle, w.actor_type,
       w.country, w.outlet, w.lang, w.since, w.until, w.source, w.line, w.import_id
FROM core.watch_entries w
LEFT JOIN core.handle_index h ON h.platform = w.platform AND h.handle_lc = lower(w.handle)
WHERE w.id IS NULL`,
		`CREATE OR REPLACE VIEW status_observations AS
SELECT s.platform, s.account_id, s.observed_at, s.status, s.raw_code, s.handle, s.source, s.line, s.import_id
FROM core.status_observations s
WHERE s.account_id IS NOT NULL
UNION ALL
SELECT s.platform, h.account_id, s.observed_at, s.status, s.raw_code, s.handle, s.source, s.line, s.import_id
FROM core.status_observations s
LEFT JOIN core.handle_index h ON h.platform = s.platform AND h.handle_lc = lower(s.handle)
WHERE s.account_id IS NULL`,
		`CREATE OR REPLACE VIEW label_observations AS
SELECT l.platform, l.account_id, l.observed_at, l.label, l.class, l.handle, l.source, l.line, l.import_id
FROM core.label_observations l
WHERE l.account_id IS NOT NULL
UNION ALL
SELECT l.platform, h.account_id, l.observed_at, l.label, l.class, l.handle, l.source, l.line, l.import_id
FROM core.label_observations l
LEFT JOIN core.handle_index h ON h.platform = l.platform AND h.handle_lc = lower(l.handle)
WHERE l.account_id IS NULL`,
		`CREATE OR REPLACE VIEW rejects AS
SELECT source, line, reason, field, raw, import_id FROM core.rejects`,
		`CREATE OR REPLACE VIEW imports AS
SELECT id, source, format, fingerprint, started, finished, status, read, stored, duplicates,
       rejected, error
FROM core.imports`,
	}
}
