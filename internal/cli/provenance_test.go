package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestProvenanceBuildAndTree: the report's provenance names how natsaudit
// was built (module version, VCS revision and state, Go version: from
// runtime/debug.ReadBuildInfo) and whether the scanned tree was dirty as
// --tree-dirty says it; without the flag it says that this is not known
// (natsaudit never reads .git to find out). A value that is not a boolean
// is a usage error.
func TestProvenanceBuildAndTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nats.conf"), []byte("port: 4222\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{nil, "**Scanned tree:** not known whether it had uncommitted changes"},
		{[]string{"--tree-dirty"}, "**Scanned tree:** dirty"},
		{[]string{"--tree-dirty=true"}, "**Scanned tree:** dirty"},
		{[]string{"--tree-dirty=false"}, "**Scanned tree:** clean"},
	} {
		args := append([]string{"scan", dir, "--now", reportNow, "--format", "markdown", "--fail-on", "never", "--commit", "0123abc"}, tc.flags...)
		code, out, stderr := runCLI(t, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", tc.flags, code, stderr)
		}
		flat := strings.Join(strings.Fields(out), " ")
		if !strings.Contains(flat, tc.want) {
			t.Errorf("%v: the provenance lacks %q", tc.flags, tc.want)
		}
		if !strings.Contains(flat, "**Build:** ") || !strings.Contains(flat, runtime.Version()) {
			t.Errorf("%v: the provenance does not give the build and its Go version (%s)", tc.flags, runtime.Version())
		}
	}
	if code, _, stderr := runCLI(t, "scan", dir, "--format", "markdown", "--tree-dirty=maybe"); code != ExitError || !strings.Contains(stderr, "--tree-dirty") {
		t.Errorf("--tree-dirty=maybe: exit %d (%s), want a usage error", code, stderr)
	}
}

// TestBuildText: the build's words from the fields ReadBuildInfo gives.
func TestBuildText(t *testing.T) {
	for _, tc := range []struct {
		b    build
		want string
	}{
		{build{module: "v1.2.3", commit: "0123abc (clean)", date: "2026-12-01T10:00:00Z", goVersion: "go1.25.3"}, "module v1.2.3, commit 0123abc (clean), built 2026-12-01T10:00:00Z, go1.25.3"},
		{build{module: "(devel)", commit: "unknown", date: "unknown", goVersion: "go1.25.3"}, "module (devel), commit unknown, go1.25.3"},
	} {
		if got := tc.b.text(); got != tc.want {
			t.Errorf("text() = %q, want %q", got, tc.want)
		}
	}
}
