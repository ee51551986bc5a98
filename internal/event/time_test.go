package event

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func TestTimeWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Platform
		t    time.Time
		want bool
	}{
		{X, time.Date(2006, 3, 21, 20, 50, 14, 0, time.UTC), true}, // jack's account, the v1.1 sample's earliest
		{X, time.Date(2006, 2, 28, 23, 59, 59, 0, time.UTC), false},
		{X, time.Time{}, true}, // unknown
		{X, time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{X, time.Date(1, 6, 1, 0, 0, 0, 0, time.UTC), false},
		{X, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{X, now.Add(23 * time.Hour), true},
		{X, now.Add(25 * time.Hour), false},
		{Facebook, time.Date(2004, 2, 4, 0, 0, 0, 0, time.UTC), true},
		{Facebook, time.Date(2003, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{Instagram, time.Date(2010, 9, 1, 0, 0, 0, 0, time.UTC), false},
		{Bluesky, time.Date(2023, 3, 29, 22, 25, 22, 0, time.UTC), true},
		{Bluesky, time.Date(2021, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{Mastodon, time.Date(2010, 1, 21, 0, 0, 0, 0, time.UTC), true}, // a bridged account in the sample
		{Mastodon, time.Date(2007, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{Telegram, time.Date(2013, 8, 14, 0, 0, 0, 0, time.UTC), true},
		{Telegram, time.Date(2013, 7, 1, 0, 0, 0, 0, time.UTC), false},
		{Other, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{Other, time.Unix(0, 0), false},
		{Platform("youtube"), time.Date(1989, 1, 1, 0, 0, 0, 0, time.UTC), false}, // Other's window
	}
	for _, tc := range tests {
		if got := TimeWindow(tc.p).Contains(tc.t, now); got != tc.want {
			t.Errorf("%s %s: in window = %v, want %v", tc.p, tc.t, got, tc.want)
		}
	}
}

// TestCheckTimes is issue 14 item 6 at the model: out-of-window required times drop their
// event, optional ones are cleared, and each makes a reject with source, line, field and reason.
func TestCheckTimes(t *testing.T) {
	t.Parallel()
	good := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	year0 := time.Date(0, 12, 27, 0, 0, 0, 0, time.UTC)
	year10000 := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	prov := func(line int64) Provenance { return Provenance{Source: "f", Line: line} }
	b := Batch{Posts: []Post{{Platform: X, ID: "before", CreatedAt: year0, Prov: prov(1)}}} // before the mark
	m := b.Mark()
	b.Posts = append(b.Posts,
		Post{Platform: X, ID: "p1", CreatedAt: good, CountsAt: year10000, Prov: prov(2)},
		Post{Platform: X, ID: "p2", CreatedAt: year0, Prov: prov(3)},
		Post{Platform: X, ID: "p3", CreatedAt: good, Prov: prov(4)})
	b.Accounts = append(b.Accounts, Account{Platform: Mastodon, ID: "a1", CreatedAt: year0, ObservedAt: good, Prov: prov(5)})
	b.Engagements = append(b.Engagements, Engagement{Platform: Bluesky, AccountID: "a", PostID: "p", At: year10000, Prov: prov(6)})
	b.Shares = append(b.Shares, Share{Platform: Other, AccountID: "a", ObjectID: "o", At: time.Unix(0, 0), Prov: prov(7)},
		Share{Platform: Other, AccountID: "a", ObjectID: "o", At: good, Prov: prov(8)})
	b.Statuses = append(b.Statuses, StatusObservation{Platform: X, AccountID: "a", ObservedAt: year0, Prov: prov(9)})
	b.Labels = append(b.Labels, LabelObservation{Platform: X, AccountID: "a", ObservedAt: year10000, Prov: prov(10)})
	b.CheckTimes(m, now)

	var ids []string
	for _, p := range b.Posts {
		ids = append(ids, p.ID)
	}
	if got := strings.Join(ids, ","); got != "before,p1,p3" {
		t.Errorf("posts %s; want before,p1,p3 (p2 dropped, the one before the mark untouched)", got)
	}
	if !b.Posts[1].CountsAt.IsZero() || !b.Posts[1].CreatedAt.Equal(good) {
		t.Errorf("p1 = %+v; want counts_at cleared", b.Posts[1])
	}
	if len(b.Accounts) != 1 || !b.Accounts[0].CreatedAt.IsZero() || !b.Accounts[0].ObservedAt.Equal(good) {
		t.Errorf("accounts = %+v; want the account kept with created_at cleared", b.Accounts)
	}
	if len(b.Engagements) != 1 || !b.Engagements[0].At.IsZero() {
		t.Errorf("engagements = %+v; want kept, time cleared", b.Engagements)
	}
	if len(b.Shares) != 1 || !b.Shares[0].At.Equal(good) || len(b.Statuses) != 0 || len(b.Labels) != 0 {
		t.Errorf("shares %+v, statuses %+v, labels %+v; want only the good share", b.Shares, b.Statuses, b.Labels)
	}
	want := []struct {
		line  int64
		field string
		has   string
		kept  bool // the event was stored with the field cleared
	}{
		{5, "created_at", "account a1: created_at 0000-12-27T00:00:00Z is outside the plausible window 2008-01-01 .. 2026-12-08 for mastodon; the time is cleared, the account kept", true},
		{2, "counts_at", "post p1: counts_at year 10000 (01-01T00:00:00Z) is outside the plausible window 2006-03-01 .. 2026-12-08 for x; the time is cleared", true},
		{3, "created_at", "post p2: created_at 0000-12-27T00:00:00Z", false},
		{6, "at", "engagement a → p: at year 10000", true},
		{7, "at", "share a → o: at 1970-01-01T00:00:00Z is outside the plausible window 1990-01-01 .. 2026-12-08 for other", false},
		{9, "observed_at", "status observation a: observed_at 0000-12-27T00:00:00Z", false},
		{10, "observed_at", "label observation a: observed_at year 10000", false},
	}
	if len(b.Rejects) != len(want) {
		t.Fatalf("rejects %+v; want %d", b.Rejects, len(want))
	}
	for i, w := range want {
		r := b.Rejects[i]
		if r.Source != "f" || r.Line != w.line || r.Field != w.field || !strings.Contains(r.Reason, w.has) || r.Kept != w.kept {
			t.Errorf("reject %d = %+v; want line %d, field %s, reason with %q, kept %v", i, r, w.line, w.field, w.has, w.kept)
		}
	}
}
