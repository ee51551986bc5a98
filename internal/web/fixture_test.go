package web

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/report/pseudonym"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

var (
	t0       = time.Date(2020, 6, 9, 0, 0, 0, 0, time.UTC) // a Tuesday; its week starts Monday 2020-06-08
	fixedNow = time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)
	testKey  = bytes.Repeat([]byte{7}, pseudonym.KeySize)
	now      = func() time.Time { return fixedNow }
)

// The fixture's private (non-watchlist) accounts: nothing of theirs but pseudonyms may leave
// the server unless it reveals. Raw ids are prefixed "ID" and post ids "R" so that leaks are
// found by substring.
var (
	trolls   = []string{"ID9001", "ID9002", "ID9003"}
	trollH   = []string{"troll_one", "troll_two", "troll_three"}
	xss      = `<script>alert(1)</script>`
	xssPost  = `P0"><script>alert(1)</script>` // the id of target post P0: ids are untrusted too
	evilURL  = `https://evil.example/?q=<script>alert(1)</script>`
	secrets  = []string{"ID9001", "ID9002", "ID9003", "ID9100", "ID9119", "troll_one", "troll_two", "troll_three", "fan_00", "fan_19", "Private One", "my private bio", "Leeds", "R9001-", "R9100-"}
	studyDir string
	studyDB  *duckdb.DB // the fixture study, opened read-only and sandboxed as serve opens it
)

// fixtureBatch is a small study:
//
//   - watchlist: ID100 @AmbA (ambassador, GB, labelled government) and ID101 @EmbB (embassy, GB);
//   - ten target posts P0…P9 (P0's id is xssPost), P_i at t0 + i hours, by @AmbA for even i and @EmbB for odd i;
//   - three trolls ID9001–ID9003 repost every target post 10, 12 and 15 s after it: 30 reposts,
//     each pair co-reposts all ten posts within 60 s (a coordinated cluster of three);
//   - twenty fans ID9100–ID9119: fan k reposts P_(k mod 10) one hour plus k·5 min after it (no
//     two fans within 60 s of each other on one post);
//   - each troll posts evilURL three times, 5 s after the previous troll (co-link);
//   - statuses as of 2021-03-01: ID9001 suspended, ID9002 deleted, the others active.
//
// Target reposts: 30 + 20 = 50. Suspended share = 10 / 50 = 0.2; deleted share = 10 / 50 = 0.2.
// Week of 2020-06-08 for all accounts: 50 reposts = 10 suspended + 10 deleted + 10 coordinated
// (ID9003, active) + 20 other.
func fixtureBatch() *event.Batch {
	src := event.Provenance{Source: "/home/researcher/secret-folder/fixture.jsonl", Line: 1}
	b := &event.Batch{
		Watch: []event.WatchEntry{
			{Platform: event.X, ID: "ID100", Handle: "AmbA", ActorType: event.ActorAmbassador, Country: "GB", Outlet: "Embassy", Prov: src},
			{Platform: event.X, ID: "ID101", Handle: "EmbB", ActorType: event.ActorEmbassy, Country: "GB", Outlet: "Embassy", Prov: src},
		},
		Accounts: []event.Account{
			{Platform: event.X, ID: "ID100", Handle: "AmbA", Name: "Ambassador A " + xss, Description: "official", CreatedAt: t0.AddDate(-5, 0, 0), Followers: 5000, Following: 10, Posts: -1, Prov: src},
			{Platform: event.X, ID: "ID101", Handle: "EmbB", Name: "Embassy B", CreatedAt: t0.AddDate(-6, 0, 0), Followers: 9000, Following: 10, Posts: -1, Prov: src},
		},
		Labels: []event.LabelObservation{{Platform: event.X, AccountID: "ID100", ObservedAt: t0, Label: "China government official", Class: event.LabelGovernment, Prov: src}},
	}
	names := []string{"Private One", xss, "Third"}
	for i, id := range trolls {
		b.Accounts = append(b.Accounts, event.Account{Platform: event.X, ID: id, Handle: trollH[i], Name: names[i],
			Description: "my private bio", Location: "Leeds", CreatedAt: t0.AddDate(0, -1, 0), Followers: int64(3 + i), Following: 1, Posts: -1, Prov: src})
	}
	for k := range 20 {
		b.Accounts = append(b.Accounts, event.Account{Platform: event.X, ID: fmt.Sprintf("ID91%02d", k), Handle: fmt.Sprintf("fan_%02d", k),
			CreatedAt: t0.AddDate(-2, 0, -k), Followers: int64(100 + k), Following: 50, Posts: -1, Prov: src})
	}
	for i := range 10 {
		author := []string{"ID100", "ID101"}[i%2]
		at := t0.Add(time.Duration(i) * time.Hour)
		b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: postID(i), AuthorID: author, CreatedAt: at, Kind: event.KindPost,
			Text: fmt.Sprintf("statement %d", i), Likes: 10, Reposts: 5, Replies: 1, Quotes: 0, Views: -1, CountsAt: fixedNow, Prov: src})
		for j, id := range trolls {
			text := "RT @AmbA: statement"
			if i == 0 {
				text = "RT " + xss + " cc @troll_two @fan_00"
			}
			b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: fmt.Sprintf("R%s-%d", id[2:], i), AuthorID: id,
				CreatedAt: at.Add(time.Duration([]int{10, 12, 15}[j]) * time.Second), Kind: event.KindRepost, RefID: postID(i),
				RefAuthorID: author, Text: text, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1, Prov: src})
		}
	}
	for k := range 20 {
		i := k % 10
		author := []string{"ID100", "ID101"}[i%2]
		id := fmt.Sprintf("ID91%02d", k)
		b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: fmt.Sprintf("R%s-%d", id[2:], i), AuthorID: id,
			CreatedAt: t0.Add(time.Duration(i)*time.Hour + time.Hour + time.Duration(k)*5*time.Minute), Kind: event.KindRepost,
			RefID: postID(i), RefAuthorID: author, Text: "RT @EmbB: statement", Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1, Prov: src})
	}
	for j, id := range trolls {
		for k := range 3 {
			b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: fmt.Sprintf("R%s-L%d", id[2:], k), AuthorID: id,
				CreatedAt: t0.Add(20*time.Hour + time.Duration(k)*10*time.Minute + time.Duration(j)*5*time.Second), Kind: event.KindPost,
				Text: "read this " + xss, URLs: []string{evilURL}, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Views: -1, Prov: src})
		}
	}
	for i, st := range []event.Status{event.StatusSuspended, event.StatusDeleted, event.StatusActive} {
		b.Statuses = append(b.Statuses,
			event.StatusObservation{Platform: event.X, AccountID: trolls[i], ObservedAt: t0.AddDate(0, 1, 0), Status: event.StatusActive, RawCode: "200", Prov: src},
			event.StatusObservation{Platform: event.X, AccountID: trolls[i], ObservedAt: fixedNow, Status: st, RawCode: map[event.Status]string{event.StatusSuspended: "63", event.StatusDeleted: "50", event.StatusActive: "200"}[st], Prov: src})
	}
	return b
}

// postID is the id of target post P_i.
func postID(i int) string {
	if i == 0 {
		return xssPost
	}
	return fmt.Sprintf("P%d", i)
}

// fixtureGroups are the fixture's actor groups, as an echotrace.toml would define them:
// diplomats (both watch accounts: the figures of the total), the ambassador and the embassy.
// By hand: each has five target posts (the even ones @AmbA's, the odd ones @EmbB's) of 10 likes,
// 15 troll reposts and the reposts of the ten fans whose k mod 10 has its parity: 25 reposts,
// 5 of them by the suspended ID9001 (20 %); @AmbA is labelled (ambassadors 100 %, embassies
// 0 %, diplomats 50 %).
var fixtureGroups = []amplify.ActorGroup{
	{Name: "diplomats", ActorTypes: []string{"ambassador", "embassy", "consulate", "staff", "ministry"}},
	{Name: "ambassadors", ActorTypes: []string{"ambassador"}},
	{Name: "embassies", ActorTypes: []string{"embassy"}},
}

// buildStudy writes the fixture study into dir, analyses it (coordination, then findings)
// and stores a pseudonym key. The null-model filter is off (Alpha < 0): with ten posts that
// every troll reposts, chance co-reposting cannot be told apart, and the server is under test
// here, not the significance test.
func buildStudy(ctx context.Context, dir string) error {
	db, err := duckdb.Open(ctx, dir, duckdb.Options{Create: true, Threads: 1, Now: now})
	if err != nil {
		return err
	}
	defer db.Close()
	app, err := db.Appender(ctx, store.ImportRun{Source: "/home/researcher/secret-folder/fixture.jsonl", Format: "test", Started: fixedNow})
	if err != nil {
		return err
	}
	if err := app.Append(ctx, fixtureBatch()); err != nil {
		return err
	}
	if _, err := app.Commit(ctx); err != nil {
		return err
	}
	if _, err := coord.Analyze(ctx, db, coord.Params{Signals: []coord.Signal{coord.CoRepost, coord.CoLink}, Alpha: -1, Workers: 1}, rand.New(rand.NewPCG(1, 2))); err != nil {
		return fmt.Errorf("coord: %w", err)
	}
	if _, err := amplify.Analyze(ctx, db, amplify.Params{ActorGroups: fixtureGroups, ActorGroupsSource: amplify.GroupsFromSettings}); err != nil {
		return fmt.Errorf("findings: %w", err)
	}
	_, err = pseudonym.Key(ctx, db, bytes.NewReader(testKey), fixedNow)
	return err
}

func TestMain(m *testing.M) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "echotrace-web-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if err := buildStudy(ctx, dir); err != nil {
			fmt.Fprintln(os.Stderr, "build fixture study:", err)
			return 1
		}
		studyDir = dir
		studyDB, err = duckdb.Open(ctx, dir, duckdb.Options{ReadOnly: true, Sandbox: true, Threads: 2})
		if err != nil {
			fmt.Fprintln(os.Stderr, "open fixture study:", err)
			return 1
		}
		defer studyDB.Close()
		return m.Run()
	}()
	os.Exit(code)
}
