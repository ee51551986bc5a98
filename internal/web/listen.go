package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"
	"unicode"
)

// MinTokenLen is the shortest token accepted for a non-loopback address.
const MinTokenLen = 16

// Sentinel errors of the listening rules.
var (
	// ErrNeedToken: a non-loopback address was asked for without a token.
	ErrNeedToken = errors.New("listening on a non-loopback address needs --token (anyone on the network could read the study otherwise)")
	// ErrWeakToken: the token is too short or holds spaces or control characters.
	ErrWeakToken = fmt.Errorf("the token must be at least %d characters without spaces (e.g. `openssl rand -hex 24`)", MinTokenLen)
)

// CheckListen validates a listen address ("host:port") and token before binding: the host
// must be an IP address or "localhost"; a non-loopback host (an empty host means every
// interface) needs a token; a token, when given, must be strong enough.
func CheckListen(addr, token string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: want host:port, e.g. 127.0.0.1:8080: %w", addr, err)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("--listen %q: bad port %q", addr, port)
	}
	if token != "" && !strongToken(token) {
		return ErrWeakToken
	}
	if host != "" && !strings.EqualFold(host, "localhost") && net.ParseIP(host) == nil {
		return fmt.Errorf("--listen %q: the host must be an IP address or localhost", addr)
	}
	if !loopbackHost(host) && token == "" {
		return ErrNeedToken
	}
	return nil
}

// TokenFile reads a token from a file that only its owner can read (mode 0600 or stricter;
// not checked on Windows, which has no such modes). Surrounding white space is dropped.
func TokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("token file %s: not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return "", fmt.Errorf("token file %s: others can read it (mode %v); run chmod 600 %s", path, perm, path)
	}
	if info.Size() > 4096 {
		return "", fmt.Errorf("token file %s: larger than 4 KiB; want just the token", path)
	}
	body := make([]byte, info.Size())
	if _, err := io.ReadFull(f, body); err != nil {
		return "", fmt.Errorf("token file %s: %w", path, err)
	}
	tok := strings.TrimSpace(string(body))
	if tok == "" {
		return "", fmt.Errorf("token file %s: empty", path)
	}
	return tok, nil
}

func strongToken(t string) bool {
	if len(t) < MinTokenLen {
		return false
	}
	for _, r := range t {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// Listen binds addr after CheckListen, and checks again on the bound address that a listener
// without a token is on a loopback interface ("localhost" could resolve elsewhere).
func Listen(ctx context.Context, addr, token string) (net.Listener, error) {
	if err := CheckListen(addr, token); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); token == "" && (!ok || !tcp.IP.IsLoopback()) {
		ln.Close()
		return nil, ErrNeedToken
	}
	return ln, nil
}

// NewHTTPServer wraps h in an http.Server with limits on every phase of a request: headers
// within 5 s and 16 KiB, the whole request within 10 s, the response within 60 s, idle
// connections closed after 2 min. errorLog receives the server's own errors (never request
// addresses or tokens); nil discards them.
func NewHTTPServer(h http.Handler, errorLog *log.Logger) *http.Server {
	if errorLog == nil {
		errorLog = log.New(discard{}, "", 0)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          errorLog,
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Serve serves h on ln until ctx is cancelled, then shuts down gracefully: it stops accepting,
// lets requests in flight finish for up to grace, and closes the rest.
func Serve(ctx context.Context, ln net.Listener, srv *http.Server, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
