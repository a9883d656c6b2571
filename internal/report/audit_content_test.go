package report_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/score"
)

// forwardRef is a recommendation that points elsewhere instead of saying
// what to do.
var forwardRef = regexp.MustCompile(`(?i)see the message|the message names|see below|see above|listed below|as follows|the following|\.\.\.|:$`)

// TestAuditReportContent checks the issue 19 promises on the example
// repository's Markdown report: the totals add up, every recommendation is
// a full sentence that stands on its own, no evidence is a bare "{", one
// root cause is shown and scored once, and the first screen names the
// most urgent actions with their deadlines.
func TestAuditReportContent(t *testing.T) {
	r := scan(t, exampleRepo)
	md := string(render(t, "markdown", r, renderOpts(t)))

	t.Run("severity table adds up", func(t *testing.T) {
		row := regexp.MustCompile(`(?m)^\| (Critical|High|Medium|Low|Info) \| (\d+) \| (\d+) \|$`)
		total := regexp.MustCompile(`(?m)^\| \*\*Total\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|$`)
		var fs, rs int
		for _, m := range row.FindAllStringSubmatch(md, -1) {
			f, _ := strconv.Atoi(m[2])
			n, _ := strconv.Atoi(m[3])
			fs, rs = fs+f, rs+n
		}
		tm := total.FindStringSubmatch(md)
		if tm == nil {
			t.Fatal("no total row")
		}
		if tm[1] != strconv.Itoa(fs) || tm[2] != strconv.Itoa(rs) || fs != len(r.Findings) {
			t.Errorf("columns sum to %d findings, %d rules; total row says %s, %s; the report has %d findings", fs, rs, tm[1], tm[2], len(r.Findings))
		}
	})

	t.Run("recommendations are full sentences", func(t *testing.T) {
		// Plan rows: "| n | <sentence> (RULE at places) | ...".
		plan := regexp.MustCompile(`(?m)^\| \d+ \| (.+?) \(NATS-[A-Z0-9]+-\d+ at [^|]*\) \|`)
		rows := plan.FindAllStringSubmatch(md, -1)
		if len(rows) == 0 {
			t.Fatal("no remediation plan rows")
		}
		for _, m := range rows {
			checkSentence(t, m[1])
		}
		// Most urgent items: the fix after "Deadline: …." or the places.
		sec := section(md, "## Most urgent")
		if !strings.Contains(sec, "1. ") {
			t.Fatal("no most urgent list")
		}
		if forwardRef.MatchString(sec) {
			t.Errorf("most urgent points elsewhere: %q", forwardRef.FindString(sec))
		}
	})

	t.Run("no bare brace as evidence", func(t *testing.T) {
		for _, f := range r.Findings {
			s := strings.TrimSpace(f.Snippet)
			if s == "{" || s == "[" {
				t.Errorf("%s at %v: snippet is a bare %q", f.RuleID, f.Location, s)
			}
			// A finding about a setting that is not there names it.
			if strings.HasSuffix(s, "{") && (strings.Contains(f.Message, "not set") || strings.Contains(f.Message, "unset")) {
				t.Errorf("%s: snippet %q does not say what is missing", f.RuleID, s)
			}
		}
	})

	t.Run("one root cause scored once", func(t *testing.T) {
		// NATS-VER-001 and NATS-VER-002 are the same image tag.
		if !strings.Contains(md, "Same root cause, also NATS-VER-002") {
			t.Error("NATS-VER-002 is not shown with NATS-VER-001")
		}
		if strings.Contains(md, "#### NATS-VER-002") {
			t.Error("NATS-VER-002 has a section of its own although its root cause is shown under NATS-VER-001")
		}
		var without []report.Finding
		for _, f := range r.Findings {
			if f.RuleID != "NATS-VER-002" {
				without = append(without, f)
			}
		}
		ev := evaluatedRules(t, r)
		with, wo := score.Compute(r.Findings, ev), score.Compute(without, ev)
		if *with.Categories["security"].Score != *wo.Categories["security"].Score {
			t.Errorf("security %v with NATS-VER-002, %v without: the shared root cause is charged twice", *with.Categories["security"].Score, *wo.Categories["security"].Score)
		}
	})

	t.Run("coverage next to every score", func(t *testing.T) {
		sec := section(md, "## Scores")
		for _, c := range []string{"Security", "Reliability", "Performance", "Operations"} {
			if !regexp.MustCompile(`(?m)^- ` + c + `: .*coverage \d+%`).MatchString(sec) {
				t.Errorf("%s has no coverage next to its score", c)
			}
		}
		if !strings.Contains(sec, "Performance: 9.5/10") || !strings.Contains(sec, "**low\n  confidence**") {
			t.Errorf("offline Performance is not marked low confidence:\n%s", sec)
		}
	})

	t.Run("first screen", func(t *testing.T) {
		exec, urgent := strings.Index(md, "## Executive summary"), strings.Index(md, "## Most urgent")
		if exec < 0 || urgent < exec || strings.Index(md, "## Findings") < urgent {
			t.Fatal("the executive summary and most urgent do not come first")
		}
		first := md[:strings.Index(md, "## Scores")]
		for _, want := range []string{"**Deadlines**", "CVE-2025-30215", "fixed in 2.15.2", "| certificate expiry |", "2026-12-10 (in 17 days)", "end-of-life"} {
			if !strings.Contains(first, want) {
				t.Errorf("first screen lacks %q", want)
			}
		}
		items := regexp.MustCompile(`(?m)^\d\. \*\*[^*]+\*\*\s+\((NATS-[A-Z0-9]+-\d+),`).FindAllStringSubmatch(section(md, "## Most urgent"), -1)
		var got []string
		for _, m := range items {
			got = append(got, m[1])
		}
		// On the golden date the certificate expires in 17 days (medium):
		// it is in the list for its deadline, after the advisory and the
		// default password.
		if len(got) < 3 || got[0] != "NATS-VER-001" || got[1] != "NATS-CRED-002" || !contains(got, "NATS-TLS-014") {
			t.Errorf("most urgent = %v, want NATS-VER-001, NATS-CRED-002 first and NATS-TLS-014 in it", got)
		}
		if !strings.Contains(section(md, "## Most urgent"), "Deadline: 2026-12-10 (in 17\n") && !strings.Contains(section(md, "## Most urgent"), "Deadline: 2026-12-10 (in 17 days)") {
			t.Error("the certificate's deadline is not in most urgent")
		}
	})
}

func checkSentence(t *testing.T, s string) {
	t.Helper()
	s = strings.TrimSpace(s)
	if s == "" || !strings.HasSuffix(s, ".") || strings.HasSuffix(s, "..") {
		t.Errorf("not a full sentence: %q", s)
	}
	if c := s[0]; !(c >= 'A' && c <= 'Z') && c != '`' {
		t.Errorf("does not start a sentence: %q", s)
	}
	if forwardRef.MatchString(s) {
		t.Errorf("points elsewhere (%q): %q", forwardRef.FindString(s), s)
	}
}

// section is the text of the Markdown section that starts at heading, up
// to the next heading of the same level.
func section(md, heading string) string {
	i := strings.Index(md, heading+"\n")
	if i < 0 {
		return ""
	}
	rest := md[i+len(heading)+1:]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// evaluatedRules are the catalog rules r says were evaluated.
func evaluatedRules(t *testing.T, r *report.Report) []*engine.Rule {
	ev := map[string]bool{}
	for _, rs := range r.Rules {
		ev[rs.ID] = rs.Evaluated
	}
	var out []*engine.Rule
	for _, rule := range testEngine(t).Rules() {
		if ev[rule.ID] {
			out = append(out, rule)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
