package kube

import (
	"fmt"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Tests of the sixth round of Go mutation testing (issue 20): the eight
// survivors of a fresh full Gremlins run of this package, each pinned by
// what a user sees (a fact's value and file, the server's ports and
// environment).

// TestEnvFromKeyRefs: an env var from a secretKeyRef or a configMapKeyRef
// naming an object and key in the repository is resolved from that
// object's file, and a $VAR of the config takes its value: neither is a
// run-time value (kills environment's `ref != nil` tests of secretKeyRef
// and configMapKeyRef negated, which read the other kind or none).
func TestEnvFromKeyRefs(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  nats.conf: |\n    port: $NATS_PORT\n    authorization { token: $NATS_TOKEN }\n"
	env := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nats-env}\ndata:\n  port: \"4333\"\n"
	sec := "apiVersion: v1\nkind: Secret\nmetadata: {name: nats-auth}\nstringData:\n  token: s3cr3t-t0ken-for-nats-0123\n"
	pod := strings.Replace(cfgPod, "    volumeMounts:\n", "    env:\n"+
		"    - name: NATS_TOKEN\n      valueFrom: {secretKeyRef: {name: nats-auth, key: token}}\n"+
		"    - name: NATS_PORT\n      valueFrom: {configMapKeyRef: {name: nats-env, key: port}}\n"+
		"    volumeMounts:\n", 1)
	s := one(t, load(t, "cm.yaml", cm, "env.yaml", env, "secret.yaml", sec, "pod.yaml", pod))
	for name, file := range map[string]string{"NATS_TOKEN": "secret.yaml", "NATS_PORT": "env.yaml"} {
		f, _ := s.Deployment.Environment[name].(*model.Secret)
		if f == nil || !f.Resolved || f.ResolvedFrom != file || f.Origin != "env" || f.EnvVar != name {
			t.Errorf("%s = %+v, want resolved from %s", name, f, file)
		}
	}
	if p := toInt(s.Config["port"]); p != 4333 {
		t.Errorf("port = %v, want 4333 from the ConfigMap nats-env", s.Config["port"])
	}
	auth, _ := s.Config["authorization"].(map[string]any)
	tok, _ := auth["token"].(*model.Secret)
	if tok == nil || !tok.Resolved || tok.Length != len("s3cr3t-t0ken-for-nats-0123") || tok.ResolvedFrom != "secret.yaml" {
		t.Errorf("token = %+v, want the Secret's value (length %d) from secret.yaml", tok, len("s3cr3t-t0ken-for-nats-0123"))
	}
}

// envAndPorts is what the tests below read of a server: its environment's
// names and its published ports (host->container).
func envAndPorts(s *model.Server) string {
	var env, ports []string
	for k := range s.Deployment.Environment {
		env = append(env, k)
	}
	sortStrings(env)
	for _, p := range s.Deployment.Ports {
		ports = append(ports, fmt.Sprintf("%d->%d", p.HostPort, p.ContainerPort))
	}
	return "env " + strings.Join(env, ",") + "; ports " + strings.Join(ports, ",")
}

// TestStrategicMergePortsEdges: an empty ports list in a patch merges
// nothing (the first item's keys are looked at only when there is one),
// and a containerPort item with `$patch: delete` removes the base's port
// by containerPort, so a Service sending its port to that port's name no
// longer reaches the container (kills merge's `len(src.Content) > 0`
// turned into `>= 0`, which read an item that is not there, and its `&&`
// into `||`, which took "port" as the merge key of every list of ports).
func TestStrategicMergePortsEdges(t *testing.T) {
	const baseWant = "env GOMEMLIMIT,NATS_DEBUG; ports 30422->4222"
	// the StatefulSet's container, and the Service's client port sent to
	// the container's port named client (a named targetPort, as
	// nats-io/k8s's chart writes it)
	const stsPatch = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\nspec:\n  template:\n    spec:\n      containers:\n      - name: nats\n"
	const svcTargetsClient = "---\napiVersion: v1\nkind: Service\nmetadata: {name: nats}\nspec:\n  ports:\n  - {port: 4222, targetPort: client}\n"
	for _, tc := range []struct{ name, body, want string }{
		{"an empty list merges nothing", "ports: []\nenv:\n- {name: NATS_TRACE, value: \"1\"}\n",
			"env GOMEMLIMIT,NATS_DEBUG,NATS_TRACE; ports 30422->4222"},
		{"an item deleted by containerPort", "---\n" + stsPatch + "        ports:\n        - {containerPort: 4222, $patch: delete}\n" + svcTargetsClient,
			"env GOMEMLIMIT,NATS_DEBUG; ports "},
		{"no item deleted: the Service reaches the named port", "---\n" + stsPatch + "        ports:\n        - {containerPort: 4223, $patch: delete}\n" + svcTargetsClient,
			baseWant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kust, extra := smPatch(tc.body)
			base, prod, r := renderProd(t, kust, extra...)
			if got := envAndPorts(base); got != baseWant {
				t.Errorf("base: %s, want %s", got, baseWant)
			}
			if prod == nil {
				// the overlay changed nothing a rule sees
				if tc.want != baseWant {
					t.Fatalf("no prod server; notes %q", r.Notes)
				}
				return
			}
			if got := envAndPorts(prod); got != tc.want {
				t.Errorf("prod: %s, want %s", got, tc.want)
			}
		})
	}
}

// TestStrategicMergeReplaceDropsDirectives: a mapping patched with
// `$patch: replace` replaces the base's and loses the directive: a
// ConfigMap's data so replaced gives the container its keys, and no
// "$patch" variable (kills dropDirectives' `n.Kind != MappingNode`
// negated, which kept every directive of a mapping).
func TestStrategicMergeReplaceDropsDirectives(t *testing.T) {
	kust, extra := smPatch("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: nats-env}\ndata:\n  $patch: replace\n  LOG_LEVEL: debug\n")
	_, prod, r := renderProd(t, kust, extra...)
	if prod == nil {
		t.Fatalf("no prod server; notes %q", r.Notes)
	}
	if got, want := envAndPorts(prod), "env GOMEMLIMIT,LOG_LEVEL,NATS_DEBUG; ports 30422->4222"; got != want {
		t.Errorf("prod: %s, want %s", got, want)
	}
	if got, want := locAt(prod, "deployment/environment/LOG_LEVEL"), "prod/sts.yaml:6"; got != want {
		t.Errorf("LOG_LEVEL at %s, want %s", got, want)
	}
}

// TestStrategicMergeNullFirstKey: null deletes a key that is the first of
// its mapping too: `memory: null` under limits (memory written first in
// the base) leaves the prod server without a memory limit, its CPU limit
// kept (kills merge's `j >= 0` turned into `> 0` for a null value, which
// kept a first key).
func TestStrategicMergeNullFirstKey(t *testing.T) {
	kust, extra := smPatch("resources:\n  limits: {memory: null}\n")
	base, prod, r := renderProd(t, kust, extra...)
	if base.Deployment.MemoryLimit != 2<<30 {
		t.Fatalf("base memory limit %v, want 2Gi", base.Deployment.MemoryLimit)
	}
	if prod == nil {
		t.Fatalf("no prod server; notes %q", r.Notes)
	}
	if d := prod.Deployment; d.MemoryLimit != 0 || d.CPULimit != 1 {
		t.Errorf("prod limits: memory %v, cpu %v; want none and 1", d.MemoryLimit, d.CPULimit)
	}
	if got, want := locAt(prod, "deployment/cpu_limit"), "base/nats.yaml:21"; got != want {
		t.Errorf("cpu_limit at %s, want %s", got, want)
	}
}
