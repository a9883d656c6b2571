package report_test

import (
	"bytes"
	"context"
	"flag"
	"github.com/natsaudit/natsaudit/internal/config"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

// The golden files show what each format renders for the example repo. They
// change whenever the rules change: regenerate them with
//
//	go test ./internal/report/... -update
//
// and review the diff like any other change of output.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	exampleRepo = "../../testdata/repos/sahool"
	// exampleRoot is the example repo as a user scanning from the
	// repository root names it.
	exampleRoot = "testdata/repos/sahool"
	goldenNow   = "2026-11-23T00:00:00Z"
	goldenVer   = "1.0.0-golden"
)

var (
	engOnce sync.Once
	eng     *engine.Engine
	engErr  error
)

// testEngine compiles the built-in rules once per test binary.
func testEngine(t *testing.T) *engine.Engine {
	t.Helper()
	engOnce.Do(func() { eng, engErr = engine.New(context.Background(), engine.Options{}) })
	if engErr != nil {
		t.Fatalf("compile rules: %v", engErr)
	}
	return eng
}

// scan audits dir as `natsaudit scan <dir> --now 2026-11-23T00:00:00Z` does
// and normalises what changes from run to run (start time, duration, the
// directory the test happens to use).
func scan(t *testing.T, dir string) *report.Report {
	t.Helper()
	e := testEngine(t)
	now, _ := time.Parse(time.RFC3339, goldenNow)
	opt := audit.Options{Paths: []string{dir}, Base: dir, Now: now, Version: goldenVer}
	// The compose projects the repository's .natsaudit.yaml declares, as
	// `natsaudit scan` reads them.
	if p := config.Find(dir); p != "" {
		c, err := config.Load(p, ".natsaudit.yaml", safefile.NewRoot(dir).ReadFile)
		if err != nil {
			t.Fatal(err)
		}
		opt.ComposeProjects = c.ComposeProjects
	}
	res, err := audit.Run(context.Background(), e, opt)
	if err != nil {
		t.Fatalf("audit %s: %v", dir, err)
	}
	r := res.Report
	r.Scan.Started = goldenNow
	r.Scan.DurationMS = 0
	r.Scan.Roots = []string{exampleRoot}
	// Every report is scrubbed before it is rendered (the CLI does the
	// same), and goes through its JSON form, so the goldens are what a
	// user sees.
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r.Redacted(res.Secrets)); err != nil {
		t.Fatal(err)
	}
	out, err := report.ReadJSON(&buf)
	if err != nil {
		t.Fatalf("report does not parse: %v", err)
	}
	return out
}

func renderOpts(t *testing.T) report.RenderOptions {
	return report.RenderOptions{Rules: testEngine(t).Rules(), SourceRoot: exampleRoot}
}

func render(t *testing.T, format string, r *report.Report, opt report.RenderOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Render(format, &buf, r, opt); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden (create it with: go test ./internal/report/... -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended (e.g. new rules), regenerate with\n\tgo test ./internal/report/... -update\nand review the diff.\n%s", name, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line, enough to see what moved.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n\twant: " + w + "\n\tgot:  " + g
		}
	}
	return ""
}

func TestGoldenExampleRepo(t *testing.T) {
	r := scan(t, exampleRepo)
	if len(r.Findings) == 0 {
		t.Fatal("the example repo has no findings: the goldens would show nothing")
	}
	opt := renderOpts(t)
	for _, tc := range []struct{ format, file string }{
		{"text", "sahool.txt"},
		{"json", "sahool.json"},
		{"markdown", "sahool.md"},
		{"sarif", "sahool.sarif"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			got := render(t, tc.format, r, opt)
			golden(t, tc.file, got)
			// Rendering is deterministic: the same report gives the same bytes.
			if again := render(t, tc.format, r, opt); !bytes.Equal(got, again) {
				t.Errorf("%s output differs between two renderings of one report", tc.format)
			}
		})
	}
}

// richReport is the example repo's report plus what the repo does not show:
// a live-only finding without a file, a finding with characters that mean
// something in Markdown, and suppressed findings.
func richReport(t *testing.T) *report.Report {
	r := scan(t, exampleRepo)
	r.Scan.Targets = []string{"http://127.0.0.1:8222"}
	r.Findings = append(r.Findings, report.Finding{
		RuleID: "NATS-LIVE-TEST", Severity: "high", Category: "reliability", Title: "Live-only fact",
		Message:     "stream ORDERS has 1 replica on a 3-node cluster: a *single* <disk> failure loses [data] | _all_ of it",
		Remediation: "Raise `num_replicas` to 3:\n\n    nats stream edit ORDERS --replicas 3",
		Target:      "stream ORDERS", TargetKind: "stream", TargetName: "ORDERS", Path: "live/config/num_replicas",
		Endpoint: "http://127.0.0.1:8222/jsz", Fingerprint: "0123456789abcdef0123456789abcdef",
	})
	r.Summary.Total++
	r.Summary.Severity["high"]++
	r.Rules = append(r.Rules, report.RuleStatus{ID: "NATS-LIVE-TEST", Title: "Live-only fact", Severity: "high", Category: "reliability", Evaluated: true, Findings: 1})
	sup := r.Findings[0]
	sup.Fingerprint = "fedcba9876543210fedcba9876543210"
	sup.Suppression = &report.Suppression{Kind: "inline", Reason: "migration ticket OPS-12", Until: "2027-01-31", Source: "config/nats/nats.conf:36"}
	base := report.Finding{RuleID: "NATS-BASE-TEST", Severity: "low", Category: "operations", Title: "Baselined",
		Message: "accepted in the baseline", Remediation: "Nothing.", Target: "server sahool-nats", TargetKind: "server", TargetName: "sahool-nats",
		Path: "config/x", Location: &report.Location{File: "config/nats/nats.conf", Line: 4}, Fingerprint: "00000000000000000000000000000001",
		Suppression: &report.Suppression{Kind: "baseline", Reason: "in baseline.json", Source: "baseline.json"}}
	r.Suppressed = []report.Finding{sup, base}
	r.Notes = append(r.Notes, "skipped vendor/big.conf: larger than 1048576 bytes")
	return r
}

func TestGoldenRich(t *testing.T) {
	r := richReport(t)
	opt := renderOpts(t)
	golden(t, "rich.md", render(t, "markdown", r, opt))
	opt.SARIFIncludeSuppressed = true
	golden(t, "rich.sarif", render(t, "sarif", r, opt))
}

// ansi matches the colour codes WriteText uses.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestGoldenTextColour: the example repo's text report with colour on
// (golden sahool.color.txt). Without its colour codes it is the plain
// report byte for byte, so colour never moves a column; no line of either
// is wider than report.TextWidth on screen, and no colour leaks past a
// line.
func TestGoldenTextColour(t *testing.T) {
	r := scan(t, exampleRepo)
	opt := renderOpts(t)
	plain := render(t, "text", r, opt)
	opt.Color = true
	coloured := render(t, "text", r, opt)
	golden(t, "sahool.color.txt", coloured)
	if !bytes.Contains(coloured, []byte("\x1b[1;31mCRITICAL\x1b[0m")) {
		t.Error("colour on, but no coloured CRITICAL")
	}
	if stripped := ansi.ReplaceAll(coloured, nil); !bytes.Equal(stripped, plain) {
		t.Errorf("the coloured report without its codes is not the plain one: %s", firstDiff(string(plain), string(stripped)))
	}
	for i, line := range strings.Split(string(ansi.ReplaceAll(coloured, nil)), "\n") {
		// A code span (a command) is never cut, so it may overflow alone.
		if n := utf8.RuneCountInString(line); n > report.TextWidth && !strings.Contains(line, "`") {
			t.Errorf("line %d is %d columns wide (> %d): %q", i+1, n, report.TextWidth, line)
		}
	}
	for i, line := range strings.Split(string(coloured), "\n") {
		if strings.Count(line, "\x1b[") != 2*strings.Count(line, "\x1b[0m") {
			t.Errorf("line %d: colour not reset on the line: %q", i+1, line)
		}
	}
}
