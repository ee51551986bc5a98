package cli

import (
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestMemoryBudget: --memory is parsed (a bad size is a usage error), reaches DuckDB as its
// memory_limit with the study's tmp folder for spills, and a coordination run whose estimate
// exceeds it is refused before it loads anything, naming the budget it would need.
func TestMemoryBudget(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1)) // the runs below set the soft limit
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	paths := writeTwarc2(t, dir, 2, 30) // 6,000 tweets, 2,000 of them retweets
	mustRun(t, append([]string{"--study", study, "import"}, paths...)...)

	if _, errs, code := run(t, "--study", study, "--memory", "12 parsecs", "stats"); code != ExitUsage || !strings.Contains(errs, "--memory") {
		t.Errorf("bad --memory: exit %d, %q", code, errs)
	}
	out := mustRun(t, "--study", study, "--memory", "1GiB", "sql", "--csv",
		"SELECT current_setting('memory_limit') AS m, current_setting('temp_directory') AS t")
	want := "m,t\n409.0 MiB," + filepath.Join(study, TempDir) + "\n" // 40 % of 1 GiB, in whole MiB
	if out != want {
		t.Errorf("DuckDB settings under --memory 1GiB:\n%q\nwant\n%q", out, want)
	}

	// 6,000 rows read (2,000 reposts + 4,000 texts): 253 MiB + 855 B each ≈ 258 MiB > 256 MiB.
	_, errs, code := run(t, "--study", study, "--memory", "256MiB", "analyze")
	if code != ExitFailure || !strings.Contains(errs, "coordination needs about") || !strings.Contains(errs, "--memory 1GiB") {
		t.Errorf("analyze over budget: exit %d, %q", code, errs)
	}
	if got := mustRun(t, "--study", study, "sql", "--csv", "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE 'result_%'"); got != "n\n0\n" {
		t.Errorf("a refused analyze stored results: %q", got)
	}
	// One signal reads only the reposts: it fits.
	mustRun(t, "--study", study, "--memory", "256MiB", "coord", "--signals", "co-repost", "--no-store")
}
