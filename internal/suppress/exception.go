package suppress

import (
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// Exception is one entry of the exceptions file: findings of Rule in files
// matching Path (and on targets matching Target) are accepted, for Reason,
// until Expires.
type Exception struct {
	Rule string // a rule ID, or a glob over IDs (NATS-STR-*)
	// MaxSeverity, when set, is the most severe finding the exception
	// accepts: a finding that became more severe is reported again.
	MaxSeverity string
	Path        string // doublestar glob over the finding's file (report path); "" any file
	Target      string // glob over the target name (server, stream, ...); "" any target
	Reason      string
	Expires     string // YYYY-MM-DD or RFC 3339; "" never
	Source      string // file:line where it is declared
	expiry      expiry
}

// NewException checks the globs and the date of an exception.
func NewException(e Exception) (Exception, error) {
	if IsRuleGlob(e.Rule) {
		if !doublestar.ValidatePattern(e.Rule) {
			return e, fmt.Errorf("rule %q is not a valid glob", e.Rule)
		}
		if e.Reason == "" {
			return e, fmt.Errorf("an exception for several rules (%s) needs a reason", e.Rule)
		}
	}
	if e.MaxSeverity != "" && finding.SeverityRank(e.MaxSeverity) < 0 {
		return e, fmt.Errorf("max_severity %q: want one of %s", e.MaxSeverity, strings.Join(finding.SeverityNames(), ", "))
	}
	if e.Path != "" && !doublestar.ValidatePattern(e.Path) {
		return e, fmt.Errorf("path %q is not a valid glob", e.Path)
	}
	if e.Target != "" && !doublestar.ValidatePattern(e.Target) {
		return e, fmt.Errorf("target %q is not a valid glob", e.Target)
	}
	if e.Expires != "" {
		x, err := parseExpiry(e.Expires)
		if err != nil {
			return e, fmt.Errorf("expires %q: %w", e.Expires, err)
		}
		e.expiry = x
	}
	return e, nil
}

// IsRuleGlob reports whether an exception's rule is a pattern over rule IDs.
func IsRuleGlob(rule string) bool { return strings.ContainsAny(rule, "*?[") }

// tooSevere reports whether f is more severe than the exception accepts.
func (e *Exception) tooSevere(f *report.Finding) bool {
	return e.MaxSeverity != "" && finding.SeverityRank(f.Severity) > finding.SeverityRank(e.MaxSeverity)
}

// matches reports whether the exception covers f (expiry aside).
func (e *Exception) matches(f *report.Finding) bool {
	if IsRuleGlob(e.Rule) {
		if ok, _ := doublestar.Match(e.Rule, f.RuleID); !ok {
			return false
		}
	} else if e.Rule != f.RuleID {
		return false
	}
	if e.Path != "" {
		if f.Location == nil {
			return false
		}
		if ok, _ := doublestar.Match(e.Path, f.Location.File); !ok {
			return false
		}
	}
	if e.Target != "" {
		if len(f.Servers) > 1 {
			// One finding for several servers: an exception naming some of
			// them must not hide it for the others.
			for _, s := range f.Servers {
				okName, _ := doublestar.Match(e.Target, s)
				okFull, _ := doublestar.Match(e.Target, "server "+s)
				if !okName && !okFull {
					return false
				}
			}
			return true
		}
		okName, _ := doublestar.Match(e.Target, f.TargetName)
		okFull, _ := doublestar.Match(e.Target, f.Target)
		if !okName && !okFull {
			return false
		}
	}
	return true
}
