package amplify

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// NoTime marks an unknown time in the int64 (unix seconds) columns of Input.
const NoTime int64 = math.MinInt64

// Unknown marks a public count the source did not carry (NULL in the posts view).
const Unknown int64 = -1

// PostKind is the kind of a target post.
type PostKind uint8

// The post kinds of the posts view.
const (
	PostOriginal PostKind = iota // "post"
	PostRepost                   // "repost"
	PostQuote                    // "quote"
	PostReply                    // "reply"
)

// ParsePostKind maps a posts.kind value to a PostKind.
func ParsePostKind(s string) (PostKind, bool) {
	switch s {
	case "post":
		return PostOriginal, true
	case "repost":
		return PostRepost, true
	case "quote":
		return PostQuote, true
	case "reply":
		return PostReply, true
	}
	return 0, false
}

// Kind is the kind of an engagement with a target post. Likes are not events of Input: they
// are counted per post in Posts.LikeEvents.
type Kind uint8

// The engagement kinds carried as events.
const (
	Repost Kind = iota + 1
	Quote
	Reply
)

// ParseKind maps an engagements.kind value (repost, quote, reply) to a Kind.
func ParseKind(s string) (Kind, bool) {
	switch s {
	case "repost":
		return Repost, true
	case "quote":
		return Quote, true
	case "reply":
		return Reply, true
	}
	return 0, false
}

// Status is an account's observed status. The order is the precedence between observations
// made at the same instant: the larger value wins.
type Status uint8

// The statuses of DESIGN §3.
const (
	StatusUnknown Status = iota
	StatusActive
	StatusProtected
	StatusSuspended
	StatusDeleted
)

var statusNames = [...]string{"unknown", "active", "protected", "suspended", "deleted"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// ParseStatus maps a status_observations.status value to a Status; anything unrecognised is
// StatusUnknown with ok false.
func ParseStatus(s string) (Status, bool) {
	for i, n := range statusNames {
		if strings.EqualFold(s, n) {
			return Status(i), true
		}
	}
	return StatusUnknown, false
}

// LabelClass is the normalised class of a label observation.
type LabelClass uint8

// The label classes. Government and StateMedia count as labelled.
const (
	LabelNone LabelClass = iota
	LabelGovernment
	LabelStateMedia
)

// ParseLabelClass maps a label_observations.class value to a LabelClass; anything else is
// LabelNone.
func ParseLabelClass(s string) LabelClass {
	switch strings.ToLower(s) {
	case "government":
		return LabelGovernment
	case "state_media":
		return LabelStateMedia
	}
	return LabelNone
}

// Input is what Compute reads: the watchlist, the posts its accounts authored, the reposts,
// quotes and replies of those posts, and the status and label observations. Columns of one
// table have equal lengths; indexes refer to rows of other tables.
type Input struct {
	// Platforms names the platforms; Accounts.Platform indexes it.
	Platforms []string
	Accounts  Accounts
	// Watch is the whole watchlist, one entry per account (Load keeps the first entry of an
	// account listed twice). Params.Filter selects the subset under study; the whole list
	// decides who is a watchlist account rather than an amplifier.
	Watch       []WatchEntry
	Posts       Posts
	Engagements Engagements
	Statuses    StatusObservations
	Labels      LabelObservations
}

// Accounts are every account the other tables refer to.
type Accounts struct {
	Platform []uint8  // index into Input.Platforms
	ID       []string // platform account id
	Handle   []string // "" when unknown
	Created  []int64  // account creation, unix seconds; NoTime when unknown
}

// Len is the number of accounts.
func (a *Accounts) Len() int { return len(a.ID) }

// Add appends an account and returns its index.
func (a *Accounts) Add(platform uint8, id, handle string, created int64) int32 {
	a.Platform = append(a.Platform, platform)
	a.ID = append(a.ID, id)
	a.Handle = append(a.Handle, handle)
	a.Created = append(a.Created, created)
	return int32(len(a.ID) - 1)
}

// WatchEntry is one watchlist account.
type WatchEntry struct {
	Account   int32 // index into Input.Accounts; -1 when the entry names no known account id
	Platform  string
	ID        string
	Handle    string
	ActorType string
	Country   string // ISO 3166 alpha-2
	Outlet    string
	Since     int64 // the entry applies from this time (unix seconds); NoTime: unbounded
	Until     int64 // ... until this time; NoTime: unbounded
}

// Posts are the posts authored by watchlist accounts (target-post candidates; Compute applies
// the window and the filter).
type Posts struct {
	Author  []int32    // index into Input.Watch
	Created []int64    // unix seconds; NoTime when unknown (never inside a bounded window)
	Kind    []PostKind //
	// Latest observed public counts; Unknown when never observed.
	Likes, Reposts, Replies, Quotes []int64
	// LikeEvents is the number of like engagements known for the post (liker lists).
	LikeEvents []int64
}

// Len is the number of posts.
func (p *Posts) Len() int { return len(p.Author) }

// Add appends a post and returns its index; likeEvents starts at 0.
func (p *Posts) Add(author int32, created int64, kind PostKind, likes, reposts, replies, quotes int64) int32 {
	p.Author = append(p.Author, author)
	p.Created = append(p.Created, created)
	p.Kind = append(p.Kind, kind)
	p.Likes = append(p.Likes, likes)
	p.Reposts = append(p.Reposts, reposts)
	p.Replies = append(p.Replies, replies)
	p.Quotes = append(p.Quotes, quotes)
	p.LikeEvents = append(p.LikeEvents, 0)
	return int32(len(p.Author) - 1)
}

// Engagements are reposts, quotes and replies of Posts, one row per event.
type Engagements struct {
	Account []int32 // index into Input.Accounts
	Post    []int32 // index into Input.Posts
	Kind    []Kind
	At      []int64 // unix seconds; NoTime when unknown
}

// Len is the number of engagements.
func (e *Engagements) Len() int { return len(e.Account) }

// Add appends an engagement.
func (e *Engagements) Add(account, post int32, kind Kind, at int64) {
	e.Account = append(e.Account, account)
	e.Post = append(e.Post, post)
	e.Kind = append(e.Kind, kind)
	e.At = append(e.At, at)
}

// StatusObservations are dated account statuses.
type StatusObservations struct {
	Account []int32 // index into Input.Accounts
	At      []int64 // observed_at, unix seconds; observations without a time are dropped by Load
	Status  []Status
}

// Add appends an observation.
func (s *StatusObservations) Add(account int32, at int64, st Status) {
	s.Account = append(s.Account, account)
	s.At = append(s.At, at)
	s.Status = append(s.Status, st)
}

// LabelObservations are dated platform labels of watchlist accounts.
type LabelObservations struct {
	Watch []int32 // index into Input.Watch
	At    []int64 // observed_at, unix seconds
	Class []LabelClass
}

// Add appends an observation.
func (l *LabelObservations) Add(watch int32, at int64, c LabelClass) {
	l.Watch = append(l.Watch, watch)
	l.At = append(l.At, at)
	l.Class = append(l.Class, c)
}

// Validate checks that the columns of every table have equal lengths and that every index is
// in range, so that Compute never panics on a malformed Input.
func (in *Input) Validate() error {
	na := len(in.Accounts.ID)
	if len(in.Accounts.Platform) != na || len(in.Accounts.Handle) != na || len(in.Accounts.Created) != na {
		return fmt.Errorf("accounts: columns have different lengths")
	}
	for i, p := range in.Accounts.Platform {
		if int(p) >= len(in.Platforms) {
			return fmt.Errorf("accounts row %d: platform index %d out of range", i, p)
		}
	}
	if na > math.MaxInt32 || len(in.Posts.Author) > math.MaxInt32 || len(in.Watch) > math.MaxInt32 {
		return fmt.Errorf("input too large for int32 indexes")
	}
	for i, w := range in.Watch {
		if w.Account < -1 || int(w.Account) >= na {
			return fmt.Errorf("watch row %d: account index %d out of range", i, w.Account)
		}
	}
	p := &in.Posts
	np := len(p.Author)
	if len(p.Created) != np || len(p.Kind) != np || len(p.Likes) != np || len(p.Reposts) != np ||
		len(p.Replies) != np || len(p.Quotes) != np || len(p.LikeEvents) != np {
		return fmt.Errorf("posts: columns have different lengths")
	}
	for i, a := range p.Author {
		if a < 0 || int(a) >= len(in.Watch) {
			return fmt.Errorf("posts row %d: author index %d out of range", i, a)
		}
		if p.Kind[i] > PostReply {
			return fmt.Errorf("posts row %d: kind %d out of range", i, p.Kind[i])
		}
	}
	e := &in.Engagements
	ne := len(e.Account)
	if len(e.Post) != ne || len(e.Kind) != ne || len(e.At) != ne {
		return fmt.Errorf("engagements: columns have different lengths")
	}
	for i := range ne {
		if e.Account[i] < 0 || int(e.Account[i]) >= na {
			return fmt.Errorf("engagements row %d: account index %d out of range", i, e.Account[i])
		}
		if e.Post[i] < 0 || int(e.Post[i]) >= np {
			return fmt.Errorf("engagements row %d: post index %d out of range", i, e.Post[i])
		}
		if e.Kind[i] < Repost || e.Kind[i] > Reply {
			return fmt.Errorf("engagements row %d: kind %d out of range", i, e.Kind[i])
		}
	}
	s := &in.Statuses
	if len(s.At) != len(s.Account) || len(s.Status) != len(s.Account) {
		return fmt.Errorf("status observations: columns have different lengths")
	}
	for i, a := range s.Account {
		if a < 0 || int(a) >= na {
			return fmt.Errorf("status observation row %d: account index %d out of range", i, a)
		}
		if s.Status[i] > StatusDeleted {
			return fmt.Errorf("status observation row %d: status %d out of range", i, s.Status[i])
		}
	}
	l := &in.Labels
	if len(l.At) != len(l.Watch) || len(l.Class) != len(l.Watch) {
		return fmt.Errorf("label observations: columns have different lengths")
	}
	for i, w := range l.Watch {
		if w < 0 || int(w) >= len(in.Watch) {
			return fmt.Errorf("label observation row %d: watch index %d out of range", i, w)
		}
	}
	return nil
}

// unix converts t to unix seconds, NoTime for the zero time.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return NoTime
	}
	return t.Unix()
}
