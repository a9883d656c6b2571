package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/compliance"
)

// complianceNote is what every compliance section says first: an auditor
// must not read the mapping as a published benchmark.
const complianceNote = "natsaudit's own mapping of its rules to this framework's controls (no published NATS benchmark exists; see docs/compliance.md). A control fails when one of its rules has a finding, passes when at least one of its rules ran and none found anything, and is not evaluated when none could run on what was scanned. A pass means only that natsaudit found nothing: it does not show the control is met."

// compliance writes one section per framework asked for (--compliance).
func (m *mdWriter) compliance() {
	if len(m.r.Compliance) == 0 {
		return
	}
	where := complianceFindings(m.r)
	for _, res := range m.r.Compliance {
		m.p("## Compliance: %s %s\n\n", mdInline(res.Name), mdInline(res.Version))
		m.para(complianceNote)
		m.para(fmt.Sprintf("**Controls: %d fail, %d pass, %d not evaluated.**", res.Summary.Fail, res.Summary.Pass, res.Summary.NotEvaluated))
		m.p("| Control | Title | Status | Rules | Findings |\n|---|---|---|---|---|\n")
		for _, c := range res.Controls {
			m.p("| %s | %s | %s | %s | %s |\n", mdCell(c.ID), mdCell(c.Title), mdStatus(c), mdCell(rulesText(c)), findingsCount(c))
		}
		m.p("\n")
		var failing []compliance.ControlResult
		for _, c := range res.Controls {
			if c.Status == compliance.Fail {
				failing = append(failing, c)
			}
		}
		if len(failing) == 0 {
			continue
		}
		if m.lim.detail >= mdNoSnippets {
			m.para("The findings behind each failing control are not listed here (the report was shortened); the JSON report lists them.")
			continue
		}
		m.p("**Findings behind the failing controls:**\n\n")
		for _, c := range failing {
			items := make([]string, 0, len(c.Findings))
			for _, fp := range inReportOrder(c.Findings, where) {
				items = append(items, mdFindingRef(where[fp].f, fp))
			}
			m.bullet(fmt.Sprintf("**%s**: %s", mdInline(c.ID), strings.Join(items, "; ")))
		}
		m.p("\n")
	}
}

func mdStatus(c compliance.ControlResult) string {
	switch c.Status {
	case compliance.Fail:
		return "**fail**"
	case compliance.Pass:
		if n := len(c.RulesNotEvaluated); n > 0 {
			return fmt.Sprintf("pass (%d of %d rules ran)", len(c.Rules)-n, len(c.Rules))
		}
		return "pass"
	}
	return "not evaluated"
}

// rulesText lists a control's rules, those that did not run marked.
func rulesText(c compliance.ControlResult) string {
	skipped := map[string]bool{}
	for _, r := range c.RulesNotEvaluated {
		skipped[r] = true
	}
	out := make([]string, len(c.Rules))
	for i, r := range c.Rules {
		out[i] = r
		if skipped[r] && c.Status != compliance.NotEvaluated {
			out[i] += " (not run)"
		}
	}
	return strings.Join(out, ", ")
}

func findingsCount(c compliance.ControlResult) string {
	s := fmt.Sprint(len(c.Findings))
	if n := len(c.Suppressed); n > 0 {
		s += fmt.Sprintf(", %d suppressed", n)
	}
	return s
}

type findingAt struct {
	f *Finding
	i int // its place in the report
}

// complianceFindings indexes the report's findings by fingerprint, so that
// a control can say which finding fails it.
func complianceFindings(r *Report) map[string]findingAt {
	out := make(map[string]findingAt, len(r.Findings))
	for i := range r.Findings {
		if _, dup := out[r.Findings[i].Fingerprint]; !dup {
			out[r.Findings[i].Fingerprint] = findingAt{&r.Findings[i], i}
		}
	}
	return out
}

// inReportOrder orders fingerprints as the report orders their findings
// (most severe first); those the report leaves out come last, sorted.
func inReportOrder(fps []string, where map[string]findingAt) []string {
	out := append([]string(nil), fps...)
	sort.SliceStable(out, func(a, b int) bool {
		fa, oka := where[out[a]]
		fb, okb := where[out[b]]
		switch {
		case oka && okb:
			return fa.i < fb.i
		case oka != okb:
			return oka
		}
		return out[a] < out[b]
	})
	return out
}

// mdFindingRef is "NATS-TLS-001 server a (`nats.conf:3`)"; a finding the
// report leaves out (--severity) is named by its fingerprint.
func mdFindingRef(f *Finding, fp string) string {
	if f == nil {
		return "finding " + mdCode(fp) + " (not in this report: --severity or a shortened report leaves it out)"
	}
	s := mdInline(f.RuleID) + " " + mdInline(f.Target)
	if f.Location != nil {
		s += " (" + mdCode(locString(f.Location)) + ")"
	} else if f.Endpoint != "" {
		s += " (live: " + mdCode(f.Endpoint) + ")"
	}
	return s
}
