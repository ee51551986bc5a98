package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/echotrace/echotrace/internal/store/storetest"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/store"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

// findingsStudy stores a small study: @amb (GB ambassador) with 2 posts on 2021-01-04 and
// 2021-01-20, @med (CN state media) with 1 post on 2021-01-05; u1 reposts all three, u2 and
// u3 repost @amb's first post; u1 is suspended on 2021-03-01 (a date-only as-of covers it).
func findingsStudy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db, err := duckdb.Open(ctx, dir, duckdb.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := func(day, sec int) time.Time { return time.Date(2021, 1, day, 0, 0, sec, 0, time.UTC) }
	b := &event.Batch{
		Watch: []event.WatchEntry{
			{Platform: event.X, ID: "1", Handle: "amb", ActorType: event.ActorAmbassador, Country: "GB"},
			{Platform: event.X, ID: "2", Handle: "med", ActorType: event.ActorStateMedia, Country: "CN", Outlet: "CGTN"},
		},
		Statuses: []event.StatusObservation{{Platform: event.X, AccountID: "u1",
			ObservedAt: time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC), Status: event.StatusSuspended}},
	}
	post := func(id, author string, at time.Time, kind event.PostKind, ref string, likes int64) {
		b.Posts = append(b.Posts, event.Post{Platform: event.X, ID: id, AuthorID: author, CreatedAt: at, Kind: kind,
			RefID: ref, Likes: likes, Reposts: -1, Replies: -1, Quotes: -1, Views: -1})
	}
	post("p1", "1", d(4, 0), event.KindPost, "", 10)
	post("p2", "1", d(20, 0), event.KindPost, "", 5)
	post("p3", "2", d(5, 0), event.KindPost, "", 7)
	post("r1", "u1", d(4, 5), event.KindRepost, "p1", -1)
	post("r2", "u1", d(20, 5), event.KindRepost, "p2", -1)
	post("r3", "u1", d(5, 9), event.KindRepost, "p3", -1)
	post("r4", "u2", d(4, 50), event.KindRepost, "p1", -1)
	post("r5", "u3", d(4, 70), event.KindRepost, "p1", -1)
	storetest.Commit(t, db, store.ImportRun{Source: "test"}, b)
	return dir
}

// runFindings runs `echotrace findings` (wired here if the root does not have it yet).
func runFindings(t *testing.T, study string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &App{Out: &out, Err: &errb, Now: time.Now}
	root := NewRoot(a)
	if c, _, err := root.Find([]string{"findings"}); err != nil || c == root {
		root.AddCommand(newFindingsCmd(a))
	}
	root.SetArgs(append([]string{"--study", study, "findings"}, args...))
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		fmt.Fprintln(&errb, err)
	}
	return out.String(), errb.String(), ExitCode(err)
}

func TestFindingsCommand(t *testing.T) {
	study := findingsStudy(t)
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, out string)
	}{{
		// all: 3 posts, likes 22; reposts u1×3 u2 u3 = 5; top 1 % (k = 1): u1 3/5; u1
		// suspended as of the end of 2021-03-01 → 3/5.
		name: "json all", args: []string{"--json", "--status-as-of", "2021-03-01"},
		check: func(t *testing.T, out string) {
			m := decode(t, out)
			want := map[string]float64{"posts": 3, "likes": 22, "target_reposts": 5, "amplifiers": 3,
				"included_accounts": 2, "countries": 2, "suspended_repost_share": 0.6,
				"status_as_of": float64(time.Date(2021, 3, 1, 23, 59, 59, 0, time.UTC).Unix())}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("%s = %v, want %v", k, m[k], v)
				}
			}
			if ts := m["top_share"].(map[string]any); ts["1"] != 0.6 {
				t.Errorf("top_share[1] = %v, want 0.6", ts["1"])
			}
		},
	}, {
		// --until 2021-01-05 covers that day: p1, p3; reposts u1 u2 u3 on p1, u1 on p3 = 4.
		name: "window", args: []string{"--json", "--until", "2021-01-05"},
		check: func(t *testing.T, out string) {
			m := decode(t, out)
			if m["posts"] != 2.0 || m["target_reposts"] != 4.0 || m["suspended_repost_share"] != 0.5 {
				t.Errorf("posts %v reposts %v suspended %v, want 2, 4, 0.5", m["posts"], m["target_reposts"], m["suspended_repost_share"])
			}
		},
	}, {
		name: "country filter", args: []string{"--json", "--country", "cn"},
		check: func(t *testing.T, out string) {
			m := decode(t, out)
			if m["posts"] != 1.0 || m["target_reposts"] != 1.0 || m["watch_accounts"] != 1.0 {
				t.Errorf("posts %v reposts %v watch %v, want 1, 1, 1", m["posts"], m["target_reposts"], m["watch_accounts"])
			}
		},
	}, {
		name: "csv", args: []string{"--csv", "--accounts", "@AMB"},
		check: func(t *testing.T, out string) {
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range rows[1:] {
				got[r[0]] = r[1]
			}
			if rows[0][0] != "metric" || got["posts"] != "2" || got["target_reposts"] != "4" || got["top_share.1"] != "0.5" {
				t.Errorf("csv: %v", rows)
			}
		},
	}, {
		// group uk = @amb: its reposts 4 by u1 (p1 p2), u2, u3; u1 sends 2 of its 3 there.
		name: "group", args: []string{"--json", "--group", "uk=@amb"},
		check: func(t *testing.T, out string) {
			var m struct {
				Groups []amplify.GroupRow `json:"groups"`
			}
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatal(err)
			}
			want := []amplify.GroupRow{{Group: "uk", Accounts: 1, Reposts: 4, Amplifiers: 3, Focused: 1}}
			if len(m.Groups) != 1 || m.Groups[0] != want[0] {
				t.Errorf("groups %+v, want %+v", m.Groups, want)
			}
		},
	}, {
		// actor groups, side by side with the total: diplomats = @amb (p1 p2, reposts 4),
		// state media = @med (p3, u1's repost).
		name: "actor groups", args: []string{"--csv"},
		check: func(t *testing.T, out string) {
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != "metric,value,diplomats,state_media" {
				t.Fatalf("header %v", rows[0])
			}
			got := map[string]string{}
			for _, r := range rows[1:] {
				got[r[0]] = strings.Join(r[1:], " ")
			}
			if got["posts"] != "3 2 1" || got["target_reposts"] != "5 4 1" || got["watch_accounts"] != "2 1 1" {
				t.Errorf("per group: posts %q, target_reposts %q, watch_accounts %q", got["posts"], got["target_reposts"], got["watch_accounts"])
			}
			out2, _, code := runFindings(t, study, "--csv", "--actor-group", "none")
			if code != 0 || !strings.HasPrefix(out2, "metric,value\n") {
				t.Errorf("--actor-group none: exit %d, %q", code, out2[:min(len(out2), 40)])
			}
		},
	}, {
		// the replication table: published figures beside this study's, per group.
		name: "compare", args: []string{"--compare", "prc-2021", "--csv"},
		check: func(t *testing.T, out string) {
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != "group,metric,published,this_study,definition" || len(rows) < 10 {
				t.Fatalf("replication csv: %v", rows)
			}
			if r := rows[1]; r[0] != "diplomats" || r[1] != "accounts" || r[2] != "189" || r[3] != "1" || r[4] == "" {
				t.Errorf("first row %v, want diplomats,accounts,189,1,<definition>", r)
			}
			if _, errs, code := runFindings(t, study, "--compare", "nope"); code != ExitUsage || !strings.Contains(errs, "prc-2021") {
				t.Errorf("--compare nope: exit %d, %q", code, errs)
			}
		},
	}, {
		name: "markdown", args: []string{"--md"},
		check: func(t *testing.T, out string) {
			if !strings.Contains(out, "| Posts | 3 |") || !strings.Contains(out, "| @amb | ambassador | GB | 2 | 4 |") {
				t.Errorf("markdown:\n%s", out)
			}
		},
	}, {
		name: "table", args: nil,
		check: func(t *testing.T, out string) {
			if !strings.Contains(out, "Reposts by amplifiers (events)") || !strings.Contains(out, "@med") {
				t.Errorf("table:\n%s", out)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runFindings(t, study, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			tc.check(t, out)
		})
	}
}

// TestFindingsStored: without options the stored document is printed, as stored.
func TestFindingsStored(t *testing.T) {
	study := findingsStudy(t)
	ctx := context.Background()
	db, err := duckdb.Open(ctx, study, duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Store a document that differs from a fresh computation (a narrower window).
	if _, err := amplify.Analyze(ctx, db, amplify.Params{Until: time.Date(2021, 1, 4, 23, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, errs, code := runFindings(t, study, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if m := decode(t, out); m["posts"] != 1.0 {
		t.Errorf("stored findings: posts %v, want 1 (the stored document)", m["posts"])
	}
	out, _, _ = runFindings(t, study, "--json", "--country", "GB")
	if m := decode(t, out); m["posts"] != 2.0 {
		t.Errorf("filtered findings: posts %v, want 2 (computed afresh)", m["posts"])
	}
}

func TestFindingsUsage(t *testing.T) {
	study := findingsStudy(t)
	for _, args := range [][]string{
		{"--csv", "--md"},
		{"--json", "--csv"},
		{"--since", "yesterday"},
		{"--since", "2021-02-01", "--until", "2021-01-01"},
		{"extra"},
		{"--group", "uk"},
		{"--group", "a=@amb", "--group", "b=@amb"},
	} {
		if _, errs, code := runFindings(t, study, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, errs)
		}
	}
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return m
}
