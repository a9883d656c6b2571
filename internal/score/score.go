// Package score computes the 0–10 category scores and the grade from the
// findings and the rule catalog. The formula is documented in docs/scoring.md;
// keep the two in step.
package score

import (
	"math"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// Penalty per failed rule, by its highest severity among its findings.
var Penalty = map[finding.Severity]float64{"critical": 4, "high": 2, "medium": 1, "low": 0.5, "info": 0}

// coverageWeight weighs a rule by its default severity when measuring how
// much of a category was evaluated: a live-only high rule that could not
// run leaves more unknown than an info rule. Info rules weigh a little, so
// that a category of info rules still has a coverage.
var coverageWeight = map[string]float64{"critical": 4, "high": 2, "medium": 1, "low": 0.5, "info": 0.25}

// Weights of the categories in the overall score.
var Weights = map[finding.Category]float64{"security": 0.4, "reliability": 0.3, "performance": 0.15, "operations": 0.15}

// Compute scores findings against the rules that were evaluated, without
// coverage (every scored category counts as fully covered). See
// ComputeCatalog.
func Compute(findings []report.Finding, evaluated []*finding.Rule) report.Scores {
	return ComputeCatalog(findings, evaluated, nil)
}

// ComputeCatalog scores findings against the rules that were evaluated, out
// of catalog (every rule known to the run; nil: no coverage is measured).
//
// Per category: every failed rule adds the penalty of its most severe
// finding, plus 25% of that penalty for each further finding of the same
// rule (at most +100%), to P; the score is 10·e^(−P/10), so each fix shows
// however bad things are (a linear 10 − P sits at 0 for any badly configured
// deployment); a critical finding caps the category at 4. A finding that
// shares its root cause with a more severe one (report.RootCause: the same
// value at the same line) is charged nothing: one change fixes both. Only
// rules that could be evaluated on the inputs present count; a category
// with none has no score. A category whose coverage is below
// report.CoverageThreshold is low confidence and left out of the overall
// score, which is the weighted mean of the other scored categories; there
// is no grade when those carry less than half of the weight.
func ComputeCatalog(findings []report.Finding, evaluated, catalog []*finding.Rule) report.Scores {
	type agg struct {
		worst   finding.Severity
		count   int // findings, charged or not
		charged int
	}
	perRule := map[string]*agg{}
	charged := report.Charged(findings)
	for i, f := range findings {
		a := perRule[f.RuleID]
		if a == nil {
			a = &agg{}
			perRule[f.RuleID] = a
		}
		if f.ScoreCount > 1 {
			a.count += f.ScoreCount // severity depends on the server: once per server
		} else {
			a.count++
		}
		if !charged[i] {
			continue
		}
		if f.ScoreCount > 1 {
			a.charged += f.ScoreCount
		} else {
			a.charged++
		}
		if f.Severity.Rank() > a.worst.Rank() {
			a.worst = f.Severity
		}
	}
	isEval := map[string]bool{}
	for _, r := range evaluated {
		isEval[r.ID] = true
	}
	out := report.Scores{Categories: map[string]report.CategoryScore{}}
	var wsum, total, scoredWeight float64
	for _, cat := range finding.Categories {
		cs := report.CategoryScore{}
		penalty, critical := 0.0, false
		for _, r := range evaluated {
			if r.Category != cat {
				continue
			}
			cs.RulesEvaluated++
			a := perRule[r.ID]
			if a == nil {
				continue
			}
			cs.RulesFailed++
			cs.Findings += a.count
			if a.charged == 0 {
				continue
			}
			p := Penalty[a.worst]
			extra := math.Min(0.25*float64(a.charged-1), 1)
			penalty += p * (1 + extra)
			if a.worst == "critical" {
				critical = true
			}
		}
		if catalog != nil {
			var all, done float64
			for _, r := range catalog {
				if r.Category != cat {
					continue
				}
				cs.RulesTotal++
				all += coverageWeight[string(r.Severity)]
				if isEval[r.ID] {
					done += coverageWeight[string(r.Severity)]
				}
			}
			if all > 0 {
				c := math.Round(done/all*100) / 100
				cs.Coverage = &c
				cs.LowConfidence = cs.RulesEvaluated > 0 && done/all < report.CoverageThreshold
			}
		}
		if cs.RulesEvaluated > 0 {
			s := FromPenalty(penalty)
			if critical {
				s = math.Min(s, 4)
			}
			s = round1(s)
			cs.Score = &s
			scoredWeight += Weights[cat]
			if !cs.LowConfidence {
				wsum += Weights[cat]
				total += Weights[cat] * s
			}
		}
		out.Categories[string(cat)] = cs
	}
	switch {
	case wsum > 0 && wsum >= 0.5:
		o := round1(total / wsum)
		out.Overall = &o
		out.Grade = Grade(o)
	case scoredWeight > 0:
		out.Grade = "n/a"
		out.GradeWithheld = "the categories scored with enough coverage carry less than half of the overall weight"
	default:
		out.Grade = "n/a"
	}
	return out
}

// FromPenalty is the category score for a total penalty P: 10·e^(−P/10).
func FromPenalty(p float64) float64 { return 10 * math.Exp(-p/10) }

// Grade maps an overall score to a letter: A ≥ 9, B ≥ 8, C ≥ 7, D ≥ 5, else F.
func Grade(s float64) string {
	switch {
	case s >= 9:
		return "A"
	case s >= 8:
		return "B"
	case s >= 7:
		return "C"
	case s >= 5:
		return "D"
	default:
		return "F"
	}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
