// Command rulescompile writes rules/catalog.bin, the built-in rules compiled
// once so that natsaudit does not parse and compile them on every run
// (internal/engine/precompiled.go). Run it through `go generate ./rules`;
// TestPrecompiledUpToDate (internal/engine) fails when the committed file is
// stale, and a stale file is ignored at run time.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/natsaudit/natsaudit/internal/engine"
)

func main() {
	out := flag.String("o", "rules/catalog.bin", "output file")
	flag.Parse()
	b, err := engine.Precompile()
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rulescompile:", err)
		os.Exit(1)
	}
}
