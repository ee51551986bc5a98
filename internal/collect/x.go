package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
)

// XBase is the X API v2 host; requests need a bearer token (ECHOTRACE_X_BEARER_TOKEN).
const XBase = "https://api.x.com"

// The fields and expansions every tweet request asks for, so that pages carry what the twarc2
// connector maps (DESIGN §3).
var xTweetQuery = url.Values{
	"tweet.fields": {"attachments,author_id,conversation_id,created_at,entities,id,in_reply_to_user_id,lang,public_metrics,referenced_tweets,source,text"},
	"user.fields":  {"created_at,description,id,location,name,profile_image_url,protected,public_metrics,username,verified"},
	"expansions":   {"author_id,referenced_tweets.id,referenced_tweets.id.author_id,in_reply_to_user_id,entities.mentions.username"},
	"max_results":  {"100"},
}

// X collects from API v2: user lookup; each watch account's timeline in the window
// (/2/users/:id/tweets); the retweets of its posts with their times (full-archive search
// `retweets_of:<username>`); replies by conversation (`conversation_id:<id>`); and for each post
// retweeted_by, liking_users and quote_tweets. Pages are read by the twarc2 connector; the
// retweeted_by and liking_users pages become engagements with the post they are about.
type X struct {
	Client   *Client
	Sink     *Sink
	Twarc2   ingest.Connector // the twarc2 connector (passed in to keep the registry explicit)
	Since    time.Time
	Until    time.Time
	MaxPages int
	// Search is the search endpoint: /2/tweets/search/all (academic/pro) or
	// /2/tweets/search/recent.
	Search string
	// PerPost turns on the per-post endpoints (retweeted_by, liking_users, quote_tweets,
	// conversation search): complete but expensive in requests.
	PerPost bool
	Logf    func(format string, args ...any)
	// Missing lists, after Run, the usernames that the API did not find (skipped).
	Missing []string
}

func (c *X) window(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	if !c.Since.IsZero() {
		out.Set("start_time", c.Since.UTC().Format(time.RFC3339))
	}
	if !c.Until.IsZero() {
		out.Set("end_time", c.Until.UTC().Format(time.RFC3339))
	}
	return out
}

// page fetches a token-paginated endpoint under a checkpoint key.
func (c *X) page(ctx context.Context, key, path string, q url.Values, extra func(b *event.Batch)) error {
	return c.Sink.paginate(ctx, key, c.MaxPages, func(cursor string) (string, bool, error) {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		if cursor != "" {
			if strings.Contains(path, "/search/") {
				qq.Set("next_token", cursor)
			} else {
				qq.Set("pagination_token", cursor)
			}
		}
		resp, err := c.Client.Get(ctx, path, qq)
		if err != nil {
			return "", false, err
		}
		if _, err := c.Sink.Page(ctx, c.Twarc2, resp.URL, resp.Body, extra); err != nil {
			return "", false, err
		}
		var meta struct {
			Meta struct {
				NextToken   string `json:"next_token"`
				ResultCount int    `json:"result_count"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(resp.Body, &meta); err != nil {
			return "", false, err
		}
		return meta.Meta.NextToken, meta.Meta.ResultCount == 0, nil
	})
}

// Run collects for the usernames.
func (c *X) Run(ctx context.Context, usernames []string) error {
	c.Missing = nil
	if c.Search == "" {
		c.Search = "/2/tweets/search/all"
	}
	type user struct{ ID, Username string }
	var users []user
	for i := 0; i < len(usernames); i += 100 {
		var names []string
		for _, u := range usernames[i:min(i+100, len(usernames))] {
			names = append(names, strings.TrimPrefix(u, "@"))
		}
		q := url.Values{"usernames": {strings.Join(names, ",")}, "user.fields": xTweetQuery["user.fields"]}
		resp, err := c.Client.Get(ctx, "/2/users/by", q)
		if err != nil {
			return err
		}
		if _, err := c.Sink.Page(ctx, c.Twarc2, resp.URL, resp.Body, nil); err != nil {
			return err
		}
		var page struct {
			Data   []user
			Errors []struct{ Value, Detail string }
		}
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return err
		}
		users = append(users, page.Data...)
		for _, e := range page.Errors {
			if e.Value != "" {
				c.Missing = append(c.Missing, e.Value)
				c.logf("x: %s skipped (%s)", e.Value, e.Detail)
			}
		}
	}
	if len(users) == 0 && len(usernames) > 0 {
		return noneFound("x", usernames)
	}
	for _, u := range users {
		if err := c.page(ctx, "x:timeline:"+u.ID, "/2/users/"+u.ID+"/tweets", c.window(xTweetQuery), nil); err != nil {
			return err
		}
		q := c.window(xTweetQuery)
		q.Set("query", "retweets_of:"+u.Username)
		if err := c.page(ctx, "x:retweets_of:"+u.ID, c.Search, q, nil); err != nil {
			return err
		}
		if !c.PerPost {
			continue
		}
		ids, err := c.postsOf(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := c.perPost(ctx, id, u.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *X) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func (c *X) postsOf(ctx context.Context, author string) ([]string, error) {
	until := c.Until
	if until.IsZero() {
		until = time.Now().UTC().Add(24 * time.Hour)
	}
	rows, err := c.Sink.Store.Query(ctx, `SELECT id FROM posts WHERE platform = 'x' AND author_id = ? AND kind <> 'repost'
		AND created_at >= ? AND created_at <= ? ORDER BY created_at, id`, author, c.Since, until)
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

func (c *X) perPost(ctx context.Context, id, author string) error {
	users := url.Values{"user.fields": xTweetQuery["user.fields"], "max_results": {"100"}}
	for _, ep := range []struct {
		name string
		kind event.EngagementKind
	}{{"retweeted_by", event.EngageRepost}, {"liking_users", event.EngageLike}} {
		kind := ep.kind
		err := c.page(ctx, "x:"+ep.name+":"+id, "/2/tweets/"+id+"/"+ep.name, users, func(b *event.Batch) {
			for _, a := range b.Accounts {
				b.Engagements = append(b.Engagements, event.Engagement{Platform: event.X, AccountID: a.ID,
					Kind: kind, PostID: id, PostAuthorID: author, Prov: a.Prov})
			}
		})
		if err != nil {
			return err
		}
	}
	if err := c.page(ctx, "x:quote_tweets:"+id, "/2/tweets/"+id+"/quote_tweets", xTweetQuery, nil); err != nil {
		return err
	}
	q := c.window(xTweetQuery)
	q.Set("query", "conversation_id:"+id)
	return c.page(ctx, "x:conversation:"+id, c.Search, q, nil)
}

// XStatus re-checks up to 100 accounts with GET /2/users?ids=: returned users are active (or
// protected); the errors array names the others — "User has been suspended" → suspended
// (v1.1 code 63), "Could not find user" → deleted (v1.1 code 50).
func XStatus(ctx context.Context, cl *Client, ids []string, now time.Time) ([]event.StatusObservation, error) {
	if len(ids) > 100 {
		return nil, fmt.Errorf("at most 100 ids per request, got %d", len(ids))
	}
	resp, err := cl.Get(ctx, "/2/users", url.Values{"ids": {strings.Join(ids, ",")}, "user.fields": {"protected"}})
	if err != nil {
		return nil, err
	}
	var page struct {
		Data []struct {
			ID        string `json:"id"`
			Protected bool   `json:"protected"`
		} `json:"data"`
		Errors []struct {
			Value  string `json:"value"`
			Detail string `json:"detail"`
			Title  string `json:"title"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(resp.Body, &page); err != nil {
		return nil, err
	}
	var out []event.StatusObservation
	for _, u := range page.Data {
		st := event.StatusActive
		if u.Protected {
			st = event.StatusProtected
		}
		out = append(out, event.StatusObservation{Platform: event.X, AccountID: u.ID, ObservedAt: now.UTC(), Status: st, RawCode: "200"})
	}
	for _, e := range page.Errors {
		if e.Value == "" {
			continue
		}
		st, code := event.StatusUnknown, e.Title
		switch d := strings.ToLower(e.Detail); {
		case strings.Contains(d, "suspended"):
			st, code = event.StatusSuspended, "63"
		case strings.Contains(d, "could not find"), strings.Contains(d, "not found"):
			st, code = event.StatusDeleted, "50"
		}
		out = append(out, event.StatusObservation{Platform: event.X, AccountID: e.Value, ObservedAt: now.UTC(), Status: st, RawCode: code})
	}
	return out, nil
}
