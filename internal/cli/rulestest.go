package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

// rulesTestCmd runs a rule directory's *_test.rego, like `conftest verify`:
// with the built-in library and data, and the same capabilities as a scan
// (no network, no side effects).
func (a *app) rulesTestCmd() *cobra.Command {
	var run string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "test DIR...",
		Short: "Run the Rego unit tests (*_test.rego) of a directory of custom rules",
		Long: `Test compiles the rules and tests of each DIR with the built-in rules, the
natsaudit library (data.natsaudit.lib) and the default parameters
(data.natsaudit.params), under the same capabilities as a scan (no
http.send, no network lookups), then runs every test_* rule of the
DIR's *_test.rego files and prints one line per test and a summary.

Exit codes: 0 all tests passed, 1 a test failed or errored (or there is
none), 2 the rules or tests do not compile (errors name file:line).`,
		Example: `  natsaudit rules test examples/custom-rules
  natsaudit rules test policies/ --run max_age`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			ctx := cmd.Context()
			eng, err := engine.New(ctx, engine.Options{RuleDirs: dirs, IncludeTests: true})
			if err != nil {
				return &exitError{ExitError, err}
			}
			own, err := regoFiles(dirs)
			if err != nil {
				return &exitError{ExitError, err}
			}
			// The DIRs' modules and the built-in rules and library; the
			// built-in tests stay out (go test runs them).
			mods := map[string]*ast.Module{}
			for name, m := range eng.Modules {
				if own[name] || !strings.HasSuffix(name, "_test.rego") {
					mods[name] = m
				}
			}
			runner := tester.NewRunner().
				SetCompiler(ast.NewCompiler().WithCapabilities(engine.Capabilities())).
				SetStore(inmem.NewFromObject(map[string]any{"natsaudit": eng.Data})).
				SetTimeout(timeout).
				SetModules(mods).
				Filter(run)
			// Tests are rules too: one that allocates without bound is
			// stopped by the same heap budget as a scan's evaluation.
			ctx, stop := engine.WithHeapLimit(ctx, 0)
			defer stop()
			ch, err := runner.RunTests(ctx, nil)
			if err != nil {
				return &exitError{ExitError, fmt.Errorf("compile tests: %w", err)}
			}
			var results []*tester.Result
			for r := range ch {
				if r.Location != nil && own[r.Location.File] {
					results = append(results, r)
				}
			}
			var heap *engine.HeapError
			if errors.As(context.Cause(ctx), &heap) {
				_ = a.reportTests(results, dirs)
				return &exitError{ExitError, heap}
			}
			return a.reportTests(results, dirs)
		},
	}
	cmd.Flags().StringVar(&run, "run", "", "run only the tests whose name matches this regular expression")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "bound on each test")
	return cmd
}

// regoFiles lists the .rego files under dirs by the names the engine gives
// their modules.
func regoFiles(dirs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".rego") {
				out[engine.ModuleName(p)] = true
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list rules in %s: %w", dir, err)
		}
	}
	return out, nil
}

// reportTests prints one line per test, in file order, and the counts.
func (a *app) reportTests(results []*tester.Result, dirs []string) error {
	sort.Slice(results, func(i, j int) bool {
		li, lj := results[i].Location, results[j].Location
		if li.File != lj.File {
			return li.File < lj.File
		}
		return li.Row < lj.Row
	})
	var passed, failed, errored, skipped int
	for _, r := range results {
		// Package, rule and file names come from the rule files.
		name := report.TerminalSafe(r.Package + "." + r.Name)
		where := fmt.Sprintf("%s:%d", report.TerminalSafe(r.Location.File), r.Location.Row)
		switch {
		case r.Error != nil:
			errored++
			fmt.Fprintf(a.stdout, "ERROR %s (%s)\n      %s\n", name, where, report.TerminalSafe(oneLine(r.Error.Error())))
		case r.Fail:
			failed++
			fmt.Fprintf(a.stdout, "FAIL  %s (%s)\n", name, where)
			if r.FailedAt != nil && r.FailedAt.Location != nil {
				fmt.Fprintf(a.stdout, "      failed at %s:%d: %s\n", report.TerminalSafe(r.FailedAt.Location.File), r.FailedAt.Location.Row, report.TerminalSafe(oneLine(string(r.FailedAt.Location.Text))))
			}
		case r.Skip:
			skipped++
			fmt.Fprintf(a.stdout, "SKIP  %s (%s)\n", name, where)
		default:
			passed++
			fmt.Fprintf(a.stdout, "PASS  %s (%s)\n", name, r.Duration.Round(10*time.Microsecond))
		}
	}
	fmt.Fprintln(a.stdout, strings.Repeat("-", 60))
	summary := fmt.Sprintf("%s: %d passed, %d failed, %d errors", plural(len(results), "test"), passed, failed, errored)
	if skipped > 0 {
		summary += fmt.Sprintf(", %d skipped", skipped)
	}
	fmt.Fprintln(a.stdout, summary)
	if len(results) == 0 {
		return &exitError{ExitFindings, fmt.Errorf("no tests in %s: write test_* rules in *_test.rego files", strings.Join(dirs, ", "))}
	}
	if failed+errored > 0 {
		return &exitError{ExitFindings, errors.New("some tests failed")}
	}
	return nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
