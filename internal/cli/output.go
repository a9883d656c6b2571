package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// outputFlags are the report options shared by scan and probe.
type outputFlags struct {
	formats []string
	outputs []string
	failOn  string
	noColor bool
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
	r := engine.SeverityRank(strings.ToLower(s))
	if r < 0 {
		return 0, fmt.Errorf("--fail-on %q: want critical, high, medium, low, info or never", s)
	}
	return r, nil
}

// write renders the report in every requested format. Every byte goes through
// the secret redactor before it leaves the process.
func (a *app) write(rep *report.Report, ts []target, color bool, sec *secret.Analyzer) error {
	for _, t := range ts {
		var buf bytes.Buffer
		toStdout := t.path == "" || t.path == "-"
		if err := report.Render(t.format, &buf, rep, report.RenderOptions{Color: color && toStdout}); err != nil {
			return fmt.Errorf("render %s: %w", t.format, err)
		}
		out := []byte(sec.Redact(buf.String()))
		if toStdout {
			if _, err := a.stdout.Write(out); err != nil {
				return err
			}
			continue
		}
		if dir := filepath.Dir(t.path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("write %s: %w", t.path, err)
			}
		}
		if err := os.WriteFile(t.path, out, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", t.path, err)
		}
	}
	return nil
}

// gate returns the exit code for the findings.
func gate(rep *report.Report, rank int) int {
	for _, f := range rep.Findings {
		if engine.SeverityRank(f.Severity) >= rank {
			return ExitFindings
		}
	}
	return ExitOK
}
