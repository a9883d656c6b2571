package suppress

import (
	"fmt"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/natsaudit/natsaudit/internal/report"
)

// Exception is one entry of the exceptions file: findings of Rule in files
// matching Path (and on targets matching Target) are accepted, for Reason,
// until Expires.
type Exception struct {
	Rule    string
	Path    string // doublestar glob over the finding's file (report path); "" any file
	Target  string // glob over the target name (server, stream, ...); "" any target
	Reason  string
	Expires string // YYYY-MM-DD or RFC 3339; "" never
	Source  string // file:line where it is declared
	expiry  expiry
}

// NewException checks the globs and the date of an exception.
func NewException(e Exception) (Exception, error) {
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

// matches reports whether the exception covers f (expiry aside).
func (e *Exception) matches(f *report.Finding) bool {
	if e.Rule != f.RuleID {
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
		okName, _ := doublestar.Match(e.Target, f.TargetName)
		okFull, _ := doublestar.Match(e.Target, f.Target)
		if !okName && !okFull {
			return false
		}
	}
	return true
}
