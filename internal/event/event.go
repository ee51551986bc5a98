package event

import (
	"fmt"
	"strings"
	"time"
)

// Platform names a social-media platform. Ids are only unique within a platform.
type Platform string

// The platforms echotrace knows. Other, for generic imports (CooRTweet shares, QUT CSV) whose
// platform is not stated.
const (
	X         Platform = "x" // Twitter/X, all eras
	Facebook  Platform = "facebook"
	Instagram Platform = "instagram"
	Bluesky   Platform = "bluesky"
	Mastodon  Platform = "mastodon"
	Telegram  Platform = "telegram"
	Other     Platform = "other"
)

// Platforms lists the known platforms in a stable order.
var Platforms = []Platform{X, Facebook, Instagram, Bluesky, Mastodon, Telegram, Other}

// ParsePlatform maps a platform name (case-insensitive; "twitter" is accepted for x) to a
// Platform, or reports an error naming the accepted values.
func ParsePlatform(s string) (Platform, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "twitter", "tw":
		return X, nil
	case "fb":
		return Facebook, nil
	default:
		for _, p := range Platforms {
			if string(p) == v {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("unknown platform %q (want one of x, facebook, instagram, bluesky, mastodon, telegram, other)", s)
}

// Unknown marks a count the source did not carry.
const Unknown int64 = -1

// Provenance says where a row came from. The import run loop fills ImportID; connectors fill
// Source and Line.
type Provenance struct {
	Source   string // file path or endpoint
	Line     int64  // 1-based line or record number within Source
	ImportID int64
}

// Account is a platform account as observed at ObservedAt.
type Account struct {
	Platform      Platform
	ID            string
	Handle        string
	Name          string
	CreatedAt     time.Time
	Followers     int64 // Unknown if absent
	Following     int64
	Posts         int64
	Verified      bool
	DefaultAvatar bool
	Description   string
	Location      string
	Lang          string
	ObservedAt    time.Time // when this profile snapshot was taken (zero: unknown)
	Prov          Provenance
}

// PostKind is what a post is: an original post, a repost (retweet, reblog, boost, forward), a
// quote or a reply.
type PostKind string

// The post kinds of DESIGN §3.
const (
	KindPost   PostKind = "post"
	KindRepost PostKind = "repost"
	KindQuote  PostKind = "quote"
	KindReply  PostKind = "reply"
)

// Valid reports whether k is one of the four kinds.
func (k PostKind) Valid() bool {
	switch k {
	case KindPost, KindRepost, KindQuote, KindReply:
		return true
	}
	return false
}

// Post is a post of any kind. A repost carries the reposted post in RefID/RefAuthorID, a quote
// the quoted one and a reply the post replied to. Public counts are observations taken at
// CountsAt: stores keep the latest per post and never sum snapshots.
type Post struct {
	Platform       Platform
	ID             string
	AuthorID       string
	AuthorHandle   string // as seen in the record, when the author's profile is not
	CreatedAt      time.Time
	Kind           PostKind
	RefID          string
	RefAuthorID    string
	ConversationID string
	Text           string
	Lang           string
	URLs           []string // expanded and normalised
	Hashtags       []string // lower case, without '#'
	Mentions       []string // handles, lower case, without '@'; account ids where the source gives only ids (IO archive)
	Client         string   // source / client application
	Likes          int64    // Unknown if absent
	Reposts        int64
	Replies        int64
	Quotes         int64
	Views          int64
	CountsAt       time.Time // when the counts were observed (zero: unknown)
	Prov           Provenance
}

// EngagementKind is what an account did to a post.
type EngagementKind string

// The engagement kinds.
const (
	EngageLike   EngagementKind = "like"
	EngageRepost EngagementKind = "repost"
	EngageReply  EngagementKind = "reply"
	EngageQuote  EngagementKind = "quote"
)

// Engagement is an account's like, repost, reply or quote of a post, known without the
// engaging post itself (likers lists, retweeted_by, reblogged_by). At is zero when the source
// gives no time, as likers lists usually do. Reposts, quotes and replies that are known as posts
// are Posts, not Engagements; the store's engagements view unites both.
type Engagement struct {
	Platform     Platform
	AccountID    string
	Kind         EngagementKind
	PostID       string
	PostAuthorID string
	At           time.Time
	Prov         Provenance
}

// Share is a generic action on an object, CooRTweet's canonical row: an account shared an
// object (a URL, hashtag, image hash, reposted post id) in a piece of content at a time.
type Share struct {
	Platform  Platform
	AccountID string
	ObjectID  string
	ContentID string
	At        time.Time
	Prov      Provenance
}

// Status is an account's observed availability.
type Status string

// The statuses of DESIGN §3.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusDeleted   Status = "deleted"
	StatusProtected Status = "protected"
	StatusUnknown   Status = "unknown"
)

// StatusObservation records an account's status at a time, with the source's raw code.
type StatusObservation struct {
	Platform   Platform
	AccountID  string
	Handle     string // when the source names the account by handle only
	ObservedAt time.Time
	Status     Status
	RawCode    string
	Prov       Provenance
}

// LabelClass is the normalised class of a platform label.
type LabelClass string

// The label classes.
const (
	LabelGovernment LabelClass = "government"
	LabelStateMedia LabelClass = "state_media"
	LabelNone       LabelClass = "none"
)

// LabelObservation records a platform label shown on an account at a time.
type LabelObservation struct {
	Platform   Platform
	AccountID  string
	Handle     string
	ObservedAt time.Time
	Label      string // as displayed, e.g. "China government official"
	Class      LabelClass
	Prov       Provenance
}

// ActorType is a watchlist account's role.
type ActorType string

// The actor types of DESIGN §3.
const (
	ActorAmbassador       ActorType = "ambassador"
	ActorEmbassy          ActorType = "embassy"
	ActorConsulate        ActorType = "consulate"
	ActorStaff            ActorType = "staff"
	ActorMinistry         ActorType = "ministry"
	ActorStateMedia       ActorType = "state_media"
	ActorMediaPersonality ActorType = "media_personality"
	ActorOther            ActorType = "other"
)

// ActorTypes lists the actor types in a stable order.
var ActorTypes = []ActorType{ActorAmbassador, ActorEmbassy, ActorConsulate, ActorStaff,
	ActorMinistry, ActorStateMedia, ActorMediaPersonality, ActorOther}

// WatchEntry is one watchlist row: an account (by id, handle or both) under study.
type WatchEntry struct {
	Platform  Platform
	Handle    string
	ID        string
	ActorType ActorType
	Country   string // ISO 3166 alpha-2, upper case
	Outlet    string
	Lang      string
	Since     time.Time // zero: unbounded
	Until     time.Time
	Prov      Provenance
}

// Reject is an input record that could not be read: where it was, which field, and why.
//
// Most rejects stand for a record that was dropped. One with Kept set stands for a record that
// was stored with Field cleared (unknown) because its value was broken — an optional time
// outside its platform's window (Batch.CheckTimes): nothing of the record is lost, and the
// reject records what was wrong with it. Counts of lost records leave those out.
type Reject struct {
	Source string
	Line   int64
	Field  string // the offending field or column, when one is to blame
	Reason string
	Raw    string // the record, truncated to MaxRejectRaw bytes
	Kept   bool   `json:",omitempty"` // the record was kept with Field cleared
}

// MaxRejectRaw bounds the raw text kept with a reject.
const MaxRejectRaw = 4096

// Error renders the reject as a user-facing message: "file:line: field: reason".
func (r Reject) Error() string {
	var b strings.Builder
	b.WriteString(r.Source)
	if r.Line > 0 {
		fmt.Fprintf(&b, ":%d", r.Line)
	}
	if r.Field != "" {
		fmt.Fprintf(&b, ": %s", r.Field)
	}
	b.WriteString(": ")
	b.WriteString(r.Reason)
	return b.String()
}

// NewReject builds a reject, truncating raw to MaxRejectRaw bytes on a UTF-8 boundary and
// replacing invalid UTF-8 so the reject itself can always be stored.
func NewReject(src string, line int64, field, reason string, raw []byte) Reject {
	if len(raw) > MaxRejectRaw {
		raw = raw[:MaxRejectRaw]
	}
	return Reject{Source: src, Line: line, Field: field, Reason: reason, Raw: strings.ToValidUTF8(string(raw), "\uFFFD")}
}
