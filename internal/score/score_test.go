package score

import (
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

func TestCompute(t *testing.T) {
	rules := []*engine.Rule{
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
	rules := []*engine.Rule{{ID: "A", Category: "reliability"}}
	var fs []report.Finding
	for range 20 {
		fs = append(fs, report.Finding{RuleID: "A", Severity: "high"})
	}
	// 20 findings cost at most twice the penalty: P = 4 -> 6.7
	if got := *Compute(fs, rules).Categories["reliability"].Score; got != 6.7 {
		t.Errorf("score = %v, want 6.7", got)
	}
}

// TestSharedFindingCounts: a finding shared by servers counts once, unless
// its severity depends on the server (ScoreCount: once per server).
func TestSharedFindingCounts(t *testing.T) {
	rules := []*engine.Rule{{ID: "A", Category: "operations"}}
	tests := []struct {
		name      string
		f         report.Finding
		wantScore float64
		wantCount int
	}{
		{"once", report.Finding{RuleID: "A", Severity: "medium", Servers: []string{"a", "b", "c"}}, 9.0, 1},                      // P=1
		{"per server", report.Finding{RuleID: "A", Severity: "medium", Servers: []string{"a", "b", "c"}, ScoreCount: 3}, 8.6, 3}, // P=1.5
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Compute([]report.Finding{tt.f}, rules)
			c := s.Categories["operations"]
			if *c.Score != tt.wantScore || c.Findings != tt.wantCount {
				t.Errorf("score %v findings %d, want %v %d", *c.Score, c.Findings, tt.wantScore, tt.wantCount)
			}
		})
	}
}
