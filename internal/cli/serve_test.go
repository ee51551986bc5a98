package cli

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/store/duckdb"
)

// holdStudyEnv names the study that TestHoldStudyLockHelper opens for writing.
const holdStudyEnv = "ECHOTRACE_TEST_HOLD_STUDY"

// TestHoldStudyLockHelper is not a test: run as a child process with holdStudyEnv set, it opens
// that study for writing (as an import does), says "locked" and holds it until its stdin closes.
func TestHoldStudyLockHelper(t *testing.T) {
	dir := os.Getenv(holdStudyEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	db, err := duckdb.Open(context.Background(), dir, duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	os.Stdout.WriteString("locked\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// holdStudy opens study for writing in a child process until the test ends: DuckDB's lock is
// per process, so the holder must be another one.
func holdStudy(t *testing.T, study string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldStudyLockHelper$")
	cmd.Env = append(os.Environ(), holdStudyEnv+"="+study)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("lock holder said %q (%v)", line, err)
	}
}

// TestServeWhileStudyLocked: while another process writes to the study (an import, collect
// or analyze), serve cannot open it; it says so, and what to do, instead of DuckDB's bare
// "could not set lock".
func TestServeWhileStudyLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	study := filepath.Join(t.TempDir(), "s")
	mustRun(t, "init", study)
	holdStudy(t, study)
	for _, args := range [][]string{{"serve", "--listen", "127.0.0.1:0"}, {"serve", "--listen", "127.0.0.1:0", "--reveal"}} {
		_, stderr, code := run(t, append([]string{"--study", study}, args...)...)
		if code != ExitFailure {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
		for _, want := range []string{"another process", "import", "wait for it to finish"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v: stderr %q lacks %q", args, stderr, want)
			}
		}
	}
}
