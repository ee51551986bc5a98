package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/mastodon"
)

// Mastodon collects from one instance: each watch account's statuses
// (/api/v1/accounts/:id/statuses, reblogs included), and for each of its statuses in the
// window the accounts that reblogged and favourited it and its reply context. The
// reblogged_by / favourited_by pages are stored in the envelope {"status", "reblogged_by"} so
// that the engagements name their status (see internal/ingest/mastodon).
type Mastodon struct {
	Client   *Client
	Sink     *Sink
	Since    time.Time
	Until    time.Time
	MaxPages int
	Logf     func(format string, args ...any)
	// Missing lists, after Run, the accounts that the instance did not find (skipped).
	Missing []string
}

type mstatus struct {
	ID        string          `json:"id"`
	CreatedAt time.Time       `json:"created_at"`
	Reblog    json.RawMessage `json:"reblog"`
}

// Run collects for the accounts (acct names: user or user@host).
func (c *Mastodon) Run(ctx context.Context, accts []string) error {
	c.Missing = nil
	conn := mastodon.New()
	found := 0
	for _, acct := range accts {
		acct = strings.TrimPrefix(acct, "@")
		resp, err := c.Client.Get(ctx, "/api/v1/accounts/lookup", url.Values{"acct": {acct}})
		if err != nil {
			if he, ok := err.(*HTTPError); ok && he.Status == 404 {
				c.Missing = append(c.Missing, acct)
				c.logf("mastodon: %s not found; skipped", acct)
				continue
			}
			return err
		}
		found++
		if _, err := c.Sink.Page(ctx, conn, resp.URL, resp.Body, nil); err != nil {
			return err
		}
		var a struct{ ID string }
		if err := json.Unmarshal(resp.Body, &a); err != nil || a.ID == "" {
			return fmt.Errorf("mastodon lookup %s: no account id", acct)
		}
		err = c.Sink.paginate(ctx, "mastodon:statuses:"+acct, c.MaxPages, func(cursor string) (string, bool, error) {
			q := url.Values{"limit": {"40"}}
			if cursor != "" {
				q.Set("max_id", cursor)
			}
			resp, err := c.Client.Get(ctx, "/api/v1/accounts/"+url.PathEscape(a.ID)+"/statuses", q)
			if err != nil {
				return "", false, err
			}
			if _, err := c.Sink.Page(ctx, conn, resp.URL, resp.Body, nil); err != nil {
				return "", false, err
			}
			var page []json.RawMessage
			if err := json.Unmarshal(resp.Body, &page); err != nil {
				return "", false, err
			}
			stop := len(page) == 0
			var next string
			for _, raw := range page {
				var s mstatus
				if json.Unmarshal(raw, &s) != nil {
					continue
				}
				next = s.ID
				if !c.Since.IsZero() && s.CreatedAt.Before(c.Since) {
					stop = true
					continue
				}
				if (!c.Until.IsZero() && s.CreatedAt.After(c.Until)) || (len(s.Reblog) > 0 && string(s.Reblog) != "null") {
					continue
				}
				if err := c.engagement(ctx, s.ID, raw); err != nil {
					return "", false, err
				}
			}
			return next, stop, nil
		})
		if err != nil {
			return err
		}
	}
	if found == 0 && len(accts) > 0 {
		return noneFound("mastodon", accts)
	}
	return nil
}

func (c *Mastodon) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func (c *Mastodon) engagement(ctx context.Context, id string, status json.RawMessage) error {
	conn := mastodon.New()
	for _, ep := range []string{"reblogged_by", "favourited_by"} {
		err := c.Sink.paginate(ctx, "mastodon:"+ep+":"+id, c.MaxPages, func(cursor string) (string, bool, error) {
			q := url.Values{"limit": {"80"}}
			if cursor != "" {
				q.Set("max_id", cursor)
			}
			resp, err := c.Client.Get(ctx, "/api/v1/statuses/"+url.PathEscape(id)+"/"+ep, q)
			if err != nil {
				return "", false, err
			}
			var accts []struct{ ID string }
			if err := json.Unmarshal(resp.Body, &accts); err != nil {
				return "", false, err
			}
			env := fmt.Sprintf(`{"status":%s,%q:%s}`, status, ep, resp.Body)
			if _, err := c.Sink.Page(ctx, conn, resp.URL, []byte(env), nil); err != nil {
				return "", false, err
			}
			// These endpoints paginate by the Link header's max_id, an internal id that is not
			// an account id; read it from the header.
			next := linkMaxID(resp.Header.Get("Link"))
			return next, len(accts) == 0, nil
		})
		if err != nil {
			return err
		}
	}
	return c.Sink.paginate(ctx, "mastodon:context:"+id, 1, func(string) (string, bool, error) {
		resp, err := c.Client.Get(ctx, "/api/v1/statuses/"+url.PathEscape(id)+"/context", nil)
		if err != nil {
			return "", false, err
		}
		_, err = c.Sink.Page(ctx, conn, resp.URL, resp.Body, nil)
		return "", true, err
	})
}

// linkMaxID returns the max_id of the rel="next" link of a Link header ("" if none).
func linkMaxID(link string) string {
	for _, part := range strings.Split(link, ",") {
		if !strings.Contains(part, `rel="next"`) {
			continue
		}
		s, e := strings.Index(part, "<"), strings.Index(part, ">")
		if s < 0 || e <= s {
			continue
		}
		u, err := url.Parse(part[s+1 : e])
		if err != nil {
			continue
		}
		return u.Query().Get("max_id")
	}
	return ""
}

// MastodonStatus re-checks an account by handle (user@host) on the instance: found → active
// (or suspended when the API marks it so), 404 → deleted, 410 → suspended (gone).
func MastodonStatus(ctx context.Context, cl *Client, accountID, handle string, now time.Time) (event.StatusObservation, error) {
	obs := event.StatusObservation{Platform: event.Mastodon, AccountID: accountID, Handle: handle, ObservedAt: now.UTC()}
	resp, err := cl.Get(ctx, "/api/v1/accounts/lookup", url.Values{"acct": {handle}})
	if err != nil {
		he, ok := err.(*HTTPError)
		if !ok {
			return obs, err
		}
		obs.RawCode = fmt.Sprint(he.Status)
		switch he.Status {
		case 404:
			obs.Status = event.StatusDeleted
		case 410:
			obs.Status = event.StatusSuspended
		default:
			obs.Status = event.StatusUnknown
		}
		return obs, nil
	}
	var a struct {
		Suspended bool `json:"suspended"`
		Locked    bool `json:"locked"`
	}
	_ = json.Unmarshal(resp.Body, &a)
	obs.RawCode = "200"
	switch {
	case a.Suspended:
		obs.Status = event.StatusSuspended
	case a.Locked:
		obs.Status = event.StatusProtected
	default:
		obs.Status = event.StatusActive
	}
	return obs, nil
}
