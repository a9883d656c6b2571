package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// TestOwnFix: a finding whose remediation is its own (NATS-VER-001 lists
// each advisory's workaround) shows it under the finding in Markdown and
// HTML, as text; one with the rule's remediation shows nothing extra.
func TestOwnFix(t *testing.T) {
	rule := &finding.Rule{ID: "NATS-VER-001", Title: "t", Severity: "high", Category: "security", Remediation: "Upgrade."}
	if got := OwnFix(rule, Finding{Remediation: " Upgrade. "}); got != nil {
		t.Errorf("same as the rule: %q", got)
	}
	f := Finding{RuleID: "NATS-VER-001", Severity: "high", Category: "security", Title: "t", Message: "m", Target: "server a",
		Remediation: "Upgrade to 2.15.2. Until then:\n- CVE-1 (high): <img src=x onerror=alert(1)> restrict it.\n\n- CVE-2: no workaround published; upgrade."}
	want := []string{"Upgrade to 2.15.2. Until then:", "CVE-1 (high): <img src=x onerror=alert(1)> restrict it.", "CVE-2: no workaround published; upgrade."}
	if got := OwnFix(rule, f); !reflect.DeepEqual(got, want) {
		t.Fatalf("OwnFix = %q, want %q", got, want)
	}
	r := &Report{Schema: Schema, Findings: []Finding{f}, Rules: []RuleStatus{{ID: "NATS-VER-001", Evaluated: true, Findings: 1}}}
	opt := RenderOptions{Rules: []*finding.Rule{rule}}
	var md, html bytes.Buffer
	if err := WriteMarkdown(&md, r, opt); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, r, opt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "Fix for this one: Upgrade to 2.15.2. Until then:") || !strings.Contains(md.String(), "- CVE-2: no workaround published; upgrade.") {
		t.Errorf("Markdown lacks the finding's own fix:\n%s", md.String())
	}
	if strings.Contains(md.String(), "<img") || strings.Contains(html.String(), "<img") {
		t.Error("markup in a remediation became markup")
	}
	if !strings.Contains(html.String(), `<p class="own-fix">Fix for this one: Upgrade to 2.15.2. Until then:</p>`) {
		t.Errorf("HTML lacks the finding's own fix")
	}
}

// TestFixList: the terminal report shows a remediation that leads into a
// list ("Until then:") with the list, not cut at the colon.
func TestFixList(t *testing.T) {
	lead, items := fixList("Upgrade to 2.15.2. Until then:\n\n- CVE-1 (high): restrict it.\n- CVE-2: no workaround published; upgrade.\n\nMore text.")
	if lead != "Upgrade to 2.15.2. Until then:" || !reflect.DeepEqual(items, []string{"CVE-1 (high): restrict it.", "CVE-2: no workaround published; upgrade."}) {
		t.Errorf("fixList = %q, %q", lead, items)
	}
	for _, s := range []string{"Upgrade.", "Use this:\n\n    tls { }", "Do this:\n\n- a\nnot a list item"} {
		if _, items := fixList(s); items != nil {
			t.Errorf("fixList(%q) = %q, want no list", s, items)
		}
	}
}

// TestRuleFixYieldsToComputedFixes: under a rule whose every finding has a
// fix computed from the deployment, Markdown and HTML show only the rule's
// first sentence, not its generic example, which would contradict the
// computed fixes (issue 19: `--max-bytes 10GB` for a stream whose file
// store is fully reserved); when one finding has no fix of its own, the
// whole remediation is shown.
func TestRuleFixYieldsToComputedFixes(t *testing.T) {
	rule := &finding.Rule{ID: "NATS-STR-004", Title: "Unbounded stream", Severity: "medium", Category: "reliability",
		Remediation: "Bound it by size and/or age:\n\n    nats stream edit EVENTS --max-bytes 10GB --max-age 30d\n"}
	own := func(name string) Finding {
		return Finding{RuleID: "NATS-STR-004", Severity: "medium", Category: "reliability", Title: "Unbounded stream", Message: "m " + name,
			Target: "stream " + name, Fingerprint: name, Remediation: "Conflict: the file store is fully reserved; bound " + name + " by age:\n- nats stream edit " + name + " --max-age 30d"}
	}
	generic := Finding{RuleID: "NATS-STR-004", Severity: "medium", Category: "reliability", Title: "Unbounded stream", Message: "m C",
		Target: "stream C", Fingerprint: "C", Remediation: rule.Remediation}
	for _, tc := range []struct {
		name    string
		fs      []Finding
		example bool
	}{
		{"every finding computed", []Finding{own("A"), own("B")}, false},
		{"one finding generic", []Finding{own("A"), generic}, true},
	} {
		r := &Report{Schema: Schema, Findings: tc.fs, Rules: []RuleStatus{{ID: rule.ID, Evaluated: true, Findings: len(tc.fs)}}}
		opt := RenderOptions{Rules: []*finding.Rule{rule}}
		var md, html bytes.Buffer
		if err := WriteMarkdown(&md, r, opt); err != nil {
			t.Fatal(err)
		}
		if err := WriteHTML(&html, r, opt); err != nil {
			t.Fatal(err)
		}
		for format, out := range map[string]string{"markdown": md.String(), "html": html.String()} {
			if got := strings.Contains(out, "EVENTS --max-bytes 10GB"); got != tc.example {
				t.Errorf("%s, %s: generic example shown = %v, want %v", tc.name, format, got, tc.example)
			}
			if !strings.Contains(out, "Bound it by size and/or age") {
				t.Errorf("%s, %s: the rule's own first sentence is missing", tc.name, format)
			}
			if !strings.Contains(out, "nats stream edit A --max-age 30d") {
				t.Errorf("%s, %s: the computed fix is missing", tc.name, format)
			}
		}
	}
}
