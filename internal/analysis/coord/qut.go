package coord

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// qutHeader is the QUT coordination-network-toolkit's preprocessed CSV layout.
var qutHeader = []string{"message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls"}

// ReadQUT reads the QUT toolkit's CSV layout (message_id, user_id, username, repost_id,
// reply_id, message, timestamp, urls) into an Input with the toolkit's own object rules, so
// that QUT reproduces its networks:
//   - co-repost: object = repost_id, every message with one;
//   - co-text: object = the message lower-cased, @mentions removed, whitespace collapsed
//     (its message_preprocessor), messages without repost_id only;
//   - co-link: objects = the urls field split on spaces (the toolkit's rule, verbatim — a
//     Python-list string therefore yields tokens such as "['http://a'," and "[]"), messages
//     without repost_id only;
//   - co-reply: object = reply_id, messages without repost_id only.
//
// Times are unix seconds with an optional fraction, kept to the microsecond (TimeUnit =
// time.Microsecond). A repeated message_id is ignored after its first row, as the toolkit does.
func ReadQUT(r io.Reader, source string) (Input, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return Input{}, fmt.Errorf("%s: line 1: read header: %w", source, err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	if len(head) != len(qutHeader) {
		return Input{}, fmt.Errorf("%s: line 1: header has %d columns; expected %s", source, len(head), strings.Join(qutHeader, ","))
	}
	for i, h := range head {
		if strings.TrimSpace(h) != qutHeader[i] {
			return Input{}, fmt.Errorf("%s: line 1: column %d is %q; expected %s", source, i+1, h, strings.Join(qutHeader, ","))
		}
	}
	b := NewBuilder()
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Input{}, fmt.Errorf("%s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(qutHeader) {
			return Input{}, fmt.Errorf("%s: line %d: %d fields; expected 8 (%s)", source, line, len(rec), strings.Join(qutHeader, ","))
		}
		msg, user, repost, reply, text, ts, urls := rec[0], rec[1], rec[3], rec[4], rec[5], rec[6], rec[7]
		if msg == "" {
			return Input{}, fmt.Errorf("%s: line %d: field message_id is empty; expected an id", source, line)
		}
		if user == "" {
			return Input{}, fmt.Errorf("%s: line %d: field user_id is empty; expected an id", source, line)
		}
		t, err := parseMicros(ts)
		if err != nil {
			return Input{}, fmt.Errorf("%s: line %d: field timestamp: %q is not unix seconds (expected e.g. 1606451170.518101)", source, line, ts)
		}
		if seen[msg] {
			continue
		}
		seen[msg] = true
		acc := b.Account(user)
		c := b.Content(msg)
		if repost != "" {
			b.Add(CoRepost, acc, b.Object(repost, -1), c, t)
			continue
		}
		b.Add(CoText, acc, b.Object(QUTPreprocess(text), -1), c, t)
		if reply != "" {
			b.Add(CoReply, acc, b.Object(reply, -1), c, t)
		}
		if urls != "" {
			done := map[string]bool{}
			for _, u := range strings.Split(urls, " ") {
				if done[u] { // message_url's key is (message_id, url)
					continue
				}
				done[u] = true
				b.Add(CoLink, acc, b.Object(u, -1), c, t)
			}
		}
	}
	return b.Input(time.Microsecond), nil
}

// QUTPreprocess is the QUT toolkit's message_preprocessor: lower-case, remove every
// "@…" run up to the next whitespace, collapse whitespace.
func QUTPreprocess(s string) string {
	s = strings.ToLower(s)
	var sb strings.Builder
	in := false
	for _, r := range s {
		if in {
			if unicode.IsSpace(r) {
				in = false
				sb.WriteRune(r)
			}
			continue
		}
		if r == '@' {
			in = true
			continue
		}
		sb.WriteRune(r)
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

// parseMicros parses decimal unix seconds ("12", "-3", "1606451170.518101") to microseconds
// exactly (digits past the sixth decimal are truncated).
func parseMicros(s string) (int64, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, errors.New("empty")
	}
	var w int64
	if whole != "" {
		v, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || v > 1<<43 || strings.HasPrefix(whole, "+") {
			return 0, errors.New("not a number")
		}
		w = v
	}
	var f int64
	for i := 0; i < 6; i++ {
		f *= 10
		if i < len(frac) {
			d := frac[i]
			if d < '0' || d > '9' {
				return 0, errors.New("not a number")
			}
			f += int64(d - '0')
		}
	}
	for i := 6; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return 0, errors.New("not a number")
		}
	}
	v := w*1_000_000 + f
	if neg {
		v = -v
	}
	return v, nil
}
