package bluesky

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/ingesttest"
)

func fixtures(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob("testdata/*.json")
	if err != nil || len(m) == 0 {
		t.Fatal("no fixtures")
	}
	return m
}

func TestConformance(t *testing.T) {
	ingesttest.Run(t, New(), fixtures(t)...)
}

// walkPosts independently collects the URIs of every post view (an object with uri, author and
// record) and of every repost reason in a response, by a generic walk.
func walkPosts(v any, ids map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if uri, ok := x["uri"].(string); ok && x["author"] != nil && x["record"] != nil {
			ids[uri] = true
		}
		if post, ok := x["post"].(map[string]any); ok {
			if reason, ok := x["reason"].(map[string]any); ok && strings.HasSuffix(reason["$type"].(string), "#reasonRepost") {
				by := reason["by"].(map[string]any)["did"].(string)
				ids["repost:"+by+":"+post["uri"].(string)] = true
			}
		}
		for _, c := range x {
			walkPosts(c, ids)
		}
	case []any:
		for _, c := range x {
			walkPosts(c, ids)
		}
	}
}

func TestDistinctPostsMatchIndependentWalk(t *testing.T) {
	for _, f := range fixtures(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		walkPosts(v, want)
		b := ingesttest.Decode(t, New(), f, data)
		got := map[string]bool{}
		for _, p := range b.Posts {
			got[p.ID] = true
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d distinct posts, independent walk finds %d", f, len(got), len(want))
		}
		for id := range want {
			if !got[id] {
				t.Errorf("%s: post %s missing", f, id)
				break
			}
		}
	}
}

func TestMapping(t *testing.T) {
	data, err := os.ReadFile("testdata/f_reposts_0.json")
	if err != nil {
		t.Fatal(err)
	}
	b := ingesttest.Decode(t, New(), "r", data)
	// f_reposts_0.json: one account (did:plc:jyolltxtyl2yq2jamky6mwjn) reposted
	// at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3kaa2gxjhzr2a; no time is given.
	want := event.Engagement{Platform: event.Bluesky, AccountID: "did:plc:jyolltxtyl2yq2jamky6mwjn",
		Kind: event.EngageRepost, PostID: "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3kaa2gxjhzr2a",
		PostAuthorID: "did:plc:ic6zqvuw5ulmfpjiwnhsr2ns", Prov: event.Provenance{Source: "r", Line: 1}}
	if len(b.Engagements) != 1 || b.Engagements[0] != want {
		t.Fatalf("engagements = %+v, want %+v", b.Engagements, want)
	}
	if len(b.Accounts) != 1 || b.Accounts[0].Handle != "jaeyeonkim.bsky.social" || b.Accounts[0].CreatedAt.Format("2006-01-02") != "2023-08-22" {
		t.Errorf("accounts = %+v", b.Accounts)
	}
}

func TestJetstreamAndLabels(t *testing.T) {
	in := strings.Join([]string{
		`{"did":"did:plc:aaa","time_us":1725911162329308,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.repost","rkey":"3l3","record":{"$type":"app.bsky.feed.repost","createdAt":"2024-09-09T19:46:02.102Z","subject":{"uri":"at://did:plc:emb/app.bsky.feed.post/xyz","cid":"c"}}}}`,
		`{"did":"did:plc:bbb","time_us":1725911162000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"p1","record":{"$type":"app.bsky.feed.post","text":"hi #Tag https://x.org","createdAt":"2024-09-09T19:46:03Z","reply":{"root":{"uri":"at://did:plc:emb/app.bsky.feed.post/xyz"},"parent":{"uri":"at://did:plc:emb/app.bsky.feed.post/xyz"}},"facets":[{"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"Tag"}]}]}}}`,
		`{"did":"did:plc:ccc","time_us":1725911163000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like","rkey":"l1","record":{"$type":"app.bsky.feed.like","createdAt":"2024-09-09T19:46:04Z","subject":{"uri":"at://did:plc:emb/app.bsky.feed.post/xyz"}}}}`,
		`{"profiles":[{"did":"did:plc:emb","handle":"embassy.example","createdAt":"2023-01-01T00:00:00Z","followersCount":10,"labels":[{"src":"did:plc:mod","uri":"at://did:plc:emb","val":"state-affiliated-media","cts":"2024-01-02T00:00:00Z"}]}]}`,
		`{"did":"did:plc:ddd","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.repost","rkey":"r","record":{"createdAt":"not a time"}}}`,
	}, "\n")
	b := ingesttest.Decode(t, New(), "js", []byte(in))
	ingesttest.CheckBatch(t, "js", &b)
	if len(b.Posts) != 2 {
		t.Fatalf("posts = %+v", b.Posts)
	}
	rp := b.Posts[0]
	if rp.Kind != event.KindRepost || rp.ID != "at://did:plc:aaa/app.bsky.feed.repost/3l3" || rp.RefAuthorID != "did:plc:emb" || rp.CreatedAt.Format("15:04:05") != "19:46:02" {
		t.Errorf("repost = %+v", rp)
	}
	reply := b.Posts[1]
	if reply.Kind != event.KindReply || reply.RefID != "at://did:plc:emb/app.bsky.feed.post/xyz" || len(reply.Hashtags) != 1 || reply.Hashtags[0] != "tag" {
		t.Errorf("reply = %+v", reply)
	}
	if len(b.Engagements) != 1 || b.Engagements[0].Kind != event.EngageLike {
		t.Errorf("engagements = %+v", b.Engagements)
	}
	if len(b.Labels) != 1 || b.Labels[0].Class != event.LabelStateMedia {
		t.Errorf("labels = %+v", b.Labels)
	}
	// The last line's repost has no subject: rejected with its line number.
	if len(b.Rejects) != 1 || b.Rejects[0].Line != 5 {
		t.Errorf("rejects = %+v", b.Rejects)
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"testdata/f_reposts_0.json", "testdata/f_postthread_0.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"did":"did:plc:a","time_us":1,"commit":{"operation":"create","collection":"app.bsky.feed.like","record":{"subject":{"uri":"at://x"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, New(), data) })
}

func TestQuotes(t *testing.T) {
	data, err := os.ReadFile("testdata/f_getquotes_0.json")
	if err != nil {
		t.Fatal(err)
	}
	b := ingesttest.Decode(t, New(), "q", data)
	// getQuotes of .../3lc5c5qv72r2w returns 2 posts: one app.bsky.embed.record, one
	// app.bsky.embed.recordWithMedia; both quote that post.
	const quotedURI = "at://did:plc:5c2r73erhng4bszmxlfdtscf/app.bsky.feed.post/3lc5c5qv72r2w"
	n := 0
	for _, p := range b.Posts {
		if p.Kind == event.KindQuote {
			n++
			if p.RefID != quotedURI || p.RefAuthorID != "did:plc:5c2r73erhng4bszmxlfdtscf" {
				t.Errorf("quote %s refers to %s by %s", p.ID, p.RefID, p.RefAuthorID)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d quotes, want 2", n)
	}
}

// TestSelfLabelPlaceholderIsNoObservation: self-labels may carry the placeholder cts
// 1970-01-01T00:00:00.000Z (see ../shared/data/bluesky-jetstream-and-labels/README.md). It is
// no observation time: the label is skipped as one without cts is, rather than stored as seen
// in 1970 (and now rejected by the plausibility window).
func TestSelfLabelPlaceholderIsNoObservation(t *testing.T) {
	in := `{"profiles":[{"did":"did:plc:a","handle":"a.bsky.social","labels":[` +
		`{"src":"did:plc:a","uri":"at://did:plc:a/app.bsky.actor.profile/self","val":"!no-unauthenticated","cts":"1970-01-01T00:00:00.000Z"},` +
		`{"src":"did:plc:mod","uri":"did:plc:a","val":"rude","cts":"2025-04-28T23:24:06.083Z"}]}]}`
	b := ingesttest.Decode(t, New(), "p", []byte(in))
	if len(b.Labels) != 1 || b.Labels[0].Label != "rude" || len(b.Rejects) != 0 {
		t.Errorf("labels %+v, rejects %+v; want only the labeller's label", b.Labels, b.Rejects)
	}
}

// TestWrongShapesAreRejects is issue 14 item 8a: objects of the wrong shape used to be dropped
// without a reject. Each is now a reject naming its line and what was wrong, the record's good
// events are kept, and what is of the right shape but not read (a follow commit, a deleted reply
// parent) is no reject.
func TestWrongShapesAreRejects(t *testing.T) {
	post := func(n int) string {
		return fmt.Sprintf(`{"uri":"at://did:plc:a/app.bsky.feed.post/%d","author":{"did":"did:plc:a","handle":"a.bsky.social"},"record":{"text":"t","createdAt":"2024-01-01T00:00:00Z"}}`, n)
	}
	lines := []string{
		`{"foo":1}`,
		`{"feed":[{"reason":{}}]}`,
		`{"feed":[{"post":` + post(1) + `,"reply":{"root":{"uri":"x"},"parent":{"$type":"app.bsky.feed.defs#notFoundPost","uri":"at://did:plc:z/app.bsky.feed.post/9","notFound":true}}}]}`,
		`{"thread":{"$type":"app.bsky.feed.defs#threadViewPost","replies":[1]}}`,
		`{"profiles":[{"handle":"nodid.bsky.social"}]}`,
		`{"likes":[{"actor":{"did":"did:plc:a"},"createdAt":"2024-01-01T00:00:00Z"}]}`,
		`{"profiles":[{"did":"did:plc:b","labels":[{"val":""},{"val":"x","cts":"nope"}]}]}`,
		`{"kind":"commit","commit":{"operation":"create"}}`,
		`{"did":"did:plc:c","time_us":1725911162000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.graph.follow","rkey":"f","record":{"subject":"did:plc:d","createdAt":"2024-01-01T00:00:00Z"}}}`,
		`{"feed":[{"post":` + post(2) + `,"reason":{"$type":"app.bsky.feed.defs#reasonRepost"}}]}`,
	}
	b := ingesttest.Decode(t, New(), "s", []byte(strings.Join(lines, "\n")))
	ingesttest.CheckBatch(t, "s", &b)
	var got []string
	for _, r := range b.Rejects {
		got = append(got, fmt.Sprintf("%d %s: %s", r.Line, r.Field, r.Reason))
	}
	want := []string{
		"1 : not a response this connector reads",
		"2 feed.post: feed item without post",
		"3 reply.root: neither a post view",
		"4 thread.post: thread node without post",
		"4 thread: unexpected shape of a thread node",
		"5 did: profile without did",
		"6 uri: 0 repostedBy and 1 likes without the uri",
		"7 labels.val: label without val",
		"7 labels.cts: not a time",
		"8 did: Jetstream commit without did",
		"10 reason.by: repost reason without the reposting account's did",
	}
	if len(got) != len(want) {
		t.Fatalf("rejects:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("reject %d = %q; want it to start %q", i, got[i], want[i])
		}
	}
	if len(b.Posts) != 2 {
		t.Errorf("%d posts; want the 2 good ones", len(b.Posts))
	}
}

// TestUnreadableProfileTimeIsKept: a profile whose createdAt is not a time is stored with it
// unknown; its reject says so and is marked kept (no record lost, see event.Reject.Kept).
func TestUnreadableProfileTimeIsKept(t *testing.T) {
	in := `{"profiles":[{"did":"did:plc:a","handle":"a.bsky.social","createdAt":"soon"}]}`
	b := ingesttest.Decode(t, New(), "s", []byte(in))
	if len(b.Accounts) != 1 || !b.Accounts[0].CreatedAt.IsZero() || len(b.Rejects) != 1 || !b.Rejects[0].Kept ||
		b.Rejects[0].Field != "createdAt" || !strings.Contains(b.Rejects[0].Reason, "the account kept") {
		t.Errorf("accounts %+v, rejects %+v; want the account kept, one kept reject", b.Accounts, b.Rejects)
	}
}
