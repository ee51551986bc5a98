package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/report"
	"github.com/echotrace/echotrace/internal/report/pseudonym"
)

// rlo is RIGHT-TO-LEFT OVERRIDE: after it, "gnp.exe" reads "exe.png".
const rlo = "\u202e"

// bidiControls are the characters that must not reach a page raw.
const bidiControls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"

// TestDashboardBidiControlsIsolated: a handle, a study name, a cluster's targets, example
// texts and members holding bidi controls render in the dashboard and the cluster page with
// the controls removed, and handles isolated in <bdi>.
func TestDashboardBidiControlsIsolated(t *testing.T) {
	sn := &snapshot{m: pseudonym.New(testKey, true), reveal: true, platform: "x", weekly: map[string][]weekView{}}
	evil := report.Account{Platform: "x", ID: "ID" + rlo + "1", Handle: "evil" + rlo + "gnp.exe", Name: "N" + rlo, Status: "active", Followers: 1}
	pin := report.Input{Amplifiers: []report.Amplifier{{Account: evil, Reposts: 3, Share: 1, Cluster: "0"}}}
	ov := overviewView{Study: "study" + rlo + "\u2067", Note: "note " + rlo, Pseudonymised: false}
	ov.Analysed = true
	evilGroup := "grp" + rlo + "<script>x</script>"
	ov.ActorGroups = []groupView{{Name: evilGroup, ActorTypes: []string{"staff" + rlo}}}
	f := amplify.Findings{Posts: 3, ActorGroups: []amplify.GroupFindings{{Name: evilGroup, Figures: map[string]float64{"posts": 2}}}}
	dash, err := renderDashboard(ov, f, sn, pin)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(dash), "<script>x") || !strings.Contains(string(dash), "grp&lt;script&gt;x&lt;/script&gt;") {
		t.Error("dashboard: the actor group's name is not escaped")
	}
	member := memberView{accountView: sn.view(evil)}
	card := &clusterCard{clusterSummary: clusterSummary{ID: "0", Size: 1, Signals: map[string]int{"co-" + rlo + "link": 1}},
		Members:   []memberView{member},
		Targets:   []targetView{{Object: "https://evil.example/" + rlo + "fdp.exe", Author: &member.accountView, CoActions: 2}},
		Examples:  []exampleView{{Author: member.accountView, Kind: "post" + rlo, Text: "read " + rlo + "txt.exe"}},
		CoActions: []coActionView{{Signal: "co-link", Object: "#tag" + rlo + "gat"}}}
	var page bytes.Buffer
	if err := clusterTmpl.Execute(&page, clusterPageView{C: card, Members: card.Members}); err != nil {
		t.Fatal(err)
	}
	for name, html := range map[string]string{"dashboard": string(dash), "cluster page": page.String()} {
		if i := strings.IndexAny(html, bidiControls); i >= 0 {
			t.Errorf("%s: bidi control %U: …%s…", name, []rune(html[i:])[0], html[max(0, i-60):min(len(html), i+20)])
		}
		if !strings.Contains(html, "<bdi>@evilgnp.exe</bdi>") {
			t.Errorf("%s: the handle is not isolated in <bdi>", name)
		}
	}
	for _, want := range []string{"https://evil.example/fdp.exe", "read txt.exe", "#taggat", "co-link (1)"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("cluster page lacks %q", want)
		}
	}
}
