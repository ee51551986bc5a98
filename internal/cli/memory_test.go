package cli

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/membudget"
)

// TestMemoryBudget: --memory is parsed (a bad size is a usage error), reaches DuckDB as its
// memory_limit with the study's tmp folder for spills, and a coordination run whose estimate
// exceeds it is refused before it loads anything, naming the budget it would need.
func TestMemoryBudget(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1)) // the runs below set the soft limit
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	paths := writeTwarc2(t, dir, 2, 30) // 6,000 tweets
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

	// A small study under the smallest budget is not refused (6,000 rows: ≈ 184 MB).
	mustRun(t, "--study", study, "--memory", "256MiB", "analyze")

	// Over the budget, the check refuses before loading, with the model's figure and the
	// --memory it needs: 6,000 tweets, of which 1,980 retweets (33 of each page's 100, 60 pages)
	// and 4,020 texts, read by every signal; the retweets alone by co-repost.
	small := &App{Study: study, Memory: 100 << 20}
	st, err := small.OpenStore(t.Context(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []struct {
		signals []coord.Signal
		rows    int64
	}{{nil, 6000}, {[]coord.Signal{coord.CoRepost}, 1980}} {
		err := small.checkCoordMemory(t.Context(), st, coord.Params{Signals: c.signals})
		var ts *membudget.TooSmall
		if !errors.As(err, &ts) {
			t.Fatalf("signals %v under 100 MiB: %v, want a TooSmall refusal", c.signals, err)
		}
		if want := membudget.Budget(coord.MemoryFixed + coord.MemoryPerRow*c.rows); ts.Need != want {
			t.Errorf("signals %v: need %d, want %d (%d rows)", c.signals, ts.Need, want, c.rows)
		}
		if !strings.Contains(err.Error(), "--memory 1GiB") {
			t.Errorf("message %q does not name the budget needed", err)
		}
	}
	small.Memory = 1 << 30
	if err := small.checkCoordMemory(t.Context(), st, coord.Params{}); err != nil {
		t.Errorf("1 GiB refused: %v", err)
	}

	// coord --no-store leaves the study untouched: no tmp/ folder.
	other := filepath.Join(dir, "s2")
	mustRun(t, "init", other)
	mustRun(t, append([]string{"--study", other, "import"}, paths...)...)
	mustRun(t, "--study", other, "coord", "--signals", "co-repost", "--no-store")
	if _, err := os.Stat(filepath.Join(other, TempDir)); !os.IsNotExist(err) {
		t.Errorf("coord --no-store made %s/: %v", TempDir, err)
	}
}
