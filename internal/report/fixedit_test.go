package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// TestFixDiffTextInert: the text report shows the fix diff under the fix,
// every line inert — no escape from the file's lines (only the colours
// natsaudit chose, and only with colour on), no line a CI log reads as a
// workflow command — and the removed and added lines coloured only when
// colour is on.
func TestFixDiffTextInert(t *testing.T) {
	const diff = "--- a/nats.conf\n+++ b/nats.conf\n@@ -1,3 +1,2 @@\n ::error::pwned \x1b]8;;http://x\x07\n-allow_non_tls: true\n ##[warning]pwned \u202e\n"
	r := fixDiffReport()
	r.Findings[0].FixDiff = diff
	for _, colour := range []bool{false, true} {
		var b bytes.Buffer
		if err := WriteText(&b, r, TextOptions{Color: colour}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		plain := stripColour(out)
		if !strings.Contains(plain, "fix as a diff:\n") || !strings.Contains(plain, "  -allow_non_tls: true\n") || !strings.Contains(plain, "  --- a/nats.conf\n") {
			t.Errorf("colour %v: the diff is not shown:\n%s", colour, out)
		}
		if strings.ContainsAny(plain, "\x1b\x07\u202e") || strings.Contains(plain, "##[") {
			t.Errorf("colour %v: a line of the file reaches the terminal as is:\n%q", colour, plain)
		}
		for _, l := range strings.Split(plain, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "::") {
				t.Errorf("colour %v: line %q starts a workflow command", colour, l)
			}
		}
		if got := strings.Contains(out, "\x1b[31m-allow_non_tls: true\x1b[0m"); got != colour {
			t.Errorf("colour %v: removed line coloured = %v", colour, got)
		}
	}
}

// stripColour drops the SGR colour codes natsaudit writes.
func stripColour(s string) string {
	for _, c := range sevColor {
		s = strings.ReplaceAll(s, c, "")
	}
	return strings.ReplaceAll(s, reset, "")
}

// TestFixDiffJUnit: a failure's text carries the fix diff, XML-escaped,
// control characters shown as escapes.
func TestFixDiffJUnit(t *testing.T) {
	r := fixDiffReport()
	r.Findings[0].FixDiff = "--- a/nats.conf\n+++ b/nats.conf\n@@ -1,2 +1,1 @@\n # </failure><x> \x1b[2J\n-allow_non_tls: true\n"
	r.Findings[0].Location = &Location{File: "nats.conf", Line: 2}
	r.Rules = []RuleStatus{{ID: r.Findings[0].RuleID, Severity: string(r.Findings[0].Severity), Category: "security", Evaluated: true, Findings: 1}}
	var b bytes.Buffer
	if err := WriteJUnit(&b, r, RenderOptions{FailOn: "info"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Failures []struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit does not parse: %v", err)
	}
	found := false
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			for _, f := range c.Failures {
				if strings.Contains(f.Text, "fix as a diff:\n--- a/nats.conf\n") && strings.Contains(f.Text, "\n-allow_non_tls: true") {
					found = true
					if strings.Contains(f.Text, "\x1b") || !strings.Contains(f.Text, "</failure><x>") {
						t.Errorf("failure text %q: escape kept or markup not kept as text", f.Text)
					}
				}
			}
		}
	}
	if !found {
		t.Errorf("no failure carries the fix diff:\n%s", b.String())
	}
}

// TestParseFixDiff: the diffs internal/audit writes are read back as the
// one edit they make, at the right line; anything else is not an edit.
func TestParseFixDiff(t *testing.T) {
	for _, tc := range []struct {
		diff string
		want fixEdit
		ok   bool
	}{
		{"--- a/n.conf\n+++ b/n.conf\n@@ -34,7 +34,6 @@\n a\n b\n c\n-allow_non_tls: true\n \n d\n e\n", fixEdit{Line: 37, Old: "allow_non_tls: true", Delete: true}, true},
		{"--- a/c.yml\n+++ b/c.yml\n@@ -1,4 +1,4 @@\n services:\n-  image: nats:2.10.24\n+  image: nats:2.15.2\n x:\n", fixEdit{Line: 2, Old: "  image: nats:2.10.24", New: "  image: nats:2.15.2"}, true},
		{"--- a/c.yml\n+++ b/c.yml\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n", fixEdit{Line: 1, Old: "a", New: "b"}, true},
		{"--- a/c.yml\n+++ b/c.yml\n@@ -1,2 +1,2 @@\n-a\n-b\n+c\n", fixEdit{}, false},
		{"--- a/c.yml\n+++ b/c.yml\n@@ -1,2 +1,3 @@\n a\n+b\n", fixEdit{}, false},
		{"--- a/c.yml\n+++ b/c.yml\n@@ -0,2 +1,2 @@\n-a\n+b\n", fixEdit{}, false},
		{"garbage", fixEdit{}, false},
		{"--- a/c.yml\n+++ b/c.yml\n@@ -1,2 +1,2 @@\n-a\n\\ No newline\n", fixEdit{}, false},
	} {
		got, ok := parseFixDiff(tc.diff)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseFixDiff(%q) = %+v, %v; want %+v, %v", tc.diff, got, ok, tc.want, tc.ok)
		}
	}
}
