package coord

import (
	"fmt"
	"github.com/echotrace/echotrace/internal/store/storetest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/shares"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

// cooRTweetEdges reads the reference network edges as "from|to" → weight (from < to).
func cooRTweetEdges(t *testing.T, ref string, tw int) map[string]int {
	t.Helper()
	want := map[string]int{}
	for _, r := range readCSV(t, filepath.Join(ref, fmt.Sprintf("network_edges_url_tw%d_mp2_ew0.5.csv", tw))) {
		from, to := r[0], r[1]
		if from > to {
			from, to = to, from
		}
		w, _ := strconv.Atoi(r[2])
		want[from+"|"+to] = w
	}
	return want
}

func compareEdges(t *testing.T, what string, res Result, want map[string]int) {
	t.Helper()
	if len(res.Edges) != len(want) {
		t.Errorf("%s: %d edges, want %d", what, len(res.Edges), len(want))
	}
	bad := 0
	for _, e := range res.Edges {
		if w, ok := want[e.Source+"|"+e.Target]; !ok || w != e.Count {
			if bad++; bad < 5 {
				t.Errorf("%s: edge %s–%s count %d, reference %d (present %v)", what, e.Source, e.Target, e.Count, w, ok)
			}
		}
	}
}

// cooRTweetParams are CooRTweet's semantics in coord.Params.
func cooRTweetParams(s Signal, tw int) Params {
	return Params{Signals: []Signal{s}, Window: time.Duration(tw) * time.Second, MinWeight: 1, MinParticipation: 2,
		Weight: WeightPairs, Alpha: -1, Algorithm: Components, AllTargets: true}
}

// TestCooRTweetThroughStore: german_elections imported by the shares connector into a DuckDB
// study, loaded as co-share actions, gives CooRTweet's reference edges exactly; and the same
// shares stored as reposts (one repost post per share, the object as the reposted post) give
// the same co-repost edges — "co-repost edges on reposts imported as posts".
func TestCooRTweetThroughStore(t *testing.T) {
	path := sharedData(t, "coortweet-german-elections-2021/german_elections.csv")
	ref := filepath.Join(filepath.Dir(path), "reference")
	ctx := t.Context()
	db, err := duckdb.Open(ctx, t.TempDir(), duckdb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := ingest.NewRegistry(shares.New(shares.Options{Object: "url"}))
	if _, err := ingest.RunFile(ctx, reg, db, path, ingest.Options{Format: "shares"}); err != nil {
		t.Fatal(err)
	}
	in, err := Load(ctx, db, Params{Signals: []Signal{CoShare}})
	if err != nil {
		t.Fatal(err)
	}
	if n := in.actionsOf(CoShare).Len(); n != 41100 {
		t.Fatalf("%d shares loaded, want 41,100", n)
	}
	// Reposts: share (object, account, content, t) → post content/object by account, kind
	// repost of post "object", at t.
	var b event.Batch
	a := in.actionsOf(CoShare)
	for i := range a.Account {
		b.Posts = append(b.Posts, event.Post{Platform: event.Other, ID: in.Contents.ID[a.Content[i]] + "/" + in.Objects.ID[a.Object[i]],
			AuthorID: in.Accounts.ID[a.Account[i]], Kind: event.KindRepost, RefID: in.Objects.ID[a.Object[i]],
			CreatedAt: time.Unix(a.Time[i], 0).UTC(), Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1})
	}
	storetest.Commit(t, db, store.ImportRun{Source: "reposts", Format: "test", Started: time.Unix(0, 0)}, &b)
	for _, tw := range []int{30, 60} {
		want := cooRTweetEdges(t, ref, tw)
		res, err := Analyze(ctx, db, cooRTweetParams(CoShare, tw), nil)
		if err != nil {
			t.Fatal(err)
		}
		compareEdges(t, fmt.Sprintf("co-share tw%d", tw), res, want)
		res, err = Analyze(ctx, db, cooRTweetParams(CoRepost, tw), nil)
		if err != nil {
			t.Fatal(err)
		}
		compareEdges(t, fmt.Sprintf("co-repost tw%d", tw), res, want)
	}
}
