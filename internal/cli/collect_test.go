package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// collectToken looks like an X bearer token (URL-encoded itself).
const collectToken = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F"

// tokenPiece returns the first 12 bytes of the token, as sent or decoded, found in s.
func tokenPiece(s string) string {
	dec, _ := url.QueryUnescape(collectToken)
	for _, secret := range []string{collectToken, dec} {
		for i := 0; i+12 <= len(secret); i++ {
			if strings.Contains(s, secret[i:i+12]) {
				return secret[i : i+12]
			}
		}
	}
	return ""
}

// fakeX serves the X endpoints collect x calls: users/by finds the users named in found
// (id = "1" + username), their timelines hold one tweet each, searches are empty. Every
// response echoes the request's Authorization header, and fail (if set) answers the search
// endpoint with a 401 echoing it too. It records the usernames asked for.
type fakeX struct {
	*httptest.Server
	mu    sync.Mutex
	asked []string
}

func newFakeX(t *testing.T, found map[string]bool, fail bool) *fakeX {
	f := &fakeX{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := "you sent " + r.Header.Get("Authorization")
		switch {
		case r.URL.Path == "/2/users/by":
			names := strings.Split(r.URL.Query().Get("usernames"), ",")
			f.mu.Lock()
			f.asked = append(f.asked, names...)
			f.mu.Unlock()
			var data, errs []string
			for _, n := range names {
				if found[n] {
					data = append(data, fmt.Sprintf(`{"id":"1%s","username":%q,"name":"N","description":%q,"created_at":"2015-01-01T00:00:00.000Z"}`, n, n, echo))
				} else {
					errs = append(errs, fmt.Sprintf(`{"value":%q,"detail":"Could not find user with usernames: [%s].","title":"Not Found Error"}`, n, n))
				}
			}
			fmt.Fprintf(w, `{"data":[%s],"errors":[%s]}`, strings.Join(data, ","), strings.Join(errs, ","))
		case strings.HasPrefix(r.URL.Path, "/2/users/") && strings.HasSuffix(r.URL.Path, "/tweets"):
			id := strings.Split(r.URL.Path, "/")[3]
			fmt.Fprintf(w, `{"data":[{"id":"9%s","text":%q,"author_id":%q,"created_at":"2021-01-01T10:00:00.000Z"}],"meta":{"result_count":1}}`, id, echo, id)
		case fail:
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"title":"Unauthorized","detail":%q}`, echo)
		default:
			fmt.Fprint(w, `{"meta":{"result_count":0}}`)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeX) usernames() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

func writeFile(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCollectTokenNeverLeaves: an X API that echoes the Authorization header in its 200
// bodies and in a 401 error body. Neither stderr, nor the --json error, nor the archive, nor
// the study holds the token.
func TestCollectTokenNeverLeaves(t *testing.T) {
	t.Setenv("ECHOTRACE_X_BEARER_TOKEN", collectToken)
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	srv := newFakeX(t, map[string]bool{"amb": true}, true)
	accounts := writeFile(t, filepath.Join(dir, "handles.txt"), "amb\n")
	archive := filepath.Join(dir, "raw.jsonl")
	_, stderr, code := run(t, "--study", study, "collect", "x", "--api-base", srv.URL, "--accounts", accounts, "--archive", archive)
	if code != ExitFailure || !strings.Contains(stderr, "HTTP 401") {
		t.Fatalf("exit %d, stderr %q; want 1 with the 401", code, stderr)
	}
	jsonOut, _, _ := run(t, "--study", study, "--json", "collect", "x", "--api-base", srv.URL, "--accounts", accounts)
	if !strings.Contains(jsonOut, `"error"`) {
		t.Fatalf("--json output %q lacks the error", jsonOut)
	}
	raw, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	stored := mustRun(t, "--study", study, "sql", "--csv", "SELECT text FROM posts UNION ALL SELECT description FROM accounts UNION ALL SELECT source FROM imports")
	if !strings.Contains(stored, "you sent Bearer REDACTED") || !strings.Contains(string(raw), "you sent Bearer REDACTED") {
		t.Errorf("want the echoed header stored and archived with the token replaced:\nstudy %s\narchive %s", stored, raw)
	}
	for what, s := range map[string]string{"stderr": stderr, "--json error": jsonOut, "archive": string(raw), "study": stored} {
		if p := tokenPiece(s); p != "" {
			t.Errorf("%s holds token piece %q", what, p)
		}
	}
}
