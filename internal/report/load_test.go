package report

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/echotrace/echotrace/internal/store/storetest"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

// TestLoad stores a tiny study (watch account 100 @AmbA; 9001 @priv1 and 9002 @priv2 co-repost
// P1 5 s apart at 08:00 UTC; 9001 is suspended) with findings and coordination documents, and
// checks that Load joins them into the report input.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	db, err := duckdb.Open(ctx, t.TempDir(), duckdb.Options{Create: true, Threads: 1, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := event.Provenance{Source: "fixture.jsonl", Line: 1}
	b := &event.Batch{
		Watch: []event.WatchEntry{{Platform: event.X, ID: "100", Handle: "AmbA", ActorType: event.ActorEmbassy, Country: "GB", Outlet: "Embassy", Prov: src}},
		Accounts: []event.Account{
			{Platform: event.X, ID: "9001", Handle: "priv1", Name: "Private One", Description: "my bio", CreatedAt: t0, Followers: 3, Posts: -1, Following: -1, Prov: src},
			{Platform: event.X, ID: "9002", Handle: "priv2", CreatedAt: t0, Followers: 5, Posts: -1, Following: -1, Prov: src},
		},
		Posts: []event.Post{
			{Platform: event.X, ID: "P1", AuthorID: "100", CreatedAt: t0, Kind: event.KindPost, Text: "hello", Likes: 3, Reposts: 2, Replies: 0, Quotes: 0, Views: -1, Prov: src},
			{Platform: event.X, ID: "R1", AuthorID: "9001", CreatedAt: t0.Add(8*time.Hour + 30*time.Second), Kind: event.KindRepost, RefID: "P1", RefAuthorID: "100", Text: "RT @AmbA: hello", Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1, Prov: src},
			{Platform: event.X, ID: "R2", AuthorID: "9002", CreatedAt: t0.Add(8*time.Hour + 35*time.Second), Kind: event.KindRepost, RefID: "P1", RefAuthorID: "100", Text: "RT @AmbA: hello", Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1, Prov: src},
		},
		Statuses: []event.StatusObservation{{Platform: event.X, AccountID: "9001", ObservedAt: fixedNow, Status: event.StatusSuspended, Prov: src},
			// A status known by a handle that matches no account (as API errors report them):
			// its account_id is NULL in the view, and Load must not fail on it.
			{Platform: event.X, Handle: "gone_user", ObservedAt: fixedNow, Status: event.StatusSuspended, Prov: src}},
	}
	storetest.Commit(t, db, store.ImportRun{Source: "fixture.jsonl", Format: "test", Started: fixedNow}, b)
	f := amplify.Findings{Since: t0.Unix(), Until: t0.AddDate(0, 0, 7).Unix(), StatusAsOf: fixedNow.Unix(), WatchAccounts: 1,
		IncludedAccounts: 1, Countries: 1, Posts: 1, Likes: 3, Reposts: 2, Amplifiers: 2, TargetReposts: 2,
		TopShare:      amplify.TopMap{"0.1": 0.5, "1": 0.5, "5": 1, "10": 1},
		LatencyHist:   []amplify.Bin{{Lo: 0, Hi: 60, Count: 0}, {Lo: 60, Hi: -1, Count: 2}},
		Weekly:        []amplify.WeekRow{{Account: "100", Week: "2020-06-08", Reposts: 2, Suspended: 1, Coordinated: 1}},
		TopAmplifiers: []amplify.AmplifierRow{{Platform: "x", ID: "9001", Reposts: 1, MedianGap: -1, MedianLatency: 28830, Status: "suspended", TopAccount: "100", TopAccountShare: 1}},
	}
	c := coord.Result{
		Params: coord.Params{Signals: []coord.Signal{coord.CoRepost}, WindowSeconds: 60, MinWeight: 1, Alpha: 0.01, Algorithm: coord.Leiden, Resolution: 1, MinClusterSize: 2, EvidenceCap: 5},
		Null: coord.NullSummary{Calibration: &coord.Calibration{Method: "empirical-fdr", FDR: 0.05, Runs: 4, EdgeScore: 3, Edges: 1, Flagged: 2, ExpectedFlagged: 0.25,
			Curve: []coord.CalibrationPoint{{Score: 1, Edges: 1, ExpectedEdges: 0.5}}}},
		Accounts: []coord.AccountScore{{ID: "9001", Cluster: 0, Score: 0.9}, {ID: "9002", Cluster: 0, Score: 0.8}},
		Edges:    []coord.Edge{{Source: "9001", Target: "9002", Weight: 1, Count: 1, Signals: map[coord.Signal]int{coord.CoRepost: 1}, Cluster: 0}},
		Clusters: []coord.Cluster{{ID: 0, Members: []string{"9001", "9002"}, Size: 2, Edges: 1, Density: 1,
			Signals: map[coord.Signal]int{coord.CoRepost: 1}, Targets: []coord.Target{{Object: "P1", Author: "100", CoActions: 1}},
			Examples: []coord.CoAction{{Signal: coord.CoRepost, Object: "P1", SourcePost: "R1", TargetPost: "R2"}}}},
	}
	for name, v := range map[string]any{"findings": f, "coord": c} {
		body, _ := json.Marshal(v)
		if err := db.PutDocument(ctx, name, body); err != nil {
			t.Fatal(err)
		}
	}
	in, err := Load(ctx, db, db, LoadOptions{Name: "tiny"})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Watch) != 1 || in.Watch[0].Handle != "AmbA" {
		t.Errorf("watch = %+v", in.Watch)
	}
	if len(in.Amplifiers) != 1 || in.Amplifiers[0].Account.Handle != "priv1" || in.Amplifiers[0].Account.Bio != "my bio" ||
		in.Amplifiers[0].TopTarget != "AmbA" || in.Amplifiers[0].Share != 0.5 || in.Amplifiers[0].Cluster != "0" {
		t.Errorf("amplifiers = %+v", in.Amplifiers)
	}
	cl := in.Clusters[0]
	if cl.Hours[8] != 2 || len(cl.Examples) != 2 || cl.Examples[0].Text != "RT @AmbA: hello" || cl.Members[0].Status != "suspended" {
		t.Errorf("cluster = %+v", cl)
	}
	if cl.SharedTargets[0].Author.Handle != "AmbA" {
		t.Errorf("shared target author = %+v", cl.SharedTargets[0].Author)
	}
	if len(in.Weekly) != 1 || in.Weekly[0].Account.Handle != "AmbA" || in.Weekly[0].Weeks[0].Total() != 2 {
		t.Errorf("weekly = %+v", in.Weekly)
	}
	if len(in.Latency.Edges) != 3 || in.Latency.Counts[1] != 2 {
		t.Errorf("latency = %+v", in.Latency)
	}
	if len(in.Methods.Sources) != 1 || in.Methods.Sources[0].Posts != 3 {
		t.Errorf("sources = %+v", in.Methods.Sources)
	}
	if cal := in.Methods.Calibration; cal == nil || cal.Runs != 4 || cal.ExpectedFlagged != 0.25 || len(cal.Curve) != 1 || cal.Curve[0].ExpectedEdges != 0.5 {
		t.Errorf("calibration = %+v, want the stored run's", cal)
	}
	var buf bytes.Buffer
	if err := Render(&buf, in, Options{Key: testKey, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	if html := buf.String(); strings.Contains(html, "priv1") || strings.Contains(html, "my bio") || !strings.Contains(html, "@AmbA") {
		t.Error("loaded report is not pseudonymised, or lacks the watch account")
	}
}
