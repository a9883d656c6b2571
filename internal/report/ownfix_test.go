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
