package kube

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// TestHostPorts: a hostPort is published on every interface when its
// hostIP is empty or a wildcard (IPv4 or IPv6), not on a given address;
// the protocol is lower-cased and TCP when unset; a YAML null is unset
// (issue 20, Go mutation testing).
func TestHostPorts(t *testing.T) {
	pod := `apiVersion: v1
kind: Pod
metadata: {name: nats}
spec:
  containers:
  - name: nats
    image: nats:2.14.9-alpine
    ports:
    - {containerPort: 4222, hostPort: 4222}
    - {containerPort: 4223, hostPort: 4223, hostIP: 0.0.0.0, protocol: UDP}
    - {containerPort: 4224, hostPort: 4224, hostIP: "::", protocol: SCTP}
    - {containerPort: 4225, hostPort: 4225, hostIP: "::1", protocol: TCP}
    - {containerPort: 4226, hostPort: 4226, hostIP: 10.0.0.5, protocol: Other}
    - {containerPort: 4227, hostPort: 4227, hostIP: ~, protocol: null}
    - {containerPort: 8222}
`
	s := one(t, load(t, "pod.yaml", pod))
	var got []string
	for _, p := range s.Deployment.Ports {
		got = append(got, fmt.Sprintf("%s:%d->%d/%s all=%v", p.HostIP, p.HostPort, p.ContainerPort, p.Protocol, p.AllInterfaces))
	}
	want := []string{":4222->4222/tcp all=true", "0.0.0.0:4223->4223/udp all=true", ":::4224->4224/sctp all=true",
		"::1:4225->4225/tcp all=false", "10.0.0.5:4226->4226/Other all=false", ":4227->4227/tcp all=true"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ports\n got %q\nwant %q", got, want)
	}
}

// TestTraefikServiceKind: an IngressRoute's service of kind Service (or no
// kind) is followed; only a TraefikService is not.
func TestTraefikServiceKind(t *testing.T) {
	for _, kind := range []string{"", ", kind: Service", ", kind: TraefikService"} {
		route := "apiVersion: traefik.io/v1alpha1\nkind: IngressRouteTCP\nmetadata: {name: r, namespace: msg}\nspec:\n  routes:\n  - services: [{name: nats, port: 4222" + kind + "}]\n"
		s := one(t, load(t, "nats.yaml", routedPod, "route.yaml", route))
		n := 0
		for _, p := range s.Deployment.Ports {
			if strings.Contains(p.Via, "IngressRouteTCP r") && p.ContainerPort == 4222 {
				n++
			}
		}
		if want := map[bool]int{true: 0, false: 1}[kind == ", kind: TraefikService"]; n != want {
			t.Errorf("service%s: %d routed ports, want %d", kind, n, want)
		}
	}
}

// TestRouteWithoutParents: a Gateway API route without parentRefs has an
// unknown Gateway: it publishes on the backend's port, described by the
// route alone (no Gateway named).
func TestRouteWithoutParents(t *testing.T) {
	route := "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t, namespace: msg}\nspec:\n  rules:\n  - backendRefs: [{name: nats, port: 4222}]\n"
	s := one(t, load(t, "nats.yaml", routedPod, "route.yaml", route))
	var vias []string
	for _, p := range s.Deployment.Ports {
		if strings.Contains(p.Via, "route.yaml") {
			via, _, _ := strings.Cut(p.Via, " → ")
			vias = append(vias, fmt.Sprintf("%d %s", p.HostPort, via))
		}
	}
	if strings.Join(vias, "|") != "4222 TCPRoute t" {
		t.Errorf("routed ports = %q, want one on 4222 described as the route alone", vias)
	}
}

// TestKustomizeLiteralQuotes: a generator literal loses the quotes
// kustomize strips ("x", 'x'), and only a pair of them: a lone quote is a
// value (the length of the secret a secretGenerator literal holds shows
// it).
func TestKustomizeLiteralQuotes(t *testing.T) {
	for _, tc := range []struct {
		lit string
		n   int
	}{
		{`ADMIN_PASSWORD="Xk9pQ2vLm7"`, 10},
		{`ADMIN_PASSWORD='Xk9pQ2vLm7'`, 10},
		{`ADMIN_PASSWORD=Xk9pQ2vLm7`, 10},
		{`ADMIN_PASSWORD="Xk9pQ2vLm7'`, 12},
		{`ADMIN_PASSWORD=Xk9pQ2vLm7"`, 11},
		{`ADMIN_PASSWORD="`, 1},
		{`ADMIN_PASSWORD=""`, 0}, // fifth round: an empty quoted value is empty
		{`ADMIN_PASSWORD=''`, 0},
	} {
		tree := map[string]string{
			"nats/kustomization.yaml": "configMapGenerator:\n  - name: nats-config\n    files: [server.conf]\n  - name: nats-opts\n    literals: [POD_NAME=nats-0]\nsecretGenerator:\n  - name: nats-auth\n    literals:\n      - '" + strings.ReplaceAll(tc.lit, "'", "''") + "'\nresources: [statefulset.yaml]\n",
			"nats/statefulset.yaml":   kStatefulSet,
			"nats/server.conf":        "server_name: $POD_NAME\nport: 4222\n",
		}
		s := one(t, loadTree(t, tree))
		f, ok := s.Deployment.Environment["ADMIN_PASSWORD"].(*model.Secret)
		if !ok || f.Length != tc.n {
			t.Errorf("%s: ADMIN_PASSWORD = %+v, want length %d", tc.lit, s.Deployment.Environment["ADMIN_PASSWORD"], tc.n)
		}
	}
}

// TestKustomizeGeneratorSize: a generator's file of exactly MaxConfigSize
// bytes is read; one byte more is not.
func TestKustomizeGeneratorSize(t *testing.T) {
	conf := "port: 4222\n"
	for _, tc := range []struct {
		max  int
		read bool
	}{{len(conf), true}, {len(conf) - 1, false}} {
		tree := map[string]string{
			"k/kustomization.yaml": "configMapGenerator:\n  - name: nats-config\n    files: [server.conf]\nresources: [statefulset.yaml]\n",
			"k/statefulset.yaml":   strings.ReplaceAll(kStatefulSet, "        envFrom:\n        - configMapRef: {name: nats-opts}\n        - secretRef: {name: nats-auth}\n", ""),
			"k/server.conf":        conf,
		}
		var names []string
		for n := range tree {
			names = append(names, n)
		}
		sort.Strings(names)
		var in []Input
		for _, n := range names {
			if Recognise(n, []byte(tree[n])) {
				in = append(in, Input{Rel: n, Data: []byte(tree[n])})
			}
		}
		read := func(rel string) ([]byte, error) {
			if d, ok := tree[rel]; ok {
				return []byte(d), nil
			}
			return nil, fmt.Errorf("not found")
		}
		r := Load(in, Options{Read: read, Paths: names, MaxConfigSize: tc.max})
		s := one(t, r)
		if got := s.Config != nil && s.Config["port"] == int64(4222); got != tc.read {
			t.Errorf("max %d: config %v (file %q), want read: %v; notes %q", tc.max, s.Config, s.ConfigFile, tc.read, r.Notes)
		}
	}
}

// TestConfigFromAndName: the deployment says which ConfigMap or Secret key
// holds the config; the server is named by server_name unless that is an
// unresolved $VAR (then by the workload).
func TestConfigFromAndName(t *testing.T) {
	for _, tc := range []struct {
		kind, store, from, name string
	}{
		{"configMap", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  nats.conf: \"server_name: edge-1\"\n", "ConfigMap c (key nats.conf)", "edge-1"},
		{"secret", "apiVersion: v1\nkind: Secret\nmetadata: {name: c}\nstringData:\n  nats.conf: \"server_name: $UNSET_NAME\"\n", "Secret c (key nats.conf)", "nats"},
	} {
		ref := "configMap: {name: c}"
		if tc.kind == "secret" {
			ref = "secret: {secretName: c}"
		}
		pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: nats}\nspec:\n  containers:\n  - name: nats\n    image: nats:2.14.9-alpine\n    volumeMounts:\n    - {name: cfg, mountPath: /etc/nats/nats-server.conf, subPath: nats.conf}\n  volumes:\n  - {name: cfg, " + ref + "}\n"
		s := one(t, load(t, "store.yaml", tc.store, "pod.yaml", pod))
		if s.Deployment.Kubernetes.ConfigFrom != tc.from || s.Name != tc.name {
			t.Errorf("%s: config from %q, name %q; want %q, %q", tc.kind, s.Deployment.Kubernetes.ConfigFrom, s.Name, tc.from, tc.name)
		}
	}
}

// TestMountedKeyMissing: a plain (not projected) ConfigMap volume whose
// key is missing is still where the config comes from (and says the key
// is missing); no other source is looked for.
func TestMountedKeyMissing(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  other.conf: \"port: 1\"\n"
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: nats}\nspec:\n  containers:\n  - name: nats\n    image: nats:2.14.9-alpine\n    volumeMounts:\n    - {name: cfg, mountPath: /etc/nats/nats-server.conf, subPath: nats.conf}\n  volumes:\n  - {name: cfg, configMap: {name: c}}\n"
	r := load(t, "cm.yaml", cm, "pod.yaml", pod)
	s := one(t, r)
	if s.Deployment.Kubernetes.ConfigFrom != "ConfigMap c (key nats.conf)" || s.Deployment.UsesImageDefaultConfig {
		t.Errorf("config from %q, image default %v; errors %+v notes %q", s.Deployment.Kubernetes.ConfigFrom, s.Deployment.UsesImageDefaultConfig, r.Errors, r.Notes)
	}
}

// TestSecurityContextLocation: the security context is located at the
// container's when it has one, else at the pod's.
func TestSecurityContextLocation(t *testing.T) {
	for _, tc := range []struct {
		container string
		line      int
	}{
		{"    securityContext: {runAsUser: 1000}\n", 9},
		{"", 6},
	} {
		pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: nats}\nspec:\n  securityContext:\n    runAsUser: 0\n  containers:\n  - name: nats\n" + tc.container + "    image: nats:2.14.9-alpine\n"
		s := one(t, load(t, "pod.yaml", pod))
		if l := s.Locs["deployment/kubernetes/security_context"]; l.Line != tc.line {
			t.Errorf("%q: security context at line %d, want %d", tc.container, l.Line, tc.line)
		}
	}
}

// TestEnvFromSecretKeyLines: a variable a Deployment takes from a Secret
// (envFrom) is located at the Secret's key, in stringData or data (kills
// keyNode's `k != nil` negated, a seed-3 survivor: every key fell back to
// the Secret's first line).
func TestEnvFromSecretKeyLines(t *testing.T) {
	secret := `apiVersion: v1
kind: Secret
metadata: {name: nats-env}
stringData:
  NATS_USER: app
data:
  NATS_PASSWORD: cGE1NS13MHJkLWFhYWE=
`
	dep := `apiVersion: apps/v1
kind: Deployment
metadata: {name: nats}
spec:
  template:
    spec:
      containers:
      - name: nats
        image: nats:2.14.9-alpine
        envFrom:
        - secretRef: {name: nats-env}
`
	s := one(t, load(t, "secret.yaml", secret, "dep.yaml", dep))
	for key, want := range map[string]string{"NATS_USER": "secret.yaml:5", "NATS_PASSWORD": "secret.yaml:7"} {
		l := s.Locs["deployment/environment/"+key]
		if got := fmt.Sprintf("%s:%d", l.File, l.Line); got != want {
			t.Errorf("%s at %s, want %s", key, got, want)
		}
	}
}

// TestCommonLabelsSelect: an overlay's commonLabels reach the pods and the
// selectors, so that a Service of the overlay selecting them publishes
// the pods (kills the commonLabels `n != nil` negated).
func TestCommonLabelsSelect(t *testing.T) {
	r := loadTree(t, ovTree(
		"prod/kustomization.yaml", "resources: [../base, lb.yaml]\ncommonLabels: {env: prod}\n",
		"prod/lb.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: nats-public}\nspec:\n  type: LoadBalancer\n  selector: {app: nats, env: prod}\n  ports: [{port: 4222}]\n"))
	prod := overlayServer(t, r, "prod")
	var svcs []string
	for _, s := range prod.Deployment.Kubernetes.Services {
		svcs = append(svcs, s.Name)
	}
	if strings.Join(svcs, ",") != "nats,nats-public" {
		t.Errorf("prod services %q, want nats and nats-public (the label commonLabels adds to the pods)", svcs)
	}
}

// TestPatchTargetNamePattern: a patch target's name is a regexp matched
// against the whole name; one that does not compile, or one longer than
// 256 bytes, selects nothing (kills `len(n) > 256 || err != nil || …`
// with its first `||` turned into `&&`: the bad pattern crashed, the long
// one matched).
func TestPatchTargetNamePattern(t *testing.T) {
	for _, tc := range []struct {
		name     string
		replicas int
	}{
		{"nat.*", 5},
		{"nats-(", 1},
		{"nats|" + strings.Repeat("x", 260), 1},
	} {
		var r *Result
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("target name %.20q: panic %v", tc.name, p)
				}
			}()
			r = loadTree(t, ovTree("prod/kustomization.yaml", "resources: [../base]\npatches:\n- target: {kind: StatefulSet, name: '"+tc.name+"'}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 5\n"))
		}()
		if r == nil {
			continue
		}
		var prod *model.Server
		for _, s := range r.Servers {
			if strings.HasSuffix(s.Name, " [prod]") {
				prod = s
			}
		}
		got := 1 // an overlay that changes nothing renders no server of its own
		if prod != nil {
			got = prod.Deployment.Replicas
		}
		if got != tc.replicas {
			t.Errorf("target name %.20q: replicas %d, want %d", tc.name, got, tc.replicas)
		}
	}
}

// TestImageDefaultConfigPaths: a NATS container started with -c of a path
// no volume provides runs the image's own config only when the path is
// one of the image's (/etc/nats/nats-server.conf of the Alpine image);
// another path is not the image's default (kills the `cfgPath ==
// image.AlpineConfig` negated, a seed-3 survivor).
func TestImageDefaultConfigPaths(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"/etc/nats/nats-server.conf", true},
		{"/etc/custom/nats.conf", false},
	} {
		pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: nats}\nspec:\n  containers:\n  - name: nats\n    image: nats:2.14.9-alpine\n    args: [-c, " + tc.path + "]\n"
		s := one(t, load(t, "pod.yaml", pod))
		if got := s.Deployment.UsesImageDefaultConfig; got != tc.want {
			t.Errorf("-c %s: uses the image's default config %v, want %v", tc.path, got, tc.want)
		}
	}
}

// TestNetworkPolicyNamespace: a NetworkPolicy selects pods of its own
// namespace only, even when its podSelector matches their labels (kills
// `!sameNamespace(…) || !selectorMatches(…)` turned into `&&`).
func TestNetworkPolicyNamespace(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: nats, namespace: mq, labels: {app: nats}}\nspec:\n  containers:\n  - name: nats\n    image: nats:2.14.9-alpine\n"
	np := "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: %s, namespace: %s}\nspec:\n  podSelector: {matchLabels: {app: %s}}\n  policyTypes: [Ingress]\n"
	s := one(t, load(t, "pod.yaml", pod,
		"np-mq.yaml", fmt.Sprintf(np, "np-mq", "mq", "nats"),
		"np-other.yaml", fmt.Sprintf(np, "np-other", "other", "nats"),
		"np-web.yaml", fmt.Sprintf(np, "np-web", "mq", "web")))
	if got := strings.Join(s.Deployment.Kubernetes.NetworkPolicies, ","); got != "np-mq" {
		t.Errorf("network policies %q, want np-mq only", got)
	}
}

// TestCredentialKeyBySuffix: a Secret key named like an nkey file (.nk) or
// a creds file holds a credential whatever its content looks like: its
// value is masked wherever it appears (kills isCredentialKey's
// `HasSuffix(".creds") || HasSuffix(".nk")` turned into `&&`).
func TestCredentialKeyBySuffix(t *testing.T) {
	a, err := secret.NewAnalyzer(secret.Params{})
	if err != nil {
		t.Fatal(err)
	}
	sec := "apiVersion: v1\nkind: Secret\nmetadata: {name: keys}\nstringData:\n  user.nk: opaque-key-material-7f3a9c\n  app.creds: opaque-creds-material-2b8e1d\n"
	Load([]Input{{Rel: "secret.yaml", Data: []byte(sec)}}, Options{Secrets: a})
	for _, v := range []string{"opaque-key-material-7f3a9c", "opaque-creds-material-2b8e1d"} {
		if got := a.Redact("value " + v + " here"); strings.Contains(got, v) {
			t.Errorf("%s not masked: %q", v, got)
		}
	}
}

// TestNoConfigIsNil: a server whose config nobody gives (no file, no
// config flags) has no config map at all, not an empty one: "no config
// known" is not "a config with nothing set" (kills `len(cfg) > 0` turned
// into `>= 0`).
func TestNoConfigIsNil(t *testing.T) {
	s := one(t, load(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: nats}\nspec:\n  containers:\n  - name: nats\n    image: nats:2.14.9-alpine\n"))
	if s.Config != nil {
		t.Errorf("config = %#v, want none", s.Config)
	}
	s = one(t, load(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: nats}\nspec:\n  containers:\n  - name: nats\n    image: nats:2.14.9-alpine\n    args: [-p, '4333']\n"))
	if s.Config["port"] == nil {
		t.Errorf("config = %#v, want the flag's port", s.Config)
	}
}

// TestRouteParentGroup: a parentRef that names the Gateway API group
// explicitly attaches to the Gateway as one that leaves it out; another
// group's parent does not (kills `g != "" && g != "gateway…"` negated).
func TestRouteParentGroup(t *testing.T) {
	for group, want := range map[string]string{
		"gateway.networking.k8s.io": "14222 TCPRoute t (Gateway public",
		"example.com":               "",
	} {
		route := "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t, namespace: msg}\nspec:\n  parentRefs: [{name: public, group: " + group + "}]\n  rules: [{backendRefs: [{name: nats, port: 4222}]}]\n"
		s := one(t, load(t, "nats.yaml", routedPod, "gw.yaml", gateways, "route.yaml", route))
		var vias []string
		for _, p := range s.Deployment.Ports {
			if strings.Contains(p.Via, "route.yaml") || strings.Contains(p.Via, "gw.yaml") {
				vias = append(vias, fmt.Sprintf("%d %s", p.HostPort, p.Via))
			}
		}
		got := strings.Join(vias, "|")
		if want == "" && strings.Contains(got, "Gateway public") || want != "" && !strings.HasPrefix(got, want) {
			t.Errorf("group %s: routed ports %q, want %q", group, got, want)
		}
	}
}

// TestQuantityExponentBound: an exponent of 30 is read (a small mantissa
// keeps the value in range), 31 is not (kills `e > 30` turned into `>=`).
func TestQuantityExponentBound(t *testing.T) {
	if v, ok := Quantity("0.000000000001e30"); !ok || v < 0.99e18 || v > 1.01e18 {
		t.Errorf("Quantity(0.000000000001e30) = %v, %v, want 1e18", v, ok)
	}
	if _, ok := Quantity("0.0000000000001e31"); ok {
		t.Error("Quantity(0.0000000000001e31) read")
	}
}

// TestCredentialKeyByPEM: a Secret key of no credential name holding a
// private key is a credential (kills `IsNkeySeed(t) || IsPrivateKeyPEM(v)`
// turned into `&&`).
func TestCredentialKeyByPEM(t *testing.T) {
	if !isCredentialKey("blob", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n") {
		t.Error("a private key under the key blob is not a credential")
	}
	if isCredentialKey("blob", "hello") {
		t.Error("a plain value under blob is a credential")
	}
}

// TestPatchTargetNamespaceAndPatternLength: a patch whose target names
// another namespace does not apply; a name pattern of exactly 256
// characters is still a pattern (kills `ns != o.namespace` negated and
// `len(n) > 256` turned into `>=`).
func TestPatchTargetNamespaceAndPatternLength(t *testing.T) {
	long := "nat.*?" + strings.Repeat("()", 125)
	if len(long) != 256 {
		t.Fatalf("pattern of %d characters", len(long))
	}
	for _, tc := range []struct {
		target   string
		replicas int
	}{
		{"{kind: StatefulSet, namespace: other}", 1},
		{"{kind: StatefulSet, name: '" + long + "'}", 5},
	} {
		r := loadTree(t, ovTree("prod/kustomization.yaml", "resources: [../base]\npatches:\n- target: "+tc.target+"\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 5\n"))
		got := 1 // an overlay that changes nothing renders no server of its own
		for _, s := range r.Servers {
			if strings.HasSuffix(s.Name, " [prod]") {
				got = s.Deployment.Replicas
			}
		}
		if got != tc.replicas {
			t.Errorf("target %.40s: replicas %d, want %d", tc.target, got, tc.replicas)
		}
	}
}

// TestNestedDirectoryMounts: of two directory mounts that both hold the
// config's path, the deeper one provides the file, whichever comes first
// (kills mounted's `m.subPath != ""` negated, which took the first
// directory mount).
func TestNestedDirectoryMounts(t *testing.T) {
	sts := `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  template:
    metadata: {labels: {app: nats}}
    spec:
      containers:
      - name: nats
        image: nats:2.10.24-alpine
        args: [-c, /etc/nats/sub/nats.conf]
        volumeMounts:
        - {name: outer, mountPath: /etc/nats}
        - {name: inner, mountPath: /etc/nats/sub}
      volumes:
      - {name: outer, configMap: {name: outer}}
      - {name: inner, configMap: {name: inner}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: outer}
data:
  other.conf: "port: 4111\n"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: inner}
data:
  nats.conf: "port: 4333\n"
`
	s := one(t, load(t, "nats.yaml", sts))
	if s.Config == nil || s.Config["port"] != int64(4333) {
		t.Errorf("config = %#v, want the inner mount's nats.conf (port 4333)", s.Config)
	}
}

// TestGeneratorBudgetStops: past the scan's budget of generated keys no
// key is read, not even every other one, and the note is written once
// (kills setGen's `l.genKeys++` turned into `--`, which let the key after
// the first refused one through).
func TestGeneratorBudgetStops(t *testing.T) {
	var b strings.Builder
	b.WriteString("configMapGenerator:\n  - name: nats-config\n    files: [server.conf]\n  - name: nats-opts\n    literals:\n")
	for i := 0; i < maxGenKeys+4; i++ {
		fmt.Fprintf(&b, "      - K%d=v\n", i)
	}
	b.WriteString("secretGenerator:\n  - name: nats-auth\n    literals: [ADMIN_PASSWORD=Xk9pQ2vLm7]\nresources: [statefulset.yaml]\n")
	r := loadTree(t, map[string]string{
		"nats/kustomization.yaml": b.String(),
		"nats/statefulset.yaml":   kStatefulSet,
		"nats/server.conf":        "port: 4222\n",
	})
	s := one(t, r)
	for i := maxGenKeys - 1; i < maxGenKeys+4; i++ {
		k := fmt.Sprintf("K%d", i)
		if _, ok := s.Deployment.Environment[k]; ok {
			t.Errorf("%s read past the budget", k)
		}
	}
	n := 0
	for _, note := range r.Notes {
		if strings.Contains(note, "make more than") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d budget notes, want 1", n)
	}
}
