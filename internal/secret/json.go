package secret

import (
	"encoding/json"
	"fmt"
	"strings"
)

// IsPathKey reports whether a JSON key names a file path (or a list of
// them): file, path, roots, files, env_files, source, target, and *_file,
// *_path, *_dir, *_from. Their values are masked only for seeds (RedactPath).
func IsPathKey(k string) bool {
	switch k {
	case "file", "path", "roots", "files", "env_files", "source", "target", "dir":
		return true
	}
	return strings.HasSuffix(k, "_file") || strings.HasSuffix(k, "_path") || strings.HasSuffix(k, "_dir") || strings.HasSuffix(k, "_from")
}

// ScrubJSON masks secrets in the string values of a JSON document (as
// encoding/json writes it), never in its keys, and keeps its layout byte
// for byte otherwise: a password equal to a key ("results", "servers")
// cannot change the document's structure. Values under path keys
// (IsPathKey) are masked only for seeds; others as Redact masks them.
func (a *Analyzer) ScrubJSON(b []byte) ([]byte, error) {
	return walkJSON(b, func(key, v string) string {
		if IsPathKey(key) {
			return RedactPath(v)
		}
		return a.Redact(v)
	})
}

// TaintJSON records every string value of a JSON document that holds a
// secret (see Taint), except the tool's own enumerations (a kind, an
// origin, a source): a password "compose" must not mask the tool's word
// "compose" in every message.
func (a *Analyzer) TaintJSON(b []byte) error {
	// Each distinct value once: Taint's answer depends on the value only,
	// and an inventory repeats most of its values (ports, names, kinds).
	checked := map[string]struct{}{}
	_, err := walkJSON(b, func(k, v string) string {
		if toolKeys[k] {
			return v
		}
		if _, ok := checked[v]; !ok {
			checked[v] = struct{}{}
			a.Taint(v)
		}
		return v
	})
	return err
}

// toolKeys hold values the tool writes, never input (docs/model.md).
var toolKeys = map[string]bool{"kind": true, "origin": true, "sources": true, "type": true, "ref": true, "digest": true, "now": true, "protocol": true}

// walkJSON calls f with every string value of b and the key it is under
// (for the elements of an array, the array's key), and returns b with the
// values f changed re-encoded. Keys are never passed to f.
func walkJSON(b []byte, f func(key, v string) string) ([]byte, error) {
	type frame struct {
		obj       bool
		expectKey bool
		key       string // the key being filled (objects) or the array's own key
	}
	var stack []frame
	out := make([]byte, 0, len(b))
	changed := false
	ctxKey := func() string {
		if len(stack) == 0 {
			return ""
		}
		return stack[len(stack)-1].key
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch c {
		case '{', '[':
			stack = append(stack, frame{obj: c == '{', expectKey: c == '{', key: ctxKey()})
		case '}', ']':
			if len(stack) == 0 {
				return nil, fmt.Errorf("JSON at offset %d: unbalanced %q", i, c)
			}
			stack = stack[:len(stack)-1]
		case ',':
			if n := len(stack); n > 0 && stack[n-1].obj {
				stack[n-1].expectKey = true
			}
		case '"':
			j := i + 1
			escaped := false
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' {
					escaped = true
					j++
				}
				j++
			}
			if j >= len(b) {
				return nil, fmt.Errorf("JSON at offset %d: unterminated string", i)
			}
			lit := b[i : j+1]
			var s string
			if escaped {
				if err := json.Unmarshal(lit, &s); err != nil {
					return nil, fmt.Errorf("JSON at offset %d: %w", i, err)
				}
			} else {
				s = string(lit[1 : len(lit)-1])
			}
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expectKey {
				stack[n-1].expectKey = false
				stack[n-1].key = s
				out = append(out, lit...)
			} else if r := f(ctxKey(), s); r != s {
				enc, err := json.Marshal(r)
				if err != nil {
					return nil, err
				}
				out = append(out, enc...)
				changed = true
			} else {
				out = append(out, lit...)
			}
			i = j + 1
			continue
		}
		out = append(out, c)
		i++
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("JSON: %d unclosed containers", len(stack))
	}
	if !changed {
		return b, nil
	}
	return out, nil
}
