package mastodon

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
	m, _ := filepath.Glob("testdata/*.json")
	if len(m) == 0 {
		t.Fatal("no fixtures")
	}
	return m
}

func TestConformance(t *testing.T) { ingesttest.Run(t, New(), fixtures(t)...) }

// walkStatuses independently collects the uri of every status object (uri + content + account).
func walkStatuses(v any, ids map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if uri, ok := x["uri"].(string); ok && x["content"] != nil && x["account"] != nil {
			ids[uri] = true
		}
		for _, c := range x {
			walkStatuses(c, ids)
		}
	case []any:
		for _, c := range x {
			walkStatuses(c, ids)
		}
	}
}

func TestDistinctStatusesMatchIndependentWalk(t *testing.T) {
	for _, f := range fixtures(t) {
		data, _ := os.ReadFile(f)
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		walkStatuses(v, want)
		b := ingesttest.Decode(t, New(), f, data)
		got := map[string]bool{}
		for _, p := range b.Posts {
			got[p.ID] = true
		}
		if fmt.Sprint(len(got)) != fmt.Sprint(len(want)) {
			t.Errorf("%s: %d distinct statuses, walk finds %d", f, len(got), len(want))
		}
	}
}

func TestReblogsAndReplies(t *testing.T) {
	data, _ := os.ReadFile("testdata/get_account_statuses_limit_2.json")
	b := ingesttest.Decode(t, New(), "s", data)
	kinds := map[event.PostKind]int{}
	for _, p := range b.Posts {
		kinds[p.Kind]++
		if p.Kind == event.KindRepost && (p.RefID == "" || p.RefAuthorID == "" || p.AuthorID != "https://fosstodon.org/@schochastics") {
			t.Errorf("reblog %+v", p)
		}
	}
	// Counted with a JSON walk of the file: 20 statuses, 1 of them a reblog (which adds the
	// reblogged status as a 21st post), 7 replies.
	if kinds[event.KindRepost] != 1 || kinds[event.KindReply] != 7 || len(b.Posts) != 21 {
		t.Errorf("kinds = %v", kinds)
	}

	data, _ = os.ReadFile("testdata/get_context_default_0.json")
	b = ingesttest.Decode(t, New(), "c", data)
	unresolved := 0
	for _, p := range b.Posts {
		if p.Kind == event.KindReply && p.RefID == "" {
			unresolved++
		}
	}
	// Every descendant replies to a status in the context, except those replying to the
	// context's own (absent) root 109294719267373593.
	var raw struct {
		Descendants []struct {
			InReplyToID string `json:"in_reply_to_id"`
		}
	}
	_ = json.Unmarshal(data, &raw)
	root := 0
	for _, d := range raw.Descendants {
		if d.InReplyToID == "109294719267373593" {
			root++
		}
	}
	if unresolved != root {
		t.Errorf("%d unresolved replies, want %d (the replies to the absent root)", unresolved, root)
	}
}

func TestEngagementEnvelope(t *testing.T) {
	st, _ := os.ReadFile("testdata/get_status_default_0.json")
	rb, _ := os.ReadFile("testdata/get_reblogged_by_anonymous_0.json")
	env := fmt.Sprintf(`{"status": %s, "reblogged_by": %s}`, compact(t, st), compact(t, rb))
	b := ingesttest.Decode(t, New(), "e", []byte(env))
	var accounts []any
	_ = json.Unmarshal(rb, &accounts)
	if len(b.Engagements) != len(accounts) {
		t.Fatalf("%d engagements, want %d", len(b.Engagements), len(accounts))
	}
	for _, e := range b.Engagements {
		if e.Kind != event.EngageRepost || e.PostID == "" || e.PostAuthorID == "" || !e.At.IsZero() {
			t.Errorf("engagement %+v", e)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`<p>a &amp; b</p><p>c<br/>d</p>`:                           "a & b\nc\nd",
		`<p><a href="x">@<span>u</span></a> hi &lt;script&gt;</p>`: "@u hi <script>",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func compact(t *testing.T, b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func FuzzDecode(f *testing.F) {
	data, _ := os.ReadFile("testdata/get_status_default_0.json")
	f.Add(data)
	f.Add([]byte(`[{"uri":"u","content":"<p>x</p>","created_at":"2020-01-01T00:00:00Z","account":{"url":"https://m/@a","acct":"a"}}]`))
	f.Fuzz(func(t *testing.T, data []byte) { ingesttest.Fuzz(t, New(), data) })
}

// TestWrongShapesAreRejects is issue 14 item 8a: array items that are neither statuses nor
// accounts, objects the connector does not read and engagers without their status used to be
// dropped without a reject. Each is now a reject, and the record's good events are kept.
func TestWrongShapesAreRejects(t *testing.T) {
	const st = `{"id":"1","uri":"https://m.example/users/a/statuses/1","created_at":"2024-01-01T00:00:00.000Z","content":"<p>hi</p>","account":{"id":"9","acct":"a","url":"https://m.example/@a"}}`
	lines := []string{
		`[` + st + `, 7, {"name":"a tag"}, {"acct":"b","url":5}]`,
		`{"id":"5","name":"not a status or account"}`,
		`{"reblogged_by":[{"acct":"c","url":"https://m.example/@c"}]}`,
		`{"content":"<p>x</p>","uri":"u","account":"not an object"}`,
		`{"ancestors":[],"descendants":[]}`, // an empty context: nothing to read, nothing wrong
	}
	b := ingesttest.Decode(t, New(), "s", []byte(strings.Join(lines, "\n")))
	ingesttest.CheckBatch(t, "s", &b)
	var got []string
	for _, r := range b.Rejects {
		got = append(got, fmt.Sprintf("%d %s: %s", r.Line, r.Field, r.Reason))
	}
	want := []string{
		"1 : array item 1 is not an object",
		"1 : array item 2 is neither a status (content) nor an account (acct)",
		"1 : array item 3: unexpected shape of an account",
		"2 : not a Mastodon API object this connector reads",
		"3 status: 1 reblogged_by/favourited_by accounts without the status",
		"4 : unexpected shape of a status",
	}
	if len(got) != len(want) {
		t.Fatalf("rejects:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("reject %d = %q; want it to start %q", i, got[i], want[i])
		}
	}
	if len(b.Posts) != 1 {
		t.Errorf("%d posts; want the good status", len(b.Posts))
	}
}

// TestUnreadableAccountTimeIsKept: an account whose created_at is not a time is stored with it
// unknown; its reject says so and is marked kept (no record lost, see event.Reject.Kept).
func TestUnreadableAccountTimeIsKept(t *testing.T) {
	in := `[{"id":"9","acct":"a","url":"https://m.example/@a","created_at":"soon"}]`
	b := ingesttest.Decode(t, New(), "s", []byte(in))
	if len(b.Accounts) != 1 || !b.Accounts[0].CreatedAt.IsZero() || len(b.Rejects) != 1 || !b.Rejects[0].Kept ||
		b.Rejects[0].Field != "account.created_at" || !strings.Contains(b.Rejects[0].Reason, "the account kept") {
		t.Errorf("accounts %+v, rejects %+v; want the account kept, one kept reject", b.Accounts, b.Rejects)
	}
}
