package suppress

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// SeverityOverride is one entry of .natsaudit.yaml severity_overrides: the
// findings of Rule (an ID or a glob over IDs) get Severity instead of the
// rule's.
type SeverityOverride struct {
	Rule     string
	Severity string
	Source   string // file:line
}

// ApplyOverrides sets the severity of the findings an override names and
// returns the report notes that say so, one per override that changed a
// finding. An exact rule ID wins over a pattern; among patterns, the first
// in the file.
func ApplyOverrides(fs []report.Finding, ovs []SeverityOverride) []string {
	if len(ovs) == 0 {
		return nil
	}
	type change struct {
		n    int
		from map[string]bool
	}
	changed := map[int]*change{}
	for i := range fs {
		k := pick(ovs, fs[i].RuleID)
		if k < 0 || string(fs[i].Severity) == ovs[k].Severity {
			continue
		}
		c := changed[k]
		if c == nil {
			c = &change{from: map[string]bool{}}
			changed[k] = c
		}
		c.n++
		c.from[string(fs[i].Severity)] = true
		fs[i].Severity = finding.Severity(ovs[k].Severity)
	}
	var notes []string
	for k, o := range ovs {
		c := changed[k]
		if c == nil {
			continue
		}
		var from []string
		for s := range c.from {
			from = append(from, s)
		}
		sort.Slice(from, func(i, j int) bool { return finding.SeverityRank(from[i]) > finding.SeverityRank(from[j]) })
		notes = append(notes, fmt.Sprintf("severity override at %s: %d %s of %s shown as %s (was %s)",
			o.Source, c.n, plural(c.n, "finding"), o.Rule, o.Severity, strings.Join(from, ", ")))
	}
	return notes
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// pick is the override that applies to rule, or -1.
func pick(ovs []SeverityOverride, rule string) int {
	glob := -1
	for i, o := range ovs {
		if o.Rule == rule {
			return i
		}
		if glob < 0 && IsRuleGlob(o.Rule) {
			if ok, _ := doublestar.Match(o.Rule, rule); ok {
				glob = i
			}
		}
	}
	return glob
}
