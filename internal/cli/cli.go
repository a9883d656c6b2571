// Package cli is natsaudit's command line: flags, wiring and exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/report"
)

// Exit codes.
const (
	ExitOK       = 0 // nothing at or above --fail-on
	ExitFindings = 1 // findings at or above --fail-on
	ExitError    = 2 // usage or runtime error
	// ExitIncomplete: the report was written but is not a complete audit:
	// a rule package failed at evaluation, the NATS configuration found
	// could not be parsed at all, or (--fail-on-empty) none was found.
	ExitIncomplete = 3
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// app holds what commands need from the process, so tests can run them
// in-process.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	version        string
}

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return "0.1.0-dev"
}

// Main runs the CLI and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdout: stdout, stderr: stderr, getenv: getenv, version: version()}
	root := a.root()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "natsaudit: %s\n", report.TerminalSafeLines(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "natsaudit: %s\n", report.TerminalSafeLines(err.Error()))
	if strings.Contains(err.Error(), "unknown flag") || strings.Contains(err.Error(), "unknown command") || strings.Contains(err.Error(), "accepts") {
		fmt.Fprintln(stderr, "Run 'natsaudit --help' for usage.")
	}
	return ExitError
}

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "natsaudit",
		Short: "Audit NATS deployments for security and reliability problems",
		Long: `natsaudit audits NATS deployments: nats.conf files, docker-compose files, .env
files and JetStream stream definitions in a repository, and running servers
through their monitoring endpoints or the system account. It evaluates a
catalog of Rego rules and writes a scored report (text, JSON, Markdown, SARIF).

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage or runtime error, 3 incomplete scan (reports written): a rule failed
at evaluation, or no NATS configuration found could be parsed, or none was
found and --fail-on-empty is set. 3 wins over 1.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       a.version,
	}
	root.SetVersionTemplate("natsaudit {{.Version}}\n")
	root.AddCommand(a.scanCmd(), a.probeCmd(), a.rulesCmd(), a.versionCmd())
	root.AddCommand(a.diffCmd())
	root.AddCommand(a.baselineCmd())
	return root
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.stdout, "natsaudit %s\n", a.version)
			return nil
		},
	}
}

// Run is the entry point of cmd/natsaudit.
func Run() int {
	ctx, stop := signalContext()
	defer stop()
	return Main(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
}
