package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/echotrace/echotrace/internal/analysis/text"
	"github.com/echotrace/echotrace/internal/store"
)

// The analysis snapshot (schema snap, docs/schema.md): the coordination input of the views,
// integer-coded. It is rebuilt whole when stale, i.e. when an import committed since it was
// built (snap.meta.import_id): the views' rows depend on joins across kinds (a repost's post
// author falls back to the stored post, an engagement disappears once a post represents it,
// handle-only observations resolve through the latest profiles), and the dense ids follow
// the string order of the keys so that reading them in id order gives the views' ORDER BY.
// Appending new ids would break that order. Only the text keys (a Go function of each text)
// are kept across builds, in snap.text_keys, so a rebuild normalises only new texts.
//
// Every statement joins on equalities only, so that DuckDB plans hash joins (an inequality or
// an OR in a join condition gives a nested loop: a previous attempt's build took 75 minutes).

// snapDataVersion is the latest import that stored data: the snapshot is fresh when built for it.
const snapDataVersion = `(SELECT max(id) FROM core.imports WHERE status IN ('committed', 'partial'))`

// secsExpr is the SQL for a timestamp as whole unix seconds (as coord's Load reads times).
func secsExpr(col string) string { return "CAST(floor(epoch(" + col + ")) AS BIGINT)" }

// snapshotBuild are the statements of a build, in order, inside one transaction.
func snapshotBuild() []string {
	return []string{
		// Every account id that the coordination input can name, numbered in (platform, id) order.
		`CREATE OR REPLACE TABLE snap.accounts AS
WITH ids AS (
  SELECT DISTINCT platform, id FROM (
    SELECT platform, id FROM core.accounts
    UNION ALL SELECT platform, author_id FROM core.posts WHERE author_id IS NOT NULL
    UNION ALL SELECT platform, ref_author_id FROM core.posts WHERE ref_author_id IS NOT NULL
    UNION ALL SELECT platform, account_id FROM core.engagements
    UNION ALL SELECT platform, post_author_id FROM core.engagements WHERE post_author_id IS NOT NULL
    UNION ALL SELECT platform, account_id FROM watchlist WHERE account_id IS NOT NULL
    UNION ALL SELECT platform, account_id FROM status_observations WHERE account_id IS NOT NULL
    UNION ALL SELECT platform, account_id FROM core.shares)),
st AS (
  SELECT platform, account_id, status FROM status_observations WHERE account_id IS NOT NULL
  QUALIFY row_number() OVER (PARTITION BY platform, account_id ORDER BY observed_at DESC, status) = 1),
w AS (SELECT DISTINCT platform, account_id FROM watchlist WHERE account_id IS NOT NULL)
SELECT CAST(row_number() OVER (ORDER BY i.platform, i.id) - 1 AS INTEGER) AS aid, i.platform, i.id,
       coalesce(` + secsExpr("a.created_at") + `, 0) AS created, coalesce(a.followers, -1) AS followers,
       CAST(CASE st.status WHEN 'active' THEN 1 WHEN 'suspended' THEN 2 WHEN 'deleted' THEN 3 ELSE 0 END AS TINYINT) AS status,
       w.account_id IS NOT NULL AS watch
FROM ids i
LEFT JOIN core.accounts a ON a.platform = i.platform AND a.id = i.id
LEFT JOIN st ON st.platform = i.platform AND st.account_id = i.id
LEFT JOIN w ON w.platform = i.platform AND w.account_id = i.id
ORDER BY aid`,
		// Every post id: stored posts, referenced posts, engaged posts; with the stored post's
		// creation time. One GROUP BY instead of a join back to the posts.
		`CREATE OR REPLACE TABLE snap.objects AS
SELECT CAST(row_number() OVER (ORDER BY platform, id) - 1 AS INTEGER) AS oid, platform, id, created,
       contains(id, 'irart:') AS irart
FROM (SELECT platform, id, max(created) AS created FROM (
        SELECT platform, id, ` + secsExpr("created_at") + ` AS created FROM core.posts
        UNION ALL SELECT platform, ref_id, NULL FROM core.posts WHERE ref_id IS NOT NULL
        UNION ALL SELECT platform, post_id, NULL FROM core.engagements)
      GROUP BY platform, id)
ORDER BY oid`,
		// The posts, coded (a temporary table of the build).
		`CREATE OR REPLACE TEMP TABLE snap_posts AS
SELECT o.oid, a.aid,
       CAST(CASE p.kind WHEN 'repost' THEN 0 WHEN 'reply' THEN 1 WHEN 'quote' THEN 2 WHEN 'post' THEN 3 END AS TINYINT) AS kind,
       r.oid AS ref, ra.aid AS ref_author, ` + secsExpr("p.created_at") + ` AS t,
       CASE WHEN p.kind <> 'repost' AND p.text <> '' AND p.created_at IS NOT NULL THEN md5_number_upper(p.text) END AS h1,
       CASE WHEN p.kind <> 'repost' AND p.text <> '' AND p.created_at IS NOT NULL THEN md5_number_lower(p.text) END AS h2,
       CASE WHEN p.kind <> 'repost' THEN p.urls END AS urls,
       CASE WHEN p.kind <> 'repost' THEN lower(replace(p.hashtags, chr(31), ' ')) END AS tags,
       coalesce(p.kind, '') = '' AS stub, p.likes, p.reposts, p.replies, p.quotes
FROM core.posts p
JOIN snap.objects o ON o.platform = p.platform AND o.id = p.id
LEFT JOIN snap.accounts a ON a.platform = p.platform AND a.id = p.author_id
LEFT JOIN snap.objects r ON r.platform = p.platform AND r.id = p.ref_id
LEFT JOIN snap.accounts ra ON ra.platform = p.platform AND ra.id = p.ref_author_id`,
		// The engagements view's reposts, replies and quotes by a known account (a temporary
		// table of the build): the findings read them all, coordination those with a time.
		`CREATE OR REPLACE TEMP TABLE snap_eng AS
SELECT p.ref AS oid, p.aid, p.kind, p.ref_author AS author, p.t, p.oid AS via
FROM snap_posts p
WHERE p.kind <= 2 AND p.ref IS NOT NULL AND p.ref_author IS NOT NULL AND p.aid IS NOT NULL
UNION ALL
SELECT p.ref, p.aid, p.kind, t.aid, p.t, p.oid
FROM snap_posts p LEFT JOIN snap_posts t ON t.oid = p.ref
WHERE p.kind <= 2 AND p.ref IS NOT NULL AND p.ref_author IS NULL AND p.aid IS NOT NULL
UNION ALL
SELECT e.oid, e.aid, e.kind, coalesce(e.author, t.aid), e.t, NULL
FROM (SELECT o.oid, a.aid, pa.aid AS author, ` + secsExpr(`x."at"`) + ` AS t,
             CAST(CASE x.kind WHEN 'repost' THEN 0 WHEN 'reply' THEN 1 ELSE 2 END AS TINYINT) AS kind
      FROM core.engagements x
      JOIN snap.objects o ON o.platform = x.platform AND o.id = x.post_id
      JOIN snap.accounts a ON a.platform = x.platform AND a.id = x.account_id
      LEFT JOIN snap.accounts pa ON pa.platform = x.platform AND pa.id = x.post_author_id
      WHERE x.kind IN ('repost', 'reply', 'quote')) e
ANTI JOIN (SELECT aid, kind, ref FROM snap_posts WHERE kind <= 2) p ON p.aid = e.aid AND p.kind = e.kind AND p.ref = e.oid
LEFT JOIN snap_posts t ON t.oid = e.oid`,
		// Those with a time, in the order coord's Load reads them: (platform, post id, at,
		// account id, kind, via post id). kind: 0 repost, 1 reply, 2 quote; ordered as the kind
		// names sort (quote, reply, repost).
		`CREATE OR REPLACE TABLE snap.engagements AS
SELECT u.*, o.created, o.irart FROM snap_eng u
JOIN snap.objects o ON o.oid = u.oid
WHERE u.t IS NOT NULL
ORDER BY u.oid, u.t, u.aid, 2 - u.kind, u.via`,
		// Those without a time (the findings count them; coordination cannot place them).
		`CREATE OR REPLACE TABLE snap.untimed AS
SELECT oid, aid, kind FROM snap_eng WHERE t IS NULL ORDER BY oid, aid, kind`,
		// Like events per post (the findings' liker counts): every like row of the view.
		`CREATE OR REPLACE TABLE snap.likes AS
SELECT o.oid, count(*) AS n
FROM core.engagements x JOIN snap.objects o ON o.platform = x.platform AND o.id = x.post_id
WHERE x.kind = 'like'
GROUP BY o.oid ORDER BY o.oid`,
		`DROP TABLE snap_eng`,
		// Texts: posts that are not reposts, by their co-text key (snap.text_keys).
		`CREATE OR REPLACE TABLE snap.texts AS
SELECT p.oid, p.aid, p.t, k.key
FROM snap_posts p JOIN snap.text_keys k ON k.h1 = p.h1 AND k.h2 = p.h2
WHERE k.key IS NOT NULL AND p.aid IS NOT NULL
ORDER BY p.oid`,
		// URLs of posts that are not reposts, numbered in string order.
		`CREATE OR REPLACE TEMP TABLE snap_links AS
SELECT oid, aid, t, unnest(string_split(urls, chr(31))) AS url
FROM snap_posts WHERE urls IS NOT NULL AND t IS NOT NULL AND aid IS NOT NULL`,
		`CREATE OR REPLACE TABLE snap.urls AS
SELECT CAST(row_number() OVER (ORDER BY url) - 1 AS INTEGER) AS uid, url
FROM (SELECT DISTINCT url FROM snap_links) ORDER BY uid`,
		`CREATE OR REPLACE TABLE snap.links AS
SELECT l.oid, l.aid, u.uid, l.t FROM snap_links l JOIN snap.urls u ON u.url = l.url
ORDER BY l.oid, u.uid`,
		// Hashtag sequences of posts that are not reposts (lower case, in order, space-joined).
		`CREATE OR REPLACE TABLE snap.tagseqs AS
SELECT CAST(row_number() OVER (ORDER BY tags) - 1 AS INTEGER) AS sid, tags AS seq
FROM (SELECT DISTINCT tags FROM snap_posts WHERE tags IS NOT NULL AND t IS NOT NULL AND aid IS NOT NULL) ORDER BY sid`,
		`CREATE OR REPLACE TABLE snap.hashtags AS
SELECT p.oid, p.aid, s.sid, p.t FROM snap_posts p JOIN snap.tagseqs s ON s.seq = p.tags
WHERE p.t IS NOT NULL AND p.aid IS NOT NULL
ORDER BY p.oid`,
		// The stored posts with the findings' columns (kind 3 also for a stub post without a
		// kind; NULL for a kind the findings do not know).
		`CREATE OR REPLACE TABLE snap.posts AS
SELECT oid, aid, CAST(CASE WHEN stub THEN 3 ELSE kind END AS TINYINT) AS kind, t, likes, reposts, replies, quotes
FROM snap_posts ORDER BY oid`,
		`DROP TABLE snap_links`,
		`DROP TABLE snap_posts`,
		`CREATE OR REPLACE TABLE snap.meta AS
SELECT CAST(? AS INTEGER) AS format, ` + snapDataVersion + ` AS import_id, CAST(? AS TIMESTAMP) AS built,
       (SELECT max(observed_at) FROM status_observations WHERE account_id IS NOT NULL) AS status_as_of,
       CAST(? AS DOUBLE) AS seconds,
       (SELECT count(*) FILTER (WHERE kind = 'repost') FROM core.posts) AS reposts,
       (SELECT count(*) FILTER (WHERE kind = 'reply') FROM core.posts) AS replies,
       (SELECT count(*) FILTER (WHERE kind = 'quote') FROM core.posts) AS quotes,
       (SELECT count(*) FILTER (WHERE kind <> 'repost') FROM core.posts) AS texts`,
	}
}

// snapshotFresh reports whether the snapshot was built for the latest import, in this format.
func snapshotFresh(ctx context.Context, q *sql.Conn) (bool, error) {
	var fresh bool
	err := q.QueryRowContext(ctx, `SELECT format = ? AND import_id IS NOT DISTINCT FROM `+snapDataVersion+` FROM snap.meta`,
		store.SnapshotFormat).Scan(&fresh)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return fresh, err
}

// RefreshSnapshot rebuilds the analysis snapshot when it is stale (see above). It holds the
// commit lock: no import commits while it builds.
func (db *DB) RefreshSnapshot(ctx context.Context) (bool, error) {
	if err := db.writable(); err != nil {
		return false, err
	}
	db.commitMu.Lock()
	defer db.commitMu.Unlock()
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("snapshot: %w", err)
	}
	defer conn.Close()
	if fresh, err := snapshotFresh(ctx, conn); err != nil || fresh {
		if err != nil {
			err = fmt.Errorf("snapshot: %w", err)
		}
		return false, err
	}
	start := time.Now()
	// Keys cached by another format (another hash of the texts or of the keys) are not this
	// build's; nor are those of a first build that never finished.
	var cached sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT max(format) FROM snap.meta`).Scan(&cached); err != nil {
		return false, fmt.Errorf("snapshot: %w", err)
	}
	if !cached.Valid || cached.Int64 != store.SnapshotFormat {
		if _, err := conn.ExecContext(ctx, `DELETE FROM snap.text_keys`); err != nil {
			return false, fmt.Errorf("snapshot: %w", err)
		}
	}
	if err := updateTextKeys(ctx, conn); err != nil {
		return false, fmt.Errorf("snapshot text keys: %w", err)
	}
	trace := os.Getenv("ECHOTRACE_SNAPSHOT_TRACE") != ""
	if trace {
		fmt.Fprintf(os.Stderr, "snapshot text keys: %.2fs\n", time.Since(start).Seconds())
	}
	// The tables made inside the build's transaction have no statistics yet (DuckDB estimates
	// them at 0 rows), so the join order optimizer would join two dictionaries on platform
	// alone — one platform, a cross product: 20 GB and counting at scale 1. The joins run as
	// written: each probes with the large side and builds on a dictionary.
	if _, err := conn.ExecContext(ctx, `SET disabled_optimizers = 'join_order'`); err != nil {
		return false, fmt.Errorf("snapshot: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `RESET disabled_optimizers`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("snapshot: %w", err)
	}
	defer tx.Rollback()
	stmts := snapshotBuild()
	for i, s := range stmts {
		t0 := time.Now()
		var args []any
		if i == len(stmts)-1 {
			args = []any{store.SnapshotFormat, db.opt.Now().UTC(), time.Since(start).Seconds()}
		}
		if trace {
			explain(ctx, tx, s, args)
		}
		if _, err := tx.ExecContext(ctx, s, args...); err != nil {
			return false, fmt.Errorf("snapshot: %w\n%s", err, s)
		}
		if trace {
			fmt.Fprintf(os.Stderr, "snapshot step %d: %.2fs\n", i, time.Since(t0).Seconds())
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("snapshot: %w", err)
	}
	return true, nil
}

// explain prints the physical plan of a build statement (ECHOTRACE_SNAPSHOT_TRACE), to check
// that every join is a hash join.
func explain(ctx context.Context, tx *sql.Tx, s string, args []any) {
	rows, err := tx.QueryContext(ctx, "EXPLAIN "+s, args...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "explain: %v\n", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if rows.Scan(&k, &v) == nil {
			fmt.Fprintln(os.Stderr, v)
		}
	}
}

// updateTextKeys adds to snap.text_keys the co-text key of every text not keyed yet, by the
// 128-bit MD5 of the raw text: text.Key is Go, so it runs here, once per distinct text. The
// texts are anyone's: with a 64-bit non-cryptographic hash (DuckDB's hash(), as first built)
// a post could be written to take another text's cached key and so co-act with it; finding
// a second text with the same MD5 is out of reach (3 s more per build at scale 1).
func updateTextKeys(ctx context.Context, conn *sql.Conn) error {
	// Repeated texts are dropped in Go (a GROUP BY carrying the texts cost more).
	rows, err := conn.QueryContext(ctx, `SELECT h1, h2, text FROM (
  SELECT md5_number_upper(text) AS h1, md5_number_lower(text) AS h2, text FROM core.posts
  WHERE kind <> 'repost' AND text <> '' AND created_at IS NOT NULL) p
ANTI JOIN snap.text_keys k ON k.h1 = p.h1 AND k.h2 = p.h2`)
	if err != nil {
		return err
	}
	type keyed struct {
		h1, h2, key uint64
		ok          bool
		raw         string
	}
	// Normalising is most of the first build's cost: batches go to one worker per core while
	// the rows are read.
	batches, done := make(chan []keyed, 4), make(chan []keyed, 4)
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for b := range batches {
				for i := range b {
					b[i].key, b[i].ok, buf = text.Key(buf, b[i].raw)
					b[i].raw = ""
				}
				done <- b
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	var out []keyed
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for b := range done {
			out = append(out, b...)
		}
	}()
	var scanErr error
	batch := make([]keyed, 0, 4096)
	seen := map[[2]uint64]bool{}
	for rows.Next() {
		var x keyed
		if scanErr = rows.Scan(&x.h1, &x.h2, &x.raw); scanErr != nil {
			break
		}
		if k := [2]uint64{x.h1, x.h2}; seen[k] {
			continue
		} else {
			seen[k] = true
		}
		if batch = append(batch, x); len(batch) == cap(batch) {
			batches <- batch
			batch = make([]keyed, 0, 4096)
		}
	}
	batches <- batch
	close(batches)
	<-collected
	rows.Close()
	if scanErr != nil {
		return scanErr
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(out) == 0 {
		return nil
	}
	return conn.Raw(func(dc any) error {
		ap, err := duck.NewAppender(dc.(driver.Conn), "", "snap", "text_keys")
		if err != nil {
			return err
		}
		for _, x := range out {
			var key driver.Value
			if x.ok {
				key = int64(x.key) // the key's bits (BIGINT reads back through database/sql)
			}
			if err := ap.AppendRow(x.h1, x.h2, key); err != nil {
				ap.Close()
				return err
			}
		}
		return ap.Close()
	})
}
