package source

import "testing"

// A path on a host names the repository file whose path ends with most of
// it; equals are decided by the referring file's directory, else not at
// all.
func TestTreeResolve(t *testing.T) {
	tree := NewTree([]string{"a/nats.conf", "b/etc/nats/nats.conf", "c/nats.conf", "roles/nats/files/nats", "x/files/nats-edge.conf"})
	for _, tc := range []struct {
		from, host, want string
		ok               bool
	}{
		{"deploy/nats.service", "/etc/nats/nats.conf", "b/etc/nats/nats.conf", true}, // longest suffix
		{"a/nats.service", "/etc/nats.conf", "a/nats.conf", true},                    // equals: the unit's directory
		{"z/nats.service", "/etc/nats.conf", "", false},                              // equals elsewhere: ambiguous
		{"z/nats.service", "/etc/default/nats", "roles/nats/files/nats", true},
		{"z/nats.service", "/etc/nats/other.conf", "", false},
		{"z/nats.service", "/", "", false},
	} {
		got, why, ok := tree.Resolve(tc.from, tc.host)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Resolve(%s, %s) = %q %v (%s), want %q %v", tc.from, tc.host, got, ok, why, tc.want, tc.ok)
		}
	}
}
