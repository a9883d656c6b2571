package natsconf

import "testing"

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
