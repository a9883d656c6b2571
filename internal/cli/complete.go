package cli

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/natsaudit/natsaudit/internal/compliance"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

func ruleIDs(eng *engine.Engine) []string {
	var ids []string
	for _, r := range eng.Rules() {
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	return ids
}

// suggest returns the IDs closest to a mistyped one: those it is a prefix
// of when the prefix narrows to a few (NATS-TLS-02 → NATS-TLS-020..029
// would be many: then by distance), else those at the smallest edit
// distance of at most 2, compared without case.
func suggest(typed string, ids []string) []string {
	t := strings.ToUpper(strings.TrimSpace(typed))
	if t == "" {
		return nil
	}
	best, out := 3, []string(nil)
	for _, id := range ids {
		d := distance(t, id)
		switch {
		case d < best:
			best, out = d, []string{id}
		case d == best:
			out = append(out, id)
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// distance is the Levenshtein distance (bytes: rule IDs are ASCII).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// completeRuleIDs completes rule IDs of the built-in catalog.
func completeRuleIDs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	eng, err := engine.New(cmd.Context(), engine.Options{CatalogOnly: true})
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	for _, r := range eng.Rules() {
		if strings.HasPrefix(r.ID, strings.ToUpper(toComplete)) {
			out = append(out, r.ID+"\t"+r.Title)
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}

// registerCompletions completes the values of the output flags.
func registerCompletions(cmd *cobra.Command) {
	fixed := func(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values, cobra.ShellCompDirectiveNoFileComp
		}
	}
	_ = cmd.RegisterFlagCompletionFunc("format", fixed(report.Formats...))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", fixed(append(append([]string{}, finding.SeverityNames()...), "never")...))
	_ = cmd.RegisterFlagCompletionFunc("severity", fixed(finding.SeverityNames()...))
	_ = cmd.RegisterFlagCompletionFunc("compliance", fixed(compliance.Names...))
}
