package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/safefile"
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
			g := safefile.NewGuard()
			old, err := readReport(g, args[0])
			if err != nil {
				return &exitError{ExitError, err}
			}
			cur, err := readReport(g, args[1])
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
			if err := g.WriteFile(output, buf.Bytes()); err != nil {
				return &exitError{ExitError, fmt.Errorf("write %s: %w", output, err)}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(report.DiffFormats, ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

// readReport reads a JSON report and checks that it is one. g decides
// whether path may be read (a link planted in the tree is not followed out
// of it); messages never quote the file.
func readReport(g *safefile.Guard, path string) (*report.Report, error) {
	b, err := g.ReadFile(path, maxReportSize)
	if err != nil {
		var tl *safefile.TooLargeError
		switch {
		case errors.As(err, &tl):
			return nil, fmt.Errorf("read report %s: larger than %d MiB, not a natsaudit report", path, maxReportSize>>20)
		case errors.Is(err, safefile.ErrIsDir):
			return nil, fmt.Errorf("read report %s: is a directory, want a JSON report (natsaudit scan --format json)", path)
		}
		return nil, fmt.Errorf("read report %s: %w", path, safefile.CleanErr(err))
	}
	r, err := report.ReadJSON(bytes.NewReader(b))
	if err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("read report %s: not valid JSON at byte %d", path, se.Offset)
		case errors.As(err, &te):
			// The error's Value quotes a number of the file: name the
			// field and the JSON types only.
			return nil, fmt.Errorf("read report %s: not a natsaudit JSON report (%s: a JSON %s where %s is expected)", path, te.Field, strings.Fields(te.Value + " value")[0], jsonKind(te.Type))
		}
		return nil, fmt.Errorf("read report %s: not a natsaudit JSON report", path)
	}
	if r.Schema != report.Schema {
		return nil, fmt.Errorf("read report %s: not a natsaudit JSON report ($schema is not natsaudit's; write one with natsaudit scan --format json)", path)
	}
	return r, nil
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	}
	return "a number"
}
