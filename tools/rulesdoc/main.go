// Command rulesdoc writes docs/rules.md from the built-in rules' METADATA.
// Run it through `go generate ./rules`; TestDocsUpToDate
// (internal/catalogdoc) fails when the committed file is stale.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/natsaudit/natsaudit/internal/catalogdoc"
	"github.com/natsaudit/natsaudit/internal/engine"
)

func main() {
	out := flag.String("o", "docs/rules.md", "output file")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "rulesdoc:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	b, err := catalogdoc.DocsFile(eng.Rules(), eng.Params())
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
