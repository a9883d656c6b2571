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

// One image tag is both affected by advisories (VER-001) and end-of-life
// (VER-002): one root cause, charged once, at its most severe finding.
func TestRootCauseChargedOnce(t *testing.T) {
	rules := []*finding.Rule{{ID: "NATS-VER-001", Category: "security"}, {ID: "NATS-VER-002", Category: "security"}, {ID: "NATS-TLS-002", Category: "security"}, {ID: "NATS-DOC-002", Category: "security"}}
	// The fix kinds of the catalog (METADATA custom.fix_kind).
	fix := map[string]string{"NATS-VER-001": "nats_version", "NATS-VER-002": "nats_version"}
	at := func(rule, sev, file string, line int, path string) report.Finding {
		return report.Finding{RuleID: rule, Severity: finding.Severity(sev), Location: &report.Location{File: file, Line: line}, Path: path, FixKind: fix[rule]}
	}
	cases := []struct {
		name     string
		findings []report.Finding
		want     float64
	}{
		{"one tag, two rules: only the critical is charged (P=4, capped)", []report.Finding{
			at("NATS-VER-001", "critical", "docker-compose.yml", 5, "deployment/image"),
			at("NATS-VER-002", "high", "docker-compose.yml", 5, "deployment/image"),
		}, 4},
		{"one tag, high and medium: P=2", []report.Finding{
			at("NATS-VER-001", "medium", "docker-compose.yml", 5, "deployment/image"),
			at("NATS-VER-002", "high", "docker-compose.yml", 5, "deployment/image"),
		}, 8.2},
		{"two values: both charged, P=3", []report.Finding{
			at("NATS-VER-002", "high", "docker-compose.yml", 5, "deployment/image"),
			at("NATS-TLS-002", "medium", "nats.conf", 37, "config/allow_non_tls"),
		}, 7.4},
		// The image's default config at the image line is fixed by
		// mounting a config, not by the upgrade: two changes, P=2+2.
		{"one image line, two changes: both charged, P=4", []report.Finding{
			at("NATS-VER-002", "high", "docker-compose.yml", 5, "deployment/image"),
			at("NATS-DOC-002", "high", "docker-compose.yml", 5, "deployment/image"),
		}, 6.7},
		{"same line, whole-object path: not one root cause, P=3", []report.Finding{
			at("NATS-VER-002", "high", "s.yaml", 7, "config"),
			at("NATS-TLS-002", "medium", "s.yaml", 7, "config"),
		}, 7.4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Compute(c.findings, rules)
			cs := s.Categories["security"]
			if got := *cs.Score; got != c.want {
				t.Errorf("security = %v, want %v", got, c.want)
			}
			if cs.Findings != len(c.findings) {
				t.Errorf("findings = %d, want %d (every finding is still counted)", cs.Findings, len(c.findings))
			}
		})
	}
}

func TestCoverage(t *testing.T) {
	catalog := []*finding.Rule{
		{ID: "S1", Category: "security", Severity: "high"}, {ID: "S2", Category: "security", Severity: "medium"},
		{ID: "P1", Category: "performance", Severity: "low"}, {ID: "P2", Category: "performance", Severity: "high"},
		{ID: "R1", Category: "reliability", Severity: "medium"},
	}
	byID := map[string]*finding.Rule{}
	for _, r := range catalog {
		byID[r.ID] = r
	}
	pick := func(ids ...string) []*finding.Rule {
		var out []*finding.Rule
		for _, id := range ids {
			out = append(out, byID[id])
		}
		return out
	}
	cases := []struct {
		name      string
		evaluated []string
		lowPerf   bool
		perfCov   float64
		grade     string
		overall   float64 // 0: none
	}{
		// performance: 0.5 of 2.5 evaluated = 20% < 50%: low confidence,
		// left out; security 0.4 + reliability 0.3 >= 0.5: graded.
		{"thin performance is low confidence and not graded", []string{"S1", "S2", "P1", "R1"}, true, 0.2, "A", 10},
		{"full coverage", []string{"S1", "S2", "P1", "P2", "R1"}, false, 1, "A", 10},
		// only performance (0.15) and reliability (0.3) scored with
		// confidence: under half of the weight, no grade.
		{"too thin to grade", []string{"P2", "R1"}, false, 0.8, "n/a", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ComputeCatalog(nil, pick(c.evaluated...), catalog)
			p := s.Categories["performance"]
			if p.LowConfidence != c.lowPerf || p.Coverage == nil || *p.Coverage != c.perfCov || p.RulesTotal != 2 {
				t.Errorf("performance = %+v (coverage %v), want low=%v coverage %v of 2 rules", p, p.Coverage, c.lowPerf, c.perfCov)
			}
			if s.Grade != c.grade {
				t.Errorf("grade = %q, want %q", s.Grade, c.grade)
			}
			if c.overall == 0 && (s.Overall != nil || s.GradeWithheld == "") {
				t.Errorf("overall = %v withheld %q: want none, with the reason", s.Overall, s.GradeWithheld)
			}
			if c.overall != 0 && (s.Overall == nil || *s.Overall != c.overall) {
				t.Errorf("overall = %v, want %v", s.Overall, c.overall)
			}
		})
	}
}

// TestSharedFindingCounts: a finding shared by servers counts once, unless
// its severity depends on the server (ScoreCount: once per server).
func TestSharedFindingCounts(t *testing.T) {
	rules := []*finding.Rule{{ID: "A", Category: "operations"}}
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
