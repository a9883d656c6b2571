package cli

import (
	"fmt"
	"strings"

	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/safefile"
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
func (a *app) auditExtras(g *safefile.Guard, ropt *report.RenderOptions, o *outputFlags, s *runSettings) error {
	if o.previous != "" {
		prev, err := readReport(g, o.previous)
		if err != nil {
			return fmt.Errorf("--previous: %w", err)
		}
		ropt.Previous = prev
	}
	p := &report.Provenance{Commit: plainValue(o.commit)}
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
