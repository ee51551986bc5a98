package bluesky

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/field"
	"github.com/echotrace/echotrace/internal/ingest/jsonrec"
)

// New returns the Bluesky connector.
func New() ingest.Connector { return connector{} }

type connector struct{}

func (connector) Name() string { return "bluesky" }
func (connector) Describe() string {
	return "Bluesky AppView XRPC JSON responses (feeds, threads, likes, reposts, profiles) and Jetstream events"
}

func (connector) Detect(name string, head []byte) int {
	h := string(head)
	switch {
	case strings.Contains(h, "at://did:") && strings.Contains(h, "app.bsky."):
		return 90
	case strings.Contains(h, `"did":"did:`) && strings.Contains(h, `"time_us"`):
		return 90 // Jetstream
	case strings.Contains(h, `"did": "did:`) || strings.Contains(h, `"did":"did:`):
		return 40
	}
	return 0
}

func (connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	return &decoder{rd: jsonrec.NewReader(r), src: src}, nil
}

type decoder struct {
	rd  *jsonrec.Reader
	src string
}

// The response shapes, decoded leniently: unknown fields are ignored.
type (
	profile struct {
		DID            string  `json:"did"`
		Handle         string  `json:"handle"`
		DisplayName    string  `json:"displayName"`
		Description    string  `json:"description"`
		Avatar         string  `json:"avatar"`
		CreatedAt      string  `json:"createdAt"`
		IndexedAt      string  `json:"indexedAt"`
		FollowersCount *int64  `json:"followersCount"`
		FollowsCount   *int64  `json:"followsCount"`
		PostsCount     *int64  `json:"postsCount"`
		Labels         []label `json:"labels"`
	}
	label struct {
		Src string `json:"src"`
		URI string `json:"uri"`
		Val string `json:"val"`
		Neg bool   `json:"neg"`
		Cts string `json:"cts"`
	}
	ref struct {
		URI string `json:"uri"`
		CID string `json:"cid"`
	}
	facet struct {
		Features []struct {
			Type string `json:"$type"`
			URI  string `json:"uri"`
			Tag  string `json:"tag"`
			DID  string `json:"did"`
		} `json:"features"`
	}
	embed struct {
		Type     string          `json:"$type"`
		Record   json.RawMessage `json:"record"`
		External *struct {
			URI string `json:"uri"`
		} `json:"external"`
	}
	record struct {
		Type      string   `json:"$type"`
		Text      string   `json:"text"`
		CreatedAt string   `json:"createdAt"`
		Langs     []string `json:"langs"`
		Tags      []string `json:"tags"`
		Reply     *struct {
			Root   ref `json:"root"`
			Parent ref `json:"parent"`
		} `json:"reply"`
		Embed  *embed  `json:"embed"`
		Facets []facet `json:"facets"`
		// Subject is a strong ref in repost and like records, a DID in follows and blocks: it is
		// read only for the collections that use it.
		Subject json.RawMessage `json:"subject"`
	}
	postView struct {
		URI         string  `json:"uri"`
		Author      profile `json:"author"`
		Record      record  `json:"record"`
		ReplyCount  *int64  `json:"replyCount"`
		RepostCount *int64  `json:"repostCount"`
		LikeCount   *int64  `json:"likeCount"`
		QuoteCount  *int64  `json:"quoteCount"`
		IndexedAt   string  `json:"indexedAt"`
		Labels      []label `json:"labels"`
	}
	feedItem struct {
		Post  *postView `json:"post"`
		Reply *struct {
			Root   json.RawMessage `json:"root"`
			Parent json.RawMessage `json:"parent"`
		} `json:"reply"`
		Reason *struct {
			Type      string  `json:"$type"`
			By        profile `json:"by"`
			IndexedAt string  `json:"indexedAt"`
		} `json:"reason"`
	}
	threadNode struct {
		Type     string            `json:"$type"`
		Post     *postView         `json:"post"`
		Parent   json.RawMessage   `json:"parent"`
		Replies  []json.RawMessage `json:"replies"`
		NotFound bool              `json:"notFound"`
		Blocked  bool              `json:"blocked"`
	}
	// maybePost is a reply's root or parent: a post view, or a notFoundPost / blockedPost.
	maybePost struct {
		postView
		Type     string `json:"$type"`
		NotFound bool   `json:"notFound"`
		Blocked  bool   `json:"blocked"`
	}
	response struct {
		Feed       []feedItem      `json:"feed"`
		Posts      []postView      `json:"posts"`
		Thread     json.RawMessage `json:"thread"`
		RepostedBy []profile       `json:"repostedBy"`
		Likes      []struct {
			Actor     profile `json:"actor"`
			CreatedAt string  `json:"createdAt"`
		} `json:"likes"`
		URI       string    `json:"uri"`
		Profiles  []profile `json:"profiles"`
		Actors    []profile `json:"actors"` // searchActors, getSuggestions
		Followers []profile `json:"followers"`
		Follows   []profile `json:"follows"`
		Subject   *profile  `json:"subject"`
		// Jetstream commit events.
		DID    string `json:"did"`
		TimeUS int64  `json:"time_us"`
		Kind   string `json:"kind"`
		Commit *struct {
			Operation  string `json:"operation"`
			Collection string `json:"collection"`
			RKey       string `json:"rkey"`
			Record     record `json:"record"`
		} `json:"commit"`
	}
)

func (d *decoder) Decode(b *event.Batch) error {
	rec, err := d.rd.Next()
	if err != nil {
		return err
	}
	if rec.Err != nil {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", rec.Err.Error(), rec.Raw))
		return nil
	}
	if len(rec.Raw) == 0 || rec.Raw[0] != '{' {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "not a Bluesky XRPC response object", rec.Raw))
		return nil
	}
	var resp response
	if err := json.Unmarshal(rec.Raw, &resp); err != nil {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "unexpected shape: "+err.Error(), rec.Raw))
		return nil
	}
	if !resp.known() {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, rec.Line, "", "not a response this connector reads: none of "+
			"feed, posts, thread, repostedBy, likes, profiles, actors, followers, follows, subject, or a Jetstream event's did", rec.Raw))
		return nil
	}
	// The record's good events are kept, and every object dropped from it is a reject.
	e := emitter{b: b, prov: event.Provenance{Source: d.src, Line: rec.Line}, seen: map[string]bool{}}
	e.response(&resp)
	return nil
}

// known reports whether r holds any field the connector reads (a field present with an empty
// list counts: an empty page is a page).
func (r *response) known() bool {
	return r.Feed != nil || r.Posts != nil || r.Thread != nil || r.RepostedBy != nil || r.Likes != nil ||
		r.Profiles != nil || r.Actors != nil || r.Followers != nil || r.Follows != nil || r.Subject != nil ||
		r.URI != "" || r.DID != "" || r.Commit != nil
}

type emitter struct {
	b    *event.Batch
	prov event.Provenance
	seen map[string]bool // accounts and posts already emitted for this record
}

func (e *emitter) reject(field, reason string) {
	e.b.Rejects = append(e.b.Rejects, event.Reject{Source: e.prov.Source, Line: e.prov.Line, Field: field, Reason: reason})
}

// cleared is a reject for an optional field that was cleared, its event kept (event.Reject.Kept).
func (e *emitter) cleared(field, reason string) {
	e.b.Rejects = append(e.b.Rejects, event.Reject{Source: e.prov.Source, Line: e.prov.Line, Field: field,
		Reason: reason + "; the time is cleared, the account kept", Kept: true})
}

func (e *emitter) response(r *response) {
	for i := range r.Feed {
		e.feedItem(&r.Feed[i])
	}
	for i := range r.Posts {
		e.post(&r.Posts[i])
	}
	if len(r.Thread) > 0 {
		e.thread(r.Thread, 0)
	}
	if r.URI == "" && (len(r.RepostedBy) > 0 || len(r.Likes) > 0) {
		e.reject("uri", fmt.Sprintf("%d repostedBy and %d likes without the uri of the post they are about", len(r.RepostedBy), len(r.Likes)))
	}
	if r.URI != "" && len(r.RepostedBy) > 0 {
		author := didOf(r.URI)
		for i := range r.RepostedBy {
			p := &r.RepostedBy[i]
			if e.account(p) {
				e.b.Engagements = append(e.b.Engagements, event.Engagement{Platform: event.Bluesky,
					AccountID: p.DID, Kind: event.EngageRepost, PostID: r.URI, PostAuthorID: author, Prov: e.prov})
			}
		}
	}
	if r.URI != "" {
		author := didOf(r.URI)
		for i := range r.Likes {
			l := &r.Likes[i]
			if !e.account(&l.Actor) {
				continue
			}
			at, err := field.Time(l.CreatedAt)
			if err != nil {
				e.reject("likes.createdAt", err.Error())
				continue
			}
			e.b.Engagements = append(e.b.Engagements, event.Engagement{Platform: event.Bluesky,
				AccountID: l.Actor.DID, Kind: event.EngageLike, PostID: r.URI, PostAuthorID: author, At: at, Prov: e.prov})
		}
	}
	for _, ps := range [][]profile{r.Profiles, r.Actors, r.Followers, r.Follows} {
		for i := range ps {
			e.account(&ps[i])
		}
	}
	if r.Subject != nil {
		e.account(r.Subject)
	}
	switch {
	case r.Commit != nil && r.DID != "":
		e.jetstream(r)
	case r.Commit != nil:
		e.reject("did", "Jetstream commit without did")
	}
}

func (e *emitter) feedItem(it *feedItem) {
	if it.Post == nil {
		e.reject("feed.post", "feed item without post")
		return
	}
	e.post(it.Post)
	if it.Reply != nil {
		for _, f := range []struct {
			name string
			raw  json.RawMessage
		}{{"reply.root", it.Reply.Root}, {"reply.parent", it.Reply.Parent}} {
			if len(f.raw) == 0 || string(f.raw) == "null" {
				continue
			}
			var mp maybePost
			switch err := json.Unmarshal(f.raw, &mp); {
			case err != nil:
				e.reject(f.name, "unexpected shape: "+err.Error())
			case mp.NotFound || mp.Blocked || strings.HasSuffix(mp.Type, "#notFoundPost") || strings.HasSuffix(mp.Type, "#blockedPost"):
				// a deleted or blocked post: nothing to read
			case mp.URI == "" || mp.Author.DID == "":
				e.reject(f.name, "neither a post view (uri and author did) nor a notFoundPost or blockedPost")
			default:
				e.post(&mp.postView)
			}
		}
	}
	if it.Reason != nil && strings.HasSuffix(it.Reason.Type, "#reasonRepost") && it.Reason.By.DID == "" {
		e.reject("reason.by", "repost reason without the reposting account's did")
	}
	if it.Reason != nil && strings.HasSuffix(it.Reason.Type, "#reasonRepost") && it.Reason.By.DID != "" {
		at, err := field.Time(it.Reason.IndexedAt)
		if err != nil {
			e.reject("reason.indexedAt", err.Error())
			return
		}
		e.account(&it.Reason.By)
		e.b.Posts = append(e.b.Posts, event.Post{Platform: event.Bluesky,
			ID:       "repost:" + it.Reason.By.DID + ":" + it.Post.URI,
			AuthorID: it.Reason.By.DID, AuthorHandle: it.Reason.By.Handle, CreatedAt: at,
			Kind: event.KindRepost, RefID: it.Post.URI, RefAuthorID: it.Post.Author.DID,
			Likes: event.Unknown, Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown,
			Prov: e.prov})
	}
}

// maxThreadDepth bounds the walk of a thread tree.
const maxThreadDepth = 1000

// thread walks a getPostThread tree (parents up, replies down), bounded in depth.
func (e *emitter) thread(raw json.RawMessage, depth int) {
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	if depth > maxThreadDepth {
		e.reject("thread", fmt.Sprintf("thread deeper than %d levels; the rest of this branch is skipped", maxThreadDepth))
		return
	}
	var n threadNode
	if err := json.Unmarshal(raw, &n); err != nil {
		e.reject("thread", "unexpected shape of a thread node: "+err.Error())
		return
	}
	switch {
	case n.Post != nil:
		e.post(n.Post)
	case n.NotFound || n.Blocked || strings.HasSuffix(n.Type, "#notFoundPost") || strings.HasSuffix(n.Type, "#blockedPost"):
	default:
		e.reject("thread.post", "thread node without post (and not a notFoundPost or blockedPost)")
	}
	e.thread(n.Parent, depth+1)
	for _, r := range n.Replies {
		e.thread(r, depth+1)
	}
}

// account emits a profile once per record; it reports whether the profile is usable.
func (e *emitter) account(p *profile) bool {
	if p.DID == "" {
		e.reject("did", "profile without did")
		return false
	}
	if e.seen["a "+p.DID] {
		return true
	}
	e.seen["a "+p.DID] = true
	created, err := field.Time(p.CreatedAt)
	if err != nil {
		e.cleared("createdAt", err.Error())
		created = time.Time{}
	}
	observed, _ := field.Time(p.IndexedAt)
	e.b.Accounts = append(e.b.Accounts, event.Account{Platform: event.Bluesky, ID: p.DID,
		Handle: p.Handle, Name: p.DisplayName, CreatedAt: created,
		Followers: count(p.FollowersCount), Following: count(p.FollowsCount), Posts: count(p.PostsCount),
		DefaultAvatar: p.Avatar == "", Description: p.Description, ObservedAt: observed, Prov: e.prov})
	for _, l := range p.Labels {
		if l.Neg {
			continue // a negation withdraws a label: no observation of one
		}
		if l.Val == "" {
			e.reject("labels.val", "label without val")
			continue
		}
		at, err := field.Time(l.Cts)
		if err != nil {
			e.reject("labels.cts", err.Error())
			continue
		}
		if at.IsZero() || at.Unix() == 0 {
			continue // no time, or self-labels' placeholder 1970-01-01T00:00:00.000Z: not an observation
		}
		e.b.Labels = append(e.b.Labels, event.LabelObservation{Platform: event.Bluesky, AccountID: p.DID,
			Handle: p.Handle, ObservedAt: at, Label: l.Val, Class: classify(l.Val), Prov: e.prov})
	}
	return true
}

// classify maps a label value to a class. Bluesky's moderation labels ("porn", "!warn" …) are
// not affiliation labels and map to none.
func classify(val string) event.LabelClass {
	v := strings.ToLower(val)
	switch {
	case strings.Contains(v, "state") && strings.Contains(v, "media"):
		return event.LabelStateMedia
	case strings.Contains(v, "government") || strings.Contains(v, "official"):
		return event.LabelGovernment
	}
	return event.LabelNone
}

func (e *emitter) post(pv *postView) {
	if pv.URI == "" || pv.Author.DID == "" {
		e.reject("uri", "post without uri or author did")
		return
	}
	if e.seen["p "+pv.URI] {
		return
	}
	e.seen["p "+pv.URI] = true
	e.account(&pv.Author)
	p, err := e.fromRecord(pv.URI, pv.Author.DID, pv.Author.Handle, &pv.Record, pv.IndexedAt)
	if err != nil {
		e.reject("record.createdAt", err.Error())
		return
	}
	p.Likes, p.Reposts, p.Replies, p.Quotes = count(pv.LikeCount), count(pv.RepostCount), count(pv.ReplyCount), count(pv.QuoteCount)
	e.b.Posts = append(e.b.Posts, p)
}

func (e *emitter) fromRecord(uri, did, handle string, r *record, indexedAt string) (event.Post, error) {
	ts := r.CreatedAt
	if ts == "" {
		ts = indexedAt
	}
	created, err := field.Time(ts)
	if err != nil {
		return event.Post{}, err
	}
	p := event.Post{Platform: event.Bluesky, ID: uri, AuthorID: did, AuthorHandle: handle,
		CreatedAt: created, Kind: event.KindPost, Text: r.Text,
		Likes: event.Unknown, Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown,
		Prov: e.prov}
	if len(r.Langs) > 0 {
		p.Lang = r.Langs[0]
	}
	if q := quoted(r.Embed); q != "" {
		p.Kind, p.RefID, p.RefAuthorID = event.KindQuote, q, didOf(q)
	}
	if r.Reply != nil && r.Reply.Parent.URI != "" {
		p.Kind, p.RefID, p.RefAuthorID = event.KindReply, r.Reply.Parent.URI, didOf(r.Reply.Parent.URI)
		p.ConversationID = r.Reply.Root.URI
	}
	for _, f := range r.Facets {
		for _, ft := range f.Features {
			switch {
			case strings.HasSuffix(ft.Type, "#link") && ft.URI != "":
				p.URLs = append(p.URLs, field.URL(ft.URI))
			case strings.HasSuffix(ft.Type, "#tag") && ft.Tag != "":
				p.Hashtags = append(p.Hashtags, field.Hashtag(ft.Tag))
			case strings.HasSuffix(ft.Type, "#mention") && ft.DID != "":
				p.Mentions = append(p.Mentions, ft.DID)
			}
		}
	}
	for _, t := range r.Tags {
		p.Hashtags = append(p.Hashtags, field.Hashtag(t))
	}
	if r.Embed != nil && r.Embed.External != nil && r.Embed.External.URI != "" {
		p.URLs = append(p.URLs, field.URL(r.Embed.External.URI))
	}
	return p, nil
}

// quoted returns the URI of the post a record embeds, if any.
func quoted(em *embed) string {
	if em == nil || len(em.Record) == 0 {
		return ""
	}
	var direct ref
	if json.Unmarshal(em.Record, &direct) == nil && strings.Contains(direct.URI, "/app.bsky.feed.post/") {
		return direct.URI
	}
	var nested struct {
		Record ref `json:"record"`
	}
	if json.Unmarshal(em.Record, &nested) == nil && strings.Contains(nested.Record.URI, "/app.bsky.feed.post/") {
		return nested.Record.URI
	}
	return ""
}

// jetstream maps a Jetstream commit event: posts, reposts and likes created by r.DID.
func (e *emitter) jetstream(r *response) {
	c := r.Commit
	if c.Operation != "create" {
		return // updates and deletes are not read
	}
	if c.Collection == "" || c.RKey == "" {
		e.reject("commit.collection", "Jetstream commit without collection or rkey")
		return
	}
	uri := fmt.Sprintf("at://%s/%s/%s", r.DID, c.Collection, c.RKey)
	at, err := field.Time(c.Record.CreatedAt)
	if err != nil || at.IsZero() {
		at = time.UnixMicro(r.TimeUS).UTC()
	}
	switch c.Collection {
	case "app.bsky.feed.post":
		p, err := e.fromRecord(uri, r.DID, "", &c.Record, "")
		if err != nil {
			e.reject("commit.record.createdAt", err.Error())
			return
		}
		e.b.Posts = append(e.b.Posts, p)
	case "app.bsky.feed.repost":
		s := subjectURI(c.Record.Subject)
		if s == "" {
			e.reject("commit.record.subject", "repost without subject")
			return
		}
		e.b.Posts = append(e.b.Posts, event.Post{Platform: event.Bluesky, ID: uri, AuthorID: r.DID,
			CreatedAt: at, Kind: event.KindRepost, RefID: s, RefAuthorID: didOf(s),
			Likes: event.Unknown, Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown,
			Prov: e.prov})
	case "app.bsky.feed.like":
		s := subjectURI(c.Record.Subject)
		if s == "" {
			e.reject("commit.record.subject", "like without subject")
			return
		}
		e.b.Engagements = append(e.b.Engagements, event.Engagement{Platform: event.Bluesky, AccountID: r.DID,
			Kind: event.EngageLike, PostID: s, PostAuthorID: didOf(s), At: at, Prov: e.prov})
	}
}

// subjectURI returns the URI of a repost's or like's subject (a strong ref), or "".
func subjectURI(raw json.RawMessage) string {
	var r ref
	if len(raw) == 0 || json.Unmarshal(raw, &r) != nil {
		return ""
	}
	return r.URI
}

// didOf returns the DID of an at:// URI ("at://did:plc:x/app.bsky.feed.post/y" → "did:plc:x").
func didOf(uri string) string {
	s, ok := strings.CutPrefix(uri, "at://")
	if !ok {
		return ""
	}
	did, _, _ := strings.Cut(s, "/")
	return did
}

func count(p *int64) int64 {
	if p == nil || *p < 0 {
		return event.Unknown
	}
	return *p
}
