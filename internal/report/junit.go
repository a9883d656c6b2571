package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// JUnit XML, the test-report format GitLab (artifacts:reports:junit) and
// Jenkins (the JUnit plugin) read. One <testsuite> per rule, one <testcase>
// per target the rule judged: a target with a finding at or above
// --fail-on fails, one with a finding below it passes with the finding as
// output; a rule without findings is one passing case for the whole scan; a
// rule that could not be evaluated (or is disabled) is one skipped case.
// The structure follows internal/report/testdata/junit.xsd (the schema of
// Jenkins' JUnit plugin, which GitLab accepts too); encoding/xml escapes
// every string, and characters XML 1.0 cannot hold are shown as escapes.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Package   string      `xml:"package,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped"`
	Errors    []junitFail   `xml:"error"`
	Failures  []junitFail   `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
}

type junitFail struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// WriteJUnit renders the report as JUnit XML.
func WriteJUnit(w io.Writer, r *Report, opt RenderOptions) error {
	rank := failOnRank(opt.FailOn)
	byRule := map[string][]Finding{}
	for _, f := range r.Findings {
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
	}
	scope := xmlText(nonEmpty(strings.Join(append(append([]string{}, r.Scan.Roots...), r.Scan.Targets...), ", "), "scan"))
	timestamp := ""
	if len(r.Scan.Started) >= 19 {
		timestamp = r.Scan.Started[:19] // xs:dateTime without the zone, as Jenkins writes it
	}
	out := junitSuites{Name: "natsaudit", Time: "0"}
	rules := append([]RuleStatus(nil), r.Rules...)
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	for _, rs := range rules {
		s := junitSuite{Name: xmlText(rs.ID + " " + rs.Title), Time: "0", Timestamp: timestamp, Package: xmlText(rs.Category)}
		class := "natsaudit." + xmlText(rs.Category) + "." + xmlText(rs.ID)
		fs := byRule[rs.ID]
		switch {
		case rs.Failed:
			// The rule could not run: an error, not a pass (nor a skip
			// that a dashboard would hide).
			var msgs []string
			for _, e := range r.Errors {
				if e.Kind == ErrorKindRule && slices.Contains(e.Rules, rs.ID) {
					msgs = append(msgs, xmlTextLines(nonEmpty(e.Target, "rules")+": "+e.Message))
				}
			}
			s.Cases = append(s.Cases, junitCase{Name: scope, Classname: class, Time: "0",
				Errors: []junitFail{{Message: "failed at evaluation: not evaluated", Type: "rule-error", Body: strings.Join(msgs, "\n")}}})
			s.Errors++
		case !rs.Evaluated:
			why := "not evaluated: the scan had none of the inputs this rule judges"
			if rs.Disabled {
				why = "disabled by configuration"
			}
			s.Cases = append(s.Cases, junitCase{Name: scope, Classname: class, Time: "0", Skipped: &junitMessage{Message: why}})
			s.Skipped++
		case len(fs) == 0:
			s.Cases = append(s.Cases, junitCase{Name: scope, Classname: class, Time: "0"})
		default:
			var order []string
			byTarget := map[string][]Finding{}
			for _, f := range fs {
				t := nonEmpty(f.Target, "deployment")
				if _, ok := byTarget[t]; !ok {
					order = append(order, t)
				}
				byTarget[t] = append(byTarget[t], f)
			}
			for _, t := range order {
				c := junitCase{Name: xmlText(t), Classname: class, Time: "0"}
				var below []string
				for _, f := range byTarget[t] {
					text := junitFindingText(f)
					if finding.SeverityRank(f.Severity) >= rank {
						c.Failures = append(c.Failures, junitFail{Message: xmlText(resultMessage(f)), Type: string(f.Severity), Body: text})
					} else {
						below = append(below, text)
					}
				}
				if len(below) > 0 {
					c.SystemOut = strings.Join(below, "\n\n")
				}
				if len(c.Failures) > 0 {
					s.Failures++
				}
				s.Cases = append(s.Cases, c)
			}
		}
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Suites = append(out.Suites, s)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode JUnit XML: %w", err)
	}
	buf.WriteString("\n")
	_, err := w.Write([]byte(guardLines(buf.String())))
	return err
}

// junitFindingText is the body of a failure: severity, where, what, fix.
func junitFindingText(f Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n", strings.ToUpper(string(f.Severity)), f.RuleID, f.Title)
	if f.Location != nil {
		fmt.Fprintf(&b, "at %s\n", locString(f.Location))
	}
	if f.Endpoint != "" {
		fmt.Fprintf(&b, "live: %s (%s)\n", f.Endpoint, f.Path)
	}
	b.WriteString(sentence(resultMessage(f)) + "\n")
	if f.Snippet != "" {
		fmt.Fprintf(&b, "| %s\n", f.Snippet)
	}
	if fix := firstSentence(f.Remediation); fix != "" {
		fmt.Fprintf(&b, "fix: %s\n", fix)
	}
	if f.FixDiff != "" {
		b.WriteString("fix as a diff:\n" + f.FixDiff)
	}
	return xmlTextLines(strings.TrimRight(b.String(), "\n"))
}

// failOnRank is the rank of --fail-on; "never" (or "none") fails nothing,
// "" is the default, high.
func failOnRank(s string) int {
	switch s {
	case "":
		return finding.SeverityRank("high")
	case "never", "none":
		return 99
	}
	if r := finding.SeverityRank(strings.ToLower(s)); r >= 0 {
		return r
	}
	return finding.SeverityRank("high")
}

// xmlText is one line of untrusted text for XML: encoding/xml escapes
// markup, this shows what XML 1.0 cannot hold (most control characters;
// encoding/xml would write U+FFFD) and what hides or reorders text as
// escapes, as the text output does.
func xmlText(s string) string { return escapeControls(s, ctrlVisible) }

// xmlTextLines is xmlText keeping line feeds.
func xmlTextLines(s string) string { return escapeControls(s, ctrlKeepLF) }
