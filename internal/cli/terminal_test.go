package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// hostileTerm is what a pull request puts into a name to act on the
// terminal or the CI log that shows natsaudit's output: an OSC 52
// clipboard write, a screen clear, a bidi override, and a GitHub workflow
// command on a line of its own.
const hostileTerm = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202e\n::error file=a::pwned ##[error]legacy"

// terminalProblems lists what in out could act on a terminal or a CI log.
func terminalProblems(out string) []string {
	var probs []string
	for _, r := range out {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029) {
			probs = append(probs, fmt.Sprintf("control or format character %U", r))
		}
	}
	for i, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "::") || strings.Contains(l, "##[") {
			probs = append(probs, fmt.Sprintf("line %d is a workflow command: %q", i+1, l))
		}
	}
	return probs
}

// TestScanWarningsTerminalSafe: names from the scanned tree reach stderr
// (skipped files, ignore comments naming unknown rules) and the text
// report, but no escape sequence or workflow command does.
func TestScanWarningsTerminalSafe(t *testing.T) {
	dir := t.TempDir()
	conf := "port: 4222\ndebug: true # natsaudit:ignore NATS-OPS-001,EVIL-" + strings.ReplaceAll(hostileTerm, "\n", "") + " reason=\"x\"\n"
	if err := os.WriteFile(filepath.Join(dir, "nats.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big"+hostileTerm+".conf")
	if err := os.WriteFile(big, []byte(strings.Repeat("# padding\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "scan", dir, "--no-color", "--fail-on", "never", "--max-file-size", "500")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, p := range terminalProblems(stderr) {
		t.Errorf("stderr: %s", p)
	}
	for _, p := range terminalProblems(stdout) {
		t.Errorf("stdout: %s", p)
	}
	// The names are still shown, with the escapes visible.
	if !strings.Contains(stderr, `EVIL-\x1b]52;C;ZXZPBA==\x07\x1b[2J\u202e`) { // rule IDs are upper-cased
		t.Errorf("the unknown rule's name is not shown visibly:\n%s", stderr)
	}
	if t.Failed() {
		t.Logf("stderr:\n%s\nstdout:\n%s", stderr, stdout)
	}
}

// TestRulesCommandsTerminalSafe: a custom rule's metadata is text from the
// scanned tree; rules list, rules show and the errors about it print it
// safely.
func TestRulesCommandsTerminalSafe(t *testing.T) {
	dir := t.TempDir()
	q := func(s string) string {
		return strings.NewReplacer("\x1b", `\e`, "\x07", `\a`, "\n", `\n`, "\u202e", `\u202e`, `"`, `\"`).Replace(s)
	}
	rule := `package natsaudit.rules.evil

import data.natsaudit.lib

# METADATA
# title: "Evil ` + q(hostileTerm) + `"
# description: "Line one\n::error::from the description\n\u202eend"
# related_resources:
#   - ref: https://example.com/x
# custom:
#   id: EVIL-001
#   severity: low
#   category: operations
#   sources: [config]
#   remediation: "Fix it.\n::warning::from the remediation ` + q("\x1b]8;;https://evil/\x07") + `"
deny contains f if {
	some s in input.servers
	f := lib.finding(rego.metadata.rule(), s, "config/port", "x")
}
`
	if err := os.WriteFile(filepath.Join(dir, "evil.rego"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"rules", "list", "--rules", dir},
		{"rules", "show", "EVIL-001", "--rules", dir},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if !strings.Contains(stdout, "EVIL-001") {
			t.Errorf("%v does not show the rule:\n%s", args, stdout)
		}
		for _, p := range terminalProblems(stdout + stderr) {
			t.Errorf("%v: %s", args, p)
		}
	}
	// A broken custom rule whose file name is hostile: the error names it.
	bad := t.TempDir()
	name := filepath.Join(bad, "x"+hostileTerm+".rego")
	if err := os.WriteFile(name, []byte("package natsaudit.rules.bad\n\ndeny contains x if {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "rules", "list", "--rules", bad)
	if code != ExitError {
		t.Fatalf("exit %d, want %d: %s", code, ExitError, stderr)
	}
	for _, p := range terminalProblems(stdout + stderr) {
		t.Errorf("error for a broken rule: %s", p)
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", stderr)
	}
}

// TestEscapedSecretStaysMasked: a password full of characters that
// Markdown and JSON escape ("*", "_", "<", "&", quotes) is also a server's
// name, so it reaches messages and names in every format. Masking the
// rendered bytes alone misses it once a format has escaped it
// (Zq\*9\_x... in Markdown); the renderers mask before they escape.
func TestEscapedSecretStaysMasked(t *testing.T) {
	dir := t.TempDir()
	const secret = `Zq*9_xQv7Kp<w>&1"\`
	conf := "server_name: 'Zq*9_xQv7Kp<w>&1\"\\'\nport: 4222\nauthorization { user: admin, password: 'Zq*9_xQv7Kp<w>&1\"\\' }\n"
	if err := os.WriteFile(filepath.Join(dir, "nats.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var args []string
	for _, f := range []string{"text", "json", "markdown", "sarif"} {
		args = append(args, "--format", f, "--output", filepath.Join(out, "r."+f))
	}
	code, stdout, stderr := runCLI(t, append([]string{"scan", dir, "--fail-on", "never"}, args...)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	seen := false
	for _, f := range []string{"text", "json", "markdown", "sarif"} {
		b, err := os.ReadFile(filepath.Join(out, "r."+f))
		if err != nil {
			t.Fatal(err)
		}
		// The middle of the secret survives any escaping of its ends.
		if strings.Contains(string(b), "Qv7Kp") {
			t.Errorf("%s report shows the secret:\n%s", f, grepLines(string(b), "Qv7Kp"))
		}
		seen = seen || strings.Contains(string(b), "****")
	}
	if strings.Contains(stdout+stderr, "Qv7Kp") {
		t.Errorf("stdout/stderr show the secret")
	}
	if !seen {
		t.Errorf("no report masks anything: the secret %q never reached the output, so the test tests nothing", secret)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
