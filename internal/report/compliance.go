package report

import "github.com/natsaudit/natsaudit/internal/compliance"

// AddCompliance judges the report against each framework (in the order
// given) and keeps the verdicts in r.Compliance. Call it before findings are
// filtered for display (--severity): a control fails on every finding of
// its rules, like the scores count every finding.
func AddCompliance(r *Report, fws []*compliance.Framework) {
	if len(fws) == 0 {
		return
	}
	states := make([]compliance.RuleState, 0, len(r.Rules))
	for _, rs := range r.Rules {
		states = append(states, compliance.RuleState{ID: rs.ID, Evaluated: rs.Evaluated})
	}
	r.Compliance = make([]compliance.Result, 0, len(fws))
	for _, fw := range fws {
		r.Compliance = append(r.Compliance, fw.Evaluate(states, r.Findings, r.Suppressed))
	}
}
