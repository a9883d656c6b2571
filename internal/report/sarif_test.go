package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/natsaudit/natsaudit/internal/report"
)

// schemaPath is the SARIF 2.1.0 JSON schema shipped with the pinned
// @microsoft/sarif-multitool package (installed by `make sarif-tool`, which
// `make test` runs first).
const schemaPath = "../../tools/sarif-lint/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json"

// sarifSchema compiles the SARIF 2.1.0 schema with format assertions on.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.FromSlash(schemaPath))
	if os.IsNotExist(err) {
		t.Skip("SARIF schema not installed: run `make sarif-tool` (make test does)")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "file:///sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return s
}

func validateSARIF(t *testing.T, s *jsonschema.Schema, name string, b []byte) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", name, err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s does not validate against the SARIF 2.1.0 schema:\n%v", name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	githubRules(t, name, m)
	return m
}

// githubRules checks what GitHub code scanning needs beyond the schema (the
// causes of rejected uploads in its docs): one run, rules and results arrays
// never null, help text on every rule, valid levels, security-severity in
// (0, 10], startLine ≥ 1, relative URIs, a ruleIndex that points at the rule,
// our fingerprint, and a category.
func githubRules(t *testing.T, name string, m map[string]any) {
	t.Helper()
	runs, _ := m["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("%s: want exactly one run, got %d", name, len(runs))
	}
	run := runs[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	rules, ok := driver["rules"].([]any)
	if !ok {
		t.Fatalf("%s: tool.driver.rules is missing or null", name)
	}
	if _, ok := run["results"].([]any); !ok {
		t.Fatalf("%s: results is missing or null", name)
	}
	for _, k := range []string{"name", "semanticVersion", "informationUri"} {
		if s, _ := driver[k].(string); s == "" {
			t.Errorf("%s: tool.driver.%s is empty", name, k)
		}
	}
	levels := map[string]bool{"error": true, "warning": true, "note": true, "none": true}
	ids := map[int]string{}
	for i, x := range rules {
		r := x.(map[string]any)
		id := r["id"].(string)
		ids[i] = id
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			msg, _ := r[k].(map[string]any)
			if text, _ := msg["text"].(string); text == "" || len(text) > 1024 && k != "help" {
				t.Errorf("%s: rule %s: %s.text empty or over 1024 characters", name, id, k)
			}
		}
		if md, _ := r["help"].(map[string]any)["markdown"].(string); md == "" {
			t.Errorf("%s: rule %s has no help.markdown", name, id)
		}
		if lvl := r["defaultConfiguration"].(map[string]any)["level"].(string); !levels[lvl] {
			t.Errorf("%s: rule %s: level %q", name, id, lvl)
		}
		props := r["properties"].(map[string]any)
		tags, _ := props["tags"].([]any)
		if len(tags) == 0 || len(tags) > 20 {
			t.Errorf("%s: rule %s: %d tags", name, id, len(tags))
		}
		sev, _ := props["natsaudit/severity"].(string)
		ss, hasSS := props["security-severity"].(string)
		want := map[string]string{"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}[sev]
		if props["natsaudit/category"] == "security" && want != "" && ss != want {
			t.Errorf("%s: rule %s (%s): security-severity %q, want %q", name, id, sev, ss, want)
		}
		if hasSS && (props["natsaudit/category"] != "security" || sev == "info") {
			t.Errorf("%s: rule %s (%s, %v) must not carry security-severity", name, id, sev, props["natsaudit/category"])
		}
	}
	for i, x := range run["results"].([]any) {
		res := x.(map[string]any)
		idx := int(res["ruleIndex"].(float64))
		if ids[idx] != res["ruleId"] {
			t.Errorf("%s: results[%d]: ruleIndex %d is %q, ruleId is %q", name, i, idx, ids[idx], res["ruleId"])
		}
		if !levels[res["level"].(string)] {
			t.Errorf("%s: results[%d]: level %q", name, i, res["level"])
		}
		locs := res["locations"].([]any)
		if len(locs) != 1 {
			t.Errorf("%s: results[%d]: %d locations, want 1", name, i, len(locs))
			continue
		}
		pl := locs[0].(map[string]any)["physicalLocation"].(map[string]any)
		uri := pl["artifactLocation"].(map[string]any)["uri"].(string)
		if uri == "" || strings.HasPrefix(uri, "/") || strings.Contains(uri, "://") || strings.HasPrefix(uri, "..") {
			t.Errorf("%s: results[%d]: uri %q is not repository-relative", name, i, uri)
		}
		if line := pl["region"].(map[string]any)["startLine"].(float64); line < 1 {
			t.Errorf("%s: results[%d]: startLine %v", name, i, line)
		}
		fp, _ := res["partialFingerprints"].(map[string]any)[report.SARIFFingerprintKey].(string)
		if len(fp) != 32 {
			t.Errorf("%s: results[%d]: fingerprint %q", name, i, fp)
		}
	}
	ad, _ := run["automationDetails"].(map[string]any)
	if id, _ := ad["id"].(string); !strings.HasPrefix(id, "natsaudit/") || !strings.HasSuffix(id, "/") {
		t.Errorf("%s: automationDetails.id %q", name, ad["id"])
	}
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	s := sarifSchema(t)
	// The schema must reject what GitHub rejects, or this test proves little.
	bad := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"high","locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}`)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err := s.Validate(inst); err == nil {
		t.Fatal("schema accepted level \"high\" and startLine 0")
	}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.sarif"))
	if len(goldens) == 0 {
		t.Fatal("no SARIF golden files")
	}
	for _, p := range goldens {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		validateSARIF(t, s, p, b)
	}
	// Fresh renderings too, in every variant of the options.
	r := richReport(t)
	for _, opt := range []report.RenderOptions{
		renderOpts(t),
		{SourceRoot: "."},
		{Rules: testEngine(t).Rules(), SARIFCategory: "live/eu-west", SARIFIncludeSuppressed: true},
	} {
		validateSARIF(t, s, "rendered", render(t, "sarif", r, opt))
	}
	// An empty report is still one run with empty (not null) arrays.
	empty := &report.Report{Tool: report.Tool{Name: "natsaudit", Version: "1.0.0", InformationURI: "https://github.com/natsaudit/natsaudit"}}
	validateSARIF(t, s, "empty", render(t, "sarif", empty, report.RenderOptions{}))
}

func sarifRun(t *testing.T, r *report.Report, opt report.RenderOptions) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(render(t, "sarif", r, opt), &m); err != nil {
		t.Fatal(err)
	}
	return m["runs"].([]any)[0].(map[string]any)
}

func TestSARIFContent(t *testing.T) {
	r := richReport(t)
	opt := renderOpts(t)
	run := sarifRun(t, r, opt)
	results := run["results"].([]any)

	// Located findings become results; the live-only one does not, and the
	// run says so.
	located := 0
	for _, f := range r.Findings {
		if f.Location != nil {
			located++
		}
	}
	if len(results) != located {
		t.Errorf("%d results, want %d (the findings with a file)", len(results), located)
	}
	props := run["properties"].(map[string]any)
	if props["natsaudit/findingsWithoutLocation"] != float64(1) {
		t.Errorf("run.properties does not count the live-only finding: %v", props)
	}
	if props["natsaudit/suppressedOmitted"] != float64(2) {
		t.Errorf("run.properties does not count the suppressed findings: %v", props)
	}
	// Every result is one finding: same rule, fingerprint, repo-relative
	// path and line.
	byFP := map[string]report.Finding{}
	for _, f := range r.Findings {
		byFP[f.Fingerprint] = f
	}
	for _, x := range results {
		res := x.(map[string]any)
		fp := res["partialFingerprints"].(map[string]any)[report.SARIFFingerprintKey].(string)
		f, ok := byFP[fp]
		if !ok {
			t.Errorf("result fingerprint %s matches no finding", fp)
			continue
		}
		pl := res["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
		if got, want := pl["artifactLocation"].(map[string]any)["uri"], exampleRoot+"/"+f.Location.File; got != want {
			t.Errorf("uri %v, want %v", got, want)
		}
		if got := pl["region"].(map[string]any)["startLine"]; got != float64(f.Location.Line) {
			t.Errorf("%s: startLine %v, want %d", f.RuleID, got, f.Location.Line)
		}
		if res["ruleId"] != f.RuleID || res["level"] != f.Severity.SARIFLevel() {
			t.Errorf("result %v/%v for finding %s/%s", res["ruleId"], res["level"], f.RuleID, f.Severity)
		}
		if msg := res["message"].(map[string]any)["text"].(string); !strings.HasPrefix(msg, f.Message) {
			t.Errorf("message %q does not carry the finding's %q", msg, f.Message)
		}
		if _, has := res["suppressions"]; has {
			t.Errorf("suppressions on an open finding")
		}
	}
	// rules[]: every evaluated rule, with catalog text.
	rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
	got := map[string]bool{}
	for _, x := range rules {
		got[x.(map[string]any)["id"].(string)] = true
	}
	for _, rs := range r.Rules {
		if rs.Evaluated != got[rs.ID] {
			t.Errorf("rule %s: evaluated=%v, in SARIF rules=%v", rs.ID, rs.Evaluated, got[rs.ID])
		}
	}
	for _, x := range rules {
		rule := x.(map[string]any)
		cat, ok := testEngine(t).Rule(rule["id"].(string))
		if !ok {
			continue
		}
		if rule["shortDescription"].(map[string]any)["text"] != cat.Title || !strings.Contains(rule["help"].(map[string]any)["markdown"].(string), strings.TrimSpace(cat.Remediation)) {
			t.Errorf("rule %s: descriptor does not carry the catalog title and remediation", cat.ID)
		}
		if rule["helpUri"] != cat.HelpURI() {
			t.Errorf("rule %s: helpUri %v", cat.ID, rule["helpUri"])
		}
	}
	// Category: config by default, live when servers were probed, or the
	// flag's value.
	if id := run["automationDetails"].(map[string]any)["id"]; id != "natsaudit/live/" {
		t.Errorf("probed report: automationDetails.id %v, want natsaudit/live/", id)
	}
	plain := scan(t, exampleRepo)
	if id := sarifRun(t, plain, opt)["automationDetails"].(map[string]any)["id"]; id != "natsaudit/config/" {
		t.Errorf("file scan: automationDetails.id %v, want natsaudit/config/", id)
	}
	opt.SARIFCategory = "config-prod"
	if id := sarifRun(t, plain, opt)["automationDetails"].(map[string]any)["id"]; id != "natsaudit/config-prod/" {
		t.Errorf("--sarif-category: automationDetails.id %v", id)
	}
}

func TestSARIFSuppressed(t *testing.T) {
	r := richReport(t)
	opt := renderOpts(t)
	opt.SARIFIncludeSuppressed = true
	run := sarifRun(t, r, opt)
	kinds := map[string]string{}
	for _, x := range run["results"].([]any) {
		res := x.(map[string]any)
		sups, ok := res["suppressions"].([]any)
		if !ok {
			continue
		}
		s := sups[0].(map[string]any)
		kinds[res["ruleId"].(string)] = s["kind"].(string)
		if s["status"] != "accepted" || s["justification"] == "" {
			t.Errorf("suppression %v", s)
		}
	}
	if kinds[r.Suppressed[0].RuleID] != "inSource" || kinds["NATS-BASE-TEST"] != "external" {
		t.Errorf("suppression kinds %v, want inline→inSource, baseline→external", kinds)
	}
	if _, has := run["properties"].(map[string]any)["natsaudit/suppressedOmitted"]; has {
		t.Error("suppressed findings counted as omitted although included")
	}
}

func TestSARIFFingerprintIgnoresLines(t *testing.T) {
	// The fingerprint is the finding's: moving the value to another line
	// changes the region, not the fingerprint.
	r := scan(t, exampleRepo)
	opt := renderOpts(t)
	a := sarifRun(t, r, opt)["results"].([]any)[0].(map[string]any)
	r.Findings[0].Location.Line += 7
	b := sarifRun(t, r, opt)["results"].([]any)[0].(map[string]any)
	if a["partialFingerprints"].(map[string]any)[report.SARIFFingerprintKey] != b["partialFingerprints"].(map[string]any)[report.SARIFFingerprintKey] {
		t.Error("fingerprint changed with the line")
	}
}

func TestSARIFAbsoluteRoot(t *testing.T) {
	// Outside any repository the CLI passes an absolute root: URIs stay
	// relative and the root becomes originalUriBaseIds.
	r := scan(t, exampleRepo)
	run := sarifRun(t, r, report.RenderOptions{SourceRoot: "/srv/nats config"})
	base := run["originalUriBaseIds"].(map[string]any)[report.SARIFSourceRoot].(map[string]any)
	if base["uri"] != "file:///srv/nats%20config/" {
		t.Errorf("originalUriBaseIds %v", base)
	}
	res := run["results"].([]any)[0].(map[string]any)
	uri := res["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)["uri"].(string)
	if uri != r.Findings[0].Location.File {
		t.Errorf("uri %q, want %q", uri, r.Findings[0].Location.File)
	}
}
