package helm

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
)

// vv is a values tree with where each value was written: Helm merges values
// files key by key, and a finding must point at the file that set a value.
type vv struct {
	m    map[string]*vv
	keys []string // insertion order of m
	arr  []*vv
	s    string // scalar text
	tag  string // yaml tag of a scalar (!!str, !!int, !!bool, !!null, ...)
	kind byte   // 'm' map, 'a' array, 's' scalar
	loc  model.Location
	key  model.Location // the key's own position (mapping entries)
}

func (v *vv) isNull() bool { return v == nil || v.kind == 's' && v.tag == "!!null" }

// get follows a slash path.
func (v *vv) get(p string) *vv {
	for _, k := range strings.Split(p, "/") {
		if v == nil || v.kind != 'm' {
			return nil
		}
		v = v.m[k]
	}
	return v
}

// str is the scalar at p ("" when absent or null).
func (v *vv) str(p string) string {
	x := v.get(p)
	if x.isNull() || x.kind != 's' {
		return ""
	}
	return x.s
}

// boolean reads a boolean at p; set is false when absent.
func (v *vv) boolean(p string) (b, set bool) {
	x := v.get(p)
	if x.isNull() || x.kind != 's' {
		return false, false
	}
	switch strings.ToLower(x.s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	return false, false
}

// budget bounds the nodes a values file expands to (aliases included).
type budget struct{ n int }

var errTooBig = fmt.Errorf("values expand to too many nodes (YAML alias bomb?)")

// fromNode converts a yaml node (aliases followed) into a values tree.
func fromNode(file string, n *yaml.Node, b *budget, depth int) (*vv, error) {
	for i := 0; n != nil && (n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode) && i < 16; i++ {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			n = nil
		}
	}
	if n == nil {
		return &vv{kind: 's', tag: "!!null"}, nil
	}
	if b.n--; b.n < 0 || depth > 100 {
		return nil, errTooBig
	}
	v := &vv{loc: model.Location{File: file, Line: n.Line, Column: n.Column}}
	switch n.Kind {
	case yaml.MappingNode:
		v.kind, v.m = 'm', map[string]*vv{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			c, err := fromNode(file, n.Content[i+1], b, depth+1)
			if err != nil {
				return nil, err
			}
			if k.Value == "<<" && k.Tag != "!!str" {
				// A merge key: its entries, unless set explicitly.
				if c.kind == 'm' {
					for _, mk := range c.keys {
						if _, ok := v.m[mk]; !ok {
							v.keys = append(v.keys, mk)
							v.m[mk] = c.m[mk]
						}
					}
				}
				continue
			}
			c.key = model.Location{File: file, Line: k.Line, Column: k.Column}
			if _, ok := v.m[k.Value]; !ok {
				v.keys = append(v.keys, k.Value)
			}
			v.m[k.Value] = c
		}
	case yaml.SequenceNode:
		v.kind = 'a'
		for _, c := range n.Content {
			x, err := fromNode(file, c, b, depth+1)
			if err != nil {
				return nil, err
			}
			v.arr = append(v.arr, x)
		}
	default:
		v.kind, v.s, v.tag = 's', n.Value, n.ShortTag()
	}
	return v, nil
}

// merge layers src onto dst as Helm does: maps merge key by key, anything
// else replaces, and null deletes the key.
func merge(dst, src *vv) *vv {
	if dst == nil || dst.kind != 'm' || src.kind != 'm' {
		return src
	}
	out := &vv{kind: 'm', m: map[string]*vv{}, loc: dst.loc, key: dst.key}
	for _, k := range dst.keys {
		out.keys = append(out.keys, k)
		out.m[k] = dst.m[k]
	}
	for _, k := range src.keys {
		s := src.m[k]
		if s.isNull() {
			if _, ok := out.m[k]; ok {
				delete(out.m, k)
				out.keys = remove(out.keys, k)
			}
			continue
		}
		if d, ok := out.m[k]; ok {
			out.m[k] = merge(d, s)
			continue
		}
		out.keys = append(out.keys, k)
		out.m[k] = s
	}
	return out
}

func remove(keys []string, k string) []string {
	out := keys[:0:0]
	for _, x := range keys {
		if x != k {
			out = append(out, x)
		}
	}
	return out
}

// templated lists the places where values hold Go templates ({{ }}) or
// $tplYaml keys: the chart renders them with a template engine natsaudit
// does not run.
func templated(v *vv, p string, out *[]string) {
	if v == nil {
		return
	}
	switch v.kind {
	case 'm':
		keys := append([]string{}, v.keys...)
		sort.Strings(keys)
		for _, k := range keys {
			if k == "$tplYaml" || k == "$tplYamlSpread" {
				*out = append(*out, fmt.Sprintf("%s (%s:%d)", strings.TrimPrefix(p+"/"+k, "/"), v.m[k].key.File, v.m[k].key.Line))
				continue
			}
			templated(v.m[k], p+"/"+k, out)
		}
	case 'a':
		for i, c := range v.arr {
			templated(c, fmt.Sprintf("%s/%d", p, i), out)
		}
	default:
		if strings.Contains(v.s, "{{") {
			*out = append(*out, fmt.Sprintf("%s (%s:%d)", strings.TrimPrefix(p, "/"), v.loc.File, v.loc.Line))
		}
	}
}
