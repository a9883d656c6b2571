package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// RootCause is the key of the one change that fixes a finding: the value
// it asks to change and the kind of change (docs/scoring.md). Findings with
// the same key are one problem seen by several rules or at several places,
// fixed by one change, so the report shows them once and the score charges
// them once.
//
//   - The value is where it is written: its definition (DefinedAt: the .env
//     line of a ${VAR} used by several services or config keys, the compose
//     environment entry a config key reads; the own line of a finding about
//     a .env variable or an environment entry), else the finding's file,
//     line and value path.
//   - The change is the rule's fix kind (METADATA custom.fix_kind): one
//     image tag is affected by advisories (NATS-VER-001) and end-of-life
//     (NATS-VER-002), and setting it to a supported release fixes both
//     (nats_version); the image's default config at the same line
//     (NATS-DOC-002) is fixed by mounting a config, another change. A rule
//     without a fix kind shares a root cause only with its own findings.
//
// Only a finding on a named value (a path with at least two segments, e.g.
// "deployment/image", "config/authorization/users/2/password") has a root
// cause it can share: a finding on a whole object ("config", or a file
// without a path) says that something is missing or wrong about all of it,
// and two such findings at one line need two different changes.
func RootCause(f Finding) string {
	if !strings.Contains(f.Path, "/") {
		return ""
	}
	change := f.FixKind
	if change == "" {
		change = "rule " + f.RuleID
	}
	if d := definition(f); d != nil {
		// One value defined once and used at several places: its
		// definition is what changes, whatever path each use has.
		return fmt.Sprintf("%s:%d\x00%s", d.File, d.Line, change)
	}
	if f.Location == nil || f.Location.File == "" || f.Location.Line <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d\x00%s\x00%s", f.Location.File, f.Location.Line, f.Path, change)
}

// definition is the line that defines the value a finding asks to change,
// when the value is a definition others may use: the finding's DefinedAt,
// or its own line for a variable of a .env file (path vars/NAME) or of a
// compose service's environment (deployment/environment/NAME), which other
// findings' DefinedAt name.
func definition(f Finding) *Location {
	if d := f.DefinedAt; d != nil && d.File != "" && d.Line > 0 {
		return d
	}
	if f.Location == nil || f.Location.File == "" || f.Location.Line <= 0 {
		return nil
	}
	if (strings.HasPrefix(f.Path, "vars/") && f.TargetKind == "env file") || strings.HasPrefix(f.Path, "deployment/environment/") {
		return f.Location
	}
	return nil
}

// CauseGroup is the findings of one root cause, the lead (most severe, then
// lowest rule ID) first. A finding without a shareable root cause is a group
// of its own.
type CauseGroup struct {
	Key      string
	Findings []Finding
}

// Lead is the finding that stands for the group: its severity is the
// group's, and only it is scored.
func (g CauseGroup) Lead() Finding { return g.Findings[0] }

// Rules are the rule IDs of the group, the lead's first, each once.
func (g CauseGroup) Rules() []string {
	var out []string
	for _, f := range g.Findings {
		if !contains(out, f.RuleID) {
			out = append(out, f.RuleID)
		}
	}
	return out
}

// CauseGroups groups findings by root cause, in the order of their leads'
// first appearance. Deterministic for a given slice.
func CauseGroups(fs []Finding) []CauseGroup {
	idx := map[string]int{}
	var out []CauseGroup
	for _, f := range fs {
		k := RootCause(f)
		if k == "" {
			out = append(out, CauseGroup{Findings: []Finding{f}})
			continue
		}
		if i, ok := idx[k]; ok {
			out[i].Findings = append(out[i].Findings, f)
			continue
		}
		idx[k] = len(out)
		out = append(out, CauseGroup{Key: k, Findings: []Finding{f}})
	}
	for i := range out {
		sort.SliceStable(out[i].Findings, func(a, b int) bool {
			x, y := out[i].Findings[a], out[i].Findings[b]
			if rx, ry := finding.SeverityRank(x.Severity), finding.SeverityRank(y.Severity); rx != ry {
				return rx > ry
			}
			return x.RuleID < y.RuleID
		})
	}
	return out
}

// Charged marks, for each finding of fs, whether it carries a penalty: the
// lead of its root-cause group does, the others do not.
func Charged(fs []Finding) []bool {
	lead := map[string]Finding{}
	for _, g := range CauseGroups(fs) {
		if g.Key != "" {
			lead[g.Key] = g.Lead()
		}
	}
	out := make([]bool, len(fs))
	for i, f := range fs {
		k := RootCause(f)
		l, ok := lead[k]
		out[i] = k == "" || !ok || (l.RuleID == f.RuleID && l.Severity == f.Severity && l.Fingerprint == f.Fingerprint && l.Message == f.Message)
	}
	return out
}
