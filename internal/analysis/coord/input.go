package coord

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Signal names a kind of co-action. Each signal has its own actions; an object is whatever two
// accounts must share for their actions to be co-actions.
type Signal string

// The signals of DESIGN §5.
const (
	CoRepost  Signal = "co-repost"  // object: the reposted post
	CoReply   Signal = "co-reply"   // object: the replied-to post
	CoQuote   Signal = "co-quote"   // object: the quoted post
	CoText    Signal = "co-text"    // object: the normalised text (or its near-duplicate group)
	CoLink    Signal = "co-link"    // object: the normalised URL (or its domain)
	CoHashtag Signal = "co-hashtag" // object: the post's hashtag sequence
	CoShare   Signal = "co-share"   // object: a generic shared object (CooRTweet's object_id)
	CoPhrase  Signal = "co-phrase"  // object: a rare word n-gram of a target post (see phrase.go)
)

// AllSignals lists the signals in a stable order.
var AllSignals = []Signal{CoRepost, CoReply, CoQuote, CoText, CoLink, CoHashtag, CoShare, CoPhrase}

// ParseSignal maps a name ("co-repost", or "co_retweet"/"repost" spellings) to a Signal.
func ParseSignal(s string) (Signal, error) {
	switch s {
	case "co-repost", "co_repost", "co-retweet", "co_retweet", "repost", "retweet":
		return CoRepost, nil
	case "co-reply", "co_reply", "reply":
		return CoReply, nil
	case "co-quote", "co_quote", "quote":
		return CoQuote, nil
	case "co-text", "co_text", "co-tweet", "co_tweet", "text":
		return CoText, nil
	case "co-link", "co_link", "link", "url":
		return CoLink, nil
	case "co-hashtag", "co_hashtag", "hashtag":
		return CoHashtag, nil
	case "co-share", "co_share", "share":
		return CoShare, nil
	case "co-phrase", "co_phrase", "phrase":
		return CoPhrase, nil
	}
	return "", fmt.Errorf("unknown signal %q (want co-repost, co-reply, co-quote, co-text, co-link, co-hashtag, co-share or co-phrase)", s)
}

// Status is an account's status as of the status date of the input.
type Status uint8

// Account statuses.
const (
	StatusUnknown Status = iota
	StatusActive
	StatusSuspended
	StatusDeleted
)

// Accounts is the account table, one row per account index.
type Accounts struct {
	ID        []string
	CreatedAt []int64 // unix seconds; 0 when unknown
	Followers []int64 // -1 when unknown
	Status    []Status
	Watch     []bool // a watchlist (target) account
}

// Len is the number of accounts.
func (a *Accounts) Len() int { return len(a.ID) }

// Objects is the object table shared by all signals: a post id, a URL, a normalised text …
type Objects struct {
	// ID is the object's name. Load leaves the co-text objects unnamed ("") — millions of
	// normalised texts, most of them posted once — and names those that the results show
	// (NameObjects); an Input built with a Builder names every object.
	ID     []string
	Author []int32 // account index of the object's author (a reposted post's author); -1 unknown
	// Created is the object's creation time in Time ticks (0 unknown); nil when none is known.
	Created []int64
	// name returns the names of unnamed objects (set by Load).
	name func(ctx context.Context, objs []int32) ([]string, error)
}

// NameObjects fills in the names of the unnamed objects among objs (nil: all of them).
func (in *Input) NameObjects(ctx context.Context, objs []int32) error {
	if in.Objects.name == nil {
		return nil
	}
	var need []int32
	add := func(o int32) {
		if in.Objects.ID[o] == "" {
			need = append(need, o)
		}
	}
	if objs == nil {
		for o := range in.Objects.ID {
			add(int32(o))
		}
	} else {
		for _, o := range objs {
			add(o)
		}
	}
	slices.Sort(need)
	need = slices.Compact(need)
	if len(need) == 0 {
		return nil
	}
	names, err := in.Objects.name(ctx, need)
	if err != nil {
		return err
	}
	for i, o := range need {
		in.Objects.ID[o] = names[i]
	}
	return nil
}

// Contents is the table of the acting posts (CooRTweet's content_id, QUT's message_id).
type Contents struct {
	// ID is the content's name (a post id). Load from the snapshot leaves them unnamed ("")
	// and names those that the results show (NameContents); contents are compared by index.
	ID []string
	// name returns the names of unnamed contents (set by Load).
	name func(ctx context.Context, cs []int32) ([]string, error)
}

// NameContents fills in the names of the unnamed contents among cs (nil: all of them).
func (in *Input) NameContents(ctx context.Context, cs []int32) error {
	if in.Contents.name == nil {
		return nil
	}
	var need []int32
	add := func(c int32) {
		if c >= 0 && in.Contents.ID[c] == "" {
			need = append(need, c)
		}
	}
	if cs == nil {
		for c := range in.Contents.ID {
			add(int32(c))
		}
	} else {
		for _, c := range cs {
			add(c)
		}
	}
	slices.Sort(need)
	need = slices.Compact(need)
	if len(need) == 0 {
		return nil
	}
	names, err := in.Contents.name(ctx, need)
	if err != nil {
		return err
	}
	for i, c := range need {
		in.Contents.ID[c] = names[i]
	}
	return nil
}

// Actions are one signal's actions, columnar: action i is account Account[i] acting on object
// Object[i] at Time[i] with its post Content[i] (-1 when none).
type Actions struct {
	Signal  Signal
	Account []int32
	Object  []int32
	Time    []int64 // in Input.TimeUnit ticks (unix seconds by default)
	Content []int32 // may be nil: no content ids
}

// Len is the number of actions.
func (a *Actions) Len() int { return len(a.Account) }

// Input is everything Detect reads. Build it with a Builder or Load.
type Input struct {
	Accounts Accounts
	Objects  Objects
	Contents Contents
	Actions  []Actions
	// TimeUnit is the length of one Time tick; 0 means time.Second.
	TimeUnit time.Duration
	// StatusAsOf is the date the account statuses hold for (reported only).
	StatusAsOf time.Time
	// sameAsObject reports whether content c names object o, for an input whose names are
	// loaded lazily (set by Load from the snapshot); nil: compare the names.
	sameAsObject func(c, o int32) bool
}

// contentIsObject reports whether content c is object o itself (a post among its own shares).
func (in *Input) contentIsObject(c, o int32) bool {
	if in.sameAsObject != nil {
		return in.sameAsObject(c, o)
	}
	return in.Contents.ID[c] == in.Objects.ID[o]
}

func (in *Input) unit() time.Duration {
	if in.TimeUnit <= 0 {
		return time.Second
	}
	return in.TimeUnit
}

// Validate checks that every index is in range and the columns have equal lengths.
func (in *Input) Validate() error {
	na, no, nc := int32(in.Accounts.Len()), int32(len(in.Objects.ID)), int32(len(in.Contents.ID))
	if len(in.Objects.Author) != len(in.Objects.ID) {
		return fmt.Errorf("objects: %d ids but %d authors", len(in.Objects.ID), len(in.Objects.Author))
	}
	if in.Objects.Created != nil && len(in.Objects.Created) != len(in.Objects.ID) {
		return fmt.Errorf("objects: %d ids but %d creation times", len(in.Objects.ID), len(in.Objects.Created))
	}
	for i, x := range in.Objects.Author {
		if x < -1 || x >= na {
			return fmt.Errorf("object %d: author index %d out of range [-1,%d)", i, x, na)
		}
	}
	for _, col := range []int{len(in.Accounts.CreatedAt), len(in.Accounts.Followers), len(in.Accounts.Status), len(in.Accounts.Watch)} {
		if col != int(na) {
			return fmt.Errorf("accounts: column lengths differ from %d ids", na)
		}
	}
	for s := range in.Actions {
		a := &in.Actions[s]
		n := len(a.Account)
		if len(a.Object) != n || len(a.Time) != n || (a.Content != nil && len(a.Content) != n) {
			return fmt.Errorf("%s actions: column lengths differ", a.Signal)
		}
		for i := 0; i < n; i++ {
			if a.Account[i] < 0 || a.Account[i] >= na {
				return fmt.Errorf("%s action %d: account index %d out of range [0,%d)", a.Signal, i, a.Account[i], na)
			}
			if a.Object[i] < 0 || a.Object[i] >= no {
				return fmt.Errorf("%s action %d: object index %d out of range [0,%d)", a.Signal, i, a.Object[i], no)
			}
			if a.Content != nil && (a.Content[i] < -1 || a.Content[i] >= nc) {
				return fmt.Errorf("%s action %d: content index %d out of range [-1,%d)", a.Signal, i, a.Content[i], nc)
			}
		}
	}
	return nil
}

// Builder interns string ids into an Input.
type Builder struct {
	in       Input
	accounts map[string]int32
	objects  map[string]int32
	contents map[string]int32
	signals  map[Signal]int
	hashed   map[uint64]int32 // unnamed objects by key (see HashedObject)
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{
		accounts: map[string]int32{},
		objects:  map[string]int32{},
		contents: map[string]int32{},
		signals:  map[Signal]int{},
	}
}

// Reserve makes room for n more actions of signal s, so that loading millions of them does not
// copy the columns over and over as they grow (a capacity hint: more or fewer may be added).
func (b *Builder) Reserve(s Signal, n int) {
	if n <= 0 {
		return
	}
	a := b.actions(s)
	a.Account = slices.Grow(a.Account, n)
	a.Object = slices.Grow(a.Object, n)
	a.Time = slices.Grow(a.Time, n)
	a.Content = slices.Grow(a.Content, n)
}

// ReserveObjects makes room for n more objects and n more contents (capacity hints).
func (b *Builder) ReserveObjects(objects, contents int) {
	if objects > 0 {
		if len(b.objects) == 0 {
			b.objects = make(map[string]int32, objects)
		}
		o := &b.in.Objects
		o.ID = slices.Grow(o.ID, objects)
		o.Author = slices.Grow(o.Author, objects)
	}
	if contents > 0 {
		b.in.Contents.ID = slices.Grow(b.in.Contents.ID, contents)
	}
}

// Account returns the index of account id, adding it with unknown attributes if new.
func (b *Builder) Account(id string) int32 {
	if i, ok := b.accounts[id]; ok {
		return i
	}
	i := int32(len(b.in.Accounts.ID))
	b.accounts[id] = i
	a := &b.in.Accounts
	a.ID = append(a.ID, id)
	a.CreatedAt = append(a.CreatedAt, 0)
	a.Followers = append(a.Followers, -1)
	a.Status = append(a.Status, StatusUnknown)
	a.Watch = append(a.Watch, false)
	return i
}

// HasAccount reports the index of a known account.
func (b *Builder) HasAccount(id string) (int32, bool) {
	i, ok := b.accounts[id]
	return i, ok
}

// SetAccount sets an account's attributes (adding it if new).
func (b *Builder) SetAccount(id string, createdAt int64, followers int64, st Status, watch bool) int32 {
	i := b.Account(id)
	a := &b.in.Accounts
	if createdAt != 0 {
		a.CreatedAt[i] = createdAt
	}
	if followers >= 0 {
		a.Followers[i] = followers
	}
	if st != StatusUnknown {
		a.Status[i] = st
	}
	a.Watch[i] = a.Watch[i] || watch
	return i
}

// Object returns the index of object id (author: account index or -1).
func (b *Builder) Object(id string, author int32) int32 {
	if i, ok := b.objects[id]; ok {
		if author >= 0 && b.in.Objects.Author[i] < 0 {
			b.in.Objects.Author[i] = author
		}
		return i
	}
	i := int32(len(b.in.Objects.ID))
	b.objects[id] = i
	b.in.Objects.ID = append(b.in.Objects.ID, id)
	b.in.Objects.Author = append(b.in.Objects.Author, author)
	if b.in.Objects.Created != nil {
		b.in.Objects.Created = append(b.in.Objects.Created, 0)
	}
	return i
}

// HashedObject returns the index of the unnamed object with key k (a hash of its name: see
// Objects.ID), adding it if new. Its keys are a namespace of their own.
func (b *Builder) HashedObject(k uint64) int32 {
	if i, ok := b.hashed[k]; ok {
		return i
	}
	if b.hashed == nil {
		b.hashed = map[uint64]int32{}
	}
	i := int32(len(b.in.Objects.ID))
	b.hashed[k] = i
	b.in.Objects.ID = append(b.in.Objects.ID, "")
	b.in.Objects.Author = append(b.in.Objects.Author, -1)
	if b.in.Objects.Created != nil {
		b.in.Objects.Created = append(b.in.Objects.Created, 0)
	}
	return i
}

// HasObject reports the index of a known object.
func (b *Builder) HasObject(id string) (int32, bool) {
	i, ok := b.objects[id]
	return i, ok
}

// NumObjects is the number of objects so far.
func (b *Builder) NumObjects() int { return len(b.in.Objects.ID) }

// NumContents is the number of contents so far (the index the next one gets).
func (b *Builder) NumContents() int32 { return int32(len(b.in.Contents.ID)) }

// anchorAtFirstAction sets, for the objects below n acted on by co-repost, co-reply or
// co-quote that have no creation time and pass isPost, the creation time to their earliest such
// action.
func (b *Builder) anchorAtFirstAction(n int, isPost func(o int32) bool) {
	first := make(map[int32]int64)
	for _, s := range []Signal{CoRepost, CoReply, CoQuote} {
		a := b.in.actionsOf(s)
		if a == nil {
			continue
		}
		for i, o := range a.Object {
			if int(o) >= n {
				continue
			}
			if c := b.in.Objects.Created; c != nil && c[o] != 0 {
				continue
			}
			if t, ok := first[o]; !ok || a.Time[i] < t {
				first[o] = a.Time[i]
			}
		}
	}
	for o, t := range first {
		if isPost(o) {
			b.SetCreated(o, t)
		}
	}
}

// MissingCreated reports whether one of the first n objects has no creation time.
func (b *Builder) MissingCreated(n int) bool {
	c := b.in.Objects.Created
	if c == nil {
		return n > 0
	}
	return slices.Contains(c[:n], 0)
}

// SetCreated records object i's creation time (in Time ticks; 0 leaves it unknown).
func (b *Builder) SetCreated(i int32, t int64) {
	if t == 0 {
		return
	}
	if b.in.Objects.Created == nil {
		b.in.Objects.Created = make([]int64, len(b.in.Objects.ID), cap(b.in.Objects.ID))
	}
	b.in.Objects.Created[i] = t
}

// Content returns the index of content id; "" gives -1.
func (b *Builder) Content(id string) int32 {
	if id == "" {
		return -1
	}
	if i, ok := b.contents[id]; ok {
		return i
	}
	i := int32(len(b.in.Contents.ID))
	b.contents[id] = i
	b.in.Contents.ID = append(b.in.Contents.ID, id)
	return i
}

// NewContent adds a content id known to be new (e.g. a repost's own post id, unique per action)
// without the lookup that Content does, and returns its index; "" gives -1.
func (b *Builder) NewContent(id string) int32 {
	if id == "" {
		return -1
	}
	i := int32(len(b.in.Contents.ID))
	b.in.Contents.ID = append(b.in.Contents.ID, id)
	return i
}

// actions returns the actions of signal s, adding them (empty) if new.
func (b *Builder) actions(s Signal) *Actions {
	k, ok := b.signals[s]
	if !ok {
		k = len(b.in.Actions)
		b.signals[s] = k
		b.in.Actions = append(b.in.Actions, Actions{Signal: s})
	}
	return &b.in.Actions[k]
}

// Add appends one action of signal s.
func (b *Builder) Add(s Signal, account, object, content int32, t int64) {
	a := b.actions(s)
	a.Account = append(a.Account, account)
	a.Object = append(a.Object, object)
	a.Time = append(a.Time, t)
	a.Content = append(a.Content, content)
}

// Input returns the built input (the Builder must not be used afterwards).
func (b *Builder) Input(unit time.Duration) Input {
	b.in.TimeUnit = unit
	return b.in
}

// actionsOf returns the actions of signal s, or nil.
func (in *Input) actionsOf(s Signal) *Actions {
	for i := range in.Actions {
		if in.Actions[i].Signal == s {
			return &in.Actions[i]
		}
	}
	return nil
}
