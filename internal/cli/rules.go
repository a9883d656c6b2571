package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/catalogdoc"
	"github.com/natsaudit/natsaudit/internal/compliance"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

func (a *app) rulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, show and test rules",
	}
	var format string
	var dirs []string
	var complianceNames []string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the rule catalog",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := engine.New(cmd.Context(), engine.Options{RuleDirs: dirs, CatalogOnly: true})
			if err != nil {
				return &exitError{ExitError, err}
			}
			fws, err := parseCompliance(complianceNames)
			if err != nil {
				return &exitError{ExitError, err}
			}
			if len(fws) > 0 {
				return a.listCompliance(eng.Rules(), fws, format)
			}
			switch format {
			case "json":
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(eng.Rules())
			case "markdown", "md":
				return catalogdoc.Markdown(a.stdout, eng.Rules(), catalogdoc.Options{Params: eng.Params()})
			case "text":
				varies := false
				for _, r := range eng.Rules() {
					sev := r.Severity
					if r.SeverityVaries != "" {
						sev, varies = sev+"*", true
					}
					fmt.Fprintf(a.stdout, "%-14s %-9s %-12s %s\n", report.TerminalSafe(r.ID), sev, r.Category, report.TerminalSafe(r.Title))
				}
				if varies {
					fmt.Fprintln(a.stdout, "\n* the default severity: a finding of this rule can have another (natsaudit rules show ID says when)")
				}
				return nil
			}
			return &exitError{ExitError, fmt.Errorf("unknown format %q (want text, json or markdown)", format)}
		},
	}
	list.Flags().StringVarP(&format, "format", "f", "text", "text, json or markdown (the format of docs/rules.md)")
	list.Flags().StringArrayVar(&dirs, "rules", nil, "also list the rules in this directory (repeatable)")
	list.Flags().StringSliceVar(&complianceNames, "compliance", nil, "show each rule's controls in these frameworks: "+strings.Join(compliance.Names, ", ")+" (text or json)")
	_ = list.RegisterFlagCompletionFunc("compliance", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return compliance.Names, cobra.ShellCompDirectiveNoFileComp
	})
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one rule's description and remediation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := engine.New(cmd.Context(), engine.Options{RuleDirs: dirs, CatalogOnly: true})
			if err != nil {
				return &exitError{ExitError, err}
			}
			r, ok := eng.Rule(strings.ToUpper(args[0]))
			if !ok {
				msg := fmt.Sprintf("no rule %q", args[0])
				if s := suggest(args[0], ruleIDs(eng)); len(s) > 0 {
					msg += "; did you mean " + strings.Join(s, " or ") + "?"
				} else {
					msg += "; run 'natsaudit rules list'"
				}
				return &exitError{ExitError, errors.New(msg)}
			}
			fmt.Fprintf(a.stdout, "%s  %s\n\nSeverity:  %s\nCategory:  %s\nFacets:    %s\n\n%s\n\nRemediation:\n%s\n", report.TerminalSafe(r.ID), report.TerminalSafe(r.Title), report.TerminalSafe(r.SeverityText()), r.Category,
				report.TerminalSafe(strings.Join(r.Facets, ", ")), report.TerminalSafeLines(r.Description), report.TerminalSafeLines(indent(r.Remediation)))
			if len(r.References) > 0 {
				fmt.Fprintf(a.stdout, "\nReferences:\n")
				for _, ref := range r.References {
					fmt.Fprintf(a.stdout, "  %s\n", report.TerminalSafe(ref))
				}
			}
			return nil
		},
	}
	show.Flags().StringArrayVar(&dirs, "rules", nil, "also look in this directory of rules (repeatable)")
	show.ValidArgsFunction = completeRuleIDs
	cmd.AddCommand(list, show, a.rulesTestCmd())
	return cmd
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}
