package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// DiffFormats are the output formats of `natsaudit diff`.
var DiffFormats = []string{"text", "markdown", "json"}

// Diff is the trend between two reports of the same deployment: how the
// scores moved and which findings were fixed, are new or are still open.
// Findings are matched by fingerprint (rule, file, target, logical path),
// never by line, so moving lines around changes nothing.
type Diff struct {
	Old       DiffSide      `json:"old_report"`
	New       DiffSide      `json:"new_report"`
	Overall   ScoreChange   `json:"overall"`
	Scores    []ScoreChange `json:"categories"`
	Fixed     []DiffEntry   `json:"fixed"`      // open before, gone now, rule still evaluated
	Added     []DiffEntry   `json:"new"`        // open now, not open before
	Escalated []DiffEntry   `json:"escalated"`  // open in both, worse now (more severe, new advisories)
	Open      []DiffEntry   `json:"still_open"` // open in both, not worse
	Suppress  []DiffEntry   `json:"suppressed"` // open before, suppressed now
	Unchecked []DiffEntry   `json:"unchecked"`  // open before, its rule not evaluated now
	Counts    DiffCounts    `json:"counts"`
	Summary   string        `json:"summary"`
}

// DiffSide identifies one of the two reports.
type DiffSide struct {
	Started  string         `json:"started"`
	Version  string         `json:"version"`
	Roots    []string       `json:"roots"`
	Targets  []string       `json:"targets"`
	Findings int            `json:"findings"`
	Severity map[string]int `json:"by_severity"`
}

// ScoreChange is one score before and after; nil is "not evaluated".
type ScoreChange struct {
	Category string   `json:"category"`
	Old      *float64 `json:"old"`
	New      *float64 `json:"new"`
	Delta    *float64 `json:"delta"`
	OldGrade string   `json:"old_grade,omitempty"`
	NewGrade string   `json:"new_grade,omitempty"`
}

// DiffEntry is one finding in the diff; Note says why it is classified as it
// is when that is not obvious ("rule not evaluated in the old report").
type DiffEntry struct {
	Finding
	Note string `json:"note,omitempty"`
}

// DiffCounts are the sizes of the lists.
type DiffCounts struct {
	Fixed      int `json:"fixed"`
	New        int `json:"new"`
	Escalated  int `json:"escalated"`
	StillOpen  int `json:"still_open"`
	Suppressed int `json:"suppressed"`
	Unchecked  int `json:"unchecked"`
}

// Compare computes the diff from old to cur.
func Compare(old, cur *Report) *Diff {
	d := &Diff{Old: side(old), New: side(cur)}
	d.Overall = change("overall", old.Scores.Overall, cur.Scores.Overall)
	d.Overall.OldGrade, d.Overall.NewGrade = old.Scores.Grade, cur.Scores.Grade
	for _, c := range finding.CategoryNames() {
		d.Scores = append(d.Scores, change(c, old.Scores.Categories[c].Score, cur.Scores.Categories[c].Score))
	}
	oldEval, newEval := evaluatedSet(old), evaluatedSet(cur)
	oldOpen, oldSup := fingerprints(old.Findings), fingerprints(old.Suppressed)
	newOpen, newSup := fingerprints(cur.Findings), fingerprints(cur.Suppressed)

	// Multisets: two findings can share a fingerprint (same rule, file,
	// target and path); each match consumes one.
	used := map[string]int{}
	for _, f := range old.Findings {
		fp := key(f)
		switch {
		case used[fp] < newOpen[fp]:
			used[fp]++
		case newSup[fp] > 0:
			d.Suppress = append(d.Suppress, DiffEntry{Finding: f})
		case !newEval[f.RuleID]:
			d.Unchecked = append(d.Unchecked, DiffEntry{Finding: f, Note: "rule not evaluated in the new report"})
		default:
			d.Fixed = append(d.Fixed, DiffEntry{Finding: f})
		}
	}
	oldByKey := map[string][]Finding{}
	for _, f := range old.Findings {
		oldByKey[key(f)] = append(oldByKey[key(f)], f)
	}
	seen := map[string]int{}
	for _, f := range cur.Findings {
		fp := key(f)
		if seen[fp] < oldOpen[fp] {
			was := oldByKey[fp][seen[fp]]
			seen[fp]++
			if why := Escalation(was, f); why != "" {
				d.Escalated = append(d.Escalated, DiffEntry{Finding: f, Note: "escalated: " + why})
				continue
			}
			d.Open = append(d.Open, DiffEntry{Finding: f})
			continue
		}
		e := DiffEntry{Finding: f}
		switch {
		case oldSup[fp] > 0:
			e.Note = "suppressed in the old report"
		case !oldEval[f.RuleID]:
			e.Note = "rule not evaluated in the old report"
		}
		d.Added = append(d.Added, e)
	}
	d.Fixed, d.Added, d.Escalated, d.Open, d.Suppress, d.Unchecked = nz(d.Fixed), nz(d.Added), nz(d.Escalated), nz(d.Open), nz(d.Suppress), nz(d.Unchecked)
	d.Counts = DiffCounts{Fixed: len(d.Fixed), New: len(d.Added), Escalated: len(d.Escalated), StillOpen: len(d.Open), Suppressed: len(d.Suppress), Unchecked: len(d.Unchecked)}
	d.Summary = diffSummary(d)
	return d
}

func nz(xs []DiffEntry) []DiffEntry {
	if xs == nil {
		return []DiffEntry{}
	}
	return xs
}

func key(f Finding) string {
	if f.Fingerprint != "" {
		return f.Fingerprint
	}
	// Reports always carry fingerprints; this only guards hand-made input.
	file := ""
	if f.Location != nil {
		file = f.Location.File
	}
	return strings.Join([]string{f.RuleID, file, f.Target, f.Path}, "\x00")
}

func fingerprints(fs []Finding) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[key(f)]++
	}
	return m
}

func evaluatedSet(r *Report) map[string]bool {
	m := map[string]bool{}
	for _, rs := range r.Rules {
		if rs.Evaluated {
			m[rs.ID] = true
		}
	}
	return m
}

func side(r *Report) DiffSide {
	sev := map[string]int{}
	for _, s := range finding.SeverityNames() {
		sev[s] = r.Summary.Severity[s]
	}
	return DiffSide{Started: r.Scan.Started, Version: r.Tool.Version, Roots: nonNil(r.Scan.Roots), Targets: nonNil(r.Scan.Targets),
		Findings: len(r.Findings), Severity: sev}
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func change(cat string, a, b *float64) ScoreChange {
	c := ScoreChange{Category: cat, Old: a, New: b}
	if a != nil && b != nil {
		d := round1(*b - *a)
		c.Delta = &d
	}
	return c
}

func round1(f float64) float64 {
	if f < 0 {
		return -float64(int64(-f*10+0.5)) / 10
	}
	return float64(int64(f*10+0.5)) / 10
}

// scoreText is "7.0 → 8.2 (+1.2)", "n/a → 9.0".
func scoreText(c ScoreChange) string {
	s := fmt.Sprintf("%s → %s", fmtScore(c.Old, c.OldGrade), fmtScore(c.New, c.NewGrade))
	if c.Delta != nil {
		switch {
		case *c.Delta > 0:
			s += fmt.Sprintf(" (+%.1f)", *c.Delta)
		case *c.Delta < 0:
			s += fmt.Sprintf(" (%.1f)", *c.Delta)
		default:
			s += " (no change)"
		}
	}
	return s
}

func fmtScore(f *float64, grade string) string {
	if f == nil {
		return "n/a"
	}
	if grade != "" && grade != "n/a" {
		return fmt.Sprintf("%.1f (%s)", *f, grade)
	}
	return fmt.Sprintf("%.1f", *f)
}

// diffSummary is one paragraph for a reader who will not read the lists.
func diffSummary(d *Diff) string {
	var b strings.Builder
	period := "Between the two reports"
	if o, n := day(d.Old.Started), day(d.New.Started); o != "" && n != "" && o != n {
		period = fmt.Sprintf("Between %s and %s", o, n)
	}
	switch {
	case d.Overall.Old != nil && d.Overall.New != nil:
		verb := "stayed at"
		switch {
		case *d.Overall.Delta > 0:
			verb = "rose from"
		case *d.Overall.Delta < 0:
			verb = "fell from"
		}
		if verb == "stayed at" {
			fmt.Fprintf(&b, "%s the overall score stayed at %s.", period, fmtScore(d.Overall.New, d.Overall.NewGrade))
		} else {
			fmt.Fprintf(&b, "%s the overall score %s %s to %s.", period, verb, fmtScore(d.Overall.Old, d.Overall.OldGrade), fmtScore(d.Overall.New, d.Overall.NewGrade))
		}
	default:
		fmt.Fprintf(&b, "%s the overall score went from %s to %s.", period, fmtScore(d.Overall.Old, d.Overall.OldGrade), fmtScore(d.Overall.New, d.Overall.NewGrade))
	}
	var moved []string
	for _, c := range d.Scores {
		if c.Delta != nil && *c.Delta != 0 || (c.Old == nil) != (c.New == nil) {
			moved = append(moved, fmt.Sprintf("%s %s", Title(c.Category), scoreText(c)))
		}
	}
	if len(moved) > 0 {
		fmt.Fprintf(&b, " %s.", strings.Join(moved, "; "))
	}
	if len(d.Fixed) > 0 {
		fmt.Fprintf(&b, " %s fixed (%s).", pluralVerb(len(d.Fixed), "finding was", "findings were"), ruleList(d.Fixed))
	} else {
		b.WriteString(" Nothing was fixed.")
	}
	if len(d.Added) > 0 {
		fmt.Fprintf(&b, " %s new (%s)", pluralVerb(len(d.Added), "finding is", "findings are"), ruleList(d.Added))
		fromNewRules := 0
		for _, e := range d.Added {
			if e.Note == "rule not evaluated in the old report" {
				fromNewRules++
			}
		}
		if fromNewRules > 0 {
			fmt.Fprintf(&b, ", %d of them from rules the old report did not evaluate", fromNewRules)
		}
		b.WriteString(".")
	} else {
		b.WriteString(" No new findings.")
	}
	if len(d.Escalated) > 0 {
		fmt.Fprintf(&b, " %s escalated (%s): more severe, or affected by new advisories.", pluralVerb(len(d.Escalated), "finding has", "findings have"), ruleList(d.Escalated))
	}
	if len(d.Open) > 0 {
		fmt.Fprintf(&b, " %s still open", pluralVerb(len(d.Open), "finding is", "findings are"))
		if urgent := countAtLeast(d.Open, "high"); urgent > 0 {
			fmt.Fprintf(&b, ", %d of them critical or high", urgent)
		}
		b.WriteString(".")
	}
	if len(d.Suppress) > 0 {
		fmt.Fprintf(&b, " %s suppressed rather than fixed.", pluralVerb(len(d.Suppress), "finding was", "findings were"))
	}
	if len(d.Unchecked) > 0 {
		fmt.Fprintf(&b, " %s could not be rechecked because the new scan did not evaluate their rules (different inputs).", plural(len(d.Unchecked), "finding"))
	}
	return b.String()
}

func day(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return ""
}

func countAtLeast(es []DiffEntry, sev string) int {
	n := 0
	for _, e := range es {
		if finding.SeverityRank(e.Severity) >= finding.SeverityRank(sev) {
			n++
		}
	}
	return n
}

// ruleList is "NATS-OPS-001, NATS-TLS-002 ×2".
func ruleList(es []DiffEntry) string {
	count := map[string]int{}
	var ids []string
	for _, e := range es {
		if count[e.RuleID] == 0 {
			ids = append(ids, e.RuleID)
		}
		count[e.RuleID]++
	}
	sort.Strings(ids)
	for i, id := range ids {
		if count[id] > 1 {
			ids[i] = fmt.Sprintf("%s ×%d", id, count[id])
		}
	}
	return strings.Join(ids, ", ")
}

// WriteDiff renders d as text, markdown or json.
func WriteDiff(w io.Writer, d *Diff, format string) error {
	switch format {
	case "json":
		return writeJSON(w, d)
	case "markdown":
		return writeDiffMarkdown(w, d)
	case "text", "":
		return writeDiffText(w, d)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(DiffFormats, ", "))
}

// writeDiffText renders the diff for a terminal; like WriteText, every
// string from the reports goes through TerminalSafe and the output through
// guardLines.
func writeDiffText(w io.Writer, d *Diff) error {
	var b strings.Builder
	fmt.Fprintf(&b, "natsaudit diff: %s → %s\n\n", TerminalSafe(nonEmpty(scanDate(d.Old.Started), "old report")), TerminalSafe(nonEmpty(scanDate(d.New.Started), "new report")))
	b.WriteString(wrap(TerminalSafe(d.Summary), mdWidth, "", ""))
	b.WriteString("\n\nScores:\n")
	for _, c := range append([]ScoreChange{d.Overall}, d.Scores...) {
		fmt.Fprintf(&b, "  %-12s %s\n", Title(c.Category), scoreText(c))
	}
	sections := []struct {
		title string
		es    []DiffEntry
	}{
		{"Fixed", d.Fixed}, {"New", d.Added}, {"Escalated", d.Escalated}, {"Still open", d.Open}, {"Suppressed since", d.Suppress}, {"Not rechecked", d.Unchecked},
	}
	for _, s := range sections {
		if len(s.es) == 0 && s.title != "Fixed" && s.title != "New" {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", s.title, len(s.es))
		if len(s.es) == 0 {
			b.WriteString("  none\n")
		}
		for _, e := range s.es {
			fmt.Fprintf(&b, "  %-8s %-14s %s\n", TerminalSafe(strings.ToUpper(string(e.Severity))), TerminalSafe(e.RuleID), TerminalSafe(e.Title))
			where := e.Target
			if e.Location != nil {
				where = locString(e.Location) + "  " + e.Target
			}
			fmt.Fprintf(&b, "           %s\n", TerminalSafe(where))
			if e.Note != "" {
				fmt.Fprintf(&b, "           (%s)\n", TerminalSafe(e.Note))
			}
		}
	}
	_, err := io.WriteString(w, guardLines(b.String()))
	return err
}

func writeDiffMarkdown(w io.Writer, d *Diff) error {
	var b strings.Builder
	b.WriteString("# NATS audit: what changed\n\n")
	fmt.Fprintf(&b, "- **Old report:** %s, natsaudit %s, %s\n", mdInline(nonEmpty(scanDate(d.Old.Started), "undated")), mdInline(nonEmpty(d.Old.Version, "?")), plural(d.Old.Findings, "finding"))
	fmt.Fprintf(&b, "- **New report:** %s, natsaudit %s, %s\n\n", mdInline(nonEmpty(scanDate(d.New.Started), "undated")), mdInline(nonEmpty(d.New.Version, "?")), plural(d.New.Findings, "finding"))
	b.WriteString(wrap(mdInline(d.Summary), mdWidth, "", ""))
	b.WriteString("\n\n## Scores\n\n| Category | Old | New | Change |\n|---|--:|--:|--:|\n")
	for _, c := range append([]ScoreChange{d.Overall}, d.Scores...) {
		delta := "—"
		if c.Delta != nil {
			delta = fmt.Sprintf("%+.1f", *c.Delta)
			if *c.Delta == 0 {
				delta = "0.0"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(Title(c.Category)), mdCell(fmtScore(c.Old, c.OldGrade)), mdCell(fmtScore(c.New, c.NewGrade)), delta)
	}
	b.WriteString("\n| | Findings |\n|---|--:|\n")
	fmt.Fprintf(&b, "| Fixed | %d |\n| New | %d |\n| Escalated | %d |\n| Still open | %d |\n", len(d.Fixed), len(d.Added), len(d.Escalated), len(d.Open))
	if len(d.Suppress) > 0 {
		fmt.Fprintf(&b, "| Suppressed since | %d |\n", len(d.Suppress))
	}
	if len(d.Unchecked) > 0 {
		fmt.Fprintf(&b, "| Not rechecked | %d |\n", len(d.Unchecked))
	}
	b.WriteString("\n")
	sections := []struct {
		title string
		es    []DiffEntry
	}{
		{"Fixed", d.Fixed}, {"New", d.Added}, {"Escalated", d.Escalated}, {"Still open", d.Open}, {"Suppressed since the old report", d.Suppress}, {"Not rechecked", d.Unchecked},
	}
	for _, s := range sections {
		if len(s.es) == 0 && s.title != "Fixed" && s.title != "New" {
			continue
		}
		fmt.Fprintf(&b, "## %s (%d)\n\n", s.title, len(s.es))
		if len(s.es) == 0 {
			b.WriteString("None.\n\n")
			continue
		}
		b.WriteString("| Severity | Rule | Title | Where | Note |\n|---|---|---|---|---|\n")
		for _, e := range s.es {
			where := mdCell(e.Target)
			if e.Location != nil {
				where = mdCodeCell(locString(e.Location)) + " " + mdText(e.Target, true)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCell(string(e.Severity)), mdCell(e.RuleID), mdCell(e.Title), where, mdCell(e.Note))
		}
		b.WriteString("\n")
	}
	// Like the text, the Markdown is printed to CI logs too.
	_, err := io.WriteString(w, guardLines(strings.TrimRight(b.String(), "\n")+"\n"))
	return err
}
