package score

import (
	"testing"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

func TestCompute(t *testing.T) {
	rules := []*finding.Rule{
		{ID: "A", Category: "security"}, {ID: "B", Category: "security"}, {ID: "C", Category: "security"},
		{ID: "D", Category: "reliability"}, {ID: "E", Category: "operations"},
	}
	findings := []report.Finding{
		{RuleID: "A", Severity: "high"},
		{RuleID: "B", Severity: "medium"}, {RuleID: "B", Severity: "low"},
		{RuleID: "C", Severity: "medium"},
		{RuleID: "D", Severity: "critical"},
	}
	s := Compute(findings, rules)
	// security: P = 2 + 1*1.25 + 1 = 4.25 -> 10*e^-0.425 = 6.54
	if got := *s.Categories["security"].Score; got != 6.5 {
		t.Errorf("security = %v, want 6.5", got)
	}
	// reliability: critical, P = 4 -> 6.7, capped at 4
	if got := *s.Categories["reliability"].Score; got != 4 {
		t.Errorf("reliability = %v, want 4 (critical cap)", got)
	}
	if got := *s.Categories["operations"].Score; got != 10 {
		t.Errorf("operations = %v, want 10", got)
	}
	if s.Categories["performance"].Score != nil {
		t.Error("performance had no rule evaluated: want no score")
	}
	// (0.4*6.5 + 0.3*4 + 0.15*10) / 0.85 = 6.24 -> 6.2 (D)
	if *s.Overall != 6.2 || s.Grade != "D" {
		t.Errorf("overall = %v %s", *s.Overall, s.Grade)
	}
	if c := s.Categories["security"]; c.RulesEvaluated != 3 || c.RulesFailed != 3 || c.Findings != 4 {
		t.Errorf("security counts = %+v", c)
	}
}

func TestExtraFindingsAreCapped(t *testing.T) {
	rules := []*finding.Rule{{ID: "A", Category: "reliability"}}
	var fs []report.Finding
	for range 20 {
		fs = append(fs, report.Finding{RuleID: "A", Severity: "high"})
	}
	// 20 findings cost at most twice the penalty: P = 4 -> 6.7
	if got := *Compute(fs, rules).Categories["reliability"].Score; got != 6.7 {
		t.Errorf("score = %v, want 6.7", got)
	}
}
