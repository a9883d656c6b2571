package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/report"
)

// maxReportSize bounds what diff reads: a JSON report is kilobytes to a few
// megabytes; anything far larger is not one.
const maxReportSize = 256 << 20

func (a *app) diffCmd() *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Compare two JSON reports: score change, findings fixed, new and still open",
		Long: `Diff compares two JSON reports of the same deployment (natsaudit scan
--format json), e.g. last quarter's and today's: how each category score
moved, which findings were fixed, which are new and which are still open.
Findings are matched by fingerprint (rule, file, target and logical path of
the value), not by line, so edits elsewhere in a file change nothing.`,
		Example: `  natsaudit scan . --format json --output 2026-Q4.json
  natsaudit diff 2026-Q3.json 2026-Q4.json
  natsaudit diff 2026-Q3.json 2026-Q4.json --format markdown --output trend.md`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(report.DiffFormats, format) {
				return &exitError{ExitError, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(report.DiffFormats, ", "))}
			}
			old, err := readReport(args[0])
			if err != nil {
				return &exitError{ExitError, err}
			}
			cur, err := readReport(args[1])
			if err != nil {
				return &exitError{ExitError, err}
			}
			var buf bytes.Buffer
			if err := report.WriteDiff(&buf, report.Compare(old, cur), format); err != nil {
				return &exitError{ExitError, err}
			}
			if output == "" || output == "-" {
				_, err := a.stdout.Write(buf.Bytes())
				return err
			}
			if dir := filepath.Dir(output); dir != "." {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return &exitError{ExitError, fmt.Errorf("write %s: %w", output, err)}
				}
			}
			if err := os.WriteFile(output, buf.Bytes(), 0o644); err != nil {
				return &exitError{ExitError, fmt.Errorf("write %s: %w", output, err)}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(report.DiffFormats, ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

// readReport reads a JSON report and checks that it is one.
func readReport(path string) (*report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("read report %s: is a directory, want a JSON report (natsaudit scan --format json)", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxReportSize+1))
	if err != nil {
		return nil, fmt.Errorf("read report %s: %w", path, err)
	}
	if len(b) > maxReportSize {
		return nil, fmt.Errorf("read report %s: larger than %d MiB, not a natsaudit report", path, maxReportSize>>20)
	}
	r, err := report.ReadJSON(bytes.NewReader(b))
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("read report %s: not valid JSON at byte %d", path, se.Offset)
		}
		return nil, fmt.Errorf("read report %s: not a natsaudit JSON report: %w", path, err)
	}
	if r.Schema != report.Schema {
		return nil, fmt.Errorf("read report %s: not a natsaudit JSON report ($schema is %q, want %q; write one with natsaudit scan --format json)", path, r.Schema, report.Schema)
	}
	return r, nil
}
