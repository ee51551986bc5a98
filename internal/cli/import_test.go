package cli

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// csvPosts writes a generic-CSV file (the default header) of n posts; bad(i) replaces row i
// (1-based) when it returns a non-empty line.
func csvPosts(t *testing.T, path string, n int, bad func(i int) string) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("platform,id,author_id,created_at,kind,ref_id,ref_author_id,text\n")
	for i := 1; i <= n; i++ {
		if l := bad(i); l != "" {
			b.WriteString(l + "\n")
			continue
		}
		fmt.Fprintf(&b, "x,%d,a%d,2021-01-01T00:%02d:00Z,post,,,post number %d\n", i, i%100, i%60, i)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// importOutput is what `import --json` prints.
type importOutput struct {
	importResult
	Warnings []string `json:"warnings"`
	Error    string   `json:"error"`
	ExitCode int      `json:"exit_code"`
}

func importJSON(t *testing.T, study string, args ...string) (importOutput, string, int) {
	t.Helper()
	out, errs, code := run(t, append([]string{"--study", study, "--json", "import"}, args...)...)
	var res importOutput
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("import --json: %v\n%s%s", err, out, errs)
	}
	if dec.More() {
		t.Errorf("import --json printed more than one JSON document:\n%s", out)
	}
	return res, errs, code
}

// TestImportStrayQuoteKeepsTheRestOfTheFile is issue 14 item 4 end to end: an unterminated
// quote on line 2 of a 100,000-row file costs that row, not the file.
func TestImportStrayQuoteKeepsTheRestOfTheFile(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "study")
	mustRun(t, "init", study)
	path := filepath.Join(dir, "stray.csv")
	const rows = 100_000
	csvPosts(t, path, rows, func(i int) string {
		if i == 1 {
			return `x,1,a1,2021-01-01T00:00:00Z,post,,,"an unterminated quote`
		}
		return ""
	})
	res, errs, code := importJSON(t, study, path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if res.Stored.Posts != rows-1 || res.Rejected != 1 {
		t.Errorf("stored %d posts, %d rejected; want %d, 1", res.Stored.Posts, res.Rejected, rows-1)
	}
	if len(res.Rejects) != 1 || res.Rejects[0].Line != 2 || !strings.Contains(res.Rejects[0].Reason, "quoted field opened at line 2") {
		t.Errorf("rejects %+v; want line 2's quote", res.Rejects)
	}
}

// TestImportMostlyRejectedExits3 checks that a file losing most of its records does not look
// like a success: the good rows are kept, but the summary warns and the exit code is 3, with
// one JSON document under --json; --strict exits 3 at the first reject and keeps nothing of it.
func TestImportMostlyRejectedExits3(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "study")
	mustRun(t, "init", study)
	path := filepath.Join(dir, "mostly-bad.csv")
	csvPosts(t, path, 10, func(i int) string {
		if i > 3 {
			return fmt.Sprintf("x,%d,a,yesterday,post,,,text", i)
		}
		return ""
	})
	_, errs, code := run(t, "--study", study, "import", path)
	if code != ExitRejected || !strings.Contains(errs, "WARNING: "+path+": 7 of its 10 records rejected (70 %)") {
		t.Errorf("exit %d, stderr:\n%s\nwant 3 and a warning", code, errs)
	}
	res, _, code := importJSON(t, study, "--force", path)
	if code != ExitRejected || res.ExitCode != ExitRejected || len(res.Warnings) != 1 || !strings.Contains(res.Error, "input rejected") {
		t.Errorf("--json: exit %d, result %+v", code, res)
	}
	if n := stats(t, study)["posts"]; n != 3.0 {
		t.Errorf("%v posts stored; want the 3 good rows", n)
	}
	// A file with a few rejects among many good records is a success.
	fine := filepath.Join(dir, "mostly-good.csv")
	csvPosts(t, fine, 10, func(i int) string {
		if i == 10 {
			return "x,10,a,yesterday,post,,,text"
		}
		return ""
	})
	if _, errs, code := run(t, "--study", study, "import", fine); code != 0 || strings.Contains(errs, "WARNING") {
		t.Errorf("1 reject in 10: exit %d, stderr:\n%s", code, errs)
	}
	strict := filepath.Join(dir, "strict.csv")
	csvPosts(t, strict, 10, func(i int) string {
		if i == 5 {
			return "x,5,a,yesterday,post,,,text"
		}
		return ""
	})
	if _, errs, code := run(t, "--study", study, "import", "--strict", strict); code != ExitRejected || !strings.Contains(errs, strict+":6") {
		t.Errorf("--strict: exit %d, stderr %q; want 3 naming line 6", code, errs)
	}
	if n := stats(t, study)["posts"]; n != 9.0 {
		t.Errorf("%v posts stored; want 9, ids 1 to 9 (nothing of the strict file)", n)
	}
}

// TestImportPrintsOnlyItsOwnRejects is issue 14 item 8b: the rejects listed after an import
// used to include earlier imports'.
func TestImportPrintsOnlyItsOwnRejects(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "study")
	mustRun(t, "init", study)
	first := filepath.Join(dir, "first.csv")
	csvPosts(t, first, 20, func(i int) string {
		if i <= 3 {
			return fmt.Sprintf("x,%d,a,yesterday,post,,,text", i)
		}
		return ""
	})
	if res, _, _ := importJSON(t, study, first); len(res.Rejects) != 3 {
		t.Fatalf("first import lists %d rejects; want 3", len(res.Rejects))
	}
	second := filepath.Join(dir, "second.csv")
	csvPosts(t, second, 20, func(i int) string {
		if i == 7 {
			return "x,7,a,2021-01-01T00:00:00Z,nope,,,text"
		}
		return ""
	})
	res, _, code := importJSON(t, study, second)
	if code != 0 || res.Rejected != 1 || len(res.Rejects) != 1 || res.Rejects[0].Source != second || res.Rejects[0].Line != 8 {
		t.Errorf("second import: exit %d, %d rejected, listed %+v; want only %s:8", code, res.Rejected, res.Rejects, second)
	}
	_, errs, _ := run(t, "--study", study, "import", "--force", second)
	if strings.Contains(errs, first) {
		t.Errorf("the summary names the earlier import's file:\n%s", errs)
	}
}

// TestImportKeptRejectsAreNotLost: a twarc2 page whose __twarc.retrieved_at is implausible
// (year 3000) is stored whole — every post and account, with counts_at and observed_at
// cleared — and each cleared time is a reject saying so. Those rejects lost no record: they
// stay out of the >50 % rule (the import used to exit 3 with "110 of its 210 records
// rejected") and the summary says them apart.
func TestImportKeptRejectsAreNotLost(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "study")
	mustRun(t, "init", study)
	path := writeTwarc2(t, dir, 1, 1)[0]
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	body = bytes.Replace(body, []byte(`"meta":{"result_count":100}}`), []byte(`"meta":{"result_count":100},"__twarc":{"retrieved_at":"3000-01-01T00:00:00+00:00"}}`), 1)
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	res, errs, code := importJSON(t, study, path)
	if code != 0 || res.ExitCode != 0 || len(res.Warnings) != 0 {
		t.Errorf("exit %d, result %+v; want 0 and no warning: every post was stored\n%s", code, res, errs)
	}
	if res.Stored.Posts != 100 || res.Rejected != 110 || res.RejectedKept != 110 ||
		len(res.Files) != 1 || res.Files[0].RejectedKept != 110 {
		t.Errorf("stored %d posts, %d rejected, %d kept; want 100, 110 (100 counts_at, 10 observed_at), all kept", res.Stored.Posts, res.Rejected, res.RejectedKept)
	}
	if len(res.Rejects) == 0 || !res.Rejects[0].Kept || !strings.Contains(res.Rejects[0].Reason, "the time is cleared") {
		t.Errorf("first rejects %+v; want kept ones with their reason", res.Rejects)
	}
	if n := stats(t, study)["rejects"]; n != 110.0 {
		t.Errorf("%v rejects stored; want all 110, with their reasons", n)
	}
	other := filepath.Join(dir, "other")
	mustRun(t, "init", other)
	_, errs, code = run(t, "--study", other, "import", path)
	if code != 0 || strings.Contains(errs, "WARNING") ||
		!strings.Contains(errs, "110 rejected: 0 dropped, 110 kept with a field cleared") || !strings.Contains(errs, "kept, field cleared: ") {
		t.Errorf("summary: exit %d, stderr:\n%s", code, errs)
	}
	// Dropped records still count: 7 of 10 lost is a warning whatever else was kept.
	mixed := filepath.Join(dir, "mixed.csv")
	csvPosts(t, mixed, 10, func(i int) string {
		if i > 3 {
			return fmt.Sprintf("x,%d,a,yesterday,post,,,text", i)
		}
		return ""
	})
	if _, errs, code := run(t, "--study", study, "import", mixed); code != ExitRejected || !strings.Contains(errs, "7 of its 10 records rejected") {
		t.Errorf("mostly dropped: exit %d, stderr:\n%s", code, errs)
	}
}

// TestImportJSONKeepsSummariesWhenAFileBreaksOff: a truncated .gz after a good file used to end
// `import --json` with only {"error", "exit_code"}: the summary of the good file and of what
// the truncated one committed as partial were lost. Now the one result document lists both,
// with the error and exit code 1 in it.
func TestImportJSONKeepsSummariesWhenAFileBreaksOff(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "study")
	mustRun(t, "init", study)
	good := filepath.Join(dir, "good.csv")
	csvPosts(t, good, 10, func(int) string { return "" })
	var rows bytes.Buffer
	rows.WriteString("platform,id,author_id,created_at,kind,ref_id,ref_author_id,text\n")
	for i := 1; i <= 2000; i++ {
		fmt.Fprintf(&rows, "x,c%d,a%d,2021-01-01T00:%02d:00Z,post,,,text %x %x\n", i, i%50, i%60, i*7919, i*104729)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(rows.Bytes())
	zw.Close()
	cut := filepath.Join(dir, "cut.csv.gz")
	if err := os.WriteFile(cut, gz.Bytes()[:gz.Len()*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	res, errs, code := importJSON(t, study, good, cut)
	if code != ExitFailure || res.ExitCode != ExitFailure || !strings.Contains(res.Error, "input incomplete") || !strings.Contains(res.Error, "cut.csv.gz") {
		t.Errorf("exit %d, result exit %d, error %q; want 1 and the break\n%s", code, res.ExitCode, res.Error, errs)
	}
	if len(res.Files) != 2 || res.Files[0].Source != good || res.Files[0].Stored.Posts != 10 ||
		res.Files[1].Source != cut || res.Files[1].Stored.Posts == 0 || !strings.Contains(res.Files[1].Error, "truncated") {
		t.Fatalf("files %+v; want the good file and the partial one", res.Files)
	}
	if n := stats(t, study)["posts"]; n != float64(10+res.Files[1].Stored.Posts) || res.Stored.Posts != 10+res.Files[1].Stored.Posts {
		t.Errorf("%v posts stored, result says %d; want both files' posts", n, res.Stored.Posts)
	}
	// Without --json the summaries are printed too, then the error.
	_, errs, code = run(t, "--study", study, "import", cut)
	if code != ExitFailure || !strings.Contains(errs, cut+" [csv]: ") || !strings.Contains(errs, "partial") || !strings.Contains(errs, "echotrace: "+cut+": input incomplete") {
		t.Errorf("text: exit %d, stderr:\n%s", code, errs)
	}
}

// TestImportReportsWhenSnapshotFails: a failed rebuild of the analysis snapshot after the files
// are committed is a warning, not a failure that hides the import's summary.
func TestImportReportsWhenSnapshotFails(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "study")
	mustRun(t, "init", study)
	first := filepath.Join(dir, "first.csv")
	csvPosts(t, first, 3, func(int) string { return "" })
	mustRun(t, "--study", study, "import", first)
	// Break the snapshot: without snap.meta its rebuild fails.
	db, err := sql.Open("duckdb", filepath.Join(study, "echotrace.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP TABLE snap.meta`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	second := filepath.Join(dir, "second.csv")
	csvPosts(t, second, 5, func(int) string { return "" })
	out, errs, code := run(t, "--study", study, "import", second)
	if code != 0 || !strings.Contains(errs, "warning: the analysis snapshot was not rebuilt") || !strings.Contains(out+errs, second) {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant 0, the file's summary and a warning", code, out, errs)
	}
}
