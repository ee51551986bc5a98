package twitterv1

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
const Name = "twitter-v1"

// New returns the Twitter v1.1 connector.
func New() ingest.Connector { return connector{} }

type connector struct{}

func (connector) Name() string { return Name }

func (connector) Describe() string {
	return "Twitter API v1.1 JSON (arrays, search results, single tweets, line-delimited and GNIP Activity Streams tweets)"
}

// Detect recognises v1.1 tweets by id_str/screen_name with a RubyDate created_at, search
// results by "statuses", and GNIP Activity Streams by "verb" with "actor". Twitter API v2
// (twarc2) pages and tweets score zero.
func (connector) Detect(name string, head []byte) int {
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(h) == 0 || (h[0] != '{' && h[0] != '[') {
		return 0
	}
	has := func(s string) bool { return bytes.Contains(h, []byte(s)) }
	if has(`"__twarc"`) || (has(`"author_id"`) && !has(`"id_str"`)) {
		return 0 // Twitter API v2
	}
	switch {
	case has(`"statuses"`) && has(`"id_str"`):
		return 95
	case (has(`"id_str"`) || has(`"id_str_h"`)) && (has(`"user"`) || has(`"screen_name`)):
		return 90
	case has(`"verb"`) && has(`"actor"`) && has(`twitter.com`):
		return 85
	case has(`"id_str"`) && has(`"text"`):
		return 60
	case has(`"ids"`) && has(`"next_cursor_str"`):
		return 30 // the retweeters/followers ids endpoint: valid, no tweets
	}
	return 0
}

func (connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	return &decoder{r: lines.NewReader(r, lines.MaxRecord), src: src}, nil
}

// decoder reads either line-delimited JSON (one tweet, activity, array or search result per
// line) or, when the first non-blank line is not a complete JSON value, a document spanning
// lines (a pretty-printed tweet, array or search result), which is held in memory. Decode
// yields one line in line mode, and one array element (or one top-level value) in document
// mode. Lines are bounded by lines.MaxRecord (a longer line is rejected and skipped) and a
// document by lines.MaxDocument (a longer one is rejected as a whole); the first line, which
// may be a whole document written on one line, is bounded by lines.MaxDocument too.
type decoder struct {
	r    *lines.Reader
	src  string
	mode int // 0 undecided, modeLines, modeDoc

	// line mode
	line int64

	// document mode
	data    []byte
	dec     *jsontext.Decoder
	nlOff   int   // newlines in data[:nlOff] have been counted into nlLine
	nlLine  int64 // line number at nlOff
	inArray bool
	done    bool
	readErr error // the input broke off inside the document: returned once its whole values are read

	seenPost map[string]bool
	seenUser map[string]bool
}

const (
	modeLines = 1
	modeDoc   = 2
)

var unmarshalOpts = json.JoinOptions(jsontext.AllowDuplicateNames(true))

// Decode appends the events of the next record to b.
func (d *decoder) Decode(b *event.Batch) error {
	if d.mode == modeDoc {
		return d.decodeDoc(b)
	}
	for {
		if d.mode == 0 {
			// The first line may be a whole document (a JSON array written on one line).
			d.r.SetMax(lines.MaxDocument)
		}
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
			d.startLines()
			b.Rejects = append(b.Rejects, event.NewReject(d.src, d.line, "", l.Err.Error(), raw))
			return nil
		}
		t := bytes.TrimSpace(raw)
		if len(t) == 0 {
			continue
		}
		if d.mode == 0 {
			if !lineDelimited(t) {
				return d.startDoc(b, raw)
			}
			d.startLines()
		}
		d.value(b, t, d.line)
		return nil
	}
}

// startLines switches to line mode, where every line after the first is one record.
func (d *decoder) startLines() {
	d.mode = modeLines
	d.r.SetMax(lines.MaxRecord)
}

// lineDelimited tells whether the first non-blank line is a whole record: valid JSON, or at
// least an object or array that closes on the same line (a damaged first record).
func lineDelimited(l []byte) bool {
	if jsontext.Value(l).IsValid(jsontext.AllowDuplicateNames(true)) {
		return true
	}
	last := l[len(l)-1]
	return len(l) > 1 && ((l[0] == '{' && last == '}') || (l[0] == '[' && last == ']'))
}

// startDoc switches to document mode: the first non-blank line (on line d.line) and the rest
// of the input are read into memory. A document over lines.MaxDocument is rejected as a whole,
// without reading past the limit. When the input breaks off inside the document, its values
// before the cut are decoded and Decode then returns the read error.
func (d *decoder) startDoc(b *event.Batch, first []byte) error {
	d.mode = modeDoc
	var buf bytes.Buffer
	buf.Write(first)
	buf.WriteByte('\n')
	rest, err := d.r.Rest(max(0, lines.MaxDocument-buf.Len()))
	switch {
	case errors.Is(err, lines.ErrTooLong):
		b.Rejects = append(b.Rejects, event.NewReject(d.src, d.line, "", err.Error()+
			"; the document is not read (convert it to JSON lines, one tweet per line: jq -c '.[]')", first))
		d.done = true
		return nil
	case err != nil:
		d.readErr = err
		// Whatever follows the last newline is a cut line (perhaps a cut character).
		rest = rest[:bytes.LastIndexByte(rest, '\n')+1]
	}
	buf.Write(rest)
	d.data = buf.Bytes()
	d.nlLine = d.line
	if !utf8.Valid(d.data) {
		// jsontext reports the offset of the bad byte; without this the whole document would
		// still be rejected at that point, so only say so more plainly.
		i := invalidUTF8At(d.data)
		b.Rejects = append(b.Rejects, event.NewReject(d.src, d.lineAt(i), "", "invalid UTF-8 at byte "+fmt.Sprint(i)+"; the rest of the document is not read", d.data[d.lineStart(i):min(len(d.data), i+200)]))
		d.done = true
		return nil
	}
	d.dec = jsontext.NewDecoder(bytes.NewReader(d.data), jsontext.AllowDuplicateNames(true))
	return d.decodeDoc(b)
}

func invalidUTF8At(p []byte) int {
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(p)
}

// lineAt returns the 1-based line of byte offset off; offsets must not decrease between calls.
func (d *decoder) lineAt(off int) int64 {
	off = min(off, len(d.data))
	if off > d.nlOff {
		d.nlLine += int64(bytes.Count(d.data[d.nlOff:off], []byte{'\n'}))
		d.nlOff = off
	}
	return d.nlLine
}

// lineStart returns the offset of the start of the line holding off.
func (d *decoder) lineStart(off int) int {
	return bytes.LastIndexByte(d.data[:off], '\n') + 1
}

// decodeDoc yields the next element of a top-level array, or the next top-level value.
func (d *decoder) decodeDoc(b *event.Batch) error {
	if d.done {
		if d.readErr != nil {
			return d.readErr
		}
		return io.EOF
	}
	for {
		if !d.inArray && d.dec.PeekKind() == '[' {
			if _, err := d.dec.ReadToken(); err != nil {
				return d.docErr(b, err)
			}
			d.inArray = true
		}
		if d.inArray && d.dec.PeekKind() == ']' {
			if _, err := d.dec.ReadToken(); err != nil {
				return d.docErr(b, err)
			}
			d.inArray = false
			continue
		}
		v, err := d.dec.ReadValue()
		if err == io.EOF && !d.inArray {
			d.done = true
			if d.readErr != nil {
				return d.readErr
			}
			return io.EOF
		}
		if err != nil {
			return d.docErr(b, err)
		}
		start := int(d.dec.InputOffset()) - len(v)
		d.value(b, v, d.lineAt(start))
		return nil
	}
}

// docErr rejects the rest of a document at the line where it became unreadable.
func (d *decoder) docErr(b *event.Batch, err error) error {
	d.done = true
	if d.readErr != nil && errors.Is(err, io.ErrUnexpectedEOF) {
		return d.readErr // the document ends where the input broke off
	}
	off := int(d.dec.InputOffset())
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		off = int(se.ByteOffset)
	}
	reason := "invalid JSON: " + err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		reason = "truncated JSON document"
	}
	ls := d.lineStart(min(off, len(d.data)))
	b.Rejects = append(b.Rejects, event.NewReject(d.src, d.lineAt(off), "", reason+"; the rest of the document is not read", d.data[ls:min(len(d.data), ls+500)]))
	return nil
}

// value decodes one JSON value starting on line: an array of tweets, a search result
// ({"statuses": […]}), a tweet, an activity, or a known non-tweet message.
func (d *decoder) value(b *event.Batch, v []byte, line int64) {
	if !utf8.Valid(v) {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, line, "", "invalid UTF-8", v))
		return
	}
	// lineOf counts newlines incrementally: element offsets only grow.
	counted, at := 0, line
	lineOf := func(off int) int64 {
		at += newlines(v[counted:off])
		counted = off
		return at
	}
	switch v[0] {
	case '[':
		if err := elements(v, "", func(elem []byte, off int) { d.object(b, elem, lineOf(off)) }); err != nil {
			d.rejectJSON(b, line, v, err)
		}
	case '{':
		if bytes.Contains(v, []byte(`"statuses"`)) {
			found := false
			err := elements(v, "statuses", func(elem []byte, off int) {
				found = true
				d.object(b, elem, lineOf(off))
			})
			if err != nil {
				d.rejectJSON(b, line, v, err)
				return
			}
			if found {
				return
			}
		}
		d.object(b, v, line)
	default:
		b.Rejects = append(b.Rejects, event.NewReject(d.src, line, "", "not a JSON object or array; expected v1.1 tweets", v))
	}
}

func newlines(p []byte) int64 { return int64(bytes.Count(p, []byte{'\n'})) }

// elements calls fn with each element of the array v (member == "") or of the array member
// of the object v, and the element's offset in v. A member that is absent or not an array is
// not an error.
func elements(v []byte, member string, fn func(elem []byte, off int)) error {
	dec := jsontext.NewDecoder(bytes.NewReader(v), jsontext.AllowDuplicateNames(true))
	each := func() error {
		if _, err := dec.ReadToken(); err != nil { // '['
			return err
		}
		for dec.PeekKind() != ']' {
			e, err := dec.ReadValue()
			if err != nil {
				return err
			}
			fn(e, int(dec.InputOffset())-len(e))
		}
		_, err := dec.ReadToken()
		return err
	}
	if member == "" {
		return each()
	}
	if _, err := dec.ReadToken(); err != nil { // '{'
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if name.String() == member && dec.PeekKind() == '[' {
			return each()
		}
		if err := dec.SkipValue(); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) rejectJSON(b *event.Batch, line int64, raw []byte, err error) {
	f, reason := jsonErr(err)
	b.Rejects = append(b.Rejects, event.NewReject(d.src, line, f, reason, raw))
}

// jsonErr maps a decoding error to the offending field and a reason.
func jsonErr(err error) (fieldName, reason string) {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		if errors.Is(se.Err, io.ErrUnexpectedEOF) {
			return "", fmt.Sprintf("truncated JSON at byte %d", se.ByteOffset)
		}
		return strings.TrimPrefix(string(se.JSONPointer), "/"), fmt.Sprintf("invalid JSON at byte %d: %s", se.ByteOffset, se.Err)
	}
	var sem *json.SemanticError
	if errors.As(err, &sem) {
		want := "another type"
		if sem.GoType != nil {
			want = sem.GoType.Kind().String()
		}
		return strings.TrimPrefix(string(sem.JSONPointer), "/"), fmt.Sprintf("unexpected JSON %s; expected %s", sem.JSONKind, want)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "", "truncated JSON"
	}
	return "", "invalid JSON: " + err.Error()
}

// record is a top-level object: a tweet or activity, or one of the v1.1 messages that carry no
// tweet (retweeter ids, API errors, streaming notices).
type record struct {
	tweet
	Statuses       jsontext.Value `json:"statuses"` // an empty search result
	IDs            jsontext.Value `json:"ids"`
	Errors         jsontext.Value `json:"errors"`
	SearchMetadata jsontext.Value `json:"search_metadata"`
	Delete         jsontext.Value `json:"delete"`
	Limit          jsontext.Value `json:"limit"`
	ScrubGeo       jsontext.Value `json:"scrub_geo"`
	StatusWithheld jsontext.Value `json:"status_withheld"`
	UserWithheld   jsontext.Value `json:"user_withheld"`
	Disconnect     jsontext.Value `json:"disconnect"`
	Warning        jsontext.Value `json:"warning"`
	Event          jsontext.Value `json:"event"`
	Friends        jsontext.Value `json:"friends"`
}

func (r *record) message() bool {
	for _, v := range []jsontext.Value{r.Statuses, r.IDs, r.Errors, r.SearchMetadata, r.Delete, r.Limit, r.ScrubGeo,
		r.StatusWithheld, r.UserWithheld, r.Disconnect, r.Warning, r.Event, r.Friends} {
		if v != nil {
			return true
		}
	}
	return false
}

// object decodes one tweet or activity object starting on line.
func (d *decoder) object(b *event.Batch, v []byte, line int64) {
	if len(v) == 0 || v[0] != '{' {
		b.Rejects = append(b.Rejects, event.NewReject(d.src, line, "", "not a JSON object; expected a v1.1 tweet", v))
		return
	}
	var r record
	if err := json.Unmarshal(v, &r, unmarshalOpts); err != nil {
		d.rejectJSON(b, line, v, err)
		return
	}
	if d.seenPost == nil {
		d.seenPost = make(map[string]bool)
		d.seenUser = make(map[string]bool)
	}
	clear(d.seenPost)
	clear(d.seenUser)
	e := emitter{d: d, b: b, line: line, raw: v}
	switch {
	case r.Verb != "":
		switch r.Verb {
		case "post", "share":
			e.activity(&r.tweet, "")
		case "delete":
			// compliance notice: nothing to keep
		default:
			e.reject("verb", fmt.Sprintf("activity verb %q is not supported (expected post or share)", r.Verb))
		}
	case r.isTweet():
		if s := strings.Trim(string(r.TimestampMs), `"`); s != "" && s != "null" {
			t, err := field.Time(s)
			if err != nil {
				e.reject("timestamp_ms", err.Error())
				return
			}
			e.countsAt = t
		}
		e.tweet(&r.tweet, "")
	case r.message():
		// retweeter ids, API errors, streaming notices: valid, no events
	default:
		e.reject("", "not a v1.1 tweet (no id_str and text/full_text/user) nor an activity (verb)")
	}
}

// isTweet reports whether t looks like a v1.1 tweet: an id and text or a user.
func (t *tweet) isTweet() bool {
	hasID := t.IDStr != "" || t.IDStrH != "" || len(t.ID) > 0
	hasText := t.Text != "" || t.FullText != "" || t.TextM != "" || t.ExtendedTweet != nil
	return hasID && (hasText || t.User != nil)
}

// emitter turns one top-level object into events.
type emitter struct {
	d        *decoder
	b        *event.Batch
	line     int64
	raw      []byte
	countsAt time.Time // the streaming timestamp_ms, when the tweet came from the stream
}

func (e *emitter) reject(fieldName, reason string) {
	e.b.Rejects = append(e.b.Rejects, event.NewReject(e.d.src, e.line, fieldName, reason, e.raw))
}

func (e *emitter) prov() event.Provenance {
	return event.Provenance{Source: e.d.src, Line: e.line}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// idOf returns the id in v: a JSON string as is, or an integer literal digit for digit. A
// floating-point id has lost precision and is refused.
func idOf(v jsontext.Value) (string, error) {
	if len(v) == 0 || string(v) == "null" {
		return "", nil
	}
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return "", fmt.Errorf("id %s is not an integer (use id_str)", v)
		}
	}
	return string(v), nil
}

// tweetID prefers id_str, then the hashed id_str_h, then the integer id.
func tweetID(t *tweet) (string, error) {
	switch {
	case t.IDStr != "":
		return t.IDStr, nil
	case t.IDStrH != "":
		return t.IDStrH, nil
	}
	return idOf(t.ID)
}

func userID(u *user) (string, error) {
	switch {
	case u.IDStr != "":
		return u.IDStr, nil
	case u.IDStrH != "":
		return u.IDStrH, nil
	}
	return idOf(u.ID)
}

// tweet emits t (and its retweeted and quoted statuses, and their users) and returns its id and
// author id; ok is false if t was rejected.
func (e *emitter) tweet(t *tweet, path string) (id, author string, ok bool) {
	id, err := tweetID(t)
	if err != nil || id == "" {
		e.reject(join(path, "id_str"), fmt.Sprintf("tweet without a usable id: %v", err))
		return "", "", false
	}
	if t.User == nil {
		e.reject(join(path, "user"), "tweet "+id+" has no user")
		return "", "", false
	}
	author, err = userID(t.User)
	if err != nil || author == "" {
		e.reject(join(path, "user.id_str"), fmt.Sprintf("tweet %s: user without a usable id: %v", id, err))
		return "", "", false
	}
	created, err := rubyTime(t.CreatedAt)
	if err != nil {
		e.reject(join(path, "created_at"), "tweet "+id+": "+err.Error()+"; expected \"Mon Jan 02 15:04:05 +0000 2006\"")
		return "", "", false
	}
	if e.d.seenPost[id] {
		return id, author, true
	}
	e.d.seenPost[id] = true
	e.user(t.User, author, join(path, "user"))

	p := event.Post{
		Platform:     event.X,
		ID:           id,
		AuthorID:     author,
		AuthorHandle: t.User.ScreenName,
		CreatedAt:    created,
		Kind:         event.KindPost,
		Text:         t.Text,
		Lang:         t.Lang,
		Client:       stripTags(t.Source),
		Likes:        t.FavoriteCount.get(),
		Reposts:      t.RetweetCount.get(),
		Replies:      t.ReplyCount.get(),
		Quotes:       t.QuoteCount.get(),
		Views:        event.Unknown,
		CountsAt:     e.countsAt,
		Prov:         e.prov(),
	}
	if p.AuthorHandle == "" {
		p.AuthorHandle = t.User.ScreenNameH
	}
	ents := &t.Entities
	switch {
	case t.ExtendedTweet != nil && t.ExtendedTweet.FullText != "":
		p.Text, ents = t.ExtendedTweet.FullText, &t.ExtendedTweet.Entities
	case t.FullText != "":
		p.Text = t.FullText
	case p.Text == "":
		p.Text = t.TextM
	}
	var rtID, rtAuthor, qID, qAuthor string
	if t.RetweetedStatus != nil {
		var ok bool
		if rtID, rtAuthor, ok = e.tweet(t.RetweetedStatus, join(path, "retweeted_status")); !ok {
			rtID, rtAuthor = "", ""
		}
	}
	if t.QuotedStatus != nil {
		if qID, qAuthor, ok = e.tweet(t.QuotedStatus, join(path, "quoted_status")); !ok {
			qID, qAuthor = "", ""
		}
	}
	if qID == "" {
		qID = t.QuotedStatusIDStr
	}
	replyTo, replyUser := t.InReplyToStatus, t.InReplyToUser
	if replyTo == "" {
		replyTo = t.InReplyToStatusH
	}
	if replyUser == "" {
		replyUser = t.InReplyToUserH
	}
	switch {
	case rtID != "":
		p.Kind, p.RefID, p.RefAuthorID = event.KindRepost, rtID, rtAuthor
	case replyTo != "" || replyUser != "":
		p.Kind, p.RefID, p.RefAuthorID = event.KindReply, replyTo, replyUser
		if qID != "" {
			e.b.Engagements = append(e.b.Engagements, event.Engagement{Platform: event.X, AccountID: author,
				Kind: event.EngageQuote, PostID: qID, PostAuthorID: qAuthor, At: created, Prov: e.prov()})
		}
	case qID != "":
		p.Kind, p.RefID, p.RefAuthorID = event.KindQuote, qID, qAuthor
	}
	setEntities(&p, ents, nil)
	e.b.Posts = append(e.b.Posts, p)
	return id, author, true
}

// setEntities fills URLs, hashtags and mentions. unwound, if as long as ents.URLs, holds the
// GNIP-unwound URL of each.
func setEntities(p *event.Post, ents *entities, unwound []string) {
	for i, u := range ents.URLs {
		s := u.ExpandedURL
		if u.Unwound != nil && u.Unwound.URL != "" {
			s = u.Unwound.URL
		} else if len(unwound) == len(ents.URLs) && unwound[i] != "" {
			s = unwound[i]
		}
		if s == "" {
			s = u.URL
		}
		if s != "" {
			p.URLs = append(p.URLs, field.URL(s))
		}
	}
	for _, h := range ents.Hashtags {
		if t := field.Hashtag(h.Text); t != "" {
			p.Hashtags = append(p.Hashtags, t)
		}
	}
	for _, m := range ents.Mentions {
		s := m.ScreenName
		if s == "" {
			s = m.ScreenNameH
		}
		if h := field.Handle(s); h != "" {
			p.Mentions = append(p.Mentions, h)
		}
	}
}

// stripTags turns v1.1's source, an HTML anchor, into the client's name.
func stripTags(s string) string {
	if !strings.HasPrefix(s, "<") {
		return s
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// user emits the account u (id already resolved), once per record. A bad created_at rejects
// the account but not the tweet.
func (e *emitter) user(u *user, id, path string) {
	if e.d.seenUser[id] {
		return
	}
	e.d.seenUser[id] = true
	createdRaw := u.CreatedAt
	if createdRaw == "" {
		createdRaw = u.ActorPosted
	}
	created, err := rubyTime(createdRaw)
	if err != nil {
		e.reject(join(path, "created_at"), "user "+id+": "+err.Error())
		return
	}
	a := event.Account{
		Platform:      event.X,
		ID:            id,
		Handle:        firstOf(u.ScreenName, u.PreferredName, u.ScreenNameH),
		Name:          firstOf(u.Name, u.DisplayName),
		CreatedAt:     created,
		Followers:     u.Followers.or(u.FollowersCount).get(),
		Following:     u.Friends.or(u.FriendsCount).get(),
		Posts:         u.Statuses.or(u.StatusesCount).get(),
		Verified:      u.Verified,
		DefaultAvatar: u.DefaultImage || strings.Contains(u.ImageURL, "default_profile_images") || strings.Contains(u.Image, "default_profile_images"),
		Description:   firstOf(u.Description, u.Summary),
		Location:      location(u.Location),
		Lang:          u.Lang,
		ObservedAt:    e.countsAt,
		Prov:          e.prov(),
	}
	if a.Lang == "" && len(u.Languages) > 0 {
		a.Lang = u.Languages[0]
	}
	e.b.Accounts = append(e.b.Accounts, a)
}

// rubyTime parses v1.1's "Mon Jan 02 15:04:05 +0000 2006" directly, and any other layout
// through field.Time.
func rubyTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RubyDate, s); err == nil {
		return t.UTC(), nil
	}
	return field.Time(s)
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// location reads a v1.1 location string or an actor's {"displayName": …} object.
func location(v jsontext.Value) string {
	if len(v) == 0 {
		return ""
	}
	switch v[0] {
	case '"':
		var s string
		_ = json.Unmarshal(v, &s)
		return s
	case '{':
		var o struct {
			DisplayName string `json:"displayName"`
		}
		_ = json.Unmarshal(v, &o, unmarshalOpts)
		return o.DisplayName
	}
	return ""
}

// activityID returns the numeric id at the end of an activity or actor id such as
// "tag:search.twitter.com,2005:887453193294282752" or "id:twitter.com:815279070241955840".
func activityID(v jsontext.Value) (string, error) {
	s, err := idOf(v)
	if err != nil {
		return "", err
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	return s, nil
}

// statusIDFromLink returns the status id of "http://twitter.com/user/statuses/123".
func statusIDFromLink(link string) string {
	for _, seg := range []string{"/statuses/", "/status/"} {
		if i := strings.LastIndex(link, seg); i >= 0 {
			id := link[i+len(seg):]
			if j := strings.IndexAny(id, "/?#"); j >= 0 {
				id = id[:j]
			}
			return id
		}
	}
	return ""
}

// activity emits a GNIP Activity Streams post or share (a retweet, whose object is the
// original activity) and returns its id and author id.
func (e *emitter) activity(a *tweet, path string) (id, author string, ok bool) {
	id, err := activityID(a.ID)
	if err != nil || id == "" {
		e.reject(join(path, "id"), fmt.Sprintf("activity without a usable id: %v", err))
		return "", "", false
	}
	if a.Actor == nil {
		e.reject(join(path, "actor"), "activity "+id+" has no actor")
		return "", "", false
	}
	author, err = activityID(a.Actor.ID)
	if err != nil || author == "" {
		e.reject(join(path, "actor.id"), fmt.Sprintf("activity %s: actor without a usable id: %v", id, err))
		return "", "", false
	}
	created, err := field.Time(a.PostedTime)
	if err != nil {
		e.reject(join(path, "postedTime"), "activity "+id+": "+err.Error())
		return "", "", false
	}
	if e.d.seenPost[id] {
		return id, author, true
	}
	e.d.seenPost[id] = true
	e.user(a.Actor, author, join(path, "actor"))
	p := event.Post{
		Platform:     event.X,
		ID:           id,
		AuthorID:     author,
		AuthorHandle: a.Actor.PreferredName,
		CreatedAt:    created,
		Kind:         event.KindPost,
		Text:         a.Body,
		Lang:         a.TwitterLang,
		Likes:        a.FavoritesCount.get(),
		Reposts:      a.RetweetCountAS.get(),
		Replies:      event.Unknown,
		Quotes:       event.Unknown,
		Views:        event.Unknown,
		Prov:         e.prov(),
	}
	if a.Generator != nil {
		p.Client = a.Generator.DisplayName
	}
	ents := &a.TwitterEntities
	if a.LongObject != nil && a.LongObject.Body != "" {
		p.Text, ents = a.LongObject.Body, &a.LongObject.TwitterEntities
	}
	var unwound []string
	if a.Gnip != nil && ents == &a.TwitterEntities {
		for _, u := range a.Gnip.URLs {
			unwound = append(unwound, u.ExpandedURL)
		}
	}
	var qID, qAuthor string
	if a.TwitterQuotedStatus != nil {
		if qID, qAuthor, ok = e.activity(a.TwitterQuotedStatus, join(path, "twitter_quoted_status")); !ok {
			qID, qAuthor = "", ""
		}
	}
	var replyTo string
	if a.InReplyTo != nil {
		replyTo = statusIDFromLink(a.InReplyTo.Link)
	}
	switch {
	case a.Verb == "share":
		if a.Object == nil {
			e.reject(join(path, "object"), "share "+id+" without the shared activity")
			return "", "", false
		}
		rtID, rtAuthor, ok := e.activity(a.Object, join(path, "object"))
		if !ok {
			return "", "", false
		}
		p.Kind, p.RefID, p.RefAuthorID = event.KindRepost, rtID, rtAuthor
	case replyTo != "":
		p.Kind, p.RefID = event.KindReply, replyTo
		if qID != "" {
			e.b.Engagements = append(e.b.Engagements, event.Engagement{Platform: event.X, AccountID: author,
				Kind: event.EngageQuote, PostID: qID, PostAuthorID: qAuthor, At: created, Prov: e.prov()})
		}
	case qID != "":
		p.Kind, p.RefID, p.RefAuthorID = event.KindQuote, qID, qAuthor
	}
	setEntities(&p, ents, unwound)
	e.b.Posts = append(e.b.Posts, p)
	return id, author, true
}
