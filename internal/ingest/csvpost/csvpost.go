package csvpost

import (
	"fmt"
	"io"
	"strings"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/csvtable"
	"github.com/echotrace/echotrace/internal/ingest/field"
)

// New returns the "csv" connector reading columns as m says; the zero Mapping means
// DefaultMapping.
func New(m Mapping) ingest.Connector {
	def := m == Mapping{}
	if def {
		m = DefaultMapping()
	}
	return &connector{m: m, def: def}
}

type connector struct {
	m   Mapping
	def bool // m is DefaultMapping: its optional columns may be absent from the header
}

func (c *connector) Name() string { return "csv" }

// Settings is the mapping in use (ingest.Configured): a file imported again with another
// --mapping is read again.
func (c *connector) Settings() string { return "mapping " + c.m.String() }
func (c *connector) Describe() string {
	return "generic posts CSV (" + DefaultHeader + ", or any layout with a column mapping)"
}

// Detect: with the default mapping, 90 when the header holds the eight default columns; with
// a custom mapping, 80 when the header holds every mapped column.
func (c *connector) Detect(_ string, head []byte) int {
	if c.def {
		if csvtable.HeaderHas(head, strings.Split(DefaultHeader, ",")...) {
			return 90
		}
		return 0
	}
	var cols []string
	for _, col := range c.m.fields() {
		if *col != "" {
			cols = append(cols, strings.ToLower(*col))
		}
	}
	if csvtable.HeaderHas(head, cols...) {
		return 80
	}
	return 0
}

// col is a resolved column: its position in the header, or -1.
type cols struct {
	platform, id, authorID, authorHandle, createdAt, kind, refID, refAuthorID, text, lang,
	urls, hashtags, likes, reposts, replies, quotes int
}

func (c *connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	if err := c.m.Validate(); err != nil {
		return nil, err
	}
	t, err := csvtable.Open(r, src)
	if err != nil {
		return nil, err
	}
	d := &decoder{t: t, m: c.m}
	if len(t.Header()) == 0 {
		return d, nil
	}
	var missing []string
	pos := func(name, col string, required bool) int {
		if col == "" {
			return -1
		}
		i := t.Col(col)
		if i < 0 && (required || !c.def) {
			missing = append(missing, fmt.Sprintf("%s (for %s)", col, name))
		}
		return i
	}
	m := c.m
	d.c = cols{
		platform: pos("platform", m.Platform, true), id: pos("id", m.ID, true), authorID: pos("author_id", m.AuthorID, true),
		authorHandle: pos("author_handle", m.AuthorHandle, false), createdAt: pos("created_at", m.CreatedAt, true),
		kind: pos("kind", m.Kind, true), refID: pos("ref_id", m.RefID, true), refAuthorID: pos("ref_author_id", m.RefAuthorID, true),
		text: pos("text", m.Text, true), lang: pos("lang", m.Lang, false), urls: pos("urls", m.URLs, false),
		hashtags: pos("hashtags", m.Hashtags, false), likes: pos("likes", m.Likes, false), reposts: pos("reposts", m.Reposts, false),
		replies: pos("replies", m.Replies, false), quotes: pos("quotes", m.Quotes, false),
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s:1: header lacks column(s) %s; found %s", src, strings.Join(missing, ", "), strings.Join(t.Header(), ","))
	}
	return d, nil
}

type decoder struct {
	t *csvtable.Reader
	m Mapping
	c cols
}

// name returns the file's column name at position i, for rejects.
func (d *decoder) name(i int) string { return d.t.Header()[i] }

func (d *decoder) Decode(b *event.Batch) error {
	ok, err := d.t.Next(b)
	if err != nil || !ok {
		return err
	}
	t, c := d.t, d.c
	f := t.Field
	p := event.Post{Platform: d.m.ConstPlatform, ID: strings.TrimSpace(f(c.id)), AuthorID: strings.TrimSpace(f(c.authorID)),
		AuthorHandle: strings.TrimPrefix(strings.TrimSpace(f(c.authorHandle)), "@"), RefID: strings.TrimSpace(f(c.refID)),
		RefAuthorID: strings.TrimSpace(f(c.refAuthorID)), Text: f(c.text), Lang: strings.TrimSpace(f(c.lang)), Views: event.Unknown,
		Prov: t.Prov()}
	if c.platform >= 0 {
		pl, err := event.ParsePlatform(f(c.platform))
		if err != nil {
			t.Reject(b, d.name(c.platform), fmt.Sprintf("`%s` %v", d.name(c.platform), err))
			return nil
		}
		p.Platform = pl
	}
	if p.ID == "" {
		t.Reject(b, d.name(c.id), fmt.Sprintf("`%s` is empty; expected the post id", d.name(c.id)))
		return nil
	}
	if p.AuthorID == "" {
		t.Reject(b, d.name(c.authorID), fmt.Sprintf("`%s` is empty; expected the author id", d.name(c.authorID)))
		return nil
	}
	at, err := field.Time(f(c.createdAt))
	if err != nil || at.IsZero() {
		t.Reject(b, d.name(c.createdAt), fmt.Sprintf("`%s` is not a time: %q; expected RFC 3339 or unix seconds", d.name(c.createdAt), trunc(f(c.createdAt))))
		return nil
	}
	p.CreatedAt = at
	kind, ok := parseKind(f(c.kind))
	if !ok {
		t.Reject(b, d.name(c.kind), fmt.Sprintf("`%s` %q is not a kind; expected post, repost, quote or reply", d.name(c.kind), trunc(f(c.kind))))
		return nil
	}
	p.Kind = kind
	if (kind == event.KindRepost || kind == event.KindQuote) && p.RefID == "" {
		col := "ref_id"
		if c.refID >= 0 {
			col = d.name(c.refID)
		}
		t.Reject(b, col, fmt.Sprintf("`%s` is empty; a %s needs the referenced post's id", col, kind))
		return nil
	}
	for _, n := range []struct {
		i   int
		dst *int64
	}{{c.likes, &p.Likes}, {c.reposts, &p.Reposts}, {c.replies, &p.Replies}, {c.quotes, &p.Quotes}} {
		*n.dst = event.Unknown
		if n.i < 0 {
			continue
		}
		v, err := field.Count(f(n.i))
		if err != nil {
			t.Reject(b, d.name(n.i), fmt.Sprintf("`%s` %v; expected a whole number", d.name(n.i), err))
			return nil
		}
		*n.dst = v
	}
	for _, u := range field.List(f(c.urls)) {
		p.URLs = append(p.URLs, field.URL(u))
	}
	for _, h := range field.List(f(c.hashtags)) {
		p.Hashtags = append(p.Hashtags, field.Hashtag(h))
	}
	b.Posts = append(b.Posts, p)
	return nil
}

func parseKind(s string) (event.PostKind, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "post", "original":
		return event.KindPost, true
	case "repost", "retweet", "retweeted", "reblog", "share":
		return event.KindRepost, true
	case "quote", "quoted":
		return event.KindQuote, true
	case "reply", "replied_to":
		return event.KindReply, true
	}
	return "", false
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
