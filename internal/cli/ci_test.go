package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCIExitCodes pins the exit codes of the CI features: configuration
// mistakes and rules that do not compile are usage errors (2), failing rule
// tests are failures (1).
func TestCIExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	repo := filepath.Dir(write("repo/nats.conf", "port: 4222\ndebug: true # natsaudit:ignore NATS-OPS-001 reason=\"test\"\n"))
	write("repo/.natsaudit.yaml", "enabled: [NATS-OPS-001]\n")
	unknownKey := write("unknown-key.yaml", "exceptions:\n  - rule: NATS-OPS-001\n    reasons: typo\n")
	unknownRule := write("unknown-rule.yaml", "disabled: [NATS-NOPE-001]\n")
	failing := filepath.Dir(write("failing/a_test.rego", "package natsaudit.rules.a_test\n\ntest_fails if {\n\t1 == 2\n}\n"))
	broken := filepath.Dir(write("broken/a.rego", "package natsaudit.rules.a\n\ndeny contains x if {\n\ty == 1\n}\n"))
	examples := "../../examples/custom-rules"

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"inline ignore leaves nothing", []string{"scan", repo, "--fail-on", "info"}, ExitOK, ""},
		{"unknown key", []string{"scan", repo, "--config", unknownKey}, ExitError, `unknown-key.yaml:3: unknown key "reasons" in exception`},
		{"unknown rule", []string{"scan", repo, "--config", unknownRule}, ExitError, "unknown-rule.yaml:1: unknown rule NATS-NOPE-001"},
		{"missing config", []string{"scan", repo, "--config", filepath.Join(dir, "nope.yaml")}, ExitError, "read config"},
		{"missing baseline", []string{"scan", repo, "--baseline", filepath.Join(dir, "nope.json")}, ExitError, "baseline: read report"},
		{"example rule tests pass", []string{"rules", "test", examples}, ExitOK, ""},
		{"failing rule test", []string{"rules", "test", failing}, ExitFindings, "some tests failed"},
		{"rules that do not compile", []string{"rules", "test", broken}, ExitError, "a.rego:3: rego_unsafe_var_error: var x is unsafe"},
		{"scan with rules that do not compile", []string{"scan", repo, "--rules", broken}, ExitError, "a.rego:3: rego_unsafe_var_error: var x is unsafe"},
		{"no rules at all", []string{"rules", "test", filepath.Join(dir, "repo")}, ExitError, "no .rego files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
}
