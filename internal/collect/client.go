package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors of the collectors.
var (
	// ErrGiveUp is returned when a request still fails after the last retry.
	ErrGiveUp = errors.New("request failed after retries")
	// ErrNoToken is returned when a platform needs a token and none is in the environment.
	ErrNoToken = errors.New("no API token in the environment")
	// ErrNoAccounts is returned by a collector when none of the accounts it was given was found
	// on the platform, so that nothing could be collected.
	ErrNoAccounts = errors.New("none of the accounts was found")
	// ErrTooLarge is returned, at once and not retried, for a response whose body is larger
	// than Client.MaxBody: the same request would bring the same body again.
	ErrTooLarge = errors.New("response too large")
)

// noneFound is the ErrNoAccounts error for the accounts of a platform.
func noneFound(platform string, accounts []string) error {
	list := accounts
	if len(list) > 5 {
		list = append(list[:5:5], fmt.Sprintf("and %d more", len(accounts)-5))
	}
	return fmt.Errorf("%s: %w (%s): check the handles, and whether the accounts were renamed, suspended or deleted",
		platform, ErrNoAccounts, strings.Join(list, ", "))
}

// Client is an HTTP client for JSON APIs with retries and rate-limit handling.
type Client struct {
	Base       string       // e.g. https://api.x.com; --api-base replaces it
	HTTP       *http.Client // default: 30 s timeout; used through a copy (see checkRedirect)
	Token      string       // bearer token; never logged
	UserAgent  string
	MaxRetries int           // default 6
	MinBackoff time.Duration // default 1 s
	MaxBackoff time.Duration // default 15 min
	MaxBody    int64         // default 64 MiB
	// Sleep waits for d or until ctx is done; tests replace it to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
	Rand  *rand.Rand
	// Logf receives one line per retry or wait (never the token or query secrets).
	Logf func(format string, args ...any)
	// Secrets are other credentials the client holds (an API key, an app password): like the
	// token, they are removed from everything that leaves the client (see scrub).
	Secrets []string
	// Requests counts the HTTP requests made, retries included.
	Requests int

	guarded bool              // HTTP is our copy, with checkRedirect installed
	rep     *strings.Replacer // removes the secrets' forms; built for repKey
	repKey  string
}

// Response is a successful response's body and headers.
type Response struct {
	Body   []byte
	Header http.Header
	URL    string // the URL requested, without credentials
}

// HTTPError is a non-retryable HTTP error status.
type HTTPError struct {
	Status int
	URL    string
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d: %s", e.URL, e.Status, e.Body)
}

func (c *Client) defaults() {
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if !c.guarded {
		// A copy, so that the caller's client is not changed, that never forwards the
		// credentials to another origin.
		hc := *c.HTTP
		hc.CheckRedirect = c.checkRedirect(hc.CheckRedirect)
		c.HTTP = &hc
		c.guarded = true
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 6
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = time.Second
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 15 * time.Minute
	}
	if c.MaxBody == 0 {
		c.MaxBody = 64 << 20
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	if c.UserAgent == "" {
		c.UserAgent = "echotrace (research; +https://github.com/echotrace/echotrace)"
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Get fetches Base+path?query and returns a body that is valid JSON. 429 and 5xx responses,
// network errors, timeouts and bodies that are not valid JSON (truncated) are retried with
// exponential backoff and jitter, waiting for the rate-limit reset when the server names one.
// Other 4xx statuses return an *HTTPError at once, and a body over MaxBody ErrTooLarge.
//
// Nothing Get returns or logs holds a secret of the client: the response's body, headers and
// URL, the error's text and the log lines are scrubbed of every form of the token and Secrets
// (see scrub), and a redirect to another origin is followed without them (checkRedirect).
func (c *Client) Get(ctx context.Context, path string, query url.Values) (*Response, error) {
	c.defaults()
	resp, err := c.get(ctx, path, query)
	if err != nil {
		return nil, c.scrubErr(err)
	}
	return resp, nil
}

func (c *Client) get(ctx context.Context, path string, query url.Values) (*Response, error) {
	u := strings.TrimRight(c.Base, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var lastErr error
	for attempt := 0; attempt <= c.MaxRetries; attempt++ {
		if attempt > 0 {
			wait := c.backoff(attempt)
			var he *retryAfter
			if errors.As(lastErr, &he) && he.wait > 0 {
				wait = he.wait + time.Duration(c.Rand.Int64N(int64(time.Second)))
			}
			c.logf("retry %d/%d in %s: %v", attempt, c.MaxRetries, wait.Round(time.Millisecond), lastErr)
			if err := c.Sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
		resp, err := c.once(ctx, u)
		if err == nil {
			// Proactive pacing: when the window is exhausted, wait for its reset before the
			// next request rather than provoking a 429.
			if w := c.resetWait(resp.Header, true); w > 0 {
				c.logf("rate limit exhausted; waiting %s for the window to reset", w.Round(time.Second))
				if err := c.Sleep(ctx, w); err != nil {
					return nil, err
				}
			}
			return resp, nil
		}
		var he *HTTPError
		if errors.As(err, &he) || errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lastErr = err
	}
	return nil, fmt.Errorf("%w: %s: %v", ErrGiveUp, redact(u), lastErr)
}

// retryAfter is a retryable failure, with the wait the server asked for (0: use backoff).
type retryAfter struct {
	wait time.Duration
	err  error
}

func (r *retryAfter) Error() string { return r.err.Error() }

func (c *Client) once(ctx context.Context, u string) (*Response, error) {
	c.Requests++
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, &HTTPError{Status: 0, URL: redact(u), Body: err.Error()}
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	req.Header.Set("User-Agent", c.UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		// A *url.Error repeats the URL unredacted (query secrets included): keep its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &retryAfter{err: fmt.Errorf("GET %s: %w", redact(u), err)}
	}
	defer resp.Body.Close()
	// One byte past the limit tells a body over it from one that fits exactly; a body cut at
	// the limit would otherwise read as truncated JSON and be retried.
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, c.MaxBody+1))
	// Scrubbed first, whatever the status: an error body is cut to a snippet below, which could
	// otherwise keep part of an echoed token; a good one is archived and decoded by the caller.
	body = c.scrubBytes(body)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &retryAfter{wait: c.resetWait(resp.Header, false), err: fmt.Errorf("GET %s: HTTP 429 rate limited", redact(u))}
	case resp.StatusCode >= 500:
		return nil, &retryAfter{wait: c.resetWait(resp.Header, false), err: fmt.Errorf("GET %s: HTTP %d", redact(u), resp.StatusCode)}
	case resp.StatusCode >= 400:
		return nil, &HTTPError{Status: resp.StatusCode, URL: redact(u), Body: snippet(body)}
	}
	if int64(len(body)) > c.MaxBody {
		return nil, fmt.Errorf("GET %s: %w: response over %d bytes (the client's MaxBody); not retried", redact(u), ErrTooLarge, c.MaxBody)
	}
	if rerr != nil {
		return nil, &retryAfter{err: fmt.Errorf("GET %s: reading body: %w", redact(u), rerr)}
	}
	if !json.Valid(body) {
		return nil, &retryAfter{err: fmt.Errorf("GET %s: truncated or invalid JSON body (%d bytes)", redact(u), len(body))}
	}
	return &Response{Body: body, Header: c.scrubHeader(resp.Header), URL: c.scrub(redact(u))}, nil
}

// resetWait reads the rate-limit headers: Retry-After (seconds or HTTP date); X's
// x-rate-limit-reset and Bluesky's ratelimit-reset (unix seconds); Mastodon's
// X-RateLimit-Reset (ISO 8601). With onlyIfExhausted, a wait is returned only when the
// remaining count header says 0.
func (c *Client) resetWait(h http.Header, onlyIfExhausted bool) time.Duration {
	if onlyIfExhausted {
		rem := firstHeader(h, "x-rate-limit-remaining", "ratelimit-remaining", "x-ratelimit-remaining")
		if rem == "" || rem != "0" {
			return 0
		}
	}
	if ra := h.Get("Retry-After"); ra != "" && !onlyIfExhausted {
		if s, err := strconv.Atoi(ra); err == nil {
			return clampWait(time.Duration(s)*time.Second, c.MaxBackoff)
		}
		if t, err := http.ParseTime(ra); err == nil {
			return clampWait(t.Sub(c.Now()), c.MaxBackoff)
		}
	}
	reset := firstHeader(h, "x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset")
	if reset == "" {
		return 0
	}
	if s, err := strconv.ParseInt(reset, 10, 64); err == nil {
		if s > 1e9 { // an epoch
			return clampWait(time.Unix(s, 0).Sub(c.Now()), c.MaxBackoff)
		}
		return clampWait(time.Duration(s)*time.Second, c.MaxBackoff) // seconds from now
	}
	if t, err := time.Parse(time.RFC3339Nano, reset); err == nil {
		return clampWait(t.Sub(c.Now()), c.MaxBackoff)
	}
	return 0
}

func clampWait(d, maxWait time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return min(d, maxWait)
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// backoff is min(MaxBackoff, MinBackoff·2^(attempt−1)) with full jitter over its upper half.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.MinBackoff << min(attempt-1, 20)
	if d > c.MaxBackoff || d <= 0 {
		d = c.MaxBackoff
	}
	half := d / 2
	return half + time.Duration(c.Rand.Int64N(int64(half)+1))
}

// redact drops credentials that may sit in a URL's query (token=, access_token=, key=).
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	q := p.Query()
	for k := range q {
		switch strings.ToLower(k) {
		case "token", "access_token", "bearer_token", "key", "api_key", "apikey":
			q.Set(k, "REDACTED")
		}
	}
	p.RawQuery = q.Encode()
	p.User = nil
	return p.String()
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
