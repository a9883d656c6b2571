package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/report"
)

// DefaultBaseline is where `baseline write` puts the baseline.
const DefaultBaseline = ".natsaudit-baseline.json"

func (a *app) baselineCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Accept today's findings so that only new ones fail the build",
	}
	var f scanFlags
	var output string
	write := &cobra.Command{
		Use:   "write [PATH...]",
		Short: "Scan and save every finding as the baseline (a JSON report)",
		Long: `Write scans like ` + "`natsaudit scan`" + ` (same paths, --config, --rules and live
flags) and saves the JSON report as the baseline. Commit it; then

  natsaudit scan . --baseline ` + DefaultBaseline + `

reports only findings that are not in it, and only those count for
--fail-on. The baselined ones are listed as suppressed (kind "baseline").
Findings are matched by fingerprint: rule, file, target and the logical
path of the value, never the line, so inserting lines above an old finding
does not make it new. Findings already suppressed by an ignore comment or
an exception are not written: when such an exception expires, the finding
comes back as new. Any JSON report (scan --format json) works as a baseline
too.`,
		Example: `  natsaudit baseline write
  natsaudit baseline write deploy/ --output deploy/.natsaudit-baseline.json
  natsaudit scan . --baseline .natsaudit-baseline.json --fail-on high`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "" || output == "-" {
				return &exitError{ExitError, fmt.Errorf("--output: give a file for the baseline (default %s)", DefaultBaseline)}
			}
			f.out = outputFlags{formats: []string{"json"}, outputs: []string{output}, failOn: "never", noColor: true, exitCode: ExitFindings}
			if err := a.runScan(cmd, args, &f); err != nil {
				return err
			}
			paths := args
			if len(paths) == 0 {
				paths = []string{"."}
			}
			rep, err := readReport(guardFor(paths), output)
			if err != nil {
				return &exitError{ExitError, err}
			}
			fmt.Fprintf(a.stderr, "natsaudit: wrote %s: %s accepted", report.TerminalSafe(output), plural(len(rep.Findings), "finding"))
			if n := len(rep.Suppressed); n > 0 {
				fmt.Fprintf(a.stderr, " (%d more already suppressed by comments or exceptions, not in the baseline)", n)
			}
			fmt.Fprintf(a.stderr, "; use it with: natsaudit scan --baseline %s\n", report.TerminalSafe(output))
			return nil
		},
	}
	write.Flags().StringVarP(&output, "output", "o", DefaultBaseline, "where to write the baseline")
	a.addLiveFlags(write, &f.live, true)
	write.Flags().Int64Var(&f.maxSize, "max-file-size", discover.DefaultMaxSize, "skip files larger than this many bytes")
	write.Flags().StringArrayVar(&f.ruleDirs, "rules", nil, "directory of extra Rego rules (repeatable)")
	write.Flags().StringVar(&f.ci.config, "config", "", "settings and exceptions file; default: .natsaudit.yaml at the scanned directory")
	write.Flags().StringVar(&f.now, "now", "", "evaluate as if it were this time (RFC 3339)")
	_ = write.Flags().MarkHidden("now")
	cmd.AddCommand(write)
	return cmd
}
