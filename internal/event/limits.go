package event

import (
	"fmt"
	"strconv"
)

// Field limits: the most bytes one field of an event may hold. Each is far above what any
// platform allows, so genuine data never reaches it, and low enough that a damaged or hostile
// file cannot make one row of the study hold megabytes. Batch.LimitFields rejects an event with
// a field over its limit, naming the field and its size: the same treatment as a record over
// the reader's record limit. Rejecting, not truncating: a value past these limits is not one a
// platform produced, truncating it would store a text its author never wrote as if it were
// real (the store has no column to flag it), and a reject keeps the import's reconciliation
// (read = stored + duplicates, rejects apart) and stops an import run with --strict.
const (
	// MaxText bounds a post's text: 256 KiB. The longest posts platforms allow are Facebook's
	// 63,206 characters (at most 253 KB of UTF-8) and X's 25,000 for subscribers; the longest
	// text in the real samples is 3.6 KB (Mastodon HTML).
	MaxText = 256 << 10
	// MaxDescription bounds an account's description (bio): 64 KiB. Platforms allow 160 (X) to
	// a few thousand characters (Mastodon, as HTML); the longest in the samples is 5 KB.
	MaxDescription = 64 << 10
	// MaxName bounds a display name, handle, location, language, client name, hashtag, mention,
	// label, raw status code, outlet or country: 4 KiB. Platforms allow 15 to 100 characters;
	// the longest display name in the samples is 168 bytes.
	MaxName = 4 << 10
	// MaxURL bounds each URL and each identifier (ids are opaque strings: at:// URIs, hashed
	// ids, and CooRTweet object ids, which may be URLs): 16 KiB. Browsers and platforms cut URLs
	// at 2 to 8 KB; the longest URL in the samples is 1.8 KB.
	MaxURL = 16 << 10
)

// Mark is a position in a Batch: how many events of each kind it held. LimitFields checks the
// events appended after a mark.
type Mark struct {
	accounts, posts, engagements, shares, statuses, labels, watch int
}

// Mark returns the batch's current position.
func (b *Batch) Mark() Mark {
	return Mark{len(b.Accounts), len(b.Posts), len(b.Engagements), len(b.Shares),
		len(b.Statuses), len(b.Labels), len(b.Watch)}
}

// checker finds the first field over its limit. Its zero value is ready; it does not allocate
// unless a field is over.
type checker struct {
	field    string // "" while every field checked is within its limit
	size     int
	limit    int
	constant string // the limit's constant
	head     string // the value's first bytes
}

func (c *checker) str(field, v string, limit int, name string) {
	if c.field == "" && len(v) > limit {
		*c = checker{field, len(v), limit, name, v[:min(len(v), 200)]}
	}
}

func (c *checker) id(field, v string)   { c.str(field, v, MaxURL, "event.MaxURL") }
func (c *checker) name(field, v string) { c.str(field, v, MaxName, "event.MaxName") }

func (c *checker) list(field string, vs []string, limit int, name string) {
	for i, v := range vs {
		if c.field == "" && len(v) > limit {
			c.str(fmt.Sprintf("%s[%d]", field, i), v, limit, name)
		}
	}
}

// LimitFields rejects every event appended to b since m that has a field over its limit (see
// MaxText and the other limits): the event is removed and a Reject naming its source, line,
// field, size and the limit is appended to b.Rejects instead. It returns how many it rejected.
// The checks cost a length comparison per field and allocate nothing for events within them.
func (b *Batch) LimitFields(m Mark) int {
	var n int
	// ok reports whether c found nothing; else it appends the reject.
	ok := func(c *checker, p Provenance, kind, id string) bool {
		if c.field == "" {
			return true
		}
		n++
		reason := fmt.Sprintf("%s %s: %s is %s bytes, over the limit of %s bytes (%s); the %s is not stored",
			kind, id[:min(len(id), 200)], c.field, strconv.Itoa(c.size), strconv.Itoa(c.limit), c.constant, kind)
		b.Rejects = append(b.Rejects, NewReject(p.Source, p.Line, c.field, reason, []byte(c.head)))
		return false
	}
	b.Accounts = keep(b.Accounts, m.accounts, func(a *Account) bool {
		var c checker
		c.id("id", a.ID)
		c.name("handle", a.Handle)
		c.name("name", a.Name)
		c.name("location", a.Location)
		c.name("lang", a.Lang)
		c.str("description", a.Description, MaxDescription, "event.MaxDescription")
		return ok(&c, a.Prov, "account", a.ID)
	})
	b.Posts = keep(b.Posts, m.posts, func(p *Post) bool {
		var c checker
		c.id("id", p.ID)
		c.id("author_id", p.AuthorID)
		c.id("ref_id", p.RefID)
		c.id("ref_author_id", p.RefAuthorID)
		c.id("conversation_id", p.ConversationID)
		c.name("author_handle", p.AuthorHandle)
		c.name("lang", p.Lang)
		c.name("client", p.Client)
		c.str("text", p.Text, MaxText, "event.MaxText")
		c.list("urls", p.URLs, MaxURL, "event.MaxURL")
		c.list("hashtags", p.Hashtags, MaxName, "event.MaxName")
		c.list("mentions", p.Mentions, MaxName, "event.MaxName")
		return ok(&c, p.Prov, "post", p.ID)
	})
	b.Engagements = keep(b.Engagements, m.engagements, func(e *Engagement) bool {
		var c checker
		c.id("account_id", e.AccountID)
		c.id("post_id", e.PostID)
		c.id("post_author_id", e.PostAuthorID)
		return ok(&c, e.Prov, "engagement of", e.AccountID)
	})
	b.Shares = keep(b.Shares, m.shares, func(s *Share) bool {
		var c checker
		c.id("account_id", s.AccountID)
		c.id("object_id", s.ObjectID)
		c.id("content_id", s.ContentID)
		return ok(&c, s.Prov, "share by", s.AccountID)
	})
	b.Statuses = keep(b.Statuses, m.statuses, func(s *StatusObservation) bool {
		var c checker
		c.id("account_id", s.AccountID)
		c.name("handle", s.Handle)
		c.name("raw_code", s.RawCode)
		return ok(&c, s.Prov, "status observation of", s.AccountID+s.Handle)
	})
	b.Labels = keep(b.Labels, m.labels, func(l *LabelObservation) bool {
		var c checker
		c.id("account_id", l.AccountID)
		c.name("handle", l.Handle)
		c.name("label", l.Label)
		return ok(&c, l.Prov, "label observation of", l.AccountID+l.Handle)
	})
	b.Watch = keep(b.Watch, m.watch, func(w *WatchEntry) bool {
		var c checker
		c.id("id", w.ID)
		c.name("handle", w.Handle)
		c.name("country", w.Country)
		c.name("outlet", w.Outlet)
		c.name("lang", w.Lang)
		return ok(&c, w.Prov, "watchlist entry", w.ID+w.Handle)
	})
	return n
}

// keep filters s[from:] in place, keeping the elements ok accepts, in order.
func keep[T any](s []T, from int, ok func(*T) bool) []T {
	from = min(from, len(s))
	j := from
	for i := from; i < len(s); i++ {
		if ok(&s[i]) {
			if i != j {
				s[j] = s[i]
			}
			j++
		}
	}
	clear(s[j:])
	return s[:j]
}
