package suppress

import (
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// TestBaselineKeepsTheWorstSeverity: when a fingerprint appears more than
// once in the baseline report, the most severe occurrence is what was
// accepted, whichever order they come in (issue 20, Go mutation testing).
func TestBaselineKeepsTheWorstSeverity(t *testing.T) {
	for _, order := range [][]finding.Severity{{"low", "high"}, {"high", "low"}, {"high", "high"}} {
		var fs []report.Finding
		for _, s := range order {
			fs = append(fs, report.Finding{RuleID: "NATS-X-001", Fingerprint: "fp", Severity: s})
		}
		b := NewBaseline("base.json", &report.Report{Findings: fs})
		for _, tc := range []struct {
			sev       finding.Severity
			baselined bool
		}{{"high", true}, {"medium", true}, {"critical", false}} {
			res := Apply([]report.Finding{{RuleID: "NATS-X-001", Fingerprint: "fp", Severity: tc.sev}}, Options{Baseline: b})
			if got := len(res.Suppressed) == 1; got != tc.baselined {
				t.Errorf("baseline %v, finding %s: baselined = %v, want %v (open %v)", order, tc.sev, got, tc.baselined, res.Findings)
			}
		}
	}
}

// TestMaxSeverityBounds: every severity name is a valid max_severity, info
// included; a finding at exactly the accepted severity is accepted, one
// above it is not.
func TestMaxSeverityBounds(t *testing.T) {
	for _, s := range finding.SeverityNames() {
		if _, err := NewException(Exception{Rule: "NATS-X-001", MaxSeverity: s}); err != nil {
			t.Errorf("max_severity %s: %v", s, err)
		}
	}
	e, err := NewException(Exception{Rule: "NATS-X-001", MaxSeverity: "info", Source: "x.yaml:1"})
	if err != nil {
		t.Fatal(err)
	}
	res := Apply([]report.Finding{
		{RuleID: "NATS-X-001", Severity: "info", Fingerprint: "1"},
		{RuleID: "NATS-X-001", Severity: "low", Fingerprint: "2"},
	}, Options{Exceptions: []Exception{e}})
	if len(res.Suppressed) != 1 || res.Suppressed[0].Fingerprint != "1" || len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Message, "accepts up to info; this finding is low") {
		t.Errorf("suppressed %v, open %v", res.Suppressed, res.Findings)
	}
}

// TestExceptionTargetsAndPaths: an exception's path needs a located
// finding; its target matches the name or the whole target; a finding
// shared by several servers is accepted only when the target covers all.
func TestExceptionTargetsAndPaths(t *testing.T) {
	loc := &report.Location{File: "conf/nats.conf", Line: 3}
	for _, tc := range []struct {
		name string
		e    Exception
		f    report.Finding
		want bool
	}{
		{"path glob", Exception{Rule: "R", Path: "conf/*.conf"}, report.Finding{RuleID: "R", Location: loc}, true},
		{"path glob, other file", Exception{Rule: "R", Path: "other/*.conf"}, report.Finding{RuleID: "R", Location: loc}, false},
		{"path, no location", Exception{Rule: "R", Path: "**"}, report.Finding{RuleID: "R"}, false},
		{"other rule", Exception{Rule: "R"}, report.Finding{RuleID: "S"}, false},
		{"rule glob, no match", Exception{Rule: "R-*", Reason: "x"}, report.Finding{RuleID: "S-1"}, false},
		{"target name", Exception{Rule: "R", Target: "nats-*"}, report.Finding{RuleID: "R", TargetName: "nats-1", Target: "server nats-1"}, true},
		{"whole target", Exception{Rule: "R", Target: "server nats-1"}, report.Finding{RuleID: "R", TargetName: "nats-1", Target: "server nats-1"}, true},
		{"other target", Exception{Rule: "R", Target: "edge-*"}, report.Finding{RuleID: "R", TargetName: "nats-1", Target: "server nats-1"}, false},
		{"one server listed", Exception{Rule: "R", Target: "a"}, report.Finding{RuleID: "R", TargetName: "a", Target: "server a", Servers: []string{"a"}}, true},
		// one server: the finding's own target decides, not the list
		{"one server, its target", Exception{Rule: "R", Target: "b"}, report.Finding{RuleID: "R", TargetName: "b", Target: "server b", Servers: []string{"a"}}, true},
		{"all servers", Exception{Rule: "R", Target: "server *"}, report.Finding{RuleID: "R", Servers: []string{"a", "b"}}, true},
		{"all servers by name", Exception{Rule: "R", Target: "[ab]"}, report.Finding{RuleID: "R", Servers: []string{"a", "b"}}, true},
		{"some servers", Exception{Rule: "R", Target: "a"}, report.Finding{RuleID: "R", TargetName: "a", Servers: []string{"a", "b"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := NewException(tc.e)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.matches(&tc.f); got != tc.want {
				t.Errorf("matches = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestQuotedAndIndexKey: the reason's quoting (escapes, a trailing
// backslash, an unterminated quote) and where the rule IDs end.
func TestQuotedAndIndexKey(t *testing.T) {
	for _, tc := range []struct {
		in   string
		val  string
		n    int
		done bool
	}{
		{`"a b" rest`, "a b", 5, true},
		{`"a\"b"`, `a"b`, 6, true},
		{`"ab\`, "ab", 4, false},
		{`"`, "", 1, false},
		{`""`, "", 2, true},
	} {
		v, n, ok := quoted(tc.in)
		if v != tc.val || n != tc.n || ok != tc.done {
			t.Errorf("quoted(%q) = %q %d %v, want %q %d %v", tc.in, v, n, ok, tc.val, tc.n, tc.done)
		}
	}
	for _, tc := range []struct {
		in   string
		want int
	}{{"A reason=x", 2}, {"reason=x", 0}, {"A,B", -1}, {"A  until=2027-01-01", 3}} {
		if got := indexKey(tc.in); got != tc.want {
			t.Errorf("indexKey(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestInlineLines: which lines a comment covers: the line after a comment
// block, line 1 too only while still in the file's leading comments, and
// nothing below when no code follows.
func TestInlineLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []int
	}{
		{"first line, code below", "# natsaudit:ignore R reason=x\nport: 1\n", []int{2, 1}},
		{"after code", "port: 1\n# natsaudit:ignore R reason=x\n\ndebug: true\n", []int{4}},
		{"end of line", "port: 1 # natsaudit:ignore R reason=x\n", []int{1}},
		{"only comments", "# a\n# natsaudit:ignore R reason=x\n", []int{1}},
		{"last line after code", "port: 1\n# natsaudit:ignore R reason=x", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := ParseInline(File{Path: "f", Data: []byte(tc.src)})
			if len(ds) != 1 {
				t.Fatalf("%d directives", len(ds))
			}
			if got := ds[0].Lines; !equalInts(got, tc.want) {
				t.Errorf("lines = %v, want %v", got, tc.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestParseArgsEdges: what a comment's key=value list cannot be, each
// said as a problem of its own.
func TestParseArgsEdges(t *testing.T) {
	for _, tc := range []struct {
		args, reason, problem string
	}{
		{`R reason=a =b`, "a", `cannot read "=b"`},
		{`R reason=a b c=d`, "a", `cannot read "b c=d"`},
		{`R reason= x`, "", `cannot read "x"`},
		{`R reason="a" until=2027-01-01`, "a", ""},
	} {
		d := &Directive{}
		parseArgs(d, tc.args)
		probs := strings.Join(d.Problems, "; ")
		if d.Reason != tc.reason || (tc.problem == "") != (len(d.Problems) == 0) || !strings.Contains(probs, tc.problem) {
			t.Errorf("parseArgs(%q): reason %q, problems %q; want %q, %q", tc.args, d.Reason, probs, tc.reason, tc.problem)
		}
	}
}

// TestFirstPatternWinsAtIndexZero: among patterns the first wins, also
// when it is the first override of the list.
func TestFirstPatternWinsAtIndexZero(t *testing.T) {
	ovs := []SeverityOverride{{Rule: "NATS-*", Severity: "low", Source: "c:1"}, {Rule: "NATS-X-*", Severity: "high", Source: "c:2"}}
	if got := pick(ovs, "NATS-X-001"); got != 0 {
		t.Errorf("pick = %d, want 0", got)
	}
	if got := pick(ovs, "OTHER"); got != -1 {
		t.Errorf("pick(OTHER) = %d, want -1", got)
	}
}

// TestApplyNotesAndMessages: a finding nothing suppresses keeps its message
// as it was and no "suppressed" note is written; the count note names only
// the kinds that suppressed something.
func TestApplyNotesAndMessages(t *testing.T) {
	f := report.Finding{RuleID: "NATS-X-001", Severity: "low", Message: "as found", Fingerprint: "1"}
	res := Apply([]report.Finding{f}, Options{})
	if len(res.Findings) != 1 || res.Findings[0].Message != "as found" || len(res.Notes) != 0 {
		t.Errorf("nothing suppressed: findings %v, notes %q", res.Findings, res.Notes)
	}
	e, err := NewException(Exception{Rule: "NATS-X-001", Reason: "accepted", Source: "x.yaml:1"})
	if err != nil {
		t.Fatal(err)
	}
	res = Apply([]report.Finding{f}, Options{Exceptions: []Exception{e}})
	if len(res.Notes) == 0 || !strings.HasPrefix(res.Notes[0], "1 findings suppressed (1 exception);") {
		t.Errorf("notes %q", res.Notes)
	}
}
