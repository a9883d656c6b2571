package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/natsaudit/natsaudit/internal/testgen"
)

// determinismFixtures are the fixtures every output is checked on: every
// example repo under testdata/repos, one with the custom-rules example
// loaded, and a generated monorepo.
func determinismFixtures(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	repos, err := os.ReadDir("../../testdata/repos")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range repos {
		if r.IsDir() {
			out["repos/"+r.Name()] = []string{filepath.Join("../../testdata/repos", r.Name())}
		}
	}
	if len(out) < 2 {
		t.Fatalf("found %d example repos under testdata/repos", len(out))
	}
	out["repos/sahool+examples/custom-rules"] = []string{"../../testdata/repos/sahool", "--rules", "../../examples/custom-rules"}
	gen := t.TempDir()
	if _, err := testgen.Generate(gen, testgen.Options{Services: 12, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	out["generated"] = []string{gen}
	return out
}

// TestOutputIsDeterministic: the same input gives the same bytes, run after
// run, in every format (docs/reports.md). Each fixture is scanned five times
// through the CLI with --now; locations picked from maps, map-ordered
// lists or wall-clock values would show up as a difference.
func TestOutputIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("scans every fixture five times")
	}
	formats := []string{"json", "text", "markdown", "sarif"}
	for name, args := range determinismFixtures(t) {
		t.Run(name, func(t *testing.T) {
			var first map[string][]byte
			for run := 0; run < 5; run++ {
				dir := t.TempDir()
				cmd := []string{"scan"}
				cmd = append(cmd, args...)
				cmd = append(cmd, "--now", reportNow, "--fail-on", "never", "--no-color")
				for _, f := range formats {
					cmd = append(cmd, "--format", f+"="+filepath.Join(dir, "report."+f))
				}
				if code, _, stderr := runCLI(t, cmd...); code != ExitOK {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				got := map[string][]byte{}
				for _, f := range formats {
					b, err := os.ReadFile(filepath.Join(dir, "report."+f))
					if err != nil {
						t.Fatal(err)
					}
					got[f] = b
				}
				if first == nil {
					first = got
					if !bytes.Contains(got["json"], []byte(`"rule_id"`)) && name != "repos/hardened" {
						t.Fatalf("no findings: the comparison would prove little")
					}
					continue
				}
				for _, f := range formats {
					if !bytes.Equal(first[f], got[f]) {
						t.Errorf("run %d: %s differs from run 1 at byte %d:\n%s", run+1, f, diffAt(first[f], got[f]), diffContext(first[f], got[f]))
					}
				}
			}
		})
	}
}

// diffAt is the first offset where a and b differ.
func diffAt(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// diffContext shows the line around the first difference in each.
func diffContext(a, b []byte) string {
	i := diffAt(a, b)
	line := func(x []byte) string {
		s := bytes.LastIndexByte(x[:min(i, len(x))], '\n') + 1
		e := bytes.IndexByte(x[min(i, len(x)):], '\n')
		if e < 0 {
			return string(x[s:])
		}
		return string(x[s : min(i, len(x))+e])
	}
	return "  run 1: " + line(a) + "\n  now:   " + line(b)
}
