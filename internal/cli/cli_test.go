package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/ingest/all"
)

// TestMain lets tests run the CLI in a child process (for SIGKILL tests) by re-executing the
// test binary with ECHOTRACE_CLI_CHILD=1.
func TestMain(m *testing.M) {
	if os.Getenv("ECHOTRACE_CLI_CHILD") == "1" {
		reg, _ := all.New(all.Options{})
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr, reg))
	}
	os.Exit(m.Run())
}

// run runs the CLI in-process and returns stdout, stderr and the exit code.
func run(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb, reg)
	return out.String(), errb.String(), code
}

func mustRun(t testing.TB, args ...string) string {
	t.Helper()
	out, errs, code := run(t, args...)
	if code != 0 {
		t.Fatalf("echotrace %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

func stats(t *testing.T, study string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, "--study", study, "stats", "--json")), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "imports")
	return m
}

// writeTwarc2 writes files of synthetic twarc2 pages: each page 100 tweets by 10 authors, every
// third tweet a retweet of the page's first tweet.
func writeTwarc2(t *testing.T, dir string, files, pages int) []string {
	t.Helper()
	var paths []string
	id := 1_000_000
	for f := 0; f < files; f++ {
		var b strings.Builder
		for p := 0; p < pages; p++ {
			var tweets, users []string
			first := id
			for i := 0; i < 100; i++ {
				id++
				author := fmt.Sprintf("u%d", id%10)
				ref := ""
				text := fmt.Sprintf("tweet %d", id)
				if i%3 == 2 {
					ref = fmt.Sprintf(`,"referenced_tweets":[{"type":"retweeted","id":"%d"}]`, first+1)
					text = "RT @u: tweet"
				}
				tweets = append(tweets, fmt.Sprintf(`{"id":"%d","text":%q,"author_id":%q,"created_at":"2021-01-0%dT10:00:%02d.000Z","public_metrics":{"like_count":%d,"retweet_count":1,"reply_count":0,"quote_count":0}%s}`,
					id, text, author, 1+f%9, i%60, i, ref))
			}
			for u := 0; u < 10; u++ {
				users = append(users, fmt.Sprintf(`{"id":"u%d","username":"user%d","name":"User %d","created_at":"2015-01-01T00:00:00.000Z"}`, u, u, u))
			}
			fmt.Fprintf(&b, `{"data":[%s],"includes":{"users":[%s]},"meta":{"result_count":100}}`+"\n", strings.Join(tweets, ","), strings.Join(users, ","))
		}
		path := filepath.Join(dir, fmt.Sprintf("part-%02d.jsonl", f))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

func TestImportReconcilesAndIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "study")
	mustRun(t, "init", study)
	files := writeTwarc2(t, dir, 2, 3)
	// A third file with broken records: truncated JSON, a bad timestamp, invalid UTF-8.
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"data":[{"id":"1","text":"ok","author_id":"a","created_at":"2021-01-01T00:00:00.000Z"}]}
{"data":[{"id":"2","text":"trunc
{"data":[{"id":"3","text":"x","author_id":"a","created_at":"yesterday"}]}
{"data":[{"id":"4","text":"`+"\xff\xfe"+`","author_id":"a","created_at":"2021-01-01T00:00:00.000Z"}]}
`), 0o644)
	// bad.jsonl loses 3 of its 4 records: imported, but the exit code says so.
	out, errs, code := run(t, "--study", study, "--json", "import", files[0], files[1], bad)
	if code != ExitRejected {
		t.Errorf("import with a mostly bad file: exit %d, want 3\n%s", code, errs)
	}
	var res importResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err, out)
	}
	// 2 files × 3 pages × 100 tweets + 1 good tweet in bad.jsonl; 3 rejected lines.
	if res.Read.Posts != 601 || res.Stored.Posts != 601 || res.Rejected != 3 {
		t.Errorf("read %d stored %d rejected %d; want 601, 601, 3", res.Read.Posts, res.Stored.Posts, res.Rejected)
	}
	if res.Read.Posts != res.Stored.Posts+res.Dups.Posts || res.Read.Accounts != res.Stored.Accounts+res.Dups.Accounts {
		t.Errorf("summary does not reconcile: %+v", res)
	}
	lines := map[int64]bool{}
	for _, r := range res.Rejects {
		lines[r.Line] = true
		if r.Source != bad {
			t.Errorf("reject names %s, want %s", r.Source, bad)
		}
	}
	if !lines[2] || !lines[3] || !lines[4] {
		t.Errorf("rejects %+v; want lines 2, 3, 4", res.Rejects)
	}
	before := stats(t, study)
	// Again, skipping finished files; and again with --force re-reading them: no change.
	mustRun(t, "--study", study, "import", files[0], files[1], bad)
	if _, errs, code := run(t, "--study", study, "import", "--force", files[0], files[1], bad); code != ExitRejected {
		t.Errorf("import --force: exit %d, want 3\n%s", code, errs)
	}
	if after := stats(t, study); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("re-import changed counts:\n%v\n%v", before, after)
	}
	// --strict stops at the first bad record with exit code 3.
	if _, errs, code := run(t, "--study", study, "import", "--strict", "--force", bad); code != ExitRejected || !strings.Contains(errs, ":2") {
		t.Errorf("strict import: exit %d, stderr %q; want 3 naming line 2", code, errs)
	}
}

func TestExitCodesAndReadOnlySQL(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	if _, _, code := run(t, "--study", study, "import"); code != ExitUsage {
		t.Errorf("import without paths: exit %d, want 2", code)
	}
	if _, _, code := run(t, "--study", study, "stats", "--no-such-flag"); code != ExitUsage {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	if _, _, code := run(t, "--study", study, "import", "--format", "nope", "x"); code != ExitUsage {
		t.Errorf("unknown format: exit %d, want 2", code)
	}
	if _, _, code := run(t, "--study", filepath.Join(dir, "missing"), "stats"); code != ExitFailure {
		t.Errorf("no study: exit %d, want 1", code)
	}
	for _, q := range []string{"DROP TABLE posts_raw", "INSERT INTO rejects VALUES (1)", "SELECT 1; DROP VIEW posts", "COPY posts TO '/tmp/x.csv'"} {
		if _, _, code := run(t, "--study", study, "sql", q); code == 0 {
			t.Errorf("sql %q succeeded; writes must be refused", q)
		}
	}
	out := mustRun(t, "--study", study, "sql", "--csv", "SELECT 1 AS one, 'a,b' AS s")
	if out != "one,s\n1,\"a,b\"\n" {
		t.Errorf("sql --csv = %q", out)
	}
}

// TestImportSurvivesSIGKILL kills an import in a child process mid-way, runs it again, and
// compares with a clean import of the same files.
func TestImportSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	dir := t.TempDir()
	files := writeTwarc2(t, dir, 6, 40) // 24,000 tweets in 6 files
	clean := filepath.Join(dir, "clean")
	mustRun(t, "init", clean)
	mustRun(t, append([]string{"--study", clean, "import"}, files...)...)
	want := stats(t, clean)

	killed := filepath.Join(dir, "killed")
	mustRun(t, "init", killed)
	for _, delay := range []time.Duration{300 * time.Millisecond, 900 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], append([]string{"--study", killed, "import"}, files...)...)
		cmd.Env = append(os.Environ(), "ECHOTRACE_CLI_CHILD=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	mustRun(t, append([]string{"--study", killed, "import"}, files...)...)
	if got := stats(t, killed); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after SIGKILL and re-run:\n%v\nclean:\n%v", got, want)
	}
}
