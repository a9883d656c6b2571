package report

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
)

// TestSeverityTableAddsUp: the Markdown severity table's Findings and Rules
// columns add up to their totals, also when one rule has findings at two
// severities (NATS-VER-001 critical on one server, medium on another).
func TestSeverityTableAddsUp(t *testing.T) {
	r := &Report{Summary: Summary{Total: 3, Severity: map[string]int{"critical": 1, "high": 1, "medium": 1, "low": 0, "info": 0}},
		Findings: []Finding{
			{RuleID: "NATS-VER-001", Severity: "critical", Category: "security", Location: &Location{File: "a.yml", Line: 1}},
			{RuleID: "NATS-VER-001", Severity: "medium", Category: "security", Location: &Location{File: "b.yml", Line: 1}},
			{RuleID: "NATS-TLS-001", Severity: "high", Category: "security", Location: &Location{File: "a.conf", Line: 1}},
		}}
	var b bytes.Buffer
	if err := Render("markdown", &b, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (Critical|High|Medium|Low|Info) \| (\d+) \| (\d+) \|$`)
	total := regexp.MustCompile(`(?m)^\| \*\*Total\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|$`)
	var findings, rules int
	for _, m := range row.FindAllStringSubmatch(b.String(), -1) {
		f, _ := strconv.Atoi(m[2])
		n, _ := strconv.Atoi(m[3])
		findings += f
		rules += n
	}
	tm := total.FindStringSubmatch(b.String())
	if tm == nil {
		t.Fatalf("no total row in:\n%s", b.String())
	}
	if tf, _ := strconv.Atoi(tm[1]); tf != findings || findings != 3 {
		t.Errorf("findings column sums to %d, total says %s", findings, tm[1])
	}
	if tr, _ := strconv.Atoi(tm[2]); tr != rules || rules != 2 {
		t.Errorf("rules column sums to %d, total says %s (want 2)", rules, tm[2])
	}
}
