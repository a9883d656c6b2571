package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// TextOptions tune the terminal output.
type TextOptions struct {
	Color bool
}

var sevColor = map[string]string{"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m", "info": "\033[37m"}

const reset = "\033[0m"

// WriteText renders the report for a terminal. Every string from the report
// is printed through TerminalSafe, and the whole output is guarded once more
// (guardLines), so that no input can send a terminal escape or start a CI
// workflow command, however the strings are joined.
func WriteText(w io.Writer, r *Report, opt TextOptions) error {
	var b strings.Builder
	what := strings.Join(append(append([]string{}, r.Scan.Roots...), r.Scan.Targets...), ", ")
	if what == "" {
		what = "nothing"
	}
	fmt.Fprintf(&b, "natsaudit %s: %s (%d files, %d servers, %d streams, %d consumers)\n\n", TerminalSafe(r.Tool.Version), TerminalSafe(what), len(r.Scan.Files), len(r.Scan.Servers), r.Scan.Streams, r.Scan.Consumers)
	if msg := StatusMessage(r); msg != "" {
		fmt.Fprintf(&b, "%s.\n\n", TerminalSafe(Title(msg)))
	}
	switch {
	case len(r.Findings) > 0 || NotEvaluated(r):
	case r.Scan.Status == StatusIncomplete:
		b.WriteString("No findings from the rules that ran.\n\n")
	default:
		b.WriteString("No findings.\n\n")
	}
	for _, f := range r.Findings {
		sev := TerminalSafe(strings.ToUpper(f.Severity))
		// Pad outside the colour codes: they take no room on screen, and
		// %-8s would count them.
		pad := strings.Repeat(" ", max(0, 8-utf8.RuneCountInString(sev)))
		if c, ok := sevColor[f.Severity]; ok && opt.Color {
			sev = c + sev + reset
		}
		fmt.Fprintf(&b, "%s%s  %s  %s\n", sev, pad, TerminalSafe(f.RuleID), TerminalSafe(f.Title))
		where := TerminalSafe(TargetLabel(f))
		if f.Location != nil {
			where = fmt.Sprintf("%s:%d  %s", TerminalSafe(f.Location.File), f.Location.Line, where)
		} else if f.Endpoint != "" {
			where = fmt.Sprintf("%s  %s", TerminalSafe(f.Endpoint), where)
		}
		fmt.Fprintf(&b, "          %s\n", where)
		fmt.Fprintf(&b, "          %s\n", TerminalSafe(f.Message))
		if f.Snippet != "" {
			fmt.Fprintf(&b, "          │ %s\n", TerminalSafe(f.Snippet))
		}
		if fix := firstSentence(f.Remediation); fix != "" {
			fmt.Fprintf(&b, "          fix: %s\n", TerminalSafe(fix))
		}
		b.WriteString("\n")
	}
	if len(r.Errors) > 0 {
		b.WriteString("Errors:\n")
		for _, e := range r.Errors {
			if e.Kind == ErrorKindRule {
				fmt.Fprintf(&b, "  %s: %s\n", TerminalSafe(errorWhere(e.File, e.Line, e.Target, e.Rules, e.Kind)), TerminalSafe(e.Message))
				continue
			}
			fmt.Fprintf(&b, "  %s\n", ErrorLine(e.File, e.Line, e.Message))
		}
		b.WriteString("\n")
	}
	if n := len(r.Suppressed); n > 0 {
		fmt.Fprintf(&b, "Suppressed: %d finding(s) (see --format json or markdown for reasons)\n", n)
	}
	if NotEvaluated(r) {
		fmt.Fprintf(&b, "Scores: not evaluated (%s)\n", ScoreLine(r.Scores))
	} else {
		fmt.Fprintf(&b, "Scores: %s\n", ScoreLine(r.Scores))
	}
	if r.Tool.AdvisoriesDate != "" {
		fmt.Fprintf(&b, "Advisory data: %s\n", TerminalSafe(r.Tool.AdvisoriesDate))
	}
	fmt.Fprintf(&b, "Findings: %s\n", CountLine(r.Summary))
	_, err := io.WriteString(w, guardLines(b.String()))
	return err
}

// ErrorLine formats a parse error as file:line: message, safe for a
// terminal.
func ErrorLine(file string, line int, msg string) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d: %s", TerminalSafe(file), line, TerminalSafe(msg))
	}
	return fmt.Sprintf("%s: %s", TerminalSafe(file), TerminalSafe(msg))
}

// ScoreLine is "Security 6.5/10 · ... · Overall 7.1 (C)".
func ScoreLine(s Scores) string {
	var parts []string
	for _, c := range []string{"security", "reliability", "performance", "operations"} {
		cs := s.Categories[c]
		if cs.Score == nil {
			parts = append(parts, fmt.Sprintf("%s n/a", Title(c)))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %.1f/10", Title(c), *cs.Score))
	}
	if s.Overall != nil {
		parts = append(parts, fmt.Sprintf("Overall %.1f (%s)", *s.Overall, TerminalSafe(s.Grade)))
	}
	return strings.Join(parts, " · ")
}

// CountLine is "2 critical, 5 high, ...".
func CountLine(s Summary) string {
	var parts []string
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		parts = append(parts, fmt.Sprintf("%d %s", s.Severity[sev], sev))
	}
	return strings.Join(parts, ", ")
}

// Title capitalises a word.
func Title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
