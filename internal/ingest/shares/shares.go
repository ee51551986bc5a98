package shares

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

// Options choose what a german_elections-layout file yields.
type Options struct {
	// Object is the object type to emit shares for: "url" (the default when empty), "domain",
	// "hashtag", "phash", or "all" for one share per non-NA object of every type. The canonical
	// layout ignores it.
	Object string
}

// ObjectTypes are the german_elections object types, in column order.
var ObjectTypes = []string{"url", "hashtag", "domain", "phash"}

// Canonical and german_elections column names.
var (
	canonicalCols = []string{"object_id", "account_id", "content_id", "timestamp_share"}
	germanCols    = []string{"account_id", "post_id", "timestamp"}
)

// New returns the "shares" connector.
func New(opt Options) ingest.Connector { return &connector{opt: opt} }

type connector struct{ opt Options }

func (c *connector) Name() string { return "shares" }

// Settings is the object type (ingest.Configured): the same file imported with another --object
// yields other shares and is read again.
func (c *connector) Settings() string { return "object " + c.opt.Object }
func (c *connector) Describe() string {
	return "CooRTweet shares CSV (object_id,account_id,content_id,timestamp_share) or its german_elections layout"
}

// Detect is certain for either layout's header, in any column order.
func (c *connector) Detect(_ string, head []byte) int {
	if csvtable.HeaderHas(head, canonicalCols...) {
		return 100
	}
	if csvtable.HeaderHas(head, germanCols...) && csvtable.HeaderHas(head, "url_id") {
		return 100
	}
	return 0
}

func (c *connector) Open(r io.Reader, src string) (ingest.Decoder, error) {
	t, err := csvtable.Open(r, src)
	if err != nil {
		return nil, err
	}
	d := &decoder{t: t, seen: map[shareKey]struct{}{}}
	if len(t.Header()) == 0 {
		return d, nil
	}
	if t.Col("timestamp_share") >= 0 || t.Col("object_id") >= 0 {
		d.col, err = t.Require(canonicalCols...)
		return d, err
	}
	d.german = true
	if d.col, err = t.Require(germanCols...); err != nil {
		return nil, err
	}
	types := []string{c.opt.Object}
	switch c.opt.Object {
	case "":
		types = []string{"url"}
	case "all":
		types = ObjectTypes
	case "url", "domain", "hashtag", "phash":
	default:
		return nil, fmt.Errorf("shares: unknown object type %q; expected url, domain, hashtag, phash or all", c.opt.Object)
	}
	for _, typ := range types {
		i, err := t.Require(typ + "_id")
		if err != nil {
			return nil, err
		}
		d.objects = append(d.objects, object{prefix: typ + "_", col: i[0], name: typ + "_id"})
	}
	return d, nil
}

type object struct {
	prefix, name string
	col          int
}

type shareKey struct {
	object, account, content string
	at                       int64
}

type decoder struct {
	t       *csvtable.Reader
	col     []int
	german  bool
	objects []object
	seen    map[shareKey]struct{} // german layout: shares already emitted from this file
}

func (d *decoder) Decode(b *event.Batch) error {
	ok, err := d.t.Next(b)
	if err != nil || !ok {
		return err
	}
	t := d.t
	if !d.german {
		s := event.Share{Platform: event.Other, ObjectID: t.Field(d.col[0]), AccountID: t.Field(d.col[1]),
			ContentID: t.Field(d.col[2]), Prov: t.Prov()}
		if !d.required(b, s.ObjectID, "object_id") || !d.required(b, s.AccountID, "account_id") {
			return nil
		}
		if s.At, ok = d.when(b, t.Field(d.col[3]), "timestamp_share"); ok {
			b.Shares = append(b.Shares, s)
		}
		return nil
	}
	account, content := t.Field(d.col[0]), t.Field(d.col[1])
	if !d.anyObject() {
		return nil // nothing of the chosen type on this row (real rows carry only NAs)
	}
	if !d.required(b, account, "account_id") || !d.required(b, content, "post_id") {
		return nil
	}
	at, ok := d.when(b, t.Field(d.col[2]), "timestamp")
	if !ok {
		return nil
	}
	for _, o := range d.objects {
		v := t.Field(o.col)
		if isNA(v) {
			continue
		}
		k := shareKey{o.prefix + v, account, content, at.UnixNano()}
		if _, dup := d.seen[k]; dup {
			continue
		}
		d.seen[k] = struct{}{}
		b.Shares = append(b.Shares, event.Share{Platform: event.Other, AccountID: account, ObjectID: k.object,
			ContentID: content, At: at, Prov: t.Prov()})
	}
	return nil
}

// anyObject reports whether the current row holds an object of a chosen type.
func (d *decoder) anyObject() bool {
	for _, o := range d.objects {
		if !isNA(d.t.Field(o.col)) {
			return true
		}
	}
	return false
}

// isNA reports an R missing value: NA as written by write.csv, or an empty field.
func isNA(v string) bool { return v == "" || v == "NA" }

func (d *decoder) required(b *event.Batch, v, name string) bool {
	if isNA(strings.TrimSpace(v)) {
		d.t.Reject(b, name, fmt.Sprintf("`%s` is empty or NA; expected an id", name))
		return false
	}
	return true
}

func (d *decoder) when(b *event.Batch, v, name string) (time.Time, bool) {
	if isNA(strings.TrimSpace(v)) {
		d.t.Reject(b, name, fmt.Sprintf("`%s` is empty or NA; expected unix seconds", name))
		return time.Time{}, false
	}
	at, err := field.Time(v)
	if err != nil {
		d.t.Reject(b, name, fmt.Sprintf("`%s` is not a time: %v", name, err))
		return time.Time{}, false
	}
	return at, true
}
