package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/compliance"
	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/safefile"
)

// auditFlags are the flags of one audit run, shared by scan and probe.
type auditFlags struct {
	out       outputFlags
	now       string
	ruleDirs  []string
	inventory string
	live      liveFlags // --url, --server, ...: live targets
	ci        ciFlags   // --config, --baseline
	// failOnEmpty: exit 3 when the paths hold no NATS configuration.
	failOnEmpty bool
}

type scanFlags struct {
	auditFlags
	maxSize             int64
	skipDirs, skipFiles []string
}

func (a *app) scanCmd() *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Audit a repository (nats.conf, compose, .env, Kubernetes, Helm, systemd, streams, scripts)",
		Long: `Scan walks the paths (default: the current directory), skipping .git, vendor
and node_modules, reads every input it understands, builds one model of the
deployment and evaluates the rules.

Paths and fingerprints in the report are relative to the project root: the
nearest directory at or above the scanned paths (their deepest common
directory when several are given) that holds a .natsaudit.yaml or a .git,
else the scanned directory itself. The .natsaudit.yaml there is the settings
file unless --config names another.`,
		Example: `  natsaudit scan
  natsaudit scan path/to/repo other/file.conf --format json --output report.json
  natsaudit scan . --format sarif --output natsaudit.sarif --format markdown --output report.md --fail-on high`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runScan(cmd, args, &f)
		},
	}
	a.addOutputFlags(cmd, &f.out)
	a.addLiveFlags(cmd, &f.live, true)
	cmd.Flags().Int64Var(&f.maxSize, "max-file-size", discover.DefaultMaxSize, "skip files larger than this many bytes")
	cmd.Flags().StringSliceVar(&f.skipDirs, "skip-dirs", nil, "leave out directories matching these globs (comma-separated or repeated; ** allowed; a name without / matches anywhere: testdata)")
	cmd.Flags().StringSliceVar(&f.skipFiles, "skip-files", nil, "leave out files matching these globs (as --skip-dirs: **/*.test.yml, docker-compose.ci.yml)")
	cmd.Flags().StringArrayVar(&f.ruleDirs, "rules", nil, "directory of extra Rego rules (repeatable)")
	addCIFlags(cmd, &f.ci, ".natsaudit.yaml at the scanned directory")
	cmd.Flags().BoolVar(&f.failOnEmpty, "fail-on-empty", false, "exit 3 when the paths hold no NATS configuration (default: exit 0 with a warning)")
	cmd.Flags().StringVar(&f.inventory, "inventory", "", "also write the Rego input (the inventory rules see) to this file, for writing rules")
	cmd.Flags().StringVar(&f.now, "now", "", "evaluate as if it were this time (RFC 3339); for reproducible reports")
	_ = cmd.Flags().MarkHidden("now")
	return cmd
}

func (a *app) addOutputFlags(cmd *cobra.Command, o *outputFlags) {
	cmd.Flags().StringArrayVarP(&o.formats, "format", "f", nil, "output format: "+strings.Join(report.Formats, ", ")+" (repeatable; pairs with --output in order; or format=file)")
	cmd.Flags().StringArrayVarP(&o.outputs, "output", "o", nil, "write the matching --format to this file instead of stdout (repeatable)")
	cmd.Flags().StringVar(&o.failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity: critical, high, medium, low, info, never")
	cmd.Flags().BoolVar(&o.noColor, "no-color", false, "disable colours in text output (also NO_COLOR set, or TERM=dumb)")
	cmd.Flags().StringSliceVar(&o.severities, "severity", nil, "report only findings of these severities (comma-separated: critical,high,...); scores still count every finding")
	cmd.Flags().IntVar(&o.exitCode, "exit-code", ExitFindings, "exit code when a finding is at or above --fail-on")
	registerCompletions(cmd)
	cmd.Flags().StringVar(&o.sarifCategory, "sarif-category", "", `SARIF code-scanning category (automationDetails.id "natsaudit/<category>/"); default "config", or "live" when servers were probed`)
	cmd.Flags().IntVar(&o.markdownMaxBytes, "markdown-max-bytes", report.DefaultMarkdownMaxBytes, "shorten the Markdown report to at most this many bytes (a GitHub comment holds 65536): less detail per finding first, then fewer findings; 0 for no limit")
	cmd.Flags().StringSliceVar(&o.compliance, "compliance", nil, "add a compliance section per framework: "+strings.Join(compliance.Names, ", ")+" (comma-separated or repeated; natsaudit's own mapping, see docs/compliance.md)")
	cmd.Flags().BoolVar(&o.sarifIncludeSuppressed, "sarif-include-suppressed", false, "keep suppressed findings in SARIF, marked with suppressions (GitHub shows them as open alerts)")
	cmd.Flags().StringArrayVar(&o.history, "history", nil, "past JSON reports (files, or directories of *.json; repeatable): the HTML report adds the trend of scores and findings with this scan as its last point, and per rule what changed since the latest of them; that one is also --previous unless given")
	cmd.Flags().StringVar(&o.previous, "previous", "", "JSON report of the last audit: the Markdown and HTML reports open with what was fixed, is new, escalated or still open, and the score change")
	cmd.Flags().StringVar(&o.commit, "commit", "", "commit of the scanned tree, for the report's provenance (default: $GITHUB_SHA or $CI_COMMIT_SHA; .git is never read)")
	cmd.Flags().StringVar(&o.treeDirty, "tree-dirty", "", "whether the scanned tree has changes not in --commit (true or false; the CI step that checked it out knows), for the report's provenance: not known without it, as .git is never read")
	cmd.Flags().Lookup("tree-dirty").NoOptDefVal = "true"
}

func (a *app) runScan(cmd *cobra.Command, args []string, f *scanFlags) error {
	if len(args) == 0 {
		args = []string{"."}
	}
	// Paths and fingerprints are relative to the project root, not to the
	// directory scanned: `scan nats/` and `scan .` name a finding alike.
	base, err := discover.ProjectRoot(args)
	if err != nil {
		return &exitError{ExitError, err}
	}
	for _, g := range append(append([]string{}, f.skipDirs...), f.skipFiles...) {
		if !doublestar.ValidatePattern(g) {
			return &exitError{ExitError, fmt.Errorf("--skip-dirs/--skip-files %q is not a valid glob", g)}
		}
	}
	ignore, err := readIgnore(base)
	if err != nil {
		return &exitError{ExitError, err}
	}
	return a.runAudit(cmd, &f.auditFlags, audit.Options{Paths: args, Base: base, MaxSize: f.maxSize, SkipDirs: f.skipDirs, SkipFiles: f.skipFiles, Ignore: ignore}, nil)
}

// runAudit is scan and probe: parse the shared flags, load the rules and
// settings, run the audit, write every requested output and gate on
// --fail-on. opts holds what the command decided (paths, base); precheck,
// when set, validates the flags before the rules are loaded.
func (a *app) runAudit(cmd *cobra.Command, f *auditFlags, opts audit.Options, precheck func() error) error {
	ts, err := f.out.targets()
	if err != nil {
		return &exitError{ExitError, err}
	}
	rank, err := failRank(f.out.failOn)
	if err != nil {
		return &exitError{ExitError, err}
	}
	sevs, err := parseSeverities(f.out.severities)
	if err != nil {
		return &exitError{ExitError, err}
	}
	frameworks, err := parseCompliance(f.out.compliance)
	if err != nil {
		return &exitError{ExitError, err}
	}
	if f.out.exitCode < 1 || f.out.exitCode > 125 {
		return &exitError{ExitError, fmt.Errorf("--exit-code %d: want 1 to 125 (0 would hide findings; 2 and 3 are natsaudit's own)", f.out.exitCode)}
	}
	if opts.Now, err = parseNow(f.now); err != nil {
		return &exitError{ExitError, err}
	}
	if precheck != nil {
		if err := precheck(); err != nil {
			return &exitError{ExitError, err}
		}
	}
	liveOnly := len(opts.Paths) == 0
	g := guardFor(opts.Paths)
	if err := f.live.checkFiles(g, a.getenv, liveOnly); err != nil {
		return &exitError{ExitError, err}
	}
	if f.live.maxRuleMemory < 0 {
		return &exitError{ExitError, errors.New("--max-rule-memory must not be negative")}
	}
	eo := engine.Options{RuleDirs: f.ruleDirs, Guard: g, MaxHeap: f.live.maxRuleMemory, Background: true}
	if cmd.Flags().Changed("timeout") {
		eo.EvalTimeout = f.live.timeout
	}
	t0 := time.Now()
	prog := startProgress(a.stderr, isTerminal(a.stderr) && !a.quiet && !a.debug, time.Second)
	defer prog.stop()
	eng, settings, err := a.loadEngine(cmd.Context(), g, &f.ci, opts.Base, eo)
	if err != nil {
		return &exitError{ExitError, err}
	}
	prog.phase("load rules", fmt.Sprintf("%d rules", len(eng.Rules())))
	a.debugf("%-20s %8s  %d rules", "load rules", time.Since(t0).Round(time.Microsecond), len(eng.Rules()))
	if opts.Base != "" {
		a.debugf("project root: %s", report.TerminalSafe(projectRootName(opts.Base)))
	}
	if settings.cfg != nil {
		a.debugf("settings: %s", report.TerminalSafe(settings.cfg.Name))
	}
	opts.Debug = a.debugSink()
	if prog != nil {
		opts.Progress = prog.phase
	}
	opts.Version = a.version
	settings.apply(&opts)
	if err := f.live.setup(a, eng, &opts, liveOnly); err != nil {
		return &exitError{ExitError, err}
	}
	res, err := audit.Run(cmd.Context(), eng, opts)
	if err != nil {
		return &exitError{ExitError, err}
	}
	prog.stop() // before any warning or the report: the line is cleared
	a.finish(settings, res)
	// Before --severity filters: a control fails on every finding of its
	// rules, as the scores count every finding.
	report.AddCompliance(res.Report, frameworks)
	if sevs == nil && settings.cfg != nil && settings.cfg.MinimumSeverity != "" {
		filterSeverities(res.Report, atLeast(settings.cfg.MinimumSeverity), "minimum_severity in "+settings.cfg.Name)
	} else {
		filterSeverities(res.Report, sevs, "--severity")
	}
	// Inputs that were not read are in the report's notes: discovery's
	// (over --max-file-size, unreadable, FIFOs, broken symlinks) and
	// assembly's (a .conf that is not a NATS server config). The text
	// report has no notes and counts them as "skipped (warnings on
	// stderr)", so say each where a CI log shows it.
	for _, n := range res.Report.Notes {
		if strings.HasPrefix(n, "skipped ") {
			a.warnf("%s\n", report.TerminalSafe(res.Secrets.Redact(n)))
		}
	}
	if f.inventory != "" {
		if err := writeInventory(g, f.inventory, res); err != nil {
			return &exitError{ExitError, err}
		}
	}
	// The catalog gives Markdown and SARIF each rule's description and fix.
	ropt := f.out.renderOptions(eng.Rules(), opts.Base)
	ropt.Color = a.colour(f.out.noColor)
	if err := a.auditExtras(g, &ropt, &f.out, settings, res.Report); err != nil {
		return &exitError{ExitError, err}
	}
	t0 = time.Now()
	if err := a.writeWith(g, res.Report, ts, ropt, res.Secrets); err != nil {
		return &exitError{ExitError, err}
	}
	a.debugf("%-20s %8s  %d outputs", "render", time.Since(t0).Round(time.Microsecond), len(ts))
	a.warnStatus(res.Report)
	if code := exitCode(res.Report, rank, f.failOnEmpty, f.out.exitCode); code != ExitOK {
		return &exitError{code: code}
	}
	return nil
}

func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now %q: want RFC 3339, e.g. 2026-01-06T00:00:00Z", s)
	}
	return t, nil
}

// colour says whether text on stdout gets colours: a terminal, no
// --no-color, no NO_COLOR (https://no-color.org: any non-empty value) and
// not TERM=dumb.
func (a *app) colour(noColor bool) bool {
	return useColour(noColor, a.getenv, isTerminal(a.stdout))
}

func useColour(noColor bool, getenv func(string) string, terminal bool) bool {
	return terminal && !noColor && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeInventory writes the Rego input, its values scrubbed like every
// other output (secret.Analyzer.ScrubJSON: values only, never keys).
func writeInventory(g *safefile.Guard, path string, res *audit.Result) error {
	b, err := json.MarshalIndent(res.Inventory, "", "  ")
	if err != nil {
		return fmt.Errorf("encode inventory: %w", err)
	}
	if b, err = res.Secrets.ScrubJSON(b); err != nil {
		return fmt.Errorf("scrub inventory: %w", err)
	}
	if err := g.WriteFile(path, append(b, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// readIgnore reads the .natsauditignore at the project root, if any: a
// file of the tree, read like a found .natsaudit.yaml (a link out of the
// tree or into .git is an error, never followed). A pattern that is not
// valid is an error naming its line.
func readIgnore(root string) (*discover.Ignore, error) {
	p := filepath.Join(root, discover.IgnoreFile)
	if _, err := os.Lstat(p); err != nil {
		return nil, nil
	}
	data, err := foundConfigReader(root)(p, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", discover.IgnoreFile, err)
	}
	ig, bad := discover.ParseIgnore(data)
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s:%d: not a valid pattern (gitignore syntax, at most 1000 lines)", discover.IgnoreFile, bad[0])
	}
	return ig, nil
}

// projectRootName is the project root as --debug shows it: relative to the
// working directory (never an absolute path).
func projectRootName(root string) string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	if r, err := filepath.Rel(wd, root); err == nil {
		return filepath.ToSlash(r)
	}
	return "."
}
