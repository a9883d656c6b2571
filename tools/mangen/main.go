// Command mangen writes natsaudit's man pages (one per command) from the
// cobra command tree, so that they never drift from --help:
//
//	go run ./tools/mangen -o docs/man
//
// TestManPagesUpToDate (internal/cli) fails when docs/man is stale.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/natsaudit/natsaudit/internal/cli"
)

func main() {
	out := flag.String("o", "docs/man", "directory for the man pages")
	flag.Parse()
	if err := cli.WriteManPages(*out); err != nil {
		fmt.Fprintln(os.Stderr, "mangen:", err)
		os.Exit(1)
	}
}
