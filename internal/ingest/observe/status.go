package observe

import (
	"fmt"
	"strings"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/csvtable"
)

// NewStatus returns the "status" connector: one StatusObservation per row of a CSV with header
// platform,account_id,handle,observed_at,status,raw_code.
//
// Rules: platform and observed_at are required; account_id or handle is required; status is
// one of active, suspended, deleted, protected, unknown (case-insensitive), or empty when
// raw_code says it (see StatusFromCode).
func NewStatus() ingest.Connector {
	return &connector{
		name:     "status",
		describe: "account status observations CSV (" + StatusHeader + ")",
		header:   StatusHeader,
		row:      statusRow,
	}
}

func statusRow(t *csvtable.Reader, col []int, b *event.Batch) {
	p, ok := platform(t, b, t.Field(col[0]))
	if !ok {
		return
	}
	s := event.StatusObservation{
		Platform:  p,
		AccountID: strings.TrimSpace(t.Field(col[1])),
		Handle:    handle(t.Field(col[2])),
		RawCode:   strings.TrimSpace(t.Field(col[5])),
		Prov:      t.Prov(),
	}
	if s.AccountID == "" && s.Handle == "" {
		t.Reject(b, "account_id", "both `account_id` and `handle` are empty; expected at least one")
		return
	}
	if s.ObservedAt, ok = when(t, b, "observed_at", t.Field(col[3]), true); !ok {
		return
	}
	raw := strings.ToLower(strings.TrimSpace(t.Field(col[4])))
	switch {
	case raw != "":
		st, ok := parseStatus(raw)
		if !ok {
			t.Reject(b, "status", fmt.Sprintf("`status` %q is not one of active, suspended, deleted, protected, unknown", t.Field(col[4])))
			return
		}
		s.Status = st
	case s.RawCode != "":
		s.Status = StatusFromCode(s.RawCode)
	default:
		t.Reject(b, "status", "both `status` and `raw_code` are empty; expected a status or a platform code such as 63")
		return
	}
	b.Statuses = append(b.Statuses, s)
}

func parseStatus(v string) (event.Status, bool) {
	switch st := event.Status(v); st {
	case event.StatusActive, event.StatusSuspended, event.StatusDeleted, event.StatusProtected, event.StatusUnknown:
		return st, true
	}
	return "", false
}

// StatusFromCode maps a platform's raw answer to a status:
//
//	X API v1.1 error codes: 63 (user has been suspended) and 64 (account suspended) → suspended;
//	  50 (user not found), 17 (no user matches) and 34 (page does not exist) → deleted;
//	  179 (not authorised to see this status) → protected.
//	X API v2 error titles and details, matched case-insensitively as text: anything containing
//	  "suspended" → suspended; "not found" or "does not exist" → deleted; "protected",
//	  "not authorized" or "forbidden" (without "suspended") → protected.
//	HTTP-like or literal answers: "200" or "ok" or "active" → active.
//
// Anything else is unknown: the observation is kept with its raw code for later review.
func StatusFromCode(code string) event.Status {
	c := strings.ToLower(strings.TrimSpace(code))
	switch c {
	case "63", "64":
		return event.StatusSuspended
	case "50", "17", "34":
		return event.StatusDeleted
	case "179":
		return event.StatusProtected
	case "200", "ok", "active":
		return event.StatusActive
	}
	switch {
	case strings.Contains(c, "suspended"):
		return event.StatusSuspended
	case strings.Contains(c, "not found"), strings.Contains(c, "does not exist"):
		return event.StatusDeleted
	case strings.Contains(c, "protected"), strings.Contains(c, "not authorized"), strings.Contains(c, "forbidden"):
		return event.StatusProtected
	}
	return event.StatusUnknown
}
