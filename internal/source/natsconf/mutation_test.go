package natsconf

import (
	"strings"
	"testing"
)

// TestJetStreamLimitsSet: an account's `jetstream` says whether it sets
// limits (NATS-ACC rules read limits_set); the server's own block never
// carries the key. A scalar `jetstream: enabled` in an account sets none.
func TestJetStreamLimitsSet(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": `
jetstream: enabled
accounts {
  A { jetstream: enabled }
  B { jetstream: { max_memory: 1GB } }
  C { jetstream: { } }
  D { jetstream: disabled }
}
`}, "nats.conf", nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	top := res.Config["jetstream"].(map[string]any)
	if _, ok := top["limits_set"]; ok || top["enabled"] != true {
		t.Errorf("server jetstream = %#v, want enabled and no limits_set", top)
	}
	accts := res.Config["accounts"].(map[string]any)
	for name, want := range map[string]map[string]any{
		"A": {"enabled": true, "limits_set": false},
		"B": {"enabled": true, "limits_set": true},
		"C": {"enabled": true, "limits_set": false},
		"D": {"enabled": false, "limits_set": false},
	} {
		js, _ := accts[name].(map[string]any)["jetstream"].(map[string]any)
		for k, v := range want {
			got, ok := js[k]
			if !ok || got != v {
				t.Errorf("account %s jetstream[%s] = %#v (present %v), want %#v; all %#v", name, k, got, ok, v, js)
			}
		}
	}
}

// TestUnclosedBlockLine: the "never closed" error points at the block that
// is still open at the end of the file, after skipping a balanced nested
// block, a quoted brace and a brace in a comment (kills mutants of
// unclosedBlock's pop and its quote skipping, found by a fresh Gremlins
// sample with seed 2).
func TestUnclosedBlockLine(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "port: 4222\nunclosed {\n  inner { y: 1 }\n  s: \"}\"\n  # }\n  x: 1\n"}, "nats.conf", nil)
	if len(res.Errors) != 1 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	e := res.Errors[0]
	if e.Line != 2 || e.Message != "this block is never closed: the parser reached the end of the file" {
		t.Fatalf("error: %+v", e)
	}
}

// TestIncludeDirectiveLimit: the 257th include directive of one file is the
// first one over the limit (256), and exactly 256 are allowed.
func TestIncludeDirectiveLimit(t *testing.T) {
	for _, tc := range []struct {
		n    int
		over bool
	}{{maxIncludesPerFile, false}, {maxIncludesPerFile + 1, true}} {
		conf := strings.Repeat("include \"x.conf\"\n", tc.n)
		res := parseTree(t, map[string]string{"nats.conf": conf, "x.conf": "debug: false\n"}, "nats.conf", nil)
		over := false
		for _, e := range res.Errors {
			if strings.Contains(e.Message, "include directives in one file") {
				over = true
			}
		}
		if over != tc.over {
			t.Errorf("%d includes: over the limit reported %v, want %v (errors %+v)", tc.n, over, tc.over, res.Errors)
		}
	}
}
