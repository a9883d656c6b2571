// Package cli is natsaudit's command line: flags, wiring and exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
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
	// build is how this binary was built, for the reports' provenance
	// (buildInfo); the same for every run of one binary.
	build string
	// quiet (--quiet) drops warnings from stderr; errors are still printed.
	quiet bool
	// debug (--debug) prints timings per phase and the files each source
	// took on stderr.
	debug bool
	// fromEnv are the flags set from NATSAUDIT_* variables, by flag name,
	// so that an error about one names the variable the user set.
	fromEnv map[string]string
}

// explain adds the environment variable to an error about a flag that was
// set from one.
func (a *app) explain(msg string) string {
	names := make([]string, 0, len(a.fromEnv))
	for flag := range a.fromEnv {
		names = append(names, flag)
	}
	sort.Strings(names)
	for _, flag := range names {
		if strings.Contains(msg, "--"+flag+" ") || strings.Contains(msg, "--"+flag+":") {
			return msg + " (set by " + a.fromEnv[flag] + ")"
		}
	}
	return msg
}

// warnf prints a warning on stderr unless --quiet. format is the tool's own
// text; every untrusted argument must already be TerminalSafe.
func (a *app) warnf(format string, args ...any) {
	if a.quiet {
		return
	}
	fmt.Fprintf(a.stderr, "natsaudit: warning: "+format, args...)
}

// debugf prints a --debug line on stderr. format is the tool's own text;
// every untrusted argument must already be TerminalSafe.
func (a *app) debugf(format string, args ...any) {
	if a.debug {
		fmt.Fprintf(a.stderr, "natsaudit: debug: "+format+"\n", args...)
	}
}

// debugSink is audit.Options.Debug for --debug, nil without it.
func (a *app) debugSink() func(string) {
	if !a.debug {
		return nil
	}
	return func(line string) { a.debugf("%s", line) }
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
	a := &app{stdout: stdout, stderr: stderr, getenv: getenv, version: version(), build: buildInfo().text()}
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
			fmt.Fprintf(stderr, "natsaudit: %s\n", report.TerminalSafeLines(a.explain(ee.err.Error())))
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
files, Kubernetes manifests (with kustomize overlays and generators), Helm
values of the nats chart, systemd units, JetStream stream definitions (nats
CLI JSON, NACK, shell scripts) and NATS CLI contexts in a repository, and
running servers through their monitoring endpoints or the system account.
It evaluates a catalog of Rego rules and writes a scored
report (text, JSON, Markdown, HTML, SARIF, JUnit, GitHub annotations, GitLab
Code Quality, Prometheus).

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage or runtime error, 3 incomplete scan (reports written): a rule failed
at evaluation, or no NATS configuration found could be parsed, or none was
found and --fail-on-empty is set. 3 wins over 1. --exit-code N replaces 1.

Every flag can also be set with an environment variable: NATSAUDIT_ and the
flag's name in upper case, dashes as underscores (NATSAUDIT_FAIL_ON=medium,
NATSAUDIT_FORMAT=sarif,markdown). The command line wins. NO_COLOR (any
value) and TERM=dumb turn colours off.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       a.version,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.applyEnv(cmd); err != nil {
				return &exitError{ExitError, err}
			}
			return nil
		},
	}
	root.SetVersionTemplate("natsaudit {{.Version}}\n")
	root.PersistentFlags().BoolVarP(&a.quiet, "quiet", "q", false, "print no warnings on stderr (errors still are)")
	root.PersistentFlags().BoolVar(&a.debug, "debug", false, "print timings per phase and the files each source took on stderr")
	root.AddCommand(a.scanCmd(), a.probeCmd(), a.rulesCmd(), a.versionCmd())
	root.AddCommand(a.diffCmd(), a.trendCmd())
	root.AddCommand(a.baselineCmd())
	return root
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, build, rule count and advisory data date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := engine.New(cmd.Context(), engine.Options{CatalogOnly: true})
			if err != nil {
				return &exitError{ExitError, err}
			}
			b := buildInfo()
			fmt.Fprintf(a.stdout, "natsaudit %s\ncommit:        %s\nbuilt:         %s\ngo:            %s\nrules:         %d\nadvisory data: %s\n",
				a.version, b.commit, b.date, b.goVersion, len(eng.Rules()), orUnknown(audit.AdvisoriesDate(eng)))
			return nil
		},
	}
}

// Commit and Date are set at build time (goreleaser: -X ...cli.Commit={{.Commit}}
// -X ...cli.Date={{.Date}}); otherwise they come from the Go build's VCS
// stamp when there is one.
var Commit, Date = "", ""

type build struct{ module, commit, date, goVersion string }

func buildInfo() build {
	b := build{commit: Commit, date: Date, goVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.module = bi.Main.Version
		if bi.GoVersion != "" {
			b.goVersion = bi.GoVersion
		}
		modified, vcs := false, false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.commit == "" {
					b.commit = s.Value
				}
			case "vcs.time":
				if b.date == "" {
					b.date = s.Value
				}
			case "vcs.modified":
				modified, vcs = s.Value == "true", true
			}
		}
		if b.commit != "" && Commit == "" {
			if modified {
				b.commit += " (modified)"
			} else if vcs {
				b.commit += " (clean)"
			}
		}
	}
	b.commit, b.date = orUnknown(b.commit), orUnknown(b.date)
	return b
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// Run is the entry point of cmd/natsaudit.
func Run() int {
	// A whole process: no garbage collection until the heap reaches 64 MB,
	// Go's pacing after that (a typical repo's scan never collects).
	engine.DelayFirstGC()
	ctx, stop := signalContext()
	defer stop()
	return Main(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
}
