package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestWrapKeepsMarkdownMeaning(t *testing.T) {
	s := strings.Repeat("word ", 14) + "- not a list " + strings.Repeat("x ", 30) + "# not a heading 12. not a list"
	out := wrap(s, 40, "- ", "  ")
	for i, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 40 && strings.Contains(strings.TrimSpace(l), " ") {
			t.Errorf("line %d longer than 40: %q", i, l)
		}
		if i == 0 {
			continue
		}
		t2 := strings.TrimSpace(l)
		for _, bad := range []string{"- ", "# ", "12. ", "> "} {
			if strings.HasPrefix(t2, bad) {
				t.Errorf("continuation line %d starts a block: %q", i, l)
			}
		}
	}
	if strings.Join(strings.Fields(out), " ") != "- "+strings.Join(strings.Fields(s), " ") {
		t.Error("wrap lost or changed words")
	}
}

func TestWrapMarkdownLeavesCode(t *testing.T) {
	code := "    " + strings.Repeat("verylongtoken ", 10)
	in := "Intro " + strings.Repeat("text ", 30) + "\n\n" + code + "\n\n```\n" + strings.Repeat("fenced ", 20) + "\n```\n- item " + strings.Repeat("more ", 25)
	out := wrapMarkdown(in, 60)
	if !strings.Contains(out, code) || !strings.Contains(out, strings.Repeat("fenced ", 20)) {
		t.Errorf("code was rewrapped:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  more") || strings.HasPrefix(l, "  item") {
			continue // hanging indent of the list item
		}
		if strings.HasPrefix(l, "more") {
			t.Errorf("list continuation lost its indent: %q", l)
		}
	}
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		"Remove `allow_non_tls`. Then reload.":                    "Remove `allow_non_tls`.",
		"Run 3 servers, with the\nsame name:\n\n    cluster {}":   "Run 3 servers, with the same name.",
		"Mount it at deploy time (vault), e.g.\n\n    secrets: x": "Mount it at deploy time (vault).",
		"": "",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownEmptyReport(t *testing.T) {
	var b bytes.Buffer
	r := &Report{Scores: Scores{Grade: "n/a", Categories: map[string]CategoryScore{}}, Summary: Summary{Severity: map[string]int{}}}
	if err := WriteMarkdown(&b, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"# NATS audit report", "Scanned:** `nothing`", "No score", "Security: n/a", "**Grade: n/a**", "No findings.", "Nothing to fix", "**Rules:** 0 of 0 evaluated"} {
		if !strings.Contains(out, want) {
			t.Errorf("empty report lacks %q:\n%s", want, out)
		}
	}
}

func TestMarkdownLiveOnlyAndFence(t *testing.T) {
	var b bytes.Buffer
	r := &Report{
		Scan:    ScanInfo{Targets: []string{"http://127.0.0.1:8222"}},
		Summary: Summary{Total: 2, Severity: map[string]int{"critical": 1, "low": 1}},
		Scores:  Scores{Grade: "F", Categories: map[string]CategoryScore{}},
		Findings: []Finding{
			{RuleID: "X-1", Severity: "critical", Category: "security", Title: "T", Message: "server n1 runs 2.10.1", Target: "server n1", Endpoint: "http://127.0.0.1:8222/varz", Remediation: "Upgrade."},
			{RuleID: "X-2", Severity: "low", Category: "operations", Title: "U", Message: "m", Target: "server n1", Location: &Location{File: "a.conf", Line: 3}, Snippet: "x: ```y```", Remediation: "Fix."},
		},
	}
	if err := WriteMarkdown(&b, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"**Live servers:** `http://127.0.0.1:8222`", "**server n1** (live: `http://127.0.0.1:8222/varz`)", "**server n1** at `a.conf:3`", "  ````\n  x: ```y```\n  ````", "| 1 | Upgrade. (X-1 at server n1) |", "| 2 | Fix. (X-2 at a.conf:3) |"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<") && strings.Contains(out, "</") {
		t.Error("raw HTML in the Markdown")
	}
}

func TestEscapeURIPath(t *testing.T) {
	for in, want := range map[string]string{
		"config/nats/nats.conf": "config/nats/nats.conf",
		"my dir/a#b?.conf":      "my%20dir/a%23b%3F.conf",
		"c:odd/ünï.conf":        "c%3Aodd/%C3%BCn%C3%AF.conf",
	} {
		if got := escapeURIPath(in); got != want {
			t.Errorf("escapeURIPath(%q) = %q, want %q", in, got, want)
		}
	}
	if got := srcRoot(`C:\repos\nats`, true).URI; got != "file:///C:/repos/nats/" {
		t.Errorf("windows root %q", got)
	}
}
