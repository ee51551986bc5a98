package amplify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/echotrace/echotrace/internal/store"
)

// sec is the SQL expression of a timestamp column as unix seconds (floor), NULL kept.
func sec(col string) string { return "CAST(floor(epoch(" + col + ")) AS BIGINT)" }

// loader holds the index maps Load builds while streaming rows.
type loader struct {
	in        Input
	platforms map[string]uint8
	accounts  []map[string]int32 // per platform: account id → index
	posts     []map[string]int32 // per platform: post id → index
	watch     []map[string]int32 // per platform: watch account id → watch index
	handles   []map[string]int32 // per platform: lower-case handle of a handle-only entry → watch index
}

func (l *loader) platform(name string) (uint8, error) {
	if i, ok := l.platforms[name]; ok {
		return i, nil
	}
	if len(l.in.Platforms) == 255 {
		return 0, fmt.Errorf("more than 255 platforms")
	}
	i := uint8(len(l.in.Platforms))
	l.platforms[name] = i
	l.in.Platforms = append(l.in.Platforms, name)
	l.accounts = append(l.accounts, map[string]int32{})
	l.posts = append(l.posts, map[string]int32{})
	l.watch = append(l.watch, map[string]int32{})
	l.handles = append(l.handles, map[string]int32{})
	return i, nil
}

func (l *loader) account(p uint8, id string) int32 {
	if i, ok := l.accounts[p][id]; ok {
		return i
	}
	i := l.in.Accounts.Add(p, id, "", NoTime)
	l.accounts[p][id] = i
	return i
}

// watchRow is a row of the watchlist view as the loaders read it.
type watchRow struct {
	platform                           string
	id, handle, actor, country, outlet sql.NullString
	since, until                       sql.NullInt64
}

// dest are the Scan destinations of the row's columns, in the loaders' SELECT order.
func (w *watchRow) dest() []any {
	return []any{&w.platform, &w.id, &w.handle, &w.actor, &w.country, &w.outlet, &w.since, &w.until}
}

// addWatch adds w as a watch entry unless its account id (or, for a handle-only entry, its
// handle) is listed already; account gives the entry's account index. It returns the new
// entry's index, or -1 for a repeat.
func (l *loader) addWatch(w *watchRow, account func(pi uint8, id string) (int32, error)) (int32, error) {
	pi, err := l.platform(w.platform)
	if err != nil {
		return -1, err
	}
	e := WatchEntry{Account: -1, Platform: w.platform, ID: w.id.String, Handle: w.handle.String,
		ActorType: w.actor.String, Country: strings.ToUpper(w.country.String), Outlet: w.outlet.String,
		Since: orNoTime(w.since), Until: orNoTime(w.until)}
	index := int32(len(l.in.Watch))
	if w.id.Valid && w.id.String != "" {
		if _, dup := l.watch[pi][w.id.String]; dup {
			return -1, nil
		}
		if e.Account, err = account(pi, w.id.String); err != nil {
			return -1, err
		}
		l.watch[pi][w.id.String] = index
	} else {
		key := strings.ToLower(w.handle.String)
		if _, dup := l.handles[pi][key]; dup {
			return -1, nil
		}
		l.handles[pi][key] = index
	}
	l.in.Watch = append(l.in.Watch, e)
	return index, nil
}

// known platform lookup without adding one.
func (l *loader) lookup(name string) (uint8, bool) {
	i, ok := l.platforms[name]
	return i, ok
}

// Load reads what Compute needs through q: from the analysis snapshot when it is fresh
// (readSnapshot), else from the views (loadViews). The two give the same findings (tested).
// ECHOTRACE_NO_SNAPSHOT=1 forces the views.
func Load(ctx context.Context, q store.Querier, p Params) (Input, error) {
	if os.Getenv("ECHOTRACE_NO_SNAPSHOT") == "" && store.SnapshotFresh(ctx, q) {
		if in, err := readSnapshot(ctx, q, p); !errors.Is(err, errUseViews) {
			return in, err
		}
	}
	return loadViews(ctx, q, p)
}

// loadViews reads what Compute needs over the documented views only (DESIGN §3): watchlist,
// posts, engagements, accounts, status_observations and label_observations. Posts of
// watchlist accounts are restricted to p's window in SQL; Compute applies the rest of p.
// Rows are streamed into columnar slices; likes are aggregated per post in SQL.
func loadViews(ctx context.Context, q store.Querier, p Params) (Input, error) {
	l := &loader{platforms: map[string]uint8{}}

	// The watchlist: one entry per account (the first by source and line), handle-only
	// entries that match no account kept once per handle.
	if err := each(ctx, q, `SELECT platform, account_id, handle, actor_type, country, outlet,
       `+sec("since")+`, `+sec("until")+`
FROM watchlist
ORDER BY platform, account_id NULLS LAST, lower(handle), source, line`, func(r *sql.Rows) error {
		var w watchRow
		if err := r.Scan(w.dest()...); err != nil {
			return err
		}
		_, err := l.addWatch(&w, func(pi uint8, id string) (int32, error) { return l.account(pi, id), nil })
		return err
	}); err != nil {
		return Input{}, fmt.Errorf("load watchlist: %w", err)
	}

	// Posts authored by watchlist accounts, in the window.
	where, args := windowClause("p.created_at", p)
	targets := `WITH w AS (SELECT DISTINCT platform, account_id FROM watchlist WHERE account_id IS NOT NULL)
SELECT p.platform, p.id, p.author_id, ` + sec("p.created_at") + ` AS created, p.kind,
       p.likes, p.reposts, p.replies, p.quotes
FROM posts p JOIN w ON p.platform = w.platform AND p.author_id = w.account_id` + where
	// No ORDER BY: Compute's result does not depend on the order of the rows.
	if err := each(ctx, q, targets, func(r *sql.Rows) error {
		var platform, id, author string
		var kind sql.NullString
		var created, likes, reposts, replies, quotes sql.NullInt64
		if err := r.Scan(&platform, &id, &author, &created, &kind, &likes, &reposts, &replies, &quotes); err != nil {
			return err
		}
		pi, ok := l.lookup(platform)
		if !ok {
			return nil
		}
		w, ok := l.watch[pi][author]
		if !ok {
			return nil
		}
		k := PostOriginal // a post known only by id (a stub) is taken for an original
		if kind.Valid && kind.String != "" {
			if k, ok = ParsePostKind(kind.String); !ok {
				return fmt.Errorf("post %s/%s: kind %q is not post, repost, quote or reply", platform, id, kind.String)
			}
		}
		l.posts[pi][id] = l.in.Posts.Add(w, orNoTime(created), k, orUnknown(likes), orUnknown(reposts),
			orUnknown(replies), orUnknown(quotes))
		return nil
	}, args...); err != nil {
		return Input{}, fmt.Errorf("load target posts: %w", err)
	}

	// Reposts, quotes and replies of those posts, streamed; likes counted per post.
	withTargets := `WITH w AS (SELECT DISTINCT platform, account_id FROM watchlist WHERE account_id IS NOT NULL),
t AS (SELECT p.platform, p.id FROM posts p JOIN w ON p.platform = w.platform AND p.author_id = w.account_id` + where + `)
`
	// Capacity for the engagement columns, from a cheap count over the posts.
	var refs int
	if err := each(ctx, q, `SELECT count(*) FROM posts WHERE kind IN ('repost', 'quote', 'reply')`, func(r *sql.Rows) error {
		return r.Scan(&refs)
	}); err != nil {
		return Input{}, fmt.Errorf("count engagements: %w", err)
	}
	e := &l.in.Engagements
	e.Account, e.Post = slices.Grow(e.Account, refs), slices.Grow(e.Post, refs)
	e.Kind, e.At = slices.Grow(e.Kind, refs), slices.Grow(e.At, refs)
	kinds := [...]Kind{Repost, Quote, Reply}
	var last struct {
		platform, post string
		pi             uint8
		index          int32
		valid, ok      bool
	}
	if err := each(ctx, q, withTargets+`SELECT e.platform, e.account_id, CASE e.kind WHEN 'repost' THEN 0 WHEN 'quote' THEN 1 ELSE 2 END,
       e.post_id, `+sec(`e."at"`)+`
FROM engagements e JOIN t ON e.platform = t.platform AND e.post_id = t.id
WHERE e.kind IN ('repost', 'quote', 'reply') AND e.account_id IS NOT NULL`, func(r *sql.Rows) error {
		var platform, account, post string
		var kind int
		var when sql.NullInt64
		if err := r.Scan(&platform, &account, &kind, &post, &when); err != nil {
			return err
		}
		// Rows of one post often follow each other: its lookup is reused.
		if !last.valid || platform != last.platform || post != last.post {
			last.valid, last.platform, last.post, last.ok = true, platform, post, false
			if pi, ok := l.lookup(platform); ok {
				last.pi = pi
				last.index, last.ok = l.posts[pi][post]
			}
		}
		if !last.ok {
			return nil
		}
		l.in.Engagements.Add(l.account(last.pi, account), last.index, kinds[kind], orNoTime(when))
		return nil
	}, append(args, args...)...); err != nil {
		return Input{}, fmt.Errorf("load engagements: %w", err)
	}
	if err := each(ctx, q, withTargets+`SELECT e.platform, e.post_id, count(*)
FROM engagements e JOIN t ON e.platform = t.platform AND e.post_id = t.id
WHERE e.kind = 'like'
GROUP BY e.platform, e.post_id`, func(r *sql.Rows) error {
		var platform, post string
		var n int64
		if err := r.Scan(&platform, &post, &n); err != nil {
			return err
		}
		if pi, ok := l.lookup(platform); ok {
			if i, ok := l.posts[pi][post]; ok {
				l.in.Posts.LikeEvents[i] = n
			}
		}
		return nil
	}, append(args, args...)...); err != nil {
		return Input{}, fmt.Errorf("load likes: %w", err)
	}

	// Creation times and handles of the accounts referred to.
	if err := each(ctx, q, `SELECT platform, id, handle, `+sec("created_at")+` FROM accounts`, func(r *sql.Rows) error {
		var platform, id string
		var handle sql.NullString
		var created sql.NullInt64
		if err := r.Scan(&platform, &id, &handle, &created); err != nil {
			return err
		}
		if pi, ok := l.lookup(platform); ok {
			if i, ok := l.accounts[pi][id]; ok {
				l.in.Accounts.Handle[i] = handle.String
				l.in.Accounts.Created[i] = orNoTime(created)
			}
		}
		return nil
	}); err != nil {
		return Input{}, fmt.Errorf("load accounts: %w", err)
	}

	// Status observations of those accounts (observations without a time are unusable).
	if err := each(ctx, q, `SELECT platform, account_id, `+sec("observed_at")+`, status
FROM status_observations WHERE account_id IS NOT NULL AND observed_at IS NOT NULL`, func(r *sql.Rows) error {
		var platform, id string
		var when int64
		var status sql.NullString
		if err := r.Scan(&platform, &id, &when, &status); err != nil {
			return err
		}
		if pi, ok := l.lookup(platform); ok {
			if i, ok := l.accounts[pi][id]; ok {
				s, _ := ParseStatus(status.String)
				l.in.Statuses.Add(i, when, s)
			}
		}
		return nil
	}); err != nil {
		return Input{}, fmt.Errorf("load status observations: %w", err)
	}

	// Label observations of watchlist accounts.
	if err := each(ctx, q, `SELECT platform, account_id, `+sec("observed_at")+`, class
FROM label_observations WHERE account_id IS NOT NULL AND observed_at IS NOT NULL`, func(r *sql.Rows) error {
		var platform, id string
		var when int64
		var class sql.NullString
		if err := r.Scan(&platform, &id, &when, &class); err != nil {
			return err
		}
		if pi, ok := l.lookup(platform); ok {
			if w, ok := l.watch[pi][id]; ok {
				l.in.Labels.Add(w, when, ParseLabelClass(class.String))
			}
		}
		return nil
	}); err != nil {
		return Input{}, fmt.Errorf("load label observations: %w", err)
	}
	return l.in, nil
}

// windowClause restricts a timestamp column to p's window, comparing unix seconds so that no
// time zone conversion is involved.
func windowClause(col string, p Params) (string, []any) { return windowOn("epoch("+col+")", p) }

// windowOn restricts a unix-seconds expression to p's window [Since, Until + 1 s).
func windowOn(expr string, p Params) (string, []any) {
	var conds []string
	var args []any
	if !p.Since.IsZero() {
		conds = append(conds, expr+" >= ?")
		args = append(args, float64(p.Since.Unix()))
	}
	if !p.Until.IsZero() {
		conds = append(conds, expr+" < ?")
		args = append(args, float64(p.Until.Unix()+1))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// each runs a query and calls fn for every row.
func each(ctx context.Context, q store.Querier, query string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func orNoTime(v sql.NullInt64) int64 {
	if !v.Valid {
		return NoTime
	}
	return v.Int64
}

func orUnknown(v sql.NullInt64) int64 {
	if !v.Valid {
		return Unknown
	}
	return v.Int64
}
