package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMutate: each mutator replaces the token at line:col as Gremlins
// does, and a position or type that does not match is an error (the file
// changed since the run), never a silent no-op.
func TestMutate(t *testing.T) {
	src := "package p\n\nfunc f(a, b int) bool {\n\treturn a < b && -a == b+1\n}\n"
	for _, tc := range []struct {
		line, col int
		typ, want string
	}{
		{4, 11, "CONDITIONALS_BOUNDARY", "return a <= b && -a == b+1"},
		{4, 11, "CONDITIONALS_NEGATION", "return a >= b && -a == b+1"},
		{4, 15, "INVERT_LOGICAL", "return a < b || -a == b+1"},
		{4, 18, "INVERT_NEGATIVES", "return a < b && +a == b+1"},
		{4, 21, "CONDITIONALS_NEGATION", "return a < b && -a != b+1"},
		{4, 25, "ARITHMETIC_BASE", "return a < b && -a == b-1"},
	} {
		got, err := mutate([]byte(src), tc.line, tc.col, tc.typ)
		if err != nil {
			t.Errorf("%d:%d %s: %v", tc.line, tc.col, tc.typ, err)
			continue
		}
		if !strings.Contains(string(got), "\t"+tc.want+"\n") {
			t.Errorf("%d:%d %s:\n%s\nwant %q", tc.line, tc.col, tc.typ, got, tc.want)
		}
	}
	for _, tc := range []struct {
		line, col int
		typ       string
	}{
		{4, 12, "CONDITIONALS_BOUNDARY"}, // no token starts there
		{4, 15, "CONDITIONALS_BOUNDARY"}, // && is not a comparison
		{4, 11, "INVERT_BWASSIGN"},       // not a mutator recheck knows
	} {
		if _, err := mutate([]byte(src), tc.line, tc.col, tc.typ); err == nil {
			t.Errorf("%d:%d %s: no error", tc.line, tc.col, tc.typ)
		}
	}
}

// TestReadAllow: entries need a reason; comments and blank lines are
// skipped.
func TestReadAllow(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/good.txt"
	bad := dir + "/bad.txt"
	if err := writeFile(good, "# c\n\ninternal/x/a.go:1:2 ARITHMETIC_BASE because\n"); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(bad, "internal/x/a.go:1:2 ARITHMETIC_BASE\n"); err != nil {
		t.Fatal(err)
	}
	a, err := readAllow(good)
	if err != nil || len(a) != 1 || a["internal/x/a.go:1:2 ARITHMETIC_BASE"] == nil || a["internal/x/a.go:1:2 ARITHMETIC_BASE"].reason != "because" {
		t.Errorf("good: %v %v", a, err)
	}
	if _, err := readAllow(bad); err == nil {
		t.Error("an entry without a reason was accepted")
	}
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o644) }

// TestExcludeArgs: a target limited to some files of its directory passes
// Gremlins an exclusion for each other Go file, written from the package
// directory as Gremlins matches them (patterns from the module root
// excluded nothing, and the seam's run mutated every source under it).
func TestExcludeArgs(t *testing.T) {
	root := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, f := range []string{"p/a.go", "p/a_test.go", "p/b.go", "p/sub/c.go", "p/notes.txt"} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := writeFile(f, "package p\n"); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ only, want string }{
		{`^a\.go$`, `-E ^b\.go$ -E ^sub/c\.go$`},
		{`^[^/]+\.go$`, `-E ^sub/c\.go$`},
		{``, ``},
	} {
		got, err := excludeArgs(target{pkg: "./p", only: tc.only})
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("only %q: %q, %v; want %q", tc.only, got, err, tc.want)
		}
	}
}
