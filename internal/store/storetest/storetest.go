package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
)

// Run runs the suite; open must return a fresh, empty, writable store (the suite closes it).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"CommitVisibility", testCommitVisibility},
		{"Rollback", testRollback},
		{"ClosedAfterCommit", testClosedAfterCommit},
		{"Reimport", testReimport},
		{"DuplicatesWithinImport", testDuplicatesWithinImport},
		{"IdentityConflicts", testIdentityConflicts},
		{"LatestCountsWin", testLatestCounts},
		{"FillEmptyFields", testFillEmpty},
		{"AccountProfiles", testAccountProfiles},
		{"EngagementsView", testEngagementsView},
		{"ChildViews", testChildViews},
		{"Watchlist", testWatchlist},
		{"Observations", testObservations},
		{"Shares", testShares},
		{"Rejects", testRejects},
		{"QueryRefusesWrites", testQueryRefusesWrites},
		{"QueryBindsArgs", testQueryArgs},
		{"Stats", testStats},
		{"Documents", testDocuments},
		{"PutTable", testPutTable},
		{"Runs", testRuns},
		{"SourceDone", testSourceDone},
		{"CommitPartial", testCommitPartial},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

// T0 is the suite's reference time.
var T0 = time.Date(2020, 6, 9, 12, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return T0.Add(time.Duration(minutes) * time.Minute) }

func prov(line int64) event.Provenance { return event.Provenance{Source: "fixture.jsonl", Line: line} }

// post is an original post with unknown counts.
func post(id, author, text string) event.Post {
	return event.Post{Platform: event.X, ID: id, AuthorID: author, Kind: event.KindPost, Text: text,
		CreatedAt: at(0), Likes: event.Unknown, Reposts: event.Unknown, Replies: event.Unknown,
		Quotes: event.Unknown, Views: event.Unknown, Prov: prov(1)}
}

// ref is a repost, quote or reply by author of the post refID by refAuthor.
func ref(id, author string, kind event.PostKind, refID, refAuthor string, minute int) event.Post {
	p := post(id, author, "")
	p.Kind, p.RefID, p.RefAuthorID, p.CreatedAt = kind, refID, refAuthor, at(minute)
	return p
}

// counts sets a post's counts observed at minute m (m < 0: unknown time).
func counts(p event.Post, likes, reposts int64, m int) event.Post {
	p.Likes, p.Reposts = likes, reposts
	if m >= 0 {
		p.CountsAt = at(m)
	}
	return p
}

// fixture is a small import touching every kind.
func fixture() *event.Batch {
	return &event.Batch{
		Accounts: []event.Account{
			{Platform: event.X, ID: "u1", Handle: "AmbassadorX", Name: "Amb", Followers: 10,
				Following: 2, Posts: 5, ObservedAt: at(0), Prov: prov(1)},
			{Platform: event.X, ID: "u2", Handle: "fan_2", Followers: event.Unknown,
				Following: event.Unknown, Posts: event.Unknown, Prov: prov(2)},
		},
		Posts: []event.Post{
			counts(post("p1", "u1", "hello #a"), 7, 2, 5),
			ref("p2", "u2", event.KindRepost, "p1", "u1", 1),
		},
		Engagements: []event.Engagement{
			{Platform: event.X, AccountID: "u3", Kind: event.EngageLike, PostID: "p1", Prov: prov(3)},
		},
		Shares: []event.Share{
			{Platform: event.Other, AccountID: "u2", ObjectID: "o1", ContentID: "c1", At: at(2), Prov: prov(4)},
		},
		Statuses: []event.StatusObservation{
			{Platform: event.X, AccountID: "u2", ObservedAt: at(60), Status: event.StatusSuspended, RawCode: "63", Prov: prov(5)},
		},
		Labels: []event.LabelObservation{
			{Platform: event.X, AccountID: "u1", ObservedAt: at(60), Label: "China government official", Class: event.LabelGovernment, Prov: prov(6)},
		},
		Watch: []event.WatchEntry{
			{Platform: event.X, ID: "u1", ActorType: event.ActorAmbassador, Country: "CN", Prov: prov(7)},
		},
		Rejects: []event.Reject{{Source: "fixture.jsonl", Line: 8, Field: "created_at", Reason: "not a time", Raw: "{}"}},
	}
}

// fixtureCounts is what fixture holds per kind.
var fixtureCounts = event.Counts{Accounts: 2, Posts: 2, Engagements: 1, Shares: 1, Statuses: 1,
	Labels: 1, Watch: 1, Rejects: 1}

// load imports batches in one import and returns its summary.
func load(t *testing.T, s store.Store, fingerprint string, batches ...*event.Batch) store.ImportSummary {
	t.Helper()
	ctx := context.Background()
	app, err := s.Appender(ctx, store.ImportRun{Source: "fixture.jsonl", Format: "test", Fingerprint: fingerprint, Started: T0})
	if err != nil {
		t.Fatalf("Appender: %v", err)
	}
	for _, b := range batches {
		if err := app.Append(ctx, b); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	sum, err := app.Commit(ctx)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	checkReconciled(t, sum)
	return sum
}

// checkReconciled checks Read = Stored + Duplicates and Rejected = Read.Rejects.
func checkReconciled(t *testing.T, sum store.ImportSummary) {
	t.Helper()
	if got := sum.Stored.Plus(sum.Duplicates); got != sum.Read {
		t.Errorf("summary does not reconcile: stored %+v + duplicates %+v != read %+v", sum.Stored, sum.Duplicates, sum.Read)
	}
	if sum.Rejected != sum.Read.Rejects {
		t.Errorf("summary Rejected = %d, want Read.Rejects = %d", sum.Rejected, sum.Read.Rejects)
	}
	if sum.RejectedKept < 0 || sum.RejectedKept > sum.Rejected {
		t.Errorf("summary RejectedKept = %d, want between 0 and Rejected = %d", sum.RejectedKept, sum.Rejected)
	}
}

// count runs a COUNT query.
func count(t *testing.T, s store.Store, query string, args ...any) int64 {
	t.Helper()
	var n int64
	rows, err := s.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("%s: no row (%v)", query, rows.Err())
	}
	if err := rows.Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// table runs a query and renders each row as its values joined by "|", NULL as "∅" and times
// as RFC 3339 UTC, so that expected rows read as plain strings.
func table(t *testing.T, s store.Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = render(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "∅"
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case []byte:
		return string(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = render(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}

func want(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

// viewCounts counts the rows of each documented view.
func viewCounts(t *testing.T, s store.Store) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, v := range []string{"accounts", "posts", "engagements", "shares", "status_observations",
		"label_observations", "watchlist", "rejects", "post_urls", "post_hashtags"} {
		out[v] = count(t, s, "SELECT count(*) FROM "+v)
	}
	return out
}

func testCommitVisibility(t *testing.T, s store.Store) {
	ctx := context.Background()
	app, err := s.Appender(ctx, store.ImportRun{Source: "fixture.jsonl", Format: "test", Fingerprint: "fp1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count(*) FROM posts"); n != 0 {
		t.Errorf("posts visible before Commit: %d", n)
	}
	sum, err := app.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkReconciled(t, sum)
	// A fresh store: everything fixture holds is new.
	if sum.Read != fixtureCounts || sum.Stored != fixtureCounts || sum.Duplicates != (event.Counts{}) {
		t.Errorf("summary read %+v stored %+v duplicates %+v, want read = stored = %+v", sum.Read, sum.Stored, sum.Duplicates, fixtureCounts)
	}
	if sum.Rejected != 1 || sum.Source != "fixture.jsonl" || sum.Format != "test" || sum.ImportID == 0 {
		t.Errorf("summary %+v: want Rejected 1, source, format and an import id", sum)
	}
	// posts 2; engagements: p2's repost + u3's like = 2.
	got := viewCounts(t, s)
	wantCounts := map[string]int64{"accounts": 2, "posts": 2, "engagements": 2, "shares": 1,
		"status_observations": 1, "label_observations": 1, "watchlist": 1, "rejects": 1,
		"post_urls": 0, "post_hashtags": 0}
	if !reflect.DeepEqual(got, wantCounts) {
		t.Errorf("view counts after commit = %v, want %v", got, wantCounts)
	}
	want(t, "import_id on rows", table(t, s, "SELECT DISTINCT import_id = ? FROM posts", sum.ImportID), []string{"true"})
}

func testRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	app, err := s.Appender(ctx, store.ImportRun{Source: "fixture.jsonl", Format: "test", Fingerprint: "fp-rb"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	if err := app.Rollback(); err != nil {
		t.Fatal(err)
	}
	for v, n := range viewCounts(t, s) {
		if n != 0 {
			t.Errorf("%s has %d rows after Rollback, want 0", v, n)
		}
	}
	if done, err := s.SourceDone(ctx, "fp-rb"); err != nil || done {
		t.Errorf("SourceDone after Rollback = %v, %v; want false", done, err)
	}
	if err := app.Append(ctx, fixture()); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Append after Rollback: %v, want ErrClosed", err)
	}
	if _, err := app.Commit(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Commit after Rollback: %v, want ErrClosed", err)
	}
	if err := app.Rollback(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Rollback after Rollback: %v, want ErrClosed", err)
	}
	// The store still works: the same data imports afterwards as new.
	sum := load(t, s, "fp-rb", fixture())
	if sum.Stored != fixtureCounts {
		t.Errorf("import after a rollback stored %+v, want %+v", sum.Stored, fixtureCounts)
	}
}

func testClosedAfterCommit(t *testing.T, s store.Store) {
	ctx := context.Background()
	app, err := s.Appender(ctx, store.ImportRun{Source: "x", Format: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Commit(ctx); err != nil {
		t.Fatalf("Commit of an empty import: %v", err)
	}
	if err := app.Append(ctx, fixture()); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Append after Commit: %v, want ErrClosed", err)
	}
	if _, err := app.Commit(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Commit after Commit: %v, want ErrClosed", err)
	}
	if err := app.Rollback(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Rollback after Commit: %v, want ErrClosed", err)
	}
	if n := count(t, s, "SELECT count(*) FROM posts"); n != 0 {
		t.Errorf("Append after Commit stored %d posts", n)
	}
}

func testReimport(t *testing.T, s store.Store) {
	first := load(t, s, "fp", fixture())
	before := viewCounts(t, s)
	rowsBefore := table(t, s, "SELECT * FROM posts ORDER BY id")
	second := load(t, s, "fp", fixture())
	// Everything of the second import is a duplicate; nothing changes.
	if second.Stored != (event.Counts{}) || second.Duplicates != fixtureCounts || second.Read != fixtureCounts {
		t.Errorf("re-import: read %+v stored %+v duplicates %+v; want all %+v duplicates", second.Read, second.Stored, second.Duplicates, fixtureCounts)
	}
	if second.ImportID == first.ImportID {
		t.Errorf("re-import reused import id %d", first.ImportID)
	}
	if after := viewCounts(t, s); !reflect.DeepEqual(before, after) {
		t.Errorf("re-import changed view counts: %v → %v", before, after)
	}
	want(t, "posts after re-import", table(t, s, "SELECT * FROM posts ORDER BY id"), rowsBefore)
}

func testDuplicatesWithinImport(t *testing.T, s store.Store) {
	// Two batches, each holding the fixture once, plus p1 repeated in the second batch:
	// read 2×fixture + 1 post; stored = fixture; duplicates = the rest.
	b2 := fixture()
	b2.Posts = append(b2.Posts, b2.Posts[0])
	sum := load(t, s, "", fixture(), b2)
	read := fixtureCounts.Plus(fixtureCounts)
	read.Posts++
	if sum.Read != read || sum.Stored != fixtureCounts || sum.Duplicates != read.Minus(fixtureCounts) {
		t.Errorf("read %+v stored %+v duplicates %+v; want read %+v stored %+v", sum.Read, sum.Stored, sum.Duplicates, read, fixtureCounts)
	}
	if n := count(t, s, "SELECT count(*) FROM posts"); n != 2 {
		t.Errorf("posts = %d, want 2", n)
	}
}

// testIdentityConflicts: a known post id with another author, in one import or a later one,
// is an identity conflict (counted among the duplicates and apart, as Conflicts) and the post
// keeps its first-seen author and text.
func testIdentityConflicts(t *testing.T, s store.Store) {
	b := &event.Batch{Posts: []event.Post{post("p1", "u1", "by u1"), post("p1", "u2", "by u2")}}
	b.Posts[1].Prov = prov(2)
	sum := load(t, s, "", b)
	if sum.Stored.Posts != 1 || sum.Duplicates.Posts != 1 || sum.Conflicts.Posts != 1 {
		t.Errorf("one import: stored %d duplicates %d conflicts %d; want 1, 1, 1", sum.Stored.Posts, sum.Duplicates.Posts, sum.Conflicts.Posts)
	}
	later := post("p1", "u3", "by u3")
	later.Likes, later.CountsAt = 5, at(60) // a later observation would otherwise win
	sum = load(t, s, "", &event.Batch{Posts: []event.Post{later, post("p2", "u1", "")}})
	if sum.Stored.Posts != 1 || sum.Conflicts.Posts != 1 {
		t.Errorf("later import: stored %d conflicts %d; want 1, 1", sum.Stored.Posts, sum.Conflicts.Posts)
	}
	want(t, "p1", table(t, s, "SELECT author_id, text, coalesce(likes, -1) FROM posts WHERE id = 'p1'"), []string{"u1|by u1|-1"})
	if st, err := s.Stats(context.Background()); err != nil || st.Conflicts != 2 {
		t.Errorf("stats conflicts = %d, %v; want 2", st.Conflicts, err)
	}
}

func testLatestCounts(t *testing.T, s store.Store) {
	p := post("p1", "u1", "x")
	// Import 1: counts at minute 10 (likes 10, reposts 1).
	load(t, s, "", &event.Batch{Posts: []event.Post{counts(p, 10, 1, 10)}})
	// Import 2, in this order: minute 30 (likes 30, reposts unknown), minute 20 (likes 20,
	// reposts 2), unknown time (likes 99, reposts 99).
	late := counts(p, 30, event.Unknown, 30)
	mid := counts(p, 20, 2, 20)
	unknown := counts(p, 99, 99, -1)
	sum := load(t, s, "", &event.Batch{Posts: []event.Post{late, mid, unknown}})
	if sum.Stored.Posts != 0 || sum.Duplicates.Posts != 3 {
		t.Errorf("stored %d duplicates %d posts, want 0 and 3", sum.Stored.Posts, sum.Duplicates.Posts)
	}
	// likes: latest known time wins → 30 (minute 30). reposts: minute 30 has none, so the
	// next latest known, minute 20 → 2. The unknown-time 99s never win. counts_at = minute 30.
	want(t, "latest counts", table(t, s, "SELECT likes, reposts, replies, counts_at FROM posts"),
		[]string{"30|2|∅|2020-06-09T12:30:00Z"})
	// Import 3: an older observation (minute 5) changes nothing.
	load(t, s, "", &event.Batch{Posts: []event.Post{counts(p, 1, 1, 5)}})
	want(t, "older counts ignored", table(t, s, "SELECT likes, reposts, counts_at FROM posts"),
		[]string{"30|2|2020-06-09T12:30:00Z"})
	// Counts are never summed across snapshots: one post, one row.
	if n := count(t, s, "SELECT count(*) FROM posts"); n != 1 {
		t.Errorf("posts = %d, want 1", n)
	}
}

func testFillEmpty(t *testing.T, s store.Store) {
	// A stub seen only by id (e.g. the target of a repost whose body was not included).
	stub := event.Post{Platform: event.X, ID: "p9", Likes: event.Unknown, Reposts: event.Unknown,
		Replies: event.Unknown, Quotes: event.Unknown, Views: event.Unknown, Prov: prov(1)}
	load(t, s, "", &event.Batch{Posts: []event.Post{stub}})
	want(t, "stub", table(t, s, "SELECT id, author_id, text, kind FROM posts"), []string{"p9|∅|∅|∅"})
	full := post("p9", "u1", "the text")
	full.Hashtags = []string{"a"}
	sum := load(t, s, "", &event.Batch{Posts: []event.Post{full}})
	if sum.Stored.Posts != 0 || sum.Duplicates.Posts != 1 {
		t.Errorf("filling a stub: stored %d duplicates %d, want 0 and 1", sum.Stored.Posts, sum.Duplicates.Posts)
	}
	want(t, "filled", table(t, s, "SELECT id, author_id, text, kind, created_at FROM posts"),
		[]string{"p9|u1|the text|post|2020-06-09T12:00:00Z"})
	// The stub seen again later blanks nothing.
	load(t, s, "", &event.Batch{Posts: []event.Post{stub}})
	want(t, "not blanked", table(t, s, "SELECT id, author_id, text, kind FROM posts"), []string{"p9|u1|the text|post"})
	want(t, "hashtags kept", table(t, s, "SELECT tag, position FROM post_hashtags"), []string{"a|1"})
}

func testAccountProfiles(t *testing.T, s store.Store) {
	acct := func(handle, name, desc string, followers int64, minute int) event.Account {
		a := event.Account{Platform: event.X, ID: "u1", Handle: handle, Name: name, Description: desc,
			Followers: followers, Following: event.Unknown, Posts: event.Unknown, Prov: prov(1)}
		if minute >= 0 {
			a.ObservedAt = at(minute)
		}
		return a
	}
	load(t, s, "", &event.Batch{Accounts: []event.Account{acct("old", "Old Name", "bio", 100, 10)}})
	// Later snapshot (minute 50) without a description; an older one (minute 0) with another
	// name; one of unknown time.
	load(t, s, "", &event.Batch{Accounts: []event.Account{
		acct("new", "", "", 500, 50), acct("ancient", "Ancient", "old bio", 1, 0), acct("undated", "Undated", "x", 7, -1)}})
	// handle and followers from minute 50; name from the next latest that has one (minute 10);
	// description likewise; first_seen = minute 0, last_seen = minute 50.
	want(t, "merged profile",
		table(t, s, "SELECT handle, name, description, followers, following, first_seen, last_seen FROM accounts"),
		[]string{"new|Old Name|bio|500|∅|2020-06-09T12:00:00Z|2020-06-09T12:50:00Z"})
}

func testEngagementsView(t *testing.T, s store.Store) {
	b := &event.Batch{
		Posts: []event.Post{
			post("p1", "w1", "target"),
			ref("r1", "a1", event.KindRepost, "p1", "w1", 1),
			ref("q1", "a2", event.KindQuote, "p1", "", 2), // author filled from p1 in the view
			ref("c1", "a3", event.KindReply, "p1", "w1", 3),
			ref("q2", "a6", event.KindQuote, "p9", "", 5), // p9 unknown: no author, row kept
		},
		Engagements: []event.Engagement{
			// Already represented by post r1: not counted again.
			{Platform: event.X, AccountID: "a1", Kind: event.EngageRepost, PostID: "p1", At: at(1), Prov: prov(2)},
			// A like (no time) and a repost known only from a retweeters list, twice with
			// different times: the earliest is kept.
			{Platform: event.X, AccountID: "a4", Kind: event.EngageLike, PostID: "p1", Prov: prov(3)},
			{Platform: event.X, AccountID: "a5", Kind: event.EngageRepost, PostID: "p1", At: at(9), Prov: prov(4)},
			{Platform: event.X, AccountID: "a5", Kind: event.EngageRepost, PostID: "p1", At: at(4), Prov: prov(5)},
		},
	}
	sum := load(t, s, "", b)
	// engagements read 4, stored 3 (a1 repost, a4 like, a5 repost), duplicate 1 (a5 again).
	if sum.Stored.Engagements != 3 || sum.Duplicates.Engagements != 1 {
		t.Errorf("engagements stored %d duplicates %d, want 3 and 1", sum.Stored.Engagements, sum.Duplicates.Engagements)
	}
	want(t, "engagements view",
		table(t, s, `SELECT platform, account_id, kind, post_id, post_author_id, "at" FROM engagements ORDER BY account_id`),
		[]string{
			"x|a1|repost|p1|w1|2020-06-09T12:01:00Z",
			"x|a2|quote|p1|w1|2020-06-09T12:02:00Z",
			"x|a3|reply|p1|w1|2020-06-09T12:03:00Z",
			"x|a4|like|p1|w1|∅",
			"x|a5|repost|p1|w1|2020-06-09T12:04:00Z",
			"x|a6|quote|p9|∅|2020-06-09T12:05:00Z",
		})
	// A later, earlier time for a5 replaces 12:04; a later one does not.
	load(t, s, "", &event.Batch{Engagements: []event.Engagement{
		{Platform: event.X, AccountID: "a5", Kind: event.EngageRepost, PostID: "p1", At: at(3), Prov: prov(1)},
		{Platform: event.X, AccountID: "a4", Kind: event.EngageLike, PostID: "p1", At: at(8), Prov: prov(2)},
	}})
	want(t, "earliest time kept",
		table(t, s, `SELECT account_id, "at" FROM engagements WHERE account_id IN ('a4', 'a5') ORDER BY account_id`),
		[]string{"a4|2020-06-09T12:08:00Z", "a5|2020-06-09T12:03:00Z"})
}

func testChildViews(t *testing.T, s store.Store) {
	p := post("p1", "u1", "see")
	p.URLs = []string{"https://www.example.com/a?b=1", "http://news.example.org/x"}
	p.Hashtags = []string{"b", "a", "b"}
	p.Mentions = []string{"someone"}
	load(t, s, "", &event.Batch{Posts: []event.Post{p, post("p2", "u1", "none")}})
	want(t, "post_urls", table(t, s, "SELECT platform, post_id, author_id, created_at, kind, url, domain FROM post_urls ORDER BY url"),
		[]string{
			"x|p1|u1|2020-06-09T12:00:00Z|post|http://news.example.org/x|news.example.org",
			"x|p1|u1|2020-06-09T12:00:00Z|post|https://www.example.com/a?b=1|example.com",
		})
	want(t, "post_hashtags", table(t, s, "SELECT post_id, kind, tag, position FROM post_hashtags ORDER BY position"),
		[]string{"p1|post|b|1", "p1|post|a|2", "p1|post|b|3"})
}

func testWatchlist(t *testing.T, s store.Store) {
	load(t, s, "", &event.Batch{
		Accounts: []event.Account{
			{Platform: event.X, ID: "100", Handle: "AmbX", Followers: event.Unknown, Following: event.Unknown, Posts: event.Unknown, Prov: prov(1)},
			{Platform: event.X, ID: "200", Handle: "embassy_y", Followers: event.Unknown, Following: event.Unknown, Posts: event.Unknown, Prov: prov(2)},
		},
		Watch: []event.WatchEntry{
			{Platform: event.X, Handle: "ambx", ActorType: event.ActorAmbassador, Country: "CN", Prov: prov(3)},     // id resolved
			{Platform: event.X, ID: "200", ActorType: event.ActorEmbassy, Country: "CN", Outlet: "", Prov: prov(4)}, // handle filled
			{Platform: event.X, Handle: "Nobody", ActorType: event.ActorStaff, Country: "GB", Prov: prov(5)},        // unknown
			{Platform: event.X, Handle: "AMBX", ActorType: event.ActorAmbassador, Country: "CN", Prov: prov(6)},     // same key as line 3
		},
	})
	// Lines 3 and 6 share the key (x, "@ambx"): one entry, the later line's handle as written.
	want(t, "watchlist", table(t, s, "SELECT platform, account_id, handle, actor_type, country FROM watchlist ORDER BY country, handle"),
		[]string{"x|100|AMBX|ambassador|CN", "x|200|embassy_y|embassy|CN", "x|∅|Nobody|staff|GB"})
}

func testObservations(t *testing.T, s store.Store) {
	load(t, s, "", &event.Batch{
		Accounts: []event.Account{{Platform: event.X, ID: "100", Handle: "Troll1", Followers: event.Unknown,
			Following: event.Unknown, Posts: event.Unknown, Prov: prov(1)}},
		Statuses: []event.StatusObservation{
			{Platform: event.X, Handle: "troll1", ObservedAt: at(0), Status: event.StatusSuspended, RawCode: "63", Prov: prov(2)},
			{Platform: event.X, AccountID: "300", ObservedAt: at(0), Status: event.StatusDeleted, RawCode: "50", Prov: prov(3)},
			{Platform: event.X, Handle: "ghost", ObservedAt: at(0), Status: event.StatusActive, Prov: prov(4)},
			{Platform: event.X, Handle: "TROLL1", ObservedAt: at(0), Status: event.StatusSuspended, RawCode: "63", Prov: prov(5)}, // duplicate
		},
		Labels: []event.LabelObservation{
			{Platform: event.X, Handle: "TROLL1", ObservedAt: at(1), Label: "China state-affiliated media", Class: event.LabelStateMedia, Prov: prov(6)},
		},
	})
	want(t, "status_observations",
		table(t, s, "SELECT platform, account_id, observed_at, status, raw_code FROM status_observations ORDER BY status"),
		[]string{"x|∅|2020-06-09T12:00:00Z|active|∅", "x|300|2020-06-09T12:00:00Z|deleted|50", "x|100|2020-06-09T12:00:00Z|suspended|63"})
	want(t, "label_observations",
		table(t, s, "SELECT platform, account_id, observed_at, label, class FROM label_observations"),
		[]string{"x|100|2020-06-09T12:01:00Z|China state-affiliated media|state_media"})
}

func testShares(t *testing.T, s store.Store) {
	sh := func(acct, obj, content string, minute int) event.Share {
		x := event.Share{Platform: event.Other, AccountID: acct, ObjectID: obj, ContentID: content, Prov: prov(1)}
		if minute >= 0 {
			x.At = at(minute)
		}
		return x
	}
	// 5 read: the repeat of (a,o1,c1,0) and of (b,o1,–,unknown) are duplicates → 3 stored.
	sum := load(t, s, "", &event.Batch{Shares: []event.Share{
		sh("a", "o1", "c1", 0), sh("a", "o1", "c1", 0), sh("a", "o1", "c2", 0), sh("b", "o1", "", -1), sh("b", "o1", "", -1)}})
	if sum.Stored.Shares != 3 || sum.Duplicates.Shares != 2 {
		t.Errorf("shares stored %d duplicates %d, want 3 and 2", sum.Stored.Shares, sum.Duplicates.Shares)
	}
	want(t, "shares", table(t, s, `SELECT platform, account_id, object_id, content_id, "at" FROM shares ORDER BY account_id, content_id`),
		[]string{"other|a|o1|c1|2020-06-09T12:00:00Z", "other|a|o1|c2|2020-06-09T12:00:00Z", "other|b|o1|∅|∅"})
}

// testRejects: rejects are stored with file, line, field, reason and raw text, and whether
// their record was kept with the field cleared (counted apart in RejectedKept and in the
// import's row); re-importing them adds none.
func testRejects(t *testing.T, s store.Store) {
	b := &event.Batch{Rejects: []event.Reject{
		event.NewReject("in.csv", 812, "created_at", "not a time; expected RFC 3339", []byte("a,b,c")),
		event.NewReject("in.csv", 813, "", "wrong number of columns", []byte("x")),
		{Source: "in.csv", Line: 814, Field: "counts_at", Reason: "counts_at out of window; the time is cleared, the post kept", Kept: true},
	}}
	sum := load(t, s, "", b)
	if sum.Rejected != 3 || sum.Stored.Rejects != 3 || sum.RejectedKept != 1 {
		t.Errorf("rejected %d (kept %d) stored %d, want 3 (kept 1) and 3", sum.Rejected, sum.RejectedKept, sum.Stored.Rejects)
	}
	want(t, "rejects", table(t, s, "SELECT source, line, reason, field, raw, kept FROM rejects ORDER BY line"),
		[]string{"in.csv|812|not a time; expected RFC 3339|created_at|a,b,c|false", "in.csv|813|wrong number of columns|∅|x|false",
			"in.csv|814|counts_at out of window; the time is cleared, the post kept|counts_at|∅|true"})
	want(t, "imports", table(t, s, "SELECT rejected, rejected_kept FROM imports WHERE id = ?", sum.ImportID), []string{"3|1"})
	sum = load(t, s, "", b)
	if sum.Rejected != 3 || sum.RejectedKept != 1 || sum.Stored.Rejects != 0 || sum.Duplicates.Rejects != 3 {
		t.Errorf("re-import: rejected %d (kept %d) stored %d duplicates %d, want 3 (1), 0, 3", sum.Rejected, sum.RejectedKept, sum.Stored.Rejects, sum.Duplicates.Rejects)
	}
	if n := count(t, s, "SELECT count(*) FROM rejects"); n != 3 {
		t.Errorf("rejects after re-import = %d, want 3", n)
	}
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if last := st.Imports[len(st.Imports)-1]; last.Rejected != 3 || last.RejectedKept != 1 {
		t.Errorf("stats import %+v; want rejected 3, rejected_kept 1", last)
	}
}

// Attacks are statements Query must refuse with ErrReadOnly. The suite runs them after
// creating the table result_target (one row) with PutTable and importing the fixture.
var Attacks = []string{
	"INSERT INTO result_target VALUES ('y')",
	"INSERT INTO accounts (platform, id) VALUES ('x', 'evil')",
	"DELETE FROM result_target",
	"delete from posts",
	"UPDATE result_target SET a = 'z'",
	"DROP TABLE result_target",
	"DROP VIEW posts",
	"ALTER TABLE result_target RENAME TO result_gone",
	"CREATE TABLE result_evil AS SELECT 1",
	"SELECT 1; DROP TABLE result_target",
	"SELECT 1; DELETE FROM result_target;",
	"SELECT count(*) FROM posts; SELECT 1",
	"WITH x AS (SELECT 'w' AS a) INSERT INTO result_target SELECT * FROM x",
	"/* comment */ DELETE FROM result_target",
	"-- comment\nDROP TABLE result_target",
	"  delete from result_target  ",
	"COPY result_target TO '/tmp/echotrace-attack.csv'",
	"COPY result_target FROM '/tmp/echotrace-attack.csv'",
	"EXPORT DATABASE '/tmp/echotrace-attack'",
	"ATTACH '/tmp/echotrace-attack.db' AS evil",
	"INSTALL httpfs",
	"LOAD httpfs",
	"SET threads = 1",
	"PRAGMA memory_limit = '1GB'",
	"CALL checkpoint()",
	"CHECKPOINT",
	"VACUUM",
	"BEGIN TRANSACTION",
	"EXPLAIN ANALYZE DELETE FROM result_target",
	"EXPLAIN ANALYSE SELECT 1",
	"EXPLAIN /* x */ ANALYZE SELECT 1",
	"EXPLAIN DELETE FROM result_target",
	"PREPARE p AS DELETE FROM result_target",
	"TRUNCATE result_target",
}

func testQueryRefusesWrites(t *testing.T, s store.Store) {
	ctx := context.Background()
	load(t, s, "", fixture())
	if err := s.PutTable(ctx, "result_target", []string{"a"}, [][]any{{"x"}}); err != nil {
		t.Fatal(err)
	}
	before := viewCounts(t, s)
	for _, q := range Attacks {
		rows, err := s.Query(ctx, q)
		if err == nil {
			rows.Close()
			t.Errorf("Query(%q) was accepted", q)
			continue
		}
		if !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("Query(%q) = %v, want ErrReadOnly", q, err)
		}
	}
	if after := viewCounts(t, s); !reflect.DeepEqual(before, after) {
		t.Errorf("attacks changed the data: %v → %v", before, after)
	}
	want(t, "result_target after attacks", table(t, s, "SELECT a FROM result_target"), []string{"x"})
	// Read-only forms are accepted.
	for _, q := range []string{
		"SELECT count(*) FROM posts",
		"WITH t AS (SELECT * FROM posts) SELECT count(*) FROM t",
		"select 1;",
		"FROM posts",
		"DESCRIBE posts",
		"SHOW TABLES",
		"SUMMARIZE posts",
		"EXPLAIN SELECT * FROM posts",
		"PRAGMA table_info('posts')",
		"SELECT 'DELETE FROM posts; DROP TABLE result_target' AS s",
	} {
		rows, err := s.Query(ctx, q)
		if err != nil {
			t.Errorf("Query(%q) = %v, want accepted", q, err)
			continue
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			t.Errorf("Query(%q): %v", q, err)
		}
		rows.Close()
	}
	// A query that does not parse is an error, not a panic.
	if rows, err := s.Query(ctx, "SELEC nonsense"); err == nil {
		rows.Close()
		t.Error("Query accepted a syntax error")
	}
}

func testQueryArgs(t *testing.T, s store.Store) {
	load(t, s, "", fixture())
	// The argument is bound: an injection attempt is just a string that matches nothing.
	if n := count(t, s, "SELECT count(*) FROM posts WHERE id = ?", "p1' OR '1'='1"); n != 0 {
		t.Errorf("bound injection matched %d rows", n)
	}
	if n := count(t, s, "SELECT count(*) FROM posts WHERE id = ?", "p1"); n != 1 {
		t.Errorf("id = p1 matched %d rows, want 1", n)
	}
}

func testStats(t *testing.T, s store.Store) {
	ctx := context.Background()
	sum := load(t, s, "fp", fixture())
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// fixture: 2 accounts, 2 posts, engagements = repost p2 + like = 2, shares 1 (platform
	// other), 1 status, 1 label, 1 watch entry, 1 reject.
	got := [8]int64{st.Accounts, st.Posts, st.Engagements, st.Shares, st.Statuses, st.Labels, st.Watchlist, st.Rejects}
	if got != [8]int64{2, 2, 2, 1, 1, 1, 1, 1} {
		t.Errorf("stats totals = %v, want [2 2 2 1 1 1 1 1]", got)
	}
	wantPer := map[string]event.Counts{
		"x":     {Accounts: 2, Posts: 2, Engagements: 2, Statuses: 1, Labels: 1, Watch: 1},
		"other": {Shares: 1},
	}
	if !reflect.DeepEqual(st.PerPlatform, wantPer) {
		t.Errorf("per platform = %+v, want %+v", st.PerPlatform, wantPer)
	}
	if len(st.Imports) != 1 || !reflect.DeepEqual(st.Imports[0], sum) {
		t.Errorf("imports = %+v, want [%+v]", st.Imports, sum)
	}
}

func testDocuments(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, _, err := s.Document(ctx, "findings"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing document: %v, want ErrNotFound", err)
	}
	if err := s.PutDocument(ctx, "findings", []byte(`{"posts": 1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDocument(ctx, "findings", []byte(`{"posts": 2}`)); err != nil {
		t.Fatal(err)
	}
	body, stored, err := s.Document(ctx, "findings")
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"posts": 2}` {
		t.Errorf("document = %s, want the replacement", body)
	}
	if stored.IsZero() {
		t.Error("document has no stored time")
	}
	if err := s.PutDocument(ctx, "bad", []byte(`{not json`)); err == nil {
		t.Error("PutDocument accepted invalid JSON")
	}
}

func testPutTable(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, name := range []string{"posts", "result", "result_", "Result_x", "result-x", "result_x; DROP VIEW posts", "x_result_y", ""} {
		if err := s.PutTable(ctx, name, []string{"a"}, [][]any{{"1"}}); err == nil {
			t.Errorf("PutTable(%q) accepted", name)
		}
	}
	cols := []string{"id", "n", "share", "ok", "at"}
	rows := [][]any{{"a", int64(3), 0.5, true, T0}, {"b", int64(-1), 1.25, false, time.Time{}}, {nil, nil, nil, nil, nil}}
	if err := s.PutTable(ctx, "result_test_1", cols, rows); err != nil {
		t.Fatal(err)
	}
	want(t, "result table", table(t, s, `SELECT id, n, share, ok, "at" FROM result_test_1 ORDER BY id NULLS LAST`),
		[]string{"a|3|0.5|true|2020-06-09T12:00:00Z", "b|-1|1.25|false|∅", "∅|∅|∅|∅|∅"})
	// Replacing changes columns and rows.
	if err := s.PutTable(ctx, "result_test_1", []string{"k"}, [][]any{{int64(7)}}); err != nil {
		t.Fatal(err)
	}
	want(t, "replaced", table(t, s, "SELECT * FROM result_test_1"), []string{"7"})
	if err := s.PutTable(ctx, "result_test_2", []string{"a"}, [][]any{{"1", "2"}}); err == nil {
		t.Error("PutTable accepted a row longer than its columns")
	}
	if err := s.PutTable(ctx, "result_test_3", []string{"a"}, [][]any{{"1"}, {int64(2)}}); err == nil {
		t.Error("PutTable accepted a column mixing types")
	}
	// A failed replacement leaves the earlier table as it was.
	if err := s.PutTable(ctx, "result_test_1", []string{"k"}, [][]any{{int64(8)}, {"nine"}}); err == nil {
		t.Error("PutTable accepted a column mixing types")
	}
	want(t, "after a failed replacement", table(t, s, "SELECT * FROM result_test_1"), []string{"7"})
}

// testRuns: a run's results are invisible until Commit and gone after Rollback; committed,
// they name their run, and results of two runs neither of which read the other are mixed.
func testRuns(t *testing.T, s store.Store) {
	ctx := context.Background()
	put := func(command string, commit bool, docs ...string) {
		t.Helper()
		w, err := s.BeginRun(ctx, command, map[string]int{"seed": 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if err := w.PutDocument(ctx, d, []byte(`{"by": "`+command+`"}`)); err != nil {
				t.Fatal(err)
			}
			if err := w.PutTable(ctx, "result_"+d, []string{"by"}, [][]any{{command}}); err != nil {
				t.Fatal(err)
			}
		}
		if body, _, _ := s.Document(ctx, docs[0]); string(body) == `{"by": "`+command+`"}` {
			t.Errorf("%s: result visible before Commit", command)
		}
		if !commit {
			if err := w.Rollback(); err != nil {
				t.Fatal(err)
			}
			return
		}
		if _, err := w.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(ctx); !errors.Is(err, store.ErrClosed) {
			t.Errorf("second Commit: %v, want ErrClosed", err)
		}
	}
	put("analyze", true, "findings", "coord")
	put("coord", false, "coord")
	if body, _, err := s.Document(ctx, "coord"); err != nil || string(body) != `{"by": "analyze"}` {
		t.Errorf("coord after a rolled-back run = %s, %v", body, err)
	}
	if state, err := store.CheckResults(ctx, s, "findings", "coord"); err != nil || !state.OK() || len(state.Results) != 2 || state.Results[0].Run == nil {
		t.Errorf("results of one run: %+v, %v", state, err)
	}
	put("coord", true, "coord")
	state, err := store.CheckResults(ctx, s, "findings", "coord")
	if err != nil || !state.Mixed || len(state.Warnings) == 0 {
		t.Errorf("findings and clusters of two runs: %+v, %v; want mixed", state, err)
	}
	if runs, err := s.ListRuns(ctx); err != nil || len(runs) != 2 || runs[0].Command != "analyze" || runs[1].Command != "coord" {
		t.Errorf("runs = %+v, %v", runs, err)
	}
}

func testSourceDone(t *testing.T, s store.Store) {
	ctx := context.Background()
	if done, err := s.SourceDone(ctx, "fp-x"); err != nil || done {
		t.Fatalf("SourceDone on a fresh store = %v, %v", done, err)
	}
	app, err := s.Appender(ctx, store.ImportRun{Source: "f", Format: "test", Fingerprint: "fp-x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	if done, err := s.SourceDone(ctx, "fp-x"); err != nil || done {
		t.Errorf("SourceDone before Commit = %v, %v; want false", done, err)
	}
	if _, err := app.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if done, err := s.SourceDone(ctx, "fp-x"); err != nil || !done {
		t.Errorf("SourceDone after Commit = %v, %v; want true", done, err)
	}
	if done, err := s.SourceDone(ctx, "fp-other"); err != nil || done {
		t.Errorf("SourceDone of another fingerprint = %v, %v; want false", done, err)
	}
	load(t, s, "", fixture())
	if done, err := s.SourceDone(ctx, ""); err != nil || done {
		t.Errorf("SourceDone(\"\") = %v, %v; an empty fingerprint is never done", done, err)
	}
}

// testCommitPartial: an import of an input that broke off keeps what was appended, is listed
// with its error, and is not taken for done.
func testCommitPartial(t *testing.T, s store.Store) {
	ctx := context.Background()
	app, err := s.Appender(ctx, store.ImportRun{Source: "cut.jsonl.gz", Format: "test", Fingerprint: "fp-cut"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Append(ctx, fixture()); err != nil {
		t.Fatal(err)
	}
	sum, err := app.CommitPartial(ctx, errors.New("gzip data ends abruptly at compressed byte 812"))
	if err != nil {
		t.Fatal(err)
	}
	checkReconciled(t, sum)
	if sum.Stored.Posts == 0 || count(t, s, "SELECT count(*) FROM posts") != sum.Stored.Posts {
		t.Errorf("partial import stored %d posts, %d visible", sum.Stored.Posts, count(t, s, "SELECT count(*) FROM posts"))
	}
	if !strings.Contains(sum.Error, "compressed byte 812") {
		t.Errorf("summary error %q", sum.Error)
	}
	if done, err := s.SourceDone(ctx, "fp-cut"); err != nil || done {
		t.Errorf("SourceDone after CommitPartial = %v, %v; want false", done, err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Imports) != 1 || !strings.Contains(st.Imports[0].Error, "compressed byte 812") || st.Posts != sum.Stored.Posts {
		t.Errorf("stats: %+v; want the partial import listed with its error and its posts counted", st)
	}
	if _, err := app.Commit(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Commit after CommitPartial: %v, want ErrClosed", err)
	}
}

// Commit appends b to s as one import described by run and commits it, failing tb on any error:
// the set-up step of tests that need a populated study.
func Commit(tb testing.TB, s store.Store, run store.ImportRun, b *event.Batch) store.ImportSummary {
	tb.Helper()
	ctx := context.Background()
	app, err := s.Appender(ctx, run)
	if err != nil {
		tb.Fatal(err)
	}
	if err := app.Append(ctx, b); err != nil {
		_ = app.Rollback()
		tb.Fatalf("append to %s: %v", run.Source, err)
	}
	sum, err := app.Commit(ctx)
	if err != nil {
		tb.Fatalf("commit %s: %v", run.Source, err)
	}
	return sum
}
