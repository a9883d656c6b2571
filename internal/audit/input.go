package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
)

// jsonValue converts JSON (as json.Marshal writes it) into a Rego value
// directly, term by term. It gives what ast.ValueFromReader gives (numbers
// stay json.Number text, so 2^64-1 survives) without the intermediate
// map[string]any tree, which was most of the conversion's time and memory
// on a large inventory (docs/performance.md).
func jsonValue(b []byte) (ast.Value, error) {
	d := &jsonDecoder{b: b, strs: map[string]*ast.Term{}, null: ast.NullTerm()}
	t, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.i != len(d.b) {
		return nil, d.errorf("unexpected data after the value")
	}
	return t.Value, nil
}

// maxDepth bounds nesting: the inventory is shallow; a deeper document is a
// bug, not input to recurse into without limit.
const maxDepth = 10000

type jsonDecoder struct {
	b []byte
	i int
	// strs shares one term per distinct short string (every object key
	// and most values repeat across servers): the Rego input of a 1,000-file
	// repo took 51 MB, mostly copies of the same keys. Terms are never
	// modified once built; OPA shares interned terms the same way.
	strs map[string]*ast.Term
	null *ast.Term
	// pairs and elems are scratch buffers per nesting depth: ast.NewObject
	// copies its pairs and an array gets an exactly sized copy, so one
	// buffer per depth serves every container instead of growing a new
	// slice for each (a third of the conversion's allocations).
	pairs [][][2]*ast.Term
	elems [][]*ast.Term
}

// maxInterned is the longest string shared through strs: longer ones
// (messages, PEM blocks) are rarely repeated.
const maxInterned = 64

func (d *jsonDecoder) stringTerm(s string) *ast.Term {
	if len(s) > maxInterned {
		return ast.StringTerm(s)
	}
	if t, ok := d.strs[s]; ok {
		return t
	}
	t := ast.StringTerm(s)
	d.strs[s] = t
	return t
}

func (d *jsonDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("JSON at offset %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *jsonDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (*ast.Term, error) {
	if depth > maxDepth {
		return nil, d.errorf("nested deeper than %d", maxDepth)
	}
	d.space()
	if d.i >= len(d.b) {
		return nil, d.errorf("unexpected end")
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return d.stringTerm(s), nil
	case c == 't':
		return d.literal("true", ast.InternedTerm(true))
	case c == 'f':
		return d.literal("false", ast.InternedTerm(false))
	case c == 'n':
		return d.literal("null", d.null)
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return nil, d.errorf("unexpected character %q", c)
	}
}

func (d *jsonDecoder) literal(word string, t *ast.Term) (*ast.Term, error) {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return nil, d.errorf("invalid literal")
	}
	d.i += len(word)
	return t, nil
}

func (d *jsonDecoder) object(depth int) (*ast.Term, error) {
	d.i++ // {
	for len(d.pairs) <= depth {
		d.pairs = append(d.pairs, nil)
	}
	pairs := d.pairs[depth][:0]
	defer func() { d.pairs[depth] = clear0(pairs) }()
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return ast.ObjectTerm(), nil
	}
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, d.errorf("want an object key")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, d.errorf("want ':' after an object key")
		}
		d.i++
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, [2]*ast.Term{d.stringTerm(k), v})
		d.space()
		if d.i >= len(d.b) {
			return nil, d.errorf("unexpected end in an object")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			if hasDuplicateKey(pairs) {
				// encoding/json keeps the last value; ast.NewObject would
				// keep both. json.Marshal never writes duplicates.
				obj := ast.NewObject()
				for _, p := range pairs {
					obj.Insert(p[0], p[1])
				}
				return ast.NewTerm(obj), nil
			}
			return ast.NewTerm(ast.NewObject(pairs...)), nil
		default:
			return nil, d.errorf("want ',' or '}' in an object")
		}
	}
}

func (d *jsonDecoder) array(depth int) (*ast.Term, error) {
	d.i++ // [
	for len(d.elems) <= depth {
		d.elems = append(d.elems, nil)
	}
	elems := d.elems[depth][:0]
	defer func() { d.elems[depth] = clear0(elems) }()
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return ast.ArrayTerm(), nil
	}
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
		d.space()
		if d.i >= len(d.b) {
			return nil, d.errorf("unexpected end in an array")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return ast.NewTerm(ast.NewArray(slices.Clone(elems)...)), nil
		default:
			return nil, d.errorf("want ',' or ']' in an array")
		}
	}
}

// clear0 drops a scratch buffer's references (so that it holds no terms
// alive) and returns it empty.
func clear0[T any](s []T) []T {
	clear(s)
	return s[:0]
}

func hasDuplicateKey(pairs [][2]*ast.Term) bool {
	if len(pairs) <= 16 {
		for i := range pairs {
			for j := i + 1; j < len(pairs); j++ {
				if pairs[i][0].Value.(ast.String) == pairs[j][0].Value.(ast.String) {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[ast.String]struct{}, len(pairs))
	for _, p := range pairs {
		k := p[0].Value.(ast.String)
		if _, dup := seen[k]; dup {
			return true
		}
		seen[k] = struct{}{}
	}
	return false
}

// str reads a string. Strings without escapes are sliced as they are; the
// few with escapes (json.Marshal writes <, > and & as \u003c...) are decoded
// by encoding/json itself, so that every escape means what it means there.
func (d *jsonDecoder) str() (string, error) {
	start := d.i
	d.i++ // "
	escaped := false
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			if raw := d.b[start+1 : d.i-1]; !escaped && utf8.Valid(raw) {
				return string(raw), nil
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return "", d.errorf("string: %v", err)
			}
			return s, nil
		case c == '\\':
			escaped = true
			d.i += 2
		case c < 0x20:
			return "", d.errorf("control character in a string")
		default:
			d.i++
		}
	}
	return "", d.errorf("unterminated string")
}

func (d *jsonDecoder) number() (*ast.Term, error) {
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			d.i++
			continue
		}
		break
	}
	raw := d.b[start:d.i]
	if t := ast.InternedIntNumberTermFromString(string(raw)); t != nil {
		return t, nil // small integers: OPA's shared terms
	}
	if !json.Valid(raw) {
		return nil, d.errorf("invalid number %q", string(raw))
	}
	return ast.NumberTerm(json.Number(raw)), nil
}
