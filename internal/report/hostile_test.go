package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/model"
)

// hostileStrings are what a pull request can put into a stream, server or
// file name, a subject, a suppression reason, a live /varz field or an
// error message, one attack each.
var hostileStrings = []string{
	`<img src=x onerror=alert(1)>`,
	`<a href="https://evil.example/">click</a>`,
	"<details><summary>open me",
	"# heading\n## another heading",
	"``` injected fence\n<script>alert(1)</script>",
	"x`y``z```<img src=x>`",
	"a | b | c",
	`back\|slash \\| pipes`,
	"[link](https://evil.example/l) ![img](https://evil.example/i.png)",
	"see https://evil.example/path and www.evil.example or mail evil@evil.example",
	"*em* **strong** _under_ ~~strike~~ ~one~",
	"> quote\n- item\n+ item\n1. item\n2) item\n---\n===\n***",
	"- [ ] task\n- [x] done",
	"\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07 \x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07 \x9b31m",
	"\r::error file=x.conf::pwned\n::set-output name=x::y\n  ::add-mask::z\n##[error]legacy ##vso[task.setvariable variable=x]y ##VSO[task.complete]",
	"\u202eevil\u2066 \u2028line\u2029para \u0085nel \u200bzw \ufeffbom \U000e0041tag",
	"&lt;script&gt; &amp; &#60;img&#62;",
	"$x^2$ and $$math$$",
	"trailing backslash \\",
	"[^1] [x]: https://evil.example/ref",
	"<!-- comment --> <?php ?> <![CDATA[x]]> <!DOCTYPE html>",
	"nul\x00bel\x07del\x7f",
	"\xff\xfe invalid utf-8 \xc3",
	"line one\nline two\r\nline three\rline four",
	"|---|---|\n| x | y |",
	"tab\there",
	"1. looks like a list",
	"12) too",
	"- dash",
	"+ plus",
	"= equals",
	"a_b_c and _x_ and a__b",
	"< leading",
	"\\[escaped\\]",
	"`code`",
	"    indented code",
}

// hostileReport is a report in which every string that comes from input
// (file, server, stream, target and endpoint names, messages, snippets,
// suppression reasons, notes, errors, rule IDs and titles of custom rules)
// is hostile.
func hostileReport(hs []string) *Report {
	at := func(i int) string { return hs[i%len(hs)] }
	r := &Report{
		Schema:  Schema,
		Tool:    Tool{Name: "natsaudit", Version: "1.0.0-test"},
		Scan:    ScanInfo{Started: "2026-11-23T00:00:00Z", Sources: []string{"config", "live"}},
		Summary: Summary{Severity: map[string]int{}},
		Scores:  Scores{Grade: "n/a", Categories: map[string]CategoryScore{}},
	}
	sevs := []string{"critical", "high", "medium", "low", "info"}
	for i, h := range hs {
		r.Scan.Roots = append(r.Scan.Roots, h)
		r.Scan.Targets = append(r.Scan.Targets, "http://127.0.0.1:8222/"+h)
		r.Scan.Files = append(r.Scan.Files, h)
		r.Scan.Servers = append(r.Scan.Servers, h)
		sev := sevs[i%len(sevs)]
		f := Finding{
			RuleID: "NATS-X-" + string(rune('A'+i%26)), Severity: finding.Severity(sev), Category: "security",
			Title: at(i + 1), Message: h, Remediation: at(i + 2),
			Snippet: at(i + 3), Target: "stream " + at(i+4), TargetKind: "stream", TargetName: at(i + 4),
			Path: at(i + 5), Endpoint: "http://127.0.0.1:8222/jsz?" + at(i+6), Fingerprint: strings.Repeat("0", 31) + string(rune('a'+i%6)),
		}
		if i%2 == 0 {
			f.Location = &Location{File: at(i + 7), Line: i + 1}
		}
		if i%5 == 3 {
			f.RuleID = "CUSTOM-" + h // a custom rule's ID is whatever its METADATA says
		}
		r.Findings = append(r.Findings, f)
		r.Summary.Total++
		r.Summary.Severity[sev]++
		s := f
		s.Suppression = &Suppression{Kind: "exception", Reason: at(i + 8), Until: at(i + 9), Source: at(i + 10)}
		r.Suppressed = append(r.Suppressed, s)
		r.Errors = append(r.Errors, errorOf(at(i+11), i, h))
		r.Notes = append(r.Notes, h)
		r.Rules = append(r.Rules, RuleStatus{ID: f.RuleID, Title: f.Title, Severity: sev, Category: "security", Evaluated: i%3 != 0, Findings: 1})
	}
	return r
}

// hostileHeadings is how many h1..h4 the Markdown report of r has.
func hostileHeadings(r *Report) [4]int {
	sevs := map[string]bool{}
	groups := map[string]bool{}
	for _, f := range r.Findings {
		sevs[string(f.Severity)] = true
		groups[string(f.Severity)+"\x00"+f.RuleID] = true
	}
	// h2: executive summary, most urgent, scores, remediation plan,
	// findings, controls, scope and confidence, provenance (no appendix:
	// the hostile rules are not in the catalog). h3: the severities under
	// Findings.
	return [4]int{1, 8, len(sevs), len(groups)}
}

// untrustedTexts are the strings of r that the Markdown report shows whole.
func untrustedTexts(r *Report) []string {
	var out []string
	out = append(out, r.Scan.Files...)
	for _, f := range r.Suppressed {
		out = append(out, f.Suppression.Reason, f.Suppression.Source)
	}
	for _, e := range r.Errors {
		out = append(out, e.Message)
	}
	out = append(out, r.Notes...)
	for _, f := range r.Findings {
		out = append(out, strings.TrimSpace(f.Message), f.Snippet)
	}
	return out
}

func TestMarkdownHostileInput(t *testing.T) {
	r := hostileReport(hostileStrings)
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	check := mdCheck{hrefs: map[string]bool{ScoringDocURI: true}, headings: hostileHeadings(r), texts: untrustedTexts(r)}
	for _, p := range check.problems(b.String()) {
		t.Error(p)
	}
	// Printed with cat or into a CI log, the file is as safe as text output
	// (a snippet keeps its tabs).
	for _, p := range textProblems(strings.ReplaceAll(b.String(), "\t", " ")) {
		t.Error(p)
	}
}

// TestMarkdownHostileTableCells: each suppressed finding's reason stays in
// the Reason column, whole.
func TestMarkdownHostileTableCells(t *testing.T) {
	r := hostileReport(hostileStrings)
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	out, err := renderGFM(b.String())
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(out, "<th>Reason</th>")
	if i < 0 {
		t.Fatalf("no suppressed findings table in\n%s", out)
	}
	table := out[i : strings.Index(out[i:], "</table>")+i]
	rows := strings.Split(table, "<tr>")[1:] // table starts inside the header row
	if len(rows) != len(r.Suppressed) {
		t.Fatalf("%d rows, want %d", len(rows), len(r.Suppressed))
	}
	for j, row := range rows {
		cells := strings.Split(row, "<td")[1:]
		if len(cells) != 6 {
			t.Errorf("row %d has %d cells", j, len(cells))
			continue
		}
		want := normText(r.Suppressed[j].Suppression.Reason)
		if got := plainText("<td" + cells[3]); got != want {
			t.Errorf("row %d: Reason cell %q, want %q", j, got, want)
		}
	}
}

func TestDiffMarkdownHostileInput(t *testing.T) {
	old := hostileReport(hostileStrings)
	cur := hostileReport(append(append([]string{}, hostileStrings[3:]...), hostileStrings[:3]...))
	var b bytes.Buffer
	if err := WriteDiff(&b, Compare(old, cur), "markdown"); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, f := range cur.Findings {
		texts = append(texts, f.Title)
	}
	check := mdCheck{headings: diffHeadings(Compare(old, cur)), texts: texts}
	for _, p := range check.problems(b.String()) {
		t.Error(p)
	}
	for _, p := range textProblems(b.String()) {
		t.Error(p)
	}
}

// TestJSONHostileExactAndPrintable: JSON and SARIF keep every string
// exactly (a consumer decodes the very name), yet, printed to a terminal or
// CI log, they hold no raw control, bidi or format character and no
// workflow command: JSON escapes (\u001b, \u202e, #\u0023[) decode to the
// same strings.
func TestJSONHostileExactAndPrintable(t *testing.T) {
	r := hostileReport(hostileStrings)
	old := hostileReport(append(append([]string{}, hostileStrings[3:]...), hostileStrings[:3]...))
	var js, sarif, diff bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteSARIF(&sarif, r, RenderOptions{SARIFIncludeSuppressed: true}); err != nil {
		t.Fatal(err)
	}
	if err := WriteDiff(&diff, Compare(old, r), "json"); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"json": js.String(), "sarif": sarif.String(), "diff json": diff.String()} {
		if !json.Valid([]byte(out)) {
			t.Errorf("%s is not valid JSON", name)
		}
		for _, p := range textProblems(out) {
			t.Errorf("%s: %s", name, p)
		}
	}
	checkJSONExact(t, js.String(), r)
	checkSARIF(t, sarif.String(), r)
	var d Diff
	if err := json.Unmarshal(diff.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	for i, e := range d.Fixed {
		if want := Compare(old, r).Fixed[i]; e.Title != jsonText(want.Title) || e.Target != jsonText(want.Target) {
			t.Errorf("diff json: fixed %d is %q %q, want %q %q", i, e.Title, e.Target, want.Title, want.Target)
		}
	}
}

// textProblems lists what in a text rendering could act on a terminal or a
// CI log: control characters and escape sequences, invisible or
// reordering characters, invalid UTF-8, and GitHub or Azure workflow
// commands (GitHub reads "::cmd::" at the start of a line after leading
// white space, "##[cmd]" anywhere in a line; Azure "##vso[" anywhere).
func textProblems(out string) []string {
	var probs []string
	if !utf8.ValidString(out) {
		probs = append(probs, "invalid UTF-8")
	}
	for _, r := range out {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029) {
			probs = append(probs, fmt.Sprintf("control or format character %U", r))
		}
	}
	for i, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeftFunc(l, dotnetWhite), "::") {
			probs = append(probs, fmt.Sprintf("line %d is a workflow command: %s", i+1, l))
		}
		if strings.Contains(l, "##[") || strings.Contains(strings.ToLower(l), "##vso[") {
			probs = append(probs, fmt.Sprintf("line %d holds a legacy workflow command: %s", i+1, l))
		}
	}
	return probs
}

// dotnetWhite is .NET's char.IsWhiteSpace, what the GitHub runner trims.
func dotnetWhite(r rune) bool {
	return r == ' ' || r >= '\t' && r <= '\r' || r == 0x85 || r == 0xa0 || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}

func errorOf(file string, line int, msg string) model.ParseError {
	return model.ParseError{File: file, Line: line, Message: msg, Kind: "nats_conf"}
}

func TestTextHostileInput(t *testing.T) {
	r := hostileReport(hostileStrings)
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range textProblems(b.String()) {
		t.Error(p)
	}
	// What was escaped stays visible.
	for _, want := range []string{`\x1b]8;;https://evil.example/\x07`, `\u202eevil`, `\r`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text output lacks %q", want)
		}
	}
}

func TestDiffTextHostileInput(t *testing.T) {
	old := hostileReport(hostileStrings)
	cur := hostileReport(append(append([]string{}, hostileStrings[3:]...), hostileStrings[:3]...))
	var b bytes.Buffer
	if err := WriteDiff(&b, Compare(old, cur), "text"); err != nil {
		t.Fatal(err)
	}
	for _, p := range textProblems(b.String()) {
		t.Error(p)
	}
}

// TestTextColorPadding: the severity column lines up with colour on.
func TestTextColorPadding(t *testing.T) {
	r := &Report{Summary: Summary{Severity: map[string]int{}}, Scores: Scores{Categories: map[string]CategoryScore{}},
		Findings: []Finding{{RuleID: "X-1", Severity: "low", Title: "T", Message: "m", Target: "server a"}}}
	var plain, color bytes.Buffer
	if err := WriteText(&plain, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&color, r, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	stripped := strings.NewReplacer(sevColor["low"], "", reset, "").Replace(color.String())
	if stripped != plain.String() {
		t.Errorf("coloured output differs from plain beyond the colour codes:\n%s\n%s", stripped, plain.String())
	}
}

// TestSARIFCustomRuleHelpEscaped: GitHub renders a rule's help.markdown; a
// custom rule's metadata (or a rule the catalog does not know) is input and
// is escaped there, while a built-in rule's stays Markdown.
func TestSARIFCustomRuleHelpEscaped(t *testing.T) {
	r := hostileReport(hostileStrings[:6])
	custom := &finding.Rule{ID: r.Findings[0].RuleID, Title: "t", Severity: "critical", Category: "security", Custom: true,
		Description: hostileStrings[0] + "\n\n" + hostileStrings[7], Remediation: hostileStrings[3] + "\n\n    " + hostileStrings[4],
		References: []string{"https://evil.example/ref"}}
	var b bytes.Buffer
	if err := WriteSARIF(&b, r, RenderOptions{Rules: []*finding.Rule{custom}}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string
						Help struct{ Text, Markdown string }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	rules := log.Runs[0].Tool.Driver.Rules
	if len(rules) == 0 {
		t.Fatal("no rules in the SARIF log")
	}
	for _, rd := range rules {
		c := mdCheck{texts: []string{rd.ID}}
		for _, p := range c.problems(rd.Help.Markdown) {
			t.Errorf("%s: help.markdown: %s", rd.ID, p)
		}
	}
}
