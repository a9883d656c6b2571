package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/trend"
)

// maxTrendReports bounds how many reports one trend reads (a report is
// read whole, up to maxReportSize).
const maxTrendReports = 1000

func (a *app) trendCmd() *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "trend REPORT.json... | DIR",
		Short: "Scores, findings and fixes across any number of past JSON reports",
		Long: `Trend reads JSON reports of one deployment (natsaudit scan --format json),
given as files or as a directory holding them, orders them by scan date and
shows how the scores and the findings by severity moved, what was new, fixed
and escalated in each period (per rule too), the findings that stayed open
longest and the rules that regressed since the report before. Findings are
matched by fingerprint, as diff matches them. In a directory, JSON files
that are not natsaudit reports are skipped with a warning.`,
		Example: `  natsaudit trend reports/natsaudit
  natsaudit trend 2026-Q1.json 2026-Q2.json 2026-Q3.json --format html --output trend.html`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(trend.Formats, format) {
				return &exitError{ExitError, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(trend.Formats, ", "))}
			}
			g := safefile.NewGuard()
			in, err := a.loadTrendReports(g, args)
			if err != nil {
				return &exitError{ExitError, err}
			}
			t, err := trend.Compute(in)
			if err != nil {
				return &exitError{ExitError, err}
			}
			var buf bytes.Buffer
			if err := trend.Write(&buf, t, format); err != nil {
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
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(trend.Formats, ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

// loadTrendReports reads the reports named by args: files, or directories
// of *.json files (not recursive). A file named on the command line must
// be a report; in a directory, other JSON files are skipped with a warning.
// g decides what may be read: a link in a directory of artifacts is not
// followed out of it.
func (a *app) loadTrendReports(g *safefile.Guard, args []string) ([]trend.Input, error) {
	var in []trend.Input
	add := func(path string, strict bool) error {
		if len(in) == maxTrendReports {
			return fmt.Errorf("more than %d reports: give fewer (e.g. the last few years)", maxTrendReports)
		}
		r, err := readReport(g, path)
		if err != nil {
			if strict {
				return err
			}
			fmt.Fprintf(a.stderr, "natsaudit: warning: skipped %s\n", report.TerminalSafe(err.Error()))
			return nil
		}
		in = append(in, trend.Input{Name: filepath.Base(path), Report: r})
		return nil
	}
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("read report: %w", err)
		}
		if !st.IsDir() {
			if err := add(arg, true); err != nil {
				return nil, err
			}
			continue
		}
		entries, err := os.ReadDir(arg)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", arg, err)
		}
		var names []string
		for _, e := range entries {
			// Regular files only: a link in a directory of artifacts is not
			// followed.
			if e.Type().IsRegular() && strings.HasSuffix(strings.ToLower(e.Name()), ".json") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			if err := add(filepath.Join(arg, n), false); err != nil {
				return nil, err
			}
		}
	}
	if len(in) == 0 {
		return nil, fmt.Errorf("no natsaudit JSON report in %s (write them with natsaudit scan --format json)", strings.Join(args, ", "))
	}
	return in, nil
}
