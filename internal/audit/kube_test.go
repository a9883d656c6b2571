package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// findingsAt lists "RULE file:line" for every finding with a location.
func findingsAt(rep *report.Report) map[string]bool {
	got := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Location != nil {
			got[fmt.Sprintf("%s %s:%d", f.RuleID, f.Location.File, f.Location.Line)] = true
		}
	}
	return got
}

// TestKubernetesAndHelmRepos checks issue 13's acceptance: each problem of
// the Kubernetes and Helm example repos is reported at its line (inside
// the ConfigMap's nats.conf, on the Service port, on the values line), and
// the hardened variants report nothing high or critical and score higher.
func TestKubernetesAndHelmRepos(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		repo, hardened string
		want           []string
	}{
		{"kubernetes", "kubernetes-hardened", []string{
			"NATS-VER-001 k8s/nats.yaml:50",         // image: nats:2.10.1-alpine
			"NATS-VER-002 k8s/nats.yaml:50",         // EOL series
			"NATS-CLU-001 k8s/nats.yaml:38",         // replicas: 2 with JetStream
			"NATS-NET-001 k8s/nats.yaml:14",         // LoadBalancer port 8222, no auth
			"NATS-DOC-003 k8s/nats.yaml:11",         // LoadBalancer port 4222
			"NATS-JS-007 k8s/nats.yaml:73",          // memory: 512Mi < max_mem 1Gi
			"NATS-DOC-001 k8s/nats-config.yaml:18",  // store_dir /data on an emptyDir
			"NATS-TLS-004 k8s/nats-config.yaml:24",  // cluster port, no tls
			"NATS-AUTH-009 k8s/nats-config.yaml:24", // cluster port, no authorization
			"NATS-CRED-001 k8s/nats-config.yaml:33", // plaintext password in nats.conf...
			"NATS-K8S-007 k8s/nats-config.yaml:33",  // ... of a ConfigMap
			"NATS-TLS-013 k8s/nats-config.yaml:13",  // http: 8222 published
			"NATS-K8S-008 k8s/secret.yaml:8",        // committed Secret used by nats
			"NATS-K8S-002 k8s/nats.yaml:49",         // may run as root
			"NATS-K8S-003 k8s/nats.yaml:49",
			"NATS-K8S-004 k8s/nats.yaml:38", // no anti-affinity / spread
			"NATS-K8S-005 k8s/nats.yaml:38", // no PDB
			"NATS-K8S-006 k8s/nats.yaml:49", // no NetworkPolicy
			"NATS-OPS-004 k8s/nats.yaml:47", // lame duck 2m > grace 60s
			"NATS-JS-005 k8s/nats-config.yaml:16",
		}},
		{"helm", "helm-hardened", []string{
			"NATS-CLU-001 deploy/nats/values-prod.yaml:6",  // replicas: 2
			"NATS-DOC-001 deploy/nats/values-prod.yaml:10", // pvc.enabled: false
			"NATS-JS-007 deploy/nats/values-prod.yaml:26",  // limit 1Gi < memoryStore 2Gi
			"NATS-DOC-003 deploy/nats/values-prod.yaml:31", // service type LoadBalancer
			"NATS-K8S-007 deploy/nats/values.yaml:8",       // routeURLs.password in the ConfigMap
			"NATS-CRED-001 deploy/nats/values.yaml:8",      // ... and in every route URL
			"NATS-K8S-007 deploy/nats/values.yaml:20",      // config.merge password
			"NATS-CRED-001 deploy/nats/values.yaml:20",     //
			"NATS-AUTH-005 deploy/nats/values.yaml:19",     // user without permissions
			"NATS-K8S-008 deploy/nats/values.yaml:28",      // natsBox creds contents
			"NATS-TLS-001 deploy/nats/Chart.yaml:8",        // chart default: no TLS
			"NATS-TLS-004 deploy/nats/Chart.yaml:8",        // chart default: no route TLS
			"NATS-K8S-002 deploy/nats/Chart.yaml:8",        // chart default: root
			"NATS-K8S-006 deploy/nats/Chart.yaml:8",        // no NetworkPolicy
			"NATS-JS-002 deploy/nats/values.yaml:11",       // no max_file_store once the PVC is off
		}},
	} {
		t.Run(tc.repo, func(t *testing.T) {
			rep := scan(t, eng, "../../testdata/repos/"+tc.repo)
			got := findingsAt(rep)
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("missing finding %s", w)
				}
			}
			if t.Failed() {
				for k := range got {
					t.Logf("got %s", k)
				}
			}
			if len(rep.Errors) != 0 {
				t.Errorf("errors: %+v", rep.Errors)
			}
			hard := scan(t, eng, "../../testdata/repos/"+tc.hardened)
			for _, f := range hard.Findings {
				if finding.SeverityRank(f.Severity) >= finding.SeverityRank("high") {
					t.Errorf("%s: %s %s at %v: %s", tc.hardened, f.Severity, f.RuleID, f.Location, f.Message)
				}
			}
			if *hard.Scores.Overall <= *rep.Scores.Overall {
				t.Errorf("overall: %v, hardened %v", *rep.Scores.Overall, *hard.Scores.Overall)
			}
		})
	}
}

// TestHelmDefaultsAreNamed: a finding about a value the values leave to the
// chart says so, and points at the release (the umbrella's dependency).
func TestHelmDefaultsAreNamed(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := scan(t, eng, "../../testdata/repos/helm")
	found := false
	for _, f := range rep.Findings {
		if f.RuleID == "NATS-TLS-001" {
			found = true
			if !strings.Contains(f.Message, "nats chart's default") {
				t.Errorf("TLS-001 does not say it is the chart default: %s", f.Message)
			}
		}
		if f.RuleID == "NATS-JS-007" && strings.Contains(f.Message, "chart's default") {
			t.Errorf("JS-007 is about values set in values-prod.yaml, not defaults: %s", f.Message)
		}
	}
	if !found {
		t.Fatal("no NATS-TLS-001")
	}
	// The templated image tag is a coverage note, not a guess.
	note := false
	for _, n := range rep.Notes {
		if strings.Contains(n, "mapping partial") && strings.Contains(n, "container/image/tag") {
			note = true
		}
	}
	if !note {
		t.Errorf("no partial-mapping note for the templated image tag: %q", rep.Notes)
	}
	for _, f := range rep.Findings {
		if f.RuleID == "NATS-VER-005" {
			t.Errorf("a templated image tag is not an unpinned image: %s", f.Message)
		}
	}
}

// TestManifestsHostile: a manifest that does not parse is reported at its
// line and the scan goes on; committed Secret values and passwords in a
// ConfigMap never appear in any output.
func TestManifestsHostile(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, data string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: [unclosed\n")
	write("seed.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: nats-seed}\ndata:\n  user.nk: U1VBQ1NTTDNVQUhVRFhLRlNOVlVaUkY1VUhQTVdaNkJGRFRKN002VVNEWElFRE5QUFFZWVlDVTNWWQ==\n")
	write("nats.yaml", `apiVersion: v1
kind: Secret
metadata: {name: nats-creds}
data:
  password: `+"c3VwZXItc2VjcmV0LXZhbHVlLTQy"+`
---
apiVersion: v1
kind: ConfigMap
metadata: {name: nats-config}
data:
  nats.conf: |
    authorization { user: a, password: "cm-password-Xy9z" }
---
apiVersion: v1
kind: Pod
metadata: {name: nats}
spec:
  containers:
  - name: nats
    image: nats:2.14.9
    args: ["-c", "/etc/nats/nats.conf"]
    env:
    - name: NATS_PASSWORD
      valueFrom: {secretKeyRef: {name: nats-creds, key: password}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/nats}
  volumes:
  - name: cfg
    configMap: {name: nats-config}
`)
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Report
	if len(rep.Errors) != 1 || rep.Errors[0].File != "broken.yaml" || rep.Errors[0].Line != 5 {
		t.Errorf("errors = %+v, want broken.yaml:5 (where yaml.v3 places it)", rep.Errors)
	}
	got := findingsAt(rep)
	for _, w := range []string{"NATS-K8S-008 nats.yaml:5", "NATS-K8S-008 seed.yaml:5", "NATS-K8S-007 nats.yaml:12", "NATS-OPS-005 broken.yaml:5"} {
		if !got[w] {
			t.Errorf("missing %s (got %v)", w, got)
		}
	}
	for _, format := range []string{"json", "text", "markdown", "sarif"} {
		var b strings.Builder
		if err := report.Render(format, &b, rep, report.RenderOptions{Rules: eng.Rules()}); err != nil {
			t.Fatal(err)
		}
		out := res.Secrets.Redact(b.String())
		for _, secret := range []string{"super-secret-value-42", "c3VwZXItc2VjcmV0LXZhbHVlLTQy", "cm-password-Xy9z", "SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY", "U1VBQ1NTTDNVQUhVRFhLRlNOVlVaUkY1VUhQTVdaNkJGRFRKN002VVNEWElFRE5QUFFZWVlDVTNWWQ=="} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output contains %q", format, secret)
			}
		}
	}
	inv, _ := json.Marshal(res.Inventory)
	for _, secret := range []string{"super-secret-value-42", "cm-password-Xy9z"} {
		if strings.Contains(res.Secrets.Redact(string(inv)), secret) {
			t.Errorf("inventory contains %q", secret)
		}
	}
}

// TestRoutesExposeThroughIngress: a ClusterIP Service publishes nothing by
// itself, but an Ingress, a Gateway API TCPRoute or a Traefik
// IngressRouteTCP in front of it does; the finding points at the route's
// backend, and without the route the same manifests are quiet.
func TestRoutesExposeThroughIngress(t *testing.T) {
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
        args: [--config, /etc/nats/nats.conf]
        ports: [{name: client, containerPort: 4222}, {name: monitor, containerPort: 8222}]
        volumeMounts: [{name: config, mountPath: /etc/nats}]
      volumes: [{name: config, configMap: {name: nats-config}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: nats-config}
data:
  nats.conf: |
    port: 4222
    http_port: 8222
---
apiVersion: v1
kind: Service
metadata: {name: nats}
spec:
  selector: {app: nats}
  ports: [{name: client, port: 4222, targetPort: client}, {name: monitor, port: 8222, targetPort: monitor}]
`
	const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: dashboards}
spec:
  rules:
  - host: nats-monitor.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: nats, port: {number: 8222}}
`
	const tcp = `apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: nats}
spec:
  entryPoints: [nats]
  routes:
  - match: HostSNI(` + "`*`" + `)
    services: [{name: nats, port: 4222}]
`
	write := func(files map[string]string) string {
		dir := t.TempDir()
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	quiet := findingsAt(scan(t, eng, write(map[string]string{"nats.yaml": workload})))
	routed := findingsAt(scan(t, eng, write(map[string]string{"nats.yaml": workload, "ingress.yaml": ingress, "tcp.yaml": tcp})))
	for _, w := range []string{
		"NATS-NET-001 ingress.yaml:12", // monitoring on the Ingress, no auth
		"NATS-DOC-003 tcp.yaml:8",      // client port through Traefik's TCP entry point
	} {
		if !routed[w] {
			t.Errorf("missing %s; got %v", w, routed)
		}
		rule, _, _ := strings.Cut(w, " ")
		for k := range quiet {
			if strings.HasPrefix(k, rule+" ") {
				t.Errorf("without routes: %s", k)
			}
		}
	}
}

// TestMissingOverlayPatchNote: a kustomize patch that is not a file of the
// scanned tree is one note that names the patch once (the tree's reader
// used to name it in its error too: "patch p: p: not a file ...").
func TestMissingOverlayPatchNote(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"base/kustomization.yaml":          "resources: [sts.yaml]\n",
		"base/sts.yaml":                    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: nats\n        image: nats:2.10.1\n",
		"overlays/prod/kustomization.yaml": "resources: [../../base]\npatches:\n- path: missing.yaml\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want := "overlays/prod/kustomization.yaml: patch overlays/prod/missing.yaml: not a file of the scanned tree; not applied"
	for _, n := range res.Report.Notes {
		if n == want {
			return
		}
	}
	t.Errorf("notes %q, want %q", res.Report.Notes, want)
}
