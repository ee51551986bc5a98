package qut

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/csvtable"
)

// Header is the toolkit's preprocessed CSV header.
const Header = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls"

// New returns the "qut" connector.
func New() ingest.Connector { return connector{} }

type connector struct{}

func (connector) Name() string { return "qut" }
func (connector) Describe() string {
	return "QUT coordination-network-toolkit preprocessed CSV (" + Header + ")"
}

// Detect is certain when the header has the toolkit's eight columns, in any order.
func (connector) Detect(_ string, head []byte) int {
	if csvtable.HeaderHas(head, strings.Split(Header, ",")...) {
		return 100
	}
	return 0
}

func (connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	t, err := csvtable.Open(r, src)
	if err != nil {
		return nil, err
	}
	d := &decoder{t: t, users: map[string]bool{}}
	if len(t.Header()) > 0 {
		if d.col, err = t.Require(strings.Split(Header, ",")...); err != nil {
			return nil, err
		}
	}
	return d, nil
}

type decoder struct {
	t     *csvtable.Reader
	col   []int
	users map[string]bool // user ids already emitted as accounts
}

func (d *decoder) Decode(b *event.Batch) error {
	ok, err := d.t.Next(b)
	if err != nil || !ok {
		return err
	}
	t, c := d.t, d.col
	p := event.Post{
		Platform:     event.X,
		ID:           strings.TrimSpace(t.Field(c[0])),
		AuthorID:     strings.TrimSpace(t.Field(c[1])),
		AuthorHandle: strings.TrimSpace(t.Field(c[2])),
		Kind:         event.KindPost,
		Text:         t.Field(c[5]),
		Likes:        event.Unknown, Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown,
		Prov: t.Prov(),
	}
	if p.ID == "" {
		t.Reject(b, "message_id", "`message_id` is empty; expected an id")
		return nil
	}
	if p.AuthorID == "" {
		t.Reject(b, "user_id", "`user_id` is empty; expected an id")
		return nil
	}
	if rp := strings.TrimSpace(t.Field(c[3])); rp != "" {
		p.Kind, p.RefID = event.KindRepost, rp
	} else if rp := strings.TrimSpace(t.Field(c[4])); rp != "" {
		p.Kind, p.RefID = event.KindReply, rp
	}
	if p.CreatedAt, err = UnixTime(t.Field(c[6])); err != nil {
		t.Reject(b, "timestamp", "`timestamp` "+err.Error())
		return nil
	}
	if p.URLs, err = PyList(t.Field(c[7])); err != nil {
		t.Reject(b, "urls", "`urls` "+err.Error())
		return nil
	}
	if !d.users[p.AuthorID] {
		d.users[p.AuthorID] = true
		b.Accounts = append(b.Accounts, event.Account{Platform: event.X, ID: p.AuthorID, Handle: p.AuthorHandle,
			Followers: event.Unknown, Following: event.Unknown, Posts: event.Unknown, Prov: p.Prov})
	}
	b.Posts = append(b.Posts, p)
	return nil
}

// UnixTime parses unix seconds written as an integer or a decimal fraction ("0",
// "1606451170.518101") into a UTC time, exactly to the nanosecond (digits beyond the ninth are
// dropped).
func UnixTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("is not unix seconds: %q (expected e.g. 1606451170.518101)", trunc(s))
	if s == "" {
		return time.Time{}, errors.New("is empty; expected unix seconds (e.g. 1606451170.518101)")
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || whole[0] == '+' || whole[0] == '-' {
		return time.Time{}, bad
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || sec > 1<<40 {
		return time.Time{}, bad
	}
	var ns int64
	for i := 0; i < 9; i++ {
		ns *= 10
		if i < len(frac) {
			ch := frac[i]
			if ch < '0' || ch > '9' {
				return time.Time{}, bad
			}
			ns += int64(ch - '0')
		}
	}
	for i := 9; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return time.Time{}, bad
		}
	}
	return time.Unix(sec, ns).UTC(), nil
}

// PyList parses a Python list of strings as repr() writes it — "['a', 'b']", with elements in
// single or double quotes and backslash escapes — or an empty field, into its elements. A bare
// element without quotes is taken as written.
func PyList(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "[]" {
		return nil, nil
	}
	if s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("is not a Python list: %q (expected e.g. ['http://a', 'http://b'])", trunc(s))
	}
	in := s[1 : len(s)-1]
	var out []string
	for i := 0; ; {
		for i < len(in) && in[i] == ' ' {
			i++
		}
		if i == len(in) {
			if len(out) > 0 {
				return nil, fmt.Errorf("has a trailing comma: %q", trunc(s))
			}
			return out, nil
		}
		var elem string
		if q := in[i]; q == '\'' || q == '"' {
			var b strings.Builder
			j := i + 1
			for ; j < len(in) && in[j] != q; j++ {
				if in[j] == '\\' && j+1 < len(in) {
					j++
				}
				b.WriteByte(in[j])
			}
			if j == len(in) {
				return nil, fmt.Errorf("has an unterminated string: %q", trunc(s))
			}
			elem, i = b.String(), j+1
		} else {
			j := strings.IndexByte(in[i:], ',')
			if j < 0 {
				j = len(in) - i
			}
			elem, i = strings.TrimSpace(in[i:i+j]), i+j
		}
		out = append(out, elem)
		for i < len(in) && in[i] == ' ' {
			i++
		}
		if i == len(in) {
			return out, nil
		}
		if in[i] != ',' {
			return nil, fmt.Errorf("is not a Python list: %q (expected comma-separated quoted strings)", trunc(s))
		}
		i++
	}
}

func trunc(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
