package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/bluesky"
	"github.com/echotrace/echotrace/internal/ingest/csvpost"
	"github.com/echotrace/echotrace/internal/ingest/mastodon"
	"github.com/echotrace/echotrace/internal/ingest/telegram"
	"github.com/echotrace/echotrace/internal/ingest/twitterv1"
	"github.com/echotrace/echotrace/internal/store"
)

// memStore keeps what is committed in memory. Only Appender, SourceDone and Close are used.
type memStore struct {
	store.Store
	got  event.Batch
	done map[string]bool // fingerprints committed
	runs []store.ImportRun
}

func (m *memStore) Appender(_ context.Context, run store.ImportRun) (store.Appender, error) {
	m.runs = append(m.runs, run)
	return &memAppender{m: m, run: run}, nil
}

func (m *memStore) SourceDone(_ context.Context, fp string) (bool, error) { return m.done[fp], nil }
func (m *memStore) Close() error                                          { return nil }

type memAppender struct {
	m   *memStore
	run store.ImportRun
	b   event.Batch
}

func (a *memAppender) Append(_ context.Context, b *event.Batch) error {
	a.b.Accounts = append(a.b.Accounts, b.Accounts...)
	a.b.Posts = append(a.b.Posts, b.Posts...)
	a.b.Engagements = append(a.b.Engagements, b.Engagements...)
	a.b.Shares = append(a.b.Shares, b.Shares...)
	a.b.Statuses = append(a.b.Statuses, b.Statuses...)
	a.b.Labels = append(a.b.Labels, b.Labels...)
	a.b.Rejects = append(a.b.Rejects, b.Rejects...)
	return nil
}

func (a *memAppender) Commit(context.Context) (store.ImportSummary, error) {
	a.m.got = a.b
	if a.m.done == nil {
		a.m.done = map[string]bool{}
	}
	if a.run.Fingerprint != "" {
		a.m.done[a.run.Fingerprint] = true
	}
	var c event.Counts
	c.Add(&a.b)
	return store.ImportSummary{Source: a.run.Source, Format: a.run.Format, Read: c, Stored: c, Rejected: int64(len(a.b.Rejects))}, nil
}

func (a *memAppender) Rollback() error { return nil }

var fixedNow = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func feed(t *testing.T, c ingest.Connector, in string, strict bool) (event.Batch, error) {
	t.Helper()
	st := &memStore{}
	_, err := ingest.Feed(context.Background(), c, st, strings.NewReader(in), store.ImportRun{Source: "in", Format: c.Name()},
		ingest.Options{Now: func() time.Time { return fixedNow }, Strict: strict}, nil, 0)
	return st.got, err
}

// TestImplausibleTimesRejected is issue 14 item 6: year 0 was accepted while year 1 was "not a
// time", and year 10000 was refused as RFC 3339 but accepted as unix seconds. Now every time
// format meets the same window, applied once for every connector by ingest.Feed.
func TestImplausibleTimesRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format, value string
		ok            bool
	}{
		{"RFC 3339", "2021-01-01T00:00:00Z", true},
		{"RFC 3339 year 0", "0000-06-01T00:00:00Z", false},
		{"RFC 3339 year 1", "0001-06-01T00:00:00Z", false},
		{"RFC 3339 zero time", "0001-01-01T00:00:00Z", false},
		{"RFC 3339 year 10000", "10000-01-01T00:00:00Z", false},
		{"RFC 3339 before Twitter", "2005-12-31T23:59:59Z", false},
		{"RFC 3339 tomorrow", fixedNow.Add(23 * time.Hour).Format(time.RFC3339), true},
		{"RFC 3339 next week", fixedNow.Add(7 * 24 * time.Hour).Format(time.RFC3339), false},
		{"unix seconds", "1609459200", true},
		{"unix seconds fractional", "1609459200.5", true},
		{"unix seconds year 10000", "253402300800", false},
		{"unix seconds year 1970", "1000", false},
		{"unix seconds year 0", "-62167219200", false},
		{"unix milliseconds", "1609459200000", true},
		{"unix milliseconds year 10000", "253402300800000", false},
		{"Twitter v1", "Fri Jan 01 00:00:00 +0000 2021", true},
		{"Twitter v1 year 0", "Thu Jun 01 00:00:00 +0000 0000", false},
		{"Twitter v1 year 1", "Fri Jun 01 00:00:00 +0000 0001", false},
		{"Twitter v1 year 10000", "Sat Jan 01 00:00:00 +0000 10000", false},
		{"archive layout year 0", "0000-06-01 00:00", false},
	}
	var in strings.Builder
	in.WriteString("platform,id,author_id,created_at,kind,ref_id,ref_author_id,text\n")
	for i, tc := range tests {
		fmt.Fprintf(&in, "x,%d,a,%s,post,,,%s\n", i, tc.value, tc.format)
	}
	b, err := feed(t, csvpost.New(csvpost.Mapping{}), in.String(), false)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, p := range b.Posts {
		stored[p.ID] = true
	}
	rejected := map[int64]event.Reject{}
	for _, r := range b.Rejects {
		rejected[r.Line] = r
	}
	for i, tc := range tests {
		id, line := fmt.Sprint(i), int64(i+2)
		r, rej := rejected[line]
		switch {
		case tc.ok && (!stored[id] || rej):
			t.Errorf("%s %q: stored %v, reject %+v; want it stored", tc.format, tc.value, stored[id], r)
		case !tc.ok && (stored[id] || !rej):
			t.Errorf("%s %q: stored %v; want it rejected", tc.format, tc.value, stored[id])
		case !tc.ok && (r.Source != "in" || r.Field != "created_at"):
			t.Errorf("%s %q: reject %+v; want it to name the source, line %d and created_at", tc.format, tc.value, r, line)
		}
	}
}

// TestImplausibleTimesEveryConnector shows the same window on connectors that parse their times
// each in their own way: Twitter v1.1 JSON, a Telegram export's unix seconds, Bluesky records,
// and a Mastodon account (whose created_at is optional: cleared, the account kept).
func TestImplausibleTimesEveryConnector(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		c     ingest.Connector
		in    string
		posts int    // posts kept
		field string // the field the reject names
	}{
		{"twitter-v1", twitterv1.New(),
			`{"created_at":"Thu Jun 01 00:00:00 +0000 0000","id_str":"1","text":"hi","user":{"id_str":"9","screen_name":"a","created_at":"Tue Jan 01 00:00:00 +0000 2019"}}` + "\n" +
				`{"created_at":"Fri Jan 01 00:00:00 +0000 2021","id_str":"2","text":"hi","user":{"id_str":"9","screen_name":"a","created_at":"Tue Jan 01 00:00:00 +0000 2019"}}`,
			1, "created_at"},
		{"telegram", telegram.New(),
			`{"name":"c","type":"public_channel","id":7,"messages":[{"id":1,"type":"message","date":"9999-12-31T00:00:00","date_unixtime":"253402300800","text":"far"},{"id":2,"type":"message","date":"2021-01-01T00:00:00","date_unixtime":"1609459200","text":"ok"}]}`,
			1, "created_at"},
		{"bluesky", bluesky.New(),
			`{"posts":[{"uri":"at://did:plc:a/app.bsky.feed.post/1","author":{"did":"did:plc:a","handle":"a.bsky.social"},"record":{"text":"old","createdAt":"0000-01-01T00:00:00Z"}},{"uri":"at://did:plc:a/app.bsky.feed.post/2","author":{"did":"did:plc:a","handle":"a.bsky.social"},"record":{"text":"ok","createdAt":"2024-01-01T00:00:00Z"}}]}`,
			1, "created_at"},
		{"mastodon", mastodon.New(),
			`{"id":"1","uri":"https://m.example/users/a/statuses/1","created_at":"2024-01-01T00:00:00.000Z","content":"<p>hi</p>","account":{"id":"9","username":"a","acct":"a","url":"https://m.example/@a","created_at":"0000-01-01T00:00:00.000Z"}}`,
			1, "created_at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := feed(t, tc.c, tc.in, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Posts) != tc.posts || len(b.Rejects) != 1 || b.Rejects[0].Field != tc.field ||
				!strings.Contains(b.Rejects[0].Reason, "outside the plausible window") || b.Rejects[0].Line != 1 {
				t.Errorf("posts %d, rejects %+v; want %d posts and one reject of line 1's %s", len(b.Posts), b.Rejects, tc.posts, tc.field)
			}
			for _, a := range b.Accounts {
				if !event.TimeWindow(a.Platform).Contains(a.CreatedAt, fixedNow) {
					t.Errorf("account %s kept created_at %s", a.ID, a.CreatedAt)
				}
			}
			if _, err := feed(t, tc.c, tc.in, true); err == nil || !strings.Contains(err.Error(), "plausible window") {
				t.Errorf("--strict: %v; want the time reject", err)
			}
		})
	}
}

func (a *memAppender) CommitPartial(ctx context.Context, _ error) (store.ImportSummary, error) {
	a.m.got = a.b
	return store.ImportSummary{}, nil
}
