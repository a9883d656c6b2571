package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/natsaudit/natsaudit/internal/report"
)

// The published schema of the JSON report (docs/schema/report-v1.json,
// JSON Schema 2020-12) is checked against every JSON report this
// repository holds as a golden, and against the code: every property the
// reports have is declared in it.

const reportSchemaPath = "../../docs/schema/report-v1.json"

func reportSchema(t *testing.T) (*jsonschema.Schema, map[string]any) {
	t.Helper()
	b, err := os.ReadFile(reportSchemaPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(report.Schema, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(report.Schema)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	if doc.(map[string]any)["$id"] != report.Schema {
		t.Errorf("the schema's $id is not report.Schema (%s)", report.Schema)
	}
	return s, doc.(map[string]any)
}

// reportGoldens are the JSON reports kept as goldens anywhere in the
// repository (diff and trend outputs are other formats).
func reportGoldens(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"testdata/golden/*.json", "../trend/testdata/reports/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var head struct {
				Schema string `json:"$schema"`
			}
			if json.Unmarshal(b, &head) == nil && head.Schema == report.Schema {
				out[f] = b
			}
		}
	}
	if len(out) < 5 {
		t.Fatalf("only %d JSON report goldens found", len(out))
	}
	return out
}

func TestSchemaValidatesGoldens(t *testing.T) {
	s, doc := reportSchema(t)
	docs := reportGoldens(t)
	// A report with suppressed findings, a live-only finding and notes,
	// rendered now.
	docs["rich (rendered)"] = render(t, "json", richReport(t), renderOpts(t))
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs[name]))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(inst); err != nil {
				t.Errorf("%s does not validate against docs/schema/report-v1.json:\n%v", name, err)
			}
			for _, p := range undeclared(doc, doc, inst, "") {
				t.Errorf("%s: property %s is not declared in the schema", name, p)
			}
		})
	}
}

// undeclared lists the properties of inst that the schema node does not
// declare (where it declares properties at all), following $ref, allOf,
// oneOf, items and additionalProperties.
func undeclared(root, node map[string]any, inst any, path string) []string {
	if ref, ok := node["$ref"].(string); ok {
		def := root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			def, _ = def[part].(map[string]any)
		}
		return undeclared(root, def, inst, path)
	}
	var out []string
	for _, key := range []string{"allOf", "oneOf"} {
		if subs, ok := node[key].([]any); ok {
			for _, sub := range subs {
				sm, _ := sub.(map[string]any)
				if key == "oneOf" && !typeMatches(sm, inst) {
					continue
				}
				out = append(out, undeclared(root, sm, inst, path)...)
			}
		}
	}
	switch v := inst.(type) {
	case map[string]any:
		props, hasProps := node["properties"].(map[string]any)
		addl, _ := node["additionalProperties"].(map[string]any)
		for k, val := range v {
			if sub, ok := props[k].(map[string]any); ok {
				out = append(out, undeclared(root, sub, val, path+"/"+k)...)
			} else if addl != nil {
				out = append(out, undeclared(root, addl, val, path+"/"+k)...)
			} else if hasProps {
				out = append(out, path+"/"+k)
			}
		}
	case []any:
		if items, ok := node["items"].(map[string]any); ok {
			for _, x := range v {
				out = append(out, undeclared(root, items, x, path+"/[]")...)
			}
		}
	}
	sort.Strings(out)
	return compact(out)
}

func typeMatches(node map[string]any, inst any) bool {
	switch node["type"] {
	case "null":
		return inst == nil
	case "object":
		_, ok := inst.(map[string]any)
		return ok
	}
	return true
}

func compact(xs []string) []string {
	var out []string
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestSchemaRejects: the schema is not a formality.
func TestSchemaRejects(t *testing.T) {
	s, doc := reportSchema(t)
	good := render(t, "json", richReport(t), renderOpts(t))
	for name, edit := range map[string]func(m map[string]any){
		"unknown severity":  func(m map[string]any) { m["findings"].([]any)[0].(map[string]any)["severity"] = "urgent" },
		"no scan date":      func(m map[string]any) { delete(m["scan"].(map[string]any), "started") },
		"scan date no time": func(m map[string]any) { m["scan"].(map[string]any)["started"] = "last tuesday" },
		"score above 10":    func(m map[string]any) { m["scores"].(map[string]any)["overall"] = 11.0 },
		"other schema":      func(m map[string]any) { m["$schema"] = "https://natsaudit.dev/schemas/report-v2.json" },
		"suppressed without suppression": func(m map[string]any) {
			delete(m["suppressed"].([]any)[0].(map[string]any), "suppression")
		},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good, &m); err != nil {
				t.Fatal(err)
			}
			edit(m)
			b, _ := json.Marshal(m)
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if s.Validate(inst) == nil {
				t.Error("accepted")
			}
		})
	}
	// And the walker finds a property the schema does not declare.
	var m map[string]any
	_ = json.Unmarshal(good, &m)
	m["scan"].(map[string]any)["weather"] = "sunny"
	b, _ := json.Marshal(m)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if got := undeclared(doc, doc, inst, ""); len(got) != 1 || got[0] != "/scan/weather" {
		t.Errorf("undeclared = %v, want /scan/weather", got)
	}
}
