package cli

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestStepsPlain: off a terminal, a coordination run logs each step's start and end with its
// count, in order; every step that starts ends.
func TestStepsPlain(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	paths := writeTwarc2(t, dir, 2, 30)
	mustRun(t, append([]string{"--study", study, "import"}, paths...)...)
	_, errs, code := run(t, "--study", study, "coord", "--no-store")
	if code != 0 {
		t.Fatalf("coord: exit %d\n%s", code, errs)
	}
	var order []string
	started := map[string]bool{}
	end := regexp.MustCompile(`^coordination: ([a-z -]+): (\d+) in \d+\.\ds$`)
	for _, line := range strings.Split(errs, "\n") {
		if name, ok := strings.CutSuffix(strings.TrimPrefix(line, "coordination: "), " …"); ok && strings.HasPrefix(line, "coordination: ") {
			started[name] = true
			order = append(order, name)
			continue
		}
		if m := end.FindStringSubmatch(line); m != nil {
			if !started[m[1]] {
				t.Errorf("step %q ended without starting", m[1])
			}
			delete(started, m[1])
		}
	}
	for s := range started {
		t.Errorf("step %q started and never ended:\n%s", s, errs)
	}
	want := []string{"read", "co-action pairs", "empirical null", "account test", "pair scores", "cluster tests"}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("steps %q, want %q\n%s", order, want, errs)
	}
	if !strings.Contains(errs, "coordination: read: 6000 in") {
		t.Errorf("read step does not count the 6,000 rows:\n%s", errs)
	}
}

// TestStepsBars: on a terminal each step is a bar with its counts; the display ends cleanly
// also when a step is left unfinished (an error).
func TestStepsBars(t *testing.T) {
	var buf bytes.Buffer
	a := &App{Err: &buf, Interactive: true}
	cb, done := a.steps("coordination")
	cb("read", 0, 1000)
	cb("read", 500, 1000)
	cb("read", 1000, 1000)
	cb("pair scores", 10, 20) // never finished
	done()
	out := buf.String()
	for _, want := range []string{"coordination: read", "1000 / 1000", "coordination: pair scores"} {
		if !strings.Contains(out, want) {
			t.Errorf("bars lack %q:\n%q", want, out)
		}
	}
}
