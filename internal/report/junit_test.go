package report_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// The JUnit goldens are validated against testdata/junit.xsd by a small
// validator for the part of XML Schema that file uses (global elements,
// sequences of references with occurrence bounds, attributes with use and
// a simple type, mixed content): Go has no XSD validator, and this keeps
// the check in `go test`.

type xsdSchema struct {
	Elements []xsdElement `xml:"element"`
}

type xsdElement struct {
	Name    string      `xml:"name,attr"`
	Type    string      `xml:"type,attr"`
	Complex *xsdComplex `xml:"complexType"`
}

type xsdComplex struct {
	Mixed    bool `xml:"mixed,attr"`
	Sequence *struct {
		Elements []struct {
			Ref       string `xml:"ref,attr"`
			MinOccurs string `xml:"minOccurs,attr"`
			MaxOccurs string `xml:"maxOccurs,attr"`
		} `xml:"element"`
	} `xml:"sequence"`
	Attributes []struct {
		Name string `xml:"name,attr"`
		Type string `xml:"type,attr"`
		Use  string `xml:"use,attr"`
	} `xml:"attribute"`
}

type xmlNode struct {
	name     string
	attrs    []xml.Attr
	children []*xmlNode
	text     string
}

func loadXSD(t *testing.T) map[string]xsdElement {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "junit.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	var s xsdSchema
	if err := xml.Unmarshal(b, &s); err != nil {
		t.Fatalf("junit.xsd: %v", err)
	}
	m := map[string]xsdElement{}
	for _, e := range s.Elements {
		m[e.Name] = e
	}
	return m
}

func parseXML(data []byte) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: tk.Name.Local, attrs: tk.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root != nil {
				return nil, fmt.Errorf("a second root element <%s>", n.name)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tk)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

func validType(typ, v string) bool {
	switch typ {
	case "xs:int":
		_, err := strconv.ParseInt(v, 10, 32)
		return err == nil
	case "xs:decimal":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil && !strings.ContainsAny(v, "eE")
	case "xs:dateTime":
		_, err := time.Parse("2006-01-02T15:04:05", v)
		if err != nil {
			_, err = time.Parse(time.RFC3339, v)
		}
		return err == nil
	}
	return true // xs:string
}

func validateXSD(schema map[string]xsdElement, n *xmlNode, path string) []string {
	path += "/" + n.name
	decl, ok := schema[n.name]
	if !ok {
		return []string{path + ": element not declared in the schema"}
	}
	var errs []string
	if decl.Complex == nil {
		if len(n.children) > 0 || len(n.attrs) > 0 {
			errs = append(errs, path+": a simple element has children or attributes")
		}
		return errs
	}
	declared := map[string]string{}
	for _, a := range decl.Complex.Attributes {
		declared[a.Name] = a.Type
		if a.Use == "required" {
			found := false
			for _, x := range n.attrs {
				found = found || x.Name.Local == a.Name
			}
			if !found {
				errs = append(errs, fmt.Sprintf("%s: required attribute %s missing", path, a.Name))
			}
		}
	}
	for _, a := range n.attrs {
		typ, ok := declared[a.Name.Local]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: attribute %s not declared", path, a.Name.Local))
		} else if !validType(typ, a.Value) {
			errs = append(errs, fmt.Sprintf("%s: attribute %s=%q is not %s", path, a.Name.Local, a.Value, typ))
		}
	}
	if !decl.Complex.Mixed && strings.TrimSpace(n.text) != "" {
		errs = append(errs, path+": text in an element without mixed content")
	}
	i := 0
	if decl.Complex.Sequence != nil {
		for _, item := range decl.Complex.Sequence.Elements {
			lo, hi := 1, 1
			if item.MinOccurs != "" {
				lo, _ = strconv.Atoi(item.MinOccurs)
			}
			switch item.MaxOccurs {
			case "unbounded":
				hi = 1 << 30
			case "":
			default:
				hi, _ = strconv.Atoi(item.MaxOccurs)
			}
			c := 0
			for i < len(n.children) && n.children[i].name == item.Ref && c < hi {
				errs = append(errs, validateXSD(schema, n.children[i], path)...)
				i++
				c++
			}
			if c < lo {
				errs = append(errs, fmt.Sprintf("%s: %d <%s>, want at least %d", path, c, item.Ref, lo))
			}
		}
	}
	for ; i < len(n.children); i++ {
		errs = append(errs, fmt.Sprintf("%s: <%s> not allowed here (order or count)", path, n.children[i].name))
	}
	return errs
}

func checkJUnit(t *testing.T, out []byte, r *report.Report) {
	t.Helper()
	root, err := parseXML(out)
	if err != nil {
		t.Fatalf("JUnit output is not well-formed XML: %v", err)
	}
	for _, e := range validateXSD(loadXSD(t), root, "") {
		t.Error(e)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
			Cases []struct {
				Failures []struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != len(r.Rules) {
		t.Errorf("%d test suites for %d rules", len(doc.Suites), len(r.Rules))
	}
	tests, failed := 0, 0
	for _, s := range doc.Suites {
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d but %d cases", s.Name, s.Tests, len(s.Cases))
		}
		tests += len(s.Cases)
		for _, c := range s.Cases {
			if len(c.Failures) > 0 {
				failed++
			}
		}
	}
	if doc.Tests != tests || doc.Failures != failed {
		t.Errorf("testsuites says %d tests, %d failures; counted %d, %d", doc.Tests, doc.Failures, tests, failed)
	}
	// Failures are the findings at or above --fail-on (high by default).
	wantFailed := 0
	for _, f := range r.Findings {
		if finding.SeverityRank(f.Severity) >= finding.SeverityRank("high") {
			wantFailed++
		}
	}
	if wantFailed > 0 && failed == 0 || wantFailed == 0 && failed > 0 {
		t.Errorf("%d failing cases for %d findings at or above high", failed, wantFailed)
	}
}

// TestJUnitFailOn: --fail-on decides which findings fail a case.
func TestJUnitFailOn(t *testing.T) {
	r := scan(t, exampleRepo)
	count := func(failOn string) int {
		opt := renderOpts(t)
		opt.FailOn = failOn
		return bytes.Count(render(t, "junit", r, opt), []byte("<failure "))
	}
	atLeast := func(sev string) int {
		n := 0
		for _, f := range r.Findings {
			if finding.SeverityRank(f.Severity) >= finding.SeverityRank(sev) {
				n++
			}
		}
		return n
	}
	for _, sev := range finding.SeverityNames() {
		if got := count(sev); got != atLeast(sev) {
			t.Errorf("--fail-on %s: %d failures, want %d", sev, got, atLeast(sev))
		}
	}
	if got := count("never"); got != 0 {
		t.Errorf("--fail-on never: %d failures", got)
	}
}

// TestJUnitSchemaCatchesErrors: the validator rejects what the schema
// forbids (or it would pass anything).
func TestJUnitSchemaCatchesErrors(t *testing.T) {
	schema := loadXSD(t)
	for _, bad := range []string{
		`<testsuites><testsuite tests="1"><testcase name="a"/></testsuite></testsuites>`,                                        // suite without name
		`<testsuites><testsuite name="s" tests="x"/></testsuites>`,                                                              // tests not an int
		`<testsuites><testsuite name="s" tests="1"><testcase name="a"><failure/><skipped/></testcase></testsuite></testsuites>`, // order
		`<testsuites><testsuite name="s" tests="1" colour="red"/></testsuites>`,                                                 // unknown attribute
		`<testsuites><testcase name="a"/></testsuites>`,                                                                         // case outside a suite
	} {
		root, err := parseXML([]byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if errs := validateXSD(schema, root, ""); len(errs) == 0 {
			t.Errorf("accepted %s", bad)
		}
	}
}
