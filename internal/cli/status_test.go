package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestExitCodesForIncompleteScans: the exit code tells a complete audit
// from one that is not (docs/reports.md, "Exit codes and gating").
func TestExitCodesForIncompleteScans(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("empty/README.md", "no NATS here\n")
	write("broken/nats.conf", "port: 4222\nauthorization {\n  user: app\n")
	write("open/nats.conf", "server_name: open-1\nlisten: 0.0.0.0:4222\n")
	write("clean/nats.conf", "listen: 127.0.0.1:4222\nauthorization { token: $T }\nhttp: 127.0.0.1:8222\n")
	conflict := "../engine/testdata/conflict-rule"
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"nothing found", []string{"empty"}, ExitOK},
		{"nothing found, --fail-on-empty", []string{"empty", "--fail-on-empty"}, ExitIncomplete},
		{"only config does not parse", []string{"broken"}, ExitIncomplete},
		{"only config does not parse, --fail-on never", []string{"broken", "--fail-on", "never"}, ExitIncomplete},
		{"findings", []string{"open"}, ExitFindings},
		{"findings below --fail-on", []string{"open", "--fail-on", "never"}, ExitOK},
		{"a rule failed", []string{"open", "--rules", conflict, "--fail-on", "never"}, ExitIncomplete},
		{"a rule failed and findings: incomplete wins", []string{"open", "--rules", conflict}, ExitIncomplete},
		{"a rule that does not fail on this input", []string{"clean", "--rules", conflict, "--fail-on", "never"}, ExitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"scan"}, tc.args...)
			args = append(args, "--now", reportNow, "--format", "json", "--output", filepath.Join(t.TempDir(), "r.json"))
			wd, _ := os.Getwd()
			abs := func(a string) string {
				if a == conflict {
					return filepath.Join(wd, a)
				}
				return a
			}
			for i := range args {
				args[i] = abs(args[i])
			}
			t.Chdir(root)
			if code, _, stderr := runCLI(t, args...); code != tc.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.want, stderr)
			}
		})
	}
}
