package audit_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
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
		// The prod overlay, rendered: what it changes points at the line
		// that changed it.
		"NATS-VER-001 deploy/overlays/prod/kustomization.yaml:12", // images: newTag 2.11.9-alpine
		"NATS-K8S-004 deploy/overlays/prod/kustomization.yaml:20", // JSON patch: replicas 3, no spread
		"NATS-K8S-003 deploy/overlays/prod/security.yaml:9",       // strategic-merge patch: securityContext not hardened
	} {
		if !got[w] {
			t.Errorf("missing finding %s", w)
		}
	}
	// Findings the base has and prod has alike are one entry naming both.
	for _, f := range rep.Findings {
		if f.RuleID == "NATS-TLS-001" && (len(f.Servers) != 2 || !strings.HasSuffix(f.Servers[1], "[deploy/overlays/prod]")) {
			t.Errorf("NATS-TLS-001 servers %q: want the base's and the overlay's in one finding", f.Servers)
		}
		if f.TargetName == "nats-0 [deploy/overlays/prod]" || slices.Contains(f.Servers, "nats-0 [deploy/overlays/prod]") {
			switch f.RuleID {
			case "NATS-CLU-001": // replicas 3 in prod
				t.Errorf("prod: %s at %s: the overlay's replicas are not applied", f.RuleID, f.Location.File)
			case "NATS-K8S-002": // runAsNonRoot in prod's patch
				t.Errorf("prod: %s: the strategic-merge patch is not applied", f.RuleID)
			case "NATS-K8S-005", "NATS-K8S-006": // prod's PDB and NetworkPolicy select env: prod, which commonLabels adds
				t.Errorf("prod: %s: commonLabels not applied to the pod template", f.RuleID)
			}
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
	if n := len(res.Inventory.Servers); n != 2 {
		t.Errorf("servers: want the StatefulSet's as written and as prod renders it: %d", n)
	}
	for _, s := range res.Inventory.Servers {
		if s.ConfigFile != "deploy/nats/server.conf" || s.Deployment == nil {
			t.Errorf("server %s: want server.conf as its config: %q", s.Name, s.ConfigFile)
		}
	}
	if len(rep.Errors) != 0 {
		t.Errorf("errors: %+v", rep.Errors)
	}
	if len(rep.Notes) != 0 {
		t.Errorf("notes %q: the overlay renders whole", rep.Notes)
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
