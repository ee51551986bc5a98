package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/bluesky"
)

// BlueskyBase is the public AppView; no login is needed for the endpoints used.
const BlueskyBase = "https://public.api.bsky.app"

// Bluesky collects watch accounts' posts and the engagement with them from the AppView:
// getProfiles (profiles and labels), getAuthorFeed (posts and reposts), and for each of their
// posts in the window getRepostedBy, getLikes, getQuotes and getPostThread (replies).
type Bluesky struct {
	Client   *Client
	Sink     *Sink
	Since    time.Time // posts before it end the feed walk
	Until    time.Time // zero: now
	MaxPages int       // per paginated task; 0: unlimited
	Logf     func(format string, args ...any)
	// Missing lists, after Run, the actors that the AppView did not find (skipped).
	Missing []string
}

// Run collects for the actors (handles or DIDs).
func (c *Bluesky) Run(ctx context.Context, actors []string) error {
	c.Missing = nil
	conn := bluesky.New()
	dids := map[string]string{} // actor → did
	for i := 0; i < len(actors); i += 25 {
		q := url.Values{}
		for _, a := range actors[i:min(i+25, len(actors))] {
			q.Add("actors", a)
		}
		resp, err := c.Client.Get(ctx, "/xrpc/app.bsky.actor.getProfiles", q)
		if err != nil {
			return err
		}
		if _, err := c.Sink.Page(ctx, conn, resp.URL, resp.Body, nil); err != nil {
			return err
		}
		var pr struct {
			Profiles []struct{ DID, Handle string } `json:"profiles"`
		}
		_ = json.Unmarshal(resp.Body, &pr)
		for _, p := range pr.Profiles {
			dids[strings.ToLower(p.Handle)] = p.DID
			dids[p.DID] = p.DID
		}
	}
	found := 0
	for _, a := range actors {
		if dids[strings.ToLower(strings.TrimPrefix(a, "@"))] == "" {
			c.Missing = append(c.Missing, a)
			c.logf("bluesky: %s not found; skipped", a)
		} else {
			found++
		}
	}
	if found == 0 && len(actors) > 0 {
		return noneFound("bluesky", actors)
	}
	for _, a := range actors {
		did := dids[strings.ToLower(strings.TrimPrefix(a, "@"))]
		if did == "" {
			continue
		}
		if err := c.feed(ctx, did); err != nil {
			return err
		}
		uris, err := c.postsOf(ctx, did)
		if err != nil {
			return err
		}
		for _, uri := range uris {
			if err := c.engagement(ctx, uri); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Bluesky) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func (c *Bluesky) feed(ctx context.Context, did string) error {
	conn := bluesky.New()
	return c.Sink.paginate(ctx, "bluesky:feed:"+did, c.MaxPages, func(cursor string) (string, bool, error) {
		q := url.Values{"actor": {did}, "limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		resp, err := c.Client.Get(ctx, "/xrpc/app.bsky.feed.getAuthorFeed", q)
		if err != nil {
			return "", false, err
		}
		if _, err := c.Sink.Page(ctx, conn, resp.URL, resp.Body, nil); err != nil {
			return "", false, err
		}
		var page struct {
			Cursor string `json:"cursor"`
			Feed   []struct {
				Post struct {
					IndexedAt string `json:"indexedAt"`
				} `json:"post"`
			} `json:"feed"`
		}
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return "", false, err
		}
		stop := false
		if n := len(page.Feed); n > 0 && !c.Since.IsZero() {
			if t, err := time.Parse(time.RFC3339Nano, page.Feed[n-1].Post.IndexedAt); err == nil && t.Before(c.Since) {
				stop = true
			}
		}
		return page.Cursor, stop, nil
	})
}

// postsOf lists the actor's own posts (not reposts) in the window, from the store.
func (c *Bluesky) postsOf(ctx context.Context, did string) ([]string, error) {
	until := c.Until
	if until.IsZero() {
		until = time.Now().UTC().Add(24 * time.Hour)
	}
	rows, err := c.Sink.Store.Query(ctx,
		`SELECT id FROM posts WHERE platform = 'bluesky' AND author_id = ? AND kind <> 'repost'
		 AND created_at >= ? AND created_at <= ? ORDER BY created_at, id`, did, c.Since, until)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// engagement collects reposters, likers, quotes and the reply thread of one post.
func (c *Bluesky) engagement(ctx context.Context, uri string) error {
	conn := bluesky.New()
	for _, ep := range []struct{ name, path, list string }{
		{"reposts", "/xrpc/app.bsky.feed.getRepostedBy", "repostedBy"},
		{"likes", "/xrpc/app.bsky.feed.getLikes", "likes"},
		{"quotes", "/xrpc/app.bsky.feed.getQuotes", "posts"},
	} {
		err := c.Sink.paginate(ctx, "bluesky:"+ep.name+":"+uri, c.MaxPages, func(cursor string) (string, bool, error) {
			q := url.Values{"uri": {uri}, "limit": {"100"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			resp, err := c.Client.Get(ctx, ep.path, q)
			if err != nil {
				return "", false, err
			}
			if _, err := c.Sink.Page(ctx, conn, resp.URL, resp.Body, nil); err != nil {
				return "", false, err
			}
			var page map[string]json.RawMessage
			if err := json.Unmarshal(resp.Body, &page); err != nil {
				return "", false, err
			}
			var next string
			_ = json.Unmarshal(page["cursor"], &next)
			var items []json.RawMessage
			_ = json.Unmarshal(page[ep.list], &items)
			return next, len(items) == 0, nil
		})
		if err != nil {
			return err
		}
	}
	return c.Sink.paginate(ctx, "bluesky:thread:"+uri, 1, func(string) (string, bool, error) {
		resp, err := c.Client.Get(ctx, "/xrpc/app.bsky.feed.getPostThread", url.Values{"uri": {uri}, "depth": {"100"}, "parentHeight": {"0"}})
		if err != nil {
			return "", false, err
		}
		_, err = c.Sink.Page(ctx, conn, resp.URL, resp.Body, nil)
		return "", true, err
	})
}

// BlueskyStatus re-checks accounts with app.bsky.actor.getProfile: a profile → active; the
// errors AccountTakedown → suspended, AccountDeactivated → deleted (deactivated by its owner),
// "Profile not found" / InvalidRequest for an unknown actor → deleted.
func BlueskyStatus(ctx context.Context, cl *Client, did string, now time.Time) (event.StatusObservation, error) {
	obs := event.StatusObservation{Platform: event.Bluesky, AccountID: did, ObservedAt: now.UTC()}
	_, err := cl.Get(ctx, "/xrpc/app.bsky.actor.getProfile", url.Values{"actor": {did}})
	if err == nil {
		obs.Status, obs.RawCode = event.StatusActive, "200"
		return obs, nil
	}
	he, ok := err.(*HTTPError)
	if !ok {
		return obs, err
	}
	var body struct{ Error, Message string }
	_ = json.Unmarshal([]byte(he.Body), &body)
	obs.RawCode = fmt.Sprintf("%d %s", he.Status, body.Error)
	switch {
	case body.Error == "AccountTakedown":
		obs.Status = event.StatusSuspended
	case body.Error == "AccountDeactivated":
		obs.Status = event.StatusDeleted
	case strings.Contains(strings.ToLower(body.Message), "not found") || he.Status == 404:
		obs.Status = event.StatusDeleted
	default:
		obs.Status = event.StatusUnknown
	}
	return obs, nil
}
