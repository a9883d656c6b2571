package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/natsaudit/natsaudit/internal/compliance"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

// parseCompliance reads --compliance: framework names, comma-separated or
// repeated, case-insensitive. An unknown name is an error that lists the
// valid ones and the closest.
func parseCompliance(names []string) ([]*compliance.Framework, error) {
	var want []string
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		if !validFramework(n) {
			msg := fmt.Sprintf("--compliance %q: unknown framework (want %s)", n, strings.Join(compliance.Names, ", "))
			if s := suggestFramework(n); len(s) > 0 {
				msg += "; did you mean " + strings.Join(s, " or ") + "?"
			}
			return nil, errors.New(msg)
		}
		want = append(want, n)
	}
	if len(want) == 0 {
		return nil, nil
	}
	all, err := compliance.Load()
	if err != nil {
		return nil, fmt.Errorf("load compliance mappings: %w", err)
	}
	return compliance.Select(all, want)
}

func validFramework(n string) bool {
	for _, x := range compliance.Names {
		if x == n {
			return true
		}
	}
	return false
}

// suggestFramework: the names a typo is closest to ("nist" → nist-800-53,
// "pci" → pci-dss-4), by prefix first, then by edit distance.
func suggestFramework(typed string) []string {
	var out []string
	for _, x := range compliance.Names {
		if strings.HasPrefix(x, typed) || strings.HasPrefix(typed, strings.SplitN(x, "-", 2)[0]) {
			out = append(out, x)
		}
	}
	if len(out) > 0 {
		return out
	}
	upper := make([]string, len(compliance.Names))
	for i, x := range compliance.Names {
		upper[i] = strings.ToUpper(x)
	}
	for _, s := range suggest(typed, upper) {
		out = append(out, strings.ToLower(s))
	}
	return out
}

// ruleControls is a rule with its controls, per framework (rules list
// --compliance --format json).
type ruleControls struct {
	ID         string              `json:"id"`
	Title      string              `json:"title"`
	Category   string              `json:"category"`
	Compliance map[string][]string `json:"compliance"` // framework → control IDs (none: [])
}

// listCompliance writes the catalog with each rule's controls in the
// frameworks asked for; rules that no control maps show "—".
func (a *app) listCompliance(rules []*engine.Rule, fws []*compliance.Framework, format string) error {
	maps := make([]map[string][]string, len(fws))
	for i, fw := range fws {
		maps[i] = fw.ControlsOf()
	}
	switch format {
	case "json":
		out := make([]ruleControls, 0, len(rules))
		for _, r := range rules {
			rc := ruleControls{ID: r.ID, Title: r.Title, Category: string(r.Category), Compliance: map[string][]string{}}
			for i, fw := range fws {
				rc.Compliance[fw.ID] = append([]string{}, maps[i][r.ID]...)
			}
			out = append(out, rc)
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "text":
		for _, r := range rules {
			var parts []string
			for i, fw := range fws {
				ids := maps[i][r.ID]
				if len(ids) > 0 {
					parts = append(parts, fw.ID+": "+strings.Join(ids, ", "))
				}
			}
			controls := strings.Join(parts, "; ")
			if controls == "" {
				controls = "—"
			}
			fmt.Fprintf(a.stdout, "%-14s %-12s %s\n  %s\n", report.TerminalSafe(r.ID), r.Category, report.TerminalSafe(r.Title), controls)
		}
		fmt.Fprintln(a.stdout, "\nnatsaudit's own mapping (no published NATS benchmark exists): docs/compliance.md")
		return nil
	}
	return &exitError{ExitError, fmt.Errorf("--compliance with --format %q: want text or json", format)}
}
