package compose

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// errBudget stops a walk that visits too many nodes (YAML alias bombs).
var errBudget = errors.New("document expands to too many nodes (YAML alias bomb?)")

// walker resolves aliases and merge keys with a visit budget.
type walker struct {
	budget int
}

func (w *walker) spend() error {
	w.budget--
	if w.budget < 0 {
		return errBudget
	}
	return nil
}

// deref follows aliases and document nodes.
func (w *walker) deref(n *yaml.Node) (*yaml.Node, error) {
	for i := 0; n != nil && i < 64; i++ {
		if err := w.spend(); err != nil {
			return nil, err
		}
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil, nil
			}
			n = n.Content[0]
		default:
			return n, nil
		}
	}
	if n != nil && (n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode) {
		return nil, fmt.Errorf("alias chain too deep")
	}
	return n, nil
}

// pair is one key/value of a mapping, after merge keys are applied.
type pair struct {
	Key   *yaml.Node
	Value *yaml.Node
}

// pairs returns a mapping's entries; "<<" merge keys contribute entries that
// explicit keys override, as YAML 1.1 merge keys do.
func (w *walker) pairs(n *yaml.Node) ([]pair, error) {
	n, err := w.deref(n)
	if err != nil || n == nil || n.Kind != yaml.MappingNode {
		return nil, err
	}
	var explicit, merged []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := w.spend(); err != nil {
			return nil, err
		}
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "<<" && k.Tag != "!!str" {
			src, err := w.deref(v)
			if err != nil {
				return nil, err
			}
			var srcs []*yaml.Node
			if src != nil && src.Kind == yaml.SequenceNode {
				srcs = src.Content
			} else if src != nil {
				srcs = []*yaml.Node{src}
			}
			for _, s := range srcs {
				ps, err := w.pairs(s)
				if err != nil {
					return nil, err
				}
				merged = append(merged, ps...)
			}
			continue
		}
		explicit = append(explicit, pair{k, v})
		seen[k.Value] = true
	}
	for _, p := range merged {
		if !seen[p.Key.Value] {
			explicit = append(explicit, p)
			seen[p.Key.Value] = true
		}
	}
	return explicit, nil
}

func (w *walker) get(n *yaml.Node, key string) (*yaml.Node, *yaml.Node, error) {
	ps, err := w.pairs(n)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range ps {
		if p.Key.Value == key {
			v, err := w.deref(p.Value)
			return p.Key, v, err
		}
	}
	return nil, nil, nil
}

func (w *walker) seq(n *yaml.Node) ([]*yaml.Node, error) {
	n, err := w.deref(n)
	if err != nil || n == nil || n.Kind != yaml.SequenceNode {
		return nil, err
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		c, err := w.deref(c)
		if err != nil {
			return nil, err
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

// yamlErrLine extracts the line from a yaml.v3 error message.
func yamlErrLine(err error) int {
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

var yamlPrefixRe = regexp.MustCompile(`^(yaml: )?(line \d+: )?`)

// yamlMessage is a yaml.v3 error without its "yaml: line N:" prefix: the
// report shows file:line already.
func yamlMessage(err error) string {
	return yamlPrefixRe.ReplaceAllString(err.Error(), "")
}
