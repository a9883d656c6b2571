package report

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/model"
)

// SARIF 2.1.0 for GitHub code scanning. Small hand-written structs rather than
// a library: GitHub rejects null arrays, empty runs and line 0, and with our
// own structs every optional field is omitted unless we set it, while the
// arrays GitHub requires (rules, results) are always present.

// SARIFSchema is the $schema written into every log.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// SARIFFingerprintKey names our own stable fingerprint in partialFingerprints.
// GitHub keeps producer fingerprints as they are; the key is versioned so a
// change of the fingerprint scheme can never be mistaken for the old one.
const SARIFFingerprintKey = "natsaudit/v1"

// SARIFSourceRoot is the uriBaseId of every artifact: the repository root.
const SARIFSourceRoot = "%SRCROOT%"

// SARIFLevel maps a severity to a SARIF level.
func SARIFLevel(sev string) string { return finding.Severity(sev).SARIFLevel() }

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	AutomationDetails  *sarifAutomation            `json:"automationDetails,omitempty"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Invocations        []sarifInvocation           `json:"invocations,omitempty"`
	Results            []sarifResult               `json:"results"`
	Properties         map[string]any              `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string               `json:"name"`
	SemanticVersion string               `json:"semanticVersion,omitempty"`
	InformationURI  string               `json:"informationUri,omitempty"`
	Rules           []sarifReportingDesc `json:"rules"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifReportingDesc struct {
	ID                   string              `json:"id"`
	Name                 string              `json:"name,omitempty"`
	ShortDescription     sarifMessage        `json:"shortDescription"`
	FullDescription      sarifMessage        `json:"fullDescription"`
	Help                 sarifMessage        `json:"help"`
	HelpURI              string              `json:"helpUri,omitempty"`
	DefaultConfiguration sarifDefaultConfig  `json:"defaultConfiguration"`
	Properties           sarifRuleProperties `json:"properties"`
}

type sarifDefaultConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperties struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
	ProblemSeverity  string   `json:"problem.severity,omitempty"`
	Severity         string   `json:"natsaudit/severity"`
	Category         string   `json:"natsaudit/category"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifArtifactLoc struct {
	URI         string        `json:"uri,omitempty"`
	URIBaseID   string        `json:"uriBaseId,omitempty"`
	Description *sarifMessage `json:"description,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level          string              `json:"level"`
	Message        sarifMessage        `json:"message"`
	Locations      []sarifLocation     `json:"locations,omitempty"`
	AssociatedRule *sarifDescriptorRef `json:"associatedRule,omitempty"`
}

// sarifDescriptorRef points at a rule of tool.driver.rules.
type sarifDescriptorRef struct {
	ID    string `json:"id"`
	Index *int   `json:"index,omitempty"`
}

// ruleNotifications are a failed rule package's notifications: one per rule
// (associatedRule lets a viewer show it with the rule), at level "error",
// which SARIF consumers read as "the results may be incomplete" (SARIF
// 2.1.0, appendix I). The run itself completed, so executionSuccessful
// stays true.
func ruleNotifications(e model.ParseError, index map[string]int) []sarifNotification {
	text := sentence(fmt.Sprintf("Rule package %s failed at evaluation, so the results are incomplete: %s", e.Target, e.Message))
	if len(e.Rules) == 0 {
		return []sarifNotification{{Level: "error", Message: sarifMessage{Text: text}}}
	}
	out := make([]sarifNotification, 0, len(e.Rules))
	for _, id := range e.Rules {
		ref := &sarifDescriptorRef{ID: id}
		if i, ok := index[id]; ok {
			ref.Index = &i
		}
		out = append(out, sarifNotification{Level: "error", Message: sarifMessage{Text: text}, AssociatedRule: ref})
	}
	return out
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifMessage       `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Fixes               []sarifFix         `json:"fixes,omitempty"`
	Properties          map[string]string  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine   int           `json:"startLine"`
	StartColumn int           `json:"startColumn,omitempty"`
	Snippet     *sarifMessage `json:"snippet,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

// SARIFCategory is the automation category of a report: the explicit one
// when given, else "live" when the run probed servers and "config" when it
// only read files. Config and live scans thus upload as separate analyses and
// never replace each other's alerts.
func SARIFCategory(r *Report, explicit string) string {
	if c := strings.Trim(strings.TrimSpace(explicit), "/"); c != "" {
		return c
	}
	if len(r.Scan.Targets) > 0 {
		return "live"
	}
	return "config"
}

// WriteSARIF renders the report as a SARIF 2.1.0 log with one run.
//
// Findings without a file location (live-only facts with no config line
// that would fix them) are left out: GitHub needs a file to show an alert,
// and pinning them to an arbitrary file would create alerts nobody can fix
// there. Their number and the reason are in run.properties; the Markdown and
// JSON reports list them. Suppressed findings are left out too unless
// opt.SARIFIncludeSuppressed, because GitHub ingests suppressed results as
// open alerts.
func WriteSARIF(w io.Writer, r *Report, opt RenderOptions) error {
	cat := catalogIndex(opt.Rules)
	// rules[]: every evaluated rule, plus any rule a result refers to.
	var ids []string
	seen := map[string]bool{}
	addRule := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	status := map[string]RuleStatus{}
	for _, rs := range r.Rules {
		status[rs.ID] = rs
		// A rule that failed is listed too: its notification refers to it.
		if rs.Evaluated || rs.Failed {
			addRule(rs.ID)
		}
	}
	findings := make([]Finding, 0, len(r.Findings))
	omitted := 0
	for _, f := range r.Findings {
		if f.Location == nil || f.Location.File == "" {
			omitted++
			continue
		}
		findings = append(findings, f)
	}
	suppressedOmitted := 0
	for _, f := range r.Suppressed {
		if !opt.SARIFIncludeSuppressed || f.Location == nil || f.Location.File == "" {
			suppressedOmitted++
			continue
		}
		findings = append(findings, f)
	}
	for _, f := range findings {
		addRule(f.RuleID)
	}
	sort.Strings(ids)
	index := map[string]int{}
	descs := make([]sarifReportingDesc, 0, len(ids))
	for i, id := range ids {
		index[id] = i
		descs = append(descs, sarifRule(id, cat[id], status[id], r.Findings, r.Suppressed))
	}

	root := strings.Trim(path.Clean("/"+strings.TrimPrefix(toSlash(opt.SourceRoot), "./")), "/")
	absRoot := strings.HasPrefix(opt.SourceRoot, "/") || isWindowsAbs(opt.SourceRoot)
	uri := func(file string) string {
		file = toSlash(file)
		if absRoot || root == "" {
			return escapeURIPath(file)
		}
		return escapeURIPath(path.Join(root, file))
	}

	results := make([]sarifResult, 0, len(findings))
	for _, f := range findings {
		res := sarifResult{
			RuleID:    f.RuleID,
			RuleIndex: index[f.RuleID],
			Level:     f.Severity.SARIFLevel(),
			Message:   sarifMessage{Text: sentence(resultMessage(f)) + serversSentence(f) + sourceFixSentence(cat[f.RuleID], f)},
			Locations: []sarifLocation{{PhysicalLocation: physical(uri(f.Location.File), f.Location.Line, f.Location.Column, f.Snippet)}},
			PartialFingerprints: map[string]string{
				SARIFFingerprintKey: f.Fingerprint,
			},
			Properties: map[string]string{"natsaudit/severity": string(f.Severity)},
		}
		// The finding's own severity, not only the rule's default: a rule
		// whose severity depends on the input (NATS-VER-001 is critical
		// when an applicable advisory is) must not show as its default.
		if f.Category == "security" {
			res.Properties["security-severity"] = f.Severity.SecuritySeverity()
		}
		if f.Target != "" {
			res.Properties["natsaudit/target"] = f.Target
		}
		if len(f.Servers) > 1 {
			res.Properties["natsaudit/servers"] = strings.Join(f.Servers, ",")
		}
		if f.Path != "" {
			res.Properties["natsaudit/path"] = f.Path
		}
		if f.Endpoint != "" {
			res.Properties["natsaudit/endpoint"] = f.Endpoint
		}
		if f.Suppression != nil {
			res.Suppressions = []sarifSuppression{sarifSuppress(f.Suppression)}
		}
		res.Fixes = sarifFixes(f, uri(f.Location.File))
		results = append(results, res)
	}

	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:            nonEmpty(r.Tool.Name, "natsaudit"),
			SemanticVersion: r.Tool.Version,
			InformationURI:  r.Tool.InformationURI,
			Rules:           descs,
		}},
		AutomationDetails: &sarifAutomation{ID: "natsaudit/" + SARIFCategory(r, opt.SARIFCategory) + "/"},
		OriginalURIBaseIDs: map[string]sarifArtifactLoc{
			SARIFSourceRoot: srcRoot(opt.SourceRoot, absRoot),
		},
		Results: results,
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, e := range r.Errors {
		if e.Kind == ErrorKindRule {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, ruleNotifications(e, index)...)
			continue
		}
		n := sarifNotification{Level: "warning", Message: sarifMessage{Text: sentence(fmt.Sprintf("%s could not be read or parsed, so it was not fully audited: %s", nonEmpty(e.File, e.Target), e.Message))}}
		if e.File != "" {
			n.Locations = []sarifLocation{{PhysicalLocation: physical(uri(e.File), e.Line, e.Column, "")}}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.Invocations = []sarifInvocation{inv}
	props := map[string]any{}
	if omitted > 0 {
		props["natsaudit/findingsWithoutLocation"] = omitted
		props["natsaudit/findingsWithoutLocationNote"] = "Findings with no file location (facts only a live server shows, with no config line that sets them) are not in this SARIF log because code scanning needs a file to show an alert; see the Markdown or JSON report."
	}
	if suppressedOmitted > 0 {
		props["natsaudit/suppressedOmitted"] = suppressedOmitted
	}
	if r.Tool.AdvisoriesDate != "" {
		props["natsaudit/advisoriesDate"] = r.Tool.AdvisoriesDate
	}
	if r.Scores.Overall != nil {
		props["natsaudit/overallScore"] = *r.Scores.Overall
		props["natsaudit/grade"] = r.Scores.Grade
	}
	if len(props) > 0 {
		run.Properties = props
	}
	log := sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}
	return writeJSON(w, log)
}

func srcRoot(root string, abs bool) sarifArtifactLoc {
	if abs {
		u := "file://" + escapeURIPath(toSlash(root))
		if isWindowsAbs(root) {
			// The drive's colon stays literal: file:///C:/repo/
			u = "file:///" + root[:2] + escapeURIPath(toSlash(root[2:]))
		}
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		return sarifArtifactLoc{URI: u}
	}
	// Relative roots are folded into each artifact's uri, which is then
	// relative to the repository root: the base GitHub resolves against.
	return sarifArtifactLoc{Description: &sarifMessage{Text: "The root of the repository that was scanned."}}
}

func physical(uri string, line, col int, snippet string) sarifPhysical {
	reg := &sarifRegion{StartLine: max(line, 1)}
	if col > 0 {
		reg.StartColumn = col
	}
	if snippet != "" {
		reg.Snippet = &sarifMessage{Text: snippet}
	}
	return sarifPhysical{ArtifactLocation: sarifArtifactLoc{URI: uri, URIBaseID: SARIFSourceRoot}, Region: reg}
}

func sarifSuppress(s *Suppression) sarifSuppression {
	kind := "external"
	if s.Kind == "inline" {
		kind = "inSource"
	}
	j := s.Reason
	if s.Until != "" {
		j = strings.TrimSpace(j + " (until " + s.Until + ")")
	}
	return sarifSuppression{Kind: kind, Status: "accepted", Justification: j}
}

// sarifRule builds a rule descriptor from the catalog entry, falling back to
// what the report itself knows when the catalog was not passed (a report
// re-rendered from JSON).
func sarifRule(id string, r *finding.Rule, st RuleStatus, findings, suppressed []Finding) sarifReportingDesc {
	var title, desc, fix, sev, cat, helpURI string
	var refs []string
	if r != nil {
		title, desc, fix, sev, cat, refs = r.Title, r.Description, r.Remediation, string(r.Severity), string(r.Category), r.References
		if !r.Custom {
			helpURI = r.HelpURI()
		}
	} else {
		title, sev, cat = st.Title, st.Severity, st.Category
		for _, f := range append(append([]Finding{}, findings...), suppressed...) {
			if f.RuleID == id {
				title, sev, cat, fix = nonEmpty(title, f.Title), nonEmpty(sev, string(f.Severity)), nonEmpty(cat, string(f.Category)), f.Remediation
				break
			}
		}
		if sev == "" {
			sev = "medium"
		}
	}
	if helpURI == "" && len(refs) > 0 && strings.HasPrefix(refs[0], "http") {
		helpURI = refs[0]
	}
	title = nonEmpty(title, id)
	desc = nonEmpty(desc, title)
	fix = nonEmpty(fix, "See the rule documentation.")
	var md string
	if trusted(r) {
		md = trustedHelp(id, sev, cat, desc, fix, refs)
	} else {
		md = untrustedHelp(id, sev, cat, desc, fix, refs)
	}
	d := sarifReportingDesc{
		ID:                   id,
		Name:                 pascal(title),
		ShortDescription:     sarifMessage{Text: clip(title, 1024)},
		FullDescription:      sarifMessage{Text: clip(sentence(desc), 1024)},
		Help:                 sarifMessage{Text: plainHelp(desc, fix, refs), Markdown: md},
		HelpURI:              helpURI,
		DefaultConfiguration: sarifDefaultConfig{Level: finding.Severity(sev).SARIFLevel()},
		Properties: sarifRuleProperties{
			Tags:      sarifTags(cat),
			Precision: "high",
			Severity:  sev,
			Category:  cat,
		},
	}
	if cat == "security" {
		d.Properties.SecuritySeverity = finding.Severity(sev).SecuritySeverity()
	} else {
		d.Properties.ProblemSeverity = finding.Severity(sev).ProblemSeverity()
	}
	return d
}

// trustedHelp is a built-in rule's help: its metadata is natsaudit's own
// Markdown.
func trustedHelp(id, sev, cat, desc, fix string, refs []string) string {
	var md strings.Builder
	fmt.Fprintf(&md, "**%s** (%s, %s)\n\n%s\n\n**Fix**\n\n%s\n", id, sev, cat, desc, strings.TrimSpace(fix))
	if len(refs) > 0 {
		md.WriteString("\n**References**\n\n")
		for _, ref := range refs {
			fmt.Fprintf(&md, "- %s\n", ref)
		}
	}
	return md.String()
}

// untrustedHelp is the help of a custom rule, or of a rule the catalog does
// not know: GitHub renders help.markdown, so the metadata is escaped like
// any other input.
func untrustedHelp(id, sev, cat, desc, fix string, refs []string) string {
	var md strings.Builder
	fmt.Fprintf(&md, "**%s** (%s, %s)\n\n", mdInline(id), mdInline(sev), mdInline(cat))
	writeBlocks(&md, mdParagraphs(desc))
	md.WriteString("**Fix**\n\n")
	writeBlocks(&md, mdParagraphs(fix))
	if len(refs) > 0 {
		md.WriteString("**References**\n\n")
		for _, ref := range refs {
			fmt.Fprintf(&md, "- %s\n", mdInline(ref))
		}
	}
	return strings.TrimRight(md.String(), "\n") + "\n"
}

func writeBlocks(b *strings.Builder, bs []mdBlock) {
	for _, bl := range bs {
		b.WriteString(bl.text)
		if !bl.code {
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
}

func plainHelp(desc, fix string, refs []string) string {
	s := strings.TrimSpace(desc) + "\n\nFix:\n" + strings.TrimSpace(fix) + "\n"
	if len(refs) > 0 {
		s += "\nReferences:\n"
		for _, r := range refs {
			s += "  " + r + "\n"
		}
	}
	return s
}

func sarifTags(cat string) []string {
	tags := []string{"nats"}
	if cat != "" {
		tags = append(tags, cat)
	}
	if cat != "security" {
		// GitHub's default "security" filter would hide these; tag them as
		// quality findings so they are easy to find.
		tags = append(tags, "quality")
	}
	return tags
}

// TargetLabel is what a finding is about, as renderers show it: its
// target, or every server it affects when several share its place
// ("servers nats-1, nats-2, nats-3").
func TargetLabel(f Finding) string {
	if len(f.Servers) > 1 {
		return "servers " + strings.Join(f.Servers, ", ")
	}
	return f.Target
}

// serversSentence names the servers a shared finding affects, for formats
// whose message is all a reader sees (SARIF, annotations); "" for one.
func serversSentence(f Finding) string {
	if len(f.Servers) < 2 {
		return ""
	}
	return fmt.Sprintf(" It affects %d servers: %s.", len(f.Servers), strings.Join(f.Servers, ", "))
}

func resultMessage(f Finding) string {
	m := strings.TrimSpace(f.Message)
	if m == "" {
		m = f.Title
	}
	return m
}

// sentence ends a message with a period (SARIF's guidance: result messages
// are complete sentences).
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	switch s[len(s)-1] {
	case '.', '!', '?':
		return s
	}
	return s + "."
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// pascal turns a title into a PascalCase rule name ("TLS configured but
// optional" → "TlsConfiguredButOptional"), the form SARIF viewers expect.
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			b.WriteRune(unicode.ToUpper(r))
			up = false
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func toSlash(p string) string { return strings.ReplaceAll(p, "\\", "/") }

func isWindowsAbs(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

// escapeURIPath percent-encodes what a URI path may not hold literally
// (spaces, %, #, ?, non-ASCII), keeping slashes. Colons are encoded too: in
// a relative reference, "a:b/c" would read as a URI with scheme "a".
func escapeURIPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/!$&'()*+,;=@", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func catalogIndex(rules []*finding.Rule) map[string]*finding.Rule {
	m := make(map[string]*finding.Rule, len(rules))
	for _, r := range rules {
		if r != nil {
			m[r.ID] = r
		}
	}
	return m
}

// sourceFixSentence is " Fix: ..." when the finding's fix is worded for
// its input format (a .env value, a Kubernetes manifest), which the rule's
// help, shared by every result, cannot say.
func sourceFixSentence(rule *finding.Rule, f Finding) string {
	if fix := SourceFix(rule, f); fix != "" {
		return " Fix: " + fix
	}
	return ""
}
