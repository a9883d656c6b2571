package audit_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

// TestKustomizeRepo: testdata/repos/kustomize generates its ConfigMap from
// server.conf with a configMapGenerator: the workload's findings about its
// config point at server.conf's own lines, server.conf is not a second
// server, the secretGenerator's literal is a committed credential (never
// printed), the internal load balancer is not public while the public one
// is, and the overlay's patches are a note.
func TestKustomizeRepo(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := "../../testdata/repos/kustomize"
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Report
	got := findingsAt(rep)
	for _, w := range []string{
		"NATS-TLS-001 deploy/nats/server.conf:4",         // port 4222, no TLS (reachable in the VPC)
		"NATS-TLS-004 deploy/nats/server.conf:20",        // cluster port, no TLS
		"NATS-AUTH-009 deploy/nats/server.conf:20",       // cluster port, no authorization
		"NATS-AUTH-004 deploy/nats/server.conf:14",       // one shared user
		"NATS-TLS-013 deploy/nats/server.conf:5",         // http_port published by nats-monitor
		"NATS-NET-001 deploy/nats/service.yaml:41",       // public LoadBalancer on 8222
		"NATS-K8S-008 deploy/nats/kustomization.yaml:16", // secretGenerator literal
		"NATS-CLU-001 deploy/nats/statefulset.yaml:15",   // replicas: 2 with JetStream
		"NATS-VER-001 deploy/nats/statefulset.yaml:24",   // nats:2.10.1-alpine
		"NATS-JS-012 deploy/nats/server.conf:10",         // max_file 20G on the 10Gi volumeClaimTemplate
	} {
		if !got[w] {
			t.Errorf("missing finding %s", w)
		}
	}
	for k := range got {
		// 4222 is behind an internal load balancer only: no finding calls it
		// public.
		if strings.HasPrefix(k, "NATS-DOC-003 ") || strings.HasPrefix(k, "NATS-AUTH-001 ") {
			t.Errorf("internal load balancer counted as public: %s", k)
		}
	}
	if t.Failed() {
		for k := range got {
			t.Logf("got %s", k)
		}
	}
	if n := len(res.Inventory.Servers); n != 1 || res.Inventory.Servers[0].ConfigFile != "deploy/nats/server.conf" || res.Inventory.Servers[0].Deployment == nil {
		t.Errorf("servers: want the StatefulSet's only, with server.conf as its config: %d", n)
	}
	if len(rep.Errors) != 0 {
		t.Errorf("errors: %+v", rep.Errors)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "deploy/overlays/prod/kustomization.yaml: patches, images not applied") {
		t.Errorf("notes %q: the overlay's patches are not said to be skipped", rep.Notes)
	}
	const secret = "q7Vt2Lw9Zr4Kp1Xm"
	for _, format := range []string{"json", "text", "markdown", "sarif"} {
		var b strings.Builder
		if err := report.Render(format, &b, rep, report.RenderOptions{Rules: eng.Rules()}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), secret) {
			t.Errorf("%s output contains the secretGenerator's literal", format)
		}
	}
	inv, _ := json.Marshal(res.Inventory)
	if strings.Contains(string(inv), secret) {
		t.Errorf("inventory contains the secretGenerator's literal")
	}
}

// TestGatewayListenerPort: a route attached to a Gateway of the manifests
// is exposure on the Gateway's listener port, which the finding names; the
// same route on an internal Gateway class is not public.
func TestGatewayListenerPort(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const workload = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: nats}}
    spec:
      containers:
      - name: nats
        image: nats:2.14.9-alpine
        ports: [{name: client, containerPort: 4222}]
---
apiVersion: v1
kind: Service
metadata: {name: nats}
spec:
  selector: {app: nats}
  ports: [{name: client, port: 4222, targetPort: client}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: nats}
spec:
  parentRefs: [{name: edge}]
  rules: [{backendRefs: [{name: nats, port: 4222}]}]
`
	gateway := func(class string) string {
		return "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: edge}\nspec:\n  gatewayClassName: " + class +
			"\n  listeners: [{name: nats, protocol: TCP, port: 14222}]\n"
	}
	for _, tc := range []struct {
		class  string
		public bool
	}{{"eg", true}, {"gke-l7-rilb", false}} {
		t.Run(tc.class, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range map[string]string{"nats.yaml": workload, "gateway.yaml": gateway(tc.class)} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rep := scan(t, eng, dir)
			public := false
			for _, f := range rep.Findings {
				if f.RuleID == "NATS-DOC-003" || f.RuleID == "NATS-AUTH-001" {
					public = true
					if !strings.Contains(f.Message, "listener nats TCP 14222") {
						t.Errorf("%s does not name the Gateway's listener: %s", f.RuleID, f.Message)
					}
				}
			}
			if public != tc.public {
				t.Errorf("public %v, want %v", public, tc.public)
				for _, f := range rep.Findings {
					t.Logf("%s %s", f.RuleID, f.Message)
				}
			}
		})
	}
}
