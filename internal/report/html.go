package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// The HTML report is one self-contained file: inline CSS, inline SVG charts,
// no script, no font or image from elsewhere (it is opened from CI
// artifacts, mail attachments and air-gapped laptops). Every string reaches
// the page through html/template, which escapes it for where it lands; the
// Go side only prepares plain values and chart geometry. A
// Content-Security-Policy meta tag forbids scripts and remote loads, so
// that even a mistake in escaping could not run code or call home.

//go:embed html.tmpl
var htmlTemplate string

// HTMLStyle is the report's stylesheet; the trend report uses it too.
//
//go:embed html.css
var HTMLStyle string

// HTMLTemplate parses the report's shared templates (page frame, charts)
// together with extra, which defines the page's "content" template.
func HTMLTemplate(extra string) (*template.Template, error) {
	t, err := template.New("page").Funcs(htmlFuncs).Parse(htmlTemplate)
	if err != nil {
		return nil, fmt.Errorf("parse HTML template: %w", err)
	}
	if extra != "" {
		if t, err = t.Parse(extra); err != nil {
			return nil, fmt.Errorf("parse HTML template: %w", err)
		}
	}
	return t, nil
}

// reportTemplate is parsed on first use, not at start-up: most runs write
// no HTML, and parsing it was the largest package initialisation of the
// binary (13 ms of a loaded machine's clock, GODEBUG=inittrace=1).
var reportTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(HTMLTemplate(reportContent + complianceContent))
})

//go:embed html_report.tmpl
var reportContent string

// htmlFuncs format the tool's own words and chart geometry; no function
// returns markup.
var htmlFuncs = template.FuncMap{
	"add":   func(a, b int) int { return a + b },
	"title": Title,
	"upper": strings.ToUpper,
	"markOf": func(shape string, x, y int, tip string) markArgs {
		return markArgs{Shape: shape, X: x, Y: y, Tip: tip}
	},
	"sevIcon": func(sev string) string { return sevIcons[sev] },
}

// sevIcons give each severity a shape of its own, next to its name, for
// readers who cannot tell the colours apart (and for print in grey).
var sevIcons = map[string]string{"critical": "‼", "high": "▲", "medium": "◆", "low": "▽", "info": "ℹ"}

type markArgs struct {
	Shape string
	X, Y  int
	Tip   string
}

// HTMLPage is what the page frame needs: the title, the stylesheet and the
// content template's data.
type HTMLPage struct {
	Title   string
	Style   template.CSS // a constant of this package, never input
	Content any
}

// WriteHTML renders the report as one HTML file. Deterministic for a given
// report and catalog: no clock, no map order.
func WriteHTML(w io.Writer, r *Report, opt RenderOptions) error {
	d := newHTMLReport(r, opt)
	title := "NATS audit report"
	if len(r.Scan.Roots) > 0 {
		title += ": " + htmlText(strings.Join(r.Scan.Roots, ", "))
	} else if len(r.Scan.Targets) > 0 {
		title += ": " + htmlText(strings.Join(r.Scan.Targets, ", "))
	}
	var buf bytes.Buffer
	if err := ExecuteHTML(&buf, reportTemplate(), HTMLPage{Title: title, Style: template.CSS(reportStyle(r)), Content: d}); err != nil {
		return err
	}
	body := buf.Bytes()
	if len(body) > 0 && body[len(body)-1] != '\n' {
		body = append(body, '\n')
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	_, err := io.WriteString(w, htmlDigestLine(body))
	return err
}

// ExecuteHTML runs a page template and writes the result, with the guard
// against CI workflow commands that every format gets (an HTML file may
// be printed to a log too).
func ExecuteHTML(w io.Writer, t *template.Template, page HTMLPage) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "page", page); err != nil {
		return fmt.Errorf("render HTML: %w", err)
	}
	_, err := io.WriteString(w, guardLines(buf.String()))
	return err
}

// htmlText makes untrusted text safe to read in a page: html/template
// escapes markup, this shows what would hide or reorder text (bidi
// overrides, zero-width and control characters) as escapes, and turns line
// breaks into spaces.
func htmlText(s string) string { return escapeControls(s, ctrlSpace) }

// htmlCode is htmlText for a block of code: line feeds and tabs are kept.
func htmlCode(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = escapeControls(l, ctrlCode)
	}
	return strings.Join(lines, "\n")
}

type htmlReport struct {
	Since      *htmlSince
	History    *History // --history: trend charts and per-rule changes, strings made safe
	Exec       []string
	Deadlines  []htmlDeadline
	Scores     []string // one line per category, with its coverage
	Withheld   string
	Plan       []planRow
	Owners     bool
	Rescan     string
	Good       []string
	Pass       string
	Scope      []string
	Provenance []KV
	Header     htmlHeader
	Grade      string
	Overall    string // "4.6", or "" when there is no score
	GradeClass string
	Summary    string
	Charts     []Chart
	Breakdown  breakdownTable
	Urgent     []urgentItem
	Severities []sevSection
	Suppressed []suppressedRow
	Coverage   htmlCoverage
	Compliance []htmlFramework // compliance_html.go
}

type htmlHeader struct {
	Roots     []string
	Targets   []string
	Files     int
	Servers   []string
	Streams   int
	Consumers int
	Inputs    []string
	Date      string
	Tool      string
	Advisory  string
	Problems  []string // what could not be read
	// The counts in words: "1 server", "2 streams".
	FileCount, ServerCount, StreamCount, ConsumerCount, NotRead string
	// Status says why the report is not a complete audit ("" when it is).
	Status string
}

var scanStatusText = map[string]string{
	StatusIncomplete:  "Incomplete audit: at least one rule failed at evaluation; the findings of the others are reported (see Scope and confidence).",
	StatusNoNATSInput: "Nothing audited: the paths hold no NATS configuration.",
	StatusNotParsed:   "Nothing audited: NATS configuration was found, but none of it could be parsed (see Scope and confidence).",
}

type htmlSince struct {
	Summary                                                 string
	Fixed, New, Escalated, StillOpen, Suppressed, Unchecked int
	Overall                                                 string
	NewList, EscalatedList, FixedList                       []string
}

type htmlDeadline struct{ When, Kind, What, Where string }

type planRow struct {
	N                                                  int
	Anchor, ID, Places, Closes, Effort, Prereq, Verify string
	Owner, Due                                         string
	Fix                                                []inline
}

type urgentItem struct {
	Anchor, ID, Title, Severity, Places, Deadline, Also string
	Fix                                                 []inline
}

type sevSection struct {
	Severity, Title, Anchor string
	Rules                   []ruleSection
}

type ruleSection struct {
	Anchor, ID, Title, Severity, Category string
	Places                                string
	Findings                              []htmlFinding
	Why, Fix                              []block
	Links                                 []string // references of built-in rules
	Refs                                  []string // references of custom rules: text only
}

type htmlFinding struct {
	Target, Location, Endpoint, Path, Message, Snippet string
	FixDiff                                            string   // the fix as a unified diff, text for html/template to escape
	Also                                               []string // findings of other rules with the same root cause
	OwnFix                                             []string // the finding's own remediation (OwnFix), lines made safe
}

type suppressedRow struct {
	Rule, Where, Kind, Reason, Until, Source string
	Expired                                  bool
}

type htmlCoverage struct {
	Evaluated, Total, Custom int
	Sources                  []string
	Rules                    []coverageRow
	Files                    []string
	Errors                   []string
	Notes                    []string
}

type coverageRow struct {
	ID, Title, Category, Severity, Status, Inputs string
	Findings                                      int
}

type breakdownTable struct {
	Severities []string
	Rows       []breakdownRow
	Totals     []int
	Total      int
}

type breakdownRow struct {
	Category string
	Counts   []int
	Total    int
}

func newHTMLReport(r *Report, opt RenderOptions) *htmlReport {
	cat := catalogIndex(opt.Rules)
	d := &htmlReport{}
	h := &d.Header
	for _, x := range r.Scan.Roots {
		h.Roots = append(h.Roots, htmlText(x))
	}
	for _, x := range r.Scan.Targets {
		h.Targets = append(h.Targets, htmlText(x))
	}
	for _, x := range r.Scan.Servers {
		h.Servers = append(h.Servers, htmlText(x))
	}
	h.Files, h.Streams, h.Consumers = len(r.Scan.Files), r.Scan.Streams, r.Scan.Consumers
	h.Inputs = sourceNames(r.Scan.Sources)
	h.Date = htmlText(scanDate(r.Scan.Started))
	h.Tool = htmlText(nonEmpty(r.Tool.Name, "natsaudit") + " " + nonEmpty(r.Tool.Version, "(unknown version)"))
	h.Advisory = htmlText(nonEmpty(r.Tool.AdvisoriesDate, "undated"))
	for _, e := range r.Errors {
		h.Problems = append(h.Problems, errorText(e.File, e.Target, e.Line, e.Message))
	}
	h.FileCount, h.ServerCount = plural(h.Files, "file"), plural(len(h.Servers), "server")
	h.StreamCount, h.ConsumerCount = plural(h.Streams, "stream"), plural(h.Consumers, "consumer")
	h.NotRead = pluralVerb(len(h.Problems), "input", "inputs") + " could not be read or parsed"
	h.Status = scanStatusText[r.Scan.Status]

	d.Grade = htmlText(nonEmpty(r.Scores.Grade, "n/a"))
	d.GradeClass = "grade-na"
	if r.Scores.Overall != nil {
		d.Overall = fmt.Sprintf("%.1f", *r.Scores.Overall)
		d.GradeClass = "grade-" + scoreClass(*r.Scores.Overall)
	}
	d.Summary = htmlSummary(r)
	d.Charts = []Chart{scoreChart(r.Scores), severityChart(r.Summary), categoryChart(r.Findings)}
	d.Breakdown = newBreakdown(r.Findings)

	v := buildView(r, cat)
	d.fillAudit(r, v, opt)
	var shown []Finding
	for _, f := range r.Findings {
		if !v.Hidden[findingKey(f)] {
			shown = append(shown, f)
		}
	}
	groups := ruleGroups(shown)
	anchors := anchorSet{}
	anchorOf := map[string]string{}
	for _, sev := range finding.SeverityNames() {
		s := sevSection{Severity: sev, Title: Title(sev), Anchor: "severity-" + sev}
		for _, g := range groups {
			if g.severity != sev {
				continue
			}
			a := anchors.add("rule-" + g.ruleID + "-" + sev)
			anchorOf[g.severity+"\x00"+g.ruleID] = a
			rs := newRuleSection(g, cat[g.ruleID], a)
			for i, f := range g.findings {
				for _, x := range alsoLines(f, v.AlsoOf[findingKey(f)]) {
					rs.Findings[i].Also = append(rs.Findings[i].Also, htmlText(x))
				}
			}
			s.Rules = append(s.Rules, rs)
		}
		if len(s.Rules) > 0 {
			d.Severities = append(d.Severities, s)
		}
	}

	anchorFor := func(a action) string {
		for _, sev := range finding.SeverityNames() {
			if x := anchorOf[sev+"\x00"+a.RuleID]; x != "" {
				return x
			}
		}
		return "findings"
	}
	for i, a := range v.Actions {
		g := ruleGroup{ruleID: a.RuleID, findings: a.Leads}
		fix := firstFixText(cat[a.RuleID], g)
		if len(d.Urgent) < 5 && a.Urgency >= urgentMin {
			u := urgentItem{Anchor: anchorFor(a), ID: htmlText(a.RuleID), Title: htmlText(a.Title), Severity: a.Severity,
				Places: htmlPlaces(a.Leads, 3), Fix: inlines(fix)}
			if a.Deadline != nil {
				u.Deadline = htmlText(a.Deadline.When())
			}
			if also := a.ClosedRules()[1:]; len(also) > 0 {
				u.Also = htmlText(strings.Join(also, ", "))
			}
			d.Urgent = append(d.Urgent, u)
		}
		row := planRow{N: i + 1, Anchor: anchorFor(a), ID: htmlText(a.RuleID), Places: htmlText(placesPlain(a.Leads, 3)),
			Closes: htmlText(fmt.Sprintf("%s: %s", strings.Join(a.ClosedRules(), ", "), plural(len(a.Closes()), "finding"))),
			Effort: htmlText(a.Effort), Prereq: htmlText(nonEmpty(a.Prereq, "none")), Verify: htmlText(a.Verify), Fix: inlines(fix)}
		if len(opt.Owners) > 0 {
			o := ownerOf(opt.Owners, a)
			row.Owner, row.Due = htmlText(nonEmpty(o.Owner, "—")), htmlText(nonEmpty(o.Due, "—"))
		}
		d.Plan = append(d.Plan, row)
	}

	for _, f := range r.Suppressed {
		row := suppressedRow{Rule: htmlText(f.RuleID), Where: htmlText(f.Target)}
		if f.Location != nil {
			row.Where = htmlText(locString(f.Location) + " " + f.Target)
		}
		if s := f.Suppression; s != nil {
			row.Kind, row.Reason, row.Until, row.Source, row.Expired = htmlText(s.Kind), htmlText(s.Reason), htmlText(s.Until), htmlText(s.Source), s.Expired
		}
		d.Suppressed = append(d.Suppressed, row)
	}

	c := &d.Coverage
	c.Total = len(r.Rules)
	c.Sources = sourceNames(r.Scan.Sources)
	for _, rs := range r.Rules {
		if rs.Custom {
			c.Custom++
		}
		row := coverageRow{ID: htmlText(rs.ID), Title: htmlText(rs.Title), Category: htmlText(rs.Category), Severity: rs.Severity, Findings: rs.Findings}
		var srcs []string
		if rule := cat[rs.ID]; rule != nil {
			srcs = rule.Facets
		}
		row.Inputs = htmlText(nonEmpty(strings.Join(srcs, ", "), "—"))
		if rs.Evaluated {
			c.Evaluated++
		}
		c.Rules = append(c.Rules, row)
	}
	for i, ctl := range v.Controls {
		st := ctl.Status
		if ctl.Detail != "" {
			st += ": " + ctl.Detail
		}
		c.Rules[i].Status = htmlText(st)
	}
	if len(r.Scan.FileDigests) > 0 {
		for _, f := range r.Scan.FileDigests {
			c.Files = append(c.Files, htmlText(f.Path+"  "+fileDigestText(f)))
		}
	} else {
		for _, f := range r.Scan.Files {
			c.Files = append(c.Files, htmlText(f))
		}
	}
	c.Errors = h.Problems
	for _, n := range r.Notes {
		c.Notes = append(c.Notes, htmlText(n))
	}
	d.Compliance = newHTMLCompliance(r)
	return d
}

func errorText(file, target string, line int, msg string) string {
	where := nonEmpty(file, target)
	if line > 0 {
		where = fmt.Sprintf("%s:%d", where, line)
	}
	return htmlText(where + ": " + msg)
}

func htmlSummary(r *Report) string {
	evaluated, failed := 0, 0
	for _, rs := range r.Rules {
		if rs.Evaluated {
			evaluated++
		}
		if rs.Findings > 0 {
			failed++
		}
	}
	var s string
	if r.Summary.Total == 0 {
		s = fmt.Sprintf("No findings: all %s passed.", plural(evaluated, "evaluated rule"))
	} else {
		s = fmt.Sprintf("%s (%s) from %d of %s.", plural(r.Summary.Total, "finding"), nonZeroCounts(r.Summary), failed, plural(evaluated, "evaluated rule"))
	}
	if n := len(r.Errors); n > 0 {
		s += fmt.Sprintf(" %s could not be read or parsed, so part of the deployment was not checked.", plural(n, "input"))
	}
	if n := len(r.Suppressed); n > 0 {
		s += fmt.Sprintf(" %s suppressed.", pluralVerb(n, "finding is", "findings are"))
	}
	return s
}

func newRuleSection(g ruleGroup, rule *finding.Rule, anchor string) ruleSection {
	s := ruleSection{
		Anchor: anchor, ID: htmlText(g.ruleID), Title: htmlText(g.title), Severity: g.severity,
		Category: htmlText(Title(g.category)), Places: plural(len(g.findings), "place"),
	}
	for _, f := range g.findings {
		hf := htmlFinding{Target: htmlText(nonEmpty(TargetLabel(f), "deployment")), Message: htmlText(sentence(resultMessage(f)))}
		if f.Location != nil {
			hf.Location = htmlText(locString(f.Location))
		}
		if f.Endpoint != "" {
			hf.Endpoint = htmlText(f.Endpoint)
			hf.Path = htmlText(f.Path)
		}
		if f.Snippet != "" {
			hf.Snippet = htmlCode(f.Snippet)
		}
		if f.FixDiff != "" {
			hf.FixDiff = htmlCode(strings.TrimSuffix(f.FixDiff, "\n"))
		}
		for _, l := range OwnFix(rule, f) {
			hf.OwnFix = append(hf.OwnFix, htmlText(l))
		}
		s.Findings = append(s.Findings, hf)
	}
	var desc, fix string
	var refs []string
	if rule != nil {
		desc, fix, refs = rule.Description, RuleFix(rule, g.findings), rule.References
	}
	if fix == "" && len(g.findings) > 0 {
		fix = g.findings[0].Remediation
	}
	s.Why, s.Fix = blocks(desc), blocks(fix)
	for _, ref := range refs {
		if trusted(rule) {
			s.Links = append(s.Links, ref)
		} else {
			s.Refs = append(s.Refs, htmlText(ref))
		}
	}
	return s
}

func firstFixText(rule *finding.Rule, g ruleGroup) string {
	if rule != nil && rule.Remediation != "" {
		return firstSentence(rule.Remediation)
	}
	if len(g.findings) > 0 {
		return firstSentence(g.findings[0].Remediation)
	}
	return ""
}

// htmlPlaces is placesText without Markdown escaping.
func htmlPlaces(fs []Finding, show int) string {
	var names []string
	seen := map[string]bool{}
	for _, f := range fs {
		n := nonEmpty(f.Target, "deployment")
		if f.Location != nil && (f.TargetKind == "file" || f.TargetKind == "env file" || f.Target == "") {
			n = locString(f.Location)
		}
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	s := strings.Join(names[:min(show, len(names))], ", ")
	if len(names) > show {
		s += fmt.Sprintf(" and %d more", len(names)-show)
	}
	return fmt.Sprintf("%s (%s)", plural(len(fs), "place"), htmlText(s))
}

// anchorSet hands out unique element IDs made of [a-z0-9-] only, whatever
// a custom rule's ID holds.
type anchorSet map[string]bool

func (a anchorSet) add(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	id := b.String()
	for n := 2; a[id]; n++ {
		id = fmt.Sprintf("%s-%d", b.String(), n)
	}
	a[id] = true
	return id
}

func scoreClass(s float64) string {
	switch {
	case s >= 8:
		return "good"
	case s >= 5:
		return "fair"
	}
	return "poor"
}

func newBreakdown(fs []Finding) breakdownTable {
	t := breakdownTable{Severities: finding.SeverityNames(), Totals: make([]int, len(finding.SeverityNames()))}
	for _, c := range finding.CategoryNames() {
		row := breakdownRow{Category: Title(c), Counts: make([]int, len(finding.SeverityNames()))}
		for _, f := range fs {
			if string(f.Category) != c {
				continue
			}
			for i, s := range finding.SeverityNames() {
				if string(f.Severity) == s {
					row.Counts[i]++
					row.Total++
					t.Totals[i]++
					t.Total++
				}
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// block is a paragraph, a list item or a code block of a rule's text.
type block struct {
	Code   string
	List   bool
	Inline []inline
}

// inline is a run of text or a code span.
type inline struct {
	Text string
	Code bool
}

// blocks splits the Markdown of a rule's description or remediation into
// paragraphs, list items and code blocks, enough for the catalog's text
// (built-in rules use nothing else). It produces plain values that the
// template escapes, so a custom rule's text is as safe as the catalog's.
func blocks(s string) []block {
	var out []block
	var para, code []string
	fenced := false
	flushPara := func() {
		if len(para) > 0 {
			t := strings.Join(para, " ")
			list := false
			if strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") {
				t, list = t[2:], true
			}
			out = append(out, block{List: list, Inline: inlines(t)})
			para = nil
		}
	}
	flushCode := func() {
		if len(code) > 0 {
			out = append(out, block{Code: htmlCode(strings.TrimRight(strings.Join(code, "\n"), "\n"))})
			code = nil
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			flushPara()
			if fenced {
				flushCode()
			}
			fenced = !fenced
		case fenced:
			code = append(code, l)
		case strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "\t"):
			flushPara()
			code = append(code, strings.TrimPrefix(strings.TrimPrefix(l, "    "), "\t"))
		case t == "":
			flushPara()
			if len(code) > 0 {
				code = append(code, "")
			}
		default:
			flushCode()
			if strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") {
				flushPara()
			}
			para = append(para, t)
		}
	}
	flushPara()
	flushCode()
	return out
}

// inlines splits text at code spans (`...`); emphasis markers are dropped.
func inlines(s string) []inline {
	var out []inline
	for code := false; s != ""; code = !code {
		j := strings.IndexByte(s, '`')
		if j < 0 {
			j = len(s)
		}
		if t := s[:j]; t != "" {
			if !code {
				t = strings.ReplaceAll(t, "**", "")
			}
			out = append(out, inline{Text: htmlText(t), Code: code})
		}
		s = s[min(j+1, len(s)):]
	}
	return out
}
