package event

import (
	"strings"
	"testing"
)

// TestLimitFieldsRejectsFieldsOverLimits: an event with a field over its limit is replaced by a
// reject naming the field, its size and the limit; events at the limit, and events appended
// before the mark, are kept as they are.
func TestLimitFieldsRejectsFieldsOverLimits(t *testing.T) {
	t.Parallel()
	prov := func(line int64) Provenance { return Provenance{Source: "f.jsonl", Line: line} }
	over := func(n int) string { return strings.Repeat("x", n+1) }
	at := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name      string
		b         Batch
		field     string
		limit     string
		remaining int
	}{
		{"post text", Batch{Posts: []Post{{ID: "1", Text: over(MaxText), Prov: prov(7)}, {ID: "2", Text: at(MaxText), Prov: prov(8)}}},
			"text", "event.MaxText", 1},
		{"post url", Batch{Posts: []Post{{ID: "1", URLs: []string{"https://a", over(MaxURL)}, Prov: prov(7)}}}, "urls[1]", "event.MaxURL", 0},
		{"post id", Batch{Posts: []Post{{ID: over(MaxURL), Prov: prov(7)}}}, "id", "event.MaxURL", 0},
		{"account bio", Batch{Accounts: []Account{{ID: "1", Description: over(MaxDescription), Prov: prov(7)}}}, "description", "event.MaxDescription", 0},
		{"account name", Batch{Accounts: []Account{{ID: "1", Name: over(MaxName), Prov: prov(7)}, {ID: "2", Name: at(MaxName)}}}, "name", "event.MaxName", 1},
		{"share object", Batch{Shares: []Share{{AccountID: "a", ObjectID: over(MaxURL), Prov: prov(7)}}}, "object_id", "event.MaxURL", 0},
		{"label", Batch{Labels: []LabelObservation{{AccountID: "a", Label: over(MaxName), Prov: prov(7)}}}, "label", "event.MaxName", 0},
		{"watch outlet", Batch{Watch: []WatchEntry{{ID: "a", Outlet: over(MaxName), Prov: prov(7)}}}, "outlet", "event.MaxName", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := tt.b
			before := b.Len()
			if n := b.LimitFields(Mark{}); n != 1 {
				t.Fatalf("LimitFields rejected %d events, want 1", n)
			}
			if b.Len() != before || len(b.Rejects) != 1 || b.Len()-1 != tt.remaining {
				t.Fatalf("%d events and %d rejects left, want %d and 1", b.Len()-len(b.Rejects), len(b.Rejects), tt.remaining)
			}
			r := b.Rejects[0]
			if r.Source != "f.jsonl" || r.Line != 7 || r.Field != tt.field || !strings.Contains(r.Reason, tt.limit) ||
				!strings.Contains(r.Reason, "over the limit") || len(r.Raw) > 200 {
				t.Errorf("reject %+v; want f.jsonl:7, field %s, naming %s, raw cut short", r, tt.field, tt.limit)
			}
		})
	}
}

func TestLimitFieldsChecksOnlyAfterMark(t *testing.T) {
	t.Parallel()
	b := Batch{Posts: []Post{{ID: "old", Text: strings.Repeat("x", MaxText+1)}}}
	m := b.Mark()
	b.Posts = append(b.Posts, Post{ID: "new", Text: strings.Repeat("x", MaxText+1)}, Post{ID: "ok"})
	if n := b.LimitFields(m); n != 1 || len(b.Posts) != 2 || b.Posts[0].ID != "old" || b.Posts[1].ID != "ok" {
		t.Fatalf("rejected %d, posts %v", n, len(b.Posts))
	}
}

// TestLimitFieldsAllocatesNothingPerEvent: the checks on events within their limits cost no
// allocation per event (a handful per call at most).
func TestLimitFieldsAllocatesNothingPerEvent(t *testing.T) {
	var b Batch
	for range 1000 {
		b.Posts = append(b.Posts, Post{ID: "1", Text: "some text", URLs: []string{"https://a"}, Hashtags: []string{"x"}})
		b.Accounts = append(b.Accounts, Account{ID: "1", Name: "n", Description: "d"})
	}
	if allocs := testing.AllocsPerRun(10, func() { b.LimitFields(Mark{}) }); allocs > 16 {
		t.Errorf("LimitFields on 2000 events allocated %.0f times; want a few per call", allocs)
	}
}
