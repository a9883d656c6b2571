package kube

import (
	"fmt"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Overlay operations one at a time (issue 20, Go mutation testing, fifth
// round): each JSON patch operation and strategic-merge directive an
// overlay of the ovBase StatefulSet (base/ of the base/overlays layout of
// kubernetes-sigs/kustomize's examples) writes, and what the rules then see
// of the prod server, or the note that says why the operation was not
// applied.

// renderProd loads the base with prod's kustomization and the extra files
// (path, content pairs) and returns the base server, the prod server (nil
// when the overlay changes nothing a rule sees) and the result.
func renderProd(t *testing.T, kust string, extra ...string) (base, prod *model.Server, r *Result) {
	t.Helper()
	r = loadTree(t, ovTree(append([]string{"prod/kustomization.yaml", kust}, extra...)...))
	for _, s := range r.Servers {
		switch {
		case s.Name == "nats":
			base = s
		case strings.HasSuffix(s.Name, " [prod]"):
			if prod != nil {
				t.Fatalf("two prod servers")
			}
			prod = s
		}
	}
	if base == nil {
		t.Fatalf("no base server: %+v, notes %q", r.Servers, r.Notes)
	}
	return base, prod, r
}

// jsonOps is a prod kustomization with one inline JSON patch on the
// StatefulSet.
func jsonOps(ops string) string {
	return "resources: [../base]\npatches:\n- target: {kind: StatefulSet, name: nats}\n  patch: |-\n" + indent(ops, "    ")
}

func indent(s, by string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		b.WriteString(by + l + "\n")
	}
	return b.String()
}

// TestJSONPatchOps: add, replace and remove on mappings and lists (by
// index, at the end, "-"), escaped pointer tokens, and every refusal (a
// path or index that does not exist, an op not followed, a pointer
// without its leading "/", an op without a value) as a note naming the
// operation, the base as written left as it is.
func TestJSONPatchOps(t *testing.T) {
	const args = "/spec/template/spec/containers/0/args"
	for _, tc := range []struct {
		name, ops string
		command   string // the prod server's command; "-" = no prod server
		note      string // a note that must be written
	}{
		{"add at index 0 inserts before", "- {op: add, path: " + args + "/0, value: --tls}",
			"nats-server --tls --jetstream", ""},
		{"add at the length appends", "- {op: add, path: " + args + "/1, value: --tls}",
			"nats-server --jetstream --tls", ""},
		{"add past the length", "- {op: add, path: " + args + "/2, value: --tls}",
			"-", "add " + args + "/2 on StatefulSet nats: no such index 2; not applied"},
		{"add at a negative index", "- {op: add, path: " + args + "/-1, value: --tls}",
			"-", "no such index -1; not applied"},
		{"replace by index", "- {op: replace, path: " + args + "/0, value: --tls}",
			"nats-server --tls", ""},
		{"replace at the length", "- {op: replace, path: " + args + "/1, value: --tls}",
			"-", "replace " + args + "/1 on StatefulSet nats: no such index 1; not applied"},
		{"replace at -", "- {op: replace, path: " + args + "/-, value: --tls}",
			"-", "no such index -; not applied"},
		{"remove by index: no args left, the image's default command", "- {op: remove, path: " + args + "/0}",
			"", ""},
		{"remove at the length", "- {op: remove, path: " + args + "/1}",
			"-", "remove " + args + "/1 on StatefulSet nats: no such index 1; not applied"},
		{"remove a key", "- {op: remove, path: /spec/template/spec/containers/0/args}",
			"", ""},
		{"remove a mapping's first key (replicas: 1 is the default)", "- {op: remove, path: /spec/replicas}",
			"-", ""},
		{"remove a missing key", "- {op: remove, path: /spec/template/spec/containers/0/command}",
			"-", "remove /spec/template/spec/containers/0/command on StatefulSet nats: no such key; not applied"},
		{"replace a missing key", "- {op: replace, path: /spec/template/spec/containers/0/command, value: [nats-server]}",
			"-", "replace /spec/template/spec/containers/0/command on StatefulSet nats: no such key; not applied"},
		{"add a missing key", "- {op: add, path: /spec/template/spec/containers/0/command, value: [/bin/nats-server, -m, '8222']}",
			"/bin/nats-server -m 8222 --jetstream", ""},
		{"a container index past the list", "- {op: add, path: /spec/template/spec/containers/1/args/-, value: --tls}",
			"-", "no such index 1; not applied"},
		{"a container index that is not a number", "- {op: add, path: /spec/template/spec/containers/nats/args/-, value: --tls}",
			"-", "no such index nats; not applied"},
		{"through a scalar", "- {op: add, path: /spec/replicas/x/y, value: 1}",
			"-", "add /spec/replicas/x/y on StatefulSet nats: no such path; not applied"},
		{"onto a scalar", "- {op: add, path: /spec/replicas/x, value: 1}",
			"-", "add /spec/replicas/x on StatefulSet nats: no such path; not applied"},
		{"through a missing key", "- {op: add, path: /spec/nope/x, value: 1}",
			"-", "add /spec/nope/x on StatefulSet nats: no such path; not applied"},
		{"not a pointer", "- {op: add, path: spec/replicas, value: 3}",
			"-", "add spec/replicas on StatefulSet nats: not a JSON pointer; not applied"},
		{"add without a value", "- {op: add, path: " + args + "/-}",
			"-", "add " + args + "/- on StatefulSet nats: no value; not applied"},
		{"test passes, move is not followed", "- {op: test, path: /spec/replicas, value: 1}\n- {op: move, from: /spec/x, path: " + args + "/0}\n- {op: add, path: " + args + "/-, value: --tls}",
			"nats-server --jetstream --tls", `op "move" not applied`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, prod, r := renderProd(t, jsonOps(tc.ops))
			if got := strings.Join(base.Deployment.Command, " "); got != "nats-server --jetstream" {
				t.Errorf("base command %q changed", got)
			}
			got := "-"
			if prod != nil {
				got = strings.Join(prod.Deployment.Command, " ")
			}
			if got != tc.command {
				t.Errorf("prod command %q, want %q (notes %q)", got, tc.command, r.Notes)
			}
			notes := strings.Join(r.Notes, "\n")
			if tc.note != "" && !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q, want one with %q", r.Notes, tc.note)
			}
			if tc.note == "" && strings.Contains(notes, "not applied") {
				t.Errorf("notes %q: an operation that applies is reported as not applied", r.Notes)
			}
		})
	}
}

// TestJSONPatchAddedKeyLocation: a key a JSON patch adds points at the
// patch's line in the file that holds it, and an escaped pointer token
// (~1 for "/") names the label key it spells: the prod pods then carry
// app.kubernetes.io/part-of, which the overlay's own Service selects.
func TestJSONPatchAddedKeyLocation(t *testing.T) {
	ops := "- op: add\n  path: /spec/template/spec/containers/0/env\n  value:\n  - {name: NATS_DEBUG, value: \"1\"}\n" +
		"- op: add\n  path: /spec/template/metadata/labels/app.kubernetes.io~1part-of\n  value: msg\n"
	_, prod, r := renderProd(t, "resources: [../base, svc.yaml]\npatches:\n- path: ops.yaml\n  target: {kind: StatefulSet}\n",
		"prod/ops.yaml", ops,
		"prod/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: nats-lb}\nspec:\n  type: LoadBalancer\n  selector: {app.kubernetes.io/part-of: msg}\n  ports: [{port: 4222}]\n")
	if prod == nil {
		t.Fatalf("no prod server; notes %q", r.Notes)
	}
	if _, ok := prod.Deployment.Environment["NATS_DEBUG"]; !ok {
		t.Errorf("environment %v: the added env is missing", prod.Deployment.Environment)
	}
	if got := locAt(prod, "deployment/environment/NATS_DEBUG"); got != "prod/ops.yaml:4" {
		t.Errorf("NATS_DEBUG at %s, want the patch's line", got)
	}
	var lb []string
	for _, p := range prod.Deployment.Ports {
		if strings.HasPrefix(p.Via, "Service nats-lb (LoadBalancer") {
			lb = append(lb, fmt.Sprintf("%d->%d", p.HostPort, p.ContainerPort))
		}
	}
	if strings.Join(lb, ",") != "4222->4222" {
		t.Errorf("load-balanced ports %q: the label the patch adds is what nats-lb selects", lb)
	}
}

// smBase is the StatefulSet of nats-io/k8s's chart output, reduced to what
// the strategic-merge directives below change: an env list, limits, a
// security context, ports, a volume claim template, an environment from
// a ConfigMap, and a NodePort Service in front of it.
const smBase = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  replicas: 3
  selector: {matchLabels: {app: nats}}
  template:
    metadata: {labels: {app: nats}}
    spec:
      containers:
      - name: nats
        image: nats:2.10.1
        args: [--jetstream, -m, "8222"]
        env:
        - {name: NATS_DEBUG, value: "1"}
        - {name: GOMEMLIMIT, value: 1GiB}
        ports:
        - {name: client, containerPort: 4222}
        - {name: monitor, containerPort: 8222}
        resources:
          limits: {memory: 2Gi, cpu: "1"}
        securityContext:
          runAsNonRoot: true
        volumeMounts:
        - {name: data, mountPath: /data}
        envFrom: [{configMapRef: {name: nats-env}}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: nats}
spec:
  type: NodePort
  selector: {app: nats}
  ports:
  - {name: client, port: 4222, nodePort: 30422}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: nats-env}
data: {}
`

// smPatch is a prod overlay of smBase with one strategic-merge patch file
// of the StatefulSet (body: under spec.template.spec.containers[nats],
// unless it starts with "spec:" or "---").
func smPatch(body string) (kust string, extra []string) {
	base := smBase
	if b, change, ok := strings.Cut(body, "---base "); ok {
		// "key: value" of the base's container changed before the patch
		body = b
		k, _, _ := strings.Cut(change, ":")
		base = strings.Replace(base, "        securityContext:\n          runAsNonRoot: true\n", "        "+change+"\n", 1)
		if k != "securityContext" {
			panic("smPatch: only the base's securityContext is changed")
		}
	}
	patch := "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\n"
	if strings.HasPrefix(body, "spec:") {
		patch += body
	} else if strings.HasPrefix(body, "---") {
		patch = strings.TrimPrefix(body, "---\n")
	} else {
		patch += "spec:\n  template:\n    spec:\n      containers:\n      - name: nats\n" + indent(body, "        ")
	}
	return "resources: [../base]\npatches:\n- path: sts.yaml\n", []string{"base/nats.yaml", base, "prod/sts.yaml", patch}
}

func TestStrategicMergeDirectives(t *testing.T) {
	type facts struct {
		env, command, ports string
		memory, cpu         float64
		nonRoot             string
		size                int64
		volumes             int
	}
	read := func(s *model.Server) facts {
		d := s.Deployment
		var env, ports []string
		for k := range d.Environment {
			env = append(env, k)
		}
		sortStrings(env)
		for _, p := range d.Ports {
			ports = append(ports, fmt.Sprintf("%d->%d", p.HostPort, p.ContainerPort))
		}
		f := facts{env: strings.Join(env, ","), command: strings.Join(d.Command, " "), ports: strings.Join(ports, ","),
			memory: float64(d.MemoryLimit), cpu: d.CPULimit, nonRoot: "unset"}
		if v := d.Kubernetes.SecurityContext.RunAsNonRoot; v != nil {
			f.nonRoot = fmt.Sprint(*v)
		}
		for _, v := range d.Volumes {
			if v.Target == "/data" {
				f.size = v.Size
			}
		}
		f.volumes = len(d.Volumes)
		return f
	}
	const gi = 1 << 30
	baseFacts := facts{env: "GOMEMLIMIT,NATS_DEBUG", command: "nats-server --jetstream -m 8222", ports: "30422->4222",
		memory: 2 * gi, cpu: 1, nonRoot: "true", size: gi, volumes: 1}
	for _, tc := range []struct {
		name, body string
		change     func(f *facts)
		loc        [2]string      // a fact key and where it must be, when set
		base       func(f *facts) // how the base differs from smBase's, when it does
	}{
		{"$patch: delete removes a list item by its merge key", "env:\n- {name: NATS_DEBUG, $patch: delete}\n",
			func(f *facts) { f.env = "GOMEMLIMIT" }, [2]string{}, nil},
		{"a list item with a new key is appended, its directives dropped", "env:\n- {name: NATS_TRACE, value: \"1\", $setElementOrder: x}\n",
			func(f *facts) { f.env = "GOMEMLIMIT,NATS_DEBUG,NATS_TRACE" }, [2]string{"deployment/environment/NATS_TRACE", "prod/sts.yaml:10"}, nil},
		{"an item with the same key is merged", "env:\n- {name: GOMEMLIMIT, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n",
			func(f *facts) {}, [2]string{"deployment/environment/GOMEMLIMIT", "base/nats.yaml:16"}, nil},
		{"a list without a merge key is replaced whole", "args: [--jetstream]\n",
			func(f *facts) { f.command = "nats-server --jetstream" }, [2]string{"deployment/command", "prod/sts.yaml:9"}, nil},
		{"ports merge by containerPort", "ports:\n- {containerPort: 4222, hostPort: 4222}\n",
			func(f *facts) { f.ports = "4222->4222,30422->4222" }, [2]string{"deployment/ports/0", "prod/sts.yaml:10"}, nil},
		{"$patch: replace replaces a mapping", "resources:\n  $patch: replace\n  limits: {memory: 1Gi}\n",
			func(f *facts) { f.memory, f.cpu = gi, 0 }, [2]string{"deployment/memory_limit", "prod/sts.yaml:11"}, nil},
		{"a mapping is merged key by key", "resources:\n  limits: {memory: 1Gi}\n",
			func(f *facts) { f.memory = gi }, [2]string{"deployment/cpu_limit", "base/nats.yaml:21"}, nil},
		{"null deletes a key", "securityContext: null\n",
			func(f *facts) { f.nonRoot = "unset" }, [2]string{}, nil},
		{"a field the patch sets points at the patch", "securityContext: {runAsNonRoot: false}\n",
			func(f *facts) { f.nonRoot = "false" }, [2]string{"deployment/kubernetes/security_context/run_as_non_root", "prod/sts.yaml:9"}, nil},
		{"an item that is not a mapping is skipped", "env:\n- NATS_TRACE\n- {name: NATS_DEBUG, $patch: delete}\n",
			func(f *facts) { f.env = "GOMEMLIMIT" }, [2]string{}, nil},
		{"a mount that is not a mapping is skipped", "volumeMounts: [/data2]\nenv:\n- {name: NATS_DEBUG, $patch: delete}\n",
			func(f *facts) { f.env = "GOMEMLIMIT" }, [2]string{}, nil},
		{"a mapping patched over a null sets it", "securityContext: {runAsNonRoot: false}\n---base securityContext: null",
			func(f *facts) { f.nonRoot = "false" }, [2]string{"deployment/kubernetes/security_context/run_as_non_root", "prod/sts.yaml:9"},
			func(f *facts) { f.nonRoot = "unset" }},
		{"a map-level $patch: merge is a directive, not a key", "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: nats-env}\ndata:\n  $patch: merge\n  LOG_LEVEL: debug\n",
			func(f *facts) { f.env = "GOMEMLIMIT,LOG_LEVEL,NATS_DEBUG" }, [2]string{}, nil},
		{"volumeClaimTemplates merge by metadata.name", "spec:\n  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {resources: {requests: {storage: 10Gi}}}\n",
			func(f *facts) { f.size = 10 * gi }, [2]string{"deployment/volumes/0/size", "prod/sts.yaml:7"}, nil},
		{"a Service's ports merge by port", "---\napiVersion: v1\nkind: Service\nmetadata: {name: nats}\nspec:\n  ports:\n  - {port: 4222, nodePort: 31422}\n",
			func(f *facts) { f.ports = "31422->4222" }, [2]string{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kust, extra := smPatch(tc.body)
			base, prod, r := renderProd(t, kust, extra...)
			wantBase := baseFacts
			if tc.base != nil {
				tc.base(&wantBase)
			}
			if got := read(base); got != wantBase {
				t.Errorf("base changed: %+v", got)
			}
			want := wantBase
			tc.change(&want)
			if prod == nil {
				if want != wantBase {
					t.Fatalf("no prod server; notes %q", r.Notes)
				}
				return
			}
			if got := read(prod); got != want {
				t.Errorf("prod\n got %+v\nwant %+v", got, want)
			}
			if tc.loc[0] != "" {
				if got := locAt(prod, tc.loc[0]); got != tc.loc[1] {
					t.Errorf("%s at %s, want %s", tc.loc[0], got, tc.loc[1])
				}
			}
			if n := strings.Join(r.Notes, "\n"); strings.Contains(n, "not applied") {
				t.Errorf("notes %q", r.Notes)
			}
		})
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestOverlayListingItself: an overlay whose resources list its own
// directory (a cycle kustomize refuses) is still rendered, with a note,
// from the rest of its resources (kills overlays' `ok && rel != k.dir`
// turned into `||`, which made it no root and left it unrendered).
func TestOverlayListingItself(t *testing.T) {
	_, prod, r := renderProd(t, "resources: [../base, ./]\nreplicas: [{name: nats, count: 3}]\n")
	if prod == nil || prod.Deployment.Replicas != 3 {
		t.Fatalf("prod %+v: want the overlay rendered with 3 replicas (notes %q)", prod, r.Notes)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "prod/kustomization.yaml: its resources lead back to it (a cycle)") {
		t.Errorf("notes %q: want the cycle noted", r.Notes)
	}
}

// TestOverlayAddsContainer: an overlay that adds a second nats-server
// container (a leaf node sidecar) renders a server per container, named
// after its container; the first is compared with the base's one server
// (the same, names aside: not repeated), the new one with none (kills
// addOverlay's `i < len(bs)` turned into `<=`, which indexed past the
// base's servers).
func TestOverlayAddsContainer(t *testing.T) {
	_, _, r := renderProd(t, "resources: [../base]\npatches:\n- path: leaf.yaml\n",
		"prod/leaf.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\nspec:\n  template:\n    spec:\n      containers:\n      - name: leaf\n        image: nats:2.10.1\n        args: [--leafnodes, nats://hub:7422]\n")
	if got := serverNames(r); got != "nats,nats/leaf [prod]" {
		t.Errorf("servers %q", got)
	}
}

// TestOverlayServerNameKept: a server named by its config's server_name
// keeps that name in an overlay with a namePrefix (the prefix renames the
// workload, not the server), tagged with the overlay (kills addOverlay's
// `Deployment != nil && Name == Service` turned into `||`).
func TestOverlayServerNameKept(t *testing.T) {
	base := strings.Replace(ovBase, "        args: [--jetstream]\n", "        args: [--jetstream, -c, /etc/nats/nats.conf]\n        volumeMounts: [{name: cfg, mountPath: /etc/nats}]\n      volumes: [{name: cfg, configMap: {name: nats-config}}]\n", 1) +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: nats-config}\ndata:\n  nats.conf: |\n    server_name: hub\n    port: 4222\n"
	r := loadTree(t, ovTree("base/nats.yaml", base, "prod/kustomization.yaml", "resources: [../base]\nnamePrefix: prod-\nreplicas: [{name: nats, count: 3}]\n"))
	if got := serverNames(r); got != "hub,hub [prod]" {
		t.Errorf("servers %q, want hub and hub [prod] (notes %q)", got, r.Notes)
	}
}

// TestPatchFileIsNoWorkload: a strategic-merge patch file is a partial
// manifest, not a resource: one that sets the container's image (the way
// many overlays pin a version) changes the overlay's server and is not a
// server of its own (which had the image's default config, one replica
// and no limits, a workload nothing deploys). A file that a kustomization
// lists both as a resource and as a patch stays a resource.
func TestPatchFileIsNoWorkload(t *testing.T) {
	patch := "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\nspec:\n  template:\n    spec:\n      containers:\n      - name: nats\n        image: nats:2.11.9\n"
	for _, tc := range []struct{ name, kust, want string }{
		{"patchesStrategicMerge", "resources: [../base]\npatchesStrategicMerge: [image.yaml]\n", "nats base/nats.yaml nats:2.10.1|nats [prod] base/nats.yaml nats:2.11.9"},
		{"patches path", "resources: [../base]\npatches:\n- path: image.yaml\n", "nats base/nats.yaml nats:2.10.1|nats [prod] base/nats.yaml nats:2.11.9"},
		{"a patch of another overlay", "resources: [../base]\npatches:\n- path: ../staging/image.yaml\n", "nats base/nats.yaml nats:2.10.1|nats [prod] base/nats.yaml nats:2.11.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := "prod/image.yaml"
			if strings.Contains(tc.kust, "staging") {
				file = "staging/image.yaml"
			}
			_, _, r := renderProd(t, tc.kust, file, patch)
			var got []string
			for _, s := range r.Servers {
				got = append(got, s.Name+" "+s.Deployment.File+" "+s.Deployment.Image)
			}
			if strings.Join(got, "|") != tc.want {
				t.Errorf("servers\n got %q\nwant %q", got, tc.want)
			}
		})
	}
	// listed as a resource too: kustomize would build it, so it is read
	_, _, r := renderProd(t, "resources: [../base, extra.yaml]\npatches:\n- path: extra.yaml\n",
		"prod/extra.yaml", strings.Replace(patch, "name: nats}", "name: nats-extra}", 1)+"  selector: {matchLabels: {app: x}}\n")
	found := false
	for _, s := range r.Servers {
		found = found || s.Deployment.File == "prod/extra.yaml"
	}
	if !found {
		t.Errorf("servers %q: the file listed as a resource is not read", serverNames(r))
	}
}

// TestOverlayServiceRenamed: the overlay's server is the deployment's
// service too (findings name it), not the base's (kills addOverlay's
// `srv.Deployment != nil` negated).
func TestOverlayServiceRenamed(t *testing.T) {
	_, prod, r := renderProd(t, "resources: [../base]\nreplicas: [{name: nats, count: 3}]\n")
	if prod == nil || prod.Name != "nats [prod]" || prod.Deployment.Service != "nats [prod]" {
		t.Fatalf("prod %+v (notes %q)", prod, r.Notes)
	}
}

// TestOverlayRenderDepth: a base 8 kustomizations below the overlay is
// rendered; 9 below is noted and not rendered (kills build's `depth >
// maxKustomizeDepth` turned into `>=` and `depth+1` into `depth-1`).
func TestOverlayRenderDepth(t *testing.T) {
	for _, levels := range []int{7, 8} { // overlays between prod and the base
		tree := ovTree()
		prev := "base"
		for i := 1; i <= levels; i++ {
			dir := "l" + itoa(i)
			tree[dir+"/kustomization.yaml"] = "resources: [../" + prev + "]\n"
			prev = dir
		}
		tree["prod/kustomization.yaml"] = "resources: [../" + prev + "]\nreplicas: [{name: nats, count: 3}]\n"
		r := loadTree(t, tree)
		deep := strings.Contains(strings.Join(r.Notes, "\n"), "overlays nested deeper than 8; not rendered further")
		if deep != (levels == 8) {
			t.Errorf("%d levels: note of the depth %v, want %v (notes %q)", levels, deep, levels == 8, r.Notes)
		}
		var replicas []string
		for _, s := range r.Servers {
			if strings.HasSuffix(s.Name, " [prod]") {
				replicas = append(replicas, itoa(s.Deployment.Replicas))
			}
		}
		if want := map[bool]string{true: "", false: "3"}[levels == 8]; strings.Join(replicas, ",") != want {
			t.Errorf("%d levels: prod replicas %q, want %q", levels, replicas, want)
		}
	}
}

// TestRenderNodeBudgetExact: the overlays of a scan may clone exactly
// 524288 YAML nodes; one more stops the rendering with a note. The base
// (a ConfigMap of 11 + 2·505 + 3 = 1024 nodes, listed 512 times) costs
// 2^19; a document nested deeper than 64 levels costs only its first 64
// levels
// (kills clone's `renderNodes > maxRenderNodes` turned into `>=` and
// `depth+1` into `depth-1`, which cloned, and counted, every level).
func TestRenderNodeBudgetExact(t *testing.T) {
	cm := func(keys int) string {
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n")
		for i := 0; i < keys; i++ {
			b.WriteString("  k" + itoa(i) + ": v\n")
		}
		return b.String()
	}
	// 1 + 2 + 2 + 1 + 1 + 2 + 1 nodes around spec, and a chain of
	// mappings at depths 1..64 with their keys at 2..64: 137 in all
	deep := "apiVersion: example.com/v1\nkind: Config\nmetadata: {name: deep}\nspec: " + strings.Repeat("{a: ", 80) + "x" + strings.Repeat("}", 80) + "\n"
	var fan strings.Builder
	fan.WriteString("resources:\n")
	for i := 0; i < 512; i++ {
		fan.WriteString("- ../base\n")
	}
	for _, tc := range []struct {
		name    string
		base    string
		refused bool
	}{
		{"exactly the budget", cm(505) + "  odd: [x]\n", false},
		{"one node more", cm(505) + "  odd: [x, y]\n", true},
		{"a deep document cut at 64 levels", cm(438) + "---\n" + deep, false}, // 11 + 2·438 + 137 = 1024
	} {
		tree := map[string]string{"base/kustomization.yaml": "resources: [cm.yaml]\n", "base/cm.yaml": tc.base, "prod/kustomization.yaml": fan.String()}
		r := loadTree(t, tree)
		refused := strings.Contains(strings.Join(r.Notes, "\n"), "not rendered: the overlays of the scan clone more than")
		if refused != tc.refused {
			t.Errorf("%s: refused %v, want %v (notes %q, errors %+v)", tc.name, refused, tc.refused, r.Notes, r.Errors)
		}
	}
}

// TestPatchDocumentBound: of a patch file's documents the first 5000 are
// applied, not the 5001st (kills decodeAll's `i < maxDocs` turned into
// `<=` and `i++` into `--`).
func TestPatchDocumentBound(t *testing.T) {
	var b strings.Builder
	for i := 0; i < maxDocs-1; i++ {
		b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: none}\n")
	}
	b.WriteString("---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\nspec: {replicas: 5}\n")
	b.WriteString("---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\nspec: {replicas: 7}\n")
	_, prod, r := renderProd(t, "resources: [../base]\npatches:\n- path: many.yaml\n", "prod/many.yaml", b.String())
	if prod == nil || prod.Deployment.Replicas != 5 {
		t.Errorf("prod %+v: want the 5000th document's 5 replicas, not the 5001st's 7 (notes %q)", prod, r.Notes)
	}
}

// TestPatchEntryWithoutPatch: a patches entry with a target but neither
// path nor patch is ignored (kills `p != nil && p.Kind == ScalarNode`
// turned into `||`, which read the missing patch).
func TestPatchEntryWithoutPatch(t *testing.T) {
	_, prod, r := renderProd(t, "resources: [../base]\npatches:\n- target: {kind: StatefulSet}\nreplicas: [{name: nats, count: 3}]\n")
	if prod == nil || prod.Deployment.Replicas != 3 {
		t.Errorf("prod %+v (notes %q)", prod, r.Notes)
	}
}

// TestPatchEmptyDocument: an empty document of a patch file (a leading
// "---" pair, a comment alone) is no patch: it is not reported as one
// that matches nothing (kills decodeAll's `n != nil && (mapping ||
// sequence)` turned into `||`, which kept the empty document's null).
func TestPatchEmptyDocument(t *testing.T) {
	_, prod, r := renderProd(t, "resources: [../base]\npatches:\n- path: replicas.yaml\n",
		"prod/replicas.yaml", "---\n# the replica count of prod\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats}\nspec: {replicas: 5}\n")
	if prod == nil || prod.Deployment.Replicas != 5 {
		t.Fatalf("prod %+v (notes %q)", prod, r.Notes)
	}
	for _, n := range r.Notes {
		if strings.Contains(n, "matches nothing") {
			t.Errorf("note %q", n)
		}
	}
}

// TestPatchSelectsByKindAndName: a strategic-merge patch without a target
// applies to the object of its kind and name only, not to another
// StatefulSet nor to the Service of the same name; a target without a
// namespace applies to namespaced objects (kills targets' `kind == o.kind
// && name == o.name` and `ns != "" && ns != o.namespace` turned into
// `||`).
func TestPatchSelectsByKindAndName(t *testing.T) {
	leaf := strings.ReplaceAll(strings.ReplaceAll(ovBase, "name: nats}", "name: nats-leaf}"), "app: nats", "app: leaf")
	base := strings.ReplaceAll(ovBase+"---\n"+leaf, "metadata: {name: ", "metadata: {namespace: msg, name: ")
	for _, tc := range []struct{ name, kust, want string }{
		{"strategic merge without a target", "resources: [../base]\npatchesStrategicMerge: [sts.yaml]\n", "nats [prod]=5"},
		{"JSON patch with a target without a namespace", "resources: [../base]\npatches:\n- target: {kind: StatefulSet, name: nats-leaf}\n  path: ops.yaml\n", "nats-leaf [prod]=6"},
	} {
		r := loadTree(t, ovTree("base/nats.yaml", base, "prod/kustomization.yaml", tc.kust,
			"prod/sts.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats, namespace: msg}\nspec:\n  replicas: 5\n",
			"prod/ops.yaml", "- {op: replace, path: /spec/replicas, value: 6}\n"))
		var got []string
		for _, s := range r.Servers {
			if strings.HasSuffix(s.Name, " [prod]") {
				got = append(got, s.Name+"="+itoa(s.Deployment.Replicas))
			}
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: prod servers %q, want %q (notes %q)", tc.name, got, tc.want, r.Notes)
		}
	}
}

// TestOverlayLabels: labels with includeTemplates (not selectors) label
// the pods, so the overlay's NetworkPolicy selecting them applies; a
// template whose labels are written empty (null, first key, as rendered
// charts leave them) gets the labels; a label the template already has,
// first of its labels, is replaced (kills labels' `!selectors &&
// !template` turned into `||`, and setLabels' `j >= 0` turned into `>`
// and negated, for the path and for the pairs).
func TestOverlayLabels(t *testing.T) {
	netpol := "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: prod-only}\nspec:\n  podSelector: {matchLabels: {env: prod}}\n"
	for _, tc := range []struct{ name, base, kust string }{
		{"includeTemplates", ovBase, "resources: [../base, np.yaml]\nlabels:\n- pairs: {env: prod}\n  includeTemplates: true\n"},
		{"template labels written empty", strings.Replace(ovBase, "    metadata: {labels: {app: nats}}\n", "    metadata:\n      labels:\n      annotations: {team: msg}\n", 1),
			"resources: [../base, np.yaml]\ncommonLabels: {env: prod}\n"},
		{"a label replaced", strings.Replace(ovBase, "    metadata: {labels: {app: nats}}\n", "    metadata: {labels: {env: dev, app: nats}}\n", 1),
			"resources: [../base, np.yaml]\nlabels:\n- pairs: {env: prod}\n  includeTemplates: true\n"},
	} {
		r := loadTree(t, ovTree("base/nats.yaml", tc.base, "prod/kustomization.yaml", tc.kust, "prod/np.yaml", netpol))
		var got []string
		for _, s := range r.Servers {
			got = append(got, s.Name+"="+strings.Join(s.Deployment.Kubernetes.NetworkPolicies, "+"))
		}
		if strings.Join(got, ",") != "nats=,nats [prod]=prod-only" {
			t.Errorf("%s: servers and policies %q (notes %q)", tc.name, got, r.Notes)
		}
	}
}

// TestOverlayReplicasByName: replicas: names the workload as written or
// as the overlay's namePrefix renames it; an entry without a count, and a
// Deployment stub without a spec, are skipped (kills replicas' name test
// negated or `&&` turned into `||`, and the nil guards' `||` into `&&`).
func TestOverlayReplicasByName(t *testing.T) {
	stub := "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nats}\n"
	for _, name := range []string{"nats", "prod-nats"} {
		r := loadTree(t, ovTree("base/nats.yaml", ovBase+stub, "prod/kustomization.yaml",
			"resources: [../base]\nnamePrefix: prod-\nreplicas:\n- name: nats-box\n- name: "+name+"\n  count: 3\n"))
		var got []string
		for _, s := range r.Servers {
			got = append(got, s.Name+"="+itoa(s.Deployment.Replicas))
		}
		if strings.Join(got, ",") != "nats=1,prod-nats [prod]=3" {
			t.Errorf("replicas of %s: servers %q (notes %q)", name, got, r.Notes)
		}
	}
}

// TestOverlayImages: images: rewrites a container whose image is its
// first key, and leaves alone an image that is not a string (with an
// entry that names no image) (kills images' `j < 0` turned into `<=` and
// `img == nil || not a scalar` into `&&`).
func TestOverlayImages(t *testing.T) {
	base := strings.Replace(ovBase, "      - name: nats\n        image: nats:2.10.1\n", "      - image: nats:2.10.1\n        name: nats\n", 1) +
		"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: odd}\nspec:\n  template:\n    spec:\n      containers:\n      - name: odd\n        image: [nats]\n        command: [nats-server, -p, '4333']\n"
	r := loadTree(t, ovTree("base/nats.yaml", base, "prod/kustomization.yaml", "resources: [../base]\nimages:\n- newTag: latest\n- name: nats\n  newTag: 2.11.9\n"))
	var got []string
	for _, s := range r.Servers {
		got = append(got, s.Name+"="+s.Deployment.Image)
	}
	if strings.Join(got, ",") != "nats=nats:2.10.1,odd=,nats [prod]=nats:2.11.9" {
		t.Errorf("servers %q (notes %q)", got, r.Notes)
	}
}
