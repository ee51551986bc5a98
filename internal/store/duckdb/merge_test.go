package duckdb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

// obs is one observation of a post in the reference model.
type obs struct {
	imp, seq int // import number and position in the import (both 1-based, increasing)
	countsAt time.Time
	text     string
	likes    int64
	tags     []string
}

// refMerge is the documented merge rule for posts, written plainly: rank the observations by
// counts_at (latest first, unknown last), then later import, then later record; text, likes
// and hashtags take the first known value in that order; counts_at the latest known. The
// result keeps the import of the first observation, as a stored row does.
func refMerge(os []obs) obs {
	first := os[0].imp
	for _, o := range os {
		first = min(first, o.imp)
	}
	sort.SliceStable(os, func(i, j int) bool {
		a, b := os[i], os[j]
		if a.countsAt.IsZero() != b.countsAt.IsZero() {
			return !a.countsAt.IsZero()
		}
		if !a.countsAt.Equal(b.countsAt) {
			return a.countsAt.After(b.countsAt)
		}
		if a.imp != b.imp {
			return a.imp > b.imp
		}
		return a.seq > b.seq
	})
	m := obs{imp: first, seq: -1, likes: -1}
	for _, o := range os {
		if m.text == "" {
			m.text = o.text
		}
		if m.likes < 0 {
			m.likes = o.likes
		}
		if len(m.tags) == 0 {
			m.tags = o.tags
		}
		if o.countsAt.After(m.countsAt) {
			m.countsAt = o.countsAt
		}
	}
	return m
}

// refImport folds one import's observations into the stored row (nil: none yet): the stored
// row takes part in the ranking as one observation made at its counts_at.
func refImport(stored *obs, staged []obs) obs {
	if stored != nil {
		staged = append([]obs{*stored}, staged...)
	}
	return refMerge(staged)
}

// TestMergeMatchesReference imports random observations of a few posts over several imports
// and compares every merged post with refMerge, once with the pair shortcut (step 3 of
// mergeKind) and once with the ranking path alone. Seeded, so deterministic.
func TestMergeMatchesReference(t *testing.T) {
	for _, pairs := range []bool{true, false} {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("pairs=%v/seed=%d", pairs, seed), func(t *testing.T) {
				pairMerge = pairs
				defer func() { pairMerge = true }()
				checkMerge(t, rand.New(rand.NewPCG(seed, 7)))
			})
		}
	}
}

func checkMerge(t *testing.T, rng *rand.Rand) {
	ctx := context.Background()
	db := openTest(t, t.TempDir(), Options{Create: true, Threads: 1})
	t0 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	model := map[string]obs{}     // the stored rows
	history := map[string][]obs{} // every observation, for messages
	const keys, imports = 12, 4
	for imp := 1; imp <= imports; imp++ {
		app, err := db.Appender(ctx, store.ImportRun{Source: fmt.Sprint("imp", imp)})
		if err != nil {
			t.Fatal(err)
		}
		var b event.Batch
		staged := map[string][]obs{}
		seq := 0
		for range rng.IntN(20) {
			id := fmt.Sprint("p", rng.IntN(keys))
			seq++
			o := obs{imp: imp, seq: seq, likes: -1}
			if rng.IntN(3) > 0 { // a few distinct times, so that ties happen
				o.countsAt = t0.Add(time.Duration(rng.IntN(4)) * time.Hour)
			}
			if rng.IntN(2) == 0 {
				o.text = fmt.Sprint("text", rng.IntN(100))
			}
			if rng.IntN(3) > 0 {
				o.likes = int64(rng.IntN(1000))
			}
			if rng.IntN(2) == 0 {
				o.tags = []string{fmt.Sprint("t", rng.IntN(5)), "x"}
			}
			staged[id] = append(staged[id], o)
			history[id] = append(history[id], o)
			b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: id, Text: o.text, Likes: o.likes,
				Reposts: event.Unknown, Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown,
				CountsAt: o.countsAt, Hashtags: o.tags})
		}
		if err := app.Append(ctx, &b); err != nil {
			t.Fatal(err)
		}
		for id, os := range staged {
			var stored *obs
			if m, ok := model[id]; ok {
				stored = &m
			}
			model[id] = refImport(stored, os)
		}
		sum, err := app.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Stored.Plus(sum.Duplicates) != sum.Read {
			t.Fatalf("import %d does not reconcile: %+v", imp, sum)
		}
	}
	rows, err := db.Query(ctx, `SELECT id, coalesce(text, '∅'), coalesce(likes, -1),
		coalesce(array_to_string(hashtags, ','), '∅'), counts_at FROM posts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, text, tags string
		var likes int64
		var at *time.Time
		if err := rows.Scan(&id, &text, &likes, &tags, &at); err != nil {
			t.Fatal(err)
		}
		n++
		m := model[id]
		wantText, wantTags := m.text, strings.Join(m.tags, ",")
		if wantText == "" {
			wantText = "∅"
		}
		if wantTags == "" {
			wantTags = "∅"
		}
		got := fmt.Sprint(text, "|", likes, "|", tags, "|", at != nil && at.Equal(m.countsAt) || at == nil && m.countsAt.IsZero())
		want := fmt.Sprint(wantText, "|", m.likes, "|", wantTags, "|", true)
		if got != want {
			t.Errorf("post %s: got %s, want %s (observations %+v)", id, got, want, history[id])
		}
	}
	if n != len(model) {
		t.Errorf("%d posts stored, want %d", n, len(model))
	}
}
