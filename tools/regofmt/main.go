// Command regofmt formats Rego files in place as `opa fmt -w` does, with the
// OPA module natsaudit is built with (so no separate opa binary, and the same
// formatter version as rules/lint_test.go checks against).
//
//	go run ./tools/regofmt [dir ...]   (default: rules)
package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

func main() {
	dirs := os.Args[1:]
	if len(dirs) == 0 {
		dirs = []string{"rules"}
	}
	failed := false
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out, err := format.SourceWithOpts(p, src, format.Opts{RegoVersion: ast.RegoV1})
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", p, err)
				failed = true
				return nil
			}
			if !bytes.Equal(out, src) {
				fmt.Println(p)
				return os.WriteFile(p, out, 0o644)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}
