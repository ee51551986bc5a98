package twarc2

import (
	"fmt"
	"strconv"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// line is one input line: an API page, a flattened tweet, or a compliance result. The fields
// of a flattened tweet are inlined from object.
type line struct {
	Data     data       `json:"data"`
	Includes *includes  `json:"includes"`
	Errors   []apiError `json:"errors"`
	Twarc    *twarcMeta `json:"__twarc"`
	Action   string     `json:"action"` // compliance results: {"id", "action": "delete", ...}
	Meta     *struct{}  `json:"meta"`   // presence only: a page of any endpoint
	object
}

// data is a page's "data" member: an array of tweets, users, counts or lists, or a single
// object (the filtered stream, single-tweet lookups).
type data struct {
	objs    []object
	present bool
}

// UnmarshalJSONFrom accepts an array of objects, a single object or null.
func (d *data) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	d.present = true
	switch dec.PeekKind() {
	case '[':
		return json.UnmarshalDecode(dec, &d.objs)
	case '{':
		d.objs = append(d.objs[:0], object{})
		return json.UnmarshalDecode(dec, &d.objs[0])
	case 'n':
		_, err := dec.ReadToken()
		return err
	default:
		return &json.SemanticError{JSONKind: dec.PeekKind()}
	}
}

type includes struct {
	Users  []object `json:"users"`
	Tweets []object `json:"tweets"`
}

type twarcMeta struct {
	RetrievedAt string `json:"retrieved_at"`
	URL         string `json:"url"` // the request, e.g. https://api.x.com/2/tweets/123/liking_users?…
}

// apiError is one entry of a page's "errors": partial errors about expansions (a suspended
// mentioned user, a deleted referenced tweet) or a whole-request problem.
type apiError struct {
	Detail       string `json:"detail"`
	Title        string `json:"title"`
	ResourceType string `json:"resource_type"`
	Parameter    string `json:"parameter"`
	ResourceID   string `json:"resource_id"`
}

// object is the union of the v2 tweet and user objects (and, in flattened tweets, of a
// referenced tweet with its "type"). Whether an object is a tweet or a user is decided by
// which members it has; see isTweet and isUser.
type object struct {
	// common
	ID            string   `json:"id"`
	CreatedAt     string   `json:"created_at"`
	PublicMetrics *metrics `json:"public_metrics"`
	Entities      entities `json:"entities"`

	// tweet
	Text             string   `json:"text"`
	NoteTweet        *note    `json:"note_tweet"`
	AuthorID         string   `json:"author_id"`
	ConversationID   string   `json:"conversation_id"`
	InReplyToUserID  string   `json:"in_reply_to_user_id"`
	Lang             string   `json:"lang"`
	Source           string   `json:"source"`
	ReferencedTweets []object `json:"referenced_tweets"`
	Type             string   `json:"type"`             // in referenced_tweets: retweeted, quoted, replied_to
	Tweet            *object  `json:"tweet"`            // in referenced_tweets of some flattened forms
	Author           *object  `json:"author"`           // flattened
	InReplyToUser    *object  `json:"in_reply_to_user"` // flattened

	// user
	Username        string `json:"username"`
	Name            string `json:"name"`
	Verified        bool   `json:"verified"`
	ProfileImageURL string `json:"profile_image_url"`
	Description     string `json:"description"`
	Location        string `json:"location"`
}

// metrics is the union of tweet and user public_metrics.

type metrics struct {
	Likes       optInt `json:"like_count"`
	Retweets    optInt `json:"retweet_count"`
	Replies     optInt `json:"reply_count"`
	Quotes      optInt `json:"quote_count"`
	Impressions optInt `json:"impression_count"`
	Followers   optInt `json:"followers_count"`
	Following   optInt `json:"following_count"`
	Tweets      optInt `json:"tweet_count"`
}

type note struct {
	Text     string   `json:"text"`
	Entities entities `json:"entities"`
}

// entities is the union of tweet entities (urls, hashtags, mentions) and user entities (url,
// description), which the connector does not use.
type entities struct {
	URLs     []urlEntity `json:"urls"`
	Hashtags []struct {
		Tag string `json:"tag"`
	} `json:"hashtags"`
	Mentions []struct {
		Username string `json:"username"`
	} `json:"mentions"`
}

type urlEntity struct {
	URL         string `json:"url"`
	ExpandedURL string `json:"expanded_url"`
	UnwoundURL  string `json:"unwound_url"`
	MediaKey    string `json:"media_key"`
}

// isTweet reports whether o carries a tweet: an id and either text or an author.
func (o *object) isTweet() bool {
	return o.ID != "" && (o.Text != "" || o.AuthorID != "" || o.NoteTweet != nil)
}

// isUser reports whether o is a user object: an id and a username, and no tweet members.
func (o *object) isUser() bool {
	return o.ID != "" && o.Username != "" && !o.isTweet()
}

// optInt is a count that may be absent or null (Unknown), told apart from zero without the
// allocation of a pointer.
type optInt struct {
	v  int64
	ok bool
}

// UnmarshalJSONFrom reads an integer or null.
func (o *optInt) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*o = optInt{}
		return nil
	case '0':
		n, err := strconv.ParseInt(tok.String(), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(tok.String(), 64)
			if ferr != nil || f != float64(int64(f)) {
				return fmt.Errorf("count %s is not an integer", tok.String())
			}
			n = int64(f)
		}
		*o = optInt{v: n, ok: true}
		return nil
	}
	return &json.SemanticError{JSONKind: tok.Kind()}
}

// get returns the count, or event.Unknown if absent, null or negative.
func (o optInt) get() int64 {
	if !o.ok || o.v < 0 {
		return event.Unknown
	}
	return o.v
}
