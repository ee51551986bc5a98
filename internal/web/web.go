package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/echotrace/echotrace/internal/store"
)

// Options configure the server.
type Options struct {
	// Token, when set, is required on every request (Authorization: Bearer, or the session
	// cookie set by /?token=). It must be set whenever the server listens on a non-loopback
	// address (CheckListen). Without a token only loopback Host headers are answered.
	Token string
	// Reveal shows the ids, handles, names and bios of non-watchlist accounts (internal use).
	Reveal bool
	// Key is the study's pseudonym key (pseudonym.Key). When empty and Reveal is false, the
	// key is read from the study's "pseudonym_key" document; the server never creates it.
	Key []byte
	// Name is the study name shown on the pages.
	Name string
	// Warnings are further warnings about the stored results from the caller (the command
	// line's: actor groups the study's settings no longer define), shown with the results' own:
	// the pages' banner and /api/overview's warnings.
	Warnings []string
	// Now stamps the pages; time.Now if nil.
	Now func() time.Time
	// RequestTimeout bounds each request's context (default 30 s). LoadTimeout bounds the
	// one-time load of the study's results (default 5 min).
	RequestTimeout, LoadTimeout time.Duration
}

// Session cookie and query parameter names.
const (
	CookieName = "echotrace_session"
	TokenParam = "token"
)

// ContentSecurityPolicy is sent with every response: nothing but inline styles and data:
// images, no script, no frames, no forms.
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// ErrNoKey is returned when pseudonymisation is on but the study has no pseudonym key.
var ErrNoKey = errors.New("the study has no pseudonym key yet: run `echotrace serve` or `echotrace report` once without --reveal, or serve with --reveal")

// Server is the dashboard and API handler. Create it with New.
type Server struct {
	q    store.Querier
	docs store.ResultStore
	opt  Options
	mux  *http.ServeMux

	tokenSum [32]byte // sha256(token), compared in constant time
	session  string   // cookie value derived from the token

	mu      sync.Mutex
	loading chan struct{} // closed when the load in flight ends; nil when none
	snap    *snapshot
	loadErr error
}

// New returns the dashboard handler over a study's store. It reads only: q for the tables
// and docs for the stored documents.
func New(q store.Querier, docs store.ResultStore, opt Options) *Server {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.RequestTimeout <= 0 {
		opt.RequestTimeout = 30 * time.Second
	}
	if opt.LoadTimeout <= 0 {
		opt.LoadTimeout = 5 * time.Minute
	}
	s := &Server{q: q, docs: docs, opt: opt, mux: http.NewServeMux()}
	if opt.Token != "" {
		s.tokenSum = sha256.Sum256([]byte(opt.Token))
		mac := hmac.New(sha256.New, []byte(opt.Token))
		mac.Write([]byte("echotrace serve session v1"))
		s.session = hex.EncodeToString(mac.Sum(nil))
	}
	s.routes()
	return s
}

// ServeHTTP applies the safety rules, then routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "only GET and HEAD are served")
		return
	}
	if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		writeError(w, http.StatusRequestEntityTooLarge, "requests must not have a body")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 0)
	if s.opt.Token == "" && !loopbackHost(r.Host) {
		// DNS rebinding: a page on another site resolved to 127.0.0.1 sends its own name.
		writeError(w, http.StatusMisdirectedRequest, "this server answers only to a loopback host name (127.0.0.1, [::1] or localhost)")
		return
	}
	if s.opt.Token != "" {
		if !s.authorize(w, r) {
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opt.RequestTimeout)
	defer cancel()
	s.mux.ServeHTTP(w, r.WithContext(ctx))
}

// authorize checks the token and reports whether the request may proceed; it has written the
// response otherwise. A valid ?token= sets the session cookie and redirects to the same page
// without it.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	if vals, ok := r.URL.Query()[TokenParam]; ok {
		if len(vals) != 1 || !s.tokenOK(vals[0]) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="echotrace"`)
			writeError(w, http.StatusUnauthorized, "wrong token")
			return false
		}
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: s.session, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 12 * 3600})
		q := r.URL.Query()
		q.Del(TokenParam)
		http.Redirect(w, r, localTarget(r.URL.Path, q), http.StatusSeeOther)
		return false
	}
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, tok, ok := strings.Cut(a, " ")
		if ok && strings.EqualFold(scheme, "Bearer") && s.tokenOK(strings.TrimSpace(tok)) {
			return true
		}
	} else if c, err := r.Cookie(CookieName); err == nil &&
		subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.session)) == 1 {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="echotrace"`)
	writeError(w, http.StatusUnauthorized, "a token is required: open /?token=TOKEN once, or send \"Authorization: Bearer TOKEN\"")
	return false
}

// tokenOK compares t with the token in constant time (over digests, so the length does not
// leak either).
func (s *Server) tokenOK(t string) bool {
	sum := sha256.Sum256([]byte(t))
	return subtle.ConstantTimeCompare(sum[:], s.tokenSum[:]) == 1
}

// localTarget is the redirect address after a token login: the same path on this server,
// never another host ("//evil.example" or "/\evil.example" become "/").
func localTarget(p string, q url.Values) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		p = "/"
	}
	u := url.URL{Path: p, RawQuery: q.Encode()}
	return u.String()
}

// loopbackHost reports whether a Host header names this machine's loopback interface.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// apiError is the body of every error response of the API.
type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encode response"}`)
	}
	writeBytes(w, status, "application/json; charset=utf-8", append(body, '\n'))
}

func writeBytes(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// snapshotFor returns the loaded results, loading them once. The load runs on its own context
// bounded by LoadTimeout, so a request that gives up does not abort it for the others; a
// failed load is retried by the next request.
func (s *Server) snapshotFor(ctx context.Context) (*snapshot, error) {
	s.mu.Lock()
	if s.snap != nil {
		sn := s.snap
		s.mu.Unlock()
		return sn, nil
	}
	done := s.loading
	if done == nil {
		done = make(chan struct{})
		s.loading = done
		go func() {
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opt.LoadTimeout)
			defer cancel()
			sn, err := s.load(lctx)
			s.mu.Lock()
			s.snap, s.loadErr, s.loading = sn, err, nil
			s.mu.Unlock()
			close(done)
		}()
	}
	s.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap != nil {
		return s.snap, nil
	}
	return nil, s.loadErr
}

// Warm loads the study's results now, so that the first request does not wait for them.
func (s *Server) Warm(ctx context.Context) error {
	_, err := s.snapshotFor(ctx)
	return err
}
