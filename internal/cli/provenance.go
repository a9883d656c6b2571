package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/trend"
)

// ciVars are the standard CI variables the report's provenance names: who
// ran the audit, where, on which commit. None holds a secret (tokens such
// as GITHUB_TOKEN or CI_JOB_TOKEN are never read).
var ciVars = []string{
	"GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_REF", "GITHUB_WORKFLOW", "GITHUB_RUN_ID", "GITHUB_ACTOR",
	"CI_PROJECT_PATH", "CI_COMMIT_SHA", "CI_COMMIT_REF_NAME", "CI_PIPELINE_ID", "CI_JOB_ID", "GITLAB_USER_LOGIN",
}

// auditExtras adds what the Markdown and HTML reports need beyond the
// report: the previous report (--previous), the owners and the settings
// file's digest from .natsaudit.yaml, and the CI run.
func (a *app) auditExtras(g *safefile.Guard, ropt *report.RenderOptions, o *outputFlags, s *runSettings, cur *report.Report) error {
	if o.previous != "" {
		prev, err := readReport(g, o.previous)
		if err != nil {
			return fmt.Errorf("--previous: %w", err)
		}
		ropt.Previous = prev
	}
	if len(o.history) > 0 {
		past, err := a.loadTrendReports(g, o.history)
		if err != nil {
			return fmt.Errorf("--history: %w", err)
		}
		// This scan is the trend's last point: a past report dated after
		// it would make the charts and "since" compare the wrong reports.
		now, err := time.Parse(time.RFC3339, cur.Scan.Started)
		if err != nil {
			return fmt.Errorf("--history: this scan's start %q: %w", cur.Scan.Started, err)
		}
		var latest *report.Report
		var latestAt time.Time
		for _, p := range past {
			at, err := time.Parse(time.RFC3339, p.Report.Scan.Started)
			if err != nil {
				return fmt.Errorf("--history: report %s: scan.started %q is not an RFC 3339 time", p.Name, p.Report.Scan.Started)
			}
			if !at.Before(now) {
				return fmt.Errorf("--history: report %s (%s) is not older than this scan (%s)", p.Name, p.Report.Scan.Started, cur.Scan.Started)
			}
			if latest == nil || at.After(latestAt) {
				latest, latestAt = p.Report, at
			}
		}
		t, err := trend.Compute(append(past, trend.Input{Name: "this scan", Report: cur}))
		if err != nil {
			return fmt.Errorf("--history: %w", err)
		}
		ropt.History = trend.Section(t)
		if ropt.Previous == nil {
			ropt.Previous = latest
		}
	}
	p := &report.Provenance{Commit: plainValue(o.commit), Build: a.build}
	if o.treeDirty != "" {
		dirty, err := strconv.ParseBool(o.treeDirty)
		if err != nil {
			return fmt.Errorf("--tree-dirty %q: want true or false", plainValue(o.treeDirty))
		}
		p.TreeDirty = &dirty
	}
	if s != nil && s.cfg != nil {
		p.SettingsFile, p.SettingsSHA256 = s.cfg.Name, s.cfg.SHA256
		for _, x := range s.cfg.Owners {
			ropt.Owners = append(ropt.Owners, report.Owner{Match: x.Match, Owner: x.Owner, Due: x.Due})
		}
	}
	for _, k := range ciVars {
		if v := plainValue(a.getenv(k)); v != "" {
			p.CI = append(p.CI, report.KV{Key: k, Value: v})
			if p.Commit == "" && (k == "GITHUB_SHA" || k == "CI_COMMIT_SHA") {
				p.Commit = v
			}
		}
	}
	ropt.Provenance = p
	return nil
}

// plainValue keeps a CI variable or flag value short and on one line; the
// formats escape it like any other text.
func plainValue(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// text is the build as the report's provenance gives it: "module
// v1.2.3, commit 0123abc (modified), go1.25.3". The module version is
// "(devel)" for a build from a checkout.
func (b build) text() string {
	var parts []string
	if b.module != "" {
		parts = append(parts, "module "+b.module)
	}
	parts = append(parts, "commit "+b.commit)
	if b.date != "unknown" {
		parts = append(parts, "built "+b.date)
	}
	return strings.Join(append(parts, b.goVersion), ", ")
}
