package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/settings"
)

// groupsTOML redefines findingsStudy's actor groups. By hand (findingsStudy's doc):
//   - uk = @amb: posts p1 p2, likes 10 + 5 = 15, reposts u1 ×2, u2, u3 = 4; top 1 % of 3
//     reposters is u1: 2/4; u1 suspended: 2/4;
//   - media = @med: p3, likes 7, u1's repost: 1, suspended 1/1, top 1 % 1/1;
//   - both = @amb and @med: the total, posts 3, likes 22, reposts 5, top 1 % u1 3/5, suspended 3/5.
const groupsTOML = `# redefined
[[actor_groups]]
name = "uk"
actor_types = ["ambassador"]

[[actor_groups]]
name = "media"
actor_types = ["state_media", "media_personality"]

[[actor_groups]]
name = "both"
actor_types = ["Ambassador", "state_media"]
`

var groupsWant = map[string]map[string]float64{
	"uk":    {"posts": 2, "likes": 15, "target_reposts": 4, "reposters": 3, "top_share.1": 0.5, "suspended_repost_share": 0.5, "watch_accounts": 1},
	"media": {"posts": 1, "likes": 7, "target_reposts": 1, "reposters": 1, "top_share.1": 1, "suspended_repost_share": 1, "watch_accounts": 1},
	"both":  {"posts": 3, "likes": 22, "target_reposts": 5, "reposters": 3, "top_share.1": 0.6, "suspended_repost_share": 0.6, "watch_accounts": 2},
}

func writeSettings(t *testing.T, study, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(study, settings.File), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// findingsGroups decodes findings --json's actor groups and their source.
func findingsGroups(t *testing.T, out string) (string, []amplify.GroupFindings) {
	t.Helper()
	var f amplify.Findings
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return f.ActorGroupsSource, f.ActorGroups
}

func checkGroups(t *testing.T, got []amplify.GroupFindings, want map[string]map[string]float64, order ...string) {
	t.Helper()
	if len(got) != len(order) {
		t.Fatalf("%d actor groups %+v, want %v", len(got), got, order)
	}
	for i, g := range got {
		if g.Name != order[i] {
			t.Errorf("group %d is %q, want %q", i, g.Name, order[i])
		}
		for k, v := range want[g.Name] {
			if x, ok := g.Figures[k]; !ok || math.Abs(x-v) > 1e-12 {
				t.Errorf("%s %s = %v (present %v), want %v", g.Name, k, x, ok, v)
			}
		}
	}
}

// TestActorGroupsPrecedence: --actor-group > echotrace.toml > the built-in groups, and
// findings --json says which it used; the toml's groups reach every findings format.
func TestActorGroupsPrecedence(t *testing.T) {
	study := findingsStudy(t)
	out, errs, code := runFindings(t, study, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	src, groups := findingsGroups(t, out)
	if src != amplify.GroupsFromDefaults {
		t.Errorf("no settings file: source %q, want %q", src, amplify.GroupsFromDefaults)
	}
	checkGroups(t, groups, map[string]map[string]float64{"diplomats": groupsWant["uk"], "state_media": groupsWant["media"]}, "diplomats", "state_media")

	writeSettings(t, study, groupsTOML)
	out, errs, code = runFindings(t, study, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	src, groups = findingsGroups(t, out)
	if src != amplify.GroupsFromSettings {
		t.Errorf("with echotrace.toml: source %q, want %q", src, amplify.GroupsFromSettings)
	}
	checkGroups(t, groups, groupsWant, "uk", "media", "both")
	if m := decode(t, out); m["actor_groups_source"] != "echotrace.toml" {
		t.Errorf("actor_groups_source = %v", m["actor_groups_source"])
	}

	out, _, _ = runFindings(t, study, "--csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || strings.Join(rows[0], ",") != "metric,value,uk,media,both" {
		t.Fatalf("csv header %v (%v)", rows, err)
	}
	for _, r := range rows {
		if r[0] == "likes" && strings.Join(r[1:], " ") != "22 15 7 22" {
			t.Errorf("csv likes %v, want 22 15 7 22", r)
		}
	}
	if out, _, _ = runFindings(t, study, "--md"); !strings.Contains(out, "| Metric | Value | uk | media | both |") || !strings.Contains(out, "| Likes (latest public counts) | 22 | 15 | 7 | 22 |") {
		t.Errorf("markdown:\n%s", out)
	}
	if out, _, _ = runFindings(t, study); !regexp.MustCompile(`(?m)^\s+total\s+uk\s+media\s+both$`).MatchString(out) || !regexp.MustCompile(`(?m)^Likes \(latest public counts\)\s+22\s+15\s+7\s+22$`).MatchString(out) {
		t.Errorf("table:\n%s", out)
	}

	out, errs, code = runFindings(t, study, "--json", "--actor-group", "solo=state_media")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	src, groups = findingsGroups(t, out)
	if src != amplify.GroupsFromFlags {
		t.Errorf("with --actor-group: source %q, want %q", src, amplify.GroupsFromFlags)
	}
	checkGroups(t, groups, map[string]map[string]float64{"solo": groupsWant["media"]}, "solo")
	if out, _, _ = runFindings(t, study, "--json", "--actor-group", "none"); !strings.Contains(out, `"actor_groups_source": "--actor-group"`) || strings.Contains(out, `"actor_groups":`) {
		t.Errorf("--actor-group none over echotrace.toml: %s", out[:min(len(out), 300)])
	}

	writeSettings(t, study, "actor_groups = []\n")
	out, _, _ = runFindings(t, study, "--json")
	if src, groups = findingsGroups(t, out); src != amplify.GroupsFromSettings || len(groups) != 0 {
		t.Errorf("actor_groups = []: source %q, %d groups; want echotrace.toml, none", src, len(groups))
	}
}

// TestStoredActorGroupsFollowSettings: analyze stores the toml's groups; once the file
// changes, findings, report, export and serve say the stored groups are not the settings'
// (report --strict refuses) until analyze runs again. The report's methods name the groups
// and where they were defined.
func TestStoredActorGroupsFollowSettings(t *testing.T) {
	study := findingsStudy(t)
	dir := t.TempDir()
	writeSettings(t, study, groupsTOML)
	mustRun(t, "--study", study, "analyze", "--no-coord")
	out, errs, code := runFindings(t, study, "--json")
	if code != 0 || strings.Contains(errs, "warning") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	src, groups := findingsGroups(t, out)
	if src != amplify.GroupsFromSettings {
		t.Errorf("stored source %q", src)
	}
	checkGroups(t, groups, groupsWant, "uk", "media", "both")
	html := filepath.Join(dir, "r.html")
	if _, errs, code := run(t, "--study", study, "report", "--strict", "--out", html); code != 0 {
		t.Fatalf("report: exit %d, %s", code, errs)
	}
	page, _ := os.ReadFile(html)
	if !strings.Contains(string(page), "uk = ambassador; media = state_media, media_personality; both = ambassador, state_media") ||
		!strings.Contains(string(page), "defined in the study&#39;s settings file, echotrace.toml") {
		t.Error("the report's methods do not name the actor groups and their source")
	}

	writeSettings(t, study, "[[actor_groups]]\nname = \"uk\"\nactor_types = [\"ambassador\", \"embassy\"]\n")
	_, errs, _ = runFindings(t, study, "--json")
	if !strings.Contains(errs, "warning: the stored findings' actor groups (echotrace.toml's at the time: uk, media, both) are not those echotrace.toml defines now (uk): run `echotrace analyze`") {
		t.Errorf("findings after editing echotrace.toml: stderr %q", errs)
	}
	_, errs, code = run(t, "--study", study, "report", "--out", html)
	page, _ = os.ReadFile(html)
	if code != 0 || !strings.Contains(errs, "not those echotrace.toml defines now") || !strings.Contains(string(page), "not those echotrace.toml defines now") {
		t.Errorf("report after editing echotrace.toml: exit %d, stderr %q, warning in page %v", code, errs, strings.Contains(string(page), "defines now"))
	}
	if _, errs, code := run(t, "--study", study, "report", "--strict", "--out", html); code != ExitRejected {
		t.Errorf("report --strict with stale actor groups: exit %d, %s", code, errs)
	}
	exp := filepath.Join(dir, "export")
	mustRun(t, "--study", study, "export", "--format", "csv", "--out", exp)
	if man := manifest(t, exp); len(man.Warnings) == 0 || !strings.Contains(man.Warnings[len(man.Warnings)-1], "defines now") {
		t.Errorf("export manifest warnings %q", man.Warnings)
	}

	mustRun(t, "--study", study, "analyze", "--no-coord")
	out, errs, _ = runFindings(t, study, "--json")
	if strings.Contains(errs, "warning") {
		t.Errorf("after analyze: %s", errs)
	}
	_, groups = findingsGroups(t, out)
	checkGroups(t, groups, map[string]map[string]float64{"uk": groupsWant["uk"]}, "uk")
	// Removing the file means the built-in groups, which the stored ones are not.
	os.Remove(filepath.Join(study, settings.File))
	if _, errs, _ = runFindings(t, study); !strings.Contains(errs, "are not the built-in groups (diplomats, state_media)") {
		t.Errorf("after removing echotrace.toml: %q", errs)
	}
}

// TestSettingsErrorsRefused: a wrong echotrace.toml stops every command that reads it, with
// exit 2 and a message naming the file, line and key (every mistake: settings.TestParseErrors).
func TestSettingsErrorsRefused(t *testing.T) {
	study := findingsStudy(t)
	mustRun(t, "--study", study, "analyze", "--no-coord")
	path := filepath.Join(study, settings.File)
	out := t.TempDir()
	for _, tc := range []struct{ name, text, want string }{
		{"unknown type", "[[actor_groups]]\nname = \"uk\"\nactor_types = [\"ambassador\", \"spy\"]\n", path + `:3: actor_groups[1].actor_types: unknown actor type "spy"`},
		{"unknown key", "\n[[actor_groups]]\nname = \"uk\"\ncolor = 1\nactor_types = [\"ambassador\"]\n", path + ":4: actor_groups.color: unknown setting"},
		{"duplicate", groupsTOML + "[[actor_groups]]\nname = \"uk\"\nactor_types = [\"staff\"]\n", path + `:14: actor_groups[4].name: "uk" is the name of group 1 too`},
		{"empty types", "[[actor_groups]]\nname = \"uk\"\nactor_types = []\n", path + `:3: actor_groups[1].actor_types: group "uk" needs at least one actor type`},
		{"syntax", "[[actor_groups]\n", path + ":1: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeSettings(t, study, tc.text)
			for _, args := range [][]string{
				{"findings"}, {"findings", "--actor-group", "x=staff"}, {"analyze", "--no-coord"},
				{"report", "--out", filepath.Join(out, "r.html")}, {"export", "--out", filepath.Join(out, "e")},
				{"serve", "--listen", "127.0.0.1:0"}, {"init"},
			} {
				_, errs, code := run(t, append([]string{"--study", study}, args...)...)
				if code != ExitUsage || !strings.Contains(errs, tc.want) {
					t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", args, code, errs, tc.want)
				}
			}
			stdout, _, code := run(t, "--study", study, "findings", "--json")
			if m := decode(t, stdout); code != ExitUsage || !strings.Contains(m["error"].(string), tc.want) {
				t.Errorf("findings --json: exit %d, %v", code, m)
			}
		})
	}
}

// TestInitWritesSettings: init writes the commented echotrace.toml, which means the built-in
// groups, and leaves an existing one alone.
func TestInitWritesSettings(t *testing.T) {
	study := filepath.Join(t.TempDir(), "s")
	mustRun(t, "init", study)
	path := filepath.Join(study, settings.File)
	body, err := os.ReadFile(path)
	if err != nil || string(body) != string(settings.Template()) {
		t.Fatalf("init wrote %q (%v)", body, err)
	}
	s, err := settings.Read(study)
	if err != nil || s.ActorGroups != nil {
		t.Fatalf("init's settings: %+v, %v; want the defaults", s, err)
	}
	if out := mustRun(t, "--study", study, "findings", "--json"); !strings.Contains(out, `"actor_groups_source": "defaults"`) {
		t.Errorf("findings on a new study: %s", out[:min(len(out), 400)])
	}
	writeSettings(t, study, groupsTOML)
	mustRun(t, "init", study)
	if body, _ := os.ReadFile(path); string(body) != groupsTOML {
		t.Error("init overwrote the study's echotrace.toml")
	}
}

// serveStudy starts `echotrace serve` on a free loopback port and returns a getter and a stop
// function that waits for its exit.
func serveStudy(t *testing.T, study string) (func(path string) string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
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
		for _, l := range strings.Split(out.String(), "\n") {
			if u, ok := strings.CutPrefix(l, "echotrace dashboard: "); ok {
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
	return get, func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exit %d: %s", code, errb.String())
		}
	}
}

// TestServeActorGroupsFromSettings: the dashboard shows the groups echotrace.toml defined
// when analyze ran, with the hand-computed figures of groupsTOML, and warns (or refuses
// under --strict) once the file defines others.
func TestServeActorGroupsFromSettings(t *testing.T) {
	study := findingsStudy(t)
	writeSettings(t, study, groupsTOML)
	mustRun(t, "--study", study, "analyze", "--no-coord")
	get, stop := serveStudy(t, study)
	var ov struct {
		Source   string `json:"actor_groups_source"`
		Warnings []string
		Groups   []struct {
			Name   string             `json:"name"`
			Values map[string]float64 `json:"values"`
		} `json:"actor_groups"`
	}
	if err := json.Unmarshal([]byte(get("api/overview")), &ov); err != nil {
		t.Fatal(err)
	}
	var gf []amplify.GroupFindings
	for _, g := range ov.Groups {
		gf = append(gf, amplify.GroupFindings{Name: g.Name, Figures: g.Values})
	}
	checkGroups(t, gf, groupsWant, "uk", "media", "both")
	if ov.Source != "echotrace.toml" || len(ov.Warnings) != 0 {
		t.Errorf("overview: source %q, warnings %q", ov.Source, ov.Warnings)
	}
	page := get("")
	if !strings.Contains(page, `<th class="n">Total</th><th class="n" scope="col">uk</th><th class="n" scope="col">media</th><th class="n" scope="col">both</th>`) ||
		!regexp.MustCompile(`<tr data-key="likes"><td>[^<]*</td><td class="n">22</td><td class="n">15</td><td class="n">7</td><td class="n">22</td></tr>`).MatchString(page) {
		t.Errorf("the dashboard's headline has no column per actor group:\n%s", page)
	}
	stop()

	writeSettings(t, study, "actor_groups = []\n")
	if _, errs, code := run(t, "--study", study, "serve", "--strict", "--listen", "127.0.0.1:0"); code != ExitRejected || !strings.Contains(errs, "not those echotrace.toml defines now (none)") {
		t.Errorf("serve --strict with stale actor groups: exit %d, %s", code, errs)
	}
	get, stop = serveStudy(t, study)
	defer stop()
	if page := get(""); !strings.Contains(page, "are not those echotrace.toml defines now (none)") {
		t.Error("the dashboard does not warn about the stale actor groups")
	}
}
