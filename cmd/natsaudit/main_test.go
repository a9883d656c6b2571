package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/natsaudit/natsaudit/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"natsaudit": func() { os.Exit(cli.Run()) }})
}

// TestScripts runs the CLI script tests in testdata/script: each file is a
// command line, its input files and its expected output.
func TestScripts(t *testing.T) {
	repos, err := filepath.Abs("../../testdata/repos")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPOS", repos)
			return nil
		},
		RequireExplicitExec: true,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"cpq": cmdCopyQuoted},
	})
}

// cmdCopyQuoted is the script command "cpq SRC DST": it copies SRC to DST,
// a Go string literal without its quotes, so that scripts can make files
// whose names hold control characters ('repo/a\n::error::x.conf').
func cmdCopyQuoted(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cpq SRC DST")
	}
	dst, err := strconv.Unquote(`"` + args[1] + `"`)
	ts.Check(err)
	data := ts.ReadFile(args[0])
	ts.Check(os.WriteFile(ts.MkAbs(dst), []byte(data), 0o644))
}
