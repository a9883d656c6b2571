package score

import (
	"testing"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// TestCoverageEdges pins the coverage of a category at its bounds (issue
// 20, Go mutation testing): a category the catalog has no rule of has no
// coverage (not NaN), coverage exactly at report.CoverageThreshold is
// confident, a category with coverage but nothing evaluated is not
// "low confidence" (it has no score to doubt), and coverage is rounded to
// two decimals.
func TestCoverageEdges(t *testing.T) {
	catalog := []*finding.Rule{
		{ID: "S1", Category: "security", Severity: "high"}, {ID: "S2", Category: "security", Severity: "high"},
		{ID: "P1", Category: "performance", Severity: "medium"}, {ID: "P2", Category: "performance", Severity: "medium"}, {ID: "P3", Category: "performance", Severity: "medium"},
		{ID: "O1", Category: "operations", Severity: "info"},
	}
	byID := map[string]*finding.Rule{}
	for _, r := range catalog {
		byID[r.ID] = r
	}
	s := ComputeCatalog(nil, []*finding.Rule{byID["S1"], byID["P1"]}, catalog)
	if c := s.Categories["reliability"]; c.Coverage != nil || c.RulesTotal != 0 || c.LowConfidence || c.Score != nil {
		t.Errorf("reliability (no rule in the catalog) = %+v, want no coverage, no score", c)
	}
	if c := s.Categories["security"]; c.Coverage == nil || *c.Coverage != 0.5 || c.LowConfidence || c.RulesTotal != 2 || c.RulesEvaluated != 1 {
		t.Errorf("security at exactly the threshold = %+v (coverage %v), want 0.5 and confident", c, c.Coverage)
	}
	if c := s.Categories["performance"]; c.Coverage == nil || *c.Coverage != 0.33 || !c.LowConfidence {
		t.Errorf("performance = %+v (coverage %v), want 0.33, low confidence", c, c.Coverage)
	}
	if c := s.Categories["operations"]; c.Coverage == nil || *c.Coverage != 0 || c.LowConfidence || c.Score != nil || c.RulesTotal != 1 {
		t.Errorf("operations (nothing evaluated) = %+v (coverage %v), want 0, not low confidence, no score", c, c.Coverage)
	}
	// Only security is confident (0.4 of the weight): no grade.
	if s.Grade != "n/a" || s.Overall != nil {
		t.Errorf("grade %q overall %v, want n/a", s.Grade, s.Overall)
	}
}

// TestPenaltyPerSeverity: each severity's penalty, the extra 25% per
// further charged finding, and the critical cap, on one rule each.
func TestPenaltyPerSeverity(t *testing.T) {
	rules := []*finding.Rule{{ID: "A", Category: "security"}}
	for _, tc := range []struct {
		sevs []finding.Severity
		want float64
	}{
		{[]finding.Severity{"info"}, 10},
		{[]finding.Severity{"low"}, 9.5},                   // P=0.5
		{[]finding.Severity{"medium"}, 9},                  // P=1
		{[]finding.Severity{"high"}, 8.2},                  // P=2
		{[]finding.Severity{"critical"}, 4},                // P=4: 6.7, capped
		{[]finding.Severity{"low", "high"}, 7.8},           // worst high, 2 findings: P=2.5
		{[]finding.Severity{"medium", "medium"}, 8.8},      // P=1.25
		{[]finding.Severity{"high", "low", "medium"}, 7.4}, // P=3
	} {
		var fs []report.Finding
		for _, s := range tc.sevs {
			fs = append(fs, report.Finding{RuleID: "A", Severity: s})
		}
		got := Compute(fs, rules).Categories["security"]
		if got.Score == nil || *got.Score != tc.want || got.Findings != len(tc.sevs) || got.RulesFailed != 1 {
			t.Errorf("%v: %+v, want score %v", tc.sevs, got, tc.want)
		}
	}
}

// TestOverallWeights: the overall score is the weighted mean of the scored
// categories, graded; a run with no rules at all has no grade and no
// reason to withhold one.
func TestOverallWeights(t *testing.T) {
	rules := []*finding.Rule{{ID: "S", Category: "security"}, {ID: "R", Category: "reliability"}}
	s := Compute([]report.Finding{{RuleID: "R", Severity: "high"}}, rules)
	// (0.4*10 + 0.3*8.2) / 0.7 = 9.23 -> 9.2 (A)
	if s.Overall == nil || *s.Overall != 9.2 || s.Grade != "A" || s.GradeWithheld != "" {
		t.Errorf("overall %v grade %q withheld %q, want 9.2 A", s.Overall, s.Grade, s.GradeWithheld)
	}
	s = Compute(nil, nil)
	if s.Overall != nil || s.Grade != "n/a" || s.GradeWithheld != "" {
		t.Errorf("no rules: overall %v grade %q withheld %q", s.Overall, s.Grade, s.GradeWithheld)
	}
}

// TestFromPenalty: 10·e^(−P/10).
func TestFromPenalty(t *testing.T) {
	for _, tc := range []struct{ p, want float64 }{{0, 10}, {10, 3.7}, {20, 1.4}, {4.25, 6.5}} {
		if got := round1(FromPenalty(tc.p)); got != tc.want {
			t.Errorf("FromPenalty(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}
