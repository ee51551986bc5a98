package observe

import (
	"fmt"
	"strings"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/csvtable"
)

// NewWatchlist returns the "watchlist" connector: one WatchEntry per row of a CSV with header
// platform,handle,id,actor_type,country,outlet,lang,since,until.
//
// Rules: platform is required (x, twitter, facebook, …); id or handle is required; handle
// loses a leading '@'; actor_type is required and one of event.ActorTypes (case-insensitive);
// country is empty or two ASCII letters, stored upper case; since and until are empty
// (unbounded) or times, usually dates, and since ≤ until.
func NewWatchlist() ingest.Connector {
	return &connector{
		name:     "watchlist",
		describe: "watchlist CSV (" + WatchlistHeader + ")",
		header:   WatchlistHeader,
		row:      watchRow,
	}
}

func watchRow(t *csvtable.Reader, col []int, b *event.Batch) {
	p, ok := platform(t, b, t.Field(col[0]))
	if !ok {
		return
	}
	w := event.WatchEntry{
		Platform: p,
		Handle:   handle(t.Field(col[1])),
		ID:       strings.TrimSpace(t.Field(col[2])),
		Outlet:   strings.TrimSpace(t.Field(col[5])),
		Lang:     strings.TrimSpace(t.Field(col[6])),
		Prov:     t.Prov(),
	}
	if w.ID == "" && w.Handle == "" {
		t.Reject(b, "id", "both `id` and `handle` are empty; expected at least one")
		return
	}
	at, ok := actorType(t.Field(col[3]))
	if !ok {
		t.Reject(b, "actor_type", fmt.Sprintf("`actor_type` %q is not one of %s", t.Field(col[3]), actorList()))
		return
	}
	w.ActorType = at
	cc := strings.ToUpper(strings.TrimSpace(t.Field(col[4])))
	if cc != "" && !isISO2(cc) {
		t.Reject(b, "country", fmt.Sprintf("`country` %q is not an ISO 3166 alpha-2 code; expected two letters such as CN", t.Field(col[4])))
		return
	}
	w.Country = cc
	if w.Since, ok = when(t, b, "since", t.Field(col[7]), false); !ok {
		return
	}
	if w.Until, ok = when(t, b, "until", t.Field(col[8]), false); !ok {
		return
	}
	if !w.Since.IsZero() && !w.Until.IsZero() && w.Until.Before(w.Since) {
		t.Reject(b, "until", "`until` is before `since`")
		return
	}
	b.Watch = append(b.Watch, w)
}

func actorType(s string) (event.ActorType, bool) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, a := range event.ActorTypes {
		if string(a) == v {
			return a, true
		}
	}
	return "", false
}

func actorList() string {
	var s []string
	for _, a := range event.ActorTypes {
		s = append(s, string(a))
	}
	return strings.Join(s, ", ")
}

func isISO2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
