package ioarchive

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

// TweetColumns are the tweets file's 31 columns, in the archive's order.
var TweetColumns = strings.Split("tweetid,userid,user_display_name,user_screen_name,"+
	"user_reported_location,user_profile_description,user_profile_url,follower_count,"+
	"following_count,account_creation_date,account_language,tweet_language,tweet_text,tweet_time,"+
	"tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,quoted_tweet_tweetid,is_retweet,"+
	"retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,like_count,"+
	"retweet_count,hashtags,urls,user_mentions,poll_choices", ",")

// UserColumns are the users file's 10 columns.
var UserColumns = TweetColumns[1:11]

// Positions in TweetColumns (and, for the profile columns 1–10, in UserColumns+1).
const (
	cTweetID = iota
	cUserID
	cDisplayName
	cScreenName
	cLocation
	cDescription
	cProfileURL
	cFollowers
	cFollowing
	cCreated
	cAccountLang
	cTweetLang
	cText
	cTime
	cClient
	cReplyUser
	cReplyTweet
	cQuoted
	cIsRetweet
	cRetweetUser
	cRetweetTweet
	cLat
	cLon
	cQuoteCount
	cReplyCount
	cLikeCount
	cRetweetCount
	cHashtags
	cURLs
	cMentions
	cPoll
)

// New returns the "io-archive" connector.
func New() ingest.Connector { return connector{} }

type connector struct{}

func (connector) Name() string { return "io-archive" }
func (connector) Describe() string {
	return "Twitter Information Operations archive CSV (tweets: tweetid,userid,…,poll_choices; or users)"
}

// Detect is certain for a tweets header (tweetid, userid, tweet_time, is_retweet) or a users
// header (userid, user_screen_name, account_creation_date without tweetid).
func (connector) Detect(_ string, head []byte) int {
	switch {
	case csvtable.HeaderHas(head, "tweetid", "userid", "tweet_time", "is_retweet"):
		return 100
	case csvtable.HeaderHas(head, UserColumns...):
		return 90
	}
	return 0
}

func (connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	t, err := csvtable.Open(r, src)
	if err != nil {
		return nil, err
	}
	d := &decoder{t: t, seen: map[string]struct{}{}}
	if len(t.Header()) == 0 {
		return d, nil
	}
	if t.Col("tweetid") >= 0 {
		d.col, err = t.Require(TweetColumns...)
		return d, err
	}
	d.users = true
	cols, err := t.Require(UserColumns...)
	if err != nil {
		return nil, err
	}
	// Index profile columns by their tweets-file position so one function reads both.
	d.col = make([]int, len(TweetColumns))
	for i := range d.col {
		d.col[i] = -1
	}
	copy(d.col[cUserID:], cols)
	return d, nil
}

type decoder struct {
	t     *csvtable.Reader
	col   []int
	users bool
	seen  map[string]struct{} // authors already emitted from this file
}

func (d *decoder) f(i int) string { return d.t.Field(d.col[i]) }

func (d *decoder) Decode(b *event.Batch) error {
	ok, err := d.t.Next(b)
	if err != nil || !ok {
		return err
	}
	if d.users {
		if a, ok := d.account(b); ok {
			b.Accounts = append(b.Accounts, a)
		}
		return nil
	}
	d.tweet(b)
	return nil
}

// account reads the profile columns of the current row.
func (d *decoder) account(b *event.Batch) (event.Account, bool) {
	t := d.t
	a := event.Account{Platform: event.X, ID: d.f(cUserID), Handle: d.f(cScreenName), Name: d.f(cDisplayName),
		Description: d.f(cDescription), Location: d.f(cLocation), Lang: d.f(cAccountLang),
		Posts: event.Unknown, Prov: t.Prov()}
	if a.ID == "" {
		t.Reject(b, "userid", "`userid` is empty; expected an id")
		return a, false
	}
	var ok bool
	if a.Followers, ok = d.count(b, cFollowers); !ok {
		return a, false
	}
	if a.Following, ok = d.count(b, cFollowing); !ok {
		return a, false
	}
	if v := d.f(cCreated); v != "" {
		tm, err := parseTime(v)
		if err != nil {
			t.Reject(b, "account_creation_date", "`account_creation_date` is not a date; expected \"2006-01-02\"")
			return a, false
		}
		a.CreatedAt = tm
	}
	return a, true
}

func (d *decoder) tweet(b *event.Batch) {
	t := d.t
	p := event.Post{Platform: event.X, ID: d.f(cTweetID), AuthorID: d.f(cUserID), AuthorHandle: d.f(cScreenName),
		Kind: event.KindPost, Text: d.f(cText), Lang: d.f(cTweetLang), Client: d.f(cClient),
		Views: event.Unknown, Prov: t.Prov()}
	if p.ID == "" {
		t.Reject(b, "tweetid", "`tweetid` is empty; expected an id")
		return
	}
	if p.AuthorID == "" {
		t.Reject(b, "userid", "`userid` is empty; expected an id")
		return
	}
	tm, err := parseTime(d.f(cTime))
	if err != nil || tm.IsZero() {
		t.Reject(b, "tweet_time", "`tweet_time` is not a time; expected \"2006-01-02 15:04\"")
		return
	}
	p.CreatedAt = tm
	switch rt := d.f(cIsRetweet); rt {
	case "True", "true", "TRUE", "1":
		p.Kind, p.RefID, p.RefAuthorID = event.KindRepost, d.f(cRetweetTweet), d.f(cRetweetUser)
		if p.RefID == "" {
			t.Reject(b, "retweet_tweetid", "`retweet_tweetid` is empty although `is_retweet` is true; expected the retweeted tweet's id")
			return
		}
	case "False", "false", "FALSE", "0", "":
		if rid, ruser := d.f(cReplyTweet), d.f(cReplyUser); rid != "" || ruser != "" {
			p.Kind, p.RefID, p.RefAuthorID = event.KindReply, rid, ruser
		} else if q := d.f(cQuoted); q != "" {
			p.Kind, p.RefID = event.KindQuote, q
		}
	default:
		t.Reject(b, "is_retweet", fmt.Sprintf("`is_retweet` %q is not a boolean; expected True or False", trunc(rt)))
		return
	}
	var ok bool
	if p.Quotes, ok = d.count(b, cQuoteCount); !ok {
		return
	}
	if p.Replies, ok = d.count(b, cReplyCount); !ok {
		return
	}
	if p.Likes, ok = d.count(b, cLikeCount); !ok {
		return
	}
	if p.Reposts, ok = d.count(b, cRetweetCount); !ok {
		return
	}
	p.Hashtags = list(d.f(cHashtags), field.Hashtag)
	p.URLs = list(d.f(cURLs), field.URL)
	p.Mentions = list(d.f(cMentions), nil)
	if _, dup := d.seen[p.AuthorID]; !dup {
		a, ok := d.account(b)
		if !ok {
			return
		}
		d.seen[strings.Clone(p.AuthorID)] = struct{}{}
		b.Accounts = append(b.Accounts, a)
	}
	b.Posts = append(b.Posts, p)
}

// count parses a count column: digits on the fast path, field.Count otherwise.
func (d *decoder) count(b *event.Batch, i int) (int64, bool) {
	v := d.f(i)
	if v == "" {
		return event.Unknown, true
	}
	if n, ok := digits(v); ok {
		return n, true
	}
	n, err := field.Count(v)
	if err != nil {
		name := TweetColumns[i]
		d.t.Reject(b, name, fmt.Sprintf("`%s` is not a count: %q; expected a whole number", name, trunc(v)))
		return 0, false
	}
	return n, true
}

// digits parses a plain non-negative decimal of at most 18 digits.
func digits(s string) (int64, bool) {
	if len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// list splits a "[a, b]" column, mapping each element through norm when set.
func list(s string, norm func(string) string) []string {
	if s == "" || s == "[]" {
		return nil
	}
	out := field.List(s)
	if norm != nil {
		for i, v := range out {
			out[i] = norm(v)
		}
	}
	return out
}

// parseTime reads the archive's "2006-01-02 15:04" and "2006-01-02" quickly and falls back to
// field.Time for anything else.
func parseTime(s string) (time.Time, error) {
	if len(s) == 16 || len(s) == 10 {
		if tm, ok := fastTime(s); ok {
			return tm, nil
		}
	}
	return field.Time(s)
}

// fastTime parses "2006-01-02 15:04" or "2006-01-02" without time.Parse's generality.
func fastTime(s string) (time.Time, bool) {
	num := func(i, n int) (int, bool) {
		v := 0
		for j := i; j < i+n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	if s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	dd, ok3 := num(8, 2)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || dd < 1 || dd > daysIn(mo, y) {
		return time.Time{}, false
	}
	var hh, mm int
	if len(s) == 16 {
		if s[10] != ' ' || s[13] != ':' {
			return time.Time{}, false
		}
		var ok4, ok5 bool
		hh, ok4 = num(11, 2)
		mm, ok5 = num(14, 2)
		if !ok4 || !ok5 || hh > 23 || mm > 59 {
			return time.Time{}, false
		}
	}
	return time.Date(y, time.Month(mo), dd, hh, mm, 0, 0, time.UTC), true
}

// monthDays are the days of each month of a common year.
var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func daysIn(m, y int) int {
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 29
	}
	return monthDays[m]
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
