package mastodon

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
