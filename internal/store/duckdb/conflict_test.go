package duckdb

import (
	"context"
	"fmt"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/storetest"
)

func conflictPost(id, author string, kind event.PostKind, ref, text string, line int64) event.Post {
	return event.Post{Platform: event.X, ID: id, AuthorID: author, Kind: kind, RefID: ref, Text: text,
		Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1,
		Prov: event.Provenance{Source: fmt.Sprintf("f%d.jsonl", line/100), Line: line}}
}

// TestIdentityConflicts (issue 14, item 7): a record with the id of a known post but another
// author, kind or referenced post — in one file or across imports — is an identity conflict,
// counted apart from plain duplicates and listed in the conflicts view with the kept value
// and its source; the post keeps its first-seen identity and fields (it is not re-attributed),
// and its provenance stays that of the kept record. A stub without an author is filled in, and
// a plain post without a reference (as an embedded quoted tweet reads) beside a quote is
// compatible: neither is a conflict. An engagement whose post is given another author
// conflicts too. Both merge paths (the pair join and the ranking) give the same.
func TestIdentityConflicts(t *testing.T) {
	for _, pairs := range []bool{true, false} {
		t.Run(fmt.Sprintf("pairs=%v", pairs), func(t *testing.T) {
			pairMerge = pairs
			defer func() { pairMerge = true }()
			ctx := context.Background()
			db := openTest(t, t.TempDir(), Options{Create: true, Threads: 1})

			// One file: p1 by a, then p1 by b (a conflict); p2 a stub, then by c (filled in);
			// p3 a repost of x, then a repost of y (a conflict on ref_id).
			sum := storetest.Commit(t, db, store.ImportRun{Source: "f1.jsonl"}, &event.Batch{Posts: []event.Post{
				conflictPost("p1", "a", event.KindPost, "", "by a", 101),
				conflictPost("p1", "b", event.KindPost, "", "by b", 102),
				conflictPost("p2", "", "", "", "", 103),
				conflictPost("p2", "c", event.KindPost, "", "by c", 104),
				conflictPost("p3", "d", event.KindRepost, "x", "RT x", 105),
				conflictPost("p3", "d", event.KindRepost, "y", "RT y", 106),
				// A quote seen first as the copy embedded in the tweet quoting it (a plain post,
				// its own reference not nested), then whole: not a conflict.
				conflictPost("p4", "d", event.KindPost, "", "quoting", 107),
				conflictPost("p4", "d", event.KindQuote, "x", "quoting", 108),
			}})
			if sum.Read.Posts != 8 || sum.Stored.Posts != 4 || sum.Duplicates.Posts != 4 || sum.Conflicts.Posts != 2 {
				t.Errorf("one file: read %d stored %d duplicates %d conflicts %d; want 8, 4, 4 (2 plain), 2",
					sum.Read.Posts, sum.Stored.Posts, sum.Duplicates.Posts, sum.Conflicts.Posts)
			}
			// Another import: p1 by e (a reply without its reference: only the author
			// conflicts), p2 by c again (a plain duplicate), p3 by f reposting z (one record, two
			// fields listed); an engagement whose post is given two authors.
			sum = storetest.Commit(t, db, store.ImportRun{Source: "f2.jsonl"}, &event.Batch{Posts: []event.Post{
				conflictPost("p1", "e", event.KindReply, "", "by e", 201),
				conflictPost("p2", "c", event.KindPost, "", "by c", 202),
				conflictPost("p3", "f", event.KindRepost, "z", "RT z", 205),
			}, Engagements: []event.Engagement{
				{Platform: event.X, AccountID: "u", Kind: event.EngageLike, PostID: "q", PostAuthorID: "a", Prov: event.Provenance{Source: "f2.jsonl", Line: 203}},
				{Platform: event.X, AccountID: "u", Kind: event.EngageLike, PostID: "q", PostAuthorID: "z", Prov: event.Provenance{Source: "f2.jsonl", Line: 204}},
			}})
			if sum.Duplicates.Posts != 3 || sum.Conflicts.Posts != 2 || sum.Stored.Engagements != 1 || sum.Conflicts.Engagements != 1 {
				t.Errorf("second import: %+v", sum)
			}
			got := scalar[string](t, db, `SELECT string_agg(id || ':' || author_id || ':' || kind || ':' || coalesce(ref_id, '∅') || ':' || text || ':' || source || '#' || line, ' ' ORDER BY id) FROM posts WHERE id <> 'p4'`)
			if want := "p1:a:post:∅:by a:f1.jsonl#101 p2:c:post:∅:by c:f1.jsonl#103 p3:d:repost:x:RT x:f1.jsonl#105"; got != want {
				t.Errorf("posts:\n%s\nwant\n%s", got, want)
			}
			if got := scalar[string](t, db, `SELECT post_author_id FROM core.engagements`); got != "a" {
				t.Errorf("engagement's post author = %s, want the first seen", got)
			}
			got = scalar[string](t, db, `SELECT string_agg(concat_ws('|', record, platform, id, coalesce(account_id, '∅'), coalesce(action, '∅'), field,
				kept, kept_source, kept_line, kept_import_id, value, source, line, import_id), chr(10) ORDER BY import_id, line, field) FROM conflicts`)
			want := `post|x|p1|∅|∅|author_id|a|f1.jsonl|101|1|b|f1.jsonl|102|1
post|x|p3|∅|∅|ref_id|x|f1.jsonl|105|1|y|f1.jsonl|106|1
post|x|p1|∅|∅|author_id|a|f1.jsonl|101|1|e|f2.jsonl|201|2
engagement|x|q|u|like|post_author_id|a|f2.jsonl|203|2|z|f2.jsonl|204|2
post|x|p3|∅|∅|author_id|d|f1.jsonl|105|1|f|f2.jsonl|205|2
post|x|p3|∅|∅|ref_id|x|f1.jsonl|105|1|z|f2.jsonl|205|2`
			if got != want {
				t.Errorf("conflicts view:\n%s\nwant\n%s", got, want)
			}
			st, err := db.Stats(ctx)
			if err != nil || st.Conflicts != 6 || len(st.Imports) != 2 || st.Imports[1].Conflicts.Posts != 2 || st.Imports[1].Conflicts.Engagements != 1 {
				t.Errorf("stats: conflicts %d, imports %+v, %v", st.Conflicts, st.Imports, err)
			}
			// Re-importing the first file changes nothing and records its conflicts again
			// against the kept values (each import says what it brought).
			sum = storetest.Commit(t, db, store.ImportRun{Source: "f1.jsonl"}, &event.Batch{Posts: []event.Post{
				conflictPost("p1", "a", event.KindPost, "", "by a", 101),
				conflictPost("p1", "b", event.KindPost, "", "by b", 102),
			}})
			if sum.Stored.Posts != 0 || sum.Conflicts.Posts != 1 {
				t.Errorf("re-import: %+v", sum)
			}
			if got := scalar[string](t, db, `SELECT author_id FROM posts WHERE id = 'p1'`); got != "a" {
				t.Errorf("p1 re-attributed to %s", got)
			}
		})
	}
}
