package crowdtangle

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/csvtable"
	"github.com/echotrace/echotrace/internal/ingest/field"
)

// New returns the CrowdTangle connector.
func New() ingest.Connector { return connector{} }

type connector struct{}

func (connector) Name() string { return "crowdtangle" }
func (connector) Describe() string {
	return "CrowdTangle posts: API layout flattened to CSV, or the dashboard's historical-data CSV"
}

func (connector) Detect(name string, head []byte) int {
	switch {
	case csvtable.HeaderHas(head, "platformid", "platform", "date", "account_platformid"):
		return 95
	case csvtable.HeaderHas(head, "facebook id", "post created") || csvtable.HeaderHas(head, "page name", "post created"):
		return 95
	}
	return 0
}

// layout names the columns of one of the two layouts.
type layout struct {
	id, platform, date, updated, kind, message, description, title, link, expanded string
	author, handle, name, followers, verified, accountType, country                string
	reactions                                                                      []string
	shares, comments                                                               string
}

var apiLayout = layout{
	id: "platformId", platform: "platform", date: "date", updated: "updated", kind: "type",
	message: "message", description: "description", title: "title", link: "link", expanded: "expanded",
	author: "account_platformId", handle: "account_handle", name: "account_name",
	followers: "account_subscriberCount", verified: "account_verified", accountType: "account_accountType",
	country: "account_pageAdminTopCountry",
	reactions: []string{"statistics_actual_likeCount", "statistics_actual_loveCount", "statistics_actual_wowCount",
		"statistics_actual_hahaCount", "statistics_actual_sadCount", "statistics_actual_angryCount",
		"statistics_actual_thankfulCount", "statistics_actual_careCount"},
	shares: "statistics_actual_shareCount", comments: "statistics_actual_commentCount",
}

var dashboardLayout = layout{
	id: "URL", platform: "", date: "Post Created", kind: "Type", message: "Message",
	description: "Description", title: "Link Text", link: "Link", expanded: "Final Link",
	author: "Facebook Id", handle: "User Name", name: "Page Name", followers: "Followers at Posting",
	country: "Page Admin Top Country", accountType: "Page Category",
	reactions: []string{"Likes", "Love", "Wow", "Haha", "Sad", "Angry", "Care", "Thankful"},
	shares:    "Shares", comments: "Comments",
}

type decoder struct {
	t   *csvtable.Reader
	l   layout
	col map[string]int
	src string
}

func (connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	t, err := csvtable.Open(r, src)
	if err != nil {
		return nil, err
	}
	l := apiLayout
	if t.Col("platformId") < 0 {
		l = dashboardLayout
	}
	need := []string{l.id, l.date, l.author}
	if _, err := t.Require(need...); err != nil {
		return nil, fmt.Errorf("not a CrowdTangle export: %w", err)
	}
	d := &decoder{t: t, l: l, col: map[string]int{}, src: src}
	for _, c := range append([]string{l.id, l.platform, l.date, l.updated, l.kind, l.message, l.description, l.title,
		l.link, l.expanded, l.author, l.handle, l.name, l.followers, l.verified, l.accountType, l.country, l.shares, l.comments}, l.reactions...) {
		if c != "" {
			d.col[c] = t.Col(c)
		}
	}
	return d, nil
}

func (d *decoder) get(name string) string {
	if name == "" {
		return ""
	}
	i, ok := d.col[name]
	if !ok {
		return ""
	}
	return strings.TrimSpace(d.t.Field(i))
}

func (d *decoder) Decode(b *event.Batch) error {
	ok, err := d.t.Next(b)
	if err != nil || !ok {
		return err
	}
	l := d.l
	id, author := d.get(l.id), d.get(l.author)
	if id == "" {
		d.t.Reject(b, l.id, "post id is empty")
		return nil
	}
	if author == "" {
		d.t.Reject(b, l.author, "account id is empty")
		return nil
	}
	created, err := crowdTime(d.get(l.date))
	if err != nil || created.IsZero() {
		d.t.Reject(b, l.date, fmt.Sprintf("`%s` is not a time; expected \"2006-01-02 15:04:05\"", l.date))
		return nil
	}
	var updated time.Time
	if l.updated != "" {
		if updated, err = crowdTime(d.get(l.updated)); err != nil {
			d.t.Reject(b, l.updated, fmt.Sprintf("`%s` is not a time", l.updated))
			return nil
		}
	}
	platform := event.Facebook
	if p := strings.ToLower(d.get(l.platform)); p == "instagram" {
		platform = event.Instagram
	}
	likes, bad := d.sum(l.reactions)
	if bad != nil {
		d.t.Reject(b, bad.field, bad.reason)
		return nil
	}
	shares, serr := field.Count(d.get(l.shares))
	comments, cerr := field.Count(d.get(l.comments))
	if serr != nil || cerr != nil {
		d.t.Reject(b, l.shares+"/"+l.comments, "shares or comments is not a count")
		return nil
	}
	followers, _ := field.Count(d.get(l.followers))
	text := d.get(l.message)
	if text == "" {
		text = d.get(l.description)
	}
	p := event.Post{Platform: platform, ID: id, AuthorID: author, AuthorHandle: d.get(l.handle),
		CreatedAt: created, Kind: event.KindPost, Text: text,
		Likes: likes, Reposts: shares, Replies: comments, Quotes: event.Unknown, Views: event.Unknown,
		CountsAt: updated, Prov: d.t.Prov()}
	link := d.get(l.expanded)
	if link == "" {
		link = d.get(l.link)
	}
	if link != "" {
		p.URLs = []string{field.URL(link)}
	}
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(w, "#") && len(w) > 1 {
			p.Hashtags = append(p.Hashtags, field.Hashtag(strings.TrimRight(w, ".,;:!?")))
		}
	}
	b.Posts = append(b.Posts, p)
	b.Accounts = append(b.Accounts, event.Account{Platform: platform, ID: author, Handle: d.get(l.handle),
		Name: d.get(l.name), Followers: followers, Following: event.Unknown, Posts: event.Unknown,
		Verified: strings.EqualFold(d.get(l.verified), "true"), Location: d.get(l.country),
		ObservedAt: updated, Prov: d.t.Prov()})
	return nil
}

type sumError struct{ field, reason string }

// sum adds the reaction counts; absent columns count as zero, present but unreadable ones are
// an error. All absent: Unknown.
func (d *decoder) sum(cols []string) (int64, *sumError) {
	total, any := int64(0), false
	for _, c := range cols {
		v := d.get(c)
		if d.col[c] < 0 || v == "" {
			continue
		}
		n, err := field.Count(v)
		if err != nil {
			return 0, &sumError{c, fmt.Sprintf("`%s` is not a count", c)}
		}
		if n >= 0 {
			total += n
			any = true
		}
	}
	if !any {
		return event.Unknown, nil
	}
	return total, nil
}

// crowdTime parses CrowdTangle times: the API's "2006-01-02 15:04:05" (UTC) and the
// dashboard's "2006-01-02 15:04:05 EST" (zone abbreviations of US time zones, which the
// dashboard uses, are mapped to their offsets).
func crowdTime(s string) (time.Time, error) {
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		if off, ok := zones[s[i+1:]]; ok {
			t, err := time.Parse("2006-01-02 15:04:05", s[:i])
			if err != nil {
				return time.Time{}, err
			}
			return t.Add(-time.Duration(off) * time.Hour).UTC(), nil
		}
	}
	return field.Time(s)
}

var zones = map[string]int{"UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}
