package probe

import "testing"

// /raftz is asked only of servers that serve it: older ones answer the
// path with their HTML index page, and never answer RAFTZ over $SYS (the
// gather would wait for --timeout).
func TestHasRaftz(t *testing.T) {
	meta := map[string]any{"meta": map[string]any{"cluster_size": int64(3)}}
	for _, tc := range []struct {
		varz map[string]any
		want bool
	}{
		{map[string]any{"version": "2.15.2", "jetstream": meta}, true},
		{map[string]any{"version": "2.11.0", "jetstream": meta}, true},
		{map[string]any{"version": "v2.12.0-RC.1", "jetstream": meta}, true},
		{map[string]any{"version": "3.0.0", "jetstream": meta}, true},
		{map[string]any{"version": "2.10.24", "jetstream": meta}, false},
		{map[string]any{"version": "2.9.0", "jetstream": meta}, false},
		{map[string]any{"version": "2.15.2", "jetstream": map[string]any{}}, false}, // standalone JetStream: no meta group
		{map[string]any{"version": "2.15.2"}, false},
		{map[string]any{"version": "garbage", "jetstream": meta}, false},
		{map[string]any{"version": "2", "jetstream": meta}, false},
		{map[string]any{"jetstream": meta}, false},
	} {
		if got := hasRaftz(tc.varz); got != tc.want {
			t.Errorf("hasRaftz(%v) = %v, want %v", tc.varz, got, tc.want)
		}
	}
}
