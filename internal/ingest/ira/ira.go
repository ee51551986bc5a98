package ira

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/csvtable"
	"github.com/echotrace/echotrace/internal/ingest/field"
)

// The layouts' distinguishing columns.
var (
	windowCols  = []string{"author_id", "content", "publish_date", "harvested_date", "following", "followers", "updates", "post_type", "retweet", "language", "region"}
	fiveCols    = []string{"external_author_id", "author", "content", "publish_date", "harvested_date", "following", "followers", "updates", "post_type", "retweet", "language", "region", "tweet_id", "article_url", "tco1_step1", "tco2_step1", "tco3_step1"}
	authorsCols = []string{"author_id", "author", "external_author_id"}
	nbcCols     = []string{"id", "screen_name", "name", "created_at", "followers_count", "friends_count", "statuses_count", "verified", "lang", "location", "description"}
)

type layout int

const (
	window layout = iota + 1
	fivethirtyeight
	authors
	nbcUsers
)

func layoutOf(has func(cols ...string) bool) layout {
	switch {
	case has(fiveCols...):
		return fivethirtyeight
	case has(windowCols...):
		return window
	case has(authorsCols...):
		return authors
	case has(nbcCols...):
		return nbcUsers
	}
	return 0
}

// New returns the "ira" connector.
func New() ingest.Connector { return connector{} }

type connector struct{}

func (connector) Name() string { return "ira" }
func (connector) Describe() string {
	return "IRA troll tweets CSV (FiveThirtyEight / Linvill & Warren layouts, authors.csv, NBC users.csv)"
}

// Detect is certain for the tweet layouts and authors.csv; NBC's users.csv, whose columns are
// generic v1.1 user fields, scores 60.
func (connector) Detect(_ string, head []byte) int {
	switch layoutOf(func(cols ...string) bool { return csvtable.HeaderHas(head, cols...) }) {
	case window, fivethirtyeight, authors:
		return 100
	case nbcUsers:
		return 60
	}
	return 0
}

func (connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	t, err := csvtable.Open(r, src)
	if err != nil {
		return nil, err
	}
	d := &decoder{t: t, seen: map[string]bool{}, occ: map[[32]byte]int{}}
	if len(t.Header()) == 0 {
		return d, nil
	}
	d.layout = layoutOf(func(cols ...string) bool {
		for _, c := range cols {
			if t.Col(c) < 0 {
				return false
			}
		}
		return true
	})
	if d.layout == 0 {
		return nil, fmt.Errorf("%s:1: not an IRA layout: header %s", src, strings.Join(t.Header(), ","))
	}
	return d, nil
}

type decoder struct {
	t      *csvtable.Reader
	layout layout
	seen   map[string]bool  // authors already emitted as accounts from this file
	occ    map[[32]byte]int // occurrences of (author, time, content) so far
}

// f returns the current record's value in the named column.
func (d *decoder) f(name string) string { return d.t.Field(d.t.Col(name)) }

func (d *decoder) Decode(b *event.Batch) error {
	ok, err := d.t.Next(b)
	if err != nil || !ok {
		return err
	}
	switch d.layout {
	case window, fivethirtyeight:
		d.tweet(b)
	case authors:
		d.author(b)
	case nbcUsers:
		d.nbc(b)
	}
	return nil
}

func (d *decoder) tweet(b *event.Batch) {
	t := d.t
	handle := strings.TrimSpace(d.f("author"))
	if d.layout == window {
		handle = strings.TrimSpace(d.f("author_id"))
	}
	if handle == "" {
		col := "author_id"
		if d.layout == fivethirtyeight {
			col = "author"
		}
		t.Reject(b, col, fmt.Sprintf("`%s` is empty; expected the author's handle", col))
		return
	}
	at, ok := d.time(b, "publish_date", true)
	if !ok {
		return
	}
	observed, ok := d.time(b, "harvested_date", false)
	if !ok {
		return
	}
	text := d.f("content")
	p := event.Post{Platform: event.X, AuthorID: strings.ToLower(handle), AuthorHandle: handle, CreatedAt: at,
		Kind: event.KindPost, Text: text, Lang: lang(d.f("language")),
		Hashtags: tokens(text, '#', true), Mentions: tokens(text, '@', true),
		Likes: event.Unknown, Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown,
		Prov: t.Prov()}
	var quoted string
	if d.layout == fivethirtyeight {
		if uid, tid, ok := statusURL(d.f("article_url")); ok {
			p.AuthorID, p.ID = uid, tid
		} else {
			if isInt(d.f("tweet_id")) {
				p.ID = d.f("tweet_id")
			}
			if isInt(d.f("external_author_id")) {
				p.AuthorID = d.f("external_author_id")
			}
		}
		for _, c := range []string{"tco1_step1", "tco2_step1", "tco3_step1"} {
			if u := strings.TrimSpace(d.f(c)); u != "" {
				p.URLs = append(p.URLs, field.URL(u))
				if _, id, ok := statusURL(u); ok && quoted == "" {
					quoted = id
				}
			}
		}
	} else {
		p.URLs = links(text)
	}
	if p.ID == "" {
		p.ID = d.syntheticID(p.AuthorID, at, text)
	}
	pt := strings.ToUpper(strings.TrimSpace(d.f("post_type")))
	switch rt := strings.TrimSpace(d.f("retweet")); {
	case rt == "1" || pt == "R" || pt == "RETWEET":
		p.Kind, p.RefID = event.KindRepost, RepostRef(text)
	case rt != "0" && rt != "":
		t.Reject(b, "retweet", fmt.Sprintf("`retweet` %q is not 0 or 1", trunc(rt)))
		return
	case pt == "Q" || pt == "QUOTE_TWEET":
		p.Kind, p.RefID = event.KindQuote, quoted
		if p.RefID == "" {
			p.RefID = RepostRef(text)
		}
	}
	a := event.Account{Platform: event.X, ID: p.AuthorID, Handle: handle, Location: strings.TrimSpace(d.f("region")),
		Posts: event.Unknown, ObservedAt: observed, Prov: p.Prov}
	for _, c := range []struct {
		name string
		dst  *int64
	}{{"followers", &a.Followers}, {"following", &a.Following}, {"updates", &a.Posts}} {
		n, err := field.Count(d.f(c.name))
		if err != nil {
			t.Reject(b, c.name, fmt.Sprintf("`%s` is not a count: %v", c.name, err))
			return
		}
		*c.dst = n
	}
	if !d.seen[a.ID] {
		d.seen[a.ID] = true
		b.Accounts = append(b.Accounts, a)
	}
	b.Posts = append(b.Posts, p)
}

// syntheticID is the stable id of a tweet that has none (see the package documentation).
func (d *decoder) syntheticID(author string, at time.Time, text string) string {
	base := author + "|" + at.Format("2006-01-02 15:04:05") + "|" + text
	k := sha256.Sum256([]byte(base))
	n := d.occ[k]
	d.occ[k] = n + 1
	sum := sha256.Sum256([]byte(base + "|" + strconv.Itoa(n)))
	return "ira:" + hex.EncodeToString(sum[:])[:20]
}

// RepostRef is the synthetic id of the original of a retweet whose text is text:
// "irart:" + hex(sha256(text))[:20].
func RepostRef(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "irart:" + hex.EncodeToString(sum[:])[:20]
}

func (d *decoder) time(b *event.Batch, col string, required bool) (time.Time, bool) {
	v := strings.TrimSpace(d.f(col))
	if v == "" && !required {
		return time.Time{}, true
	}
	tm, err := field.Time(v)
	if err != nil || tm.IsZero() {
		d.t.Reject(b, col, fmt.Sprintf("`%s` is not a time: %q; expected \"2006-01-02 15:04:05\" or \"1/2/06 15:04\"", col, trunc(v)))
		return time.Time{}, false
	}
	return tm, true
}

// author reads a row of authors.csv.
func (d *decoder) author(b *event.Batch) {
	id := strings.TrimSpace(d.f("author_id"))
	if id == "" {
		d.t.Reject(b, "author_id", "`author_id` is empty; expected the author's key")
		return
	}
	b.Accounts = append(b.Accounts, event.Account{Platform: event.X, ID: strings.ToLower(id), Handle: strings.TrimSpace(d.f("author")),
		Followers: event.Unknown, Following: event.Unknown, Posts: event.Unknown, Prov: d.t.Prov()})
}

// nbc reads a row of NBC News's users.csv.
func (d *decoder) nbc(b *event.Batch) {
	t := d.t
	a := event.Account{Platform: event.X, ID: strings.TrimSpace(d.f("id")), Handle: strings.TrimSpace(d.f("screen_name")),
		Name: d.f("name"), Description: d.f("description"), Location: d.f("location"), Lang: d.f("lang"), Prov: t.Prov()}
	if a.ID == "" {
		// NBC reconstructed some deleted accounts from their handle alone; identify them as
		// the window files do, by the lower-cased handle.
		a.ID = strings.ToLower(a.Handle)
	}
	if a.ID == "" {
		t.Reject(b, "id", "`id` and `screen_name` are empty; expected the user id or handle")
		return
	}
	var err error
	for _, c := range []struct {
		name string
		dst  *int64
	}{{"followers_count", &a.Followers}, {"friends_count", &a.Following}, {"statuses_count", &a.Posts}} {
		if *c.dst, err = field.Count(d.f(c.name)); err != nil {
			t.Reject(b, c.name, fmt.Sprintf("`%s` is not a count: %v", c.name, err))
			return
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(d.f("verified"))); v {
	case "true", "1":
		a.Verified = true
	case "false", "0", "":
	default:
		t.Reject(b, "verified", fmt.Sprintf("`verified` %q is not true or false", trunc(v)))
		return
	}
	if a.CreatedAt, err = field.Time(d.f("created_at")); err != nil {
		t.Reject(b, "created_at", "`created_at` is not a time; expected \"Mon Jan 02 15:04:05 +0000 2006\"")
		return
	}
	b.Accounts = append(b.Accounts, a)
}

// statusURL extracts the user and status ids from "http(s)://twitter.com/<user>/status(es)/<id>…"
// when <id> is a plain integer.
func statusURL(u string) (user, id string, ok bool) {
	u = strings.TrimSpace(u)
	for _, p := range []string{"https://", "http://"} {
		u = strings.TrimPrefix(u, p)
	}
	u = strings.TrimPrefix(u, "www.")
	u = strings.TrimPrefix(u, "mobile.")
	rest, ok := strings.CutPrefix(u, "twitter.com/")
	if !ok {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 3 || parts[0] == "" || (parts[1] != "statuses" && parts[1] != "status") || !isInt(parts[2]) {
		return "", "", false
	}
	return parts[0], parts[2], true
}

func isInt(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// tokens returns the #hashtags or @mentions in text (marker '#' or '@'), lower-cased, without
// the marker.
func tokens(text string, marker byte, lower bool) []string {
	var out []string
	for i := 0; i < len(text); i++ {
		if text[i] != marker || (i > 0 && isWord(text[i-1])) {
			continue
		}
		j := i + 1
		for j < len(text) && isWord(text[j]) {
			j++
		}
		if j > i+1 {
			tok := text[i+1 : j]
			if lower {
				tok = strings.ToLower(tok)
			}
			out = append(out, tok)
		}
		i = j - 1
	}
	return out
}

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// links returns the http(s) links in text, normalised.
func links(text string) []string {
	var out []string
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") {
			out = append(out, field.URL(w))
		}
	}
	return out
}

// langs maps the language names of the data to ISO 639-1 codes.
var langs = map[string]string{
	"english": "en", "russian": "ru", "ukrainian": "uk", "bulgarian": "bg", "serbian": "sr",
	"uzbek": "uz", "german": "de", "macedonian": "mk", "french": "fr", "spanish": "es",
	"italian": "it", "arabic": "ar", "vietnamese": "vi", "farsi (persian)": "fa", "norwegian": "no",
	"estonian": "et", "romanian": "ro", "dutch": "nl", "japanese": "ja", "croatian": "hr",
	"albanian": "sq", "polish": "pl", "icelandic": "is", "portuguese": "pt", "catalan": "ca",
	"swedish": "sv", "lithuanian": "lt", "turkish": "tr", "kurdish": "ku", "slovenian": "sl",
	"hungarian": "hu", "slovak": "sk", "czech": "cs", "hindi": "hi", "finnish": "fi",
	"somali": "so", "latvian": "lv", "malay": "ms", "hebrew": "he", "danish": "da",
	"greek": "el", "chinese": "zh", "korean": "ko", "indonesian": "id", "tagalog": "tl",
	"belarusian": "be", "kazakh": "kk", "georgian": "ka", "armenian": "hy", "azerbaijani": "az",
	"bosnian": "bs", "pashto": "ps", "urdu": "ur", "thai": "th", "tamil": "ta", "unknown": "",
}

// lang maps a language name to its ISO 639-1 code, or returns it as written.
func lang(name string) string {
	name = strings.TrimSpace(name)
	if c, ok := langs[strings.ToLower(name)]; ok {
		return c
	}
	return name
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
