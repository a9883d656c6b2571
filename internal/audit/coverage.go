package audit

import (
	"fmt"
	"strings"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/score"
)

// natsErrorKinds are the inputs whose failure to parse means a NATS
// deployment went unaudited (an .env or certificate that does not parse is
// not NATS configuration by itself).
var natsErrorKinds = map[string]bool{"nats_conf": true, "compose": true, "stream": true}

// setStatus says whether the report is a complete audit (docs/reports.md,
// "Scan status"). A scan that found no NATS input, or whose NATS input all
// failed to parse, has no scores: an A for a scan that checked nothing
// would be a silent pass.
func setStatus(rep *report.Report, inv *model.Inventory, failed []engine.RuleError) {
	switch {
	case audited(inv):
		if len(failed) > 0 {
			rep.Scan.Status = report.StatusIncomplete
		}
		return
	case unparsed(inv):
		rep.Scan.Status = report.StatusNotParsed
	default:
		rep.Scan.Status = report.StatusNoNATSInput
	}
	rep.Scores = score.Compute(rep.Findings, nil)
	rep.Notes = append(rep.Notes, report.StatusMessage(rep))
}

// audited: the inventory holds something the rules could judge, a server
// with a parsed config, a deployment or live documents, or a stream or
// consumer definition.
func audited(inv *model.Inventory) bool {
	if len(inv.Streams) > 0 || len(inv.Consumers) > 0 || len(inv.Credentials) > 0 {
		return true
	}
	for _, s := range inv.Servers {
		if s.Config != nil || s.Deployment != nil || s.Live != nil {
			return true
		}
	}
	return false
}

// unparsed: NATS input was found, and none of it could be read.
func unparsed(inv *model.Inventory) bool {
	for _, e := range inv.Errors {
		if natsErrorKinds[e.Kind] {
			return true
		}
	}
	return false
}

func failedRules(failed []engine.RuleError) map[string]bool {
	out := map[string]bool{}
	for _, f := range failed {
		for _, id := range f.Rules {
			out[id] = true
		}
	}
	return out
}

// ruleErrors are the report's errors for rule packages that failed.
func ruleErrors(failed []engine.RuleError) []model.ParseError {
	var out []model.ParseError
	for _, f := range failed {
		out = append(out, model.ParseError{Kind: report.ErrorKindRule, Target: f.Package, Rules: f.Rules,
			Message: "failed at evaluation, so its rules gave no findings: " + f.Message})
	}
	return out
}

// ruleNotes say in the coverage which rules did not run, and why.
func ruleNotes(failed []engine.RuleError) []string {
	var out []string
	for _, f := range failed {
		rules := "its rules"
		if len(f.Rules) > 0 {
			rules = "its rules (" + strings.Join(f.Rules, ", ") + ")"
		}
		out = append(out, fmt.Sprintf("incomplete scan: rule package %s failed at evaluation; %s gave no findings and are left out of the scores (see errors)", f.Package, rules))
	}
	return out
}
