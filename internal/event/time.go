package event

import (
	"fmt"
	"time"
)

// Window is the span of times plausible on a platform: from the platform's launch to a day past
// "now" (clock skew and time zones; nothing is posted in the future). A time outside it is a
// broken value — year 0, year 10000, unix seconds read as milliseconds — and must not reach the
// analyses, where it becomes a week "-0001-12-27" or a negative latency.
type Window struct {
	From  time.Time     // earliest plausible time
	Ahead time.Duration // how far past now a time may lie
}

// Ahead is how far past now any time may lie.
const Ahead = 24 * time.Hour

// windowFrom holds each platform's earliest plausible time: shortly before its launch, and
// before every time in the real samples of ../shared/data (their earliest in brackets).
var windowFrom = map[Platform]time.Time{
	// Twitter's first tweets are of 21 March 2006 (the v1.1 sample's earliest account, jack,
	// was created 2006-03-21T20:50:14Z).
	X: day(2006, 3, 1),
	// Facebook opened on 4 February 2004 (CrowdTangle sample: 2018-11-01).
	Facebook: day(2004, 2, 1),
	// Instagram opened on 6 October 2010.
	Instagram: day(2010, 10, 1),
	// Bluesky's first posts are of late 2022 (sample: accounts 2023-03-29, posts 2023-09-19).
	// A record's createdAt is set by the client: posts copied from a Twitter archive with their
	// original dates fall before the window and are rejected.
	Bluesky: day(2022, 1, 1),
	// Mastodon appeared in 2016, but remote accounts and statuses carry the dates of the server
	// they come from, and the fediverse it federates with goes back to identi.ca (StatusNet,
	// July 2008); the sample's sportsbots.xyz bridge account says 2010-01-21.
	Mastodon: day(2008, 1, 1),
	// Telegram opened on 14 August 2013.
	Telegram: day(2013, 8, 1),
	// Other (CooRTweet shares, layouts that do not state the platform): no social-media post
	// predates 1990.
	Other: day(1990, 1, 1),
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TimeWindow returns the plausible window of times on p; a platform without one of its own
// gets Other's.
func TimeWindow(p Platform) Window {
	from, ok := windowFrom[p]
	if !ok {
		from = windowFrom[Other]
	}
	return Window{From: from, Ahead: Ahead}
}

// Contains reports whether t lies in the window as of now. The zero time (unknown) lies in
// every window.
func (w Window) Contains(t, now time.Time) bool {
	return t.IsZero() || (!t.Before(w.From) && !t.After(now.Add(w.Ahead)))
}

// Explain says why t is outside the window, for a reject reason.
func (w Window) Explain(t, now time.Time) string {
	return fmt.Sprintf("%s is outside the plausible window %s .. %s", fmtTime(t),
		w.From.Format(time.DateOnly), now.Add(w.Ahead).UTC().Format(time.DateOnly))
}

// fmtTime writes t in RFC 3339, years outside 0000–9999 included (time.Format would not).
func fmtTime(t time.Time) string {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Sprintf("year %d (%s)", y, t.Format("01-02T15:04:05Z"))
	}
	return t.Format(time.RFC3339)
}

// CheckTimes applies each platform's plausible time window (TimeWindow) to the events appended
// to b since m, as of now, whatever connector and time format they came from:
//
//   - a required time out of the window — a post's created_at, a share's time, a status or label
//     observation's observed_at — removes the event and appends a reject;
//   - an optional one — an account's created_at or observed_at, a post's counts_at, an
//     engagement's time — is cleared (unknown) and the event kept, with a reject saying so
//     whose Kept is set (no record is lost).
//
// Each reject names the source, line, field and reason. Watchlist bounds (since, until) are the
// researcher's choice and are not checked.
func (b *Batch) CheckTimes(m Mark, now time.Time) {
	reject := func(p Provenance, field, what, id string, pl Platform, t time.Time, kept bool) {
		reason := fmt.Sprintf("%s %s: %s %s for %s", what, id, field, TimeWindow(pl).Explain(t, now), pl)
		if kept {
			reason += "; the time is cleared, the " + what + " kept"
		}
		b.Rejects = append(b.Rejects, Reject{Source: p.Source, Line: p.Line, Field: field, Reason: reason, Kept: kept})
	}
	ok := func(pl Platform, t time.Time) bool { return TimeWindow(pl).Contains(t, now) }

	for i := m.accounts; i < len(b.Accounts); i++ {
		a := &b.Accounts[i]
		if !ok(a.Platform, a.CreatedAt) {
			reject(a.Prov, "created_at", "account", a.ID, a.Platform, a.CreatedAt, true)
			a.CreatedAt = time.Time{}
		}
		if !ok(a.Platform, a.ObservedAt) {
			reject(a.Prov, "observed_at", "account", a.ID, a.Platform, a.ObservedAt, true)
			a.ObservedAt = time.Time{}
		}
	}
	b.Posts = keep(b.Posts, m.posts, func(p *Post) bool {
		if !ok(p.Platform, p.CreatedAt) {
			reject(p.Prov, "created_at", "post", p.ID, p.Platform, p.CreatedAt, false)
			return false
		}
		if !ok(p.Platform, p.CountsAt) {
			reject(p.Prov, "counts_at", "post", p.ID, p.Platform, p.CountsAt, true)
			p.CountsAt = time.Time{}
		}
		return true
	})
	for i := m.engagements; i < len(b.Engagements); i++ {
		e := &b.Engagements[i]
		if !ok(e.Platform, e.At) {
			reject(e.Prov, "at", "engagement", e.AccountID+" → "+e.PostID, e.Platform, e.At, true)
			e.At = time.Time{}
		}
	}
	b.Shares = keep(b.Shares, m.shares, func(s *Share) bool {
		if !ok(s.Platform, s.At) {
			reject(s.Prov, "at", "share", s.AccountID+" → "+s.ObjectID, s.Platform, s.At, false)
			return false
		}
		return true
	})
	b.Statuses = keep(b.Statuses, m.statuses, func(s *StatusObservation) bool {
		if !ok(s.Platform, s.ObservedAt) {
			reject(s.Prov, "observed_at", "status observation", s.AccountID+s.Handle, s.Platform, s.ObservedAt, false)
			return false
		}
		return true
	})
	b.Labels = keep(b.Labels, m.labels, func(l *LabelObservation) bool {
		if !ok(l.Platform, l.ObservedAt) {
			reject(l.Prov, "observed_at", "label observation", l.AccountID+l.Handle, l.Platform, l.ObservedAt, false)
			return false
		}
		return true
	})
}
