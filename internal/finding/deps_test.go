package finding_test

import (
	"go/build"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/natsaudit/natsaudit/"

// TestVocabularyDoesNotNeedTheEngine pins the point of this package: the
// packages that score, suppress, configure and render findings build
// without the rule engine and without OPA, so a change of engine can't
// ripple into them and they stay quick to test.
func TestVocabularyDoesNotNeedTheEngine(t *testing.T) {
	for _, pkg := range []string{"finding", "report", "score", "suppress", "config", "trend", "compliance"} {
		seen := map[string]bool{}
		var walk func(path string, chain []string)
		walk = func(path string, chain []string) {
			if seen[path] {
				return
			}
			seen[path] = true
			dir := filepath.Join("..", strings.TrimPrefix(path, module+"internal/"))
			p, err := build.ImportDir(dir, 0)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, imp := range p.Imports {
				next := append(append([]string{}, chain...), imp)
				switch {
				case strings.Contains(imp, "open-policy-agent"), imp == module+"internal/engine":
					t.Errorf("internal/%s imports %s (through %s)", pkg, imp, strings.Join(next, " → "))
				case strings.HasPrefix(imp, module+"internal/"):
					walk(imp, next)
				}
			}
		}
		walk(module+"internal/"+pkg, []string{"internal/" + pkg})
	}
}
