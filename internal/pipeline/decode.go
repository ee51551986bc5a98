//go:build beam

package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
)

// ObjectKey is the pipeline's key of a post: its platform and id.
func ObjectKey(p event.Platform, id string) string { return string(p) + "\x00" + id }

// splitKey splits an ObjectKey (or any platform-qualified key) into platform and id.
func splitKey(k string) (platform, id string) {
	for i := 0; i < len(k); i++ {
		if k[i] == 0 {
			return k[:i], k[i+1:]
		}
	}
	return "", k
}

// FileStats counts what DecodeFile read from one input.
type FileStats struct {
	Records     int64 // events decoded (rejects included)
	Rejects     int64 // records the connector could not read
	RepostPosts int64 // repost posts emitted (with or without a time)
	RepostEngs  int64 // repost engagements emitted (timed)
	Watch       int64 // watchlist entries with an id (targets)
	WatchNoID   int64 // watchlist entries with a handle only: not resolved by the pipeline
}

// Emitter receives what DecodeFile extracts: items keyed by ObjectKey and target account keys
// (platform-qualified ids of watchlist entries).
type Emitter struct {
	Item   func(key string, it Item)
	Target func(key string)
}

// DecodeFile decodes one input (already decompressed with ingest.Decompress) with the connector
// named format ("" or "auto": detected from name and content, as `echotrace import` does) and
// emits its repost items and watchlist targets. withPosts also emits an ItemPost for every post
// (needed to learn a reposted post's author when filtering by targets). An empty input yields
// nothing.
func DecodeFile(ctx context.Context, reg *ingest.Registry, format, name string, r io.Reader, withPosts bool, em Emitter) (FileStats, error) {
	var st FileStats
	br := bufio.NewReaderSize(r, 1<<20)
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return st, fmt.Errorf("%s: %w", name, err)
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return st, nil
	}
	var c ingest.Connector
	if format == "" || format == "auto" {
		c, err = reg.Detect(name, head)
	} else {
		c, err = reg.Lookup(format)
	}
	if err != nil {
		return st, err
	}
	dec, err := c.Open(br, name)
	if err != nil {
		return st, fmt.Errorf("%s: %w", name, err)
	}
	var b event.Batch
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return st, ctx.Err()
		}
		err := dec.Decode(&b)
		if err != nil && err != io.EOF {
			return st, fmt.Errorf("%s: %w", name, err)
		}
		extract(&b, withPosts, em, &st)
		b.Reset()
		if err == io.EOF {
			return st, nil
		}
	}
}

// extract turns a batch's posts, engagements and watchlist entries into items and targets.
func extract(b *event.Batch, withPosts bool, em Emitter, st *FileStats) {
	st.Records += int64(b.Len())
	st.Rejects += int64(len(b.Rejects))
	for i := range b.Posts {
		p := &b.Posts[i]
		if p.ID == "" || p.AuthorID == "" {
			continue
		}
		rank := stamp(p.CountsAt)
		if withPosts {
			em.Item(ObjectKey(p.Platform, p.ID), Item{Kind: ItemPost, Account: p.AuthorID, PostID: p.ID, CountsAt: rank})
		}
		if p.Kind == event.KindRepost && p.RefID != "" {
			st.RepostPosts++
			em.Item(ObjectKey(p.Platform, p.RefID), Item{Kind: ItemRepostPost, Account: p.AuthorID,
				Author: p.RefAuthorID, PostID: p.ID, Time: seconds(p.CreatedAt), HasTime: !p.CreatedAt.IsZero(), CountsAt: rank})
		}
	}
	for i := range b.Engagements {
		e := &b.Engagements[i]
		if e.Kind != event.EngageRepost || e.PostID == "" || e.AccountID == "" || e.At.IsZero() {
			continue
		}
		st.RepostEngs++
		em.Item(ObjectKey(e.Platform, e.PostID), Item{Kind: ItemRepostEngagement, Account: e.AccountID,
			Author: e.PostAuthorID, Time: seconds(e.At), HasTime: true})
	}
	for i := range b.Watch {
		w := &b.Watch[i]
		if w.ID == "" {
			st.WatchNoID++
			continue
		}
		st.Watch++
		em.Target(ObjectKey(w.Platform, w.ID))
	}
}

// seconds is t in whole unix seconds, rounded down (the store's floor(epoch(t))).
func seconds(t time.Time) int64 { return t.Unix() }

// stamp ranks observation times; the zero time (unknown) ranks last.
func stamp(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}
