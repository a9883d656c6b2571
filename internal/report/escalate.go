package report

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// advisoryID matches the advisory identifiers a message can name.
var advisoryID = regexp.MustCompile(`\b(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3})\b`)

// Advisories are the advisory IDs a finding's message names, sorted.
func Advisories(msg string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range advisoryID.FindAllString(msg, -1) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Escalation says why cur, the same finding as accepted (same
// fingerprint), is worse than what was accepted: a higher severity, or
// advisories the accepted one did not name. "" when it is not worse. A
// baseline or an earlier report accepted the finding as it was; a finding
// that became critical is new (NATS-VER-001 keeps its fingerprint when a
// critical advisory starts to apply).
func Escalation(accepted, cur Finding) string {
	return escalation(string(accepted.Severity), Advisories(accepted.Message), cur)
}

// EscalationFrom is Escalation against what was kept of the accepted
// finding: its severity and advisories.
func EscalationFrom(severity string, advisories []string, cur Finding) string {
	return escalation(severity, advisories, cur)
}

func escalation(severity string, advisories []string, cur Finding) string {
	var why []string
	if finding.SeverityRank(cur.Severity) > finding.SeverityRank(severity) {
		why = append(why, fmt.Sprintf("severity %s → %s", severity, cur.Severity))
	}
	had := map[string]bool{}
	for _, a := range advisories {
		had[a] = true
	}
	var added []string
	for _, a := range Advisories(cur.Message) {
		if !had[a] {
			added = append(added, a)
		}
	}
	if len(added) > 0 {
		why = append(why, "new advisories "+strings.Join(added, ", "))
	}
	return strings.Join(why, "; ")
}
