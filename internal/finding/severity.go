// Package finding is natsaudit's shared vocabulary: findings, their
// severities and categories, suppressions and rule metadata. It is a leaf:
// it imports nothing of natsaudit and nothing of OPA, so that the packages
// that score, suppress and render findings don't depend on the rule engine.
package finding

// Severity is how bad a finding is. The zero value is not a severity.
type Severity string

// The severities, from most to least severe.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Severities lists every severity, most severe first.
var Severities = []Severity{Critical, High, Medium, Low, Info}

// Rank orders severities: critical 4 … info 0; unknown -1.
func (s Severity) Rank() int {
	for i, x := range Severities {
		if x == s {
			return len(Severities) - 1 - i
		}
	}
	return -1
}

// Valid reports whether s is one of Severities.
func (s Severity) Valid() bool { return s.Rank() >= 0 }

// SeverityRank is Rank for a severity held as a plain string (rule metadata,
// configuration, a report read back from JSON).
func SeverityRank[S ~string](s S) int { return Severity(s).Rank() }

// SARIFLevel is the SARIF result level of a severity.
func (s Severity) SARIFLevel() string {
	switch s {
	case Critical, High:
		return "error"
	case Medium:
		return "warning"
	default:
		return "note"
	}
}

// SecuritySeverity is GitHub's security-severity score for a security rule's
// finding: the middle of GitHub's bands (over 9.0 critical, 7.0–8.9 high,
// 4.0–6.9 medium, 0.1–3.9 low) so that no rounding moves a rule to the next
// band. Info has none (""): it is not a vulnerability.
func (s Severity) SecuritySeverity() string {
	switch s {
	case Critical:
		return "9.5"
	case High:
		return "8.0"
	case Medium:
		return "5.5"
	case Low:
		return "3.0"
	}
	return ""
}

// ProblemSeverity is GitHub's problem.severity for a rule that is not a
// security rule (reliability, performance, operations).
func (s Severity) ProblemSeverity() string {
	switch s {
	case Critical, High:
		return "error"
	case Medium:
		return "warning"
	case Low, Info:
		return "recommendation"
	}
	return ""
}

// Category groups rules for scoring.
type Category string

// The categories.
const (
	Security    Category = "security"
	Reliability Category = "reliability"
	Performance Category = "performance"
	Operations  Category = "operations"
)

// Categories lists every category in report order.
var Categories = []Category{Security, Reliability, Performance, Operations}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}

// SeverityNames lists the severities as plain strings, most severe first
// (flag values, messages).
func SeverityNames() []string {
	out := make([]string, len(Severities))
	for i, s := range Severities {
		out[i] = string(s)
	}
	return out
}

// CategoryNames lists the categories as plain strings, in report order.
func CategoryNames() []string {
	out := make([]string, len(Categories))
	for i, c := range Categories {
		out[i] = string(c)
	}
	return out
}
