package report_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// sarifFixFile is a scanned file the fixes below edit.
const sarifFixFile = "port: 4222\ntls {\n  verify: false # ünïcode\n}\nallow_non_tls: true\nauthorization { password: ${NATS_PASSWORD:-****} }\n"

// TestSARIFFixes: a fix diff that applies exactly becomes a SARIF fix (one
// artifactChange, one replacement of the exact region of its line), and
// applying that replacement to the file gives the file the diff gives. The
// ${VAR:-default} kind (its removed line is masked), a diff holding a mask
// and a diff whose line is not the finding's get none. The log validates
// against the SARIF 2.1.0 schema and GitHub's ingestion rules.
func TestSARIFFixes(t *testing.T) {
	mk := func(rule, path string, line int, diff string) report.Finding {
		return report.Finding{RuleID: rule, Severity: finding.Severity("medium"), Category: "security", Title: "t", Message: "m",
			Path: path, Location: &report.Location{File: "nats.conf", Line: line}, Fingerprint: strings.Repeat("a", 32), FixDiff: diff}
	}
	const (
		verify   = "--- a/nats.conf\n+++ b/nats.conf\n@@ -2,3 +2,3 @@\n tls {\n-  verify: false # ünïcode\n+  verify: true # ünïcode\n }\n"
		allow    = "--- a/nats.conf\n+++ b/nats.conf\n@@ -4,3 +4,2 @@\n }\n-allow_non_tls: true\n authorization { password: ${NATS_PASSWORD:-****} }\n"
		fallback = "--- a/nats.conf\n+++ b/nats.conf\n@@ -5,2 +5,2 @@\n allow_non_tls: true\n-authorization { password: ${NATS_PASSWORD:-****} }\n+authorization { password: ${NATS_PASSWORD:?NATS_PASSWORD is required} }\n"
	)
	cases := []struct {
		f    report.Finding
		want string // the file after the fix; "" for no fix
	}{
		{mk("NATS-TLS-003", "config/tls/verify", 3, verify), strings.Replace(sarifFixFile, "verify: false", "verify: true", 1)},
		{mk("NATS-TLS-002", "config/allow_non_tls", 5, allow), strings.Replace(sarifFixFile, "allow_non_tls: true\n", "", 1)},
		{mk("NATS-CRED-002", "vars/NATS_PASSWORD", 6, fallback), ""},
		{mk("NATS-X-001", "x", 6, fallback), ""},                 // a masked line, whatever the rule
		{mk("NATS-TLS-003", "config/tls/verify", 4, verify), ""}, // not the finding's line
	}
	r := &report.Report{Schema: report.Schema, Tool: report.Tool{Name: "natsaudit", Version: "1.0.0", InformationURI: "https://natsaudit.dev"},
		Scan:    report.ScanInfo{Started: "2026-12-07T00:00:00Z", Roots: []string{"."}, Targets: []string{}, Sources: []string{"config"}, Files: []string{"nats.conf"}, Servers: []string{}},
		Summary: report.Summary{Severity: map[string]int{}}, Scores: report.Scores{Grade: "n/a", Categories: map[string]report.CategoryScore{}}}
	for _, c := range cases {
		r.Findings = append(r.Findings, c.f)
		r.Rules = append(r.Rules, report.RuleStatus{ID: c.f.RuleID, Title: "t", Severity: "medium", Category: "security", Evaluated: true, Findings: 1})
	}
	out := render(t, "sarif", r, report.RenderOptions{})
	validateSARIF(t, sarifSchema(t), "fixes", out)
	var log struct {
		Runs []struct {
			Results []struct {
				Fixes []struct {
					Description     struct{ Text string }
					ArtifactChanges []struct {
						ArtifactLocation struct{ URI string }
						Replacements     []struct {
							DeletedRegion   struct{ StartLine, StartColumn, EndLine, EndColumn int }
							InsertedContent *struct{ Text string }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != len(cases) {
		t.Fatalf("%d results, want %d", len(res), len(cases))
	}
	for i, c := range cases {
		fx := res[i].Fixes
		if c.want == "" {
			if len(fx) != 0 {
				t.Errorf("%s line %d: fixes %+v, want none", c.f.RuleID, c.f.Location.Line, fx)
			}
			continue
		}
		if len(fx) != 1 || len(fx[0].ArtifactChanges) != 1 || len(fx[0].ArtifactChanges[0].Replacements) != 1 || fx[0].ArtifactChanges[0].ArtifactLocation.URI != "nats.conf" || fx[0].Description.Text == "" {
			t.Fatalf("%s: fixes %+v, want one replacement in nats.conf", c.f.RuleID, fx)
		}
		rp := fx[0].ArtifactChanges[0].Replacements[0]
		ins := ""
		if rp.InsertedContent != nil {
			ins = rp.InsertedContent.Text
		}
		d := rp.DeletedRegion
		got := applyRegion(t, sarifFixFile, d.StartLine, d.StartColumn, d.EndLine, d.EndColumn, ins)
		if got != c.want {
			t.Errorf("%s: the SARIF fix makes\n%q\nwant\n%q", c.f.RuleID, got, c.want)
		}
	}
}

// applyRegion replaces a SARIF region (1-based lines, UTF-16 columns,
// end exclusive) of file with ins.
func applyRegion(t *testing.T, file string, sl, sc, el, ec int, ins string) string {
	t.Helper()
	lines := strings.SplitAfter(file, "\n")
	offset := func(line, col int) int {
		if line < 1 || line > len(lines) {
			t.Fatalf("line %d outside the file", line)
		}
		n := 0
		for _, l := range lines[:line-1] {
			n += len(l)
		}
		u := utf16.Encode([]rune(lines[line-1]))
		if col < 1 || col-1 > len(u) {
			t.Fatalf("column %d outside line %d", col, line)
		}
		return n + len(string(utf16.Decode(u[:col-1])))
	}
	start, end := offset(sl, sc), offset(el, ec)
	return file[:start] + ins + file[end:]
}
