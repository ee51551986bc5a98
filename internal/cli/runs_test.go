package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/event"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

// documents returns the stored findings and coord documents of a study.
func documents(t *testing.T, study string) map[string]string {
	t.Helper()
	db, err := duckdb.Open(context.Background(), study, duckdb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	for _, name := range []string{"findings", "coord"} {
		body, _, err := db.Document(context.Background(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = string(body)
	}
	return out
}

// TestAnalyzeFailureKeepsEarlierResults (issue 14, item 2): an analyze whose findings step fails
// after coordination has run stores nothing — the study keeps the findings and the clusters of
// the earlier run, together — where it used to keep the new clusters beside the old findings.
func TestAnalyzeFailureKeepsEarlierResults(t *testing.T) {
	study := findingsStudy(t)
	mustRun(t, "--study", study, "analyze")
	before := documents(t, study)
	// Coordination does not read the window; the findings step refuses since > until.
	_, errs, code := run(t, "--study", study, "analyze", "--window", "10s", "--since", "2021-02-01", "--until", "2021-01-01")
	if code == 0 || !strings.Contains(errs, "findings") {
		t.Fatalf("analyze with since > until: exit %d, %s; want a failure of the findings step", code, errs)
	}
	if after := documents(t, study); after["coord"] != before["coord"] || after["findings"] != before["findings"] {
		t.Errorf("a failed analyze changed the stored results:\ncoord before %.120s\ncoord after  %.120s", before["coord"], after["coord"])
	}
	if out := mustRun(t, "--study", study, "sql", "--csv", "SELECT id, command, results FROM runs ORDER BY id"); out != `id,command,results
1,analyze,"[""coord"",""result_coord_edges"",""result_coord_clusters"",""result_coord_accounts"",""findings""]"
` {
		t.Errorf("runs after one analyze and one failed one:\n%s", out)
	}
}

// TestReportFlagsResultsOfDifferentRuns (issue 14, item 2): after `analyze`, a plain `coord`
// (which stores its clusters) leaves findings of one run beside clusters of another. report and
// export then say so loudly, naming both runs and their times, and refuse with --strict; after
// another analyze all is well; an import after it makes the results stale, which is flagged too.
func TestReportFlagsResultsOfDifferentRuns(t *testing.T) {
	study := findingsStudy(t)
	dir := t.TempDir()
	mustRun(t, "--study", study, "analyze")
	mustRun(t, "--study", study, "coord", "--window", "30s")

	runName := regexp.MustCompile(`run 1 \(echotrace analyze, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)`)
	coordName := regexp.MustCompile(`run 2 \(echotrace coord, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)`)
	html := filepath.Join(dir, "mixed.html")
	_, errs, code := run(t, "--study", study, "report", "--out", html)
	if code != 0 {
		t.Fatalf("report: exit %d, %s", code, errs)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	warning := regexp.MustCompile(`(?s)<p class="notice" role="alert"[^>]*><strong>Warning: these results may not belong together.</strong>([^<]*)</p>`).FindSubmatch(page)
	if warning == nil || !runName.Match(warning[1]) || !coordName.Match(warning[1]) {
		t.Errorf("report of mixed runs: no warning naming run 1 (analyze) and run 2 (coord); warning %q", warning)
	}
	if !strings.Contains(errs, "warning:") || !runName.MatchString(errs) || !coordName.MatchString(errs) {
		t.Errorf("report of mixed runs: stderr %q does not warn", errs)
	}
	strictHTML := filepath.Join(dir, "strict.html")
	if _, errs, code := run(t, "--study", study, "report", "--strict", "--out", strictHTML); code != ExitRejected || !strings.Contains(errs, "do not belong together") {
		t.Errorf("report --strict of mixed runs: exit %d, %s; want a refusal", code, errs)
	}
	if _, err := os.Stat(strictHTML); !os.IsNotExist(err) {
		t.Errorf("report --strict wrote %s anyway", strictHTML)
	}

	exp := filepath.Join(dir, "export")
	_, errs, code = run(t, "--study", study, "export", "--format", "csv", "--out", exp)
	if code != 0 {
		t.Fatalf("export: exit %d, %s", code, errs)
	}
	man := manifest(t, exp)
	if !man.Results.Mixed || len(man.Warnings) == 0 || !runName.MatchString(man.Warnings[0]) || !coordName.MatchString(man.Warnings[0]) {
		t.Errorf("export of mixed runs: manifest results %+v, warnings %q", man.Results, man.Warnings)
	}
	if !strings.Contains(errs, "warning:") {
		t.Errorf("export of mixed runs: stderr %q does not warn", errs)
	}
	strictExp := filepath.Join(dir, "strict-export")
	if _, errs, code := run(t, "--study", study, "export", "--strict", "--format", "csv", "--out", strictExp); code != ExitRejected || !strings.Contains(errs, "do not belong together") {
		t.Errorf("export --strict of mixed runs: exit %d, %s; want a refusal", code, errs)
	}
	if _, err := os.Stat(filepath.Join(strictExp, "manifest.json")); !os.IsNotExist(err) {
		t.Errorf("export --strict wrote a manifest anyway")
	}

	// One analyze stores both again: nothing to flag.
	mustRun(t, "--study", study, "analyze")
	_, errs, _ = run(t, "--study", study, "report", "--strict", "--out", html)
	if page, _ := os.ReadFile(html); strings.Contains(string(page), `role="alert"`) || strings.Contains(errs, "warning:") {
		t.Errorf("report after a fresh analyze still warns: %s", errs)
	}
	mustRun(t, "--study", study, "export", "--strict", "--format", "csv", "--out", exp)
	if man := manifest(t, exp); man.Results.Mixed || man.Results.Stale || len(man.Warnings) > 0 || len(man.Results.Results) != 2 || man.Results.Results[0].Run.ID != 3 {
		t.Errorf("export after a fresh analyze: %+v, %q", man.Results, man.Warnings)
	}

	// New data after the analysis: stale.
	more := filepath.Join(dir, "more.jsonl")
	os.WriteFile(more, []byte(`{"data":[{"id":"9","text":"late","author_id":"u9","created_at":"2021-01-06T00:00:00.000Z"}]}`+"\n"), 0o644)
	mustRun(t, "--study", study, "import", more)
	_, errs, _ = run(t, "--study", study, "report", "--out", html)
	page, _ = os.ReadFile(html)
	if !strings.Contains(string(page), "before the latest import") || !strings.Contains(errs, "more.jsonl") {
		t.Errorf("report after a later import: no stale warning; stderr %s", errs)
	}
}

// exportManifest is the part of manifest.json the tests read.
type exportManifest struct {
	Results *struct {
		Results []struct {
			Name string `json:"name"`
			Run  *struct {
				ID int64 `json:"id"`
			} `json:"run"`
		} `json:"origins"`
		Mixed bool `json:"mixed"`
		Stale bool `json:"stale"`
	} `json:"results"`
	Warnings []string `json:"warnings"`
}

func manifest(t *testing.T, dir string) exportManifest {
	t.Helper()
	var m exportManifest
	body, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err == nil {
		err = json.Unmarshal(body, &m)
	}
	if err != nil {
		t.Fatal(err)
	}
	if m.Results == nil {
		t.Fatalf("manifest has no results: %s", body)
	}
	return m
}

// syncBuffer is a bytes buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeBannerForResultsOfDifferentRuns (issue 14, item 2): serve shows findings and
// clusters of different runs under a banner, names them in /api/overview's warnings, and
// refuses to start with --strict.
func TestServeBannerForResultsOfDifferentRuns(t *testing.T) {
	study := findingsStudy(t)
	mustRun(t, "--study", study, "analyze")
	mustRun(t, "--study", study, "coord", "--window", "30s")
	if _, errs, code := run(t, "--study", study, "serve", "--strict", "--listen", "127.0.0.1:0"); code != ExitRejected || !strings.Contains(errs, "do not belong together") {
		t.Errorf("serve --strict of mixed runs: exit %d, %s; want a refusal", code, errs)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"--study", study, "serve", "--listen", "127.0.0.1:0"}, &out, &errb, reg)
	}()
	url := ""
	for deadline := time.Now().Add(30 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "echotrace dashboard: "); ok {
				url = u
			}
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("serve did not start: %s", errb.String())
	}
	get := func(path string) string {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	var ov struct {
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(get("api/overview")), &ov); err != nil {
		t.Fatal(err)
	}
	if len(ov.Warnings) == 0 || !strings.Contains(ov.Warnings[0], "run 1 (echotrace analyze, ") || !strings.Contains(ov.Warnings[0], "run 2 (echotrace coord, ") {
		t.Errorf("overview warnings = %q", ov.Warnings)
	}
	if page := get(""); !strings.Contains(page, `<p class="notice warn" role="alert"><strong>Warning: these results may not belong together.</strong>`) {
		t.Errorf("dashboard has no banner")
	}
	if page := get("report"); !strings.Contains(page, `role="alert"`) {
		t.Errorf("served report has no warning")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exit %d: %s", code, errb.String())
	}
}

// TestImportCountsIdentityConflicts (issue 14, item 7): two rows of one file with the same id
// and different authors, and a later file giving the post a third author, are identity
// conflicts, counted apart from plain duplicates in the import summary and in stats and kept in
// the conflicts view; the post keeps its first-seen author, text and provenance.
func TestImportCountsIdentityConflicts(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	head := "platform,id,author_id,created_at,kind,ref_id,ref_author_id,text\n"
	one, two := filepath.Join(dir, "one.csv"), filepath.Join(dir, "two.csv")
	os.WriteFile(one, []byte(head+"x,1,a,2021-01-01T00:00:00Z,post,,,first\nx,1,b,2021-01-01T00:00:00Z,post,,,second\nx,2,a,2021-01-01T00:00:01Z,post,,,plain\nx,2,a,2021-01-01T00:00:01Z,post,,,plain\n"), 0o644)
	os.WriteFile(two, []byte(head+"x,1,c,2021-01-02T00:00:00Z,repost,2,a,third\n"), 0o644)

	var res struct { // import --json, as a script reads it
		Files []struct {
			Read       event.Counts `json:"read"`
			Stored     event.Counts `json:"stored"`
			Duplicates event.Counts `json:"duplicates"`
			Conflicts  event.Counts `json:"conflicts"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--study", study, "--json", "import", "--format", "csv", one)), &res); err != nil {
		t.Fatal(err)
	}
	if f := res.Files[0]; f.Read.Posts != 4 || f.Stored.Posts != 2 || f.Duplicates.Posts != 2 || f.Conflicts.Posts != 1 {
		t.Errorf("one file: read %d, stored %d, duplicates %d, conflicts %d; want 4, 2, 2 (one plain), 1",
			f.Read.Posts, f.Stored.Posts, f.Duplicates.Posts, f.Conflicts.Posts)
	}
	_, errs, code := run(t, "--study", study, "import", "--format", "csv", two)
	if code != 0 || !strings.Contains(errs, "identity conflicts among the duplicates: 1 post with a known id") {
		t.Errorf("second file: exit %d, summary %q; want a line for the conflict", code, errs)
	}
	if got := mustRun(t, "--study", study, "sql", "--csv", "SELECT author_id, kind, text, source, line FROM posts WHERE id = '1'"); got != "author_id,kind,text,source,line\na,post,first,"+one+",2\n" {
		t.Errorf("post 1 after the conflicts:\n%s", got)
	}
	got := mustRun(t, "--study", study, "sql", "--csv", "SELECT id, field, kept, kept_line, value, source, line FROM conflicts ORDER BY import_id, line, field")
	want := "id,field,kept,kept_line,value,source,line\n1,author_id,a,2,b," + one + ",3\n1,author_id,a,2,c," + two + ",2\n"
	if got != want {
		t.Errorf("conflicts view:\n%s\nwant\n%s", got, want)
	}
	if st := stats(t, study); st["conflicts"] != 2.0 {
		t.Errorf("stats conflicts = %v, want 2 (rows of the conflicts view)", st["conflicts"])
	}
}

// TestResultWarningsNeutraliseTheFileName: the stale-results warning names the latest import's
// file, which may hold an escape sequence and a bidi override. On stderr they are shown
// escaped (they used to be written raw), and the report prints the warning without bidi
// controls (it used to print it with {{.}}).
func TestResultWarningsNeutraliseTheFileName(t *testing.T) {
	study := findingsStudy(t)
	mustRun(t, "--study", study, "analyze")
	dir := t.TempDir()
	name := "evil\x1b]0;owned\x07\u202etxt.csv"
	path := filepath.Join(dir, name)
	csvPosts(t, path, 2, func(int) string { return "" })
	mustRun(t, "--study", study, "import", path)
	html := filepath.Join(dir, "report.html")
	_, errs, code := run(t, "--study", study, "report", "--out", html)
	if code != 0 {
		t.Fatalf("report: exit %d, %s", code, errs)
	}
	if !strings.Contains(errs, "warning: ") || !strings.Contains(errs, `evil\x1b]0;owned\x07\u202etxt.csv`) {
		t.Errorf("stderr does not show the file name escaped:\n%q", errs)
	}
	if strings.ContainsAny(errs, "\x1b\x07\u202e") {
		t.Errorf("stderr holds a raw control of the file name:\n%q", errs)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	warning := regexp.MustCompile(`(?s)<strong>Warning: these results may not belong together.</strong>([^<]*)</p>`).FindSubmatch(page)
	if warning == nil || !strings.Contains(string(warning[1]), "evil") || strings.ContainsRune(string(warning[1]), '\u202e') {
		t.Errorf("report warning %q; want the file name without its bidi override", warning)
	}
}
