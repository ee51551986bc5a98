package export

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"github.com/echotrace/echotrace/internal/store/storetest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	t0      = time.Date(2020, 6, 9, 8, 0, 0, 0, time.UTC)
	asOf    = time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	testKey = []byte("0123456789abcdef0123456789abcdef")
)

// fixtureStudy is a study with one watch account (100, @AmbA), three private accounts
// (9001 @priv1, later suspended; 9002 @priv2; 9003 @fan), one target post P1 reposted by
// 9001 and 9002 within 5 s, replied to by 9003 (mentioning @priv1 and @AmbA) and liked by
// 9003, and findings and coordination documents naming 9001 and 9002.
func fixtureStudy(t *testing.T) *duckdb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := duckdb.Open(ctx, t.TempDir(), duckdb.Options{Create: true, Threads: 1, Now: func() time.Time { return asOf }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	src := event.Provenance{Source: "fixture", Line: 1}
	b := &event.Batch{
		Watch: []event.WatchEntry{{Platform: event.X, ID: "100", Handle: "AmbA", ActorType: event.ActorEmbassy, Country: "GB", Outlet: "Embassy", Prov: src}},
		Accounts: []event.Account{
			{Platform: event.X, ID: "100", Handle: "AmbA", Name: "Embassy A", CreatedAt: t0.AddDate(-5, 0, 0), Followers: 5000, Following: 10, Posts: -1, Prov: src},
			{Platform: event.X, ID: "9001", Handle: "priv1", Name: "Private One", CreatedAt: t0.AddDate(0, -1, 0), Followers: 3, Following: 50, Posts: -1, Prov: src},
			{Platform: event.X, ID: "9002", Handle: "priv2", Name: "Private Two", CreatedAt: t0.AddDate(0, -1, 1), Followers: -1, Following: -1, Posts: -1, Prov: src},
			{Platform: event.X, ID: "9003", Handle: "fan", Name: "A Fan", CreatedAt: t0.AddDate(-2, 0, 0), Followers: 40, Following: 40, Posts: -1, Prov: src},
		},
		Posts: []event.Post{
			{Platform: event.X, ID: "P1", AuthorID: "100", CreatedAt: t0, Kind: event.KindPost, Text: "Statement on trade", Likes: 10, Reposts: 2, Replies: 1, Quotes: 0, Views: -1, CountsAt: asOf, Prov: src},
			{Platform: event.X, ID: "R1", AuthorID: "9001", CreatedAt: t0.Add(30 * time.Second), Kind: event.KindRepost, RefID: "P1", RefAuthorID: "100", Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1, Prov: src},
			{Platform: event.X, ID: "R2", AuthorID: "9002", CreatedAt: t0.Add(35 * time.Second), Kind: event.KindRepost, RefID: "P1", RefAuthorID: "100", Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1, Prov: src},
			{Platform: event.X, ID: "Y1", AuthorID: "9003", CreatedAt: t0.Add(time.Hour), Kind: event.KindReply, RefID: "P1", RefAuthorID: "100", Text: "@priv1 look, @AmbA said \"trade\", mail x@y.org", Likes: 0, Reposts: 0, Replies: 0, Quotes: 0, Views: -1, Prov: src},
		},
		Engagements: []event.Engagement{{Platform: event.X, AccountID: "9003", Kind: event.EngageLike, PostID: "P1", PostAuthorID: "100", Prov: src}},
		Statuses:    []event.StatusObservation{{Platform: event.X, AccountID: "9001", ObservedAt: asOf, Status: event.StatusSuspended, RawCode: "63", Prov: src}},
	}
	storetest.Commit(t, db, store.ImportRun{Source: "fixture", Format: "test", Started: asOf}, b)
	f := amplify.Findings{Since: t0.Unix(), Until: t0.Add(24 * time.Hour).Unix(), WatchAccounts: 1, IncludedAccounts: 1,
		Countries: 1, Posts: 1, Likes: 10, Reposts: 2, Replies: 1, Amplifiers: 3, Reposters: 2, TargetReposts: 2,
		TopShare: amplify.TopMap{"0.1": 0.5, "1": 0.5, "5": 0.5, "10": 0.5}, Gini: 0,
		Lorenz:        []amplify.Point{{X: 0, Y: 0}, {X: 0.5, Y: 0.5}, {X: 1, Y: 1}},
		TopAmplifiers: []amplify.AmplifierRow{{Platform: "x", ID: "9001", Handle: "priv1", Reposts: 1, MedianGap: -1, MedianLatency: 30, Status: "suspended", Coordinated: true, TopAccount: "AmbA", TopAccountShare: 1}},
		PerAccount:    []amplify.AccountRow{{Platform: "x", ID: "100", Handle: "AmbA", ActorType: "embassy", Country: "GB", Posts: 1, TargetReposts: 2}},
	}
	c := coord.Result{
		Accounts: []coord.AccountScore{{ID: "9001", Cluster: 1, Score: 0.8}, {ID: "9002", Cluster: 1, Score: 0.7}},
		Edges: []coord.Edge{{Source: "9001", Target: "9002", Weight: 1, Count: 1, Signals: map[coord.Signal]int{coord.CoRepost: 1},
			Expected: 0.01, PValue: 0.01, Score: 2, MedianGap: 5, Cluster: 1,
			Evidence: []coord.CoAction{{Signal: coord.CoRepost, Object: "P1", SourcePost: "R1", TargetPost: "R2",
				SourceTime: t0.Add(30 * time.Second), TargetTime: t0.Add(35 * time.Second), GapSeconds: 5}}}},
		Clusters: []coord.Cluster{{ID: 1, Members: []string{"9001", "9002"}, Size: 2, Edges: 1, Density: 1,
			Signals: map[coord.Signal]int{coord.CoRepost: 1}, Observed: 1, Expected: 0.01, PValue: 0.01, Score: 2, MedianGap: 5,
			Targets: []coord.Target{{Object: "P1", Author: "100", CoActions: 1}}, Suspended: 1, SuspendedShare: 0.5, FollowersMedian: 3, FollowersMean: 3}},
	}
	for name, v := range map[string]any{"findings": f, "coord": c} {
		body, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PutDocument(ctx, name, body); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func runExport(t *testing.T, db *duckdb.DB, format string, opt Options) (Manifest, string) {
	t.Helper()
	dir := t.TempDir()
	if opt.Now.IsZero() {
		opt.Now = asOf
	}
	man, err := Run(context.Background(), db, db, format, dir, opt)
	if err != nil {
		t.Fatalf("export %s: %v", format, err)
	}
	return man, dir
}

func TestGolden(t *testing.T) {
	db := fixtureStudy(t)
	for _, format := range []string{"csv", "json", "gexf", "graphml"} {
		t.Run(format, func(t *testing.T) {
			man, dir := runExport(t, db, format, Options{Key: testKey})
			files := []string{"manifest.json"}
			for _, f := range man.Files {
				files = append(files, f.Name)
			}
			for _, name := range files {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", "golden", format, name)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from %s (run go test -update and review the diff)", name, golden)
				}
			}
		})
	}
}

// TestRowCounts checks every table against the hand-counted fixture: 4 posts, 4 engagements
// (the view unites the 2 reposts and 1 reply with the 1 like), 4 accounts, 1 edge with 1 piece
// of evidence, 1 cluster.
func TestRowCounts(t *testing.T) {
	db := fixtureStudy(t)
	man, _ := runExport(t, db, "csv", Options{Key: testKey})
	got := map[string]int64{}
	for _, f := range man.Files {
		got[f.Table] = f.Rows
	}
	want := map[string]int64{"posts": 4, "engagements": 4, "accounts": 4,
		"edges": 1, "evidence": 1, "clusters": 1}
	for table, w := range want {
		if got[table] != w {
			t.Errorf("%s: %d rows, want %d", table, got[table], w)
		}
	}
	if got["findings"] == 0 {
		t.Error("findings table is empty")
	}
}

func TestParquetReadBack(t *testing.T) {
	db := fixtureStudy(t)
	csvMan, _ := runExport(t, db, "csv", Options{Key: testKey})
	man, dir := runExport(t, db, "parquet", Options{Key: testKey})
	want := map[string]int64{}
	for _, f := range csvMan.Files {
		want[f.Table] = f.Rows
	}
	ctx := context.Background()
	for _, f := range man.Files {
		path := filepath.Join(dir, f.Name)
		rows, err := db.Query(ctx, "SELECT count(*) FROM read_parquet(?)", path)
		if err != nil {
			t.Fatalf("read_parquet %s: %v", f.Name, err)
		}
		var n int64
		rows.Next()
		err = rows.Scan(&n)
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n != f.Rows || n != want[f.Table] {
			t.Errorf("%s: DuckDB reads %d rows; manifest says %d, CSV export %d", f.Name, n, f.Rows, want[f.Table])
		}
	}
	// typed columns: a UTC timestamp and integers survive the round trip
	rows, err := db.Query(ctx, `SELECT typeof(created_at), epoch(created_at)::BIGINT, typeof(likes), likes
		FROM read_parquet(?) WHERE kind = 'post'`, filepath.Join(dir, "posts.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ttype, ltype string
	var epoch, likes int64
	if !rows.Next() {
		t.Fatal("no original post in posts.parquet")
	}
	if err := rows.Scan(&ttype, &epoch, &ltype, &likes); err != nil {
		t.Fatal(err)
	}
	if ttype != "TIMESTAMP WITH TIME ZONE" || epoch != t0.Unix() || ltype != "BIGINT" || likes != 10 {
		t.Errorf("posts.parquet: created_at %s %d (want TIMESTAMP WITH TIME ZONE %d), likes %s %d (want BIGINT 10)",
			ttype, epoch, t0.Unix(), ltype, likes)
	}
}

func TestGEXFValidates(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is not installed (apt-get install -y libxml2-utils); CI requires it")
		}
		t.Skip("xmllint is not installed (libxml2-utils); skipping schema validation")
	}
	db := fixtureStudy(t)
	_, dir := runExport(t, db, "gexf", Options{Key: testKey})
	out, err := exec.Command(xmllint, "--noout", "--relaxng", filepath.Join("testdata", "gexf13", "gexf.rng"),
		filepath.Join(dir, "network.gexf")).CombinedOutput()
	if err != nil {
		t.Fatalf("network.gexf does not validate against GEXF 1.3: %v\n%s", err, out)
	}
	// the validator rejects a broken document, so the check can fail
	bad := filepath.Join(dir, "bad.gexf")
	body, _ := os.ReadFile(filepath.Join(dir, "network.gexf"))
	os.WriteFile(bad, bytes.Replace(body, []byte(`source=`), []byte(`from=`), 1), 0o644)
	if err := exec.Command(xmllint, "--noout", "--relaxng", filepath.Join("testdata", "gexf13", "gexf.rng"), bad).Run(); err == nil {
		t.Fatal("xmllint accepted an edge without source")
	}
	_, dir = runExport(t, db, "graphml", Options{Key: testKey})
	if out, err := exec.Command(xmllint, "--noout", filepath.Join(dir, "network.graphml")).CombinedOutput(); err != nil {
		t.Fatalf("network.graphml is not well-formed: %v\n%s", err, out)
	}
}

func TestPseudonymised(t *testing.T) {
	db := fixtureStudy(t)
	for _, format := range Formats {
		_, dir := runExport(t, db, format, Options{Key: testKey})
		entries, _ := os.ReadDir(dir)
		var all []byte
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			all = append(all, b...)
		}
		if format == "parquet" {
			continue // compressed: checked through the CSV of the same rows
		}
		for _, secret := range []string{"priv1", "priv2", "9001", "9002", "9003", "Private One", `"fan"`, "@fan", "R1", "R2", "Y1"} {
			if bytes.Contains(all, []byte(secret)) {
				t.Errorf("%s export contains %q", format, secret)
			}
		}
		if format == "csv" && !bytes.Contains(all, []byte("AmbA")) {
			t.Errorf("csv export lacks the watch account AmbA")
		}
	}
	// with Reveal everything is in clear
	_, dir := runExport(t, db, "csv", Options{Reveal: true})
	body, _ := os.ReadFile(filepath.Join(dir, "accounts.csv"))
	if !bytes.Contains(body, []byte("priv1")) || !bytes.Contains(body, []byte("Private One")) {
		t.Errorf("revealed accounts.csv lacks priv1:\n%s", body)
	}
}

// TestJoinsSurvive checks that the same account has the same pseudonym in every table.
func TestJoinsSurvive(t *testing.T) {
	db := fixtureStudy(t)
	_, dir := runExport(t, db, "csv", Options{Key: testKey})
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	accounts, posts, edges, clusters := read("accounts.csv"), read("posts.csv"), read("edges.csv"), read("clusters.csv")
	// accounts.csv is sorted by platform, id: find the suspended account's pseudonym
	var p1 string
	for _, line := range strings.Split(accounts, "\n") {
		if strings.Contains(line, ",suspended,") {
			p1 = strings.Split(line, ",")[1]
		}
	}
	if !strings.HasPrefix(p1, "acct_") {
		t.Fatalf("no pseudonymised suspended account in accounts.csv:\n%s", accounts)
	}
	for name, body := range map[string]string{"posts.csv": posts, "edges.csv": edges, "clusters.csv": clusters} {
		if !strings.Contains(body, p1) {
			t.Errorf("%s lacks the pseudonym %s of 9001", name, p1)
		}
	}
	if !strings.Contains(posts, "@"+p1+" look, @AmbA") {
		t.Errorf("mention of @priv1 not replaced by its account pseudonym in posts.csv:\n%s", posts)
	}
}

func TestRunErrors(t *testing.T) {
	db := fixtureStudy(t)
	if _, err := Run(context.Background(), db, db, "xlsx", t.TempDir(), Options{Key: testKey}); err == nil || !strings.Contains(err.Error(), "unknown export format") {
		t.Errorf("format xlsx: %v", err)
	}
	if _, err := Run(context.Background(), db, db, "csv", t.TempDir(), Options{}); err != ErrNoKey {
		t.Errorf("no key: %v, want ErrNoKey", err)
	}
}
