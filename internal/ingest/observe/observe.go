package observe

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

// The exact headers the connectors detect.
const (
	WatchlistHeader = "platform,handle,id,actor_type,country,outlet,lang,since,until"
	StatusHeader    = "platform,account_id,handle,observed_at,status,raw_code"
	LabelsHeader    = "platform,account_id,handle,observed_at,label,class"
)

// New returns the three connectors: watchlist, status and labels.
func New() []ingest.Connector {
	return []ingest.Connector{NewWatchlist(), NewStatus(), NewLabels()}
}

// rowFunc decodes the current record of t into b (or appends a reject).
type rowFunc func(t *csvtable.Reader, col []int, b *event.Batch)

// connector is the shared shape of the three: a name, a header and a row decoder.
type connector struct {
	name, describe, header string
	row                    rowFunc
}

func (c *connector) Name() string     { return c.name }
func (c *connector) Describe() string { return c.describe }

// Detect is certain when the first line is exactly the connector's header (BOM, quotes, case
// and spaces aside).
func (c *connector) Detect(_ string, head []byte) int {
	if csvtable.HeaderIs(head, c.header) {
		return 100
	}
	return 0
}

func (c *connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	t, err := csvtable.Open(r, src)
	if err != nil {
		return nil, err
	}
	d := &decoder{t: t, row: c.row}
	if len(t.Header()) > 0 {
		if d.col, err = t.Require(strings.Split(c.header, ",")...); err != nil {
			return nil, err
		}
	}
	return d, nil
}

type decoder struct {
	t   *csvtable.Reader
	col []int
	row rowFunc
}

func (d *decoder) Decode(b *event.Batch) error {
	ok, err := d.t.Next(b)
	if err != nil || !ok {
		return err
	}
	d.row(d.t, d.col, b)
	return nil
}

// platform parses the platform column, appending a reject on failure.
func platform(t *csvtable.Reader, b *event.Batch, v string) (event.Platform, bool) {
	if strings.TrimSpace(v) == "" {
		t.Reject(b, "platform", "`platform` is empty; expected x, facebook, instagram, bluesky, mastodon, telegram or other")
		return "", false
	}
	p, err := event.ParsePlatform(v)
	if err != nil {
		t.Reject(b, "platform", "`platform` "+err.Error())
		return "", false
	}
	return p, true
}

// handle strips spaces and one leading '@', keeping the case as written.
func handle(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "@") }

// when parses a time column; required times must not be empty.
func when(t *csvtable.Reader, b *event.Batch, name, v string, required bool) (time.Time, bool) {
	if strings.TrimSpace(v) == "" {
		if required {
			t.Reject(b, name, fmt.Sprintf("`%s` is empty; expected a time (RFC 3339, \"2006-01-02 15:04:05\", a date or unix seconds)", name))
			return time.Time{}, false
		}
		return time.Time{}, true
	}
	tm, err := field.Time(v)
	if err != nil {
		t.Reject(b, name, fmt.Sprintf("`%s` is not a time: %v", name, err))
		return time.Time{}, false
	}
	return tm, true
}
