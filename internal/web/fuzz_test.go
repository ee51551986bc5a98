package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest sends arbitrary paths and queries (untrusted input) to a pseudonymised server
// and to a token-protected one: no request may fail with 500, leak a private account, return
// invalid JSON from the API, or pass the token check without the token. Seeds are in
// testdata/fuzz/FuzzRequest.
func FuzzRequest(f *testing.F) {
	for _, s := range []string{"/", "/api/overview", "/api/clusters?limit=1000&offset=0", "/api/clusters/0?limit=1",
		"/api/accounts/ID9001", "/api/accounts/@AmbA?platform=x", "/api/weekly?account=AmbA", "/clusters/0",
		"/?token=x", "/api/clusters/%30", "/api/accounts/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/report?token=&token="} {
		f.Add(s)
	}
	open := newServer(Options{})
	locked := newServer(Options{Token: "fuzz-token-0123456789abcdef"})
	f.Fuzz(func(t *testing.T, target string) {
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+target, nil)
		if err != nil || req.URL.Host != "127.0.0.1:8080" {
			return // not a request a client could send to this server
		}
		req.RequestURI = req.URL.RequestURI()
		rec := httptest.NewRecorder()
		open.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: status %d: %s", target, rec.Code, rec.Body.String())
		}
		body := rec.Body.String()
		for _, s := range secrets {
			if strings.Contains(body, s) && !strings.Contains(target, s) {
				t.Fatalf("%q reveals %q", target, s)
			}
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%q: invalid JSON: %s", target, body)
		}
		rec = httptest.NewRecorder()
		locked.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("%q without the token: status %d", target, rec.Code)
		}
	})
}
