package secret

import "testing"

// TestRedactLineBcrypt: a bcrypt hash is a value, not a $VAR reference,
// in every form a line can hold it.
func TestRedactLineBcrypt(t *testing.T) {
	const hash = "$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.bBJHJW"
	for _, tc := range []struct{ in, want string }{
		{"  password: " + hash, "  password: ****"},
		{`  password = "` + hash + `"`, `  password = "****"`},
		{"users: [ { user: a, password: " + hash + " } ]", "users: [ { user: a, password: **** } ]"},
		{`command: ["--user", "a", "--pass", "` + hash + `"]`, `command: ["--user", "****", "--pass", "****"]`},
		{"NATS_PASSWORD=$2b$10$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012", "NATS_PASSWORD=****"},
		// The reference next to it stays readable.
		{"  password: $NATS_PASSWORD", "  password: $NATS_PASSWORD"},
	} {
		if got := RedactLine(tc.in); got != tc.want {
			t.Errorf("RedactLine(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
