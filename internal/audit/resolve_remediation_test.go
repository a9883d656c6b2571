package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestRuleOwnRemediationKept: a fix the rule worked out for the finding
// (NATS-VER-001 names the release to upgrade to) is kept as it is, in a
// compose file as in a nats.conf; only a finding without one gets the
// rule's fix worded for the file's format (issue 20, Go mutation testing
// of resolve.go).
func TestRuleOwnRemediationKept(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rule := mustRule(t, eng, "NATS-VER-001")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yml"), []byte("services:\n  nats:\n    image: nats:2.9.0\n    command: [\"-js\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := scan(t, eng, dir)
	n := 0
	for _, f := range r.Findings {
		if f.RuleID != "NATS-VER-001" {
			continue
		}
		n++
		if f.Remediation == rule.Remediation || f.Remediation == rule.RemediationFor("compose") || !strings.Contains(f.Remediation, "2.") {
			t.Errorf("%s at %v: fix %q is the rule's general one, not the finding's own", f.RuleID, f.Location, f.Remediation)
		}
	}
	if n == 0 {
		t.Fatal("no NATS-VER-001 finding: the case proves nothing")
	}
}
