package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestManPagesUpToDate: docs/man is generated from the command tree; a flag
// added without regenerating (go run ./tools/mangen -o docs/man) fails here.
func TestManPagesUpToDate(t *testing.T) {
	dir := t.TempDir()
	if err := WriteManPages(dir); err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	have, _ := filepath.Glob("../../docs/man/*.1")
	if len(want) == 0 || len(want) != len(have) {
		t.Fatalf("%d pages generated, %d in docs/man: run go run ./tools/mangen -o docs/man", len(want), len(have))
	}
	for _, p := range want {
		got, err := os.ReadFile(filepath.Join("../../docs/man", filepath.Base(p)))
		if err != nil {
			t.Fatalf("%v: run go run ./tools/mangen -o docs/man", err)
		}
		exp, _ := os.ReadFile(p)
		if string(got) != string(exp) {
			t.Errorf("docs/man/%s is stale: run go run ./tools/mangen -o docs/man", filepath.Base(p))
		}
	}
}
