package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func render(t testing.TB, in Input, opt Options) string {
	t.Helper()
	if opt.Now.IsZero() {
		opt.Now = fixedNow
	}
	var b bytes.Buffer
	if err := Render(&b, in, opt); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"fixed.html", Options{Key: testKey}},
		{"fixed-reveal.html", Options{Reveal: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, fixedInput(), tc.opt)
			golden := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("report differs from %s (run go test -update and review the diff)", golden)
			}
		})
	}
}

func TestRenderNeedsKey(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, fixedInput(), Options{}); err != ErrNoKey {
		t.Fatalf("Render without key = %v, want ErrNoKey", err)
	}
}

func TestSelfContained(t *testing.T) {
	html := render(t, fixedInput(), Options{Key: testKey})
	for _, bad := range []string{"<script", "http://", "https://", "src=", "@import", "url(", "<link", "<iframe", "<img"} {
		if strings.Contains(html, bad) {
			t.Errorf("report contains %q; it must load nothing", bad)
		}
	}
	if !strings.Contains(html, `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`) {
		t.Error("CSP meta tag missing")
	}
	for _, id := range sectionIDs {
		if !strings.Contains(html, `<section id="`+id+`">`) {
			t.Errorf("section %q missing", id)
		}
	}
	for _, id := range chartIDs {
		if !strings.Contains(html, `data-chart="`+id+`"`) {
			t.Errorf("chart %q missing", id)
		}
	}
}

// sectionIDs and chartIDs are what every report must contain.
var (
	sectionIDs = []string{"summary", "methods", "concentration", "composition", "speed", "activity", "creation", "labels", "outlets", "network", "amplifiers", "clusters"}
	chartIDs   = []string{"lorenz", "weekly-1", "latency", "gaps", "hours", "creation", "labels-actor", "labels-country", "outlets", "network"}
)

func TestPseudonymised(t *testing.T) {
	html := render(t, fixedInput(), Options{Key: testKey})
	// private handles, names, bios and ids never appear; watch accounts do.
	for _, secret := range []string{"private_person1", "private_person2", "organic_fan", "quiet_one", "somebody_else",
		"Private Person", "Another Person", "just me", "9001", "9002", string(testKey)} {
		if strings.Contains(html, secret) {
			t.Errorf("pseudonymised report contains %q", secret)
		}
	}
	for _, public := range []string{"@AmbLiuXiaoMing", "ChineseEmbinUK", "me@example.org", "acct_"} {
		if !strings.Contains(html, public) {
			t.Errorf("pseudonymised report lacks %q", public)
		}
	}
	// the same account has one pseudonym everywhere: the author pseudonym of a1 is also the
	// pseudonym replacing the mention "@private_person2" of a2 (known handle → id).
	revealed := render(t, fixedInput(), Options{Reveal: true})
	for _, s := range []string{"private_person1", "Private Person", "just me", "@somebody_else"} {
		if !strings.Contains(revealed, s) {
			t.Errorf("revealed report lacks %q", s)
		}
	}
}

func TestPseudonymiseConsistent(t *testing.T) {
	in := Pseudonymise(fixedInput(), newMapper())
	a2 := in.Clusters[0].Members[1].Handle
	if !strings.HasPrefix(a2, "acct_") || len(a2) != 15 {
		t.Fatalf("pseudonym %q: want acct_ + 10 chars", a2)
	}
	if got := in.Clusters[0].Examples[0].Text; !strings.Contains(got, "@"+a2+" ") {
		t.Errorf("mention of private_person2 in %q is not its account pseudonym %q", got, a2)
	}
	if in.Amplifiers[1].Account.Handle != a2 || in.Edges[0].Target != a2 {
		t.Errorf("amplifier %q / edge target %q differ from member pseudonym %q", in.Amplifiers[1].Account.Handle, in.Edges[0].Target, a2)
	}
	if in.Clusters[0].Members[0].ID != in.Edges[0].Source {
		t.Errorf("edge source %q is not member id %q", in.Edges[0].Source, in.Clusters[0].Members[0].ID)
	}
	// the input is not modified
	if fixedInput().Amplifiers[0].Account.Handle != "private_person1" {
		t.Fatal("fixture changed")
	}
}

func TestBigReportSize(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	html := render(t, bigInput(), Options{Key: testKey})
	const limit = 10 << 20
	if len(html) >= limit {
		t.Fatalf("report of 1k clusters / 10k amplifiers is %d bytes, want < %d", len(html), limit)
	}
	if !strings.Contains(html, "Showing the top 200 amplifiers; 9,800 more") {
		t.Error("amplifier table not capped at 200 rows with a note")
	}
	if !strings.Contains(html, "Showing the top 200 clusters; 800 more") {
		t.Error("cluster table not capped at 200 with a note")
	}
	t.Logf("big report: %d bytes", len(html))
}

func BenchmarkRenderBig(b *testing.B) {
	in := bigInput()
	var n int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Render(&buf, in, Options{Key: testKey, Now: fixedNow}); err != nil {
			b.Fatal(err)
		}
		n = buf.Len()
	}
	b.ReportMetric(float64(n)/(1<<20), "MiB")
}

func TestPseudonymiseSharedTargets(t *testing.T) {
	in := fixedInput()
	private := in.Clusters[0].Members[0] // a non-watchlist account
	in.Clusters[0].SharedTargets = append(in.Clusters[0].SharedTargets, Target{Object: "PRIVPOST77", Author: private, CoActions: 1})
	out := Pseudonymise(in, newMapper())
	got := out.Clusters[0].SharedTargets
	// A watch account's post keeps its id; a private account's post id is pseudonymised.
	if got[0].Object != "P1" {
		t.Errorf("watch account's post became %q", got[0].Object)
	}
	last := got[len(got)-1]
	if last.Object == "PRIVPOST77" || !strings.HasPrefix(last.Object, "post_") {
		t.Errorf("private account's post id shown as %q", last.Object)
	}
	if !strings.HasPrefix(last.Author.Handle, "acct_") {
		t.Errorf("private target author shown as %q", last.Author.Handle)
	}
}
