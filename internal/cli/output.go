package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// outputFlags are the report options shared by scan and probe.
type outputFlags struct {
	formats []string
	outputs []string
	failOn  string
	noColor bool
	// severities (--severity) are the only ones reported and gated on;
	// empty is all.
	severities []string
	// exitCode (--exit-code) replaces ExitFindings.
	exitCode int
	// SARIF: code-scanning category and whether suppressed findings stay in.
	sarifCategory          string
	sarifIncludeSuppressed bool
	// Markdown: the most bytes it may have (0: no bound).
	markdownMaxBytes int
	// compliance (--compliance) names the frameworks whose controls the
	// report judges.
	compliance []string
	// previous (--previous) is the last audit's JSON report; commit
	// (--commit) the scanned commit, for the Markdown and HTML reports.
	previous string
	commit   string
	// treeDirty (--tree-dirty) is "true", "false" or "" (not known).
	treeDirty string
	// history (--history) are past JSON reports (files or directories):
	// the HTML report shows the trend with this scan as its last point.
	history []string
}

// renderOptions are the report options from the flags, with the rule
// catalog and the scanned directory (for repository-relative SARIF paths).
func (o *outputFlags) renderOptions(rules []*engine.Rule, scanned string) report.RenderOptions {
	return report.RenderOptions{
		Rules:                  rules,
		SourceRoot:             sourceRoot(scanned),
		SARIFCategory:          o.sarifCategory,
		SARIFIncludeSuppressed: o.sarifIncludeSuppressed,
		FailOn:                 o.failOn,
		MarkdownMaxBytes:       o.markdownMaxBytes,
	}
}

// sourceRoot is dir relative to the root of the git repository holding it,
// because GitHub resolves SARIF paths against the repository root; outside
// a repository, relative to the working directory, or absolute when dir is
// outside it.
func sourceRoot(dir string) string {
	if dir == "" {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return filepath.ToSlash(dir)
	}
	for d := abs; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			if rel, err := filepath.Rel(d, abs); err == nil {
				return filepath.ToSlash(rel)
			}
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(abs)
}

// target is one rendering: a format written to a file or to stdout.
type target struct {
	format string
	path   string // "" or "-" for stdout
}

// targets pairs --format and --output in order: the i-th output receives the
// i-th format. A single format with no output goes to stdout.
func (o *outputFlags) targets() ([]target, error) {
	formats := o.formats
	if len(formats) == 0 {
		formats = []string{"text"}
	}
	var out []target
	for _, f := range formats {
		// format=path names one file: its path is not a list (a path
		// may hold a comma).
		if i := strings.IndexByte(f, '='); i > 0 && !strings.Contains(f[:i], ",") {
			out = append(out, target{format: strings.TrimSpace(f[:i]), path: f[i+1:]})
			continue
		}
		for _, part := range strings.Split(f, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			// format=path is accepted too: --format sarif=out.sarif
			if i := strings.IndexByte(part, '='); i > 0 {
				out = append(out, target{format: part[:i], path: part[i+1:]})
				continue
			}
			out = append(out, target{format: part})
		}
	}
	plain := 0
	for i := range out {
		if out[i].path == "" {
			if plain < len(o.outputs) {
				out[i].path = o.outputs[plain]
			}
			plain++
		}
	}
	if len(o.outputs) > plain {
		return nil, fmt.Errorf("%d --output given for %d --format: pair each --output with a --format", len(o.outputs), plain)
	}
	// -f text -f json -o report.json would write the text report into
	// report.json and JSON to stdout: with several formats, every --output
	// must have its own format, or none.
	if len(o.outputs) > 0 && len(o.outputs) < plain {
		return nil, fmt.Errorf("%d formats but %d --output: give each format its file (--format json=report.json, or one --output per --format, in order)", plain, len(o.outputs))
	}
	stdout := 0
	for _, t := range out {
		if !known(t.format) {
			return nil, fmt.Errorf("unknown format %q (want one of %s)", t.format, strings.Join(report.Formats, ", "))
		}
		if t.path == "" || t.path == "-" {
			stdout++
		}
	}
	if stdout > 1 {
		return nil, fmt.Errorf("several formats would go to stdout: give each an --output file")
	}
	return out, nil
}

func known(f string) bool {
	for _, x := range report.Formats {
		if x == f {
			return true
		}
	}
	return false
}

// failRank parses --fail-on; "never" disables failing.
func failRank(s string) (int, error) {
	if s == "never" || s == "none" {
		return 99, nil
	}
	r := finding.SeverityRank(strings.ToLower(s))
	if r < 0 {
		return 0, fmt.Errorf("--fail-on %q: want critical, high, medium, low, info or never", s)
	}
	return r, nil
}

// writeWith renders the report in every requested format, its values
// masked by what each holds (report.Redacted: never its keys, the tool's
// words or file paths, so that no password can change what the report
// says or where it points; no pass over the rendered bytes).
// opt carries the rule catalog and the SARIF settings; Color applies to
// stdout only.
// Files are written through g: never through a link (safefile.Guard.WriteFile).
func (a *app) writeWith(g *safefile.Guard, rep *report.Report, ts []target, opt report.RenderOptions, sec *secret.Analyzer) error {
	for _, t := range ts {
		var buf bytes.Buffer
		toStdout := t.path == "" || t.path == "-"
		o := opt
		o.Color = opt.Color && toStdout
		// Masked before escaping: Markdown and JSON escapes would hide a
		// secret from any pass over the rendered bytes.
		o.Redact = sec
		if err := report.Render(t.format, &buf, rep, o); err != nil {
			return fmt.Errorf("render %s: %w", t.format, err)
		}
		out := buf.Bytes()
		if toStdout {
			if _, err := a.stdout.Write(out); err != nil {
				return err
			}
			continue
		}
		if err := g.WriteFile(t.path, out); err != nil {
			return fmt.Errorf("write %s: %w", t.path, err)
		}
	}
	return nil
}

// gate returns the exit code for the findings.
func gate(rep *report.Report, rank int) int {
	for _, f := range rep.Findings {
		if finding.SeverityRank(f.Severity) >= rank {
			return ExitFindings
		}
	}
	return ExitOK
}
