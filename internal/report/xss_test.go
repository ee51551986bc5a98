package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Payloads that must render as inert text.
const (
	xssScript = `<script>alert("xss-script")</script>`
	xssImg    = `"><img src=x onerror=alert("xss-img")>`
	xssLink   = `<a href="javascript:alert('xss-link')">click me</a> javascript:alert('xss-bare')`
	xssSVG    = `</title><svg onload=alert("xss-svg")></svg>`
)

// xssInput puts the payloads into every kind of untrusted text: post text, display name, bio,
// handle, outlet and group names, signal names, parameters and source paths.
func xssInput() Input {
	in := fixedInput()
	all := xssScript + " " + xssImg + " " + xssLink + " " + xssSVG
	in.Title = "Report " + xssScript
	in.Study = xssImg
	in.Methods.Params = append(in.Methods.Params, Param{Name: xssImg, Value: xssScript, Meaning: xssLink})
	in.Methods.Sources[0].Source = "/data/" + xssImg
	in.Methods.Notes = []string{all}
	in.Outlets[0].Outlet = xssImg
	in.LabelsByActor[0].Group = xssScript
	in.LabelsByCountry[0].Group = xssSVG
	in.Weekly[0].Account.Handle = xssImg
	in.Amplifiers[0].Account.Name = xssImg
	in.Amplifiers[0].Account.Bio = all
	in.Amplifiers[0].TopTarget = xssScript
	in.Amplifiers[2].Account.Handle = `x"><script>alert("xss-handle")</script>`
	in.Clusters[0].Signals[0].Signal = xssSVG
	in.Clusters[0].SharedTargets = []Target{{Object: xssLink, Author: Account{Platform: "x", ID: "1", Handle: xssImg}, CoActions: 1}}
	in.Clusters[0].Members[0].Name = xssImg
	in.Clusters[0].Examples[0].Text = all
	in.Clusters[0].Examples[1].Author.Name = xssScript
	in.Clusters[0].Examples[1].Text = xssLink
	return in
}

// handlerAttr finds an on…= attribute among a tag's (double-quoted) attributes.
var handlerAttr = regexp.MustCompile(`(?i)<[a-z][a-z0-9-]*(?:\s+[a-z:-]+(?:="[^"]*"|='[^']*'|=[^\s"'>]*)?)*\s+on[a-z]+\s*=`)

func TestXSSInert(t *testing.T) {
	for _, reveal := range []bool{false, true} {
		html := render(t, xssInput(), Options{Key: testKey, Reveal: reveal})
		for _, bad := range []string{"<script", "<img", `href="javascript:`, "<a href=\"j", "<svg onload"} {
			if strings.Contains(strings.ToLower(html), bad) {
				t.Errorf("reveal=%v: report contains %q unescaped", reveal, bad)
			}
		}
		if m := handlerAttr.FindString(html); m != "" {
			t.Errorf("reveal=%v: report has an event-handler attribute in a tag: %q", reveal, m)
		}
		// the payloads are still there, as text
		for _, want := range []string{"&lt;script&gt;alert(&#34;xss-script&#34;)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(&#34;xss-img&#34;)&gt;"} {
			if !strings.Contains(html, want) {
				t.Errorf("reveal=%v: escaped payload %q missing", reveal, want)
			}
		}
	}
}

func TestXSSBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("short: no browser")
	}
	ctx, pl, _ := openReport(t, render(t, xssInput(), Options{Key: testKey, Reveal: true}))
	// Only our own elements exist: no script, img, iframe, object, no event-handler attribute,
	// no javascript: link, and only the chart and legend SVGs.
	checks := map[string]string{
		"script/img/iframe/object elements": `document.querySelectorAll("script,img,iframe,object,embed").length`,
		"event-handler attributes":          `[...document.querySelectorAll("*")].filter(e => [...e.attributes].some(a => a.name.startsWith("on"))).length`,
		"javascript: links":                 `[...document.querySelectorAll("a")].filter(a => !a.getAttribute("href").startsWith("#")).length`,
		"foreign svg elements":              `[...document.querySelectorAll("svg")].filter(s => !s.closest("figure.chart")).length`,
	}
	for what, js := range checks {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil || n != 0 {
			t.Errorf("%s: %d (%v)", what, n, err)
		}
	}
	// the payload text is visible as text
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{xssScript, `onerror=alert("xss-img")`, "javascript:alert('xss-link')"} {
		if !strings.Contains(body, want) {
			t.Errorf("page text lacks the inert payload %q", want)
		}
	}
	pl.check(t)
}

func TestHandlerAttrDetects(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{`<img src=x onerror=alert(1)>`, true},
		{`<svg data-x="a b" onload="go()">`, true},
		{`<a href='#' ONCLICK=x>`, true},
		{`<p title="&#34;&gt;&lt;img src=x onerror=alert(1)">`, false},
		{`&lt;img src=x onerror=alert(1)&gt;`, false},
	} {
		if got := handlerAttr.MatchString(tc.s); got != tc.want {
			t.Errorf("handlerAttr(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

// FuzzRenderText puts arbitrary text into every untrusted field and checks that the report
// never gains an element or an event-handler attribute from it.
func FuzzRenderText(f *testing.F) {
	for _, s := range []string{xssScript, xssImg, xssLink, xssSVG, "<style>*{}</style>", "]]><!--", "\x00\xff", "{{.}}"} {
		f.Add(s)
	}
	tags := func(html string) int { return strings.Count(html, "<") }
	with := func(t testing.TB, s string) Input {
		in := fixedInput()
		in.Title = s
		in.Amplifiers[0].Account.Name = s
		in.Amplifiers[0].Account.Bio = s
		in.Clusters[0].Examples[0].Text = s
		in.Outlets[0].Outlet = s
		in.Methods.Notes = []string{s}
		return in
	}
	// empty fields drop their elements, so the baseline is an inert text of the same emptiness
	base := map[bool]int{true: tags(render(f, with(f, ""), Options{Key: testKey, Reveal: true})),
		false: tags(render(f, with(f, "x"), Options{Key: testKey, Reveal: true}))}
	f.Fuzz(func(t *testing.T, s string) {
		html := render(t, with(t, s), Options{Key: testKey, Reveal: true})
		if m := handlerAttr.FindString(html); m != "" {
			t.Fatalf("event handler from %q: %q", s, m)
		}
		// the fixture's own text has no '<'; the fuzzed text may add none either
		if want := base[s == ""]; tags(html) != want {
			t.Fatalf("text %q changed the number of tags (%d, want %d)", s, tags(html), want)
		}
	})
}
