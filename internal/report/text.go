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

var sevColor = map[string]string{"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m", "info": "\033[37m",
	"diff-": "\033[31m", "diff+": "\033[32m"} // and the removed and added lines of a fix diff

const reset = "\033[0m"

// TextWidth is the width the text report wraps its prose at.
const TextWidth = 100

// indent is where a finding's lines start under its severity.
const indent = "          "

// WriteText renders the report for a terminal: a summary table first
// (grade, severity counts, category scores, inputs found, what could not
// be read), the findings grouped by severity, then the summary lines again
// at the end, where a CI log's reader lands. Every string from the report
// is printed through TerminalSafe, and the whole output is guarded once
// more (guardLines), so that no input can send a terminal escape or start
// a CI workflow command, however the strings are joined. Colour codes
// never count towards alignment: padding is computed on the plain text.
func WriteText(w io.Writer, r *Report, opt TextOptions) error {
	var b strings.Builder
	paint := func(sev, s string) string {
		if c, ok := sevColor[sev]; ok && opt.Color {
			return c + s + reset
		}
		return s
	}
	what := strings.Join(append(append([]string{}, r.Scan.Roots...), r.Scan.Targets...), ", ")
	if what == "" {
		what = "nothing"
	}
	fmt.Fprintf(&b, "natsaudit %s: %s (%s)\n\n", TerminalSafe(r.Tool.Version), TerminalSafe(what), inputCounts(r))
	if msg := StatusMessage(r); msg != "" {
		fmt.Fprintf(&b, "%s.\n\n", TerminalSafe(Title(msg)))
	}
	writeSummaryTable(&b, r, paint)
	switch {
	case len(r.Findings) > 0 || NotEvaluated(r):
	case r.Scan.Status == StatusIncomplete:
		b.WriteString("No findings from the rules that ran.\n\n")
	default:
		b.WriteString("No findings.\n\n")
	}
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		n := 0
		for _, f := range r.Findings {
			if string(f.Severity) == sev {
				n++
			}
		}
		if n == 0 {
			continue
		}
		head := fmt.Sprintf("%s (%d)", strings.ToUpper(sev), n)
		fmt.Fprintf(&b, "%s %s\n\n", paint(sev, head), strings.Repeat("─", max(0, TextWidth-utf8.RuneCountInString(head)-1)))
		for _, f := range r.Findings {
			if string(f.Severity) == sev {
				writeTextFinding(&b, f, paint)
			}
		}
	}
	// Severities outside the five (a custom rule's own word) still show.
	for _, f := range r.Findings {
		if f.Severity.Rank() < 0 {
			writeTextFinding(&b, f, paint)
		}
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
	} else if line := ScoreLine(r.Scores); utf8.RuneCountInString("Scores: "+line) <= TextWidth || r.Scores.Overall == nil {
		fmt.Fprintf(&b, "Scores: %s\n", line)
	} else {
		// Too wide for one line: the grade gets its own.
		noOverall := r.Scores
		noOverall.Overall = nil
		fmt.Fprintf(&b, "Scores: %s\nGrade: %s (overall %.1f/10)\n", ScoreLine(noOverall), TerminalSafe(r.Scores.Grade), *r.Scores.Overall)
	}
	if r.Tool.AdvisoriesDate != "" {
		fmt.Fprintf(&b, "Advisory data: %s\n", TerminalSafe(r.Tool.AdvisoriesDate))
	}
	fmt.Fprintf(&b, "Findings: %s\n", CountLine(r.Summary))
	_, err := io.WriteString(w, guardLines(b.String()))
	return err
}

// writeSummaryTable is the table the report starts with. Labels are padded
// on their plain text; colour wraps the counts only.
func writeSummaryTable(b *strings.Builder, r *Report, paint func(sev, s string) string) {
	row := func(label, value string) {
		fmt.Fprintf(b, "  %-13s %s\n", label, value)
	}
	b.WriteString("Summary\n")
	if r.Scores.Overall != nil {
		row("Grade", fmt.Sprintf("%s (overall %.1f/10)", TerminalSafe(r.Scores.Grade), *r.Scores.Overall))
	} else {
		row("Grade", "not graded (nothing could be judged)")
	}
	var counts []string
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		c := fmt.Sprintf("%d %s", r.Summary.Severity[sev], sev)
		if r.Summary.Severity[sev] > 0 {
			c = paint(sev, c)
		}
		counts = append(counts, c)
	}
	row("Findings", strings.Join(counts, " · "))
	for _, c := range []string{"security", "reliability", "performance", "operations"} {
		cs := r.Scores.Categories[c]
		if cs.Score == nil {
			row(Title(c), "n/a (no rule of it could be evaluated)")
			continue
		}
		row(Title(c), fmt.Sprintf("%4.1f/10  %d of %d rules failed", *cs.Score, cs.RulesFailed, cs.RulesEvaluated))
	}
	inputs := inputCounts(r)
	if len(r.Scan.Sources) > 0 {
		inputs += " (" + TerminalSafe(strings.Join(r.Scan.Sources, ", ")) + ")"
	}
	row("Inputs", inputs)
	unread, skipped := 0, 0
	for _, e := range r.Errors {
		if e.Kind != ErrorKindRule {
			unread++
		}
	}
	for _, n := range r.Notes {
		if strings.HasPrefix(n, "skipped ") {
			skipped++
		}
	}
	switch {
	case unread == 0 && skipped == 0:
		row("Not read", "nothing")
	default:
		var parts []string
		if unread > 0 {
			parts = append(parts, fmt.Sprintf("%d could not be parsed (under Errors below)", unread))
		}
		if skipped > 0 {
			parts = append(parts, fmt.Sprintf("%d skipped (warnings on stderr)", skipped))
		}
		row("Not read", strings.Join(parts, "; "))
	}
	if n := len(r.Suppressed); n > 0 {
		row("Suppressed", fmt.Sprintf("%d (not counted)", n))
	}
	b.WriteString("\n")
}

// writeTextFinding is one finding: severity, rule and title; where; the
// message; the offending line; the fix (the remediation's first paragraph,
// whole); how to learn more.
func writeTextFinding(b *strings.Builder, f Finding, paint func(sev, s string) string) {
	sev := TerminalSafe(strings.ToUpper(string(f.Severity)))
	// Pad outside the colour codes: they take no room on screen, and
	// %-8s would count them.
	pad := strings.Repeat(" ", max(0, 8-utf8.RuneCountInString(sev)))
	fmt.Fprintf(b, "%s%s  %s  %s\n", paint(string(f.Severity), sev), pad, TerminalSafe(f.RuleID), TerminalSafe(f.Title))
	target := TerminalSafe(TargetLabel(f))
	at := ""
	if f.Location != nil {
		at = fmt.Sprintf("%s:%d", TerminalSafe(f.Location.File), f.Location.Line)
	} else if f.Endpoint != "" {
		at = TerminalSafe(f.Endpoint)
	}
	switch {
	case at == "":
		b.WriteString(textWrap(target, TextWidth, indent, indent+"  ") + "\n")
	case utf8.RuneCountInString(indent+at+"  "+target) > TextWidth:
		// The place on its own line, whole: it is what a reader copies.
		fmt.Fprintf(b, "%s%s\n%s\n", indent, at, textWrap(target, TextWidth, indent+"  ", indent+"  "))
	default:
		fmt.Fprintf(b, "%s%s  %s\n", indent, at, target)
	}
	b.WriteString(textWrap(TerminalSafe(f.Message), TextWidth, indent, indent) + "\n")
	if f.Snippet != "" {
		fmt.Fprintf(b, "%s│ %s\n", indent, TerminalSafe(f.Snippet))
	}
	if lead, items := fixList(f.Remediation); len(items) > 0 {
		// "Upgrade to 2.15.2. Until then:" and one line per advisory: the
		// list is the fix, so it is shown, not cut at the colon.
		b.WriteString(textWrap(TerminalSafe(lead), TextWidth, indent+"fix: ", indent+"     ") + "\n")
		for _, it := range items {
			b.WriteString(textWrap(TerminalSafe(it), TextWidth, indent+"     - ", indent+"       ") + "\n")
		}
	} else if fix := firstParagraph(f.Remediation); fix != "" {
		b.WriteString(textWrap(TerminalSafe(fix), TextWidth, indent+"fix: ", indent+"     ") + "\n")
	}
	if f.FixDiff != "" {
		// Each line made inert like any other string: a diff quotes the
		// scanned file.
		fmt.Fprintf(b, "%sfix as a diff:\n", indent)
		for _, l := range strings.Split(strings.TrimSuffix(f.FixDiff, "\n"), "\n") {
			line := indent + "  " + TerminalSafe(l)
			switch {
			case strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "--- "):
				line = indent + "  " + paint("diff-", TerminalSafe(l))
			case strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++ "):
				line = indent + "  " + paint("diff+", TerminalSafe(l))
			}
			b.WriteString(line + "\n")
		}
	}
	fmt.Fprintf(b, "%smore: natsaudit rules show %s\n\n", indent, TerminalSafe(f.RuleID))
}

// codeWords splits s at spaces, except inside backticks.
func codeWords(s string) []string {
	var out []string
	open := false
	for _, w := range strings.Fields(s) {
		if open && len(out) > 0 {
			out[len(out)-1] += " " + w
		} else {
			out = append(out, w)
		}
		if strings.Count(w, "`")%2 == 1 {
			open = !open
		}
	}
	return out
}

// firstParagraph is a remediation's first paragraph, whole (never a
// sentence cut short), its lines joined. A paragraph that announces a code
// block ("With clients that support TLS-first:") takes the block's first
// line as code, so that it still says what to do.
func firstParagraph(s string) string {
	var para []string
	lines := strings.Split(strings.TrimSpace(s), "\n")
	i := 0
	for ; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "\t") || strings.HasPrefix(t, "```") {
			break
		}
		para = append(para, t)
	}
	p := strings.TrimSpace(strings.Join(para, " "))
	if strings.HasSuffix(p, ":") {
		if code, comment := firstCodeLine(lines[i:]); code != "" {
			p += " `" + code + "`"
			if comment != "" {
				p += " (" + comment + ")"
			}
			return sentence(p)
		}
	}
	p = strings.TrimSpace(strings.TrimSuffix(p, ":"))
	for _, tail := range []string{", e.g.", " e.g.", ", for example", " for example"} {
		p = strings.TrimSuffix(p, tail)
	}
	return sentence(p)
}

// firstCodeLine is the code block that starts lines (after blank lines;
// indented or fenced) when it is one complete line, split from a trailing
// "# comment"; "" for a longer block (a block's first line alone, "tls {",
// would say nothing).
func firstCodeLine(lines []string) (code, comment string) {
	var block []string
	fenced := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case t == "" && len(block) == 0 && !fenced:
			continue
		case strings.HasPrefix(t, "```"):
			if fenced {
				goto done
			}
			fenced = true
			continue
		case t == "" && !fenced:
			goto done
		case !fenced && !strings.HasPrefix(l, "    ") && !strings.HasPrefix(l, "\t"):
			goto done
		}
		block = append(block, t)
	}
done:
	if len(block) != 1 || strings.HasSuffix(block[0], "{") || strings.HasSuffix(block[0], ",") || strings.HasPrefix(block[0], "#") {
		return "", ""
	}
	t := block[0]
	if i := strings.Index(t, "  #"); i > 0 {
		return strings.TrimSpace(t[:i]), strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t[i:]), "#"))
	}
	return t, ""
}

// textWrap wraps s at width runes, the first line after first, the others
// after rest. A word longer than a line stays whole, and so does a `code
// span` (a command cut in two cannot be copied).
func textWrap(s string, width int, first, rest string) string {
	words := codeWords(s)
	if len(words) == 0 {
		return strings.TrimRight(first, " ")
	}
	var b strings.Builder
	line, n := first, utf8.RuneCountInString(first)
	has := false
	for _, w := range words {
		wn := utf8.RuneCountInString(w)
		if has && n+1+wn > width {
			b.WriteString(line + "\n")
			line, n, has = rest, utf8.RuneCountInString(rest), false
		}
		if has {
			line += " "
			n++
		}
		line += w
		n += wn
		has = true
	}
	b.WriteString(line)
	return b.String()
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

// fixList splits a remediation whose first paragraph ends with a colon and
// whose next paragraph is a list ("- item" lines): the lead sentence and the
// items. No items otherwise.
func fixList(s string) (lead string, items []string) {
	paras := strings.SplitN(strings.TrimSpace(s), "\n\n", 3)
	if len(paras) < 2 {
		return "", nil
	}
	lead = strings.Join(strings.Fields(paras[0]), " ")
	if !strings.HasSuffix(lead, ":") {
		return "", nil
	}
	for _, l := range strings.Split(paras[1], "\n") {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "- ") {
			return "", nil
		}
		items = append(items, strings.TrimSpace(t[2:]))
	}
	return lead, items
}

// inputCounts is "15 files, 2 servers, 4 streams, 2 consumers" ("1 file").
func inputCounts(r *Report) string {
	return strings.Join([]string{plural(len(r.Scan.Files), "file"), plural(len(r.Scan.Servers), "server"), plural(r.Scan.Streams, "stream"), plural(r.Scan.Consumers, "consumer")}, ", ")
}
