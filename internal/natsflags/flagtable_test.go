package natsflags

import (
	"slices"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/natsaudit/natsaudit/internal/secret"
)

// TestSecretFlagsAgreeWithNATSServer: the flags natsaudit masks are exactly
// those nats-server itself redacts from its command line
// (server.RedactArgs), for every flag of the table (compose, Kubernetes and Helm command lines).
func TestSecretFlagsAgreeWithNATSServer(t *testing.T) {
	for name, spec := range table {
		if spec.boolean {
			continue
		}
		for _, form := range [][]string{{"-" + name, "nats://u:p@h:6222"}, {"--" + name + "=nats://u:p@h:6222"}} {
			args := append([]string{"nats-server"}, form...)
			red := slices.Clone(args)
			server.RedactArgs(red)
			natsHides := !slices.Equal(args, red)
			weHide := secret.ServerFlag(name) != secret.NotSecret
			if natsHides != weHide {
				t.Errorf("flag %v: nats-server redacts it: %v, natsaudit: %v", form, natsHides, weHide)
			}
		}
	}
	// And the secret flags are all in the table.
	for _, name := range []string{"pass", "auth", "user", "routes", "cluster", "cluster_listen"} {
		if _, ok := table[name]; !ok || secret.ServerFlag(name) == secret.NotSecret {
			t.Errorf("flag %s: known %v, kind %v", name, ok, secret.ServerFlag(name))
		}
	}
}
