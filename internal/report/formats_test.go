package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/probe"
	"github.com/natsaudit/natsaudit/internal/report"
)

// newFormats are the formats of issue 16, each with the extension of its
// golden file.
var newFormats = []struct{ format, ext string }{
	{"html", "html"},
	{"junit", "junit.xml"},
	{"github", "github.txt"},
	{"gitlab", "gitlab.json"},
	{"prometheus", "prom"},
}

// liveRecording is the live cluster of testdata/live (a 3-node JetStream
// cluster with one node down, recorded from real nats-server processes by
// testdata/live/record) audited as `natsaudit probe` does, from the
// recorded monitoring documents: the same documents every run, so the
// report is a golden. Endpoints are fixed loopback URLs.
func liveRecording(t *testing.T) *report.Report {
	t.Helper()
	var snaps []*probe.Snapshot
	for i, name := range []string{"cluster-degraded-n1", "cluster-degraded-n2"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "live", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var rec map[string]struct {
			Body   map[string]any `json:"body"`
			Status int            `json:"status"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		live := &model.Live{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", 8222+i), Varz: rec["varz"].Body, Jsz: rec["jsz"].Body,
			Healthz: rec["healthz"].Body, HealthzStatus: rec["healthz"].Status, Routez: rec["routez"].Body, Accountz: rec["accountz"].Body}
		name, _ := live.Varz["server_name"].(string)
		snaps = append(snaps, &probe.Snapshot{Name: name, Live: live})
	}
	now, _ := time.Parse(time.RFC3339, goldenNow)
	res, err := audit.Run(context.Background(), testEngine(t), audit.Options{Now: now, Version: goldenVer,
		Live: func(_ context.Context, inv *model.Inventory) error {
			probe.Merge(inv, &probe.Result{Snapshots: snaps})
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report
	r.Scan.DurationMS = 0
	if len(r.Findings) == 0 {
		t.Fatal("the live recording has no findings: its goldens would show nothing")
	}
	return r
}

// TestGoldenNewFormats: every format of issue 16 for the example repo, the
// richer synthetic report and the live recording.
func TestGoldenNewFormats(t *testing.T) {
	reports := []struct {
		name string
		r    *report.Report
	}{
		{"sahool", scan(t, exampleRepo)},
		{"rich", richReport(t)},
		{"live", liveRecording(t)},
	}
	for _, rep := range reports {
		opt := renderOpts(t)
		if rep.name == "live" {
			opt.SourceRoot = ""
		}
		for _, f := range newFormats {
			t.Run(rep.name+"/"+f.format, func(t *testing.T) {
				got := render(t, f.format, rep.r, opt)
				golden(t, rep.name+"."+f.ext, got)
				if again := render(t, f.format, rep.r, opt); !bytes.Equal(got, again) {
					t.Errorf("%s output differs between two renderings of one report", f.format)
				}
				checkFormat(t, f.format, got, rep.r)
			})
		}
	}
	// The live recording's JSON is a golden too (validated against the
	// published schema with the others).
	golden(t, "live.json", render(t, "json", reports[2].r, renderOpts(t)))
}

// checkFormat validates one rendering with its format's own checker.
func checkFormat(t *testing.T, format string, out []byte, r *report.Report) {
	t.Helper()
	switch format {
	case "html":
		checkHTML(t, out, r)
	case "junit":
		checkJUnit(t, out, r)
	case "github":
		checkGitHub(t, out, r)
	case "gitlab":
		checkGitLab(t, out, r)
	case "prometheus":
		checkPrometheus(t, out, r)
	}
}

func checkGitLab(t *testing.T, out []byte, r *report.Report) {
	t.Helper()
	// The fields GitLab's Code Quality widget requires.
	var issues []struct {
		Description string `json:"description"`
		CheckName   string `json:"check_name"`
		Fingerprint string `json:"fingerprint"`
		Severity    string `json:"severity"`
		Location    *struct {
			Path  string `json:"path"`
			Lines *struct {
				Begin *int `json:"begin"`
			} `json:"lines"`
		} `json:"location"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := json.Unmarshal(out, &issues); err != nil {
		t.Fatalf("GitLab report is not a JSON array of issues: %v", err)
	}
	if len(issues) != len(r.Findings) {
		t.Errorf("%d issues for %d findings", len(issues), len(r.Findings))
	}
	seen := map[string]bool{}
	sevs := map[string]bool{"info": true, "minor": true, "major": true, "critical": true, "blocker": true}
	for i, is := range issues {
		if is.Description == "" || is.CheckName == "" || is.Fingerprint == "" || is.Location == nil || is.Location.Path == "" || is.Location.Lines == nil || is.Location.Lines.Begin == nil {
			t.Errorf("issue %d lacks a required field: %+v", i, is)
		}
		if !sevs[is.Severity] {
			t.Errorf("issue %d: severity %q is not one of GitLab's", i, is.Severity)
		}
		if seen[is.Fingerprint] {
			t.Errorf("issue %d: fingerprint %s repeats (GitLab would merge the issues)", i, is.Fingerprint)
		}
		seen[is.Fingerprint] = true
	}
}

// TestMarkdownMaxBytes: a shortened report fits its bound, says so, gives
// up detail before findings, and findings of low severity before high.
func TestMarkdownMaxBytes(t *testing.T) {
	r := richReport(t)
	opt := renderOpts(t)
	full := render(t, "markdown", r, opt)
	opt.MarkdownMaxBytes = len(full)
	if got := render(t, "markdown", r, opt); !bytes.Equal(got, full) {
		t.Error("a report within its bound changed")
	}
	for _, tc := range []struct {
		limit                 int
		snippets, findingsAll bool
	}{
		{len(full) - 1, true, true},
		{len(full) / 3, false, false},
	} {
		t.Run(fmt.Sprint(tc.limit), func(t *testing.T) {
			opt.MarkdownMaxBytes = tc.limit
			got := string(render(t, "markdown", r, opt))
			flat := strings.Join(strings.Fields(got), " ")
			if len(got) > tc.limit {
				t.Fatalf("%d bytes, over the bound of %d", len(got), tc.limit)
			}
			if !strings.Contains(flat, "**This report was shortened** to fit ") {
				t.Error("the shortened report does not say so")
			}
			if strings.Contains(got, "**Why it matters.**") {
				t.Error("explanations kept although the report had to be shortened")
			}
			if has := strings.Contains(got, "```"); has != tc.snippets {
				t.Errorf("snippets shown: %v, want %v", has, tc.snippets)
			}
			for _, f := range r.Findings {
				if f.Severity == "critical" && !strings.Contains(flat, strings.Join(strings.Fields(report.MarkdownInlineForTest(f.Message)), " ")) {
					t.Errorf("critical finding %s left out before lower ones", f.RuleID)
				}
			}
			if dropped := strings.Contains(flat, "those of lowest severity"); dropped == tc.findingsAll {
				t.Errorf("findings dropped: %v, want %v", dropped, !tc.findingsAll)
			}
			// Scores and counts stay whole.
			if !strings.Contains(got, "| **Total** | **") {
				t.Error("the severity table is gone")
			}
		})
	}
	// Any bound above the floor (header, summary and severity table, which
	// are never dropped): the report fits, and a smaller bound never shows
	// more.
	opt.MarkdownMaxBytes = 1
	floor := len(render(t, "markdown", r, opt))
	if floor > len(full)/3 {
		t.Errorf("the smallest report is %d bytes of %d: too little can be dropped", floor, len(full))
	}
	prev := len(full)
	for limit := len(full) - 1; limit > floor; limit -= 997 {
		opt.MarkdownMaxBytes = limit
		got := render(t, "markdown", r, opt)
		if len(got) > limit {
			t.Errorf("bound %d: %d bytes", limit, len(got))
		}
		if len(got) > prev {
			t.Errorf("bound %d: %d bytes, more than under a larger bound (%d)", limit, len(got), prev)
		}
		prev = len(got)
	}
}

// TestFormatsListed: every format renders, and the CLI's list is the
// renderer's.
func TestFormatsListed(t *testing.T) {
	r := scan(t, exampleRepo)
	names := append([]string(nil), report.Formats...)
	sort.Strings(names)
	for _, f := range names {
		if len(render(t, f, r, renderOpts(t))) == 0 {
			t.Errorf("%s renders nothing", f)
		}
	}
}

// TestIncompleteAudit: a rule that failed at evaluation is an error in
// JUnit (not a pass, not a skip), a failed rule and an incomplete scan in
// Prometheus, and said at the top of the HTML report.
func TestIncompleteAudit(t *testing.T) {
	r := scan(t, exampleRepo)
	r.Scan.Status = report.StatusIncomplete
	r.Rules = append(r.Rules, report.RuleStatus{ID: "NATS-FAIL-001", Title: "Broken", Severity: "high", Category: "security", Failed: true})
	r.Errors = append(r.Errors, model.ParseError{Kind: report.ErrorKindRule, Target: "data.natsaudit.broken", Rules: []string{"NATS-FAIL-001"}, Message: "failed at evaluation, so its rules gave no findings: eval_conflict_error"})
	opt := renderOpts(t)

	junit := render(t, "junit", r, opt)
	checkJUnit(t, junit, r)
	if !bytes.Contains(junit, []byte(`<error message="failed at evaluation: not evaluated" type="rule-error">data.natsaudit.broken: failed at evaluation`)) {
		t.Error("JUnit: the failed rule is not an <error>")
	}
	if !bytes.Contains(junit, []byte(`<testsuites name="natsaudit" tests=`)) || !bytes.Contains(junit, []byte(`errors="1"`)) {
		t.Error("JUnit: testsuites does not count the error")
	}
	prom := render(t, "prometheus", r, opt)
	checkPrometheus(t, prom, r)
	for _, want := range []string{"natsaudit_rules{state=\"failed\"} 1\n", "natsaudit_scan_complete 0\n"} {
		if !bytes.Contains(prom, []byte(want)) {
			t.Errorf("Prometheus lacks %q", want)
		}
	}
	gh := string(render(t, "github", r, opt))
	if !strings.HasPrefix(gh, "::warning title=natsaudit%3A incomplete audit::") || !strings.Contains(gh, "::warning title=natsaudit%3A rule package not evaluated::data.natsaudit.broken failed at evaluation") {
		t.Errorf("GitHub annotations do not start by saying the audit is incomplete:\n%.400s", gh)
	}
	gl := string(render(t, "gitlab", r, opt))
	if !strings.Contains(gl, `"check_name": "natsaudit-incomplete"`) {
		t.Error("GitLab Code Quality does not say the audit is incomplete")
	}
	html := render(t, "html", r, opt)
	checkHTML(t, html, r)
	if !bytes.Contains(html, []byte("Incomplete audit: at least one rule failed at evaluation")) {
		t.Error("HTML does not say the audit is incomplete")
	}
}
