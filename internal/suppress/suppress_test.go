package suppress

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

func TestParseInline(t *testing.T) {
	conf := strings.Join([]string{
		`# natsaudit:ignore NATS-AUTH-001 reason="auth at the proxy"`, // 1: header block: line 1 and the first code line
		``,           // 2
		`port: 4222`, // 3
		`debug: true # natsaudit:ignore nats-ops-001 reason=staging until=2027-03-31`, // 4: end of line
		`// natsaudit:ignore NATS-TLS-002, NATS-TLS-003 reason="a \"quoted\" why"`,    // 5: above, slash comment
		`# another comment`,               // 6
		``,                                // 7
		`tls {`,                           // 8
		`}`,                               // 9
		`# natsaudit:ignore NATS-LIM-001`, // 10: no reason, nothing below
	}, "\n")
	ds := ParseInline(File{Path: "nats.conf", Data: []byte(conf), SlashComments: true})
	if len(ds) != 4 {
		t.Fatalf("got %d directives, want 4: %+v", len(ds), ds)
	}
	want := []struct {
		line   int
		rules  []string
		reason string
		until  string
		lines  []int
		probs  int
	}{
		{1, []string{"NATS-AUTH-001"}, "auth at the proxy", "", []int{3, 1}, 0},
		{4, []string{"NATS-OPS-001"}, "staging", "2027-03-31", []int{4}, 0},
		{5, []string{"NATS-TLS-002", "NATS-TLS-003"}, `a "quoted" why`, "", []int{8}, 0},
		{10, []string{"NATS-LIM-001"}, "", "", nil, 1},
	}
	for i, w := range want {
		d := ds[i]
		if d.Line != w.line || !slices.Equal(d.Rules, w.rules) || d.Reason != w.reason || d.Until != w.until || !slices.Equal(d.Lines, w.lines) || len(d.Problems) != w.probs {
			t.Errorf("directive %d = line %d rules %v reason %q until %q lines %v problems %v; want %+v", i, d.Line, d.Rules, d.Reason, d.Until, d.Lines, d.Problems, w)
		}
	}
}

func TestParseInlineProblems(t *testing.T) {
	for _, tc := range []struct {
		line, problem string
		invalid       bool
	}{
		{`x: 1 # natsaudit:ignore NATS-OPS-001 reason="ok" until=31/03/2027`, "until=31/03/2027: not a date", true},
		{`x: 1 # natsaudit:ignore reason="why"`, "names no rule", true},
		{`x: 1 # natsaudit:ignore NATS-OPS-001 reason="ok" owner=me`, `unknown key "owner"`, false},
		{`x: 1 # natsaudit:disable NATS-OPS-001`, "unknown directive natsaudit:disable", true},
		{`x: 1 # natsaudit:ignore NATS-OPS-001 reason="unterminated`, "unterminated quote", false},
	} {
		ds := ParseInline(File{Path: "c.yml", Data: []byte(tc.line)})
		if len(ds) != 1 {
			t.Fatalf("%s: %d directives", tc.line, len(ds))
		}
		if !strings.Contains(strings.Join(ds[0].Problems, "; "), tc.problem) || ds[0].invalid != tc.invalid {
			t.Errorf("%s: problems %q invalid %v, want %q invalid %v", tc.line, ds[0].Problems, ds[0].invalid, tc.problem, tc.invalid)
		}
	}
	// `//` is a comment in nats.conf only; in YAML it is text.
	if ds := ParseInline(File{Path: "c.yml", Data: []byte("url: http://x // natsaudit:ignore NATS-OPS-001 reason=x")}); len(ds) != 0 {
		t.Errorf("// in YAML read as a comment: %+v", ds)
	}
}

func mkFinding(rule, file string, line int, target string) report.Finding {
	return report.Finding{RuleID: rule, Severity: "medium", Location: &report.Location{File: file, Line: line},
		Target: "server " + target, TargetKind: "server", TargetName: target, Fingerprint: rule + "|" + file + "|" + target}
}

func TestApply(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	conf := "port: 4222\n" +
		"debug: true # natsaudit:ignore NATS-OPS-001 reason=\"staging\" until=2026-11-22\n" + // expired yesterday
		"trace: true # natsaudit:ignore NATS-OPS-002 reason=\"staging\" until=2026-11-23\n" + // valid through today
		"# natsaudit:ignore NATS-LIM-001 reason=\"big payloads are the product\"\n" +
		"max_payload: 64MB\n" +
		"# natsaudit:ignore NATS-TLS-013 reason=\"fixed long ago\"\n" +
		"http_port: 8222\n"
	exc := func(e Exception) Exception {
		t.Helper()
		x, err := NewException(e)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	opt := Options{
		Files: []File{{Path: "config/nats.conf", Data: []byte(conf), SlashComments: true}},
		Exceptions: []Exception{
			exc(Exception{Rule: "NATS-TLS-002", Path: "config/**/*.conf", Target: "nats-*", Reason: "migration", Expires: "2027-01-31", Source: ".natsaudit.yaml:3"}),
			exc(Exception{Rule: "NATS-TLS-001", Path: "config/**", Reason: "old", Expires: "2026-01-01", Source: ".natsaudit.yaml:8"}),
			exc(Exception{Rule: "NATS-JS-006", Reason: "unused", Source: ".natsaudit.yaml:12"}),
		},
		Baseline: &Baseline{Source: "base.json", Date: "2026-08-01T00:00:00Z", fps: map[string]accepted{"NATS-AUTH-001|config/nats.conf|nats-1": {severity: "critical"}, "NATS-GONE-001|x|y": {severity: "critical"}}},
		Now:      now,
		Known:    func(id string) bool { return strings.HasPrefix(id, "NATS-") },
	}
	fs := []report.Finding{
		mkFinding("NATS-OPS-001", "config/nats.conf", 2, "nats-1"),  // expired inline: reported
		mkFinding("NATS-OPS-002", "config/nats.conf", 3, "nats-1"),  // inline, last day
		mkFinding("NATS-LIM-001", "config/nats.conf", 5, "nats-1"),  // inline, comment above
		mkFinding("NATS-LIM-001", "config/nats.conf", 7, "nats-1"),  // same rule, other line: reported
		mkFinding("NATS-TLS-002", "config/nats.conf", 1, "nats-1"),  // exception
		mkFinding("NATS-TLS-002", "config/nats.conf", 1, "other"),   // target does not match
		mkFinding("NATS-TLS-002", "other/nats.conf", 1, "nats-2"),   // path does not match
		mkFinding("NATS-TLS-001", "config/nats.conf", 1, "nats-1"),  // expired exception
		mkFinding("NATS-AUTH-001", "config/nats.conf", 9, "nats-1"), // baseline (line moved)
	}
	res := Apply(fs, opt)
	var got []string
	for _, f := range res.Suppressed {
		got = append(got, f.RuleID+"@"+f.Location.File+":"+strconv.Itoa(f.Location.Line)+"="+f.Suppression.Kind+"("+f.Suppression.Source+")")
	}
	want := []string{
		"NATS-OPS-002@config/nats.conf:3=inline(config/nats.conf:3)",
		"NATS-LIM-001@config/nats.conf:5=inline(config/nats.conf:4)",
		"NATS-TLS-002@config/nats.conf:1=exception(.natsaudit.yaml:3)",
		"NATS-AUTH-001@config/nats.conf:9=baseline(base.json)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("suppressed:\n got %q\nwant %q", got, want)
	}
	if len(res.Findings) != 5 {
		t.Errorf("%d findings reported, want 5", len(res.Findings))
	}
	for _, f := range res.Findings {
		switch f.RuleID {
		case "NATS-OPS-001":
			if !strings.Contains(f.Message, "ignore comment at config/nats.conf:2 expired on 2026-11-22") {
				t.Errorf("expired inline not said in the message: %q", f.Message)
			}
		case "NATS-TLS-001":
			if !strings.Contains(f.Message, "exception at .natsaudit.yaml:8 expired on 2026-01-01") {
				t.Errorf("expired exception not said in the message: %q", f.Message)
			}
		}
		if f.Suppression != nil {
			t.Errorf("reported finding carries a suppression: %+v", f)
		}
	}
	s := res.Suppressed[0].Suppression
	if s.Reason != "staging" || s.Until != "2026-11-23" {
		t.Errorf("suppression record = %+v", s)
	}
	if r := res.Suppressed[3].Suppression.Reason; r != "accepted in the baseline of 2026-08-01" {
		t.Errorf("baseline reason = %q", r)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, w := range []string{
		"4 findings suppressed (2 inline, 1 exception, 1 baseline)",
		"config/nats.conf:2: the ignore comment for NATS-OPS-001 expired on 2026-11-22 and no longer suppresses its findings",
		".natsaudit.yaml:8: the exception for NATS-TLS-001 expired on 2026-01-01",
		"config/nats.conf:6: the ignore comment for NATS-TLS-013 matches no finding",
		".natsaudit.yaml:12: the exception for NATS-JS-006 matches no finding",
		"baseline base.json: 1 of its 2 findings are still present and not counted; 1 no longer found",
	} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	if len(res.Warnings) != 2 {
		t.Errorf("warnings = %q, want the two expiries", res.Warnings)
	}
}

func TestApplyWarnsOnMissingReasonAndUnknownRule(t *testing.T) {
	opt := Options{
		Files: []File{{Path: "docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10 # natsaudit:ignore NATS-DEP-001,NATS-TYPO-9\n")}},
		Known: func(id string) bool { return id == "NATS-DEP-001" },
		Now:   time.Now(),
	}
	res := Apply([]report.Finding{mkFinding("NATS-DEP-001", "docker-compose.yml", 3, "nats")}, opt)
	if len(res.Suppressed) != 1 || len(res.Findings) != 0 {
		t.Fatalf("a missing reason must still suppress: %+v", res)
	}
	w := strings.Join(res.Warnings, "\n")
	if !strings.Contains(w, "docker-compose.yml:3: no reason") || !strings.Contains(w, "unknown rule NATS-TYPO-9") {
		t.Errorf("warnings = %q", res.Warnings)
	}
	for _, x := range res.Warnings {
		if !slices.Contains(res.Notes, x) {
			t.Errorf("warning %q is not in the notes", x)
		}
	}
}

func TestApplyInvalidDateDoesNotSuppress(t *testing.T) {
	opt := Options{Files: []File{{Path: "a.env", Data: []byte("NATS_PASSWORD=x # natsaudit:ignore NATS-CRED-001 reason=r until=soon\n")}}, Now: time.Now()}
	res := Apply([]report.Finding{mkFinding("NATS-CRED-001", "a.env", 1, "a.env")}, opt)
	if len(res.Findings) != 1 || len(res.Suppressed) != 0 {
		t.Errorf("a comment with a bad date suppressed: %+v", res)
	}
}

func TestNewExceptionRejectsBadInput(t *testing.T) {
	for _, e := range []Exception{
		{Rule: "X", Path: "config/[a.conf"},
		{Rule: "X", Target: "nats-[1"},
		{Rule: "X", Expires: "next week"},
	} {
		if _, err := NewException(e); err == nil {
			t.Errorf("%+v accepted", e)
		}
	}
}

func TestExpiryBoundary(t *testing.T) {
	x, err := parseExpiry("2027-03-31")
	if err != nil {
		t.Fatal(err)
	}
	if x.expired(time.Date(2027, 3, 31, 23, 59, 59, 0, time.UTC)) {
		t.Error("expired during its last day")
	}
	if !x.expired(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("not expired the day after")
	}
	r, err := parseExpiry("2027-03-31T12:00:00Z")
	if err != nil || r.expired(time.Date(2027, 3, 31, 11, 0, 0, 0, time.UTC)) || !r.expired(time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339 expiry wrong: %v", err)
	}
}

func TestNewBaselineKeepsBaselinedOnes(t *testing.T) {
	r := &report.Report{
		Findings: []report.Finding{{Fingerprint: "a"}},
		Suppressed: []report.Finding{
			{Fingerprint: "b", Suppression: &report.Suppression{Kind: KindBaseline}},
			{Fingerprint: "c", Suppression: &report.Suppression{Kind: KindInline}},
		},
	}
	b := NewBaseline("x.json", r)
	_, a := b.fps["a"]
	_, bb := b.fps["b"]
	_, c := b.fps["c"]
	if b.Len() != 2 || !a || !bb || c {
		t.Errorf("baseline = %v", b.fps)
	}
}

// TestBaselineEscalation: a baselined finding that became more severe, or
// names an advisory the accepted one did not, is reported again, saying
// why; the same finding as accepted (or milder) stays baselined.
func TestBaselineEscalation(t *testing.T) {
	accepted := report.Finding{RuleID: "NATS-VER-001", Fingerprint: "v", Severity: "high", Message: "nats 2.10.1 is affected by 1 advisory: CVE-2024-1111 (high)"}
	b := NewBaseline("base.json", &report.Report{Findings: []report.Finding{accepted}})
	for _, tc := range []struct {
		name     string
		sev, msg string
		reported string // "" when still baselined
	}{
		{"same", "high", accepted.Message, ""},
		{"milder", "medium", accepted.Message, ""},
		{"more severe", "critical", accepted.Message, "escalated since the baseline: severity high → critical"},
		{"new advisory", "high", "nats 2.10.1 is affected by 2 advisories: CVE-2024-1111 (high), GHSA-abcd-efgh-ijkl (high)", "escalated since the baseline: new advisories GHSA-abcd-efgh-ijkl"},
	} {
		f := accepted
		f.Severity, f.Message = finding.Severity(tc.sev), tc.msg
		res := Apply([]report.Finding{f}, Options{Baseline: b})
		switch {
		case tc.reported == "" && (len(res.Findings) != 0 || len(res.Suppressed) != 1):
			t.Errorf("%s: %d open, %d suppressed; want it baselined", tc.name, len(res.Findings), len(res.Suppressed))
		case tc.reported != "" && (len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Message, tc.reported)):
			t.Errorf("%s: open %v; want it reported with %q", tc.name, res.Findings, tc.reported)
		}
	}
}

// TestExceptionGlobAndMaxSeverity: an exception may name rules by pattern
// (with a reason), and may accept findings only up to a severity.
func TestExceptionGlobAndMaxSeverity(t *testing.T) {
	if _, err := NewException(Exception{Rule: "NATS-STR-*"}); err == nil || !strings.Contains(err.Error(), "needs a reason") {
		t.Errorf("glob without reason: %v", err)
	}
	if _, err := NewException(Exception{Rule: "NATS-STR-001", MaxSeverity: "urgent"}); err == nil {
		t.Error("max_severity urgent accepted")
	}
	e, err := NewException(Exception{Rule: "NATS-STR-*", Reason: "streams are managed by the platform team", MaxSeverity: "medium", Source: "c.yaml:2"})
	if err != nil {
		t.Fatal(err)
	}
	fs := []report.Finding{
		{RuleID: "NATS-STR-001", Severity: "medium", Fingerprint: "1"},
		{RuleID: "NATS-STR-004", Severity: "high", Fingerprint: "2"},
		{RuleID: "NATS-TLS-001", Severity: "low", Fingerprint: "3"},
	}
	res := Apply(fs, Options{Exceptions: []Exception{e}})
	if len(res.Suppressed) != 1 || res.Suppressed[0].RuleID != "NATS-STR-001" {
		t.Errorf("suppressed %v, want NATS-STR-001 only", res.Suppressed)
	}
	if len(res.Findings) != 2 || !strings.Contains(res.Findings[0].Message+res.Findings[1].Message, "the exception at c.yaml:2 accepts up to medium; this finding is high") {
		t.Errorf("open %v, want NATS-STR-004 reported with the reason", res.Findings)
	}
}
