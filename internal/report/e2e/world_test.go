package e2e

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/echotrace/echotrace/internal/analysis/amplify"
	"github.com/echotrace/echotrace/internal/analysis/coord"
	"github.com/echotrace/echotrace/internal/ingest"
	"github.com/echotrace/echotrace/internal/ingest/all"
	"github.com/echotrace/echotrace/internal/report"
	"github.com/echotrace/echotrace/internal/simulate"
	"github.com/echotrace/echotrace/internal/store/duckdb"
)

var now = time.Date(2021, 3, 1, 12, 0, 0, 0, time.UTC)

// world simulates the prc-2021 preset at scale, imports it into a new study, runs the
// coordination detection and the findings, and returns the store.
func world(tb testing.TB, scale float64) *duckdb.DB {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	if _, err := simulate.Run(ctx, simulate.Config{Scale: scale, Seed: 7, Out: filepath.Join(dir, "world")}); err != nil {
		tb.Fatalf("simulate: %v", err)
	}
	st, err := duckdb.Open(ctx, filepath.Join(dir, "study"), duckdb.Options{Create: true, Now: func() time.Time { return now }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	reg, err := all.New(all.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := ingest.Run(ctx, reg, st, []string{filepath.Join(dir, "world")}, ingest.Options{}); err != nil {
		tb.Fatalf("import: %v", err)
	}
	p := coord.Params{Signals: []coord.Signal{coord.CoRepost, coord.CoReply}, Window: 60 * time.Second, Seed: 1}.Defaults()
	if _, err := coord.Analyze(ctx, st, p, rand.New(rand.NewPCG(1, 2))); err != nil {
		tb.Fatalf("coord: %v", err)
	}
	if _, err := amplify.Analyze(ctx, st, amplify.Params{}); err != nil {
		tb.Fatalf("findings: %v", err)
	}
	return st
}

func renderStudy(tb testing.TB, st *duckdb.DB) string {
	tb.Helper()
	ctx := context.Background()
	in, err := report.Load(ctx, st, st, report.LoadOptions{Name: "prc-2021"})
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.Render(&b, in, report.Options{Key: []byte("0123456789abcdef0123456789abcdef"), Now: now}); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

var (
	sections = []string{"summary", "methods", "concentration", "composition", "speed", "activity", "creation", "labels", "outlets", "network", "amplifiers", "clusters"}
	charts   = []string{"lorenz", "weekly-1", "latency", "gaps", "hours", "creation", "labels-actor", "labels-country", "outlets", "network"}
)

// TestWorldInBrowser opens the report of a small simulated world from disk in headless
// Chromium: every section and chart is there and drawn, no request leaves the file, the console
// stays clean, and a screenshot is saved.
func TestWorldInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("short: no simulated world")
	}
	exe := chromium(t)
	html := renderStudy(t, world(t, 0.01))
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(1200, 900))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	var mu sync.Mutex
	var requests, problems []string
	tctx, tcancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if u := ev.Request.URL; u != url && !strings.HasPrefix(u, "data:") {
				requests = append(requests, u)
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, "console.error")
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, ev.Entry.Text)
			}
		case *page.EventJavascriptDialogOpening:
			problems = append(problems, "dialog: "+ev.Message)
		}
	}))
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(url), chromedp.Sleep(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	for _, id := range sections {
		n, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("section#`+id+` h2").length`))
		if err != nil || n != 1 {
			t.Errorf("section %s: %d (%v)", id, n, err)
		}
	}
	for _, id := range charts {
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('svg[data-chart="`+id+`"]');
			if (!s) return false; const r = s.getBoundingClientRect(); return r.width > 50 && r.height > 50; })()`))
		if err != nil || !ok {
			t.Errorf("chart %s not rendered (%v)", id, err)
		}
	}
	empty, _ := chromedp.Run(tctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('svg[data-empty]')].map(s => s.dataset.chart)`))
	if len(empty) > 0 {
		t.Logf("charts without data in this world: %v", empty)
	}
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shots, err := os.MkdirTemp("", "echotrace-world-report-")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(shots, "report.png"), png, 0o644)
	os.WriteFile(filepath.Join(shots, "report.html"), []byte(html), 0o644)
	t.Logf("report %d bytes; screenshot in %s", len(html), shots)
	mu.Lock()
	defer mu.Unlock()
	if len(requests) > 0 {
		t.Errorf("network requests: %q", requests)
	}
	if len(problems) > 0 {
		t.Errorf("console errors: %q", problems)
	}
}

func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; CI requires the browser test")
	}
	t.Skip("chromium is not installed")
	return ""
}

// BenchmarkWorldReport measures Load + Render of the prc-2021 world at the scale in
// $ECHOTRACE_REPORT_SCALE (default 0.05; the budget is ≤ 10 s and < 10 MB at scale 1). The
// world is simulated, imported and analysed once, outside the timing.
func BenchmarkWorldReport(b *testing.B) {
	scale := 0.05
	if s := os.Getenv("ECHOTRACE_REPORT_SCALE"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			b.Fatal(err)
		}
		scale = v
	}
	st := world(b, scale)
	var n int
	for b.Loop() {
		n = len(renderStudy(b, st))
	}
	b.ReportMetric(float64(n)/(1<<20), "MiB")
}
