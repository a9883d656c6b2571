package kube

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Small accessors over yaml.v3 nodes. Aliases are followed a bounded number
// of times; the files were size-checked (yamllimit) before decoding, and no
// accessor walks a whole subtree, so an alias bomb costs nothing here.

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 16; i++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return nil
}

// get returns the key and value nodes of key in mapping n.
func get(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], deref(n.Content[i+1])
		}
	}
	return nil, nil
}

// at follows a path of keys.
func at(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		_, n = get(n, k)
		if n == nil {
			return nil
		}
	}
	return n
}

// str is the scalar at a path, "" when absent or not a scalar.
func str(n *yaml.Node, keys ...string) string {
	v := at(n, keys...)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return ""
	}
	return v.Value
}

// items is the sequence at a path.
func items(n *yaml.Node, keys ...string) []*yaml.Node {
	v := at(n, keys...)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(v.Content))
	for _, c := range v.Content {
		if c = deref(c); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// pairs returns the key/value nodes of a mapping.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if v := deref(n.Content[i+1]); v != nil {
			out = append(out, [2]*yaml.Node{n.Content[i], v})
		}
	}
	return out
}

// stringMap reads a mapping of scalars (labels, selectors).
func stringMap(n *yaml.Node) map[string]string {
	out := map[string]string{}
	for _, p := range pairs(n) {
		if p[1].Kind == yaml.ScalarNode {
			out[p[0].Value] = p[1].Value
		}
	}
	return out
}

// boolAt reads a boolean at a path; ok is false when it is absent.
func boolAt(n *yaml.Node, keys ...string) (b, ok bool) {
	s := strings.ToLower(str(n, keys...))
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// fileOf is the file a node was written in: file (the object's), unless the
// node came from another file (a kustomize patch, an overlay's images or
// replicas), which origin records.
func (l *loader) fileOf(file string, n *yaml.Node) string {
	if f, ok := l.origin[n]; ok {
		return f
	}
	return file
}

// loc is where a node of an object written in file is.
func (l *loader) loc(file string, n *yaml.Node) model.Location {
	if n == nil {
		return model.Location{}
	}
	return model.Location{File: l.fileOf(file, n), Line: n.Line, Column: n.Column}
}
