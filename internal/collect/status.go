package collect

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

// StatusTarget is an account to re-check.
type StatusTarget struct {
	Platform event.Platform
	ID       string
	Handle   string
}

// Amplifiers lists the non-watchlist accounts that engaged with a watch account's post on a
// platform, sorted by id: the accounts whose later status the study needs.
func Amplifiers(ctx context.Context, q store.Querier, platform event.Platform) ([]StatusTarget, error) {
	rows, err := q.Query(ctx, `
		WITH w AS (SELECT account_id FROM watchlist WHERE platform = ? AND account_id IS NOT NULL)
		SELECT DISTINCT e.account_id, coalesce(a.handle, '')
		FROM engagements e LEFT JOIN accounts a ON a.platform = e.platform AND a.id = e.account_id
		WHERE e.platform = ? AND e.post_author_id IN (SELECT account_id FROM w)
		  AND e.account_id NOT IN (SELECT account_id FROM w)
		ORDER BY 1`, string(platform), string(platform))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StatusTarget
	for rows.Next() {
		t := StatusTarget{Platform: platform}
		if err := rows.Scan(&t.ID, &t.Handle); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// StatusRun re-checks targets in batches, storing each batch's observations in one commit and
// checkpointing the position under key, so a killed run resumes after the last stored batch.
// check returns the observations for one batch (X takes 100 ids a request; the others 1).
func StatusRun(ctx context.Context, sink *Sink, key string, targets []StatusTarget, batch int,
	check func(ctx context.Context, ts []StatusTarget, now time.Time) ([]event.StatusObservation, error)) (int, error) {
	cp, err := sink.Checkpoint(ctx, key)
	if err != nil {
		return 0, err
	}
	if cp.Done {
		return 0, nil
	}
	start := 0
	if cp.Cursor != "" {
		if start, err = strconv.Atoi(cp.Cursor); err != nil {
			return 0, fmt.Errorf("checkpoint %s: bad position %q", key, cp.Cursor)
		}
	}
	stored := 0
	for i := start; i < len(targets); i += batch {
		ts := targets[i:min(i+batch, len(targets))]
		obs, err := check(ctx, ts, sink.now())
		if err != nil {
			return stored, err
		}
		app, err := sink.Store.Appender(ctx, store.ImportRun{Source: "collect status " + key, Format: "status", Started: sink.now(), Incremental: true})
		if err != nil {
			return stored, err
		}
		for j := range obs {
			obs[j].Prov = event.Provenance{Source: "collect status " + key, Line: int64(i + j + 1)}
		}
		if err := app.Append(ctx, &event.Batch{Statuses: obs}); err != nil {
			_ = app.Rollback()
			return stored, err
		}
		if _, err := app.Commit(ctx); err != nil {
			return stored, err
		}
		stored += len(obs)
		cp.Cursor = strconv.Itoa(i + len(ts))
		cp.Pages++
		if err := sink.Save(ctx, key, cp); err != nil {
			return stored, err
		}
	}
	cp.Done = true
	return stored, sink.Save(ctx, key, cp)
}
