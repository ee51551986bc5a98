// Package field parses the fields that connectors meet again and again: times in the many
// layouts platforms and archives use, counts, list columns written as "[a, b]", URLs (expanded
// and normalised), hashtags and handles. Errors say what was expected, for reject reasons.
package field

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/echotrace/echotrace/internal/event"
)

// timeLayouts are tried in order by Time.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.000Z",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	time.RubyDate,                     // Twitter v1.1: Mon Jan 02 15:04:05 -0700 2006
	"Mon, 02 Jan 2006 15:04:05 -0700", // GNIP activity streams / RFC 1123Z
	"1/2/06 15:04",                    // Excel-mangled FiveThirtyEight
	"1/2/2006 15:04",
	"1/2/2006 15:04:05",
	"2006-01-02",
}

// ErrTime is wrapped by Time's errors.
var ErrTime = errors.New("not a time")

// Time parses s as a time in UTC. It accepts RFC 3339 (with or without zone or fraction), the
// "2006-01-02 15:04[:05]" archive layouts, Twitter v1.1's "Mon Jan 02 15:04:05 +0000 2006",
// date-only values, Excel's "1/2/06 15:04" and unix seconds (integer or fractional) or
// milliseconds (13 digits). An empty string is the zero time with no error. Time only parses:
// whether the time is plausible on its platform (not year 0, not year 10000) is decided for
// every connector at once by event.(*Batch).CheckTimes, in the import loop.
func Time(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if c := s[0]; c >= '0' && c <= '9' && !strings.ContainsAny(s, "-/: T") {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			if len(s) >= 13 && !strings.Contains(s, ".") {
				return time.UnixMilli(int64(f)).UTC(), nil
			}
			sec := int64(f)
			ns := int64((f - float64(sec)) * 1e9)
			return time.Unix(sec, ns).UTC(), nil
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q (expected RFC 3339, \"2006-01-02 15:04:05\" or unix seconds)", ErrTime, truncate(s, 40))
}

// Count parses a public count. Empty, "NA", "null" and "None" are event.Unknown; "1.2e3" and
// "1,234" are accepted; negative values are refused.
func Count(s string) (int64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "na", "nan", "null", "none":
		return event.Unknown, nil
	}
	s = strings.ReplaceAll(s, ",", "")
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("negative count %d", n)
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 9e18 {
		return 0, fmt.Errorf("not a count: %q", truncate(s, 40))
	}
	return int64(f), nil
}

// List splits a list column written as "[a, b]", "['a', 'b']", "a,b" or "a b" (when sep is
// ' ') into its trimmed, unquoted, non-empty elements.
func List(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "[")
	s = strings.TrimSuffix(s, "]")
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		p = strings.TrimSpace(p)
		p = strings.Trim(p, `'"`)
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// trackingParams are removed by URL.
var trackingParams = map[string]bool{"fbclid": true, "gclid": true, "igshid": true, "mc_cid": true, "mc_eid": true, "ref_src": true, "s": false}

// URL normalises a URL for co-link matching: lower-case scheme and host, "www." and default
// ports dropped, fragment and utm_*/fbclid/gclid tracking parameters removed, trailing slash
// trimmed, http and https unified to https. Unparseable input is returned trimmed.
func URL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || strings.Contains(u.Hostname(), ":") {
		return raw // not a host we can normalise (IPv6 literals are left as written)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme == "http" {
		u.Scheme = "https"
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimPrefix(host, "www.")
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	u.Host = host
	u.Fragment = ""
	u.RawFragment = ""
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if strings.HasPrefix(strings.ToLower(k), "utm_") || trackingParams[strings.ToLower(k)] {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	u.User = nil
	if u.RawQuery == "" {
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = strings.TrimRight(u.RawPath, "/")
	}
	return u.String()
}

// Domain returns the normalised host of a URL ("" if none).
func Domain(raw string) string {
	u, err := url.Parse(URL(raw))
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// Hashtag normalises a hashtag: without '#', lower case.
func Hashtag(s string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "#")) }

// Handle normalises a handle: without '@', lower case.
func Handle(s string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@")) }

// ValidUTF8 reports whether every field is valid UTF-8, naming the first that is not.
func ValidUTF8(names []string, values []string) (bad string, ok bool) {
	for i, v := range values {
		if !utf8.ValidString(v) {
			if i < len(names) {
				return names[i], false
			}
			return fmt.Sprintf("column %d", i+1), false
		}
	}
	return "", true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
