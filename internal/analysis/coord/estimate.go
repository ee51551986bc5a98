package coord

import (
	"context"
	"fmt"

	"github.com/echotrace/echotrace/internal/store"
)

// The memory model of an analysis run (Load, Detect, and the findings analyze computes beside
// them): a fixed part plus a cost per row read. Measured with /usr/bin/time -v on `echotrace
// analyze` of the simulated prc-2021 world (default signals), both analyses reading the
// analysis snapshot (session 10): scale 0.01, 49,805 rows read, 175–179 MB peak RSS; scale 0.1,
// 461,120 rows, 439–453 MB; scale 1, 4,804,948 rows, 2,675–2,778 MB. 180 MB + 600 B per row is
// above every one of them (by 17 %, 1 % and 10 %); scale 10 (about 50 M rows) would need about
// 30 GB. (Read through the views, as first measured, it was 176 MB + 869 B per row.)
const (
	// MemoryFixed is the model's fixed part, in bytes.
	MemoryFixed = 180_000_000
	// MemoryPerRow is the model's cost of one row read, in bytes.
	MemoryPerRow = 600
	// MemoryPerRowViews is the cost of one row read through the views (the first
	// measurement: 176 MB + 869 B per row), for the runs that cannot read the snapshot.
	MemoryPerRowViews = 869
)

// Estimate is what an analysis of a study is expected to need, from the study's row counts.
type Estimate struct {
	Rows  int64 `json:"rows"`  // rows Load will read: engagements, texts and shares of the signals
	Bytes int64 `json:"bytes"` // expected peak memory
}

// EstimateMemory counts, with one cheap query, the rows Load would read for p's signals (all
// when empty) and applies the measured memory model, so that a run which cannot fit its budget
// says so before it starts.
func EstimateMemory(ctx context.Context, q store.Querier, p Params) (Estimate, error) {
	want := map[Signal]bool{}
	for _, s := range p.Signals {
		want[s] = true
	}
	all := len(want) == 0
	n, err := countRows(ctx, q)
	if err != nil {
		return Estimate{}, fmt.Errorf("coord estimate: %w", err)
	}
	var e Estimate
	for _, c := range []struct {
		n       int64
		signals []Signal
	}{
		{n.repost, []Signal{CoRepost}}, {n.reply, []Signal{CoReply}}, {n.quote, []Signal{CoQuote}},
		{n.text, []Signal{CoText, CoLink, CoHashtag, CoPhrase}}, {n.share, []Signal{CoShare}},
	} {
		for _, s := range c.signals {
			if all || want[s] {
				e.Rows += c.n
				break
			}
		}
	}
	perRow := int64(MemoryPerRow)
	if !snapshotUsable(p, want) || !store.SnapshotFresh(ctx, q) {
		perRow = MemoryPerRowViews
	}
	e.Bytes = MemoryFixed + perRow*e.Rows
	return e, nil
}

// rowCounts are the study's rows per kind of coordination input: posts that are reposts,
// replies, quotes; posts that are not reposts (the texts); shares.
type rowCounts struct{ repost, reply, quote, text, share int64 }

// countRows reads rowCounts with one query: Load's capacity hints and EstimateMemory's model.
func countRows(ctx context.Context, q store.Querier) (rowCounts, error) {
	var n rowCounts
	rows, err := q.Query(ctx, `SELECT count(*) FILTER (WHERE kind = 'repost'), count(*) FILTER (WHERE kind = 'reply'),
       count(*) FILTER (WHERE kind = 'quote'), count(*) FILTER (WHERE kind <> 'repost'), (SELECT count(*) FROM shares) FROM posts`)
	if err != nil {
		return n, err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&n.repost, &n.reply, &n.quote, &n.text, &n.share); err != nil {
			return n, err
		}
	}
	return n, rows.Err()
}
