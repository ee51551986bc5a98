package collect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// redacted replaces a secret wherever the client finds one.
const redacted = "REDACTED"

// minEncodedSecret is the shortest base64 core (see secretForms) worth replacing: a shorter one
// could match unrelated encoded text.
const minEncodedSecret = 16

// secretForms returns the ways secret s can reach text the client did not write, longest
// first:
//
//   - as sent, and URL-decoded: X bearer tokens are themselves URL-encoded ("…%2F…%3D") and a
//     server may echo them decoded;
//   - URL-encoded (query or path escaping), as in an echoed request URL;
//   - JSON-escaped, by an encoder that escapes '/' as `\/` or & < > as \u0026 …;
//   - base64 in the standard and URL alphabets, inside a longer encoded string (a Basic
//     credential, an encoded copy of the request headers): s may start at any of three byte
//     alignments, and for each the characters that depend on s alone are replaced.
func secretForms(s string) []string {
	if s == "" {
		return nil
	}
	bases := []string{s}
	if u, err := url.QueryUnescape(s); err == nil && u != s {
		bases = append(bases, u)
	}
	var forms []string
	for _, b := range bases {
		forms = append(forms, b, url.QueryEscape(b), url.PathEscape(b), strings.ReplaceAll(b, "/", `\/`))
		if j, err := json.Marshal(b); err == nil {
			q := string(j[1 : len(j)-1])
			forms = append(forms, q, strings.ReplaceAll(q, "/", `\/`))
		}
		for skip := range 3 {
			if skip >= len(b) {
				break
			}
			rest := b[skip:]
			core := rest[:len(rest)/3*3]
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
				if e := enc.EncodeToString([]byte(core)); len(e) >= minEncodedSecret {
					forms = append(forms, e)
				}
			}
		}
	}
	return longestFirst(forms)
}

// longestFirst sorts forms longest first (so that a form is replaced before any shorter one
// it contains) and drops repeats.
func longestFirst(forms []string) []string {
	slices.SortFunc(forms, func(a, b string) int {
		if d := len(b) - len(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(forms)
}

// scrubber returns the replacer of every form of the token and Secrets, or nil when the client
// holds none.
func (c *Client) scrubber() *strings.Replacer {
	key := c.Token + "\x00" + strings.Join(c.Secrets, "\x00")
	if c.rep != nil && c.repKey == key {
		return c.rep
	}
	var forms []string
	for _, s := range append([]string{c.Token}, c.Secrets...) {
		forms = append(forms, secretForms(s)...)
	}
	forms = longestFirst(forms)
	if len(forms) == 0 {
		c.rep, c.repKey = nil, key
		return nil
	}
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redacted)
	}
	c.rep, c.repKey = strings.NewReplacer(pairs...), key
	return c.rep
}

// scrub returns s with every form of the client's secrets replaced by REDACTED.
func (c *Client) scrub(s string) string {
	if r := c.scrubber(); r != nil {
		return r.Replace(s)
	}
	return s
}

func (c *Client) scrubBytes(b []byte) []byte {
	r := c.scrubber()
	if r == nil {
		return b
	}
	if s := r.Replace(string(b)); s != string(b) {
		return []byte(s)
	}
	return b
}

// scrubHeader returns h, or a copy of it scrubbed when a value holds a secret (a Link header
// repeating the request's query, a debugging header echoing the request's).
func (c *Client) scrubHeader(h http.Header) http.Header {
	var out http.Header
	for k, vs := range h {
		for i, v := range vs {
			if s := c.scrub(v); s != v {
				if out == nil {
					out = h.Clone()
				}
				out[k][i] = s
			}
		}
	}
	if out == nil {
		return h
	}
	return out
}

// logf formats one log line and hands it to Logf scrubbed.
func (c *Client) logf(format string, args ...any) {
	c.Logf("%s", c.scrub(fmt.Sprintf(format, args...)))
}

// scrubbedError is an error whose text held a secret. It matches only the sentinels the
// original matched, and does not unwrap to the original, whose text still holds the secret.
type scrubbedError struct {
	msg string
	is  []error
}

func (e *scrubbedError) Error() string   { return e.msg }
func (e *scrubbedError) Unwrap() []error { return e.is }

// scrubErr returns err with the client's secrets removed from its text. An *HTTPError keeps
// its type (callers read its status and body); another error is returned as it is when its
// text holds no secret, and otherwise as a scrubbedError.
func (c *Client) scrubErr(err error) error {
	if he, ok := err.(*HTTPError); ok {
		return &HTTPError{Status: he.Status, URL: c.scrub(he.URL), Body: c.scrub(he.Body)}
	}
	msg := err.Error()
	if s := c.scrub(msg); s != msg {
		return &scrubbedError{msg: s, is: sentinels(err)}
	}
	return err
}

// sentinels lists the errors callers test for with errors.Is that err matches.
func sentinels(err error) []error {
	var out []error
	for _, s := range []error{ErrGiveUp, ErrTooLarge, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

// checkRedirect returns a redirect policy (wrapping next, the client's own, if any) that drops
// the credentials from a redirect leaving the origin — scheme, host and port — of the first
// request, and from every hop after one that did. Go's client drops the Authorization header
// only when the host name changes to one that is not a subdomain of the first: a different
// port, a subdomain, or https → http on the same host keep it.
func (c *Client) checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		first := origin(via[0].URL)
		cross := origin(req.URL) != first
		for _, r := range via[1:] {
			cross = cross || origin(r.URL) != first
		}
		if cross {
			for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie", "Referer"} {
				req.Header.Del(h)
			}
			c.logf("redirected to another origin (%s): credentials not sent", origin(req.URL))
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// origin is a URL's scheme, host and port (the scheme's default when none is written).
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	return scheme + "://" + host + ":" + port
}
