package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/natsaudit/natsaudit/internal/report"
)

// ghCommand is one parsed workflow command.
type ghCommand struct {
	level string
	props map[string]string
	msg   string
}

// ghUnescape reverses GitHub's escaping, as the runner does.
func ghUnescape(s string, prop bool) string {
	r := []string{"%0D", "\r", "%0A", "\n"}
	if prop {
		r = append(r, "%3A", ":", "%2C", ",")
	}
	return strings.ReplaceAll(strings.NewReplacer(r...).Replace(s), "%25", "%")
}

// parseGitHub reads the output as the runner would: every line must be a
// command natsaudit writes, with only the properties it sets.
func parseGitHub(t *testing.T, out []byte) []ghCommand {
	t.Helper()
	var cmds []ghCommand
	for i, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		var c ghCommand
		for _, l := range []string{"error", "warning", "notice"} {
			if strings.HasPrefix(line, "::"+l+" ") {
				c.level = l
			}
		}
		if c.level == "" {
			t.Errorf("line %d is not an annotation command: %q", i+1, line)
			continue
		}
		rest := strings.TrimPrefix(line, "::"+c.level+" ")
		end := strings.Index(rest, "::")
		if end < 0 {
			t.Errorf("line %d: no end of properties: %q", i+1, line)
			continue
		}
		c.props = map[string]string{}
		for _, p := range strings.Split(rest[:end], ",") {
			k, v, ok := strings.Cut(p, "=")
			if !ok || !map[string]bool{"file": true, "line": true, "col": true, "title": true}[k] {
				t.Errorf("line %d: property %q is not one natsaudit sets", i+1, p)
			}
			if _, dup := c.props[k]; dup {
				t.Errorf("line %d: property %s twice", i+1, k)
			}
			c.props[k] = ghUnescape(v, true)
		}
		c.msg = ghUnescape(rest[end+2:], false)
		cmds = append(cmds, c)
	}
	return cmds
}

func checkGitHub(t *testing.T, out []byte, r *report.Report) {
	t.Helper()
	cmds := parseGitHub(t, out)
	if len(cmds) != len(r.Findings) {
		t.Fatalf("%d annotations for %d findings", len(cmds), len(r.Findings))
	}
	want := map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}
	for i, f := range r.Findings {
		c := cmds[i]
		if c.level != want[string(f.Severity)] {
			t.Errorf("%s (%s) is a %s annotation, want %s", f.RuleID, f.Severity, c.level, want[string(f.Severity)])
		}
		if f.Location != nil && c.props["line"] != fmt.Sprint(f.Location.Line) {
			t.Errorf("%s: line=%q, want %d", f.RuleID, c.props["line"], f.Location.Line)
		}
		if !strings.HasPrefix(c.props["title"], f.RuleID+" ") {
			t.Errorf("%s: title %q does not name the rule", f.RuleID, c.props["title"])
		}
	}
}

// TestGitHubHostile: names and messages holding line breaks, workflow
// commands and GitHub's escape characters stay inside their annotation,
// and come out of the runner's unescaping as they went in (made visible).
func TestGitHubHostile(t *testing.T) {
	r := scan(t, exampleRepo)
	evil := []string{
		"x\n::error file=a,line=1::pwned",
		"a\r\n::add-mask::x%0A::set-env name=A::b",
		"100% sure, file=::x:y,z",
		"##[error]legacy %25 %3A",
		"::stop-commands::token",
	}
	for i := range r.Findings {
		e := evil[i%len(evil)]
		r.Findings[i].Message = e
		r.Findings[i].Title = e
		r.Findings[i].Snippet = e
		if r.Findings[i].Location != nil {
			l := *r.Findings[i].Location
			l.File = "dir," + e
			r.Findings[i].Location = &l
		}
	}
	out := render(t, "github", r, renderOpts(t))
	cmds := parseGitHub(t, out)
	if len(cmds) != len(r.Findings) {
		t.Fatalf("%d commands for %d findings: an input started a line of its own", len(cmds), len(r.Findings))
	}
	for i, c := range cmds {
		e := evil[i%len(evil)]
		if !strings.Contains(c.msg, report.TerminalSafe(e)) {
			t.Errorf("message %q does not hold the input %q as visible text", c.msg, report.TerminalSafe(e))
		}
		if strings.ContainsAny(c.msg+c.props["file"]+c.props["title"], "\r\n") && !strings.Contains(c.msg, "\n") {
			t.Errorf("a raw line break from input: %q", c.msg)
		}
		for _, line := range strings.Split(c.msg, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "::") || strings.Contains(line, "##[") {
				t.Errorf("a line of the annotation is a workflow command: %q", line)
			}
		}
	}
	if bytes.Contains(out, []byte("##[")) {
		t.Error("a legacy ##[ command reached the log")
	}
}

func checkPrometheus(t *testing.T, out []byte, r *report.Report) {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("the Prometheus text parser rejects the output: %v", err)
	}
	seen := map[string]bool{}
	for name, fam := range fams {
		if fam.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s is %s, want gauge", name, fam.GetType())
		}
		for _, m := range fam.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			if seen[key] {
				t.Errorf("series %s twice", key)
			}
			seen[key] = true
		}
	}
	total := 0.0
	for _, m := range fams["natsaudit_findings"].GetMetric() {
		total += m.GetGauge().GetValue()
	}
	if int(total) != r.Summary.Total {
		t.Errorf("natsaudit_findings adds up to %v, want %d", total, r.Summary.Total)
	}
	for _, want := range []string{"natsaudit_score", "natsaudit_rule_findings", "natsaudit_scan_duration_seconds", "natsaudit_info"} {
		if fams[want] == nil {
			t.Errorf("no %s", want)
		}
	}
	if r.Scores.Overall != nil {
		found := false
		for _, m := range fams["natsaudit_score"].GetMetric() {
			if m.GetLabel()[0].GetValue() == "overall" && fmt.Sprintf("%.1f", m.GetGauge().GetValue()) == fmt.Sprintf("%.1f", *r.Scores.Overall) {
				found = true
			}
		}
		if !found {
			t.Error("no overall score")
		}
	}
}

// TestPrometheusHostileLabels: server names with quotes, backslashes and
// line breaks stay inside their label value.
func TestPrometheusHostileLabels(t *testing.T) {
	r := scan(t, exampleRepo)
	r.Scan.Servers = []string{"a\"b\\c\nnatsaudit_score{category=\"overall\"} 10", "sahool-nats"}
	r.Scan.Roots = []string{"root\" } 1\n# TYPE x counter"}
	out := render(t, "prometheus", r, renderOpts(t))
	checkPrometheus(t, out, r)
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fams["natsaudit_score"].GetMetric()); n != 5 {
		t.Errorf("%d natsaudit_score series, want 5: a server name added one", n)
	}
	found := false
	for _, m := range fams["natsaudit_server_findings"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "server" && l.GetValue() == report.TerminalSafe(r.Scan.Servers[0]) {
				found = true
			}
		}
	}
	if !found {
		t.Error("the hostile server name is not a label value as it was (made visible)")
	}
}
