package report_test

import (
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/report"
)

// previousReport is the example repo's report as a quarter ago: the
// certificate finding was low then, the DLQ finding did not exist yet,
// and a plaintext-password finding has been fixed since.
func previousReport(t *testing.T) *report.Report {
	r := scan(t, exampleRepo)
	prev := *r
	prev.Scan.Started = "2026-08-23T00:00:00Z"
	prev.Findings = nil
	for _, f := range r.Findings {
		switch f.RuleID {
		case "NATS-STR-006":
			continue
		case "NATS-TLS-014":
			f.Severity = "low"
		}
		prev.Findings = append(prev.Findings, f)
	}
	prev.Findings = append(prev.Findings, report.Finding{
		RuleID: "NATS-CRED-001", Severity: "medium", Category: "security", Title: "Plaintext secrets",
		Message: "server sahool-nats: the password of user \"sahool_app\" is in plaintext", Target: "server sahool-nats",
		TargetKind: "server", TargetName: "sahool-nats", Path: "config/authorization/users/1/password",
		Location: &report.Location{File: "config/nats/nats.conf", Line: 52}, Fingerprint: "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
	})
	overall := 3.4
	prev.Scores = report.Scores{Overall: &overall, Grade: "F", Categories: r.Scores.Categories}
	return &prev
}

// TestGoldenPrevious: the Markdown and HTML reports with --previous, owners
// from .natsaudit.yaml and the provenance of a CI run.
func TestGoldenPrevious(t *testing.T) {
	r := scan(t, exampleRepo)
	opt := renderOpts(t)
	opt.Previous = previousReport(t)
	opt.Owners = []report.Owner{
		{Match: "NATS-VER-*", Owner: "platform team", Due: "2026-12-31"},
		{Match: "NATS-TLS-*", Owner: "security team", Due: "2026-12-01"},
		{Match: "jetstream/**", Owner: "messaging team", Due: "2027-01-31"},
	}
	opt.Provenance = &report.Provenance{
		SettingsFile: ".natsaudit.yaml", SettingsSHA256: strings.Repeat("ab", 32), Commit: "0123456789abcdef0123456789abcdef01234567",
		CI: []report.KV{{Key: "GITHUB_REPOSITORY", Value: "acme/sahool"}, {Key: "GITHUB_RUN_ID", Value: "42"}},
		// Given, not read from the test binary: the golden must not
		// depend on the build that runs it.
		Build:     "module v1.0.0-golden, commit fedcba9876543210fedcba9876543210fedcba98 (clean), go1.25.0",
		TreeDirty: new(bool),
	}
	md := render(t, "markdown", r, opt)
	golden(t, "sahool-previous.md", md)
	golden(t, "sahool-previous.html", render(t, "html", r, opt))
	s := string(md)
	for _, want := range []string{
		"## Since the last audit", "| 1 | 1 | 1 | 34 |", "NATS-STR-006 (high) at", "NATS-TLS-014 (medium) at",
		"| platform team | 2026-12-31 |", "| messaging team | 2027-01-31 |", "**Commit:** 0123456789abcdef0123456789abcdef01234567",
		"**Build:** module v1.0.0-golden", "**Scanned tree:** clean",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Index(s, "## Since the last audit") > strings.Index(s, "## Executive summary") {
		t.Error("what changed since the last audit is not at the top")
	}
}
