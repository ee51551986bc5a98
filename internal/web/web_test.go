package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/report/pseudonym"
	"github.com/echotrace/echotrace/internal/store"
)

// get serves one GET request for target (a path with query) from the loopback host.
func get(t testing.TB, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decode decodes a JSON response into a generic value.
func decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, rec.Body.String())
	}
	return v
}

// at follows a path of object keys and array indexes ("items.0.size") in a decoded value.
func at(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := -1
			for j := range x {
				if k == strconv.Itoa(j) {
					i = j
				}
			}
			if i < 0 {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

var pseudo = pseudonym.New(testKey, false)

func newServer(opt Options) *Server {
	if opt.Now == nil {
		opt.Now = now
	}
	return New(studyDB, studyDB, opt)
}

// TestAPI checks every endpoint's status and figures on the fixture study (fixtureBatch
// documents the hand computation).
func TestAPI(t *testing.T) {
	s := newServer(Options{})
	p9001 := pseudo.ID("x", "ID9001")
	type check struct {
		path string
		want any
	}
	for _, tc := range []struct {
		target string
		status int
		checks []check
	}{
		{"/api/overview", 200, []check{
			{"values.watch_accounts", 2.0}, {"values.posts", 10.0}, {"values.target_reposts", 50.0},
			{"values.amplifiers", 23.0},            // 3 trolls + 20 fans
			{"values.suspended_repost_share", 0.2}, // 10 of 50
			{"values.deleted_repost_share", 0.2},   // 10 of 50
			{"values.label_share", 0.5},            // AmbA of AmbA, EmbB
			{"counts.posts", 69.0},                 // 10 targets + 30 troll and 20 fan reposts + 9 link posts
			{"counts.accounts", 25.0},              // 2 watch + 3 trolls + 20 fans
			{"clusters", 1.0}, {"coordinated_accounts", 3.0},
			{"top_clusters.0.size", 3.0}, {"pseudonymised", true}, {"analysed", true},
		}},
		{"/api/findings", 200, []check{{"target_reposts", 50.0}, {"top_amplifiers.0.reposts", 10.0}}},
		{"/api/clusters", 200, []check{{"total", 1.0}, {"items.0.id", "0"}, {"items.0.size", 3.0}, {"items.0.signals.co-repost", 30.0}, {"items.0.signals.co-link", 3.0},
			{"items.0.suspended_share", 1.0 / 3}, {"items.0.url", "/api/clusters/0"}}},
		{"/api/clusters?limit=1&offset=1", 200, []check{{"total", 1.0}, {"items", []any{}}, {"next_offset", nil}}},
		{"/api/clusters/0", 200, []check{{"size", 3.0}, {"members_total", 3.0}, {"members.0.id", p9001}, {"members.0.handle", p9001},
			{"members.0.status", "suspended"}, {"members.0.name", nil}, {"shared_targets.0.object", xssPost}, {"shared_targets.1.object", "P1"}, {"co_actions.0.object", xssPost},
			{"shared_targets.0.author.handle", "AmbA"}, {"edges_inside_total", 3.0}, {"hours_utc.0", 3.0}}},
		{"/api/clusters/0?limit=1&offset=2", 200, []check{{"members.0.status", "active"}, {"members.1", nil}}},
		{"/api/clusters/1", 404, nil},
		{"/api/clusters/00", 404, nil},
		{"/api/clusters/-1", 404, nil},
		{"/api/clusters/x", 404, nil},
		{"/api/weekly", 200, []check{{"total", 1.0}, {"items.0.week", "2020-06-08"}, {"items.0.reposts", 50.0}, {"items.0.suspended", 10.0},
			{"items.0.deleted", 10.0}, {"items.0.coordinated", 10.0}, {"items.0.other", 20.0}, {"items.0.other_share", 0.4}}},
		// AmbA wrote P0, P2 … P8: 15 troll reposts + the 10 fans with even k mod 10.
		{"/api/weekly?account=AmbA", 200, []check{{"account", "ID100"}, {"items.0.reposts", 25.0}, {"items.0.suspended", 5.0},
			{"items.0.deleted", 5.0}, {"items.0.coordinated", 5.0}, {"items.0.other", 10.0}}},
		{"/api/weekly?account=ID101", 200, []check{{"account", "ID101"}, {"items.0.reposts", 25.0}}},
		{"/api/weekly?account=%40emBb", 200, []check{{"account", "ID101"}}},
		{"/api/weekly?account=ID9001", 404, nil},
		{"/api/weekly?account=" + p9001, 404, nil},
		{"/api/stats", 200, []check{{"posts", 69.0}, {"accounts", 25.0}, {"watchlist", 2.0}, {"imports.0.source", "fixture.jsonl"}}},
		{"/api/accounts/ID100", 200, []check{{"id", "ID100"}, {"handle", "AmbA"}, {"watchlist", true}, {"watch_entry.actor_type", "ambassador"},
			{"label_history.0.class", "government"}, {"followers", 5000.0}, {"description", "official"}}},
		{"/api/accounts/@amba", 200, []check{{"id", "ID100"}}},
		{"/api/accounts/" + p9001, 200, []check{{"id", p9001}, {"handle", p9001}, {"name", nil}, {"description", nil}, {"location", nil},
			{"status", "suspended"}, {"status_history.0.status", "active"}, {"status_history.1.status", "suspended"},
			{"status_history.1.raw_code", "63"}, {"coordination.cluster", 0.0}, {"coordination.id", p9001},
			{"amplifier.reposts", 10.0}, {"amplifier.id", p9001}, {"followers", 3.0}, {"profile_known", true}}},
		{"/api/accounts/" + p9001 + "?limit=1", 200, []check{{"status_history.1", nil}}},
		{"/api/accounts/" + pseudo.ID("x", "ID9105"), 200, []check{{"amplifier.reposts", 1.0}, {"coordination", nil}}},
		{"/api/accounts/ID9001", 404, nil}, // raw ids of private accounts are not accepted
		{"/api/accounts/acct_aaaaaaaaaa", 404, nil},
		{"/api/accounts/" + strings.Repeat("a", 600), 404, nil},
		{"/api/clusters?limit=1001", 400, nil},
		{"/api/clusters?limit=0", 400, nil},
		{"/api/clusters?limit=ten", 400, nil},
		{"/api/clusters?offset=-1", 400, nil},
		{"/api/nope", 404, nil},
	} {
		t.Run(tc.target, func(t *testing.T) {
			rec := get(t, s, tc.target)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			v := decode(t, rec)
			if tc.status != 200 {
				if msg, _ := v["error"].(string); msg == "" {
					t.Errorf("error response without a message: %v", v)
				}
			}
			for _, c := range tc.checks {
				got := at(v, c.path)
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(c.want)
				if string(gj) != string(wj) {
					t.Errorf("%s = %s, want %s", c.path, gj, wj)
				}
			}
		})
	}
}

// TestPages checks the HTML pages: the dashboard's numbers, links to the cluster cards and to
// the report, and the card.
func TestPages(t *testing.T) {
	s := newServer(Options{Name: "fixture"})
	for _, tc := range []struct {
		target string
		status int
		want   []string
	}{
		{"/", 200, []string{"<title>echotrace · echotrace · fixture</title>", `<a href="/report">`, `<a href="/clusters/0">0</a>`,
			"Reposts by amplifiers (events)</td><td class=\"n\">50</td>", "20.0 %", "2020-06-08", `<polyline class="curve" points="30.0,210.0 `,
			`style="width:20%"`, `style="width:40%"`}},
		{"/report", 200, []string{"<svg", "Concentration"}},
		{"/clusters/0", 200, []string{"<h1>Cluster 0</h1>", "co-repost (30)", "@" + pseudo.ID("x", "ID9001"), `href="/api/accounts/` + pseudo.ID("x", "ID9001"),
			`<td>suspended</td><td>2020-05-09</td><td class="n">3</td>`, "<td>co-repost</td><td class=\"text\">P1</td><td>2020-06-09 01:00:10 UTC</td><td>2020-06-09 01:00:12 UTC</td><td class=\"n\">2 s</td>"}},
		{"/clusters/9", 404, nil},
		{"/clusters/..%2f..%2fetc%2fpasswd", 404, nil},
		{"/nothing", 404, nil},
	} {
		t.Run(tc.target, func(t *testing.T) {
			rec := get(t, s, tc.target)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %.300s", rec.Code, tc.status, rec.Body.String())
			}
			body := rec.Body.String()
			if tc.status == 200 && rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("content type %q", rec.Header().Get("Content-Type"))
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

// crawl fetches every page and endpoint of the server, and the account endpoint of every
// account id any response links to, and returns the bodies by target.
func crawl(t *testing.T, h http.Handler) map[string]string {
	t.Helper()
	out := map[string]string{}
	queue := []string{"/", "/report", "/clusters/0", "/api/overview", "/api/findings", "/api/clusters", "/api/clusters/0",
		"/api/weekly", "/api/weekly?account=AmbA", "/api/stats", "/api/accounts/ID100", "/api/accounts/ID101"}
	link := regexp.MustCompile(`"(/api/accounts/[^"?]+)"`)
	for len(queue) > 0 {
		target := queue[0]
		queue = queue[1:]
		if _, done := out[target]; done {
			continue
		}
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Errorf("%s: status %d", target, rec.Code)
		}
		out[target] = rec.Body.String()
		for _, l := range link.FindAllStringSubmatch(rec.Body.String(), -1) {
			if u, err := url.PathUnescape(l[1]); err == nil {
				queue = append(queue, u)
			}
		}
	}
	return out
}

// TestPseudonymised crawls the whole server: no raw id, handle, name, bio, location or post
// id of a non-watchlist account, nor the folder the data came from, appears anywhere; the
// watchlist accounts appear in clear.
func TestPseudonymised(t *testing.T) {
	bodies := crawl(t, newServer(Options{}))
	accounts := 0
	for target, body := range bodies {
		if strings.HasPrefix(target, "/api/accounts/acct_") {
			accounts++
		}
		for _, s := range append(secrets, "secret-folder") {
			if strings.Contains(body, s) {
				t.Errorf("%s reveals %q", target, s)
			}
		}
	}
	if accounts != 23 { // 3 trolls + 20 fans, all top amplifiers
		t.Errorf("crawled %d pseudonymised account pages, want 23", accounts)
	}
	if !strings.Contains(bodies["/report"], "AmbA") || !strings.Contains(bodies["/api/clusters/0"], "AmbA") {
		t.Error("watchlist handle missing")
	}
}

// TestReveal: with Reveal the private accounts are shown in clear and found by raw id.
func TestReveal(t *testing.T) {
	s := newServer(Options{Reveal: true})
	for target, want := range map[string][]string{
		"/api/clusters/0":          {`"id":"ID9001"`, `"handle":"troll_one"`, `"name":"Private One"`},
		"/api/findings":            {`"id":"ID9001"`, `"handle":"troll_one"`},
		"/api/accounts/ID9001":     {`"name":"Private One"`, `"description":"my private bio"`, `"location":"Leeds"`},
		"/api/accounts/ID9119":     {`"handle":"fan_19"`},
		"/clusters/0":              {"@troll_one"},
		"/":                        {"NOT pseudonymised"},
		"/api/overview":            {`"pseudonymised":false`},
		"/api/accounts/@TROLL_ONE": nil,
	} {
		rec := get(t, s, target)
		if target == "/api/accounts/@TROLL_ONE" {
			if rec.Code != 404 { // handles resolve for watchlist accounts only
				t.Errorf("%s: status %d, want 404", target, rec.Code)
			}
			continue
		}
		if rec.Code != 200 {
			t.Fatalf("%s: status %d: %s", target, rec.Code, rec.Body.String())
		}
		for _, w := range want {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("%s lacks %s", target, w)
			}
		}
	}
	if rec := get(t, s, "/api/accounts/ID9001?platform=bluesky"); rec.Code != 404 {
		t.Errorf("wrong platform: status %d, want 404", rec.Code)
	}
}

// TestXSS: a display name and a post text holding <script> render inert in every page.
func TestXSS(t *testing.T) {
	for _, reveal := range []bool{false, true} {
		s := newServer(Options{Reveal: reveal})
		for _, target := range []string{"/", "/clusters/0", "/report"} {
			body := get(t, s, target).Body.String()
			if strings.Contains(body, "<script") {
				t.Errorf("reveal=%v %s: contains a live <script", reveal, target)
			}
		}
		card := get(t, s, "/clusters/0").Body.String()
		if !strings.Contains(card, "P0&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("reveal=%v: the post id is missing or not escaped", reveal)
		}
		// JSON escapes < > too, so an API response pasted into HTML stays inert.
		if api := get(t, s, "/api/clusters/0").Body.String(); strings.Contains(api, "<script") || !strings.Contains(api, `\u003cscript\u003e`) {
			t.Errorf("reveal=%v: JSON example text not escaped", reveal)
		}
	}
}

// TestHeaders: the safety headers on every kind of response, and only GET/HEAD without a body.
func TestHeaders(t *testing.T) {
	s := newServer(Options{Token: "0123456789abcdef-token"})
	type req struct {
		method, target, body string
		hdr                  map[string]string
		status               int
	}
	auth := map[string]string{"Authorization": "Bearer 0123456789abcdef-token"}
	for _, r := range []req{
		{"GET", "/api/overview", "", auth, 200},
		{"HEAD", "/api/overview", "", auth, 200},
		{"GET", "/", "", auth, 200},
		{"GET", "/api/nope", "", auth, 404},
		{"GET", "/api/overview", "", nil, 401},
		{"POST", "/api/overview", "x=1", auth, 405},
		{"PUT", "/", "", auth, 405},
		{"DELETE", "/api/clusters/0", "", auth, 405},
		{"OPTIONS", "/", "", nil, 405},
		{"GET", "/api/overview", "a body", auth, 413},
	} {
		var body io.Reader
		if r.body != "" {
			body = strings.NewReader(r.body)
		}
		hr := httptest.NewRequest(r.method, "http://127.0.0.1"+r.target, body)
		for k, v := range r.hdr {
			hr.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, hr)
		name := r.method + " " + r.target
		if rec.Code != r.status {
			t.Errorf("%s: status %d, want %d", name, rec.Code, r.status)
		}
		for k, v := range map[string]string{
			"Content-Security-Policy": ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
			"Cache-Control":           "no-store",
		} {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got, v)
			}
		}
		if r.status == 405 && rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: Allow = %q", name, rec.Header().Get("Allow"))
		}
	}
	if !strings.Contains(ContentSecurityPolicy, "default-src 'none'") || !strings.Contains(ContentSecurityPolicy, "script-src 'none'") {
		t.Error("CSP lost its default-src or script-src 'none'")
	}
}

// TestToken: with a token every request must carry it, as a bearer token or the session
// cookie that /?token= sets; the redirect drops the token and never leaves the server.
func TestToken(t *testing.T) {
	const tok = "s3cret-token-0123456789"
	s := newServer(Options{Token: tok})
	for _, tc := range []struct {
		name   string
		target string
		hdr    []string
		status int
	}{
		{"no credentials", "/api/overview", nil, 401},
		{"wrong bearer", "/api/overview", []string{"Authorization", "Bearer " + tok + "x"}, 401},
		{"prefix of the token", "/api/overview", []string{"Authorization", "Bearer " + tok[:10]}, 401},
		{"basic scheme", "/api/overview", []string{"Authorization", "Basic " + tok}, 401},
		{"bearer", "/api/overview", []string{"Authorization", "Bearer " + tok}, 200},
		{"bearer, lower-case scheme", "/api/overview", []string{"Authorization", "bearer " + tok}, 200},
		{"raw token as cookie", "/api/overview", []string{"Cookie", CookieName + "=" + tok}, 401},
		{"wrong query token", "/?token=nope", nil, 401},
		{"two query tokens", "/?token=" + tok + "&token=" + tok, nil, 401},
		{"other host with token", "/api/overview", []string{"Authorization", "Bearer " + tok, "Host", "dash.example.org"}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+tc.target, nil)
			for i := 0; i+1 < len(tc.hdr); i += 2 {
				if tc.hdr[i] == "Host" {
					req.Host = tc.hdr[i+1]
				} else {
					req.Header.Set(tc.hdr[i], tc.hdr[i+1])
				}
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.status == 401 {
				if rec.Header().Get("WWW-Authenticate") == "" || len(rec.Result().Cookies()) != 0 {
					t.Error("401 without WWW-Authenticate, or with a cookie")
				}
				if strings.Contains(rec.Body.String(), tok) {
					t.Error("the token is echoed")
				}
			}
		})
	}
	for _, tc := range []struct{ target, location string }{
		{"/?token=" + tok, "/"},
		{"/api/clusters?limit=5&token=" + tok, "/api/clusters?limit=5"},
		{"//evil.example/?token=" + tok, "/"},
		{"/%5Cevil.example/?token=" + tok, "/"},
	} {
		rec := get(t, s, tc.target)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != tc.location {
			t.Fatalf("%s: status %d, location %q; want 303 to %q", tc.target, rec.Code, rec.Header().Get("Location"), tc.location)
		}
		cs := rec.Result().Cookies()
		if len(cs) != 1 || cs[0].Name != CookieName || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode || cs[0].Value == tok || cs[0].Path != "/" {
			t.Fatalf("%s: session cookie %+v", tc.target, cs)
		}
		if rec := get(t, s, "/api/overview", "Cookie", cs[0].String()); rec.Code != 200 {
			t.Errorf("%s: the session cookie is refused: %d", tc.target, rec.Code)
		}
	}
	other := newServer(Options{Token: tok + "-other"})
	cookie := get(t, s, "/?token="+tok).Result().Cookies()[0]
	if rec := get(t, other, "/api/overview", "Cookie", cookie.String()); rec.Code != 401 {
		t.Errorf("a session of another token is accepted: %d", rec.Code)
	}
}

// TestLoopbackHost: without a token only loopback Host headers are answered (DNS rebinding).
func TestLoopbackHost(t *testing.T) {
	s := newServer(Options{})
	for host, want := range map[string]int{
		"127.0.0.1:8080": 200, "localhost:8080": 200, "LOCALHOST": 200, "[::1]:8080": 200, "127.3.4.5": 200,
		"evil.example:8080": 421, "evil.example": 421, "192.168.1.10:8080": 421, "": 421, "localhost.evil.example": 421,
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/overview", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %q: status %d, want %d", host, rec.Code, want)
		}
	}
}

// hidingDocs hides one document, as in a study without a pseudonym key.
type hidingDocs struct {
	store.ResultStore
	hide string
}

func (h hidingDocs) Document(ctx context.Context, name string) ([]byte, time.Time, error) {
	if name == h.hide {
		return nil, time.Time{}, store.ErrNotFound
	}
	return h.ResultStore.Document(ctx, name)
}

// TestKey: without Options.Key the study's stored key is read (the same pseudonyms as the
// report); a study without a key is refused rather than served with another one.
func TestKey(t *testing.T) {
	s := New(studyDB, studyDB, Options{Now: now})
	if rec := get(t, s, "/api/accounts/"+pseudo.ID("x", "ID9002")); rec.Code != 200 {
		t.Errorf("stored key not used: %d", rec.Code)
	}
	nokey := New(studyDB, hidingDocs{studyDB, pseudonym.DocumentName}, Options{Now: now})
	rec := get(t, nokey, "/api/overview")
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "pseudonym key") {
		t.Errorf("no key: status %d, body %s", rec.Code, rec.Body.String())
	}
	if rec := get(t, nokey, "/"); rec.Code != 500 || !strings.Contains(rec.Body.String(), "--reveal") {
		t.Errorf("no key, page: status %d, body %s", rec.Code, rec.Body.String())
	}
	if err := nokey.Warm(context.Background()); !errors.Is(err, ErrNoKey) {
		t.Errorf("Warm = %v, want ErrNoKey", err)
	}
	// With reveal no key is needed.
	if rec := get(t, New(studyDB, hidingDocs{studyDB, pseudonym.DocumentName}, Options{Reveal: true, Now: now}), "/api/overview"); rec.Code != 200 {
		t.Errorf("reveal without key: %d", rec.Code)
	}
}

// TestNotAnalysed: a study without findings or coordination documents is served with a note.
func TestNotAnalysed(t *testing.T) {
	docs := hidingDocs{hidingDocs{studyDB, "findings"}, "coord"}
	s := New(studyDB, docs, Options{Key: testKey, Now: now})
	ov := decode(t, get(t, s, "/api/overview"))
	if ov["analysed"] != false || !strings.Contains(ov["note"].(string), "echotrace analyze") || at(ov, "counts.posts") != 69.0 {
		t.Errorf("overview = %v", ov)
	}
	for target, want := range map[string]int{"/api/findings": 404, "/api/weekly": 404, "/api/clusters": 200, "/": 200, "/report": 200, "/api/accounts/ID100": 200} {
		if rec := get(t, s, target); rec.Code != want {
			t.Errorf("%s: status %d, want %d", target, rec.Code, want)
		}
	}
}

// TestLoadTimeout: a request that gives up while the results load gets 503; the load goes
// on and serves the next request.
func TestLoadTimeout(t *testing.T) {
	s := New(slowQuerier{studyDB}, studyDB, Options{Key: testKey, Now: now, RequestTimeout: 10 * time.Millisecond})
	if rec := get(t, s, "/api/overview"); rec.Code != 503 {
		t.Fatalf("status %d, want 503", rec.Code)
	}
	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rec := get(t, s, "/api/overview"); rec.Code != 200 {
		t.Fatalf("after load: status %d", rec.Code)
	}
}

type slowQuerier struct{ store.Querier }

func (q slowQuerier) Stats(ctx context.Context) (store.Stats, error) {
	time.Sleep(100 * time.Millisecond)
	return q.Querier.Stats(ctx)
}

// TestDashboardActorGroups: the overview gives the headline per actor group beside the total,
// the same numbers as the stored findings' actor_groups (findings --json), and says where the
// groups were defined (fixtureGroups has the hand computation).
func TestDashboardActorGroups(t *testing.T) {
	s := newServer(Options{})
	ov := decode(t, get(t, s, "/api/overview"))
	if got := at(ov, "actor_groups_source"); got != "echotrace.toml" {
		t.Errorf("actor_groups_source = %v, want echotrace.toml", got)
	}
	fd := decode(t, get(t, s, "/api/findings"))
	for i, name := range []string{"diplomats", "ambassadors", "embassies"} {
		if got := at(ov, "actor_groups."+strconv.Itoa(i)+".name"); got != name {
			t.Fatalf("actor_groups.%d.name = %v, want %s", i, got, name)
		}
		want := at(fd, "actor_groups."+strconv.Itoa(i)+".figures").(map[string]any)
		got := at(ov, "actor_groups."+strconv.Itoa(i)+".values").(map[string]any)
		if len(got) != len(want) || len(got) < 20 {
			t.Errorf("%s: %d values, findings have %d", name, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s %s = %v, findings say %v", name, k, got[k], v)
			}
		}
	}
	for _, tc := range []struct {
		key  string
		want []float64 // total, diplomats, ambassadors, embassies
	}{
		{"posts", []float64{10, 10, 5, 5}},
		{"likes", []float64{100, 100, 50, 50}},
		{"target_reposts", []float64{50, 50, 25, 25}},
		{"label_share", []float64{0.5, 0.5, 1, 0}},
		{"suspended_repost_share", []float64{0.2, 0.2, 0.2, 0.2}},
	} {
		if got := at(ov, "values."+tc.key); got != tc.want[0] {
			t.Errorf("total %s = %v, want %v", tc.key, got, tc.want[0])
		}
		for i, w := range tc.want[1:] {
			if got := at(ov, "actor_groups."+strconv.Itoa(i)+".values."+tc.key); got != w {
				t.Errorf("group %d %s = %v, want %v", i, tc.key, got, w)
			}
		}
	}

	page := get(t, s, "/").Body.String()
	head := regexp.MustCompile(`<table class="headline"><thead><tr>(.*?)</tr></thead>`).FindStringSubmatch(page)
	if head == nil || !strings.Contains(head[1], `<th class="n">Total</th><th class="n" scope="col">diplomats</th><th class="n" scope="col">ambassadors</th><th class="n" scope="col">embassies</th>`) {
		t.Fatalf("headline table's header: %q, want Total then the three groups", head)
	}
	for key, cells := range map[string]string{
		"posts":                  `<td class="n">10</td><td class="n">10</td><td class="n">5</td><td class="n">5</td>`,
		"likes":                  `<td class="n">100</td><td class="n">100</td><td class="n">50</td><td class="n">50</td>`,
		"target_reposts":         `<td class="n">50</td><td class="n">50</td><td class="n">25</td><td class="n">25</td>`,
		"label_share":            `<td class="n">50.0 %</td><td class="n">50.0 %</td><td class="n">100.0 %</td><td class="n">0.0 %</td>`,
		"suspended_repost_share": `<td class="n">20.0 %</td><td class="n">20.0 %</td><td class="n">20.0 %</td><td class="n">20.0 %</td>`,
	} {
		row := regexp.MustCompile(`<tr data-key="` + key + `"><td>[^<]*</td>(.*?)</tr>`).FindStringSubmatch(page)
		if row == nil || row[1] != cells {
			t.Errorf("headline row %s = %q, want %q", key, row, cells)
		}
	}
	if !strings.Contains(page, "By actor group (defined by the study&#39;s echotrace.toml): <b>diplomats</b> = ambassador, embassy, consulate, staff, ministry; <b>ambassadors</b> = ambassador; <b>embassies</b> = embassy;") {
		t.Error("the dashboard does not say how the actor groups are defined")
	}
}

// TestOptionsWarnings: the caller's warnings (serve's: actor groups the study's settings no
// longer define) join the stored results' own, on the pages and in /api/overview.
func TestOptionsWarnings(t *testing.T) {
	const w = "the stored findings' actor groups (the built-in groups: diplomats, state_media) are not those echotrace.toml defines now (uk): run `echotrace analyze` to recompute them"
	s := newServer(Options{Warnings: []string{w}})
	ws, _ := at(decode(t, get(t, s, "/api/overview")), "warnings").([]any)
	if len(ws) == 0 || ws[len(ws)-1] != w {
		t.Errorf("overview warnings = %v, want %q last", ws, w)
	}
	esc := strings.ReplaceAll(w, "'", "&#39;")
	for _, path := range []string{"/", "/report"} {
		if body := get(t, s, path).Body.String(); !strings.Contains(body, esc) {
			t.Errorf("%s does not show the warning", path)
		}
	}
}
