package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip, except on CI
// (CI=true), where they fail.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI requires the browser test")
	}
	t.Skip("chromium is not installed; skipping the browser test (set CI=true to require it)")
	return ""
}

// pageLog records what a page did while it was open.
type pageLog struct {
	mu       sync.Mutex
	requests []string // URLs requested other than the report file and data: URLs
	errors   []string // console errors, exceptions and browser-log errors
	dialogs  []string // alert/confirm/prompt messages
}

func (l *pageLog) add(list *[]string, s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	*list = append(*list, s)
}

// openReport writes html to a temp file, opens it from disk in headless chromium and
// returns the tab's context and what happened during load.
func openReport(t *testing.T, html string) (context.Context, *pageLog, string) {
	t.Helper()
	exe := chromiumPath(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1200, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	pl := &pageLog{}
	tctx, tcancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			u := ev.Request.URL
			if u != url && !strings.HasPrefix(u, "data:") {
				pl.add(&pl.requests, u)
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				pl.add(&pl.errors, "console."+string(ev.Type))
			}
		case *runtime.EventExceptionThrown:
			pl.add(&pl.errors, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				pl.add(&pl.errors, "log: "+ev.Entry.Text)
			}
		case *page.EventJavascriptDialogOpening:
			pl.add(&pl.dialogs, ev.Message)
		}
	}))
	t.Cleanup(tcancel)
	// Accept any dialog so that a (failing) alert cannot hang the test.
	dialogs := chromedp.Events(tctx, page.JavascriptDialogOpening)
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(tctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	if err := chromedp.Do(tctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	// give late requests (lazy images, fonts) a moment to show up
	if err := chromedp.Do(tctx, chromedp.Sleep(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	return tctx, pl, dir
}

func (l *pageLog) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.requests) > 0 {
		t.Errorf("report made %d network requests: %q", len(l.requests), l.requests)
	}
	if len(l.errors) > 0 {
		t.Errorf("console errors: %q", l.errors)
	}
	if len(l.dialogs) > 0 {
		t.Errorf("dialogs opened: %q", l.dialogs)
	}
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("short: no browser")
	}
	html := render(t, fixedInput(), Options{Key: testKey})
	ctx, pl, _ := openReport(t, html)
	for _, id := range sectionIDs {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("section#`+id+` h2").length`))
		if err != nil || n != 1 {
			t.Errorf("section %q: %d headings (%v)", id, n, err)
		}
	}
	for _, id := range chartIDs {
		// a chart is found when its SVG is laid out with a non-zero size and draws something
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('svg[data-chart="`+id+`"]');
			if (!s) return false; const r = s.getBoundingClientRect();
			return r.width > 50 && r.height > 50 && s.querySelectorAll("rect,path,circle,line").length > 0; })()`))
		if err != nil || !ok {
			t.Errorf("chart %q not rendered (%v)", id, err)
		}
	}
	// the per-group table (total + 2 groups) and the replication table (3 rows, one without
	// its group) are laid out
	cols, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("section#summary table.groups thead th").length`))
	if err != nil || cols != 4 {
		t.Errorf("per-group table: %d header cells, want 4 (%v)", cols, err)
	}
	repl, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("section#summary table.replication tbody tr")).map(r => r.cells[3].textContent).join("|")`))
	if err != nil || repl != "1|100.0 %|no such group in this study" {
		t.Errorf("replication table values %q, want 1|100.0 %%|no such group in this study (%v)", repl, err)
	}
	// every chart of the fixture has data
	empty, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('svg[data-empty]').length`))
	if err != nil || empty != 0 {
		t.Errorf("%d empty charts (%v)", empty, err)
	}
	shots, err := os.MkdirTemp("", "echotrace-report-")
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(shots, "report.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatalf("print to pdf: %v", err)
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Error("print did not produce a PDF")
	}
	if err := os.WriteFile(filepath.Join(shots, "report.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot and PDF in %s (%d and %d bytes)", shots, len(png), len(pdf))
	pl.check(t)
}
