package cli

import "testing"

// TestUseColour: colours only on a terminal, and never with --no-color,
// NO_COLOR set to anything (https://no-color.org) or TERM=dumb.
func TestUseColour(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, tc := range []struct {
		name     string
		noColor  bool
		env      map[string]string
		terminal bool
		want     bool
	}{
		{"terminal", false, nil, true, true},
		{"not a terminal", false, nil, false, false},
		{"--no-color", true, nil, true, false},
		{"NO_COLOR=1", false, map[string]string{"NO_COLOR": "1"}, true, false},
		{"NO_COLOR=false still set", false, map[string]string{"NO_COLOR": "false"}, true, false},
		{"NO_COLOR empty", false, map[string]string{"NO_COLOR": ""}, true, true},
		{"TERM=dumb", false, map[string]string{"TERM": "dumb"}, true, false},
		{"TERM=xterm", false, map[string]string{"TERM": "xterm-256color"}, true, true},
	} {
		if got := useColour(tc.noColor, env(tc.env), tc.terminal); got != tc.want {
			t.Errorf("%s: colour %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	ids := []string{"NATS-TLS-001", "NATS-TLS-002", "NATS-TLS-012", "NATS-AUTH-001"}
	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"NATS-TLS-02", []string{"NATS-TLS-002", "NATS-TLS-012"}},
		{"nats-auth-01", []string{"NATS-AUTH-001"}},
		{"NATS-TSL-001", []string{"NATS-TLS-001"}},
		{"something else", nil},
	} {
		got := suggest(tc.typed, ids)
		if len(got) != len(tc.want) {
			t.Errorf("suggest(%q) = %v, want %v", tc.typed, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("suggest(%q) = %v, want %v", tc.typed, got, tc.want)
			}
		}
	}
}
