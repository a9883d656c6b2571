package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

const (
	sahoolRepo = "../../testdata/repos/sahool"
	reportNow  = "2026-11-23T00:00:00Z"
)

// runCLI runs the CLI in-process and returns the exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

// scanReportJSON scans dir and returns the JSON report.
func scanReportJSON(t *testing.T, dir, out string) *report.Report {
	t.Helper()
	code, _, stderr := runCLI(t, "scan", dir, "--now", reportNow, "--format", "json", "--output", out, "--fail-on", "never")
	if code != ExitOK {
		t.Fatalf("scan %s: exit %d: %s", dir, code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := report.ReadJSON(f)
	if err != nil {
		t.Fatalf("read %s: %v", out, err)
	}
	return r
}

func TestFailOnBothOutcomes(t *testing.T) {
	dir := t.TempDir()
	r := scanReportJSON(t, sahoolRepo, filepath.Join(dir, "r.json"))
	if len(r.Findings) == 0 {
		t.Fatal("the example repo has no findings; the gate cannot be tested on it")
	}
	worst := -1
	for _, f := range r.Findings {
		worst = max(worst, finding.SeverityRank(f.Severity))
	}
	seen := map[int]bool{}
	for _, level := range []string{"critical", "high", "medium", "low", "info", "never"} {
		want := ExitOK
		if level != "never" && worst >= finding.SeverityRank(level) {
			want = ExitFindings
		}
		code, stdout, stderr := runCLI(t, "scan", sahoolRepo, "--now", reportNow, "--fail-on", level, "--no-color")
		if code != want {
			t.Errorf("--fail-on %s: exit %d, want %d (worst finding rank %d)\n%s", level, code, want, worst, stderr)
		}
		if !strings.Contains(stdout, r.Findings[0].RuleID) {
			t.Errorf("--fail-on %s: the report was not written to stdout", level)
		}
		seen[code] = true
	}
	if !seen[ExitOK] || !seen[ExitFindings] {
		t.Errorf("exit codes seen %v: want both 0 and 1", seen)
	}
	if code, _, stderr := runCLI(t, "scan", sahoolRepo, "--fail-on", "severe"); code != ExitError || !strings.Contains(stderr, "--fail-on") {
		t.Errorf("--fail-on severe: exit %d, stderr %q; want 2 and a message naming the flag", code, stderr)
	}
}

func TestSeveralFormatsInOneRun(t *testing.T) {
	dir := t.TempDir()
	sarif, md := filepath.Join(dir, "a.sarif"), filepath.Join(dir, "out", "report.md")
	code, stdout, stderr := runCLI(t, "scan", sahoolRepo, "--now", reportNow, "--fail-on", "never",
		"--format", "sarif", "--output", sarif, "--format", "markdown", "--output", md)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout should be empty when every format has a file, got %q", stdout)
	}
	var log map[string]any
	b, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &log); err != nil || log["version"] != "2.1.0" {
		t.Fatalf("a.sarif is not a SARIF 2.1.0 log (%v)", err)
	}
	run0 := log["runs"].([]any)[0].(map[string]any)
	if len(run0["results"].([]any)) == 0 {
		t.Error("SARIF has no results for the example repo")
	}
	// The CLI makes URIs relative to the repository root.
	uri := run0["results"].([]any)[0].(map[string]any)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)["uri"].(string)
	if !strings.HasPrefix(uri, "testdata/repos/sahool/") {
		t.Errorf("SARIF uri %q is not relative to the repository root", uri)
	}
	mdb, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(mdb), "# NATS audit report\n") || !strings.Contains(string(mdb), "## Findings") {
		t.Errorf("report.md is not the Markdown report:\n%.300s", mdb)
	}

	// format=file form, mixed with a plain format going to stdout.
	j := filepath.Join(dir, "r.json")
	code, stdout, stderr = runCLI(t, "scan", sahoolRepo, "--now", reportNow, "--fail-on", "never", "--format", "sarif="+sarif, "--format", "json="+j, "--format", "text", "--no-color")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Scores:") {
		t.Errorf("text did not go to stdout: %q", stdout)
	}
	if _, err := os.Stat(j); err != nil {
		t.Error(err)
	}

	// Mistakes are usage errors.
	for _, args := range [][]string{
		{"--format", "json", "--format", "sarif"},
		{"--format", "json", "--output", j, "--output", sarif},
		{"--format", "pdf"},
	} {
		code, _, stderr := runCLI(t, append([]string{"scan", sahoolRepo}, args...)...)
		if code != ExitError || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, stderr)
		}
	}
}

func TestSARIFCategoryFlag(t *testing.T) {
	out := filepath.Join(t.TempDir(), "a.sarif")
	code, _, stderr := runCLI(t, "scan", sahoolRepo, "--fail-on", "never", "--format", "sarif", "--output", out, "--sarif-category", "config-eu")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(out)
	if !bytes.Contains(b, []byte(`"id": "natsaudit/config-eu/"`)) {
		t.Errorf("--sarif-category not in automationDetails:\n%.400s", b)
	}
}

// copyRepo copies the example repo so a test can edit it.
func copyRepo(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "repo")
	copyTree(t, src, dst)
	return dst
}

// dropLine removes the line holding exactly `line` (trimmed) from a file.
func dropLine(t *testing.T, path, line string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	removed := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) == line {
			removed = true
			continue
		}
		kept = append(kept, l)
	}
	if !removed {
		t.Fatalf("%s has no line %q", path, line)
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// diffAfterFix scans the example repo, removes a line from nats.conf in a
// copy, scans again and diffs the two reports.
func diffAfterFix(t *testing.T, line string) (old, cur *report.Report, d *report.Diff, text, md string) {
	t.Helper()
	dir := t.TempDir()
	oldPath, newPath := filepath.Join(dir, "old.json"), filepath.Join(dir, "new.json")
	old = scanReportJSON(t, sahoolRepo, oldPath)
	repo := copyRepo(t, sahoolRepo)
	dropLine(t, filepath.Join(repo, "config", "nats", "nats.conf"), line)
	cur = scanReportJSON(t, repo, newPath)

	code, out, stderr := runCLI(t, "diff", oldPath, newPath, "--format", "json")
	if code != ExitOK {
		t.Fatalf("diff: exit %d: %s", code, stderr)
	}
	d = &report.Diff{}
	if err := json.Unmarshal([]byte(out), d); err != nil {
		t.Fatalf("diff --format json: %v\n%s", err, out)
	}
	_, text, _ = runCLI(t, "diff", oldPath, newPath)
	mdOut := filepath.Join(dir, "trend.md")
	if code, _, stderr := runCLI(t, "diff", oldPath, newPath, "--format", "markdown", "--output", mdOut); code != ExitOK {
		t.Fatalf("diff --format markdown: exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(mdOut)
	return old, cur, d, text, string(b)
}

func diffHasRule(es []report.DiffEntry, id string) bool {
	for _, e := range es {
		if e.RuleID == id {
			return true
		}
	}
	return false
}

func checkDiffFixed(t *testing.T, ruleID, line string) {
	old, cur, d, text, md := diffAfterFix(t, line)
	if !diffHasRule(d.Fixed, ruleID) {
		t.Fatalf("removing %q: %s not listed as fixed; fixed=%v", line, ruleID, d.Fixed)
	}
	if diffHasRule(d.Added, ruleID) || diffHasRule(d.Open, ruleID) {
		t.Errorf("%s is both fixed and new/open", ruleID)
	}
	// Every other finding is still open: matched by fingerprint although
	// the edit moved the lines below it.
	if got, want := len(d.Open), len(old.Findings)-len(d.Fixed); got != want {
		t.Errorf("still open %d, want %d", got, want)
	}
	if len(d.Added) != len(cur.Findings)-len(d.Open) {
		t.Errorf("new %d, want %d", len(d.Added), len(cur.Findings)-len(d.Open))
	}
	// The score of the rule's category went up and the diff shows it.
	var cat string
	for _, f := range old.Findings {
		if f.RuleID == ruleID {
			cat = string(f.Category)
		}
	}
	for _, c := range d.Scores {
		if c.Category != cat {
			continue
		}
		if c.Old == nil || c.New == nil || c.Delta == nil {
			t.Fatalf("%s score change %+v: want both scores", cat, c)
		}
		// Fixing a finding never lowers the score, and raises it unless the
		// category sits at its floor (0) or at the cap of a critical (4).
		if *c.Delta < 0 || (*c.Delta == 0 && *c.Old != 0 && *c.Old != 4) {
			t.Errorf("%s score %v → %v after fixing %s: want a rise", cat, *c.Old, *c.New, ruleID)
		}
		if *c.Old != *old.Scores.Categories[cat].Score || *c.New != *cur.Scores.Categories[cat].Score {
			t.Errorf("diff scores %v → %v, reports say %v → %v", *c.Old, *c.New, *old.Scores.Categories[cat].Score, *cur.Scores.Categories[cat].Score)
		}
	}
	for name, out := range map[string]string{"text": text, "markdown": md} {
		if !strings.Contains(out, ruleID) {
			t.Errorf("%s diff does not name %s:\n%s", name, ruleID, out)
		}
	}
	oldSec, newSec := fmt.Sprintf("%.1f", *old.Scores.Categories[cat].Score), fmt.Sprintf("%.1f", *cur.Scores.Categories[cat].Score)
	if want := fmt.Sprintf("%s → %s", oldSec, newSec); !strings.Contains(text, want) {
		t.Errorf("text diff does not show %s %s:\n%s", cat, want, text)
	}
	if want := fmt.Sprintf("| %s | %s | %s |", report.Title(cat), oldSec, newSec); !strings.Contains(md, want) {
		t.Errorf("markdown diff does not show %q:\n%s", want, md)
	}
	if !strings.Contains(d.Summary, ruleID) || !strings.Contains(d.Summary, "fixed") {
		t.Errorf("summary does not say %s was fixed: %q", ruleID, d.Summary)
	}
}

func TestDiffAllowNonTLSFixed(t *testing.T) {
	checkDiffFixed(t, "NATS-TLS-002", "allow_non_tls: true")
}

func TestDiffDebugFixed(t *testing.T) {
	e, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Rule("NATS-OPS-001"); !ok {
		t.Skip("NATS-OPS-001 (debug logging) is not in the rule catalog yet")
	}
	checkDiffFixed(t, "NATS-OPS-001", "debug: true")
}

func TestDiffBadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	scanReportJSON(t, sahoolRepo, good)
	notJSON := filepath.Join(dir, "x.json")
	os.WriteFile(notJSON, []byte("{not json"), 0o644)
	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte(`{"version":"2.1.0","runs":[]}`), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", good, filepath.Join(dir, "missing.json")}, "no such file"},
		{[]string{"diff", notJSON, good}, "not valid JSON"},
		{[]string{"diff", good, other}, "not a natsaudit JSON report"},
		{[]string{"diff", good, dir}, "directory"},
		{[]string{"diff", good, good, "--format", "sarif"}, "unknown format"},
		{[]string{"diff", good}, "accepts 2 arg"},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != ExitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args[1:], code, stderr, tc.want)
		}
	}
	// The same report twice: nothing fixed, nothing new.
	code, out, _ := runCLI(t, "diff", good, good)
	out = strings.Join(strings.Fields(out), " ")
	if code != ExitOK || !strings.Contains(out, "Nothing was fixed") || !strings.Contains(out, "No new findings") {
		t.Errorf("identical reports: exit %d\n%s", code, out)
	}
}
