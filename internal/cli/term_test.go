package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
)

// hostile is a post text that retitles the terminal window (OSC 0 … BEL), clears the screen
// (CSI 2J), reverses what follows (U+202E), and holds a tab and a newline.
const hostile = "\x1b]0;pwned\x07\x1b[2J\u202eevil\tcell\nline"

// hostileShown is how human output shows it.
const hostileShown = `\x1b]0;pwned\x07\x1b[2J\u202eevil\tcell\nline`

// actsOnTerminal returns the first character of s that a terminal would act on (or that would
// break a table's line), or "".
func actsOnTerminal(s string, keepLines bool) string {
	for _, r := range s {
		if termUnsafe(r, keepLines) {
			return string(r)
		}
	}
	return ""
}

func TestTermCell(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, cell, text string }{
		{"plain text, ümlaut, 中文, עברית", "plain text, ümlaut, 中文, עברית", "plain text, ümlaut, 中文, עברית"},
		{hostile, hostileShown, "\\x1b]0;pwned\\x07\\x1b[2J\\u202eevil\tcell\nline"},
		{"a\rb\x00c\x7fd\u009be\u2028f\u2066g\u200fh", `a\rb\x00c\x7fd\u009be\u2028f\u2066g\u200fh`, `a\rb\x00c\x7fd\u009be\u2028f\u2066g\u200fh`},
		{"bad \xff\x9b utf-8, real \ufffd", `bad \xff\x9b utf-8, real ` + "\ufffd", `bad \xff\x9b utf-8, real ` + "\ufffd"},
		{`C:\data\x.csv`, `C:\data\x.csv`, `C:\data\x.csv`},
	} {
		if got := termCell(tc.in); got != tc.cell {
			t.Errorf("termCell(%q) = %q, want %q", tc.in, got, tc.cell)
		}
		if got := termText(tc.in); got != tc.text {
			t.Errorf("termText(%q) = %q, want %q", tc.in, got, tc.text)
		}
	}
}

// hostileStudy is a study holding one post whose text is hostile, by an account whose handle
// holds U+202E.
func hostileStudy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	text, _ := json.Marshal(hostile)
	page := `{"data":[{"id":"1","text":` + string(text) + `,"author_id":"u1","created_at":"2021-01-01T10:00:00.000Z"}],` +
		`"includes":{"users":[{"id":"u1","username":"gnp\u202eexe","name":"N","created_at":"2015-01-01T00:00:00.000Z"}]}}` + "\n"
	file := filepath.Join(dir, "page.jsonl")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "--study", study, "import", file)
	return study
}

// TestSQLTableNeutralisesTerminalControls: `echotrace sql` shows a post text's escape
// sequences, bidi control, tab and newline escaped in its table, keeping the table one line
// per row; --csv and --json print the text byte for byte.
func TestSQLTableNeutralisesTerminalControls(t *testing.T) {
	study := hostileStudy(t)
	q := "SELECT p.text, a.handle FROM posts p JOIN accounts a ON a.id = p.author_id"
	table := mustRun(t, "--study", study, "sql", q)
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	for _, l := range lines {
		if c := actsOnTerminal(l, false); c != "" {
			t.Errorf("table line holds %q: %q", c, l)
		}
	}
	if len(lines) != 3 || !strings.Contains(lines[1], hostileShown) || !strings.Contains(lines[1], `gnp\u202eexe`) {
		t.Errorf("table = %q; want a header, one row showing the text and handle escaped, and the count", table)
	}
	if got := mustRun(t, "--study", study, "sql", "--csv", q); got != "text,handle\n\""+hostile+"\",gnp\u202eexe\n" {
		t.Errorf("--csv = %q; want the text as stored", got)
	}
	var rows []map[string]string
	if err := json.Unmarshal([]byte(mustRun(t, "--study", study, "--json", "sql", q)), &rows); err != nil || len(rows) != 1 || rows[0]["text"] != hostile {
		t.Errorf("--json rows %v (%v); want the text as stored", rows, err)
	}
}

// TestLogNeutralisesTerminalControls: stderr (log lines and the final error), where a query's
// text or a file name is echoed, shows the controls escaped and keeps the lines of a
// multi-line error.
func TestLogNeutralisesTerminalControls(t *testing.T) {
	study := hostileStudy(t)
	oneLine, _, _ := strings.Cut(hostile, "\n")
	_, stderr, code := run(t, "--study", study, "sql", "SELECT '"+oneLine+"' FROM nowhere")
	if code == 0 || !strings.Contains(stderr, `\x1b]0;pwned\x07`) {
		t.Fatalf("exit %d, stderr %q; want the failing query echoed with its controls escaped", code, stderr)
	}
	if c := actsOnTerminal(stderr, true); c != "" {
		t.Errorf("stderr holds %q: %q", c, stderr)
	}
}

// TestFindingsTableNeutralisesTerminalControls: the findings table's per-account rows (handles,
// actor types and countries from the watchlist) and the actor-group columns show controls
// escaped; so does the Markdown table.
func TestFindingsTableNeutralisesTerminalControls(t *testing.T) {
	f := amplify.Findings{
		ActorGroups: []amplify.GroupFindings{{Name: "dip\x1b[2Jlomats"}},
		PerAccount:  []amplify.AccountRow{{Platform: "x", ID: "1", Handle: "amb\u202eila", ActorType: "embassy\x1b]0;x\x07", Country: "G\tB"}},
	}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"table":    func(b *bytes.Buffer) error { return writeFindingsTable(b, f) },
		"markdown": func(b *bytes.Buffer) error { return writeFindingsMD(b, f) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, l := range strings.Split(out, "\n") {
			if c := actsOnTerminal(l, false); c != "" {
				t.Errorf("%s line holds %q: %q", name, c, l)
			}
		}
		for _, want := range []string{`@amb\u202eila`, `embassy\x1b]0;x\x07`, `dip\x1b[2Jlomats`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, out)
			}
		}
	}
}
