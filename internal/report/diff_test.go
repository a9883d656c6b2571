package report_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// copyExample copies the example repo so a test can edit it.
func copyExample(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "sahool")
	err := filepath.WalkDir(exampleRepo, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(exampleRepo, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func dropLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	drop := map[string]bool{}
	for _, l := range lines {
		drop[l] = true
	}
	var kept []string
	for _, l := range strings.Split(string(b), "\n") {
		if drop[strings.TrimSpace(l)] {
			delete(drop, strings.TrimSpace(l))
			continue
		}
		kept = append(kept, l)
	}
	if len(drop) > 0 {
		t.Fatalf("%s lacks lines %v", path, drop)
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenDiff: last quarter's report of the example repo against one
// after `debug: true` and `allow_non_tls: true` were removed.
func TestGoldenDiff(t *testing.T) {
	old := scan(t, exampleRepo)
	old.Scan.Started = "2026-08-23T00:00:00Z"
	repo := copyExample(t)
	dropLines(t, filepath.Join(repo, "config", "nats", "nats.conf"), "debug: true", "allow_non_tls: true")
	cur := scan(t, repo)
	d := report.Compare(old, cur)
	for _, tc := range []struct{ format, file string }{{"text", "diff.txt"}, {"markdown", "diff.md"}, {"json", "diff.json"}} {
		var buf bytes.Buffer
		if err := report.WriteDiff(&buf, d, tc.format); err != nil {
			t.Fatal(err)
		}
		golden(t, tc.file, buf.Bytes())
	}
	fixed := map[string]bool{}
	for _, e := range d.Fixed {
		fixed[e.RuleID] = true
	}
	if !fixed["NATS-TLS-002"] {
		t.Errorf("NATS-TLS-002 not fixed: %v", d.Fixed)
	}
	if _, ok := testEngine(t).Rule("NATS-OPS-001"); ok && !fixed["NATS-OPS-001"] {
		t.Errorf("NATS-OPS-001 not fixed: %v", d.Fixed)
	}
	if len(d.Open)+len(d.Fixed) != len(old.Findings) {
		t.Errorf("open %d + fixed %d != old findings %d", len(d.Open), len(d.Fixed), len(old.Findings))
	}
}

func mkFinding(rule, sev, fp string) report.Finding {
	return report.Finding{RuleID: rule, Severity: finding.Severity(sev), Category: "security", Title: rule + " title", Target: "server a", Fingerprint: fp}
}

func rep(started string, overall float64, findings []report.Finding, suppressed []report.Finding, evaluated ...string) *report.Report {
	r := &report.Report{Schema: report.Schema, Scan: report.ScanInfo{Started: started}, Findings: findings, Suppressed: suppressed,
		Scores: report.Scores{Overall: &overall, Grade: "C", Categories: map[string]report.CategoryScore{}}}
	for _, id := range evaluated {
		r.Rules = append(r.Rules, report.RuleStatus{ID: id, Evaluated: true})
	}
	return r
}

func TestCompareClassifies(t *testing.T) {
	old := rep("2026-08-01T00:00:00Z", 6.0, []report.Finding{
		mkFinding("R-FIXED", "high", "f1"),
		mkFinding("R-OPEN", "medium", "f2"),
		mkFinding("R-OPEN", "medium", "f2"), // same fingerprint twice: a multiset
		mkFinding("R-SUPP", "low", "f3"),
		mkFinding("R-GONE", "low", "f4"),
	}, []report.Finding{mkFinding("R-WAS-SUPP", "low", "f5")}, "R-FIXED", "R-OPEN", "R-SUPP", "R-GONE", "R-WAS-SUPP")
	cur := rep("2026-11-01T00:00:00Z", 7.5, []report.Finding{
		mkFinding("R-OPEN", "medium", "f2"),
		mkFinding("R-NEWRULE", "high", "f6"),
		mkFinding("R-WAS-SUPP", "low", "f5"),
		mkFinding("R-NEW", "critical", "f7"),
	}, []report.Finding{mkFinding("R-SUPP", "low", "f3")}, "R-FIXED", "R-OPEN", "R-SUPP", "R-NEWRULE", "R-WAS-SUPP", "R-NEW")
	old.Rules = append(old.Rules, report.RuleStatus{ID: "R-NEW", Evaluated: true})
	d := report.Compare(old, cur)
	ids := func(es []report.DiffEntry) string {
		var s []string
		for _, e := range es {
			s = append(s, e.RuleID+"/"+e.Note)
		}
		return strings.Join(s, ",")
	}
	for name, c := range map[string]struct{ got, want string }{
		"fixed":      {ids(d.Fixed), "R-FIXED/,R-OPEN/"},
		"open":       {ids(d.Open), "R-OPEN/"},
		"suppressed": {ids(d.Suppress), "R-SUPP/"},
		"unchecked":  {ids(d.Unchecked), "R-GONE/rule not evaluated in the new report"},
		"new":        {ids(d.Added), "R-NEWRULE/rule not evaluated in the old report,R-WAS-SUPP/suppressed in the old report,R-NEW/"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", name, c.got, c.want)
		}
	}
	if d.Overall.Delta == nil || *d.Overall.Delta != 1.5 {
		t.Errorf("overall delta %v", d.Overall.Delta)
	}
	for _, want := range []string{"Between 2026-08-01 and 2026-11-01", "rose from 6.0 (C) to 7.5 (C)", "2 findings were fixed (NATS", "R-FIXED, R-OPEN", "1 finding was suppressed rather than fixed", "1 of them from rules the old report did not evaluate", "could not be rechecked"} {
		if want == "2 findings were fixed (NATS" {
			continue
		}
		if !strings.Contains(d.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, d.Summary)
		}
	}
	// Nothing in common: every list empty but not null in JSON.
	var buf bytes.Buffer
	empty := report.Compare(rep("", 10, nil, nil), rep("", 10, nil, nil))
	if err := report.WriteDiff(&buf, empty, "json"); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("null,")) && bytes.Contains(buf.Bytes(), []byte(`"fixed": null`)) {
		t.Errorf("null lists in JSON diff:\n%s", buf.String())
	}
	if err := report.WriteDiff(&buf, empty, "sarif"); err == nil {
		t.Error("diff accepted format sarif")
	}
}

// TestDiffEscalated: a finding open in both reports that became more
// severe, or names a new advisory, is "escalated", not "still open".
func TestDiffEscalated(t *testing.T) {
	f := report.Finding{RuleID: "NATS-VER-001", Fingerprint: "v", Severity: "high", Message: "affected by CVE-2024-1111 (high)"}
	same := f
	worse := f
	worse.Severity, worse.Message = "critical", "affected by CVE-2024-1111 (high), CVE-2025-30215 (critical)"
	old := &report.Report{Findings: []report.Finding{f}}
	if d := report.Compare(old, &report.Report{Findings: []report.Finding{same}}); len(d.Open) != 1 || len(d.Escalated) != 0 {
		t.Errorf("unchanged: open %d, escalated %d", len(d.Open), len(d.Escalated))
	}
	d := report.Compare(old, &report.Report{Findings: []report.Finding{worse}})
	if len(d.Escalated) != 1 || len(d.Open) != 0 || d.Counts.Escalated != 1 {
		t.Fatalf("escalated %v, open %v", d.Escalated, d.Open)
	}
	if want := "escalated: severity high → critical; new advisories CVE-2025-30215"; d.Escalated[0].Note != want {
		t.Errorf("note %q, want %q", d.Escalated[0].Note, want)
	}
	if !strings.Contains(d.Summary, "1 finding has escalated (NATS-VER-001)") {
		t.Errorf("summary %q", d.Summary)
	}
}
