package twarc2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/field"
	"github.com/echotrace/echotrace/internal/ingest/lines"
)

// Name is the connector's --format name.
const Name = "twarc2"

// New returns the twarc2 connector.
func New() ingest.Connector { return connector{} }

type connector struct{}

func (connector) Name() string { return Name }

func (connector) Describe() string {
	return "Twitter/X API v2 JSON lines as written by twarc2: response pages (data + includes) or flattened tweets"
}

// Detect looks at the first non-blank line of head. A line carrying twarc's "__twarc" member
// is certain; a v2 page ({"data": …} with includes or meta) or a v2 tweet (author_id,
// ISO created_at, no v1.1 id_str/user) is very likely; v1.1 tweets score zero.
func (connector) Detect(name string, head []byte) int {
	first := firstLine(bytes.TrimPrefix(head, []byte("\ufeff")))
	if len(first) == 0 || first[0] != '{' {
		return 0
	}
	has := func(s string) bool { return bytes.Contains(first, []byte(s)) }
	if has(`"id_str"`) || has(`"screen_name"`) || has(`"statuses"`) {
		return 0 // Twitter v1.1
	}
	switch {
	case has(`"__twarc"`):
		return 95
	case has(`"data"`) && (has(`"includes"`) || has(`"meta"`) || has(`"errors"`)):
		return 85
	case has(`"author_id"`) && has(`"id"`) && has(`"text"`):
		return 80
	case has(`"data"`):
		return 50
	case has(`"action"`) && has(`"id"`) && has(`"reason"`):
		return 40 // compliance results
	}
	return 0
}

// firstLine returns the first non-blank line of head, trimmed; it may be cut short by the end
// of head.
func firstLine(head []byte) []byte {
	for len(head) > 0 {
		var l []byte
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			l, head = head[:i], head[i+1:]
		} else {
			l, head = head, nil
		}
		if l = bytes.TrimSpace(l); len(l) > 0 {
			return l
		}
	}
	return nil
}

func (connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	return &decoder{r: lines.NewReader(r, lines.MaxRecord), src: src}, nil
}

// decoder decodes one physical line per Decode call.
type decoder struct {
	r    *lines.Reader
	src  string
	line int64

	// per-line lookups, reused
	tweetAuthor map[string]string // tweet id → author id
	userHandle  map[string]string // user id → username
	seenPost    map[string]bool
	seenUser    map[string]bool
}

// unmarshalOpts: last duplicate member wins (faster than rejecting duplicates); UTF-8 is
// validated.
var unmarshalOpts = json.JoinOptions(jsontext.AllowDuplicateNames(true))

// Decode reads the next non-blank line and appends its events to b. A line over
// lines.MaxRecord is rejected without being read into memory, and the next Decode goes on
// after it.
func (d *decoder) Decode(b *event.Batch) error {
	for {
		l, err := d.r.Next()
		if err != nil {
			return err
		}
		d.line = l.N
		raw := l.Bytes
		if d.line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\ufeff")) // a byte-order mark
		}
		if l.Err != nil {
			d.reject(b, "", l.Err.Error(), raw)
			return nil
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		d.decodeLine(b, raw)
		return nil
	}
}

func (d *decoder) reject(b *event.Batch, fieldName, reason string, raw []byte) {
	b.Rejects = append(b.Rejects, event.NewReject(d.src, d.line, fieldName, reason, raw))
}

// decodeLine turns one line into events or a reject.
func (d *decoder) decodeLine(b *event.Batch, raw []byte) {
	if !utf8.Valid(raw) {
		d.reject(b, "", "invalid UTF-8", raw)
		return
	}
	if raw[0] != '{' {
		d.reject(b, "", "not a JSON object; expected one twarc2 page or tweet per line", raw)
		return
	}
	var l line
	if err := json.Unmarshal(raw, &l, unmarshalOpts); err != nil {
		f, reason := jsonErr(err)
		d.reject(b, f, reason, raw)
		return
	}
	var seen time.Time
	if l.Twarc != nil && l.Twarc.RetrievedAt != "" {
		t, err := field.Time(l.Twarc.RetrievedAt)
		if err != nil {
			d.reject(b, "__twarc.retrieved_at", err.Error(), raw)
			return
		}
		seen = t
	}
	isPage := l.Data.present || l.Includes != nil || l.Errors != nil || l.Meta != nil
	switch {
	case isPage:
		d.page(b, &l, seen, raw)
	case l.isTweet():
		d.flat(b, &l.object, seen, raw)
	case l.isUser():
		d.resetLookups()
		d.account(b, &l.object, seen, func() string { return "" }, raw)
	case l.Action != "" && l.ID != "":
		// a compliance result: valid, but not an event echotrace keeps
	case l.Twarc != nil:
		// an envelope without data (an empty response page)
	default:
		d.reject(b, "", "not a twarc2 page, tweet, user or compliance line (no data, includes, errors or tweet id and text)", raw)
	}
}

// jsonErr maps a decoding error to the offending field (a JSON pointer, "" for the whole
// line) and a reason for the reject.
func jsonErr(err error) (fieldName, reason string) {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		msg := se.Err.Error()
		if strings.Contains(msg, "UTF-8") {
			return strings.TrimPrefix(string(se.JSONPointer), "/"), "invalid UTF-8: " + msg
		}
		if errors.Is(se.Err, io.ErrUnexpectedEOF) {
			return "", fmt.Sprintf("truncated JSON at byte %d", se.ByteOffset)
		}
		return strings.TrimPrefix(string(se.JSONPointer), "/"), fmt.Sprintf("invalid JSON at byte %d: %s", se.ByteOffset, msg)
	}
	var sem *json.SemanticError
	if errors.As(err, &sem) {
		want := "a value of the twarc2 type"
		if sem.GoType != nil {
			want = goKind(sem.GoType.Kind().String())
		}
		return strings.TrimPrefix(string(sem.JSONPointer), "/"),
			fmt.Sprintf("unexpected JSON %s; expected %s", sem.JSONKind, want)
	}
	return "", "invalid JSON: " + err.Error()
}

func goKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int64", "int":
		return "an integer"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "ptr":
		return "an object"
	}
	return k
}

func (d *decoder) resetLookups() {
	if d.tweetAuthor == nil {
		d.tweetAuthor = make(map[string]string)
		d.userHandle = make(map[string]string)
		d.seenPost = make(map[string]bool)
		d.seenUser = make(map[string]bool)
	}
	clear(d.tweetAuthor)
	clear(d.userHandle)
	clear(d.seenPost)
	clear(d.seenUser)
}

// page emits the tweets of data and includes.tweets, the users of data and includes.users and
// the status observations in errors.
func (d *decoder) page(b *event.Batch, l *line, seen time.Time, raw []byte) {
	d.resetLookups()
	var inc includes
	if l.Includes != nil {
		inc = *l.Includes
	}
	for i := range l.Data.objs {
		if o := &l.Data.objs[i]; o.isTweet() {
			d.tweetAuthor[o.ID] = o.AuthorID
		} else if o.isUser() {
			d.userHandle[o.ID] = o.Username
		}
	}
	for i := range inc.Tweets {
		if o := &inc.Tweets[i]; o.isTweet() {
			if _, ok := d.tweetAuthor[o.ID]; !ok {
				d.tweetAuthor[o.ID] = o.AuthorID
			}
		}
	}
	for i := range inc.Users {
		if o := &inc.Users[i]; o.isUser() {
			d.userHandle[o.ID] = o.Username
		}
	}
	postID, kind := "", event.EngagementKind("")
	if l.Twarc != nil {
		postID, kind = engagersOf(l.Twarc.URL)
	}
	for i := range l.Data.objs {
		o := &l.Data.objs[i]
		if o.isTweet() {
			d.post(b, o, seen, func() string { return pointer("data", i, l.Data.objs) }, raw)
		} else if o.isUser() {
			d.account(b, o, seen, func() string { return pointer("data", i, l.Data.objs) }, raw)
			if postID != "" && o.ID != "" {
				// A liking_users / retweeted_by page: its users engaged with the post the
				// request names. The API gives no time.
				b.Engagements = append(b.Engagements, event.Engagement{Platform: event.X, AccountID: o.ID,
					Kind: kind, PostID: postID, Prov: event.Provenance{Source: d.src, Line: d.line}})
			}
		}
	}
	for i := range inc.Tweets {
		if o := &inc.Tweets[i]; o.isTweet() {
			d.post(b, o, seen, func() string { return fmt.Sprintf("includes.tweets[%d]", i) }, raw)
		}
	}
	for i := range inc.Users {
		if o := &inc.Users[i]; o.isUser() {
			d.account(b, o, seen, func() string { return fmt.Sprintf("includes.users[%d]", i) }, raw)
		}
	}
	if !seen.IsZero() {
		for _, e := range l.Errors {
			d.status(b, &e, seen)
		}
	}
}

// pointer names element i of a page's data for reject messages.
func pointer(name string, i int, objs []object) string {
	if len(objs) == 1 {
		return name
	}
	return fmt.Sprintf("%s[%d]", name, i)
}

// flat emits a flattened tweet, its author and reply-to user, and the referenced tweets merged
// into it (with their authors).
func (d *decoder) flat(b *event.Batch, o *object, seen time.Time, raw []byte) {
	d.resetLookups()
	d.indexFlat(o)
	d.flatTweet(b, o, seen, func() string { return "" }, raw)
}

// indexFlat records the authors and handles found anywhere in a flattened tweet.
func (d *decoder) indexFlat(o *object) {
	if o.isTweet() {
		if _, ok := d.tweetAuthor[o.ID]; !ok {
			d.tweetAuthor[o.ID] = o.AuthorID
		}
	}
	if u := o.Author; u != nil && u.ID != "" && u.Username != "" {
		d.userHandle[u.ID] = u.Username
	}
	if u := o.InReplyToUser; u != nil && u.ID != "" && u.Username != "" {
		d.userHandle[u.ID] = u.Username
	}
	for i := range o.ReferencedTweets {
		r := refTweet(&o.ReferencedTweets[i])
		if r != nil {
			d.indexFlat(r)
		}
	}
}

// refTweet returns the tweet embedded in a referenced_tweets element, if any: either merged
// into the element or under its "tweet" member.
func refTweet(r *object) *object {
	if r.Tweet != nil && r.Tweet.isTweet() {
		return r.Tweet
	}
	if r.isTweet() {
		return r
	}
	return nil
}

func (d *decoder) flatTweet(b *event.Batch, o *object, seen time.Time, path func() string, raw []byte) {
	d.post(b, o, seen, path, raw)
	if u := o.Author; u != nil && u.isUser() {
		d.account(b, u, seen, func() string { return join(path(), "author") }, raw)
	}
	if u := o.InReplyToUser; u != nil && u.isUser() {
		d.account(b, u, seen, func() string { return join(path(), "in_reply_to_user") }, raw)
	}
	for i := range o.ReferencedTweets {
		if r := refTweet(&o.ReferencedTweets[i]); r != nil {
			d.flatTweet(b, r, seen, func() string { return join(path(), fmt.Sprintf("referenced_tweets[%d]", i)) }, raw)
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// post appends the tweet o as a Post, once per line; a bad created_at rejects this tweet only.
func (d *decoder) post(b *event.Batch, o *object, seen time.Time, path func() string, raw []byte) {
	if d.seenPost[o.ID] {
		return
	}
	d.seenPost[o.ID] = true
	created, err := field.Time(o.CreatedAt)
	if err != nil {
		d.reject(b, join(path(), "created_at"), "tweet "+o.ID+": "+err.Error(), raw)
		return
	}
	p := event.Post{
		Platform:       event.X,
		ID:             o.ID,
		AuthorID:       o.AuthorID,
		AuthorHandle:   d.userHandle[o.AuthorID],
		CreatedAt:      created,
		Kind:           event.KindPost,
		ConversationID: o.ConversationID,
		Text:           o.Text,
		Lang:           o.Lang,
		Client:         o.Source,
		Likes:          event.Unknown,
		Reposts:        event.Unknown,
		Replies:        event.Unknown,
		Quotes:         event.Unknown,
		Views:          event.Unknown,
		Prov:           event.Provenance{Source: d.src, Line: d.line},
	}
	if p.AuthorID == "" {
		// The author is required by the data model; a tweet requested without author_id
		// cannot be attributed.
		d.reject(b, join(path(), "author_id"), "tweet "+o.ID+" has no author_id (request it with expansions=author_id)", raw)
		return
	}
	ents := &o.Entities
	if o.NoteTweet != nil && o.NoteTweet.Text != "" {
		// Long posts: the API truncates text and gives the full text and its entities here.
		p.Text = o.NoteTweet.Text
		ents = &o.NoteTweet.Entities
	}
	if m := o.PublicMetrics; m != nil {
		p.Likes, p.Reposts, p.Replies = m.Likes.get(), m.Retweets.get(), m.Replies.get()
		p.Quotes, p.Views = m.Quotes.get(), m.Impressions.get()
		p.CountsAt = seen
	}
	d.kind(b, &p, o)
	for _, u := range ents.URLs {
		s := u.UnwoundURL
		if s == "" {
			s = u.ExpandedURL
		}
		if s == "" {
			s = u.URL
		}
		if u.MediaKey != "" || s == "" {
			continue // attached media link back to the tweet itself, not a shared link
		}
		p.URLs = append(p.URLs, field.URL(s))
	}
	for _, h := range ents.Hashtags {
		if t := field.Hashtag(h.Tag); t != "" {
			p.Hashtags = append(p.Hashtags, t)
		}
	}
	for _, m := range ents.Mentions {
		if h := field.Handle(m.Username); h != "" {
			p.Mentions = append(p.Mentions, h)
		}
	}
	b.Posts = append(b.Posts, p)
}

// kind sets p's kind and reference from o.referenced_tweets. A retweet is a repost of the
// retweeted tweet; a reply refers to the tweet replied to (and its author, in_reply_to_user_id);
// a quote to the quoted tweet. A reply that also quotes is a reply, and its quote is appended as
// a quote Engagement so that it is not lost.
func (d *decoder) kind(b *event.Batch, p *event.Post, o *object) {
	var retweeted, replied, quoted string
	for i := range o.ReferencedTweets {
		r := &o.ReferencedTweets[i]
		id := r.ID
		if id == "" && r.Tweet != nil {
			id = r.Tweet.ID
		}
		switch r.Type {
		case "retweeted":
			retweeted = id
		case "replied_to":
			replied = id
		case "quoted":
			quoted = id
		}
	}
	switch {
	case retweeted != "":
		p.Kind, p.RefID, p.RefAuthorID = event.KindRepost, retweeted, d.tweetAuthor[retweeted]
	case replied != "" || o.InReplyToUserID != "":
		p.Kind, p.RefID, p.RefAuthorID = event.KindReply, replied, o.InReplyToUserID
		if p.RefAuthorID == "" {
			p.RefAuthorID = d.tweetAuthor[replied]
		}
		if quoted != "" {
			b.Engagements = append(b.Engagements, event.Engagement{
				Platform: event.X, AccountID: p.AuthorID, Kind: event.EngageQuote,
				PostID: quoted, PostAuthorID: d.tweetAuthor[quoted], At: p.CreatedAt, Prov: p.Prov,
			})
		}
	case quoted != "":
		p.Kind, p.RefID, p.RefAuthorID = event.KindQuote, quoted, d.tweetAuthor[quoted]
	}
}

// account appends the user o as an Account, once per line.
func (d *decoder) account(b *event.Batch, o *object, seen time.Time, path func() string, raw []byte) {
	if d.seenUser[o.ID] {
		return
	}
	d.seenUser[o.ID] = true
	created, err := field.Time(o.CreatedAt)
	if err != nil {
		d.reject(b, join(path(), "created_at"), "user "+o.ID+": "+err.Error(), raw)
		return
	}
	a := event.Account{
		Platform:      event.X,
		ID:            o.ID,
		Handle:        o.Username,
		Name:          o.Name,
		CreatedAt:     created,
		Followers:     event.Unknown,
		Following:     event.Unknown,
		Posts:         event.Unknown,
		Verified:      o.Verified,
		DefaultAvatar: strings.Contains(o.ProfileImageURL, "default_profile_images"),
		Description:   o.Description,
		Location:      o.Location,
		ObservedAt:    seen,
		Prov:          event.Provenance{Source: d.src, Line: d.line},
	}
	if m := o.PublicMetrics; m != nil {
		a.Followers, a.Following, a.Posts = m.Followers.get(), m.Following.get(), m.Tweets.get()
	}
	b.Accounts = append(b.Accounts, a)
}

// status turns a page error about a user into a status observation: "User has been suspended"
// → suspended; a user looked up by id that cannot be found → deleted; a user the client is not
// authorised to see → protected. Errors about tweets, or users named by a handle that cannot be
// found (renamed or deleted), say nothing certain and are skipped.
func (d *decoder) status(b *event.Batch, e *apiError, seen time.Time) {
	if e.ResourceType != "user" || e.ResourceID == "" {
		return
	}
	byHandle := strings.HasSuffix(e.Parameter, "username") || strings.HasSuffix(e.Parameter, "usernames")
	var st event.Status
	switch {
	case strings.HasPrefix(e.Detail, "User has been suspended"):
		st = event.StatusSuspended
	case e.Title == "Not Found Error" && !byHandle:
		st = event.StatusDeleted
	case e.Title == "Authorization Error":
		st = event.StatusProtected
	default:
		return
	}
	code := e.Title
	if i := strings.IndexByte(e.Detail, ':'); i > 0 {
		code = e.Detail[:i]
	}
	o := event.StatusObservation{
		Platform: event.X, ObservedAt: seen, Status: st, RawCode: code,
		Prov: event.Provenance{Source: d.src, Line: d.line},
	}
	if byHandle {
		o.Handle = e.ResourceID
	} else {
		o.AccountID = e.ResourceID
	}
	b.Statuses = append(b.Statuses, o)
}

// engagersRE matches the requests whose pages list the users who engaged with one tweet.
var engagersRE = regexp.MustCompile(`/2/tweets/([0-9]+)/(liking_users|retweeted_by)(?:[?#]|$)`)

// engagersOf returns the tweet id and engagement kind of a liking_users or retweeted_by
// request URL (twarc2 records it in __twarc.url), or "" for any other request.
func engagersOf(u string) (string, event.EngagementKind) {
	m := engagersRE.FindStringSubmatch(u)
	if m == nil {
		return "", ""
	}
	if m[2] == "liking_users" {
		return m[1], event.EngageLike
	}
	return m[1], event.EngageRepost
}
