package observe

import (
	"fmt"
	"strings"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/csvtable"
)

// NewLabels returns the "labels" connector: one LabelObservation per row of a CSV with header
// platform,account_id,handle,observed_at,label,class.
//
// Rules: platform and observed_at are required; account_id or handle is required; label is the
// text as displayed (may be empty: "no label seen" is an observation too); class is government,
// state_media or none, or empty to derive it from the label with ClassOf.
func NewLabels() ingest.Connector {
	return &connector{
		name:     "labels",
		describe: "platform label observations CSV (" + LabelsHeader + ")",
		header:   LabelsHeader,
		row:      labelRow,
	}
}

func labelRow(t *csvtable.Reader, col []int, b *event.Batch) {
	p, ok := platform(t, b, t.Field(col[0]))
	if !ok {
		return
	}
	l := event.LabelObservation{
		Platform:  p,
		AccountID: strings.TrimSpace(t.Field(col[1])),
		Handle:    handle(t.Field(col[2])),
		Label:     strings.TrimSpace(t.Field(col[4])),
		Prov:      t.Prov(),
	}
	if l.AccountID == "" && l.Handle == "" {
		t.Reject(b, "account_id", "both `account_id` and `handle` are empty; expected at least one")
		return
	}
	if l.ObservedAt, ok = when(t, b, "observed_at", t.Field(col[3]), true); !ok {
		return
	}
	switch c := strings.ToLower(strings.TrimSpace(t.Field(col[5]))); c {
	case "":
		l.Class = ClassOf(l.Label)
	case string(event.LabelGovernment), string(event.LabelStateMedia), string(event.LabelNone):
		l.Class = event.LabelClass(c)
	default:
		t.Reject(b, "class", fmt.Sprintf("`class` %q is not one of government, state_media, none (or empty to derive it from the label)", t.Field(col[5])))
		return
	}
	b.Labels = append(b.Labels, l)
}

// ClassOf derives a label's class from its displayed text, case-insensitively: text containing
// "state-affiliated media", "state affiliated media", "state-controlled", "state controlled"
// or "state media" is state_media; else text containing "government" is government (X's
// "China government official", "Government organization"); anything else, empty and "none"
// included, is none.
func ClassOf(label string) event.LabelClass {
	l := strings.ToLower(label)
	for _, k := range []string{"state-affiliated media", "state affiliated media", "state-controlled", "state controlled", "state media"} {
		if strings.Contains(l, k) {
			return event.LabelStateMedia
		}
	}
	if strings.Contains(l, "government") {
		return event.LabelGovernment
	}
	return event.LabelNone
}
