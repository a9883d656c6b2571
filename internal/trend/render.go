package trend

import (
	"fmt"
	"io"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// Every string of a trend comes from report files, which may have been
// written by anyone: names, messages, targets and even rule IDs and
// severities are escaped for where they land, in every format.

// Write renders the trend in format.
func Write(w io.Writer, t *Trend, format string) error {
	switch format {
	case "json":
		return report.WriteJSONValue(w, t)
	case "text", "":
		_, err := io.WriteString(w, report.GuardLines(text(t)))
		return err
	case "markdown":
		_, err := io.WriteString(w, report.GuardLines(markdown(t)))
		return err
	case "html":
		return writeHTML(w, t)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

var categories = finding.CategoryNames()
var severities = finding.SeverityNames()

func score(s *float64) string {
	if s == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", *s)
}

func ts(s string) string { return report.TerminalSafe(s) }

func text(t *Trend) string {
	var b strings.Builder
	first, last := t.Reports[0], t.Reports[len(t.Reports)-1]
	fmt.Fprintf(&b, "natsaudit trend: %d reports, %s → %s\n\n", len(t.Reports), ts(day(first.Date)), ts(day(last.Date)))
	fmt.Fprintf(&b, "%s\n\n", ts(t.Summary))

	b.WriteString("Scores and findings per report:\n")
	fmt.Fprintf(&b, "  %-10s  %-8s  %-4s %-4s %-4s %-4s  %4s %4s %4s %4s %4s  %5s  %s\n", "date", "overall", "sec", "rel", "perf", "ops", "crit", "high", "med", "low", "info", "total", "report")
	for _, s := range t.Reports {
		fmt.Fprintf(&b, "  %-10s  %-8s  %-4s %-4s %-4s %-4s  %4d %4d %4d %4d %4d  %5d  %s\n", ts(day(s.Date)), ts(scoreText(s.Overall, s.Grade)),
			score(s.Categories["security"]), score(s.Categories["reliability"]), score(s.Categories["performance"]), score(s.Categories["operations"]),
			s.BySeverity["critical"], s.BySeverity["high"], s.BySeverity["medium"], s.BySeverity["low"], s.BySeverity["info"], s.Findings, ts(s.Name))
	}
	b.WriteString("\n")

	for _, p := range t.Periods {
		fmt.Fprintf(&b, "%s → %s (%d days): %d new, %d fixed, %d escalated, %d still open\n", ts(p.From), ts(p.To), p.Days, len(p.New), len(p.Fixed), len(p.Escalated), p.StillOpen)
		for _, c := range p.New {
			fmt.Fprintf(&b, "  new        %s\n", changeText(c))
		}
		for _, c := range p.Fixed {
			fmt.Fprintf(&b, "  fixed      %s\n", changeText(c))
		}
		for _, c := range p.Escalated {
			fmt.Fprintf(&b, "  escalated  %s (was %s)\n", changeText(c), ts(c.OldSeverity))
		}
		if len(p.Rules) > 0 {
			b.WriteString("  per rule (new / fixed / still open):\n")
			for _, r := range p.Rules {
				fmt.Fprintf(&b, "    %-14s %d / %d / %d\n", ts(r.RuleID), r.New, r.Fixed, r.StillOpen)
			}
		}
		b.WriteString("\n")
	}

	b.WriteString("Longest open:\n")
	if len(t.LongestOpen) == 0 {
		b.WriteString("  none\n")
	}
	for _, o := range t.LongestOpen {
		fmt.Fprintf(&b, "  %4d days  %s  (%s)\n", o.AgeDays, changeText(o.Change), openText(o))
	}
	b.WriteString("\nRegressed rules (more findings than in the report before):\n")
	if len(t.Regressed) == 0 {
		b.WriteString("  none\n")
	}
	for _, g := range t.Regressed {
		fmt.Fprintf(&b, "  %-8s %-14s %d → %d%s  %s\n", ts(strings.ToUpper(g.Severity)), ts(g.RuleID), g.Before, g.Now, reappeared(g), ts(g.Title))
	}
	return b.String()
}

func changeText(c Change) string {
	where := ts(c.Target)
	if c.Location != "" {
		where = ts(c.Location) + "  " + where
	}
	return fmt.Sprintf("%-8s %-14s %s", ts(strings.ToUpper(c.Severity)), ts(c.RuleID), where)
}

func openText(o Open) string {
	if o.StillOpen {
		return "open since " + ts(o.FirstSeen)
	}
	return fmt.Sprintf("from %s, fixed in %s", ts(o.FirstSeen), ts(o.FixedIn))
}

func reappeared(g Regression) string {
	if g.Reappeared {
		return " (back after a fix)"
	}
	return ""
}

func markdown(t *Trend) string {
	var b strings.Builder
	md, cell, code := report.MarkdownText, report.MarkdownCell, report.MarkdownCodeCell
	b.WriteString("# NATS audit trend\n\n")
	b.WriteString(md(t.Summary) + "\n\n")

	b.WriteString("## Scores and findings per report\n\n")
	b.WriteString("| Date | Report | Overall | Security | Reliability | Performance | Operations | Critical | High | Medium | Low | Info | Total |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, s := range t.Reports {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %d | %d | %d | %d | %d | %d |\n", cell(day(s.Date)), cell(s.Name), cell(scoreText(s.Overall, s.Grade)),
			score(s.Categories["security"]), score(s.Categories["reliability"]), score(s.Categories["performance"]), score(s.Categories["operations"]),
			s.BySeverity["critical"], s.BySeverity["high"], s.BySeverity["medium"], s.BySeverity["low"], s.BySeverity["info"], s.Findings)
	}
	b.WriteString("\n")

	if len(t.Periods) > 0 {
		b.WriteString("## Changes per period\n\n")
	}
	for _, p := range t.Periods {
		fmt.Fprintf(&b, "### %s → %s\n\n", md(p.From), md(p.To))
		fmt.Fprintf(&b, "%d days: %d new, %d fixed, %d escalated, %d still open.\n\n", p.Days, len(p.New), len(p.Fixed), len(p.Escalated), p.StillOpen)
		if len(p.New)+len(p.Fixed)+len(p.Escalated) > 0 {
			b.WriteString("| Change | Severity | Rule | Where |\n|---|---|---|---|\n")
			row := func(kind string, c Change) {
				sev := c.Severity
				if c.OldSeverity != "" {
					sev = c.OldSeverity + " → " + c.Severity
				}
				fmt.Fprintf(&b, "| %s | %s | %s %s | %s |\n", kind, cell(sev), code(c.RuleID), cell(c.Title), whereMD(c))
			}
			for _, c := range p.New {
				row("new", c)
			}
			for _, c := range p.Fixed {
				row("fixed", c)
			}
			for _, c := range p.Escalated {
				row("escalated", c)
			}
			b.WriteString("\n")
		}
		if len(p.Rules) > 0 {
			b.WriteString("<details><summary>Per rule: new, fixed, still open</summary>\n\n| Rule | New | Fixed | Still open |\n|---|--:|--:|--:|\n")
			for _, r := range p.Rules {
				fmt.Fprintf(&b, "| %s %s | %d | %d | %d |\n", code(r.RuleID), cell(r.Title), r.New, r.Fixed, r.StillOpen)
			}
			b.WriteString("\n</details>\n\n")
		}
	}

	b.WriteString("## Longest open\n\n")
	if len(t.LongestOpen) == 0 {
		b.WriteString("None.\n\n")
	} else {
		b.WriteString("| Days | Severity | Rule | Where | Status |\n|--:|---|---|---|---|\n")
		for _, o := range t.LongestOpen {
			status := "open since " + o.FirstSeen
			if !o.StillOpen {
				status = "from " + o.FirstSeen + ", fixed in " + o.FixedIn
			}
			fmt.Fprintf(&b, "| %d | %s | %s %s | %s | %s |\n", o.AgeDays, cell(o.Severity), code(o.RuleID), cell(o.Title), whereMD(o.Change), cell(status))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Regressed rules\n\n")
	if len(t.Regressed) == 0 {
		b.WriteString("None: no rule has more findings than in the report before.\n")
	} else {
		b.WriteString("| Severity | Rule | Before | Now |\n|---|---|--:|--:|\n")
		for _, g := range t.Regressed {
			fmt.Fprintf(&b, "| %s | %s %s%s | %d | %d |\n", cell(g.Severity), code(g.RuleID), cell(g.Title), reappeared(g), g.Before, g.Now)
		}
	}
	return b.String()
}

func whereMD(c Change) string {
	s := report.MarkdownCell(c.Target)
	if c.Location != "" {
		s = report.MarkdownCodeCell(c.Location) + " " + s
	}
	return s
}
