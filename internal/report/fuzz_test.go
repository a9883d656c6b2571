package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// secretMarker starts every planted secret; it is in no word natsaudit
// writes, so wherever it shows up, a secret leaked.
const secretMarker = "Qv7Kp"

// FuzzRenderers feeds arbitrary strings through every renderer (text,
// Markdown, SARIF, JSON, and diff as text, Markdown and JSON) as every kind
// of string that comes from input: file, server, stream, target and
// endpoint names, messages, snippets, suppression reasons, notes, errors,
// rule IDs and a custom rule's metadata. A secret (secretMarker followed by
// fuzz input) is planted in several of them and remembered for redaction
// as the CLI does. It checks that
//   - text output holds no control or format character but line feeds, and
//     no workflow command;
//   - Markdown renders (goldmark, GFM, raw HTML allowed through) to
//     natsaudit's own elements and links only, with the expected headings,
//     and every untrusted string shown whole; a custom rule's SARIF help
//     likewise;
//   - JSON and SARIF are valid JSON, SARIF against its schema when it is
//     installed (make sarif-tool), and keep the strings exact;
//   - the planted secret, and an nkey seed used as a file name, appear in
//     no output.
//
// go test runs the seeds and testdata/fuzz/FuzzRenderers; to search for
// more: go test ./internal/report -run '^$' -fuzz FuzzRenderers -fuzztime 5m
func FuzzRenderers(f *testing.F) {
	for i, h := range hostileStrings {
		f.Add(h, hostileStrings[(i+1)%len(hostileStrings)], hostileStrings[(i+2)%len(hostileStrings)], hostileStrings[(i+3)%len(hostileStrings)])
	}
	f.Add("", "", "", "")
	f.Add("a", "b", "c", `pa_ss*w<o>rd&"\`)
	f.Add("x|y", "`", "$$", "\u2028\n\x1b")
	f.Fuzz(func(t *testing.T, a, b, c, s string) {
		in := []string{a, b, c, s}
		for _, x := range in {
			if len(x) > 2048 {
				t.Skip("long inputs only slow the search down")
			}
		}
		for _, x := range in[:3] {
			if strings.Contains(x, secretMarker[:3]) {
				t.Skip("the input holds the marker itself")
			}
		}
		checkRenderers(t, a, b, c, s)
	})
}

func checkRenderers(t *testing.T, a, b, c, s string) {
	sec, err := secret.NewAnalyzer(secret.Params{})
	if err != nil {
		t.Fatal(err)
	}
	// The CLI remembers trimmed secrets of at least 6 characters; the
	// marker alone is 5.
	planted := strings.TrimSpace(secretMarker + "_" + s)
	if strings.Contains(planted[len(secretMarker):], secretMarker[:3]) {
		t.Skip("the secret repeats the marker")
	}
	sec.Remember(planted)
	// The planted secret stands for a value of the input (a name, a URL):
	// the CLI marks those that hold a secret so that messages quoting them
	// are masked (secret.Analyzer.TaintJSON over the inventory).
	sec.Taint(planted)

	r := plantSecret(hostileReport([]string{a, b, c}), planted)
	// The rule of the first finding is a custom rule whose metadata is input.
	custom := &finding.Rule{ID: r.Findings[0].RuleID, Title: b, Severity: r.Findings[0].Severity, Category: "security",
		Description: a, Remediation: c, References: []string{b, "https://example.com/" + a}, Facets: []string{c}, Custom: true}
	opt := RenderOptions{Rules: []*finding.Rule{custom}, Redact: sec, SARIFIncludeSuppressed: true}
	// What the report shows once redacted: the strings Markdown must show whole.
	shown := r.Redacted(sec)

	render := func(format string) string {
		var buf bytes.Buffer
		if err := Render(format, &buf, r, opt); err != nil {
			t.Fatalf("render %s: %v", format, err)
		}
		return buf.String() // the CLI makes no pass over the rendered bytes
	}
	outs := map[string]string{}
	for _, format := range Formats {
		outs[format] = render(format)
	}

	old := plantSecret(hostileReport([]string{c, a, b}), planted).Redacted(sec)
	d := Compare(old, shown)
	for _, format := range DiffFormats {
		var buf bytes.Buffer
		if err := WriteDiff(&buf, d, format); err != nil {
			t.Fatalf("diff %s: %v", format, err)
		}
		outs["diff "+format] = buf.String()
	}

	for name, out := range outs {
		if strings.Contains(out, secretMarker) {
			t.Errorf("%s output shows the planted secret %q", name, planted)
		}
		if strings.Contains(out, plantedSeed) {
			t.Errorf("%s output shows the seed used as a file name", name)
		}
	}
	// Every format is printed to terminals and CI logs too: JSON and SARIF
	// escape what text shows visibly, Markdown shows it like text.
	for name, out := range outs {
		if strings.Contains(name, "markdown") || name == "html" {
			out = strings.ReplaceAll(out, "\t", " ") // a snippet keeps its tabs
		}
		if name == "github" {
			// Workflow commands by design: each line must be exactly one
			// command natsaudit wrote, one per finding; what follows the
			// command is checked like any text.
			out = checkGitHubLines(t, out, len(r.Findings))
		}
		for _, p := range textProblems(out) {
			t.Errorf("%s: %s", name, p)
		}
	}

	md := mdCheck{hrefs: map[string]bool{ScoringDocURI: true}, headings: hostileHeadings(shown), texts: untrustedTexts(shown)}
	for _, p := range md.problems(outs["markdown"]) {
		t.Errorf("markdown: %s", p)
	}
	dm := mdCheck{headings: diffHeadings(d)}
	for _, e := range append(append([]DiffEntry{}, d.Fixed...), d.Added...) {
		dm.texts = append(dm.texts, e.Title)
	}
	for _, p := range dm.problems(outs["diff markdown"]) {
		t.Errorf("diff markdown: %s", p)
	}

	for _, name := range []string{"json", "sarif", "diff json"} {
		if !json.Valid([]byte(outs[name])) {
			t.Errorf("%s output is not valid JSON", name)
		}
	}
	checkJSONExact(t, outs["json"], shown)
	checkSARIF(t, outs["sarif"], shown)
}

// plantSecret puts secret into the strings of r that come from input.
// plantedSeed is an nkey seed used as a file name.
const plantedSeed = "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4"

func plantSecret(r *Report, secret string) *Report {
	f := &r.Findings[0]
	f.Message += " password " + secret + " here"
	f.Snippet = "password: " + secret
	f.Endpoint = "http://admin:" + secret + "@127.0.0.1:8222/varz"
	r.Findings[1].Target = "server " + secret
	r.Findings[1].TargetName = secret
	// Paths are not masked by value (a path component equal to a password
	// stays, or the finding would point nowhere), but a seed in a file name
	// is.
	r.Findings[2].Location = &Location{File: "dir/" + plantedSeed + ".conf", Line: 3}
	r.Scan.Files = append(r.Scan.Files, "dir/"+plantedSeed+".nk")
	r.Scan.Servers = append(r.Scan.Servers, secret)
	r.Scan.Targets = append(r.Scan.Targets, "nats://user:"+secret+"@host:4222")
	r.Suppressed[0].Suppression.Reason = "accepted: " + secret
	r.Errors[0].Message += " near " + secret
	r.Notes = append(r.Notes, "note "+secret)
	return r
}

// diffHeadings is how many h1..h4 the Markdown diff of d has.
func diffHeadings(d *Diff) [4]int {
	h2 := 3 // Scores, Fixed, New
	for _, n := range []int{len(d.Open), len(d.Suppress), len(d.Unchecked)} {
		if n > 0 {
			h2++
		}
	}
	return [4]int{1, h2, 0, 0}
}

// jsonText is s as JSON carries it: invalid UTF-8 bytes become U+FFFD.
func jsonText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// checkJSONExact: the JSON report holds every string exactly, escaped by
// JSON (no raw control characters, and U+2028/U+2029 escaped too, for
// whoever embeds the report in a script).
func checkJSONExact(t *testing.T, out string, want *Report) {
	for _, r := range out {
		if r < 0x20 && r != '\n' || r == 0x2028 || r == 0x2029 {
			t.Errorf("json: raw %U", r)
		}
	}
	got, err := ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("json: does not read back: %v", err)
	}
	if len(got.Findings) != len(want.Findings) || len(got.Scan.Files) != len(want.Scan.Files) {
		t.Fatalf("json: %d findings and %d files, want %d and %d", len(got.Findings), len(got.Scan.Files), len(want.Findings), len(want.Scan.Files))
	}
	for i, f := range want.Findings {
		g := got.Findings[i]
		if g.Message != jsonText(f.Message) || g.Target != jsonText(f.Target) || g.Snippet != jsonText(f.Snippet) || g.RuleID != jsonText(f.RuleID) {
			t.Errorf("json: finding %d changed: %+v, want %+v", i, g, f)
		}
	}
	for i, f := range want.Scan.Files {
		if got.Scan.Files[i] != jsonText(f) {
			t.Errorf("json: file %q, want %q", got.Scan.Files[i], f)
		}
	}
}

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
)

// fuzzSARIFSchema is the SARIF 2.1.0 schema (as sarif_test.go loads it),
// or nil when `make sarif-tool` has not installed it.
func fuzzSARIFSchema(t *testing.T) *jsonschema.Schema {
	schemaOnce.Do(func() {
		b, err := os.ReadFile(filepath.FromSlash("../../tools/sarif-lint/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json"))
		if err != nil {
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("parse SARIF schema: %v", err)
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		const url = "file:///sarif-schema-2.1.0.json"
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		if schema, err = c.Compile(url); err != nil {
			t.Fatalf("compile SARIF schema: %v", err)
		}
	})
	return schema
}

// checkSARIF: a valid log whose result messages are the exact messages,
// and whose custom rule's help.markdown is escaped.
func checkSARIF(t *testing.T, out string, want *Report) {
	if s := fuzzSARIFSchema(t); s != nil {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatalf("sarif: not JSON: %v", err)
		}
		if err := s.Validate(inst); err != nil {
			t.Errorf("sarif: does not validate against the SARIF 2.1.0 schema: %v", err)
		}
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string
						Help struct{ Markdown string }
					}
				}
			}
			Results []struct {
				Message struct{ Text string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("sarif: %v", err)
	}
	msgs := map[string]bool{}
	for _, f := range append(append([]Finding{}, want.Findings...), want.Suppressed...) {
		if f.Location != nil && f.Location.File != "" {
			msgs[jsonText(sentence(resultMessage(f)))] = true
		}
	}
	for _, res := range log.Runs[0].Results {
		if !msgs[res.Message.Text] {
			t.Errorf("sarif: result message %q is not a finding's message", res.Message.Text)
		}
	}
	for _, rd := range log.Runs[0].Tool.Driver.Rules {
		for _, p := range (mdCheck{}).problems(rd.Help.Markdown) {
			t.Errorf("sarif: help.markdown of %q: %s", rd.ID, p)
		}
	}
}

var ghLine = regexp.MustCompile(`^::(error|warning|notice) (file=[^:,\r\n]*,)?(line=[0-9]+,)?(col=[0-9]+,)?title=[^:,\r\n]*::`)

// checkGitHubLines checks that out is one annotation command per finding
// and returns the messages, one per line, for the text checks.
func checkGitHubLines(t *testing.T, out string, findings int) string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != findings {
		t.Errorf("github: %d lines for %d findings", len(lines), findings)
	}
	var msgs []string
	for i, l := range lines {
		m := ghLine.FindString(l)
		if m == "" {
			t.Errorf("github: line %d is not one annotation command: %q", i+1, l)
			continue
		}
		msgs = append(msgs, "msg: "+l[len(m):])
	}
	return strings.Join(msgs, "\n")
}
