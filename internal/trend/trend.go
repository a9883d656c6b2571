// Package trend compares any number of JSON reports of one deployment over
// time: the scores and counts of each, what was new, fixed and escalated in
// each period, the findings that stayed open longest, and the rules that
// regressed. Findings are matched by fingerprint, as `natsaudit diff`
// matches them (report.Compare). It renders text, Markdown, HTML and JSON;
// it reads nothing itself (the CLI loads the reports).
package trend

import (
	"fmt"
	"sort"
	"time"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// Formats are the output formats of `natsaudit trend`.
var Formats = []string{"text", "markdown", "html", "json"}

// Input is one report and the name it is shown under (its file name).
type Input struct {
	Name   string
	Report *report.Report
}

// Trend is the history of a deployment's audits, oldest first.
type Trend struct {
	Reports     []Snapshot   `json:"reports"`
	Periods     []Period     `json:"periods"`
	LongestOpen []Open       `json:"longest_open"`
	Regressed   []Regression `json:"regressed_rules"`
	Summary     string       `json:"summary"`
}

// Snapshot is one report's scores and counts.
type Snapshot struct {
	Name           string              `json:"name"`
	Date           string              `json:"date"` // scan.started
	Roots          []string            `json:"roots"`
	Targets        []string            `json:"targets"`
	ToolVersion    string              `json:"tool_version"`
	AdvisoriesDate string              `json:"advisories_date,omitempty"`
	Overall        *float64            `json:"overall"`
	Grade          string              `json:"grade"`
	Categories     map[string]*float64 `json:"categories"` // null: not evaluated
	Findings       int                 `json:"findings"`
	BySeverity     map[string]int      `json:"by_severity"`
	Suppressed     int                 `json:"suppressed"`
}

// Period is what changed from one report to the next.
type Period struct {
	From      string       `json:"from"`
	To        string       `json:"to"`
	Days      int          `json:"days"`
	New       []Change     `json:"new"`
	Fixed     []Change     `json:"fixed"`
	Escalated []Change     `json:"escalated"`
	StillOpen int          `json:"still_open"`
	Rules     []RuleChange `json:"rules"` // per rule with any change or open finding
}

// Change is one finding that appeared, went away or became more severe.
type Change struct {
	RuleID      string `json:"rule_id"`
	Title       string `json:"title"`
	Severity    string `json:"severity"`
	OldSeverity string `json:"old_severity,omitempty"` // escalated: the severity before
	Target      string `json:"target"`
	Location    string `json:"location,omitempty"` // file:line
	Fingerprint string `json:"fingerprint"`
}

// RuleChange counts one rule's findings that are new, fixed and still open
// in a period.
type RuleChange struct {
	RuleID    string `json:"rule_id"`
	Title     string `json:"title"`
	New       int    `json:"new"`
	Fixed     int    `json:"fixed"`
	StillOpen int    `json:"still_open"`
}

// Open is a finding and how long it was open: from the first report that
// had it to the latest report (still open) or to the first report that no
// longer had it (fixed).
type Open struct {
	Change
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
	FixedIn   string `json:"fixed_in,omitempty"` // the report that no longer had it
	StillOpen bool   `json:"still_open"`
	AgeDays   int    `json:"age_days"`
}

// Regression is a rule with more findings in the latest report than in the
// one before.
type Regression struct {
	RuleID     string `json:"rule_id"`
	Title      string `json:"title"`
	Severity   string `json:"severity"`
	Before     int    `json:"before"`
	Now        int    `json:"now"`
	Reappeared bool   `json:"reappeared"` // it had none before, but had some in an earlier report
}

// longestShown is how many of the longest-open findings a trend lists.
const longestShown = 10

// Compute orders the reports by scan date (then name) and computes the
// trend. It needs at least one report.
func Compute(in []Input) (*Trend, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("no reports")
	}
	in = append([]Input(nil), in...)
	for _, x := range in {
		if _, err := time.Parse(time.RFC3339, x.Report.Scan.Started); err != nil {
			return nil, fmt.Errorf("report %s: scan.started %q is not an RFC 3339 time", x.Name, x.Report.Scan.Started)
		}
	}
	sort.SliceStable(in, func(i, j int) bool {
		a, b := date(in[i].Report), date(in[j].Report)
		if !a.Equal(b) {
			return a.Before(b)
		}
		return in[i].Name < in[j].Name
	})
	t := &Trend{}
	for _, x := range in {
		t.Reports = append(t.Reports, snapshot(x))
	}
	for i := 1; i < len(in); i++ {
		t.Periods = append(t.Periods, period(in[i-1], in[i]))
	}
	t.LongestOpen = longestOpen(in)
	t.Regressed = regressions(in)
	t.Summary = summary(t)
	return t, nil
}

func date(r *report.Report) time.Time {
	d, _ := time.Parse(time.RFC3339, r.Scan.Started)
	return d
}

func days(a, b *report.Report) int {
	return int(date(b).Sub(date(a)).Hours() / 24)
}

func snapshot(x Input) Snapshot {
	r := x.Report
	s := Snapshot{
		Name: x.Name, Date: r.Scan.Started, Roots: nonNil(r.Scan.Roots), Targets: nonNil(r.Scan.Targets),
		ToolVersion: r.Tool.Version, AdvisoriesDate: r.Tool.AdvisoriesDate,
		Overall: r.Scores.Overall, Grade: r.Scores.Grade, Categories: map[string]*float64{},
		Findings: len(r.Findings), BySeverity: map[string]int{}, Suppressed: len(r.Suppressed),
	}
	for _, c := range finding.CategoryNames() {
		s.Categories[c] = r.Scores.Categories[c].Score
	}
	for _, sev := range finding.SeverityNames() {
		s.BySeverity[sev] = 0
	}
	for _, f := range r.Findings {
		s.BySeverity[string(f.Severity)]++
	}
	return s
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func change(f report.Finding) Change {
	c := Change{RuleID: f.RuleID, Title: f.Title, Severity: string(f.Severity), Target: f.Target, Fingerprint: f.Fingerprint}
	if f.Location != nil {
		c.Location = f.Location.File
		if f.Location.Line > 0 {
			c.Location = fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)
		}
	}
	return c
}

// key matches findings across reports: the fingerprint (rule, file, target
// and logical path), as diff does.
func key(f report.Finding) string {
	if f.Fingerprint != "" {
		return f.Fingerprint
	}
	loc := ""
	if f.Location != nil {
		loc = f.Location.File
	}
	return f.RuleID + "\x00" + loc + "\x00" + f.Target + "\x00" + f.Path
}

func period(a, b Input) Period {
	d := report.Compare(a.Report, b.Report)
	p := Period{From: a.Name, To: b.Name, Days: days(a.Report, b.Report), New: []Change{}, Fixed: []Change{}, Escalated: []Change{}, StillOpen: len(d.Open) + len(d.Escalated)}
	rules := map[string]*RuleChange{}
	rule := func(f report.Finding) *RuleChange {
		rc := rules[f.RuleID]
		if rc == nil {
			rc = &RuleChange{RuleID: f.RuleID, Title: f.Title}
			rules[f.RuleID] = rc
		}
		return rc
	}
	for _, e := range d.Added {
		p.New = append(p.New, change(e.Finding))
		rule(e.Finding).New++
	}
	for _, e := range d.Fixed {
		p.Fixed = append(p.Fixed, change(e.Finding))
		rule(e.Finding).Fixed++
	}
	before := map[string][]report.Finding{}
	for _, f := range a.Report.Findings {
		before[key(f)] = append(before[key(f)], f)
	}
	// Open in both: report.Compare keeps the ones that got worse apart
	// (d.Escalated); here an escalation is a severity that rose.
	for _, e := range append(append([]report.DiffEntry{}, d.Open...), d.Escalated...) {
		rule(e.Finding).StillOpen++
		if olds := before[key(e.Finding)]; len(olds) > 0 {
			old := olds[0]
			before[key(e.Finding)] = olds[1:]
			if finding.SeverityRank(e.Severity) > finding.SeverityRank(old.Severity) {
				c := change(e.Finding)
				c.OldSeverity = string(old.Severity)
				p.Escalated = append(p.Escalated, c)
			}
		}
	}
	for _, rc := range rules {
		p.Rules = append(p.Rules, *rc)
	}
	sort.Slice(p.Rules, func(i, j int) bool { return p.Rules[i].RuleID < p.Rules[j].RuleID })
	if p.Rules == nil {
		p.Rules = []RuleChange{}
	}
	return p
}

// longestOpen follows every finding through the reports: from the first
// report that had it, while each next report still has it.
func longestOpen(in []Input) []Open {
	type run struct {
		f           report.Finding
		first, last int // report indexes
		fixed       int // index of the report that no longer had it, or -1
	}
	var runs []*run
	openRuns := map[string][]*run{}
	for i, x := range in {
		present := map[string]int{}
		for _, f := range x.Report.Findings {
			present[key(f)]++
		}
		next := map[string][]*run{}
		// Runs that go on: one per finding still there.
		for k, rs := range openRuns {
			for _, r := range rs {
				if present[k] > 0 {
					present[k]--
					r.last = i
					r.f = latest(x.Report.Findings, k, r.f)
					next[k] = append(next[k], r)
				} else {
					r.fixed = i
				}
			}
		}
		// Findings that were not there in the report before start a run.
		for _, f := range x.Report.Findings {
			k := key(f)
			if present[k] > 0 {
				present[k]--
				r := &run{f: f, first: i, last: i, fixed: -1}
				runs = append(runs, r)
				next[k] = append(next[k], r)
			}
		}
		openRuns = next
	}
	last := len(in) - 1
	out := []Open{}
	for _, r := range runs {
		o := Open{Change: change(r.f), FirstSeen: in[r.first].Name, LastSeen: in[r.last].Name, StillOpen: r.fixed < 0}
		end := last
		if r.fixed >= 0 {
			end = r.fixed
			o.FixedIn = in[r.fixed].Name
		}
		o.AgeDays = days(in[r.first].Report, in[end].Report)
		out = append(out, o)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.AgeDays != b.AgeDays {
			return a.AgeDays > b.AgeDays
		}
		if a.StillOpen != b.StillOpen {
			return a.StillOpen
		}
		if ra, rb := finding.SeverityRank(a.Severity), finding.SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Fingerprint < b.Fingerprint
	})
	if len(out) > longestShown {
		out = out[:longestShown]
	}
	return out
}

// latest is the finding with key k in fs (its newest message and
// severity), or prev when there is none.
func latest(fs []report.Finding, k string, prev report.Finding) report.Finding {
	for _, f := range fs {
		if key(f) == k {
			return f
		}
	}
	return prev
}

// regressions are the rules with more findings in the latest report than
// in the one before (among rules evaluated in both).
func regressions(in []Input) []Regression {
	out := []Regression{}
	if len(in) < 2 {
		return out
	}
	cur, prev := in[len(in)-1].Report, in[len(in)-2].Report
	count := func(r *report.Report) map[string]int {
		m := map[string]int{}
		for _, f := range r.Findings {
			m[f.RuleID]++
		}
		return m
	}
	evaluated := func(r *report.Report) map[string]bool {
		m := map[string]bool{}
		for _, rs := range r.Rules {
			m[rs.ID] = rs.Evaluated
		}
		return m
	}
	now, before, evalBefore := count(cur), count(prev), evaluated(prev)
	meta := map[string]report.Finding{}
	for _, f := range cur.Findings {
		if _, ok := meta[f.RuleID]; !ok {
			meta[f.RuleID] = f
		}
	}
	for id, n := range now {
		if n <= before[id] || !evalBefore[id] {
			continue
		}
		g := Regression{RuleID: id, Title: meta[id].Title, Severity: string(meta[id].Severity), Before: before[id], Now: n}
		if before[id] == 0 {
			for _, x := range in[:len(in)-2] {
				if count(x.Report)[id] > 0 {
					g.Reappeared = true
					break
				}
			}
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if ra, rb := finding.SeverityRank(out[i].Severity), finding.SeverityRank(out[j].Severity); ra != rb {
			return ra > rb
		}
		return out[i].RuleID < out[j].RuleID
	})
	return out
}

func summary(t *Trend) string {
	first, last := t.Reports[0], t.Reports[len(t.Reports)-1]
	if len(t.Reports) == 1 {
		return fmt.Sprintf("One report (%s): overall %s, %d findings. Give more reports to see a trend.", first.Name, scoreText(first.Overall, first.Grade), first.Findings)
	}
	fixed, added := 0, 0
	for _, p := range t.Periods {
		fixed += len(p.Fixed)
		added += len(p.New)
	}
	s := fmt.Sprintf("%d reports from %s to %s: overall %s → %s; findings %d → %d (%d fixed, %d new on the way).",
		len(t.Reports), day(first.Date), day(last.Date), scoreText(first.Overall, first.Grade), scoreText(last.Overall, last.Grade), first.Findings, last.Findings, fixed, added)
	if n := len(t.Regressed); n > 0 {
		s += fmt.Sprintf(" %d rules regressed in the last period.", n)
	}
	return s
}

func scoreText(s *float64, grade string) string {
	if s == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f (%s)", *s, grade)
}

// day is the date of an RFC 3339 time.
func day(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}
