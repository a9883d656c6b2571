package kube

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/model"
	seam "github.com/natsaudit/natsaudit/internal/source"
)

// The base/overlays layout most kustomize repos use: base/ runs one
// nats:2.10.1 replica, overlays/prod patches it.
const ovBase = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  replicas: 1
  selector: {matchLabels: {app: nats}}
  template:
    metadata: {labels: {app: nats}}
    spec:
      containers:
      - name: nats
        image: nats:2.10.1
        args: [--jetstream]
---
apiVersion: v1
kind: Service
metadata: {name: nats}
spec:
  selector: {app: nats}
  ports: [{name: client, port: 4222}]
`

const ovBaseKust = "resources: [nats.yaml]\n"

func ovTree(kv ...string) map[string]string {
	t := map[string]string{"base/nats.yaml": ovBase, "base/kustomization.yaml": ovBaseKust}
	for i := 0; i+1 < len(kv); i += 2 {
		t[kv[i]] = kv[i+1]
	}
	return t
}

// overlayServer is the one server the overlay in dir renders differently.
func overlayServer(t *testing.T, r *Result, dir string) *model.Server {
	t.Helper()
	var out *model.Server
	for _, s := range r.Servers {
		if strings.HasSuffix(s.Name, " ["+dir+"]") {
			if out != nil {
				t.Fatalf("two servers for %s", dir)
			}
			out = s
		}
	}
	if out == nil {
		var names []string
		for _, s := range r.Servers {
			names = append(names, s.Name)
		}
		t.Fatalf("no server rendered for %s: servers %q, notes %q, errors %+v", dir, names, r.Notes, r.Errors)
	}
	return out
}

func locAt(s *model.Server, key string) string {
	l, ok := s.Locs[key]
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// TestKustomizeOverlayRender: each feature of an overlay changes what the
// rules see, and the fact points at the line that set it (the patch's, the
// overlay's entry), else at the base's line.
func TestKustomizeOverlayRender(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tree  map[string]string
		check func(t *testing.T, base, prod *model.Server)
	}{
		{"images and replicas", ovTree("prod/kustomization.yaml",
			"resources: [../base]\nreplicas:\n- name: nats\n  count: 3\nimages:\n- name: nats\n  newTag: 2.11.9\n"),
			func(t *testing.T, base, prod *model.Server) {
				if base.Deployment.Replicas != 1 || base.Deployment.Image != "nats:2.10.1" {
					t.Errorf("base changed: %d %s", base.Deployment.Replicas, base.Deployment.Image)
				}
				if prod.Deployment.Replicas != 3 || prod.Deployment.Image != "nats:2.11.9" || prod.Version == nil {
					t.Errorf("prod: replicas %d image %s version %s", prod.Deployment.Replicas, prod.Deployment.Image, prod.Version)
				}
				if got := locAt(prod, "deployment/replicas"); got != "prod/kustomization.yaml:4" {
					t.Errorf("replicas at %s", got)
				}
				if got := locAt(prod, "deployment/image"); got != "prod/kustomization.yaml:7" {
					t.Errorf("image at %s", got)
				}
				if got := locAt(prod, "deployment/command"); got != "base/nats.yaml:13" {
					t.Errorf("args at %s, want the base's line", got)
				}
			}},
		{"image newName and digest", ovTree("prod/kustomization.yaml",
			"resources: [../base]\nimages:\n- name: nats\n  newName: registry.example.com/nats\n  digest: sha256:abc\n"),
			func(t *testing.T, base, prod *model.Server) {
				if prod.Deployment.Image != "registry.example.com/nats:2.10.1@sha256:abc" {
					t.Errorf("image %s", prod.Deployment.Image)
				}
			}},
		{"strategic-merge patch file", ovTree(
			"prod/kustomization.yaml", "resources: [../base]\npatchesStrategicMerge: [sts.yaml]\n",
			"prod/sts.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\nspec:\n  template:\n    spec:\n      containers:\n      - name: nats\n        resources:\n          limits: {memory: 2Gi}\n        securityContext:\n          runAsNonRoot: true\n"),
			func(t *testing.T, base, prod *model.Server) {
				if prod.Deployment.MemoryLimit == 0 || prod.Deployment.Image != "nats:2.10.1" {
					t.Errorf("prod memory %v image %s", prod.Deployment.MemoryLimit, prod.Deployment.Image)
				}
				if got := locAt(prod, "deployment/memory_limit"); got != "prod/sts.yaml:10" {
					t.Errorf("memory limit at %s", got)
				}
				if got := locAt(prod, "deployment/kubernetes/security_context/run_as_non_root"); got != "prod/sts.yaml:12" {
					t.Errorf("runAsNonRoot at %s", got)
				}
				if got := locAt(prod, "deployment/image"); got != "base/nats.yaml:12" {
					t.Errorf("image at %s, want the base's line (a merge keeps what the patch does not set)", got)
				}
			}},
		{"patches: inline strategic merge and JSON 6902 with a target", ovTree(
			"prod/kustomization.yaml", "resources: [../base]\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: StatefulSet\n    metadata: {name: nats}\n    spec:\n      replicas: 5\n- target: {kind: StatefulSet, name: nat.*}\n  patch: |-\n    - op: add\n      path: /spec/template/spec/containers/0/args/-\n      value: --tls\n"),
			func(t *testing.T, base, prod *model.Server) {
				if prod.Deployment.Replicas != 5 {
					t.Errorf("replicas %d", prod.Deployment.Replicas)
				}
				if got := locAt(prod, "deployment/replicas"); got != "prod/kustomization.yaml:8" {
					t.Errorf("replicas at %s, want the inline patch's line", got)
				}
				if !strings.Contains(strings.Join(prod.Deployment.Command, " "), "--tls") {
					t.Errorf("command %q: the JSON patch's arg is missing", prod.Deployment.Command)
				}
			}},
		{"patchesJson6902 file", ovTree(
			"prod/kustomization.yaml", "resources: [../base]\npatchesJson6902:\n- target: {group: apps, version: v1, kind: StatefulSet, name: nats}\n  path: ops.yaml\n",
			"prod/ops.yaml", "- op: replace\n  path: /spec/replicas\n  value: 4\n- op: remove\n  path: /spec/template/spec/containers/0/args\n"),
			func(t *testing.T, base, prod *model.Server) {
				if prod.Deployment.Replicas != 4 || locAt(prod, "deployment/replicas") != "prod/ops.yaml:3" {
					t.Errorf("replicas %d at %s", prod.Deployment.Replicas, locAt(prod, "deployment/replicas"))
				}
				if strings.Contains(strings.Join(prod.Deployment.Command, " "), "--jetstream") {
					t.Errorf("command %q: the removed args remain", prod.Deployment.Command)
				}
			}},
		{"namespace, nameSuffix and labels with selectors: the prod Service still selects the pods", ovTree(
			"prod/kustomization.yaml", "resources: [../base, lb.yaml]\nnamespace: prod\nnameSuffix: -prod\nlabels:\n- pairs: {env: prod}\n  includeSelectors: true\n",
			"prod/lb.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: nats-public}\nspec:\n  type: LoadBalancer\n  selector: {app: nats, env: prod}\n  ports: [{port: 4222}]\n"),
			func(t *testing.T, base, prod *model.Server) {
				k := prod.Deployment.Kubernetes
				if k.Namespace != "prod" || !strings.HasPrefix(prod.Name, "nats-prod ") {
					t.Errorf("namespace %q name %q", k.Namespace, prod.Name)
				}
				var svcs []string
				for _, s := range k.Services {
					svcs = append(svcs, s.Name)
				}
				if strings.Join(svcs, ",") != "nats,nats-public" {
					t.Errorf("prod services %q: want both (the label the overlay adds to the pods is what nats-public selects)", svcs)
				}
				for _, s := range base.Deployment.Kubernetes.Services {
					if s.Name == "nats-public" {
						t.Errorf("the base's pods lack env: prod; nats-public does not select them")
					}
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := loadTree(t, tc.tree)
			var base *model.Server
			for _, s := range r.Servers {
				if s.Name == "nats" {
					base = s
				}
			}
			if base == nil {
				t.Fatalf("no base server")
			}
			tc.check(t, base, overlayServer(t, r, "prod"))
			for _, e := range r.Errors {
				t.Errorf("error %+v", e)
			}
		})
	}
}

// TestKustomizeOverlayUnchanged: a kustomization that changes nothing the
// rules see (a namespace, a prefix) adds no server.
func TestKustomizeOverlayUnchanged(t *testing.T) {
	r := loadTree(t, ovTree("prod/kustomization.yaml", "resources: [../base]\nnamespace: prod\nnamePrefix: prod-\n"))
	if len(r.Servers) != 1 {
		t.Errorf("servers %d: an overlay that changes nothing is not a server of its own", len(r.Servers))
	}
}

// TestKustomizeOverlayHostile: what the renderer refuses ends in a note,
// quickly, and the scan goes on with the manifests as written.
func TestKustomizeOverlayHostile(t *testing.T) {
	var fan strings.Builder
	fan.WriteString("resources:\n")
	for i := 0; i < 2000; i++ {
		fan.WriteString("- ../base\n")
	}
	for _, tc := range []struct {
		name string
		tree map[string]string
		note string
	}{
		{"patch outside the tree", ovTree("prod/kustomization.yaml", "resources: [../base]\npatches:\n- path: ../../../etc/passwd\n"),
			"patch ../../../etc/passwd is outside the scanned tree; not applied"},
		{"remote base", ovTree("prod/kustomization.yaml", "resources: [../base, 'https://github.com/nats-io/k8s//base?ref=v1']\nreplicas: [{name: nats, count: 3}]\n"),
			"resources https://github.com/nats-io/k8s//base?ref=v1 not applied"},
		{"cycle", ovTree("a/kustomization.yaml", "resources: [../b]\n", "b/kustomization.yaml", "resources: [../a, ../base]\nreplicas: [{name: nats, count: 3}]\n", "top/kustomization.yaml", "resources: [../a]\n"),
			"its resources lead back to it (a cycle)"},
		{"a base listed thousands of times, in overlays of overlays", ovTree(
			"l1/kustomization.yaml", fan.String()+"replicas: [{name: nats, count: 3}]\n",
			"l2/kustomization.yaml", strings.ReplaceAll(fan.String(), "../base", "../l1")),
			"not rendered: the overlays of the scan clone more than"},
		{"JSON patch on a missing path", ovTree("prod/kustomization.yaml", "resources: [../base]\npatches:\n- target: {kind: StatefulSet}\n  patch: '[{op: replace, path: /spec/nope/x, value: 1}]'\n"),
			"replace /spec/nope/x on StatefulSet nats: no such path; not applied"},
		{"patch that is not YAML", ovTree("prod/kustomization.yaml", "resources: [../base]\npatches:\n- path: p.yaml\n", "prod/p.yaml", "a: [\n"),
			"patch prod/p.yaml:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := loadTree(t, tc.tree)
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			if !strings.Contains(strings.Join(r.Notes, "\n"), tc.note) {
				t.Errorf("notes %q, want one with %q", r.Notes, tc.note)
			}
			found := false
			for _, s := range r.Servers {
				found = found || s.Name == "nats"
			}
			if !found {
				t.Errorf("the base as written is no longer audited")
			}
		})
	}
}

var _ seam.Loader = Source{}

// TestSourceLoad: through the seam, the manifests give complete servers, the
// config files their servers consume, NACK streams and the NACK files to
// search for credentials, and "config" when a ConfigMap held the config.
func TestSourceLoad(t *testing.T) {
	tree := map[string]string{
		"k/nats.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  nats.conf: |\n    port: 4222\n---\n" +
			"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nats}\nspec:\n  template:\n    spec:\n      containers:\n      - name: nats\n        image: nats:2.11.9\n        args: [-c, /etc/nats/nats.conf]\n        volumeMounts: [{name: c, mountPath: /etc/nats}]\n      volumes: [{name: c, configMap: {name: cfg}}]\n",
		"k/stream.yaml": "apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nmetadata: {name: orders}\nspec: {name: orders, subjects: [orders.>]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: x}\n",
	}
	var files []seam.File
	for _, rel := range []string{"k/nats.yaml", "k/stream.yaml"} {
		files = append(files, seam.File{Rel: rel, Kind: Kind, Data: []byte(tree[rel])})
	}
	read := func(rel string) ([]byte, error) { return nil, fmt.Errorf("not found") }
	f := Source{}.Load(&seam.Context{Tree: seam.NewTree([]string{"k/nats.yaml", "k/stream.yaml"}), Read: read}, files)
	if len(f.Servers) != 1 || f.Servers[0].Config["port"] == nil {
		t.Fatalf("servers %+v", f.Servers)
	}
	if len(f.Streams) != 1 || f.Streams[0].Name != "orders" {
		t.Errorf("streams %+v", f.Streams)
	}
	if len(f.LineScans) != 1 || f.LineScans[0] != (seam.ReadFile{Rel: "k/stream.yaml", Kind: "stream"}) {
		t.Errorf("line scans %+v", f.LineScans)
	}
	if strings.Join(f.Sources, ",") != "config" || len(f.Read) != 2 {
		t.Errorf("sources %q, read %+v", f.Sources, f.Read)
	}
}
