package cli

import (
	"github.com/natsaudit/natsaudit/internal/report"
)

// exitCode is the exit code of a written report (docs/reports.md, "Exit
// codes and gating"). An incomplete scan (a rule package that failed at
// evaluation, or NATS configuration that could not be parsed at all) exits
// ExitIncomplete even when findings would give ExitFindings: a build that
// fails either way should say that the report cannot be taken as the whole
// picture. A scan that found no NATS input exits 0, as Trivy and Conftest do
// for a tree with nothing to check, unless failOnEmpty.
func exitCode(rep *report.Report, rank int, failOnEmpty bool, findingsCode int) int {
	if report.RuleErrors(rep) > 0 || rep.Scan.Status == report.StatusNotParsed {
		return ExitIncomplete
	}
	if gate(rep, rank) != ExitOK {
		return findingsCode
	}
	if rep.Scan.Status == report.StatusNoNATSInput && failOnEmpty {
		return ExitIncomplete
	}
	return ExitOK
}

// warnStatus says on stderr why the scan is not a complete audit: a report
// written to a file (JSON, SARIF) would otherwise leave the CI log silent.
func (a *app) warnStatus(rep *report.Report) {
	if msg := report.StatusMessage(rep); msg != "" {
		a.warnf("%s\n", report.TerminalSafe(msg))
	}
	for _, e := range rep.Errors {
		if e.Kind == report.ErrorKindRule {
			a.warnf("rule package %s %s\n", report.TerminalSafe(e.Target), report.TerminalSafe(e.Message))
		}
	}
}
