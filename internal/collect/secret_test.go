package collect

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/ingest/twarc2"
)

// xToken looks like an X app-only bearer token: itself URL-encoded (%2B, %3D), so that a
// server may echo it encoded, decoded or JSON-escaped.
const xToken = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F"

// echoes returns the ways a server reflects the request's credentials: the header as sent, the
// token decoded and JSON-escaped as PHP does ("\/"), URL-encoded in an echoed URL, and a
// base64 dump of the header.
func echoes(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	tok := strings.TrimPrefix(auth, "Bearer ")
	dec, _ := url.QueryUnescape(tok)
	dump := base64.StdEncoding.EncodeToString([]byte("Authorization: " + auth + "\r\n"))
	return fmt.Sprintf("header %s | decoded %s | url https://api.example/?t=%s | dump %s",
		auth, strings.ReplaceAll(dec, "/", `\/`), url.QueryEscape(tok), dump)
}

// leak reports the first piece of the token (any 12 bytes of it, as sent or decoded) or of its
// base64 dump (any 16 characters that encode token bytes only) found in s.
func leak(s string) string {
	dec, _ := url.QueryUnescape(xToken)
	for _, secret := range []string{xToken, dec, url.QueryEscape(xToken)} {
		for i := 0; i+12 <= len(secret); i++ {
			if strings.Contains(s, secret[i:i+12]) {
				return secret[i : i+12]
			}
		}
	}
	// In the dump "Authorization: Bearer " is 22 bytes: token bytes start at byte 22, i.e. in
	// the 8th group, and characters 32 onwards (the 9th group on) encode token bytes only, up
	// to the last group, which holds "\r\n".
	dump := base64.StdEncoding.EncodeToString([]byte("Authorization: Bearer " + xToken + "\r\n"))
	core := dump[32 : len(dump)-8]
	for i := 0; i+16 <= len(core); i++ {
		if strings.Contains(s, core[i:i+16]) {
			return core[i : i+16]
		}
	}
	return ""
}

func tokenClient(base string) (*Client, *bytes.Buffer) {
	var logs bytes.Buffer
	var mu sync.Mutex
	return &Client{
		Base: base, HTTP: &http.Client{Timeout: 2 * time.Second}, Token: xToken,
		MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		Logf: func(f string, a ...any) {
			mu.Lock()
			fmt.Fprintf(&logs, f+"\n", a...)
			mu.Unlock()
		},
	}, &logs
}

// TestClientScrubsEchoedTokenFromErrors: an API error body that echoes the Authorization
// header (as debugging proxies and some APIs do), and a server error retried until the client
// gives up, leave no piece of the token in the error or the logs.
func TestClientScrubsEchoedTokenFromErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/unauthorized":
			w.WriteHeader(401)
			// The token near the snippet's 300-character cut, so that truncating before
			// scrubbing would keep part of it.
			fmt.Fprintf(w, `{"title":"Unauthorized","pad":%q,"detail":%q}`, strings.Repeat("x", 200), echoes(r))
		default:
			w.Header().Set("X-Debug-Auth", r.Header.Get("Authorization"))
			w.WriteHeader(503)
			fmt.Fprint(w, echoes(r))
		}
	}))
	defer srv.Close()
	c, logs := tokenClient(srv.URL)
	_, err := c.Get(context.Background(), "/unauthorized", nil)
	he, ok := err.(*HTTPError)
	if !ok || he.Status != 401 {
		t.Fatalf("err = %v; want an *HTTPError 401", err)
	}
	if p := leak(err.Error()); p != "" {
		t.Errorf("error text holds token piece %q: %v", p, err)
	}
	if !strings.Contains(he.Body, "REDACTED") {
		t.Errorf("error body %q: want the echo replaced by %s", he.Body, "REDACTED")
	}
	_, err = c.Get(context.Background(), "/down", nil)
	if err == nil {
		t.Fatal("want an error from a server that is down")
	}
	for what, s := range map[string]string{"error": err.Error(), "logs": logs.String()} {
		if p := leak(s); p != "" {
			t.Errorf("%s hold token piece %q: %s", what, p, s)
		}
	}
}

// TestClientScrubsEchoedTokenFromBody: a 200 body that echoes the token reaches the caller —
// the archive, the connectors and so the study — with the token replaced, and still valid JSON.
func TestClientScrubsEchoedTokenFromBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "<https://m.example/next?max_id=5&access_token="+url.QueryEscape(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))+`>; rel="next"`)
		json.NewEncoder(w).Encode(map[string]string{"echo": echoes(r)})
	}))
	defer srv.Close()
	c, _ := tokenClient(srv.URL)
	resp, err := c.Get(context.Background(), "/ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := leak(string(resp.Body)); p != "" {
		t.Errorf("body holds token piece %q: %s", p, resp.Body)
	}
	if p := leak(fmt.Sprint(resp.Header)); p != "" {
		t.Errorf("headers hold token piece %q: %v", p, resp.Header)
	}
	if !json.Valid(resp.Body) || !strings.Contains(string(resp.Body), "REDACTED") {
		t.Errorf("body %s: want valid JSON with the echo replaced by %s", resp.Body, "REDACTED")
	}
}

// TestXCollectStoresNoEchoedToken: a timeline page whose tweet text and user bio echo the
// token is stored, and archived, with the token replaced.
func TestXCollectStoresNoEchoedToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user := fmt.Sprintf(`{"id":"42","username":"amb","name":"Amb","description":%q,"created_at":"2015-01-01T00:00:00.000Z"}`, echoes(r))
		switch {
		case r.URL.Path == "/2/users/by":
			fmt.Fprintf(w, `{"data":[%s]}`, user)
		case r.URL.Path == "/2/users/42/tweets":
			fmt.Fprintf(w, `{"data":[{"id":"7","text":%q,"author_id":"42","created_at":"2021-01-01T10:00:00.000Z"}],"includes":{"users":[%s]},"meta":{"result_count":1}}`, echoes(r), user)
		default:
			fmt.Fprint(w, `{"meta":{"result_count":0}}`)
		}
	}))
	defer srv.Close()
	st := newStore(t)
	var archive bytes.Buffer
	c, _ := tokenClient(srv.URL)
	x := &X{Client: c, Sink: &Sink{Store: st, Archive: &archive}, Twarc2: twarc2.New()}
	if err := x.Run(context.Background(), []string{"amb"}); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Query(context.Background(), `SELECT text FROM posts UNION ALL SELECT coalesce(description, '') FROM accounts
		UNION ALL SELECT source FROM imports`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var stored []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, s)
	}
	all := strings.Join(stored, "\n")
	if !strings.Contains(all, "header Bearer "+"REDACTED") {
		t.Errorf("stored texts %q: want the echoed header with the token replaced", all)
	}
	for what, s := range map[string]string{"study": all, "archive": archive.String()} {
		if p := leak(s); p != "" {
			t.Errorf("%s holds token piece %q", what, p)
		}
	}
}

// landing is a server that records the Authorization header of every request it receives.
type landing struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string
}

func newLanding() *landing {
	l := &landing{}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.auth = append(l.auth, r.Header.Get("Authorization"))
		l.mu.Unlock()
		fmt.Fprint(w, `{}`)
	}))
	return l
}

func (l *landing) got() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.auth...)
}

// redirector redirects /away to target and serves {} (recording the Authorization) elsewhere.
func redirector(target string, auth *landing) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, target, http.StatusFound)
			return
		}
		auth.mu.Lock()
		auth.auth = append(auth.auth, r.Header.Get("Authorization"))
		auth.mu.Unlock()
		fmt.Fprint(w, `{}`)
	}))
}

// TestClientDropsTokenOnRedirectToAnotherPort: the same host on another port is another
// origin (another service); Go's client would forward the Authorization header there.
func TestClientDropsTokenOnRedirectToAnotherPort(t *testing.T) {
	other := newLanding()
	defer other.Close()
	self := &landing{}
	api := redirector(other.URL+"/landing", self)
	defer api.Close()
	c, _ := tokenClient(api.URL)
	if _, err := c.Get(context.Background(), "/away", nil); err != nil {
		t.Fatal(err)
	}
	if got := other.got(); len(got) != 1 || got[0] != "" {
		t.Errorf("the other port received Authorization %q; want one request without it", got)
	}
	// A redirect within the origin keeps the token.
	sameOrigin := redirector("/here", self)
	defer sameOrigin.Close()
	c, _ = tokenClient(sameOrigin.URL)
	if _, err := c.Get(context.Background(), "/away", nil); err != nil {
		t.Fatal(err)
	}
	if got := self.got(); len(got) != 1 || got[0] != "Bearer "+xToken {
		t.Errorf("same-origin redirect: Authorization %q; want the token", got)
	}
}

// TestClientDropsTokenOnRedirectToAnotherHost: a subdomain of the API host (which Go's client
// trusts with the Authorization header) and an unrelated domain (which it does not) both get
// the request without the token. Host names are resolved to the test servers by the dialer.
func TestClientDropsTokenOnRedirectToAnotherHost(t *testing.T) {
	other := newLanding()
	defer other.Close()
	for _, target := range []string{"http://media.api.example.test/landing", "http://other.example/landing"} {
		t.Run(target, func(t *testing.T) {
			other.mu.Lock()
			other.auth = nil
			other.mu.Unlock()
			api := redirector(target, &landing{})
			defer api.Close()
			c, _ := tokenClient("http://api.example.test")
			dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
				to := other.Listener.Addr().String()
				if host, _, _ := net.SplitHostPort(addr); host == "api.example.test" {
					to = api.Listener.Addr().String()
				}
				return (&net.Dialer{}).DialContext(ctx, network, to)
			}
			c.HTTP.Transport = &http.Transport{DialContext: dial}
			if _, err := c.Get(context.Background(), "/away", nil); err != nil {
				t.Fatal(err)
			}
			if got := other.got(); len(got) != 1 || got[0] != "" {
				t.Errorf("%s received Authorization %q; want one request without it", target, got)
			}
		})
	}
}

// TestClientTransportErrorRedactsQuery: a connection dropped mid-request gives Go's
// *url.Error, which repeats the URL as requested; a credential in its query (token=, key=)
// does not reach the error or the retry logs.
func TestClientTransportErrorRedactsQuery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c, logs := tokenClient(srv.URL)
	_, err := c.Get(context.Background(), "/drop", url.Values{"key": {"query-secret-1234"}, "q": {"x"}})
	if err == nil {
		t.Fatal("want an error from a dropped connection")
	}
	for what, s := range map[string]string{"error": err.Error(), "logs": logs.String()} {
		if strings.Contains(s, "query-secret-1234") {
			t.Errorf("%s holds the query secret: %s", what, s)
		}
	}
	if !strings.Contains(err.Error(), "key=REDACTED") {
		t.Errorf("error %q: want the URL with key=REDACTED", err)
	}
}
