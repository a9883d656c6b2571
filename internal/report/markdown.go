package report

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// ScoringDocURI is the published score formula.
const ScoringDocURI = "https://github.com/natsaudit/natsaudit/blob/main/docs/scoring.md"

// mdWidth is where prose is wrapped, so that the report reads well in a
// terminal pager; tables and code blocks are never wrapped.
const mdWidth = 80

// WriteMarkdown renders the report for people: what was scanned, the scores,
// every finding with its evidence, what to do first, and what the scan could
// not see. It renders only the report and the rule catalog; it is
// deterministic for a given report.
func WriteMarkdown(w io.Writer, r *Report, opt RenderOptions) error {
	out := renderMarkdown(r, opt, mdLimit{})
	if opt.MarkdownMaxBytes > 0 && len(out)+mdDigestLen > opt.MarkdownMaxBytes {
		out = fitMarkdown(r, opt, len(out))
	}
	out += "\n"
	_, err := io.WriteString(w, out+mdDigestLine(out))
	return err
}

func renderMarkdown(r *Report, opt RenderOptions, lim mdLimit) string {
	m := &mdWriter{r: r, cat: catalogIndex(opt.Rules), lim: lim, prev: opt.Previous}
	m.v = buildView(r, m.cat)
	m.header()
	if lim.note != "" {
		m.para(lim.note)
	}
	m.sinceLast()
	m.executive()
	m.urgent()
	m.summary()
	m.plan(opt.Owners)
	m.findings()
	m.controls()
	m.coverage()
	m.compliance() // compliance_md.go
	m.provenance(opt.Provenance)
	m.appendix()
	// The Markdown is also printed to CI logs (cat natsaudit.md): what
	// escaping leaves of a workflow command (in code spans and snippets) is
	// broken the way text output breaks it.
	return guardLines(strings.TrimRight(m.b.String(), "\n") + "\n")
}

type mdWriter struct {
	b    strings.Builder
	r    *Report
	cat  map[string]*finding.Rule
	lim  mdLimit // what to leave out to fit --markdown-max-bytes
	v    *auditView
	prev *Report // --previous: the last audit's report, or nil
}

func (m *mdWriter) p(format string, args ...any) { fmt.Fprintf(&m.b, format, args...) }

// para writes a wrapped paragraph followed by a blank line.
func (m *mdWriter) para(s string) {
	m.b.WriteString(wrap(s, mdWidth, "", ""))
	m.b.WriteString("\n\n")
}

// bullet writes a wrapped list item.
func (m *mdWriter) bullet(s string) {
	m.b.WriteString(wrap(s, mdWidth, "- ", "  "))
	m.b.WriteString("\n")
}

func (m *mdWriter) header() {
	r := m.r
	m.p("# NATS audit report\n\n")
	what := r.Scan.Roots
	if len(what) == 0 && len(r.Scan.Targets) == 0 {
		what = []string{"nothing"}
	}
	if len(what) > 0 {
		m.bullet(fmt.Sprintf("**Scanned:** %s: %s", codeList(what), plural(len(r.Scan.Files), "file")+" read"))
	}
	if len(r.Scan.Targets) > 0 {
		m.bullet("**Live servers:** " + codeList(r.Scan.Targets))
	} else {
		m.bullet("**Live servers:** none (offline scan of files)")
	}
	m.bullet(fmt.Sprintf("**Found:** %s (%s), %s, %s", plural(len(r.Scan.Servers), "server"), codeListMax(r.Scan.Servers, 8),
		plural(r.Scan.Streams, "stream"), plural(r.Scan.Consumers, "consumer")))
	if len(r.Scan.Sources) > 0 {
		m.bullet("**Inputs:** " + mdInline(strings.Join(sourceNames(r.Scan.Sources), ", ")))
	}
	if d := scanDate(r.Scan.Started); d != "" {
		m.bullet("**Date:** " + mdInline(d))
	}
	tool := "**Tool:** " + mdInline(nonEmpty(r.Tool.Name, "natsaudit")+" "+nonEmpty(r.Tool.Version, "(unknown version)"))
	if r.Tool.AdvisoriesDate != "" {
		tool += ", advisories data of " + mdInline(r.Tool.AdvisoriesDate)
	} else {
		tool += ", advisories data undated"
	}
	m.bullet(tool)
	m.p("\n")
}

func (m *mdWriter) summary() {
	r := m.r
	m.p("## Scores\n\n")
	var s strings.Builder
	switch {
	case NotEvaluated(r):
		s.WriteString("No score: " + mdInline(StatusMessage(r)) + ". ")
	case r.Scores.Overall != nil:
		fmt.Fprintf(&s, "Overall **%.1f/10, grade %s**. ", *r.Scores.Overall, mdInline(r.Scores.Grade))
	default:
		s.WriteString("No score: no rule could be evaluated on these inputs. ")
	}
	evaluated, failed := 0, 0
	for _, rs := range r.Rules {
		if rs.Evaluated {
			evaluated++
		}
		if rs.Findings > 0 {
			failed++
		}
	}
	switch {
	case r.Summary.Total == 0 && NotEvaluated(r):
		s.WriteString("No findings.")
	case r.Summary.Total == 0 && r.Scan.Status == StatusIncomplete:
		fmt.Fprintf(&s, "No findings from the %s that ran.", plural(evaluated, "evaluated rule"))
	case r.Summary.Total == 0:
		fmt.Fprintf(&s, "No findings: all %s passed.", plural(evaluated, "evaluated rule"))
	default:
		fmt.Fprintf(&s, "%s (%s) from %d of %s.", plural(r.Summary.Total, "finding"), nonZeroCounts(r.Summary), failed, plural(evaluated, "evaluated rule"))
	}
	if n := len(r.Errors) - RuleErrors(r); n > 0 {
		fmt.Fprintf(&s, " %s could not be read or parsed, so part of the deployment was not checked (see Scope and confidence).", plural(n, "input"))
	}
	if n := RuleErrors(r); n > 0 {
		fmt.Fprintf(&s, " **Incomplete scan:** %s failed at evaluation; the rules in it gave no findings and are left out of the scores (see Scope and confidence).", plural(n, "rule package"))
	}
	if n := len(r.Suppressed); n > 0 {
		fmt.Fprintf(&s, " %s suppressed (listed under Scope and confidence).", pluralVerb(n, "finding is", "findings are"))
	}
	m.para(s.String())

	for _, c := range finding.CategoryNames() {
		cs := r.Scores.Categories[c]
		if cs.Score == nil {
			if NotEvaluated(r) {
				m.bullet(fmt.Sprintf("%s: n/a (not evaluated)", Title(c)))
				continue
			}
			m.bullet(fmt.Sprintf("%s: n/a (no %s rule could be evaluated on these inputs)", Title(c), c))
			continue
		}
		m.bullet(categoryLine(c, cs))
	}
	m.p("\n")
	if r.Scores.Overall != nil {
		m.para(fmt.Sprintf("**Grade: %s** (overall %.1f/10; A ≥ 9, B ≥ 8, C ≥ 7, D ≥ 5, F below; how scores are computed: %s)",
			mdInline(r.Scores.Grade), *r.Scores.Overall, ScoringDocURI))
	} else if r.Scores.GradeWithheld != "" {
		m.para("**Grade: n/a**: no grade, because " + mdInline(r.Scores.GradeWithheld) + " (how scores are computed: " + ScoringDocURI + ").")
	} else {
		m.para("**Grade: n/a**")
	}

	// Each rule is counted once, in the row of its most severe finding, so
	// that the Rules column adds up to its total (a rule whose findings
	// have several severities, e.g. NATS-VER-001, was counted in each row).
	worst := map[string]string{}
	for _, f := range r.Findings {
		if w, ok := worst[f.RuleID]; !ok || finding.SeverityRank(f.Severity) > finding.SeverityRank(w) {
			worst[f.RuleID] = string(f.Severity)
		}
	}
	rules := map[string]int{}
	for _, sev := range worst {
		rules[sev]++
	}
	m.p("| Severity | Findings | Rules |\n|---|--:|--:|\n")
	for _, sev := range finding.SeverityNames() {
		m.p("| %s | %d | %d |\n", Title(sev), r.Summary.Severity[sev], rules[sev])
	}
	m.p("| **Total** | **%d** | **%d** |\n\n", r.Summary.Total, len(worst))
	if len(worst) > 0 {
		m.para("A rule is counted once, at the severity of its most severe finding.")
	}
}

func (m *mdWriter) findings() {
	r := m.r
	m.p("## Findings\n\n")
	if len(r.Findings) == 0 {
		m.para("No findings.")
		return
	}
	var shown []Finding
	for _, f := range r.Findings {
		if !m.v.Hidden[findingKey(f)] {
			shown = append(shown, f)
		}
	}
	if len(shown) < len(r.Findings) {
		m.para(fmt.Sprintf("%s the root cause of a finding below (the same value, and one change fixes them all): shown with it, and scored once.", pluralVerb(len(r.Findings)-len(shown), "finding shares", "findings share")))
	}
	groups := ruleGroups(shown)
	for _, sev := range finding.SeverityNames() {
		var in []ruleGroup
		for _, g := range groups {
			if g.severity == sev {
				in = append(in, g)
			}
		}
		if len(in) == 0 {
			continue
		}
		m.p("### %s\n\n", Title(sev))
		for _, g := range in {
			m.ruleSection(g)
		}
	}
}

func (m *mdWriter) ruleSection(g ruleGroup) {
	rule := m.cat[g.ruleID]
	m.p("#### %s: %s\n\n", mdInline(g.ruleID), mdInline(g.title))
	meta := fmt.Sprintf("%s · %s · %s", mdInline(Title(g.category)), mdInline(g.severity), plural(len(g.findings), "place"))
	if m.lim.detail < mdFixOnly && trusted(rule) {
		meta += fmt.Sprintf(" · why it matters: [%s](#%s)", mdInline(g.ruleID), ruleAnchor(g.ruleID))
	}
	m.para(meta)
	for _, f := range g.findings {
		// Where first, then what: "server x at `file:line`: message".
		where := "**" + mdInline(nonEmpty(TargetLabel(f), "deployment")) + "**"
		switch {
		case f.Location != nil && f.Endpoint != "":
			where += fmt.Sprintf(" at %s (live: %s)", mdCode(locString(f.Location)), mdCode(f.Endpoint))
		case f.Location != nil:
			where += " at " + mdCode(locString(f.Location))
		case f.Endpoint != "":
			where += fmt.Sprintf(" (live: %s)", mdCode(f.Endpoint))
		}
		m.b.WriteString(wrap(where+": "+mdInline(sentence(resultMessage(f))), mdWidth, "- ", "  "))
		m.b.WriteString("\n")
		for _, x := range alsoLines(f, m.v.AlsoOf[findingKey(f)]) {
			m.p("\n")
			m.b.WriteString(wrap(mdInline(x), mdWidth, "  - ", "    "))
			m.b.WriteString("\n")
		}
		if own := OwnFix(rule, f); len(own) > 0 && m.lim.detail < mdFixOnly {
			m.p("\n")
			m.b.WriteString(wrap("Fix for this one: "+mdInline(own[0]), mdWidth, "  ", "  "))
			m.b.WriteString("\n")
			for _, l := range own[1:] {
				m.b.WriteString(wrap(mdInline(l), mdWidth, "  - ", "    "))
				m.b.WriteString("\n")
			}
		}
		if f.Snippet != "" && m.lim.detail < mdNoSnippets {
			m.p("\n%s", mdFenced(f.Snippet, snippetLang(f), "  "))
		}
		if f.FixDiff != "" && m.lim.detail < mdNoSnippets {
			m.p("\n  Fix as a diff:\n\n%s", mdFenced(strings.TrimSuffix(f.FixDiff, "\n"), "diff", "  "))
		}
		m.p("\n")
	}
	if m.lim.detail >= mdFixOnly {
		if m.lim.detail < mdNoFix {
			if fix := m.firstFix(g); fix != "" {
				m.para("**Fix.** " + fix)
			}
		}
		return
	}
	if !trusted(rule) {
		m.untrustedRuleText(rule, g)
		return
	}
	if fix := RuleFix(rule, g.findings); fix != "" {
		if strings.Contains(fix, "\n") || len(fix) > mdWidth-10 {
			m.p("**Fix.**\n\n%s\n\n", wrapMarkdown(fix, mdWidth))
		} else {
			m.para("**Fix.** " + fix)
		}
	}
}

// trusted reports whether rule's description, remediation and references
// are natsaudit's own Markdown: a built-in rule. A custom rule's metadata,
// or a rule the catalog does not know (a report re-rendered without it), is
// text from input like any other.
func trusted(rule *finding.Rule) bool { return rule != nil && !rule.Custom }

// untrustedRuleText writes a custom or unknown rule's description,
// remediation and references as escaped text.
func (m *mdWriter) untrustedRuleText(rule *finding.Rule, g ruleGroup) {
	var desc, fix string
	var refs []string
	if rule != nil {
		desc, fix, refs = rule.Description, rule.Remediation, rule.References
	}
	if fix == "" && len(g.findings) > 0 {
		fix = g.findings[0].Remediation
	}
	m.blocks("**Why it matters.**", mdParagraphs(desc))
	m.blocks("**Fix.**", mdParagraphs(fix))
	if len(refs) > 0 {
		m.p("References:\n\n")
		for _, ref := range refs {
			m.bullet(mdInline(ref))
		}
		m.p("\n")
	}
}

// blocks writes escaped blocks, the first paragraph led by label.
func (m *mdWriter) blocks(label string, bs []mdBlock) {
	for i, b := range bs {
		switch {
		case b.code && i == 0:
			m.p("%s\n\n%s\n", label, b.text)
		case b.code:
			m.p("%s\n", b.text)
		case i == 0:
			m.para(label + " " + b.text)
		default:
			m.para(b.text)
		}
	}
}

// firstFix is the first sentence of the rule's remediation: Markdown for a
// built-in rule, escaped text for any other.
func (m *mdWriter) firstFix(g ruleGroup) string {
	if r := m.cat[g.ruleID]; trusted(r) && r.Remediation != "" {
		return firstSentence(r.Remediation)
	}
	if r := m.cat[g.ruleID]; r != nil && r.Remediation != "" {
		return mdInline(firstSentence(r.Remediation))
	}
	if len(g.findings) > 0 {
		return mdInline(firstSentence(g.findings[0].Remediation))
	}
	return ""
}

func (m *mdWriter) coverage() {
	r := m.r
	m.p("## Scope and confidence\n\n")
	for _, x := range m.v.Scope {
		m.bullet(mdInline(x))
	}
	m.p("\n")
	var evaluated, notEval, failedRules []RuleStatus
	var disabled []string
	custom := 0
	for _, rs := range r.Rules {
		if rs.Custom {
			custom++
		}
		switch {
		case rs.Evaluated:
			evaluated = append(evaluated, rs)
		case rs.Disabled:
			disabled = append(disabled, rs.ID)
		case rs.Failed:
			failedRules = append(failedRules, rs)
		default:
			notEval = append(notEval, rs)
		}
	}
	s := fmt.Sprintf("**Rules:** %d of %d evaluated", len(evaluated), len(r.Rules))
	if custom > 0 {
		s += fmt.Sprintf(" (%d custom)", custom)
	}
	s += "."
	switch n := len(disabled); {
	case n > 12:
		s += fmt.Sprintf(" %d rules are disabled by configuration.", n)
	case n > 0:
		s += fmt.Sprintf(" Disabled by configuration: %s.", mdInline(strings.Join(disabled, ", ")))
	}
	if n := len(failedRules); n > 0 {
		ids := make([]string, n)
		for i, rs := range failedRules {
			ids[i] = rs.ID
		}
		s += fmt.Sprintf(" Failed at evaluation, so not evaluated (see below): %s.", mdInline(strings.Join(ids, ", ")))
	}
	if len(notEval) > 0 {
		s += fmt.Sprintf(" %s could not be evaluated because the scan had none of the inputs they judge (the Controls table names what each needs).", pluralVerb(len(notEval), "rule", "rules"))
	}
	m.para(s)
	m.p("**Files read (%d):**\n\n", len(r.Scan.Files))
	if m.lim.detail >= mdNoSnippets && len(r.Scan.Files) > 0 {
		m.para("Not listed here (the report was shortened); the JSON report lists them.")
	} else if len(r.Scan.Files) == 0 {
		m.para("None.")
	} else if len(r.Scan.FileDigests) > 0 {
		// With each file's SHA-256: an auditor checks one file with
		// sha256sum, the set with the provenance's digest of the list.
		m.p("| File | SHA-256 |\n|---|---|\n")
		for _, f := range r.Scan.FileDigests {
			m.p("| %s | %s |\n", mdCodeCell(f.Path), fileDigestCell(f))
		}
		m.p("\n")
	} else {
		for _, f := range r.Scan.Files {
			m.p("- %s\n", mdCode(f))
		}
		m.p("\n")
	}
	if n := len(r.Errors) - RuleErrors(r); n > 0 {
		m.p("**Could not be read or parsed (%d):**\n\n", n)
		for _, e := range r.Errors {
			if e.Kind == ErrorKindRule {
				continue
			}
			m.bullet(mdCode(errorWhere(e.File, e.Line, e.Target, e.Rules, e.Kind)) + ": " + mdInline(e.Message))
		}
		m.p("\n")
	}
	if n := RuleErrors(r); n > 0 {
		m.p("**Rule packages that failed at evaluation (%d):** the scan is incomplete.\n\n", n)
		for _, e := range r.Errors {
			if e.Kind == ErrorKindRule {
				m.bullet(mdCode(errorWhere(e.File, e.Line, e.Target, e.Rules, e.Kind)) + ": " + mdInline(e.Message))
			}
		}
		m.p("\n")
	}
	if len(r.Notes) > 0 {
		m.p("**Notes:**\n\n")
		for _, n := range r.Notes {
			m.bullet(mdInline(n))
		}
		m.p("\n")
	}
	if len(r.Suppressed) > 0 {
		m.p("**Suppressed findings (%d):** not counted in the scores or the exit code.\n\n", len(r.Suppressed))
		m.p("| Rule | Where | Kind | Reason | Until | Declared at |\n|---|---|---|---|---|---|\n")
		for _, f := range r.Suppressed {
			where := f.Target
			if f.Location != nil {
				where = locString(f.Location) + " " + f.Target
			}
			var kind, reason, until, src string
			if s := f.Suppression; s != nil {
				kind, reason, until, src = s.Kind, s.Reason, s.Until, s.Source
				if s.Expired {
					until += " (expired)"
				}
			}
			m.p("| %s | %s | %s | %s | %s | %s |\n", mdCell(f.RuleID), mdCell(where), mdCell(kind), mdCell(reason), mdCell(until), mdCell(src))
		}
		m.p("\n")
	}
}

// ruleGroup is the findings of one rule at one severity.
type ruleGroup struct {
	ruleID, title, severity, category string
	findings                          []Finding
}

// ruleGroups groups findings by severity (most severe first), then rule ID.
func ruleGroups(fs []Finding) []ruleGroup {
	idx := map[string]int{}
	var out []ruleGroup
	for _, f := range fs {
		k := string(f.Severity) + "\x00" + f.RuleID
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ruleGroup{ruleID: f.RuleID, title: f.Title, severity: string(f.Severity), category: string(f.Category)})
		}
		out[i].findings = append(out[i].findings, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := finding.SeverityRank(a.severity), finding.SeverityRank(b.severity); ra != rb {
			return ra > rb
		}
		return a.ruleID < b.ruleID
	})
	return out
}

// placesText is "1 place (server nats-1)" or "5 places (stream A, stream B,
// stream C and 2 more)".
func placesText(fs []Finding, show int) string {
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
	list := names
	more := 0
	if len(list) > show {
		more = len(list) - show
		list = list[:show]
	}
	s := strings.Join(list, ", ")
	if more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return fmt.Sprintf("%s (%s)", plural(len(fs), "place"), mdInline(s))
}

func locString(l *Location) string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

func snippetLang(f Finding) string {
	if f.Location == nil {
		return ""
	}
	switch strings.ToLower(path.Ext(f.Location.File)) {
	case ".yml", ".yaml":
		return "yaml"
	case ".json":
		return "json"
	case ".env":
		return "sh"
	}
	if strings.HasPrefix(path.Base(f.Location.File), ".env") {
		return "sh"
	}
	return ""
}

func codeList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = mdCode(x)
	}
	return strings.Join(q, ", ")
}

func codeListMax(xs []string, n int) string {
	if len(xs) == 0 {
		return "none"
	}
	if len(xs) <= n {
		return codeList(xs)
	}
	return codeList(xs[:n]) + fmt.Sprintf(" and %d more", len(xs)-n)
}

var sourceLabel = map[string]string{
	"config":  "nats-server config (config)",
	"compose": "docker-compose (compose)",
	"env":     ".env files (env)",
	"streams": "JetStream definitions (streams)",
	"certs":   "certificates (certs)",
	"live":    "live monitoring endpoints (live)",
	// Kubernetes manifests and Helm values of the nats chart.
	"kubernetes": "Kubernetes manifests (kubernetes)",
	"helm":       "Helm values of the nats chart (helm)",
}

func sourceNames(srcs []string) []string {
	out := make([]string, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, nonEmpty(sourceLabel[s], s))
	}
	return out
}

// scanDate formats the RFC 3339 start time as "2026-11-23 08:15 UTC".
func scanDate(s string) string {
	if len(s) >= 16 && s[10] == 'T' {
		d := s[:10] + " " + s[11:16]
		if strings.HasSuffix(s, "Z") {
			d += " UTC"
		}
		return d
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") && len(word) > 1 && !strings.ContainsRune("aeiou", rune(word[len(word)-2])) {
		return fmt.Sprintf("%d %sies", n, word[:len(word)-1])
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func pluralVerb(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func nonZeroCounts(s Summary) string {
	var parts []string
	for _, sev := range finding.SeverityNames() {
		if n := s.Severity[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	return strings.Join(parts, ", ")
}

// firstSentence is the first sentence of a remediation's first paragraph
// (which stops at a blank line or a code block).
func firstSentence(s string) string {
	var para []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "\t") || strings.HasPrefix(t, "```") {
			break
		}
		para = append(para, t)
	}
	s = strings.Join(para, " ")
	if i := sentenceEnd(s); i >= 0 {
		s = s[:i+1]
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ":"))
	// "…, e.g." announced a snippet that is not shown here.
	for _, tail := range []string{", e.g.", " e.g.", ", for example", " for example"} {
		s = strings.TrimSuffix(s, tail)
	}
	return sentence(s)
}

// sentenceEnd is the index of the period that ends the first sentence of
// s, or -1: not an ellipsis ("ca_file: ... }") nor an abbreviation ("e.g.",
// "i.e.", "etc.").
func sentenceEnd(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '.' || s[i+1] != ' ' {
			continue
		}
		if i > 0 && s[i-1] == '.' {
			continue
		}
		w := s[:i]
		if j := strings.LastIndexAny(w, " ("); j >= 0 {
			w = w[j+1:]
		}
		switch strings.ToLower(w) {
		case "e.g", "i.e", "etc", "vs", "cf":
			continue
		}
		return i
	}
	return -1
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// wrap breaks s at spaces so that no line is longer than width (a single
// longer word stays whole); the first line starts with first, the others
// with rest.
func wrap(s string, width int, first, rest string) string {
	words := mdWords(s)
	if len(words) == 0 {
		return strings.TrimRight(first, " ")
	}
	var b strings.Builder
	line := first
	lineHasWord := false
	for _, w := range words {
		// A continuation line must not start with something Markdown reads
		// as a block marker (a list item, heading, quote): keep such a word
		// on the current line even if it overflows.
		if lineHasWord && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width && !blockMarker(w) {
			b.WriteString(line)
			b.WriteString("\n")
			line = rest
			lineHasWord = false
		}
		if lineHasWord {
			line += " "
		}
		line += w
		lineHasWord = true
	}
	b.WriteString(line)
	return b.String()
}

// wrapMarkdown wraps the long prose lines of a Markdown block (a rule's
// remediation) and leaves code (fenced or indented), tables and headings
// alone. List items keep their hanging indent.
func wrapMarkdown(s string, width int) string {
	lines := strings.Split(s, "\n")
	var out []string
	fenced := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			out = append(out, l)
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " "))
		if fenced || utf8.RuneCountInString(l) <= width || indent >= 4 || strings.HasPrefix(t, "|") || strings.HasPrefix(t, "#") || strings.HasPrefix(l, "\t") {
			out = append(out, l)
			continue
		}
		lead := l[:indent]
		marker := ""
		for _, mk := range []string{"- ", "* ", "+ "} {
			if strings.HasPrefix(t, mk) {
				marker = mk
			}
		}
		if marker == "" {
			if i := strings.Index(t, ". "); i > 0 && i <= 3 && isDigits(t[:i]) {
				marker = t[:i+2]
			}
		}
		body := strings.TrimPrefix(t, marker)
		out = append(out, wrap(body, width, lead+marker, lead+strings.Repeat(" ", len(marker))))
	}
	return strings.Join(out, "\n")
}

func blockMarker(w string) bool {
	switch {
	case w == "+" || w == "*" || w == ">" || strings.Trim(w, "-") == "" || strings.HasPrefix(w, "#") || strings.HasPrefix(w, "=") || strings.HasPrefix(w, "---") || strings.HasPrefix(w, "|") ||
		strings.HasPrefix(w, "```") || strings.HasPrefix(w, "~~~") || strings.HasPrefix(w, "<"):
		return true
	case strings.HasSuffix(w, ".") || strings.HasSuffix(w, ")"):
		return isDigits(w[:len(w)-1])
	}
	return false
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// fileDigestCell is a file's SHA-256 as a table cell, or why it has none.
func fileDigestCell(f FileDigest) string {
	if f.SHA256 != "" {
		return mdCodeCell(f.SHA256)
	}
	return mdCell("withheld: " + nonEmpty(f.Withheld, WithheldUnread))
}
