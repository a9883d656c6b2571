package ci_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// installScript is the Action's installer (action.yml runs it).
func installScript(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(root, "action", "install.sh"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestActionInstallVerify runs the installer's verify step on local files:
// the archive whose SHA-256 the checksums file gives passes; a tampered
// archive, a checksums file without its line, with two lines for it, or
// with a malformed digest are refused.
func TestActionInstallVerify(t *testing.T) {
	lookTool(t, "bash")
	lookTool(t, "sha256sum")
	script := installScript(t)
	dir := t.TempDir()
	name := "natsaudit_1.2.3_linux_amd64.tar.gz"
	archive := filepath.Join(dir, name)
	content := []byte("not really a tarball, but bytes with a digest")
	if err := os.WriteFile(archive, content, 0o644); err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(content)
	sum := hex.EncodeToString(s[:])
	other := strings.Repeat("0", 64)
	cases := []struct {
		name, sums string
		tamper     bool
		ok         bool
		stderr     string
	}{
		{"matching", fmt.Sprintf("%s  natsaudit_1.2.3_darwin_arm64.tar.gz\n%s  %s\n", other, sum, name), false, true, ""},
		{"binary mode line", fmt.Sprintf("%s *%s\n", sum, name), false, true, ""},
		{"tampered archive", fmt.Sprintf("%s  %s\n", sum, name), true, false, "does not match"},
		{"no line for it", fmt.Sprintf("%s  natsaudit_1.2.3_darwin_arm64.tar.gz\n", sum), false, false, "found 0"},
		{"two lines for it", fmt.Sprintf("%s  %s\n%s  %s\n", sum, name, other, name), false, false, "found 2"},
		{"not a digest", fmt.Sprintf("%s  %s\n", sum[:60], name), false, false, "found 0"},
		{"a name that only ends like it", fmt.Sprintf("%s  evil-%s\n", sum, name), false, false, "found 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := content
			if c.tamper {
				data = append(append([]byte{}, content...), '!')
			}
			if err := os.WriteFile(archive, data, 0o644); err != nil {
				t.Fatal(err)
			}
			sums := filepath.Join(dir, "checksums.txt")
			if err := os.WriteFile(sums, []byte(c.sums), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", script, "verify", archive, sums)
			out, err := cmd.CombinedOutput()
			if c.ok != (err == nil) {
				t.Fatalf("verify: err %v, want ok=%v\n%s", err, c.ok, out)
			}
			if !strings.Contains(string(out), c.stderr) {
				t.Errorf("output %q lacks %q", out, c.stderr)
			}
		})
	}
}

// TestActionInstallScript lints the installer, and checks that off a
// release tag it falls back to the cached build without any download
// (so no network is needed here), and that the cache key names the ref
// and go.sum's digest.
func TestActionInstallScript(t *testing.T) {
	script := installScript(t)
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	checkScript(t, "action/install.sh", string(data))

	lookTool(t, "bash")
	cmd := exec.Command("bash", script, "release", t.TempDir())
	cmd.Env = append(os.Environ(), "ACTION_REF=main::error::x", "PATH=/usr/bin:/bin")
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != "installed=false" {
		t.Errorf("release on a branch ref: %v, stdout %q", err, out)
	}
	if ee, ok := err.(*exec.ExitError); ok && strings.Contains(string(ee.Stderr), "::") {
		t.Errorf("a ref reached the log as a workflow command: %s", ee.Stderr)
	}

	abs, _ := filepath.Abs(root)
	cmd = exec.Command("bash", script, "cache-key")
	cmd.Env = append(os.Environ(), "GITHUB_ACTION_PATH="+abs, "ACTION_REF=v1.2.3", "RUNNER_OS=Linux", "RUNNER_ARCH=X64")
	out, err = cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	gs, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(gs)
	want := regexp.MustCompile(`^natsaudit-bin-Linux-X64-v1\.2\.3-` + hex.EncodeToString(s[:])[:16] + `-[0-9a-f]{16}$`)
	if key := strings.TrimSpace(string(out)); !want.MatchString(key) {
		t.Errorf("cache key %q does not match %s", key, want)
	}
}

// TestActionInstallMatchesGoreleaser: the names the installer downloads
// are the names .goreleaser.yaml publishes.
func TestActionInstallMatchesGoreleaser(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var g goreleaser
	if err := yaml.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	sh, err := os.ReadFile(installScript(t))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^readonly CHECKSUMS_NAME=(\S+)$`).FindSubmatch(sh)
	if m == nil || string(m[1]) != g.Checksum.NameTemplate || g.Checksum.Algorithm != "sha256" {
		t.Errorf("install.sh expects checksums %q, .goreleaser.yaml publishes %q (%s)", m, g.Checksum.NameTemplate, g.Checksum.Algorithm)
	}
	if len(g.Archives) != 1 || g.Archives[0].NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" || g.ProjectName != "natsaudit" {
		t.Fatalf("archive names changed in .goreleaser.yaml: update archive_name in action/install.sh and this test")
	}
	if !slices.Contains(g.Archives[0].Formats, "tar.gz") {
		t.Errorf("linux/darwin archives are %v, install.sh extracts tar.gz", g.Archives[0].Formats)
	}
	if !strings.Contains(string(sh), `printf 'natsaudit_%s_%s_%s.tar.gz\n' "$1" "$2" "$3"`) {
		t.Error("archive_name in install.sh is not natsaudit_<version>_<os>_<arch>.tar.gz")
	}
	action, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`action/install.sh" release`, "steps.cache.outputs.cache-hit != 'true'", "key: ${{ steps.release.outputs.cache-key }}"} {
		if !strings.Contains(string(action), want) {
			t.Errorf("action.yml lacks %q", want)
		}
	}
}
