package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
)

// A rule's fix is worded for the input the finding is in
// (custom.remediation_by_source): a secret in a .env file is not fixed
// with "bcrypt hashes quoted because of the $", one in a Kubernetes
// manifest points at a Secret, one in Helm values at install-time values;
// a nats.conf keeps the rule's general fix.
func TestRemediationWordedPerSource(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		repo, rule, fileSuffix, want string
	}{
		{"sahool", "NATS-CRED-001", "config/base.env", ".env.example"},
		{"facts-env-reference", "NATS-CRED-003", "devcontainer.env", "Replace the value in the .env file"},
		{"facts-url-creds", "NATS-CRED-001", "docker-compose.yml", "${NATS_PASSWORD:?required}"},
		{"kubernetes", "NATS-CRED-001", "k8s/nats-config.yaml", "valueFrom.secretKeyRef"},
		{"helm", "NATS-CRED-001", "deploy/nats/values.yaml", "helm install --set-file"},
	}
	for _, c := range cases {
		t.Run(c.repo+"/"+c.rule, func(t *testing.T) {
			r := scan(t, eng, "../../testdata/repos/"+c.repo)
			n := 0
			for _, f := range r.Findings {
				if f.RuleID != c.rule || f.Location == nil || !strings.HasSuffix(f.Location.File, c.fileSuffix) {
					continue
				}
				n++
				if !strings.Contains(f.Remediation, c.want) {
					t.Errorf("%s at %s: fix %q lacks %q", f.RuleID, f.Location.File, f.Remediation, c.want)
				}
				if strings.Contains(f.Remediation, "quoted because of the `$`") {
					t.Errorf("%s at %s: the nats.conf wording: %q", f.RuleID, f.Location.File, f.Remediation)
				}
			}
			if n == 0 {
				t.Fatalf("no %s finding in %s: the case proves nothing", c.rule, c.fileSuffix)
			}
		})
	}
	// A nats.conf keeps the rule's own fix.
	r := scan(t, eng, "../../testdata/repos/sahool")
	rule, _ := eng.Rule("NATS-CRED-002")
	for _, f := range r.Findings {
		if f.Location != nil && strings.HasSuffix(f.Location.File, ".conf") && f.RuleID == "NATS-CRED-002" && f.Remediation != rule.Remediation {
			t.Errorf("%s in a nats.conf: fix %q, want the rule's", f.RuleID, f.Remediation)
		}
	}
	if got := len(mustRule(t, eng, "NATS-CRED-001").RemediationBySource); got != 4 {
		t.Errorf("NATS-CRED-001 words its fix for %d sources, want env, compose, kubernetes, helm", got)
	}
}

func mustRule(t *testing.T, eng *engine.Engine, id string) *engine.Rule {
	t.Helper()
	r, ok := eng.Rule(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return r
}
