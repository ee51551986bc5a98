package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestCollectAccountsWatchlistCSV: --accounts given the watchlist CSV collects the handles (or,
// without one, the ids) of its rows for the platform — not its header and rows as handles.
func TestCollectAccountsWatchlistCSV(t *testing.T) {
	t.Setenv("ECHOTRACE_X_BEARER_TOKEN", collectToken)
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	srv := newFakeX(t, map[string]bool{"AmbLiu": true, "1300": true}, false)
	wl := writeFile(t, filepath.Join(dir, "watchlist.csv"), "\ufeffplatform,handle,id,actor_type,country,outlet,lang,since,until\n"+
		"x,@AmbLiu,100,ambassador,GB,Embassy,en,,\n"+
		"bluesky,emb.bsky.social,,embassy,GB,,,,\n"+
		"x,,1300,state_media,CN,CGTN,,,\n")
	out, stderr, code := run(t, "--study", study, "--json", "collect", "x", "--api-base", srv.URL, "--accounts", wl)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, stderr)
	}
	if got := strings.Join(srv.usernames(), ","); got != "AmbLiu,1300" {
		t.Errorf("usernames asked for: %q; want AmbLiu,1300", got)
	}
	var res struct {
		Accounts int      `json:"accounts"`
		NotFound []string `json:"not_found"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Accounts != 2 || len(res.NotFound) != 0 {
		t.Errorf("result %s (%v); want 2 accounts, none missing", out, err)
	}
	// A CSV that is not a watchlist, and lines that are not handles, are refused as usage.
	for name, body := range map[string]string{
		"other.csv":   "user,followers\namb,10\n",
		"tabbed.txt":  "platform\thandle\nx\tamb\n",
		"spaced.txt":  "amb\nsome one\n",
		"comment.txt": "# only a comment\n\n",
	} {
		_, stderr, code := run(t, "--study", study, "collect", "x", "--api-base", srv.URL, "--accounts", writeFile(t, filepath.Join(dir, name), body))
		if code != ExitUsage || !strings.Contains(stderr, name) {
			t.Errorf("%s: exit %d, stderr %q; want 2 naming the file", name, code, stderr)
		}
	}
}

// TestCollectFailsWhenNoAccountFound: when none of the accounts exists the command exits 1
// and says so, instead of exiting 0 having collected nothing; one found of two is a success
// that names the other.
func TestCollectFailsWhenNoAccountFound(t *testing.T) {
	t.Setenv("ECHOTRACE_X_BEARER_TOKEN", collectToken)
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	srv := newFakeX(t, map[string]bool{"real": true}, false)
	_, stderr, code := run(t, "--study", study, "collect", "x", "--api-base", srv.URL,
		"--accounts", writeFile(t, filepath.Join(dir, "gone.txt"), "gone1\n@gone2\n"))
	if code != ExitFailure || !strings.Contains(stderr, "none of the accounts was found") || !strings.Contains(stderr, "gone2") {
		t.Errorf("no account found: exit %d, stderr %q; want 1 saying none was found", code, stderr)
	}
	out, stderr, code := run(t, "--study", study, "--json", "collect", "x", "--api-base", srv.URL,
		"--accounts", writeFile(t, filepath.Join(dir, "some.txt"), "real\ngone1\n"))
	if code != 0 || !strings.Contains(out, `"gone1"`) {
		t.Errorf("one of two found: exit %d, out %s %s; want 0 listing gone1 as not found", code, out, stderr)
	}
}

// TestCollectAccountsWatchlistCSVChecksHandles: the watchlist CSV path of --accounts applies
// the check of the one-per-line path — a handle with a space, a control or a quote is refused
// as usage, naming the file, the line and the column — instead of asking the API for it.
func TestCollectAccountsWatchlistCSVChecksHandles(t *testing.T) {
	t.Setenv("ECHOTRACE_X_BEARER_TOKEN", collectToken)
	dir := t.TempDir()
	study := filepath.Join(dir, "s")
	mustRun(t, "init", study)
	srv := newFakeX(t, map[string]bool{"AmbLiu": true}, false)
	for _, tc := range []struct{ name, row, want string }{
		{"space.csv", `x,"Amb Liu",100,ambassador,GB,,,,`, `:3: handle "Amb Liu" is not a handle`},
		{"control.csv", "x,Amb\x1bLiu,100,ambassador,GB,,,,", `:3: handle "Amb\x1bLiu" is not a handle`},
		{"id.csv", `x,,"13;00",state_media,CN,,,,`, `:3: id "13;00" is not a handle or id`},
	} {
		wl := writeFile(t, filepath.Join(dir, tc.name), "platform,handle,id,actor_type,country,outlet,lang,since,until\n"+
			"x,AmbLiu,1,ambassador,GB,,,,\n"+tc.row+"\n")
		_, stderr, code := run(t, "--study", study, "collect", "x", "--api-base", srv.URL, "--accounts", wl)
		if code != ExitUsage || !strings.Contains(stderr, tc.name+tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, stderr, tc.name+tc.want)
		}
	}
	if got := srv.usernames(); len(got) != 0 {
		t.Errorf("usernames asked for: %q; want none (the file is refused first)", got)
	}
}
