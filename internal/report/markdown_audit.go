package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// The sections of the Markdown report that read the audit view: each
// string from input is escaped (mdInline, mdCell, mdCode); the rules'
// own Markdown (built-in remediations, descriptions) is used as it is.

// sinceLast opens the report with what changed since the previous audit.
func (m *mdWriter) sinceLast() {
	if m.prev == nil {
		return
	}
	d := Compare(m.prev, m.r)
	m.p("## Since the last audit\n\n")
	m.para(mdInline(d.Summary))
	m.p("| Fixed | New | Escalated | Still open | Suppressed | Not rechecked | Overall score |\n|--:|--:|--:|--:|--:|--:|---|\n")
	m.p("| %d | %d | %d | %d | %d | %d | %s |\n\n", d.Counts.Fixed, d.Counts.New, d.Counts.Escalated, d.Counts.StillOpen, d.Counts.Suppressed, d.Counts.Unchecked, mdCell(scoreText(d.Overall)))
	list := func(title string, es []DiffEntry) {
		if len(es) == 0 {
			return
		}
		m.p("**%s (%d):**\n\n", title, len(es))
		for _, e := range es[:min(len(es), 10)] {
			s := fmt.Sprintf("%s (%s) at %s", mdInline(e.RuleID), mdInline(string(e.Severity)), mdInline(whereOf(e.Finding)))
			if e.Note != "" {
				s += ": " + mdInline(e.Note)
			}
			m.bullet(s)
		}
		if len(es) > 10 {
			m.bullet(fmt.Sprintf("and %d more (natsaudit diff lists them all)", len(es)-10))
		}
		m.p("\n")
	}
	list("New", d.Added)
	list("Escalated", d.Escalated)
	list("Fixed", d.Fixed)
}

// executive is the first screen: what could happen, the verdict, the
// deadlines.
func (m *mdWriter) executive() {
	m.p("## Executive summary\n\n")
	for _, s := range m.v.Exec {
		m.para(mdInline(s))
	}
	if len(m.v.Deadlines) == 0 {
		return
	}
	m.p("**Deadlines**\n\n| When | Kind | What | Where |\n|---|---|---|---|\n")
	for _, d := range m.v.Deadlines {
		m.p("| %s | %s | %s | %s |\n", mdCell(d.When()), mdCell(d.Kind), mdCell(d.What), mdCodeCell(d.Where))
	}
	m.p("\n")
}

// urgent lists the most urgent actions, by exploitability × deadline.
func (m *mdWriter) urgent() {
	m.p("## Most urgent\n\n")
	n := 0
	for _, a := range m.v.Actions {
		if n == 5 || a.Urgency < urgentMin {
			break
		}
		n++
		item := fmt.Sprintf("**%s** (%s, %s) at %s.", mdInline(a.Title), mdInline(a.RuleID), mdInline(a.Severity), placesText(a.Leads, 3))
		if a.Deadline != nil {
			item += " Deadline: " + mdInline(a.Deadline.When()) + "."
		}
		if fix := m.firstFix(ruleGroup{ruleID: a.RuleID, findings: a.Leads}); fix != "" {
			item += " " + fix
		}
		if also := a.ClosedRules()[1:]; len(also) > 0 {
			item += " This also closes " + mdInline(strings.Join(also, ", ")) + "."
		}
		marker := fmt.Sprintf("%d. ", n)
		m.b.WriteString(wrap(item, mdWidth, marker, strings.Repeat(" ", len(marker))))
		m.b.WriteString("\n")
	}
	if n == 0 {
		m.para("Nothing urgent: no critical or high finding, and no deadline within 30 days.")
		return
	}
	m.p("\n")
	m.para("Ranked by severity × exploitability (a published advisory or a guessable or leaked secret first) × deadline (an expiry within 14 days first, then within 30 days, then one already passed); the remediation plan below lists every action.")
}

// categoryLine is one category's score with its coverage.
func categoryLine(c string, cs CategoryScore) string {
	s := fmt.Sprintf("%s: %.1f/10 (%s evaluated", Title(c), *cs.Score, plural(cs.RulesEvaluated, "rule"))
	if cs.RulesTotal > 0 {
		s += fmt.Sprintf(" of %d", cs.RulesTotal)
	}
	s += fmt.Sprintf(", %d failed", cs.RulesFailed)
	if cs.Coverage != nil {
		s += fmt.Sprintf("; coverage %.0f%%", *cs.Coverage*100)
	}
	s += ")"
	if cs.LowConfidence {
		s += fmt.Sprintf(": **low confidence**, under %.0f%% coverage: left out of the overall score and the grade", CoverageThreshold*100)
	}
	return s
}

// plan is the remediation plan: one row per action.
func (m *mdWriter) plan(owners []Owner) {
	m.p("## Remediation plan\n\n")
	if len(m.v.Actions) == 0 {
		m.para("Nothing to fix. Keep the scan in CI so that it stays that way.")
		return
	}
	withOwners := len(owners) > 0
	head := "| # | Action | Closes | Effort | Prerequisites | How to verify |"
	sep := "|--:|---|---|---|---|---|"
	if withOwners {
		head += " Owner | Due |"
		sep += "---|---|"
	}
	m.p("%s\n%s\n", head, sep)
	for i, a := range m.v.Actions {
		fix := m.planFix(a)
		closes := fmt.Sprintf("%s: %s", strings.Join(a.ClosedRules(), ", "), plural(len(a.Closes()), "finding"))
		row := fmt.Sprintf("| %d | %s | %s | %s | %s | %s |", i+1, fix, mdCell(closes), mdCell(a.Effort), mdCell(nonEmpty(a.Prereq, "none")), mdCodeCell(a.Verify))
		if withOwners {
			o := ownerOf(owners, a)
			row += fmt.Sprintf(" %s | %s |", mdCell(nonEmpty(o.Owner, "—")), mdCell(nonEmpty(o.Due, "—")))
		}
		m.p("%s\n", row)
	}
	m.p("\n")
	root := "."
	if len(m.r.Scan.Roots) == 1 {
		root = m.r.Scan.Roots[0]
	}
	// A code span shows its text as it is: the path is not escaped there.
	m.para("\"Rescan: no RULE\" means: " + mdCode("natsaudit scan "+shellWord(root)+" --format json | jq '[.findings[] | select(.rule_id == \"RULE\")] | length'") + " prints 0.")
	if !withOwners {
		m.para("Owners and due dates: add `owners:` to `.natsaudit.yaml` (a rule or path glob, an owner, a due date) to fill them in.")
	}
}

// planFix is an action's first fix sentence with its places, fit for a
// table cell: a full sentence.
func (m *mdWriter) planFix(a action) string {
	fix := m.firstFix(ruleGroup{ruleID: a.RuleID, findings: a.Leads})
	if fix == "" {
		fix = mdInline(sentence(a.Title))
	}
	// The catalog's Markdown may hold a | (a shell pipe): a cell must not.
	// Escaped text (a custom rule's) has \| already.
	fix = strings.ReplaceAll(escapePipes(fix), "\n", " ")
	return fmt.Sprintf("%s (%s at %s)", fix, mdCell(a.RuleID), mdCell(placesPlain(a.Leads, 3)))
}

// placesPlain is the places of fs without the count: "server x, file:1 and
// 2 more".
func placesPlain(fs []Finding, show int) string {
	var names []string
	seen := map[string]bool{}
	for _, f := range fs {
		if n := whereOf(f); !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	s := strings.Join(names[:min(show, len(names))], ", ")
	if len(names) > show {
		s += fmt.Sprintf(" and %d more", len(names)-show)
	}
	return s
}

// ownerOf is the first owner whose glob matches the action's rule ID or
// one of its files ("dir/**" matches everything under dir).
func ownerOf(owners []Owner, a action) Owner {
	for _, o := range owners {
		for _, id := range a.ClosedRules() {
			if globMatch(o.Match, id) {
				return o
			}
		}
		for _, f := range a.Closes() {
			if f.Location != nil && globMatch(o.Match, f.Location.File) {
				return o
			}
		}
	}
	return Owner{}
}

func globMatch(pattern, s string) bool {
	if p, ok := strings.CutSuffix(pattern, "/**"); ok {
		return strings.HasPrefix(s, p+"/")
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// controls is the auditor's table: every rule and what became of it.
func (m *mdWriter) controls() {
	m.p("## Controls\n\n")
	counts := map[string]int{}
	for _, c := range m.v.Controls {
		counts[c.Status]++
	}
	m.para(fmt.Sprintf("Every rule of the catalog: %d pass, %d fail, %d suppressed, %d not evaluated.", counts["pass"], counts["fail"], counts["suppressed"], counts["not evaluated"]))
	if len(m.v.Good) > 0 {
		m.p("**What is in good shape**\n\n")
		for _, g := range m.v.Good {
			m.bullet(mdInline(g))
		}
		m.p("\n")
	}
	if m.lim.detail >= mdNoSnippets {
		m.para("The table of every rule is left out of this shortened report; the JSON report lists each rule's status (`rules`).")
		return
	}
	// Passing rules are listed by ID (the JSON report has their titles):
	// a row each would double the report.
	var pass []string
	for _, c := range m.v.Controls {
		if c.Status == "pass" {
			pass = append(pass, c.ID)
		}
	}
	if len(pass) > 0 {
		m.para(fmt.Sprintf("**Pass (%d):** %s.", len(pass), mdInline(strings.Join(pass, ", "))))
	}
	m.p("| Rule | Title | Category | Severity | Status | Detail |\n|---|---|---|---|---|---|\n")
	for _, c := range m.v.Controls {
		if c.Status == "pass" {
			continue
		}
		m.p("| %s | %s | %s | %s | %s | %s |\n", mdCell(c.ID), mdCell(c.Title), mdCell(c.Category), mdCell(c.Severity), mdCell(c.Status), mdCell(nonEmpty(c.Detail, "—")))
	}
	m.p("\n")
}

// provenance says where the report comes from, for the auditor.
func (m *mdWriter) provenance(p *Provenance) {
	m.p("## Provenance\n\n")
	for _, x := range provenanceRows(m.r, m.cat, p) {
		m.bullet("**" + mdInline(x.Key) + ":** " + mdInline(x.Value))
	}
	m.p("\n")
}

// rulesetDigest is a SHA-256 of the catalog's rules as the report used
// them (ID, severity, category, title, remediation), in catalog order-free
// form: two runs with the same rules have the same digest.
func rulesetDigest(cat map[string]*finding.Rule) string {
	ids := make([]string, 0, len(cat))
	for id := range cat {
		ids = append(ids, id)
	}
	sortStrings(ids)
	h := sha256.New()
	for _, id := range ids {
		r := cat[id]
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00", r.ID, r.Severity, r.Category, r.Title, r.Description, r.Remediation)
	}
	if len(ids) == 0 {
		return "unknown (rendered without the catalog)"
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}

// appendix gives each failed rule's "why it matters" and references once.
func (m *mdWriter) appendix() {
	if m.lim.detail >= mdFixOnly || len(m.r.Findings) == 0 {
		return
	}
	var ids []string
	seen := map[string]bool{}
	for _, f := range m.r.Findings {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			ids = append(ids, f.RuleID)
		}
	}
	sortStrings(ids)
	heading := false
	for _, id := range ids {
		rule := m.cat[id]
		if !trusted(rule) {
			continue
		}
		if !heading {
			m.p("## Appendix: why each rule matters\n\n")
			heading = true
		}
		m.p("### %s\n\n", mdInline(id))
		m.para("**" + mdInline(rule.Title) + ".** " + rule.Description)
		if len(rule.References) > 0 {
			for _, ref := range rule.References {
				m.p("- %s\n", ref)
			}
			m.p("\n")
		}
	}
}

// ruleAnchor is the anchor GitHub gives "### NATS-VER-001".
func ruleAnchor(id string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(id) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func sortStrings(xs []string) { sort.Strings(xs) }

// escapePipes escapes every | of s that is not escaped yet, so that it
// stays inside its table cell (GFM splits cells before reading code spans).
func escapePipes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			b.WriteByte(s[i])
			b.WriteByte(s[i+1])
			i++
			continue
		}
		if s[i] == '|' {
			b.WriteString(`\|`)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
