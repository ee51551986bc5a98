package twitterv1

import (
	"fmt"
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/echotrace/echotrace/internal/event"
)

// tweet is the union of a v1.1 tweet (with the _h members of hashed archives) and a GNIP
// Activity Streams activity. Which one it is is decided by Verb.
type tweet struct {
	// v1.1
	CreatedAt         string         `json:"created_at"`
	ID                jsontext.Value `json:"id"` // number in v1.1, "tag:…" string in activities
	IDStr             string         `json:"id_str"`
	IDStrH            string         `json:"id_str_h"`
	Text              string         `json:"text"`
	FullText          string         `json:"full_text"`
	TextM             string         `json:"text_m"`
	ExtendedTweet     *extended      `json:"extended_tweet"`
	Entities          entities       `json:"entities"`
	User              *user          `json:"user"`
	RetweetedStatus   *tweet         `json:"retweeted_status"`
	QuotedStatus      *tweet         `json:"quoted_status"`
	QuotedStatusIDStr string         `json:"quoted_status_id_str"`
	InReplyToStatus   string         `json:"in_reply_to_status_id_str"`
	InReplyToStatusH  string         `json:"in_reply_to_status_id_str_h"`
	InReplyToUser     string         `json:"in_reply_to_user_id_str"`
	InReplyToUserH    string         `json:"in_reply_to_user_id_str_h"`
	Lang              string         `json:"lang"`
	Source            string         `json:"source"`
	FavoriteCount     optInt         `json:"favorite_count"`
	RetweetCount      optInt         `json:"retweet_count"`
	ReplyCount        optInt         `json:"reply_count"`
	QuoteCount        optInt         `json:"quote_count"`
	TimestampMs       jsontext.Value `json:"timestamp_ms"` // "1491703259888" or a number

	// GNIP Activity Streams
	Verb            string    `json:"verb"`
	Actor           *user     `json:"actor"`
	Object          *tweet    `json:"object"`
	Body            string    `json:"body"`
	PostedTime      string    `json:"postedTime"`
	TwitterEntities entities  `json:"twitter_entities"`
	LongObject      *extended `json:"long_object"`
	InReplyTo       *struct {
		Link string `json:"link"`
	} `json:"inReplyTo"`
	TwitterQuotedStatus *tweet `json:"twitter_quoted_status"`
	Generator           *struct {
		DisplayName string `json:"displayName"`
	} `json:"generator"`
	TwitterLang    string `json:"twitter_lang"`
	FavoritesCount optInt `json:"favoritesCount"`
	RetweetCountAS optInt `json:"retweetCount"`
	Gnip           *struct {
		URLs []struct {
			ExpandedURL string `json:"expanded_url"`
		} `json:"urls"`
	} `json:"gnip"`
}

// extended is extended_tweet (v1.1 compatibility mode) or long_object (activities).
type extended struct {
	FullText        string   `json:"full_text"`
	Body            string   `json:"body"`
	Entities        entities `json:"entities"`
	TwitterEntities entities `json:"twitter_entities"`
}

type entities struct {
	URLs []struct {
		URL         string `json:"url"`
		ExpandedURL string `json:"expanded_url"`
		Unwound     *struct {
			URL string `json:"url"`
		} `json:"unwound"` // GNIP enrichment
	} `json:"urls"`
	Hashtags []struct {
		Text string `json:"text"`
	} `json:"hashtags"`
	Mentions []struct {
		ScreenName  string `json:"screen_name"`
		ScreenNameH string `json:"screen_name_h"`
	} `json:"user_mentions"`
}

// user is the union of a v1.1 user and an Activity Streams actor.
type user struct {
	ID             jsontext.Value `json:"id"`
	IDStr          string         `json:"id_str"`
	IDStrH         string         `json:"id_str_h"`
	ScreenName     string         `json:"screen_name"`
	ScreenNameH    string         `json:"screen_name_h"`
	Name           string         `json:"name"`
	CreatedAt      string         `json:"created_at"`
	Followers      optInt         `json:"followers_count"`
	Friends        optInt         `json:"friends_count"`
	Statuses       optInt         `json:"statuses_count"`
	Verified       bool           `json:"verified"`
	DefaultImage   bool           `json:"default_profile_image"`
	ImageURL       string         `json:"profile_image_url_https"`
	Description    string         `json:"description"`
	Location       jsontext.Value `json:"location"` // a string in v1.1, an object in actors
	Lang           string         `json:"lang"`
	PreferredName  string         `json:"preferredUsername"` // actor
	DisplayName    string         `json:"displayName"`
	ActorPosted    string         `json:"postedTime"`
	FollowersCount optInt         `json:"followersCount"`
	FriendsCount   optInt         `json:"friendsCount"`
	StatusesCount  optInt         `json:"statusesCount"`
	Summary        string         `json:"summary"`
	Image          string         `json:"image"`
	Languages      []string       `json:"languages"`
}

// optInt is a count that may be absent or null (Unknown), told apart from zero.
type optInt struct {
	v  int64
	ok bool
}

// UnmarshalJSONFrom reads an integer (or an integral float, or a numeric string) or null.
func (o *optInt) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*o = optInt{}
		return nil
	case '0', '"':
		s := tok.String()
		if tok.Kind() == '"' && s == "" {
			*o = optInt{}
			return nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil || f != float64(int64(f)) {
				return fmt.Errorf("count %q is not an integer", s)
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

// or returns o if present, else p.
func (o optInt) or(p optInt) optInt {
	if o.ok {
		return o
	}
	return p
}
