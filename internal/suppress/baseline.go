package suppress

import (
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// Baseline is the set of findings a team has accepted as they were when it
// adopted natsaudit: a previous JSON report. Findings are matched by
// fingerprint (rule, file, target, logical path; never the line), so edits
// elsewhere in a file do not make an old finding new. A finding is accepted
// only as it was: one whose severity rose, or that names advisories the
// accepted one did not, is reported (report.Escalation).
type Baseline struct {
	Source string // the baseline file, as given
	Date   string // when the baseline report was made
	fps    map[string]accepted
}

// accepted is what a baseline kept of a finding: the highest severity
// accepted under its fingerprint and every advisory named.
type accepted struct {
	severity   string
	advisories []string
}

// NewBaseline takes the open findings of a report, plus the ones it had
// itself baselined (so that a report made with --baseline still works as the
// next baseline).
func NewBaseline(source string, r *report.Report) *Baseline {
	b := &Baseline{Source: source, Date: r.Scan.Started, fps: map[string]accepted{}}
	add := func(f report.Finding) {
		a, ok := b.fps[f.Fingerprint]
		if !ok || finding.SeverityRank(f.Severity) > finding.SeverityRank(a.severity) {
			a.severity = string(f.Severity)
		}
		a.advisories = append(a.advisories, report.Advisories(f.Message)...)
		b.fps[f.Fingerprint] = a
	}
	for _, f := range r.Findings {
		add(f)
	}
	for _, f := range r.Suppressed {
		if f.Suppression != nil && f.Suppression.Kind == KindBaseline {
			add(f)
		}
	}
	return b
}

// Len is the number of baselined findings.
func (b *Baseline) Len() int { return len(b.fps) }

// match reports whether f is accepted by the baseline, and when its
// fingerprint is there but f is worse, why it is reported anyway.
func (b *Baseline) match(f *report.Finding) (ok bool, escalated string) {
	a, found := b.fps[f.Fingerprint]
	if !found {
		return false, ""
	}
	if why := report.EscalationFrom(a.severity, a.advisories, *f); why != "" {
		return false, why
	}
	return true, ""
}
