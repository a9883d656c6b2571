package main

import (
	"os"
	"path/filepath"
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
	})
}
