package report

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestGoldenMarkdownIsSafe: the goldens of the example repo, with the real
// catalog, render to natsaudit's own elements and links only: the
// references of the built-in rules and the scoring document.
func TestGoldenMarkdownIsSafe(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{CatalogOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	hrefs := map[string]bool{ScoringDocURI: true}
	for _, r := range eng.Rules() {
		// A finding links to its built-in rule's entry in the appendix.
		hrefs["#"+ruleAnchor(r.ID)] = true
		for _, ref := range r.References {
			hrefs[ref] = true
		}
	}
	for _, name := range []string{"sahool.md", "rich.md", "diff.md"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
			if err != nil {
				t.Fatal(err)
			}
			out, err := renderGFM(string(b))
			if err != nil {
				t.Fatal(err)
			}
			// The headings are counted by the hostile tests; here only the
			// elements and links matter.
			c := mdCheck{hrefs: hrefs}
			c.headings = countHeadings(out)
			for _, p := range c.problems(string(b)) {
				t.Error(p)
			}
		})
	}
}

func countHeadings(h string) [4]int {
	var n [4]int
	for _, m := range tagRe.FindAllStringSubmatch(h, -1) {
		if m[1] == "" && len(m[2]) == 2 && m[2][0] == 'h' && m[2][1] >= '1' && m[2][1] <= '4' {
			n[m[2][1]-'1']++
		}
	}
	return n
}
