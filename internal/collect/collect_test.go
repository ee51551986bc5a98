package collect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

func newStore(t *testing.T) store.Store {
	t.Helper()
	st, err := duckdb.Open(context.Background(), t.TempDir(), duckdb.Options{Create: true, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// testClient returns a client against srv that never really sleeps but records the waits.
func testClient(srv *httptest.Server, waits *[]time.Duration) *Client {
	var mu sync.Mutex
	return &Client{
		Base: srv.URL, HTTP: &http.Client{Timeout: 2 * time.Second}, Token: "s3cr3t-token",
		MaxRetries: 4, MinBackoff: 10 * time.Millisecond, MaxBackoff: time.Minute,
		Rand: rand.New(rand.NewPCG(1, 2)),
		Now:  func() time.Time { return time.Unix(1_700_000_000, 0) },
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			*waits = append(*waits, d)
			mu.Unlock()
			return ctx.Err()
		},
	}
}

func TestClientRetriesAndRateLimits(t *testing.T) {
	var calls atomic.Int32
	faults := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) { // 429 with an X-style epoch reset 30 s ahead
			w.Header().Set("x-rate-limit-reset", "1700000030")
			w.WriteHeader(429)
		},
		func(w http.ResponseWriter) { w.WriteHeader(503) },
		func(w http.ResponseWriter) { w.WriteHeader(500) },
		func(w http.ResponseWriter) { w.Write([]byte(`{"data":[{"id":"1",`)) }, // truncated body
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		if r.Header.Get("Authorization") != "Bearer s3cr3t-token" {
			t.Errorf("missing bearer token")
		}
		if n < len(faults) {
			faults[n](w)
			return
		}
		w.Write([]byte(`{"data":[{"id":"1"}]}`))
	}))
	defer srv.Close()
	var waits []time.Duration
	c := testClient(srv, &waits)
	var logs bytes.Buffer
	c.Logf = func(f string, a ...any) { fmt.Fprintf(&logs, f+"\n", a...) }
	resp, err := c.Get(context.Background(), "/2/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != `{"data":[{"id":"1"}]}` || calls.Load() != 5 {
		t.Fatalf("body %s after %d calls", resp.Body, calls.Load())
	}
	// The 429 waits for the reset (30 s) plus up to 1 s of jitter; the others back off
	// exponentially from 10 ms: attempt 2 in [10, 20] ms, 3 in [20, 40], 4 in [40, 80].
	if len(waits) != 4 || waits[0] < 30*time.Second || waits[0] > 31*time.Second {
		t.Fatalf("waits = %v", waits)
	}
	for i, lim := range []time.Duration{20, 40, 80} {
		if w := waits[i+1]; w < lim*time.Millisecond/2 || w > lim*time.Millisecond {
			t.Errorf("wait %d = %v, want within [%v, %v]", i+1, w, lim*time.Millisecond/2, lim*time.Millisecond)
		}
	}
	if strings.Contains(logs.String(), "s3cr3t") {
		t.Errorf("token leaked into logs: %s", logs.String())
	}
}

func TestClientGivesUpAndDoesNotRetryClientErrors(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if strings.Contains(r.URL.Path, "forbidden") {
			w.WriteHeader(403)
			w.Write([]byte(`{"title":"Forbidden"}`))
			return
		}
		w.WriteHeader(502)
	}))
	defer srv.Close()
	var waits []time.Duration
	c := testClient(srv, &waits)
	_, err := c.Get(context.Background(), "/forbidden", nil)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 403 || calls.Load() != 1 {
		t.Fatalf("err %v after %d calls; want one 403", err, calls.Load())
	}
	calls.Store(0)
	_, err = c.Get(context.Background(), "/down?token=abc", nil)
	if !errors.Is(err, ErrGiveUp) || calls.Load() != 5 {
		t.Fatalf("err %v after %d calls; want ErrGiveUp after 5", err, calls.Load())
	}
	if strings.Contains(err.Error(), "abc") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("secret in error: %v", err)
	}
}

func TestClientSlowResponseTimesOutAndRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			time.Sleep(300 * time.Millisecond)
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	var waits []time.Duration
	c := testClient(srv, &waits)
	c.HTTP.Timeout = 100 * time.Millisecond
	if _, err := c.Get(context.Background(), "/slow", nil); err != nil || calls.Load() != 2 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
}

func TestLinkMaxID(t *testing.T) {
	h := `<https://m.social/api/v1/statuses/1/reblogged_by?max_id=555>; rel="next", <https://m.social/api/v1/statuses/1/reblogged_by?since_id=9>; rel="prev"`
	if got := linkMaxID(h); got != "555" {
		t.Errorf("linkMaxID = %q", got)
	}
}

// blueskyServer replays the recorded Bluesky responses: the author feed in two pages, then
// reposts, likes, quotes and threads for every post. kill, if set, is called with the request
// number and may cancel the collection.
func blueskyServer(t *testing.T, kill func(n int32)) *httptest.Server {
	feed, err := os.ReadFile("../ingest/bluesky/testdata/f_autfeed_0.json")
	if err != nil {
		t.Fatal(err)
	}
	reposts, _ := os.ReadFile("../ingest/bluesky/testdata/f_reposts_0.json")
	var n atomic.Int32
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if kill != nil {
			kill(i)
		}
		if i%7 == 3 { // a transient failure every few requests
			w.WriteHeader(503)
			return
		}
		q := r.URL.Query()
		switch r.URL.Path {
		case "/xrpc/app.bsky.actor.getProfiles":
			fmt.Fprintf(w, `{"profiles":[{"did":"did:plc:wpe35pganb6d4pg4ekmfy6u5","handle":"chriskenny.bsky.social","displayName":"Chris Kenny","createdAt":"2023-09-19T15:47:01.417Z","followersCount":5}]}`)
		case "/xrpc/app.bsky.feed.getAuthorFeed":
			if q.Get("cursor") == "" {
				// The recorded page, with its cursor pointing at an empty second page.
				w.Write(bytes.Replace(feed, []byte(`"cursor"`), []byte(`"cursor"`), 1))
				return
			}
			w.Write([]byte(`{"feed":[]}`))
		case "/xrpc/app.bsky.feed.getRepostedBy":
			// Every post gets the recorded reposter, rewritten to be about that post.
			body := strings.Replace(string(reposts), "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3kaa2gxjhzr2a", q.Get("uri"), 1)
			w.Write([]byte(body))
		case "/xrpc/app.bsky.feed.getLikes":
			fmt.Fprintf(w, `{"uri":%q,"likes":[{"actor":{"did":"did:plc:liker","handle":"liker.bsky.social"},"createdAt":"2025-05-06T00:00:00Z","indexedAt":"2025-05-06T00:00:00Z"}]}`, q.Get("uri"))
		case "/xrpc/app.bsky.feed.getQuotes":
			fmt.Fprintf(w, `{"uri":%q,"posts":[]}`, q.Get("uri"))
		case "/xrpc/app.bsky.feed.getPostThread":
			w.Write([]byte(`{"thread":{"$type":"app.bsky.feed.defs#notFoundPost","uri":"x","notFound":true}}`))
		default:
			w.WriteHeader(404)
		}
	}))
}

func counts(t *testing.T, st store.Store) string {
	t.Helper()
	rows, err := st.Query(context.Background(), `SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM accounts),
		(SELECT count(*) FROM engagements), (SELECT count(*) FROM engagements WHERE kind = 'like')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	rows.Next()
	var p, a, e, l int64
	if err := rows.Scan(&p, &a, &e, &l); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("posts=%d accounts=%d engagements=%d likes=%d", p, a, e, l)
}

func runBluesky(ctx context.Context, t *testing.T, st store.Store, srv *httptest.Server, archive io.Writer) error {
	var waits []time.Duration
	c := &Bluesky{Client: testClient(srv, &waits), Sink: &Sink{Store: st, Archive: archive},
		Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	return c.Run(ctx, []string{"chriskenny.bsky.social"})
}

func TestBlueskyCollectKillAndResume(t *testing.T) {
	clean := newStore(t)
	srv := blueskyServer(t, nil)
	defer srv.Close()
	var archive bytes.Buffer
	if err := runBluesky(context.Background(), t, clean, srv, &archive); err != nil {
		t.Fatal(err)
	}
	want := counts(t, clean)
	// The recorded feed has 50 items (7 of them reposts by the author); each of the author's
	// own posts gets one reposter and one liker from the replayed engagement endpoints.
	if !strings.Contains(want, "likes=") || strings.Contains(want, "engagements=0") {
		t.Fatalf("clean run stored %s", want)
	}
	if lines := strings.Count(archive.String(), "\n"); lines < 10 {
		t.Errorf("archive has %d lines", lines)
	}

	// Kill the collection at several points; each restart resumes from the checkpoints.
	resumed := newStore(t)
	for _, at := range []int32{4, 15, 40} {
		ctx, cancel := context.WithCancel(context.Background())
		srv := blueskyServer(t, func(n int32) {
			if n == at {
				cancel()
			}
		})
		err := runBluesky(ctx, t, resumed, srv, nil)
		srv.Close()
		cancel()
		if err == nil {
			t.Fatalf("run killed at request %d finished without error", at)
		}
	}
	srv2 := blueskyServer(t, nil)
	defer srv2.Close()
	if err := runBluesky(context.Background(), t, resumed, srv2, nil); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, resumed); got != want {
		t.Errorf("after kills and resume: %s; clean run: %s", got, want)
	}
	// Running again does nothing new: every task is checkpointed as done.
	before := counts(t, resumed)
	if err := runBluesky(context.Background(), t, resumed, srv2, nil); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, resumed); got != before {
		t.Errorf("re-run changed counts: %s → %s", before, got)
	}
}

func TestMastodonCollect(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("../ingest/mastodon/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	acct, statuses, reblogs, ctxJSON := read("get_account_default_0.json"), read("get_account_statuses_limit_0.json"),
		read("get_reblogged_by_anonymous_0.json"), read("get_context_default_0.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/api/v1/accounts/lookup":
			w.Write(acct)
		case strings.HasSuffix(p, "/statuses"):
			if r.URL.Query().Get("max_id") == "" {
				w.Write(statuses)
				return
			}
			w.Write([]byte(`[]`))
		case strings.HasSuffix(p, "/reblogged_by"):
			w.Write(reblogs)
		case strings.HasSuffix(p, "/favourited_by"):
			w.Write([]byte(`[]`))
		case strings.HasSuffix(p, "/context"):
			w.Write(ctxJSON)
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	st := newStore(t)
	var waits []time.Duration
	c := &Mastodon{Client: testClient(srv, &waits), Sink: &Sink{Store: st}}
	if err := c.Run(context.Background(), []string{"schochastics"}); err != nil {
		t.Fatal(err)
	}
	// 20 statuses, none a reblog: each gets the 40 recorded reblogging accounts.
	rows, err := st.Query(context.Background(), `SELECT count(DISTINCT post_id), count(*) FROM engagements WHERE kind = 'repost' AND "at" IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	rows.Next()
	var posts, n int64
	rows.Scan(&posts, &n)
	if posts != 20 || n != 20*40 {
		t.Errorf("reblog engagements: %d posts, %d rows; want 20 and 800", posts, n)
	}
}

func TestXStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"data":[{"id":"1","username":"a","protected":false},{"id":"2","username":"b","protected":true}],
		"errors":[{"value":"3","detail":"User has been suspended: [3].","title":"Forbidden","resource_type":"user","parameter":"ids","resource_id":"3","type":"https://api.twitter.com/2/problems/resource-not-found"},
		{"value":"4","detail":"Could not find user with ids: [4].","title":"Not Found Error","resource_type":"user","parameter":"ids","resource_id":"4","type":"https://api.twitter.com/2/problems/resource-not-found"}]}`))
	}))
	defer srv.Close()
	var waits []time.Duration
	obs, err := XStatus(context.Background(), testClient(srv, &waits), []string{"1", "2", "3", "4"}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range obs {
		got[o.AccountID] = string(o.Status) + "/" + o.RawCode
	}
	want := map[string]string{"1": "active/200", "2": "protected/200", "3": "suspended/63", "4": "deleted/50"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("status = %v, want %v", got, want)
	}
}

// TestClientRefusesBodiesOverMaxBody: a body over MaxBody used to be cut silently at the limit,
// read as "truncated or invalid JSON" and requested again MaxRetries times. Now it fails at
// once with ErrTooLarge, saying the limit, its text scrubbed like every other error; a body of
// exactly MaxBody bytes is read.
func TestClientRefusesBodiesOverMaxBody(t *testing.T) {
	const limit = 1000
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		n := limit
		if strings.Contains(r.URL.Path, "big") {
			n = limit + 1
		}
		pad := n - len(`{"pad":""}`)
		fmt.Fprintf(w, `{"pad":"%s"}`, strings.Repeat("x", pad))
	}))
	defer srv.Close()
	var waits []time.Duration
	c := testClient(srv, &waits)
	c.MaxBody = limit
	c.Secrets = []string{"app-password-1"}
	resp, err := c.Get(context.Background(), "/fits", nil)
	if err != nil || len(resp.Body) != limit {
		t.Fatalf("a body of exactly MaxBody: %d bytes, %v", len(resp.Body), err)
	}
	calls.Store(0)
	_, err = c.Get(context.Background(), "/big/app-password-1", nil)
	if !errors.Is(err, ErrTooLarge) || calls.Load() != 1 || len(waits) != 0 {
		t.Fatalf("err %v after %d calls, %d waits; want ErrTooLarge at once", err, calls.Load(), len(waits))
	}
	if msg := err.Error(); !strings.Contains(msg, "response over 1000 bytes") || strings.Contains(msg, "app-password-1") || strings.Contains(msg, "invalid JSON") {
		t.Errorf("error %q; want the limit named and the secret scrubbed", msg)
	}
}
