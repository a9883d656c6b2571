package engine

import "testing"

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.0.1.1", true}, // Debian's hostname address
		{"127.255.255.254", true},
		{"::1", true},
		{"[::1]", true},
		{"localhost", true},
		{"LOCALHOST", true},
		{"127.0.0.1:4222", true},
		{"[::1]:4222", true},
		{"nats-leaf://127.0.0.1:7422", true},
		{"nats-leaf://user:pw@127.0.1.1:7422", true},
		{"nats-route://localhost:6222", true},
		{"ws://[::1]:443/path", true},
		{"0.0.0.0", false},
		{"", false},
		{"128.0.0.1", false},
		{"10.0.0.1", false},
		{"hub.example.com", false},
		{"nats-leaf://hub.example.com:7422", false},
		{"nats://127.0.0.1.evil.example:4222", false},
		{"nats://evil@127.0.0.1@x.example:4222", false},
	} {
		if got := IsLoopback(tc.in); got != tc.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
