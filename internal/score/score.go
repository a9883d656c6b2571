// Package score computes the 0–10 category scores and the grade from the
// findings and the rule catalog. The formula is documented in docs/scoring.md;
// keep the two in step.
package score

import (
	"math"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

// Penalty per failed rule, by its highest severity among its findings.
var Penalty = map[string]float64{"critical": 4, "high": 2, "medium": 1, "low": 0.5, "info": 0}

// Weights of the categories in the overall score.
var Weights = map[string]float64{"security": 0.4, "reliability": 0.3, "performance": 0.15, "operations": 0.15}

// Compute scores findings against the rules that were evaluated.
//
// Per category: every failed rule adds the penalty of its most severe
// finding, plus 25% of that penalty for each further finding of the same
// rule (at most +100%), to P; the score is 10·e^(−P/10), so each fix shows
// however bad things are (a linear 10 − P sits at 0 for any badly configured
// deployment); a critical finding caps the category at 4. Only rules that
// could be evaluated on the inputs present count; a category with none has
// no score. The overall score is the weighted mean of the categories that
// have one.
func Compute(findings []report.Finding, evaluated []*engine.Rule) report.Scores {
	type agg struct {
		worst string
		count int
	}
	perRule := map[string]*agg{}
	for _, f := range findings {
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
		if engine.SeverityRank(f.Severity) > engine.SeverityRank(a.worst) {
			a.worst = f.Severity
		}
	}
	out := report.Scores{Categories: map[string]report.CategoryScore{}}
	var wsum, total float64
	for _, cat := range engine.Categories {
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
			p := Penalty[a.worst]
			extra := math.Min(0.25*float64(a.count-1), 1)
			penalty += p * (1 + extra)
			if a.worst == "critical" {
				critical = true
			}
		}
		if cs.RulesEvaluated > 0 {
			s := FromPenalty(penalty)
			if critical {
				s = math.Min(s, 4)
			}
			s = round1(s)
			cs.Score = &s
			wsum += Weights[cat]
			total += Weights[cat] * s
		}
		out.Categories[cat] = cs
	}
	if wsum > 0 {
		o := round1(total / wsum)
		out.Overall = &o
		out.Grade = Grade(o)
	} else {
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
