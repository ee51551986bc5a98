package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckListen(t *testing.T) {
	t.Parallel()
	const strong = "0123456789abcdef"
	for _, tc := range []struct {
		addr, token string
		want        error // nil: accepted; errAny: any error
	}{
		{"127.0.0.1:8080", "", nil},
		{"localhost:8080", "", nil},
		{"[::1]:8080", "", nil},
		{"127.0.0.2:0", "", nil},
		{"0.0.0.0:8080", "", ErrNeedToken},
		{":8080", "", ErrNeedToken}, // every interface
		{"[::]:8080", "", ErrNeedToken},
		{"192.168.1.5:8080", "", ErrNeedToken},
		{"192.168.1.5:8080", strong, nil},
		{"0.0.0.0:8080", strong, nil},
		{"0.0.0.0:8080", "short", ErrWeakToken},
		{"127.0.0.1:8080", "short", ErrWeakToken},           // a given token is checked even on loopback
		{"0.0.0.0:8080", "0123456789 abcdef", ErrWeakToken}, // space
		{"0.0.0.0:8080", "0123456789\x00abcdef", ErrWeakToken},
		{"example.org:8080", strong, errAny}, // names other than localhost could resolve anywhere
		{"127.0.0.1", "", errAny},            // no port
		{"127.0.0.1:http-ish", "", errAny},
		{"127.0.0.1:99999", "", errAny},
	} {
		err := CheckListen(tc.addr, tc.token)
		switch {
		case tc.want == nil && err != nil:
			t.Errorf("CheckListen(%q, %q) = %v, want ok", tc.addr, tc.token, err)
		case tc.want == errAny && err == nil:
			t.Errorf("CheckListen(%q, %q) accepted", tc.addr, tc.token)
		case tc.want != nil && tc.want != errAny && !errors.Is(err, tc.want):
			t.Errorf("CheckListen(%q, %q) = %v, want %v", tc.addr, tc.token, err, tc.want)
		}
	}
}

var errAny = errors.New("any error")

// TestServe binds a loopback port, serves a request through real TCP with the server's
// limits, and shuts down when the context is cancelled.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := Listen(ctx, "127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewHTTPServer(newServer(Options{}), nil)
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("server without limits: %+v", srv)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, srv, time.Second) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/overview")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"target_reposts":50`) {
		t.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil after shutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/api/overview"); err == nil {
		t.Error("still serving after shutdown")
	}
	if _, err := Listen(context.Background(), "0.0.0.0:0", ""); !errors.Is(err, ErrNeedToken) {
		t.Errorf("Listen on every interface without a token = %v", err)
	}
}

func TestTokenFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // umask may have narrowed it
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, path, want string
		ok               bool
	}{
		{"private, trailing newline", write("ok", "0123456789abcdef0123\n", 0o600), "0123456789abcdef0123", true},
		{"owner read-only", write("ro", "  tok-0123456789abcdef  ", 0o400), "tok-0123456789abcdef", true},
		{"group readable", write("group", "0123456789abcdef0123", 0o640), "", false},
		{"world readable", write("world", "0123456789abcdef0123", 0o644), "", false},
		{"empty", write("empty", "\n", 0o600), "", false},
		{"too large", write("large", strings.Repeat("x", 5000), 0o600), "", false},
		{"missing", filepath.Join(dir, "none"), "", false},
		{"a folder", dir, "", false},
	} {
		got, err := TokenFile(tc.path)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("%s: TokenFile = %q, %v; want %q", tc.name, got, err, tc.want)
		}
		if !tc.ok && err == nil {
			t.Errorf("%s: TokenFile accepted %q", tc.name, got)
		}
	}
}
