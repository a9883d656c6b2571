package report_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/compliance"
	"github.com/natsaudit/natsaudit/internal/report"
)

func complianceReport(t *testing.T) *report.Report {
	t.Helper()
	fws, err := compliance.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := richReport(t)
	report.AddCompliance(r, fws)
	return r
}

// TestGoldenCompliance: the compliance sections of every format for the
// example repo against all four frameworks.
func TestGoldenCompliance(t *testing.T) {
	r := complianceReport(t)
	opt := renderOpts(t)
	golden(t, "compliance.json", render(t, "json", r, opt))
	golden(t, "compliance.md", render(t, "markdown", r, opt))
	golden(t, "compliance.html", render(t, "html", r, opt))
}

// TestComplianceVerdicts pins the verdict on the example repo through the
// JSON contract: a control fails with the fingerprints of its rules'
// findings, passes only when one of its rules ran, and the order is the
// mapping's.
func TestComplianceVerdicts(t *testing.T) {
	r := complianceReport(t)
	var back report.Report
	if err := json.Unmarshal(render(t, "json", r, renderOpts(t)), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Compliance) != 4 {
		t.Fatalf("%d frameworks in the JSON report, want 4", len(back.Compliance))
	}
	byRule := map[string][]string{}
	for _, f := range r.Findings {
		byRule[f.RuleID] = append(byRule[f.RuleID], f.Fingerprint)
	}
	evaluated := map[string]bool{}
	for _, rs := range r.Rules {
		evaluated[rs.ID] = rs.Evaluated
	}
	fails := 0
	for i, res := range back.Compliance {
		if res.Framework != compliance.Names[i] {
			t.Errorf("framework %d is %s, want %s", i, res.Framework, compliance.Names[i])
		}
		n := res.Summary.Pass + res.Summary.Fail + res.Summary.NotEvaluated
		if n != len(res.Controls) {
			t.Errorf("%s: summary counts %d controls, has %d", res.Framework, n, len(res.Controls))
		}
		for _, c := range res.Controls {
			var want []string
			ran := false
			for _, id := range c.Rules {
				want = append(want, byRule[id]...)
				ran = ran || evaluated[id]
			}
			if len(want) != len(c.Findings) {
				t.Errorf("%s %s: %d findings, want %d (%v)", res.Framework, c.ID, len(c.Findings), len(want), want)
			}
			wantStatus := "not_evaluated"
			switch {
			case len(want) > 0:
				wantStatus = "fail"
				fails++
			case ran:
				wantStatus = "pass"
			}
			if c.Status != wantStatus {
				t.Errorf("%s %s: status %s, want %s", res.Framework, c.ID, c.Status, wantStatus)
			}
		}
	}
	if fails == 0 {
		t.Error("no control fails on the example repo, which has high findings: the test sees nothing")
	}
}

// TestComplianceHostileTarget: a finding's target comes from the scanned
// tree; in the compliance sections it must stay text.
func TestComplianceHostileTarget(t *testing.T) {
	r := richReport(t)
	for i := range r.Findings {
		r.Findings[i].Target = "server <img src=x onerror=alert(1)> | [x](javascript:alert(1)) **b**\n::error::pwned"
	}
	fws, err := compliance.Load()
	if err != nil {
		t.Fatal(err)
	}
	report.AddCompliance(r, fws[:1])
	html := string(render(t, "html", r, renderOpts(t)))
	sec := html[strings.Index(html, `id="compliance-nist-800-53"`):]
	if strings.Contains(sec, "<img") || !strings.Contains(sec, "&lt;img") {
		t.Errorf("HTML compliance section does not escape the target:\n%s", sec)
	}
	md := string(render(t, "markdown", r, renderOpts(t)))
	sec = md[strings.Index(md, "## Compliance"):]
	// Escaped, a link or emphasis stays text: \[x\](...), \*\*b\*\*.
	for _, bad := range []string{"<img", " [x](javascript:", " **b**", "\n::error::"} {
		if strings.Contains(sec, bad) {
			t.Errorf("Markdown compliance section has %q:\n%s", bad, sec)
		}
	}
	if !strings.Contains(sec, "**SC-8**") {
		t.Errorf("no failing SC-8 in:\n%s", sec)
	}
}
