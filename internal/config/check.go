package config

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/suppress"
)

// Catalog is what Check needs from the engine: the rule IDs (built-in and
// custom) and the default parameters.
type Catalog struct {
	Rules  map[string]bool
	Params map[string]any
}

// Check validates the config against the catalog: every rule ID must exist
// and every parameter must be a known one of the right type. Errors name the
// file and line.
func (c *Config) Check(cat Catalog) error {
	errs := &errList{file: c.Path}
	known := func(id string, line int) {
		if !cat.Rules[id] {
			errs.add(line, fmt.Sprintf("unknown rule %s (natsaudit rules list shows the catalog; custom rules need --rules DIR)", showBare(id)))
		}
	}
	for _, r := range c.Enabled {
		known(r.ID, r.Line)
	}
	for _, r := range c.Disabled {
		known(r.ID, r.Line)
	}
	for i, e := range c.Exceptions {
		if suppress.IsRuleGlob(e.Rule) {
			matched := false
			for id := range cat.Rules {
				if ok, _ := doublestar.Match(e.Rule, id); ok {
					matched = true
					break
				}
			}
			if !matched {
				errs.add(c.exLines[i], fmt.Sprintf("the rule pattern %s matches no rule (natsaudit rules list shows the catalog)", showBare(e.Rule)))
			}
			continue
		}
		known(e.Rule, c.exLines[i])
	}
	for i, o := range c.SeverityOverrides {
		if !suppress.IsRuleGlob(o.Rule) {
			known(o.Rule, c.ovLines[i])
			continue
		}
		matched := false
		for id := range cat.Rules {
			if ok, _ := doublestar.Match(o.Rule, id); ok {
				matched = true
				break
			}
		}
		if !matched {
			errs.add(c.ovLines[i], fmt.Sprintf("the rule pattern %s matches no rule (natsaudit rules list shows the catalog)", showBare(o.Rule)))
		}
	}
	if c.paramsNode != nil {
		checkParams(c.paramsNode, cat.Params, "params", errs)
	}
	return errs.err()
}

// checkParams walks the override tree beside the defaults: a key the
// defaults do not have is unknown; a value of another type is refused.
func checkParams(n *yaml.Node, def any, at string, errs *errList) {
	dm, ok := def.(map[string]any)
	if !ok {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := at + "." + k.Value
		d, ok := dm[k.Value]
		if !ok {
			msg := fmt.Sprintf("unknown parameter %s.%s", at, showBare(k.Value))
			if near := closest(k.Value, dm); near != "" {
				msg += fmt.Sprintf(" (did you mean %s.%s?)", at, near)
			}
			errs.add(k.Line, msg+fmt.Sprintf(" (known: %s)", keys(dm)))
			continue
		}
		want := kind(d)
		got := nodeKind(v)
		if want != "" && got != want && !(want == "number" && got == "integer") {
			errs.add(v.Line, fmt.Sprintf("parameter %s: want a %s, got %s", name, want, article(got)))
			continue
		}
		if want == "mapping" {
			checkParams(v, d, name, errs)
		}
	}
}

func keys(m map[string]any) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// kind is the YAML-ish type name of a default value; "" accepts anything.
func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "mapping"
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64, int:
		return "number"
	}
	return ""
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return nodeKind(n.Alias)
	}
	switch n.Tag {
	case "!!int":
		return "integer"
	case "!!float":
		return "number"
	case "!!bool":
		return "boolean"
	case "!!null":
		return "null"
	}
	return "string"
}

// DisabledSet is the set of rules not to evaluate: those listed under
// disabled, and, when enabled is given, every rule not listed there.
func (c *Config) DisabledSet(all []string) map[string]bool {
	out := map[string]bool{}
	if len(c.Enabled) > 0 {
		on := map[string]bool{}
		for _, r := range c.Enabled {
			on[r.ID] = true
		}
		for _, id := range all {
			if !on[id] {
				out[id] = true
			}
		}
	}
	for _, r := range c.Disabled {
		out[r.ID] = true
	}
	return out
}

func article(w string) string {
	if strings.ContainsRune("aeiou", rune(w[0])) {
		return "an " + w
	}
	return "a " + w
}

// closest is the key of m nearest to k by edit distance, when it is near
// enough to be a typo.
func closest(k string, m map[string]any) string {
	best, bestD := "", 3
	for c := range m {
		if d := editDistance(k, c); d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if bestD > 2 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
