package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/report"
)

// TestPasswordEqualToReportWords: a password equal to a word of the report
// (a JSON key, a SARIF key, the tool's words, a severity, a path
// component, a rule ID) changes nothing in the report's structure: JSON and
// SARIF keep their keys and every finding, file paths stay paths, baseline
// write accepts every finding, the tool's words stay; and the password is
// still masked where it stands as the secret. Every format is byte for
// byte the report of a control run whose password has the same shape.
func TestPasswordEqualToReportWords(t *testing.T) {
	ruleID := regexp.MustCompile(`^NATS-[A-Z]+-\d{3}$`)
	for _, pw := range []string{"results", "findings", "server", "prod", "$schema", "critical", "docker", "NATS-CRED-001", "ssl/certs"} {
		t.Run(pw, func(t *testing.T) {
			repo, out := t.TempDir(), t.TempDir()
			reports := scanWithPassword(t, repo, out, pw)
			real := map[string]bool{"docker/nats.conf": true, "docker-compose.yml": true, "docker/ssl/certs/prod-server.key": true}
			jsonOut, sarifOut, textOut := filepath.Join(out, "r.json"), filepath.Join(out, "r.sarif"), filepath.Join(out, "r.text")
			var so, se bytes.Buffer

			// A control run with a password of the same shape that is no
			// word of the report: every format is the same, byte for byte.
			control := scanWithPassword(t, t.TempDir(), t.TempDir(), rot13(pw))
			for _, f := range report.Formats {
				if !bytes.Equal(reports[f], control[f]) {
					t.Errorf("%s report differs from the control run (password %q):\n%s", f, rot13(pw), lineDiff(string(control[f]), string(reports[f])))
				}
			}

			// JSON: the keys of the machine contract, every finding whole.
			var rep struct {
				Schema   string `json:"$schema"`
				Summary  struct{ Total int }
				Findings []struct {
					RuleID   string `json:"rule_id"`
					Severity string
					Title    string
					Message  string
					Snippet  string
					Target   string
					Location *struct{ File string }
				}
			}
			b := mustRead(t, jsonOut)
			var top map[string]json.RawMessage
			if err := json.Unmarshal(b, &top); err != nil {
				t.Fatalf("JSON report does not parse: %v", err)
			}
			for _, k := range []string{"$schema", "tool", "scan", "summary", "scores", "findings", "suppressed", "rules", "errors", "notes"} {
				if _, ok := top[k]; !ok {
					t.Errorf("JSON report lost its key %q", k)
				}
			}
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			var sum struct {
				BySeverity map[string]int `json:"by_severity"`
			}
			if err := json.Unmarshal(top["summary"], &sum); err != nil {
				t.Fatal(err)
			}
			for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
				if _, ok := sum.BySeverity[sev]; !ok {
					t.Errorf("summary.by_severity lost %q: %v", sev, sum.BySeverity)
				}
			}
			if len(rep.Findings) < 4 || rep.Summary.Total != len(rep.Findings) || !strings.HasPrefix(rep.Schema, "https://") {
				t.Fatalf("JSON report: %d findings, total %d, schema %q", len(rep.Findings), rep.Summary.Total, rep.Schema)
			}
			seen, severities := map[string]bool{}, 0
			quotedPassword, quotedFlag, toolWords := false, false, false
			for _, f := range rep.Findings {
				if !ruleID.MatchString(f.RuleID) || f.Title == "" || strings.Contains(f.Title, "****") {
					t.Errorf("finding %q %q: rule ID or title changed", f.RuleID, f.Title)
				}
				if slices.Contains([]string{"critical", "high", "medium", "low", "info"}, f.Severity) {
					severities++
				}
				if f.Location != nil {
					seen[f.Location.File] = true
					if !real[f.Location.File] {
						t.Errorf("finding %s points at %q, not a file of the repo", f.RuleID, f.Location.File)
					}
				}
				quotedPassword = quotedPassword || f.Snippet == `password: "****"`
				quotedFlag = quotedFlag || strings.Contains(f.Snippet, `"--pass", "****"`)
				toolWords = toolWords || strings.HasPrefix(f.Message, "server prod") && f.Target == "server prod"
				if strings.Contains(f.Snippet, `"`+pw+`"`) || strings.Contains(f.Snippet, `"`+strings.ReplaceAll(pw, "$", "$$")+`"`) {
					t.Errorf("snippet quotes the password: %q", f.Snippet)
				}
			}
			if severities != len(rep.Findings) {
				t.Errorf("%d of %d findings have a known severity", severities, len(rep.Findings))
			}
			if !quotedPassword || !quotedFlag {
				t.Errorf("the password lines are not quoted masked (conf %v, compose %v)", quotedPassword, quotedFlag)
			}
			if !toolWords {
				t.Error(`no finding says "server prod": the tool's words were masked`)
			}
			if !seen["docker/nats.conf"] || !seen["docker-compose.yml"] || !seen["docker/ssl/certs/prod-server.key"] {
				t.Errorf("findings point at %v", seen)
			}

			// SARIF: results, rule IDs and artifact paths intact.
			var sarif struct {
				Schema string `json:"$schema"`
				Runs   []struct {
					Tool struct {
						Driver struct{ Rules []struct{ ID string } }
					}
					Results []struct {
						RuleID    string `json:"ruleId"`
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string } `json:"artifactLocation"`
							} `json:"physicalLocation"`
						}
					}
				}
			}
			if err := json.Unmarshal(mustRead(t, sarifOut), &sarif); err != nil {
				t.Fatalf("SARIF does not parse: %v", err)
			}
			if len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != len(rep.Findings) {
				t.Fatalf("SARIF has %d runs and %v results, want %d results", len(sarif.Runs), len(sarif.Runs), len(rep.Findings))
			}
			for _, r := range sarif.Runs[0].Results {
				if !ruleID.MatchString(r.RuleID) {
					t.Errorf("SARIF ruleId %q", r.RuleID)
				}
				for _, l := range r.Locations {
					if u := l.PhysicalLocation.ArtifactLocation.URI; !real[u] {
						t.Errorf("SARIF location %q is not a file of the repo", u)
					}
				}
			}
			for _, r := range sarif.Runs[0].Tool.Driver.Rules {
				if !ruleID.MatchString(r.ID) {
					t.Errorf("SARIF rule %q", r.ID)
				}
			}

			// Text: the paths as they are.
			txt := string(mustRead(t, textOut))
			if !strings.Contains(txt, "docker/nats.conf:") || !strings.Contains(txt, "docker-compose.yml:") {
				t.Errorf("text report lost the paths:\n%s", txt)
			}

			// baseline write accepts every finding.
			base := filepath.Join(out, "base.json")
			so.Reset()
			se.Reset()
			if code := Main(context.Background(), []string{"baseline", "write", repo, "--output", base}, &so, &se, os.Getenv); code != 0 {
				t.Fatalf("baseline write: exit %d: %s", code, se.String())
			}
			if want := fmt.Sprintf("wrote %s: %d findings accepted", base, len(rep.Findings)); !strings.Contains(se.String(), want) {
				t.Errorf("baseline write: %q, want %q", se.String(), want)
			}
			so.Reset()
			se.Reset()
			if code := Main(context.Background(), []string{"scan", repo, "--baseline", base, "--fail-on", "info", "--no-color"}, &so, &se, os.Getenv); code != 0 {
				t.Errorf("scan with the baseline: exit %d (findings not matched):\n%s%s", code, so.String(), se.String())
			}
		})
	}
}

// scanWithPassword writes a repository whose nats.conf and compose file
// hold password pw, and a private key at a path made of report words, into
// repo, scans it in every format into out (r.<format>), and returns the
// reports by format.
func scanWithPassword(t *testing.T, repo, out, pw string) map[string][]byte {
	t.Helper()
	files := map[string]string{
		// A first line that is no setting: the fallback location of a
		// server's findings is then the same in every run (issue 12 makes
		// it so for line 1 too).
		"docker/nats.conf": "# prod\nserver_name: prod\nport: 4222\nauthorization {\n  user: app\n  password: \"" + pw + "\"\n}\n",
		"docker-compose.yml": "services:\n  nats:\n    image: nats:2.12.1\n    command: [\"-c\", \"/etc/nats/nats.conf\", \"--pass\", \"" +
			strings.ReplaceAll(pw, "$", "$$") + "\"]\n",
		"docker/ssl/certs/prod-server.key": string(mustRead(t, "../../testdata/repos/sahool/config/certs/nats/server.key")),
	}
	for name, content := range files {
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A fixed --now: the two runs are compared byte for byte, and the
	// certificate and advisory rules depend on the date.
	args := []string{"scan", repo, "--fail-on", "never", "--no-color", "--now", "2026-11-23T00:00:00Z"}
	for _, f := range report.Formats {
		args = append(args, "--format", f, "--output", filepath.Join(out, "r."+f))
	}
	var so, se bytes.Buffer
	if code := Main(context.Background(), args, &so, &se, os.Getenv); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	reports := map[string][]byte{}
	for _, f := range report.Formats {
		// The only thing that may differ between two runs is where the
		// repository is.
		reports[f] = bytes.ReplaceAll(mustRead(t, filepath.Join(out, "r."+f)), []byte(repo), []byte("REPO"))
	}
	return reports
}

// rot13 maps a password to another of the same length, character classes
// and entropy that is no word of the report.
func rot13(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return 'a' + (r-'a'+13)%26
		case 'A' <= r && r <= 'Z':
			return 'A' + (r-'A'+13)%26
		}
		return r
	}, s)
}

// lineDiff lists the lines of got that are not in want, and the reverse.
func lineDiff(want, got string) string {
	var b strings.Builder
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	return b.String()
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
