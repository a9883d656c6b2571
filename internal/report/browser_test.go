package report_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// The HTML report in a real browser: headless Chromium loads the report of
// the example repo from a file, as a reader opens a CI artifact. Skipped
// when no Chromium is installed (make test installs Debian's chromium;
// NATSAUDIT_REQUIRE_BROWSER=1, set by .ci/run, fails instead of skipping).
//
//	go test ./internal/report/ -run Browser -screenshot
//
// also rewrites docs/images/html-report.png, the screenshot in the README.

var screenshot = flag.Bool("screenshot", false, "rewrite docs/images/html-report.png from the browser test")

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium installed: the HTML report is not checked in a browser (make test installs it; on Debian: apt-get install chromium)"
	if os.Getenv("NATSAUDIT_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func TestBrowserHTMLReport(t *testing.T) {
	exe := chromium(t)
	r := scan(t, exampleRepo)
	page := filepath.Join(t.TempDir(), "natsaudit.html")
	if err := os.WriteFile(page, render(t, "html", r, renderOpts(t)), 0o644); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1000, 1500),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	// Console messages, uncaught exceptions and browser log entries (a
	// Content-Security-Policy violation, a failed load) are all problems:
	// the page has no script and loads nothing.
	var mu sync.Mutex
	var problems []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range e.Args {
				args = append(args, string(a.Value))
			}
			problems = append(problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				problems = append(problems, fmt.Sprintf("browser %s: %s", e.Entry.Level, e.Entry.Text))
			}
		}
	})
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.ToSlash(page)), chromedp.WaitReady("footer")); err != nil {
		t.Fatalf("load the report: %v", err)
	}
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`(() => {
		const n = s => document.querySelectorAll(s).length;
		const drawn = s => [...document.querySelectorAll(s)].filter(e => { const b = e.getBBox(); return b.width > 0 && b.height > 0; }).length;
		return {
			charts: n('svg.chart'),
			scoreBars: drawn('#chart-scores rect.bar'),
			severityBars: drawn('#chart-severity rect.bar'),
			categorySegments: drawn('#chart-category rect.bar'),
			findings: n('li.finding') + n('p.also'),
			scripts: n('script'),
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	// Accessibility basics: landmarks, headings in order, a title on every
	// chart, severity in words, links with text, a language.
	a11y, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const p = [];
		for (const l of ['header', 'nav', 'main', 'footer']) if (document.querySelectorAll(l).length !== 1) p.push('landmark ' + l + ' not exactly once');
		if (!document.documentElement.lang) p.push('no lang on <html>');
		let last = 0;
		for (const h of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) {
			const lv = +h.tagName[1];
			if (lv > last + 1) p.push('heading ' + h.tagName + ' "' + h.textContent.trim() + '" skips a level after h' + last);
			if (!h.textContent.trim()) p.push('empty ' + h.tagName);
			last = lv;
		}
		for (const s of document.querySelectorAll('svg')) {
			const t = s.querySelector(':scope > title');
			if (s.getAttribute('role') !== 'img' || !t || !t.textContent.trim()) p.push('chart ' + s.id + ' without role=img and a <title>');
			for (const id of (s.getAttribute('aria-labelledby') || '').split(' ')) if (!document.getElementById(id)) p.push('chart ' + s.id + ': aria-labelledby names a missing ' + id);
		}
		for (const b of document.querySelectorAll('span.sev')) if (!/critical|high|medium|low|info/i.test(b.textContent)) p.push('severity badge without its name: ' + b.outerHTML);
		for (const a of document.querySelectorAll('a')) if (!a.textContent.trim()) p.push('link without text: ' + a.outerHTML);
		for (const a of document.querySelectorAll('a[href^="#"]')) if (a.getAttribute('href').length > 1 && !document.getElementById(a.getAttribute('href').slice(1))) p.push('broken anchor ' + a.getAttribute('href'));
		return p;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	// The README shows the first screen: header, grade and charts.
	top, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	// A phone: nothing wider than the screen.
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 2, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	mobileOverflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "html-report.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", filepath.Join(t.ArtifactDir(), "html-report.png"))
	if *screenshot {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "images", "html-report.png"), top, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	scores, sevs, segs := 0, 0, map[string]bool{}
	if r.Scores.Overall != nil {
		scores++
	}
	for _, c := range finding.CategoryNames() {
		if r.Scores.Categories[c].Score != nil {
			scores++
		}
	}
	for _, s := range finding.SeverityNames() {
		if r.Summary.Severity[s] > 0 {
			sevs++
		}
	}
	for _, f := range r.Findings {
		segs[string(f.Category)+"/"+string(f.Severity)] = true
	}
	for name, want := range map[string]int{"charts": 3, "scoreBars": scores, "severityBars": sevs, "categorySegments": len(segs), "findings": len(r.Findings), "scripts": 0} {
		if counts[name] != want {
			t.Errorf("%s: %d drawn, want %d", name, counts[name], want)
		}
	}
	for _, p := range a11y {
		t.Error("accessibility: " + p)
	}
	if mobileOverflow {
		t.Error("on a 390px wide phone the page is wider than the screen")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
}
