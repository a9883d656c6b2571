package report

import (
	"fmt"
	"strings"
)

// LookedFor is what a scan reads as NATS configuration, for the message of
// a scan that found none.
const LookedFor = "nats-server configs (*.conf, or files that read like one), Docker Compose services running NATS, JetStream stream and consumer definitions (nats CLI JSON, NACK manifests, shell scripts running nats stream/consumer add), and NATS CLI contexts"

// NotEvaluated reports whether the scan audited nothing (no NATS input, or
// none that parsed): its scores are null, not a grade.
func NotEvaluated(r *Report) bool {
	return r.Scan.Status == StatusNoNATSInput || r.Scan.Status == StatusNotParsed
}

// StatusMessage says in a sentence why the report is not a complete audit
// (Scan.Status); "" for a complete one. Strings from input are raw: each
// format escapes the sentence as it does any other.
func StatusMessage(r *Report) string {
	where := strings.Join(r.Scan.Roots, ", ")
	if where == "" {
		where = "the scanned paths"
	}
	switch r.Scan.Status {
	case StatusNoNATSInput:
		return fmt.Sprintf("no NATS configuration found in %s: looked for %s; nothing was audited, so there are no scores", where, LookedFor)
	case StatusNotParsed:
		return fmt.Sprintf("nothing was audited: the NATS configuration found in %s could not be parsed (see errors), so there are no scores", where)
	case StatusIncomplete:
		return fmt.Sprintf("incomplete scan: %s failed at evaluation (see errors); the other rules' findings are reported", plural(RuleErrors(r), "rule package"))
	}
	return ""
}

// RuleErrors counts the errors about rule packages.
func RuleErrors(r *Report) int {
	n := 0
	for _, e := range r.Errors {
		if e.Kind == ErrorKindRule {
			n++
		}
	}
	return n
}

// errorWhere is what an error is about: the file (and line) for an input,
// the package and its rules for a rule package.
func errorWhere(file string, line int, target string, rules []string, kind string) string {
	if kind == ErrorKindRule {
		if len(rules) == 0 {
			return "rule package " + target
		}
		return fmt.Sprintf("rule package %s (%s)", target, strings.Join(rules, ", "))
	}
	where := nonEmpty(file, target)
	if line > 0 {
		where = fmt.Sprintf("%s:%d", where, line)
	}
	return where
}
