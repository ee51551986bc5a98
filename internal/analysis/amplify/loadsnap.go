package amplify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/echotrace/echotrace/internal/store"
)

// errUseViews: the snapshot lacks what a row needs (a watchlist account without an aid, a
// post of a kind the findings do not know); Load then reads the views, whose load
// names the row or gives the same input.
var errUseViews = errors.New("findings load: read the views")

// noTimeSQL is NoTime as a DuckDB BIGINT expression (the literal −2^63 does not parse).
const noTimeSQL = `CAST(-9223372036854775807 - 1 AS BIGINT)`

// readSnapshot reads what loadViews reads, from the analysis snapshot (docs/schema.md) where
// it holds it: the engagements (snap.engagements and snap.untimed) and the like counts
// (snap.likes) come as integers keyed by dense ids, so no engagement row carries a string.
// The target posts and their counts come from snap.posts; the watchlist, the accounts' ids
// and handles and the observations are read from the views, joined to the snapshot's ids.
// The rows are the same as loadViews's in another order, on which Compute's result does not
// depend (TestComputeIgnoresRowOrder).
func readSnapshot(ctx context.Context, q store.Querier, p Params) (Input, error) {
	l := &loader{platforms: map[string]uint8{}}
	var naccounts int
	if err := each(ctx, q, `SELECT count(*) FROM snap.accounts`, func(r *sql.Rows) error {
		return r.Scan(&naccounts)
	}); err != nil {
		return Input{}, fmt.Errorf("load snapshot accounts: %w", err)
	}
	// acct maps an aid to its index in l.in.Accounts plus one (0: not referred to).
	acct := make([]int32, naccounts)
	watchOf := map[int32]int32{} // aid → watch index
	addAccount := func(aid int32, pi uint8, id string) int32 {
		if i := acct[aid]; i > 0 {
			return i - 1
		}
		i := l.in.Accounts.Add(pi, id, "", NoTime)
		acct[aid] = i + 1
		return i
	}
	checkAid := func(aid int64) error {
		if aid < 0 || aid >= int64(naccounts) {
			return fmt.Errorf("findings load: snapshot account id %d out of range", aid)
		}
		return nil
	}

	// The watchlist, as loadViews reads it, with each entry's aid.
	if err := each(ctx, q, `SELECT w.platform, w.account_id, w.handle, w.actor_type, w.country, w.outlet,
       `+sec("w.since")+`, `+sec("w.until")+`, s.aid
FROM watchlist w LEFT JOIN snap.accounts s ON s.platform = w.platform AND s.id = w.account_id
ORDER BY w.platform, w.account_id NULLS LAST, lower(w.handle), w.source, w.line`, func(r *sql.Rows) error {
		var w watchRow
		var aid sql.NullInt64
		if err := r.Scan(append(w.dest(), &aid)...); err != nil {
			return err
		}
		_, err := l.addWatch(&w, func(pi uint8, id string) (int32, error) {
			if !aid.Valid {
				return -1, errUseViews
			}
			if err := checkAid(aid.Int64); err != nil {
				return -1, err
			}
			watchOf[int32(aid.Int64)] = int32(len(l.in.Watch)) // the entry addWatch adds
			return addAccount(int32(aid.Int64), pi, id), nil
		})
		return err
	}); err != nil {
		if errors.Is(err, errUseViews) {
			return Input{}, err
		}
		return Input{}, fmt.Errorf("load watchlist: %w", err)
	}

	// The target posts: posts of watchlist accounts in the window, numbered in oid order
	// (pidx, their index in l.in.Posts). The engagement and like queries join the same CTE.
	where, args := windowOn("p.t", p) // unix seconds, floored: the rows windowClause selects
	targets := `WITH w AS (SELECT DISTINCT s.aid FROM watchlist w
  JOIN snap.accounts s ON s.platform = w.platform AND s.id = w.account_id),
t AS (SELECT p.*, row_number() OVER (ORDER BY p.oid) - 1 AS pidx FROM snap.posts p JOIN w ON p.aid = w.aid` + where + `)
`
	// The snapshot's kind codes: 0 repost, 1 reply, 2 quote, 3 post.
	postKinds := [...]PostKind{PostRepost, PostReply, PostQuote, PostOriginal}
	var postPlatform []uint8
	if err := each(ctx, q, targets+`SELECT pidx, aid, coalesce(t, `+noTimeSQL+`), coalesce(kind, -1),
       coalesce(likes, -1), coalesce(reposts, -1), coalesce(replies, -1), coalesce(quotes, -1)
FROM t ORDER BY pidx`, func(r *sql.Rows) error {
		var pidx, author, created, kind, likes, reposts, replies, quotes int64
		if err := r.Scan(&pidx, &author, &created, &kind, &likes, &reposts, &replies, &quotes); err != nil {
			return err
		}
		w, ok := watchOf[int32(author)]
		if !ok || kind < 0 || kind > 3 {
			return errUseViews // a kind the findings do not know: the views' load names the post
		}
		if got := l.in.Posts.Add(w, created, postKinds[kind], likes, reposts, replies, quotes); int64(got) != pidx {
			return fmt.Errorf("findings load: target post %d read as %d", pidx, got)
		}
		postPlatform = append(postPlatform, l.in.Accounts.Platform[l.in.Watch[w].Account])
		return nil
	}, args...); err != nil {
		if errors.Is(err, errUseViews) {
			return Input{}, err
		}
		return Input{}, fmt.Errorf("load target posts: %w", err)
	}

	// Reposts, quotes and replies of the target posts; the snapshot's kind codes are 0 repost,
	// 1 reply, 2 quote.
	var refs int
	if err := each(ctx, q, `SELECT (SELECT count(*) FROM snap.engagements) + (SELECT count(*) FROM snap.untimed)`, func(r *sql.Rows) error {
		return r.Scan(&refs)
	}); err != nil {
		return Input{}, fmt.Errorf("count engagements: %w", err)
	}
	e := &l.in.Engagements
	e.Account, e.Post = slices.Grow(e.Account, refs), slices.Grow(e.Post, refs)
	e.Kind, e.At = slices.Grow(e.Kind, refs), slices.Grow(e.At, refs)
	kinds := [...]Kind{Repost, Reply, Quote}
	np := int64(l.in.Posts.Len())
	var row [4]any
	if err := each(ctx, q, targets+`SELECT t.pidx, e.aid, e.kind, e.t FROM snap.engagements e JOIN t ON t.oid = e.oid
UNION ALL
SELECT t.pidx, u.aid, u.kind, `+noTimeSQL+` FROM snap.untimed u JOIN t ON t.oid = u.oid`, func(r *sql.Rows) error {
		// Scanned into interfaces: database/sql's path without reflection.
		if err := r.Scan(&row[0], &row[1], &row[2], &row[3]); err != nil {
			return err
		}
		var v [4]int64
		for i, x := range row {
			switch x := x.(type) {
			case int64:
				v[i] = x
			case int32:
				v[i] = int64(x)
			case int8:
				v[i] = int64(x)
			default:
				return fmt.Errorf("findings load: engagement column %d: %v (%T) is not an integer", i, x, x)
			}
		}
		pidx, aid, kind, at := v[0], v[1], v[2], v[3]
		if pidx < 0 || pidx >= np || kind < 0 || kind > 2 {
			return fmt.Errorf("findings load: engagement row (%d, %d, %d) out of range", pidx, aid, kind)
		}
		if err := checkAid(aid); err != nil {
			return err
		}
		e.Add(addAccount(int32(aid), postPlatform[pidx], ""), int32(pidx), kinds[kind], at)
		return nil
	}, args...); err != nil {
		return Input{}, fmt.Errorf("load engagements: %w", err)
	}
	if err := each(ctx, q, targets+`SELECT t.pidx, k.n FROM snap.likes k JOIN t ON t.oid = k.oid`, func(r *sql.Rows) error {
		var pidx, n int64
		if err := r.Scan(&pidx, &n); err != nil {
			return err
		}
		if pidx < 0 || pidx >= np {
			return fmt.Errorf("findings load: like count of target %d out of range", pidx)
		}
		l.in.Posts.LikeEvents[pidx] = n
		return nil
	}, args...); err != nil {
		return Input{}, fmt.Errorf("load likes: %w", err)
	}

	// Ids, creation times and handles of the accounts referred to.
	if err := each(ctx, q, `SELECT s.aid, s.id, a.handle, `+sec("a.created_at")+`
FROM snap.accounts s LEFT JOIN accounts a ON a.platform = s.platform AND a.id = s.id`, func(r *sql.Rows) error {
		var aid int64
		var id string
		var handle sql.NullString
		var created sql.NullInt64
		if err := r.Scan(&aid, &id, &handle, &created); err != nil {
			return err
		}
		if err := checkAid(aid); err != nil {
			return err
		}
		if i := acct[aid] - 1; i >= 0 {
			l.in.Accounts.ID[i] = id
			l.in.Accounts.Handle[i] = handle.String
			l.in.Accounts.Created[i] = orNoTime(created)
		}
		return nil
	}); err != nil {
		return Input{}, fmt.Errorf("load accounts: %w", err)
	}

	// Status observations of those accounts, label observations of watchlist accounts
	// (observations without a time are unusable).
	if err := each(ctx, q, `SELECT s.aid, `+sec("o.observed_at")+`, o.status
FROM status_observations o JOIN snap.accounts s ON s.platform = o.platform AND s.id = o.account_id
WHERE o.observed_at IS NOT NULL`, func(r *sql.Rows) error {
		var aid, when int64
		var status sql.NullString
		if err := r.Scan(&aid, &when, &status); err != nil {
			return err
		}
		if err := checkAid(aid); err != nil {
			return err
		}
		if i := acct[aid] - 1; i >= 0 {
			st, _ := ParseStatus(status.String)
			l.in.Statuses.Add(i, when, st)
		}
		return nil
	}); err != nil {
		return Input{}, fmt.Errorf("load status observations: %w", err)
	}
	if err := each(ctx, q, `SELECT s.aid, `+sec("o.observed_at")+`, o.class
FROM label_observations o JOIN snap.accounts s ON s.platform = o.platform AND s.id = o.account_id
WHERE o.observed_at IS NOT NULL`, func(r *sql.Rows) error {
		var aid, when int64
		var class sql.NullString
		if err := r.Scan(&aid, &when, &class); err != nil {
			return err
		}
		if w, ok := watchOf[int32(aid)]; ok {
			l.in.Labels.Add(w, when, ParseLabelClass(class.String))
		}
		return nil
	}); err != nil {
		return Input{}, fmt.Errorf("load label observations: %w", err)
	}
	return l.in, nil
}
