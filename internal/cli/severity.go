package cli

import (
	"fmt"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// parseSeverities checks --severity: known severities, any case.
func parseSeverities(list []string) (map[string]bool, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]bool{}
	for _, s := range list {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		if finding.SeverityRank(s) < 0 {
			return nil, fmt.Errorf("--severity %q: want a comma-separated list of %s", s, strings.Join(finding.SeverityNames(), ", "))
		}
		out[s] = true
	}
	return out, nil
}

// filterSeverities keeps the findings of the --severity list, as Trivy's
// --severity does: the others are not reported and do not fail the build.
// Scores are of the whole audit (they were computed from every finding),
// and a note says so, so that a filtered report never reads as a clean one.
func filterSeverities(rep *report.Report, keep map[string]bool, by string) {
	if len(keep) == 0 {
		return
	}
	kept := rep.Findings[:0:0]
	for _, f := range rep.Findings {
		if keep[string(f.Severity)] {
			kept = append(kept, f)
		}
	}
	hidden := len(rep.Findings) - len(kept)
	rep.Findings = kept
	sum := report.Summary{Severity: map[string]int{}}
	for _, s := range finding.SeverityNames() {
		sum.Severity[s] = 0
	}
	for _, f := range kept {
		sum.Severity[string(f.Severity)]++
		sum.Total++
	}
	rep.Summary = sum
	var names []string
	for _, s := range finding.SeverityNames() {
		if keep[s] {
			names = append(names, s)
		}
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("Only %s findings are reported (%s); %d others are not shown. Scores count every finding.", strings.Join(names, ", "), by, hidden))
}

// atLeast is the set of severities at or above min (minimum_severity).
func atLeast(min string) map[string]bool {
	out := map[string]bool{}
	for _, s := range finding.SeverityNames() {
		if finding.SeverityRank(s) >= finding.SeverityRank(min) {
			out[s] = true
		}
	}
	return out
}
