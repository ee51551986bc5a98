package amplify

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"github.com/echotrace/echotrace/internal/sharedtest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/ira"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestIRAGolden runs the findings on real data: one day (2016-10-06, 13,764 tweets) of the
// IRA troll tweets (FiveThirtyEight / Linvill & Warren 2018), imported with the ira connector,
// with the sample's 406 authors as the watchlist of state accounts (NewsFeed accounts as
// state_media with outlet "IRA NewsFeed", the others as "other"; country RU).
//
// What the golden file shows, and why: every tweet of the file is a target post (all authors
// are on the watchlist), so posts = included accounts' tweets, by actor type and month;
// public counts are unknown in this layout (likes … quotes = 0, posts_with_counts = 0); no
// labels were observed (label_share 0). The data has no retweeted-tweet ids (the connector
// refers a retweet to a text-derived id, never to an author), so no engagement can be tied to
// a target post: amplifiers, target reposts and every amplification figure are 0 by
// definition — the findings say "no measurable amplification in this data", not "none
// happened". The IRA accounts' own retweets are counted as their posts.
func TestIRAGolden(t *testing.T) {
	dir := sharedtest.Data(t, "ira-troll-tweets-2016-election-window")
	ctx := context.Background()
	db := openStore(t, iraWatchlist(t, filepath.Join(dir, "authors.csv")))
	reg := ingest.NewRegistry(ira.New())
	sum, err := ingest.RunFile(ctx, reg, db, filepath.Join(dir, "ira_tweets_2016-10-06_one_day.csv"), ingest.Options{Format: "ira"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != 0 {
		t.Logf("%d rejected rows", sum.Rejected)
	}
	f, err := Analyze(ctx, db, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Posts < 13000 || f.IncludedAccounts < 100 || f.Countries != 1 || f.TargetReposts != 0 {
		t.Errorf("implausible: posts %d included %d countries %d target reposts %d", f.Posts, f.IncludedAccounts, f.Countries, f.TargetReposts)
	}
	got, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "ira_one_day.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("findings differ from %s (run with -update after checking the difference)", golden)
	}
}

// iraWatchlist builds the watchlist from authors.csv (author_id lower-cased, as the connector
// keys window-file authors).
func iraWatchlist(t *testing.T, path string) *event.Batch {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	b := &event.Batch{}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	for _, r := range rows[1:] {
		e := event.WatchEntry{Platform: event.X, ID: strings.ToLower(r[col["author_id"]]), Handle: r[col["author"]],
			ActorType: event.ActorOther, Country: "RU"}
		if r[col["account_category"]] == "NewsFeed" {
			e.ActorType, e.Outlet = event.ActorStateMedia, "IRA NewsFeed"
		}
		b.Watch = append(b.Watch, e)
	}
	return b
}
