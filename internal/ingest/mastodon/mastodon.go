package mastodon

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/field"
	"github.com/echotrace/echotrace/internal/ingest/jsonrec"
)

// maxLocalIDs bounds the local-id → uri map used to resolve replies.
const maxLocalIDs = 1 << 20

// New returns the Mastodon connector.
func New() ingest.Connector { return connector{} }

type connector struct{}

func (connector) Name() string { return "mastodon" }
func (connector) Describe() string {
	return "Mastodon REST API JSON (statuses, timelines, contexts, accounts, reblogged_by/favourited_by)"
}

func (connector) Detect(name string, head []byte) int {
	h := string(head)
	score := 0
	for _, k := range []string{`"reblogs_count"`, `"favourites_count"`, `"in_reply_to_account_id"`, `"acct"`, `"statuses_count"`, `"ancestors"`} {
		if strings.Contains(h, k) {
			score += 25
		}
	}
	return min(score, 95)
}

func (connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	return &decoder{rd: jsonrec.NewReader(r), src: src, local: map[string]string{}}, nil
}

type decoder struct {
	rd    *jsonrec.Reader
	src   string
	local map[string]string // instance-local status id → uri
}

type (
	account struct {
		ID             string `json:"id"`
		Username       string `json:"username"`
		Acct           string `json:"acct"`
		DisplayName    string `json:"display_name"`
		Bot            bool   `json:"bot"`
		CreatedAt      string `json:"created_at"`
		Note           string `json:"note"`
		URL            string `json:"url"`
		URI            string `json:"uri"`
		Avatar         string `json:"avatar"`
		FollowersCount *int64 `json:"followers_count"`
		FollowingCount *int64 `json:"following_count"`
		StatusesCount  *int64 `json:"statuses_count"`
		Suspended      bool   `json:"suspended"`
	}
	status struct {
		ID                 string   `json:"id"`
		URI                string   `json:"uri"`
		URL                string   `json:"url"`
		CreatedAt          string   `json:"created_at"`
		InReplyToID        *string  `json:"in_reply_to_id"`
		InReplyToAccountID *string  `json:"in_reply_to_account_id"`
		Language           *string  `json:"language"`
		Content            string   `json:"content"`
		Account            *account `json:"account"`
		Reblog             *status  `json:"reblog"`
		RepliesCount       *int64   `json:"replies_count"`
		ReblogsCount       *int64   `json:"reblogs_count"`
		FavouritesCount    *int64   `json:"favourites_count"`
		QuotesCount        *int64   `json:"quotes_count"`
		Application        *struct {
			Name string `json:"name"`
		} `json:"application"`
		Mentions []struct {
			ID   string `json:"id"`
			URL  string `json:"url"`
			Acct string `json:"acct"`
		} `json:"mentions"`
		Tags []struct {
			Name string `json:"name"`
		} `json:"tags"`
		Card *struct {
			URL string `json:"url"`
		} `json:"card"`
		Quote *struct {
			State        string  `json:"state"`
			QuotedStatus *status `json:"quoted_status"`
		} `json:"quote"`
	}
	envelope struct {
		Ancestors    []status  `json:"ancestors"`
		Descendants  []status  `json:"descendants"`
		Accounts     []account `json:"accounts"`
		Statuses     []status  `json:"statuses"`
		Status       *status   `json:"status"`
		RebloggedBy  []account `json:"reblogged_by"`
		FavouritedBy []account `json:"favourited_by"`
		ObservedAt   string    `json:"observed_at"`
		ID           string    `json:"id"`
		Content      *string   `json:"content"`  // a bare status
		Username     string    `json:"username"` // a bare account
	}
)

func (d *decoder) Decode(b *event.Batch) error {
	rec, err := d.rd.Next()
	if err != nil {
		return err
	}
	e := emitter{d: d, b: b, prov: event.Provenance{Source: d.src, Line: rec.Line}}
	if rec.Err != nil {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", rec.Err.Error(), rec.Raw))
		return nil
	}
	// The record's good events are kept, and every object dropped from it is a reject.
	switch rec.Raw[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(rec.Raw, &items); err != nil {
			b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "unexpected shape: "+err.Error(), rec.Raw))
			return nil
		}
		var sts []status
		for i, it := range items {
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(it, &probe); err != nil {
				e.reject("", fmt.Sprintf("array item %d is not an object", i))
				continue
			}
			if _, ok := probe["content"]; ok {
				var s status
				if err := json.Unmarshal(it, &s); err != nil {
					e.reject("", fmt.Sprintf("array item %d: unexpected shape of a status: %v", i, err))
					continue
				}
				sts = append(sts, s)
			} else if _, ok := probe["acct"]; ok {
				var a account
				if err := json.Unmarshal(it, &a); err != nil {
					e.reject("", fmt.Sprintf("array item %d: unexpected shape of an account: %v", i, err))
					continue
				}
				e.account(&a)
			} else {
				e.reject("", fmt.Sprintf("array item %d is neither a status (content) nor an account (acct)", i))
			}
		}
		e.statuses(sts)
	case '{':
		var env envelope
		if err := json.Unmarshal(rec.Raw, &env); err != nil {
			b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "unexpected shape: "+err.Error(), rec.Raw))
			return nil
		}
		switch {
		case env.Content != nil:
			var s status
			if err := json.Unmarshal(rec.Raw, &s); err != nil {
				b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "unexpected shape of a status: "+err.Error(), rec.Raw))
				return nil
			}
			e.statuses([]status{s})
		case env.Username != "":
			var a account
			if err := json.Unmarshal(rec.Raw, &a); err != nil {
				b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "unexpected shape of an account: "+err.Error(), rec.Raw))
				return nil
			}
			e.account(&a)
		case !env.known():
			b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "not a Mastodon API object this connector reads: not a status, an account, "+
				"a context (ancestors, descendants), a search result (accounts, statuses) or a status with reblogged_by/favourited_by", rec.Raw))
		default:
			e.statuses(env.Ancestors)
			e.statuses(env.Descendants)
			e.statuses(env.Statuses)
			for i := range env.Accounts {
				e.account(&env.Accounts[i])
			}
			if env.Status != nil {
				e.statuses([]status{*env.Status})
				e.engagers(env.Status, env.RebloggedBy, event.EngageRepost)
				e.engagers(env.Status, env.FavouritedBy, event.EngageLike)
			} else if n := len(env.RebloggedBy) + len(env.FavouritedBy); n > 0 {
				e.reject("status", fmt.Sprintf("%d reblogged_by/favourited_by accounts without the status they are about", n))
			}
		}
	default:
		b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "not a Mastodon API object or array", rec.Raw))
	}
	return nil
}

// known reports whether an envelope holds any field the connector reads (present with an empty
// list counts: an empty context is a context).
func (env *envelope) known() bool {
	return env.Ancestors != nil || env.Descendants != nil || env.Accounts != nil || env.Statuses != nil ||
		env.Status != nil || env.RebloggedBy != nil || env.FavouritedBy != nil
}

type emitter struct {
	d    *decoder
	b    *event.Batch
	prov event.Provenance
}

func (e *emitter) reject(f, reason string) {
	e.b.Rejects = append(e.b.Rejects, event.Reject{Source: e.prov.Source, Line: e.prov.Line, Field: f, Reason: reason})
}

// cleared is a reject for an optional field that was cleared, its event kept (event.Reject.Kept).
func (e *emitter) cleared(f, reason string) {
	e.b.Rejects = append(e.b.Rejects, event.Reject{Source: e.prov.Source, Line: e.prov.Line, Field: f,
		Reason: reason + "; the time is cleared, the account kept", Kept: true})
}

// statuses emits a page of statuses; local ids are registered first so that replies inside the
// same page resolve whatever their order.
func (e *emitter) statuses(sts []status) {
	for i := range sts {
		e.remember(&sts[i])
	}
	for i := range sts {
		e.status(&sts[i])
	}
}

func (e *emitter) remember(s *status) {
	if s.ID != "" && s.URI != "" && len(e.d.local) < maxLocalIDs {
		e.d.local[s.ID] = s.URI
	}
	if s.Reblog != nil {
		e.remember(s.Reblog)
	}
}

func (e *emitter) status(s *status) {
	if s.URI == "" || s.Account == nil {
		e.reject("uri", "status without uri or account")
		return
	}
	author := e.account(s.Account)
	if author == "" {
		return
	}
	created, err := field.Time(s.CreatedAt)
	if err != nil || created.IsZero() {
		e.reject("created_at", "`created_at` is not a time; expected ISO 8601")
		return
	}
	p := event.Post{Platform: event.Mastodon, ID: s.URI, AuthorID: author, AuthorHandle: handleOf(s.Account),
		CreatedAt: created, Kind: event.KindPost, Text: Text(s.Content),
		Likes: count(s.FavouritesCount), Reposts: count(s.ReblogsCount), Replies: count(s.RepliesCount),
		Quotes: count(s.QuotesCount), Views: event.Unknown, Prov: e.prov}
	if s.Language != nil {
		p.Lang = *s.Language
	}
	if s.Application != nil {
		p.Client = s.Application.Name
	}
	for _, m := range s.Mentions {
		p.Mentions = append(p.Mentions, field.Handle(m.Acct))
	}
	for _, t := range s.Tags {
		p.Hashtags = append(p.Hashtags, field.Hashtag(t.Name))
	}
	if s.Card != nil && s.Card.URL != "" {
		p.URLs = append(p.URLs, field.URL(s.Card.URL))
	}
	switch {
	case s.Reblog != nil:
		e.status(s.Reblog)
		p.Kind, p.RefID, p.Text = event.KindRepost, s.Reblog.URI, ""
		if s.Reblog.Account != nil {
			p.RefAuthorID = accountID(s.Reblog.Account)
		}
		p.Likes, p.Reposts, p.Replies, p.Quotes = event.Unknown, event.Unknown, event.Unknown, event.Unknown
	case s.Quote != nil && s.Quote.QuotedStatus != nil && s.Quote.QuotedStatus.URI != "":
		e.status(s.Quote.QuotedStatus)
		p.Kind, p.RefID = event.KindQuote, s.Quote.QuotedStatus.URI
		if s.Quote.QuotedStatus.Account != nil {
			p.RefAuthorID = accountID(s.Quote.QuotedStatus.Account)
		}
	case s.InReplyToID != nil && *s.InReplyToID != "":
		p.Kind = event.KindReply
		p.RefID = e.d.local[*s.InReplyToID]
		if s.InReplyToAccountID != nil {
			if *s.InReplyToAccountID == s.Account.ID {
				p.RefAuthorID = author
			}
			for _, m := range s.Mentions {
				if m.ID == *s.InReplyToAccountID && m.URL != "" {
					p.RefAuthorID = m.URL
				}
			}
		}
	}
	e.b.Posts = append(e.b.Posts, p)
}

// engagers emits the accounts that reblogged or favourited s, as engagements without times.
func (e *emitter) engagers(s *status, accts []account, kind event.EngagementKind) {
	if s.URI == "" || s.Account == nil {
		return
	}
	for i := range accts {
		if id := e.account(&accts[i]); id != "" {
			e.b.Engagements = append(e.b.Engagements, event.Engagement{Platform: event.Mastodon, AccountID: id,
				Kind: kind, PostID: s.URI, PostAuthorID: accountID(s.Account), Prov: e.prov})
		}
	}
}

// account emits a and returns its id ("" if a cannot be identified).
func (e *emitter) account(a *account) string {
	id := accountID(a)
	if id == "" {
		e.reject("account.url", "account without url or uri")
		return ""
	}
	created, err := field.Time(a.CreatedAt)
	if err != nil {
		e.cleared("account.created_at", err.Error())
	}
	e.b.Accounts = append(e.b.Accounts, event.Account{Platform: event.Mastodon, ID: id, Handle: handleOf(a),
		Name: a.DisplayName, CreatedAt: created, Followers: count(a.FollowersCount),
		Following: count(a.FollowingCount), Posts: count(a.StatusesCount),
		DefaultAvatar: a.Avatar == "" || strings.Contains(a.Avatar, "/avatars/original/missing.png"),
		Description:   Text(a.Note), Prov: e.prov})
	return id
}

func accountID(a *account) string {
	if a.URL != "" {
		return a.URL
	}
	return a.URI
}

// handleOf returns user@host for any account (Mastodon omits the host for local accounts).
func handleOf(a *account) string {
	h := strings.ToLower(a.Acct)
	if h == "" || strings.Contains(h, "@") {
		return h
	}
	if u, err := url.Parse(a.URL); err == nil && u.Host != "" {
		return h + "@" + strings.ToLower(u.Host)
	}
	return h
}

var (
	breaks = regexp.MustCompile(`(?i)<br\s*/?>|</p>`)
	tags   = regexp.MustCompile(`<[^>]*>`)
)

// Text reduces Mastodon's HTML content to plain text: <br> and </p> become newlines, other
// tags are dropped, entities decoded, and surrounding space trimmed.
func Text(s string) string {
	s = breaks.ReplaceAllString(s, "\n")
	s = tags.ReplaceAllString(s, "")
	return strings.TrimSpace(html.UnescapeString(s))
}

func count(p *int64) int64 {
	if p == nil || *p < 0 {
		return event.Unknown
	}
	return *p
}
