package audit_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestBcryptLineOfBrokenConfigNeverQuoted: a nats.conf that fails to parse
// remembers no secrets, so the error's snippet of the failing line is masked
// by structure alone. A bcrypt hash starts with '$' like a variable
// reference, which stays readable; the hash must not (it can be attacked
// offline). Kills the mutant that drops the "$2" exception of
// secret.isReference.
func TestBcryptLineOfBrokenConfigNeverQuoted(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const body = "W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.bBJHJW"
	dir := writeTree(t, map[string]string{
		"a/nats.conf": "authorization {\n  user: admin\n  password: $2a$11$" + body + " x y {\n}\n",
		"b/nats.conf": "authorization {\n  user: admin\n  password: \"$2a$11$" + body + "\" ]\n}\n",
	})
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(res.Report, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	if strings.Contains(out, body) {
		t.Errorf("the report quotes the bcrypt hash:\n%s", out)
	}
	// The errors are there, pointing at the password line, with its key.
	if n := strings.Count(out, `"snippet": "password: **** x y {"`) + strings.Count(out, `"snippet": "password: \"****\" ]"`); n < 2 {
		t.Errorf("want both parse errors quoting their masked password line, got %d:\n%s", n, out)
	}
}
