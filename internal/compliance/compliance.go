// Package compliance maps natsaudit's rules to the controls of compliance
// frameworks (NIST SP 800-53, CIS Controls, SOC 2, PCI DSS) and turns a
// scan's rule statuses and findings into a per-control verdict.
//
// The mappings are natsaudit's own (no published NATS benchmark exists),
// kept as data in rules/data/compliance/*.yaml. The package is a leaf of the
// reporting side: it needs neither OPA nor the rule engine.
package compliance

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/rules"
)

// Names are the frameworks natsaudit maps, in report order.
var Names = []string{"nist-800-53", "cis-v8", "soc2", "pci-dss-4"}

// Framework is one framework's mapping.
type Framework struct {
	ID       string    `yaml:"framework"` // one of Names
	Name     string    `yaml:"name"`
	Version  string    `yaml:"version"`
	Controls []Control `yaml:"controls"`
}

// Control is one control (a safeguard, criterion or requirement) and the
// rules whose findings show it is not met.
type Control struct {
	ID    string   `yaml:"id"`
	Title string   `yaml:"title"`
	Rules []string `yaml:"rules"`
}

// idPattern is what a control ID looks like in each framework: NIST
// "SC-8" (base controls only), CIS safeguard "3.10", SOC 2 criterion
// "CC6.1" / "A1.2" / "PI1.3", PCI DSS requirement "8.3.1".
var idPattern = map[string]*regexp.Regexp{
	"nist-800-53": regexp.MustCompile(`^(AC|AT|AU|CA|CM|CP|IA|IR|MA|MP|PE|PL|PM|PS|PT|RA|SA|SC|SI|SR)-[1-9][0-9]?$`),
	"cis-v8":      regexp.MustCompile(`^(1[0-8]|[1-9])\.[1-9][0-9]?$`),
	"soc2":        regexp.MustCompile(`^(CC[1-9]|A1|C1|PI1|P[1-8])\.[1-9][0-9]?$`),
	"pci-dss-4":   regexp.MustCompile(`^(1[0-2]|[1-9])\.[1-9][0-9]?\.[1-9][0-9]?$`),
}

var ruleID = regexp.MustCompile(`^NATS-[A-Z0-9]+-[0-9]{3}$`)

// Load reads and checks every embedded mapping, in the order of Names.
func Load() ([]*Framework, error) {
	return load(rules.Compliance, "data/compliance")
}

func load(fsys fs.FS, dir string) ([]*Framework, error) {
	out := make([]*Framework, 0, len(Names))
	for _, name := range Names {
		file := path.Join(dir, name+".yaml")
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("read compliance mapping %s: %w", name, err)
		}
		fw, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		if fw.ID != name {
			return nil, fmt.Errorf("parse %s: framework %q, want %q", file, fw.ID, name)
		}
		out = append(out, fw)
	}
	return out, nil
}

// Parse decodes one mapping strictly and checks its shape: a known
// framework, well-formed and unique control IDs, a title, well-formed rule
// IDs listed once per control.
func Parse(b []byte) (*Framework, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var fw Framework
	if err := dec.Decode(&fw); err != nil {
		return nil, err
	}
	pat, ok := idPattern[fw.ID]
	if !ok {
		return nil, fmt.Errorf("unknown framework %q (want one of %s)", fw.ID, strings.Join(Names, ", "))
	}
	if fw.Name == "" || fw.Version == "" {
		return nil, fmt.Errorf("framework %s: name and version are required", fw.ID)
	}
	if len(fw.Controls) == 0 {
		return nil, fmt.Errorf("framework %s: no controls", fw.ID)
	}
	seen := map[string]bool{}
	for _, c := range fw.Controls {
		if !pat.MatchString(c.ID) {
			return nil, fmt.Errorf("framework %s: control ID %q is not well-formed", fw.ID, c.ID)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("framework %s: control %s listed twice", fw.ID, c.ID)
		}
		seen[c.ID] = true
		if strings.TrimSpace(c.Title) == "" {
			return nil, fmt.Errorf("framework %s: control %s has no title", fw.ID, c.ID)
		}
		if len(c.Rules) == 0 {
			return nil, fmt.Errorf("framework %s: control %s maps no rule", fw.ID, c.ID)
		}
		rs := map[string]bool{}
		for _, r := range c.Rules {
			if !ruleID.MatchString(r) {
				return nil, fmt.Errorf("framework %s: control %s: rule ID %q is not well-formed", fw.ID, c.ID, r)
			}
			if rs[r] {
				return nil, fmt.Errorf("framework %s: control %s lists %s twice", fw.ID, c.ID, r)
			}
			rs[r] = true
		}
	}
	return &fw, nil
}

// Select returns the frameworks named (each once, in the order of Names),
// or an error naming the unknown one.
func Select(all []*Framework, names []string) ([]*Framework, error) {
	want := map[string]bool{}
	for _, n := range names {
		if !isName(n) {
			return nil, fmt.Errorf("unknown compliance framework %q (want one of %s)", n, strings.Join(Names, ", "))
		}
		want[n] = true
	}
	var out []*Framework
	for _, fw := range all {
		if want[fw.ID] {
			out = append(out, fw)
		}
	}
	return out, nil
}

func isName(n string) bool {
	for _, x := range Names {
		if x == n {
			return true
		}
	}
	return false
}

// ControlsOf returns, for each rule ID, the IDs of the controls of fw that
// map it, in the mapping's order.
func (fw *Framework) ControlsOf() map[string][]string {
	out := map[string][]string{}
	for _, c := range fw.Controls {
		for _, r := range c.Rules {
			out[r] = append(out[r], c.ID)
		}
	}
	return out
}

// The statuses of a control.
const (
	// Pass: at least one of its rules was evaluated and none found anything.
	Pass = "pass"
	// Fail: a rule of the control has an unsuppressed finding.
	Fail = "fail"
	// NotEvaluated: none of its rules could run on what was scanned.
	NotEvaluated = "not_evaluated"
)

// RuleState is what the verdict needs of a rule's run.
type RuleState struct {
	ID        string
	Evaluated bool
}

// Result is one framework's verdict on a scan.
type Result struct {
	Framework string          `json:"framework"`
	Name      string          `json:"name"`
	Version   string          `json:"version"`
	Summary   Summary         `json:"summary"`
	Controls  []ControlResult `json:"controls"`
}

// Summary counts the controls by status.
type Summary struct {
	Pass         int `json:"pass"`
	Fail         int `json:"fail"`
	NotEvaluated int `json:"not_evaluated"`
}

// ControlResult is one control's verdict and what it rests on.
type ControlResult struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status string `json:"status"`
	// Rules are the rules mapped to the control; RulesNotEvaluated those of
	// them that did not run (a pass rests only on the others).
	Rules             []string `json:"rules"`
	RulesNotEvaluated []string `json:"rules_not_evaluated"`
	// Findings are the fingerprints of the unsuppressed findings that fail
	// the control; Suppressed those of its suppressed findings (accepted
	// risks an auditor will want to see), neither counting toward fail.
	Findings   []string `json:"findings"`
	Suppressed []string `json:"suppressed"`
}

// Evaluate judges each control of fw from the rules' states and the
// findings. Findings and suppressed are the report's; a rule missing from
// rules (not in the catalog) counts as not evaluated. The result is
// deterministic: controls in the mapping's order, fingerprints sorted.
func (fw *Framework) Evaluate(rules []RuleState, findings, suppressed []finding.Finding) Result {
	evaluated := map[string]bool{}
	for _, r := range rules {
		if r.Evaluated {
			evaluated[r.ID] = true
		}
	}
	byRule := func(fs []finding.Finding) map[string][]string {
		m := map[string][]string{}
		for _, f := range fs {
			m[f.RuleID] = append(m[f.RuleID], f.Fingerprint)
		}
		return m
	}
	open, quiet := byRule(findings), byRule(suppressed)
	res := Result{Framework: fw.ID, Name: fw.Name, Version: fw.Version, Controls: make([]ControlResult, 0, len(fw.Controls))}
	for _, c := range fw.Controls {
		cr := ControlResult{ID: c.ID, Title: c.Title, Rules: append([]string(nil), c.Rules...), RulesNotEvaluated: []string{}, Findings: []string{}, Suppressed: []string{}}
		ran := 0
		for _, r := range c.Rules {
			if evaluated[r] {
				ran++
			} else {
				cr.RulesNotEvaluated = append(cr.RulesNotEvaluated, r)
			}
			cr.Findings = append(cr.Findings, open[r]...)
			cr.Suppressed = append(cr.Suppressed, quiet[r]...)
		}
		cr.Findings = sortedUnique(cr.Findings)
		cr.Suppressed = sortedUnique(cr.Suppressed)
		switch {
		case len(cr.Findings) > 0:
			cr.Status = Fail
			res.Summary.Fail++
		case ran > 0:
			cr.Status = Pass
			res.Summary.Pass++
		default:
			cr.Status = NotEvaluated
			res.Summary.NotEvaluated++
		}
		res.Controls = append(res.Controls, cr)
	}
	return res
}

func sortedUnique(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
