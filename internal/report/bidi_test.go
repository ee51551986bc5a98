package report

import (
	"strings"
	"testing"
)

// rlo is RIGHT-TO-LEFT OVERRIDE: after it, "gnp.exe" reads "exe.png".
const rlo = "\u202e"

// bidiControls are the characters that must not reach a page raw.
const bidiControls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"

// TestBidiControlsIsolated: bidi controls in handles, names, bios, texts, targets, outlets,
// titles and parameters never reach the report raw, and inline values are isolated in <bdi>.
func TestBidiControlsIsolated(t *testing.T) {
	in := fixedInput()
	in.Title = "Report " + rlo + "draw"
	in.Study = "study" + rlo + "\u2066"
	in.Methods.Params[0].Value = "60s" + rlo
	in.Methods.Sources[0].Source = "/data/" + rlo + "lmth.jsonl"
	in.Outlets[0].Outlet = "Emb" + rlo + "assy"
	in.LabelsByCountry[0].Group = "G" + rlo + "B"
	in.Amplifiers[0].Account.Handle = "evil" + rlo + "gnp.exe"
	in.Amplifiers[0].Account.Name = "Name" + rlo + "\u200f"
	in.Amplifiers[0].Account.Bio = "bio \u202b\u202a\u202c\u202d"
	in.Amplifiers[0].TopTarget = "Amb" + rlo + "Liu"
	in.Clusters[0].SharedTargets[0].Object = "#tag" + rlo + "gat"
	in.Clusters[0].Examples[0].Text = "look " + rlo + "txt.exe \u2067\u2068\u2069\u061c\u200e"
	in.Clusters[0].Members[0].Name = "member" + rlo
	for _, reveal := range []bool{false, true} {
		html := render(t, in, Options{Key: testKey, Reveal: reveal})
		if i := strings.IndexAny(html, bidiControls); i >= 0 {
			t.Errorf("reveal=%v: bidi control %U in the report: …%s…", reveal, []rune(html[i:])[0], html[max(0, i-60):min(len(html), i+20)])
		}
		want := []string{"<bdi>@AmbLiu</bdi> (90.0 %)", "<bdi>#taggat</bdi>", "<bdi>look txt.exe </bdi>", "<h1>Report draw</h1>"}
		if reveal {
			want = append(want, "<bdi>@evilgnp.exe</bdi>", "<br><bdi>Name</bdi>", "(<bdi>member</bdi>)")
		}
		for _, w := range want {
			if !strings.Contains(html, w) {
				t.Errorf("reveal=%v: report lacks %q", reveal, w)
			}
		}
	}
}

func TestIsBidiControl(t *testing.T) {
	t.Parallel()
	for _, r := range bidiControls {
		if !IsBidiControl(r) {
			t.Errorf("IsBidiControl(%U) = false", r)
		}
	}
	for _, r := range "aא\u200b\u200d\u2029\u2070\u202f\u2065" {
		if IsBidiControl(r) {
			t.Errorf("IsBidiControl(%U) = true", r)
		}
	}
	if got := StripBidi("a" + bidiControls + "b"); got != "ab" {
		t.Errorf("StripBidi = %q", got)
	}
	if got := Isolate(`<x>` + rlo); got != "<bdi>&lt;x&gt;</bdi>" {
		t.Errorf("Isolate = %q", got)
	}
}
