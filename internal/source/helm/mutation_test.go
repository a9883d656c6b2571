package helm

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
)

func oneServer(t *testing.T, r *Result) {
	t.Helper()
	if len(r.Servers) != 1 {
		t.Fatalf("servers %d, errors %+v, notes %q", len(r.Servers), r.Errors, r.Notes)
	}
}

// TestJetStreamPVCNeedsAll: the chart's JetStream volume claim exists only
// when JetStream, its file store and the store's PVC are all enabled
// (issue 20, Go mutation testing).
func TestJetStreamPVCNeedsAll(t *testing.T) {
	for _, tc := range []struct {
		values string
		pvc    bool
	}{
		{"config: {jetstream: {enabled: true}}\n", true},
		{"config: {jetstream: {enabled: true, fileStore: {pvc: {enabled: false}}}}\n", false},
		{"config: {jetstream: {enabled: true, fileStore: {enabled: false}}}\n", false},
		{"config: {jetstream: {enabled: false}}\n", false},
	} {
		r := Load(nil, files("nats/values.yaml", tc.values), Options{})
		oneServer(t, r)
		n := 0
		for _, v := range r.Servers[0].Deployment.Volumes {
			if v.Type == "pvc" {
				n++
			}
		}
		if got := n == 1; got != tc.pvc || n > 1 {
			t.Errorf("%q: %d PVC volumes, want one: %v", tc.values, n, tc.pvc)
		}
	}
}

// TestHostPortValues: a container hostPort is published when it is a
// positive number, not 0, not negative, not text.
func TestHostPortValues(t *testing.T) {
	for _, tc := range []struct {
		hp   string
		want string
	}{
		{"4222", "4222->4222@nats/values.yaml:2"},
		{"0", ""},
		{"-1", ""},
		{"x", ""},
	} {
		r := Load(nil, files("nats/values.yaml", "config: {jetstream: {enabled: true}}\ncontainer: {ports: {nats: {hostPort: "+tc.hp+"}}}\n"), Options{})
		oneServer(t, r)
		s := r.Servers[0]
		var got []string
		for i, p := range s.Deployment.Ports {
			if p.Via == "hostPort" {
				l := s.Locs[fmt.Sprintf("deployment/ports/%d", i)]
				got = append(got, fmt.Sprintf("%d->%d@%s:%d", p.HostPort, p.ContainerPort, l.File, l.Line))
			}
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("hostPort %s: %q, want %q", tc.hp, got, tc.want)
		}
	}
}

// TestLoadBalancerSourceRanges: a LoadBalancer limited to source ranges
// publishes on the first range, unless one of them is a wildcard (IPv4 or
// IPv6), which opens it to all; each published port is located at the
// service type.
func TestLoadBalancerSourceRanges(t *testing.T) {
	for _, tc := range []struct {
		ranges, host string
		all          bool
	}{
		{"[203.0.113.0/24, 198.51.100.0/24]", "203.0.113.0/24", false},
		{"[203.0.113.0/24, 0.0.0.0/0]", "", true},
		{"[\"::/0\"]", "", true},
		{"[]", "", true},
	} {
		values := "config: {jetstream: {enabled: true}}\nservice:\n  merge:\n    spec: {type: LoadBalancer, loadBalancerSourceRanges: " + tc.ranges + "}\n"
		r := Load(nil, files("nats/values.yaml", values), Options{})
		oneServer(t, r)
		s := r.Servers[0]
		if len(s.Deployment.Ports) == 0 {
			t.Fatalf("%s: no ports", tc.ranges)
		}
		for i, p := range s.Deployment.Ports {
			if p.AllInterfaces != tc.all || p.HostIP != tc.host {
				t.Errorf("%s: port %+v, want host %q, all %v", tc.ranges, p, tc.host, tc.all)
			}
			if l := s.Locs[fmt.Sprintf("deployment/ports/%d", i)]; l.File != "nats/values.yaml" || l.Line != 4 {
				t.Errorf("%s: port %d at %+v, want nats/values.yaml:4", tc.ranges, i, l)
			}
		}
	}
}

// TestNatsBoxContexts: the credentials a nats-box context embeds are a
// secret of the release; contexts that are not a mapping hold none.
func TestNatsBoxContexts(t *testing.T) {
	for _, tc := range []struct {
		values string
		keys   string
	}{
		{"natsBox:\n  contexts:\n    default:\n      creds: {contents: \"-----BEGIN NATS USER JWT-----\\nx\\n------END NATS USER JWT------\"}\n      nkey: {contents: SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4}\n", "natsBox.contexts.default: nats.creds nkey.contents"},
		{"natsBox:\n  contexts: [a, b]\n", ""},
		{"natsBox:\n  enabled: false\n  contexts:\n    default:\n      nkey: {contents: SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4}\n", ""},
	} {
		r := Load(nil, files("nats/values.yaml", tc.values), Options{})
		var got []string
		for _, s := range r.Secrets {
			var ks []string
			for k := range s.Keys {
				ks = append(ks, k)
			}
			sort.Strings(ks)
			got = append(got, s.Name+": "+strings.Join(ks, " "))
		}
		if strings.Join(got, "|") != tc.keys {
			t.Errorf("%q: secrets %q, want %q", tc.values, got, tc.keys)
		}
	}
}

// TestNestedValuesAnchor: values nested under an umbrella's `nats:` key
// point the chart's defaults at that key.
func TestNestedValuesAnchor(t *testing.T) {
	r := Load(nil, files("u/values.yaml", "# umbrella\nnats:\n  config: {jetstream: {enabled: true}}\n"), Options{})
	oneServer(t, r)
	if l := r.Servers[0].Locs["config/http_port"]; l.File != "u/values.yaml" || l.Line != 2 || l.Column != 1 {
		t.Errorf("a default at %+v, want the nats: key at u/values.yaml:2:1", l)
	}
}

// TestExplicitReleaseChart: a release named in .natsaudit.yaml takes its
// chart (and so its version and image) from the Chart.yaml beside its
// first values file.
func TestExplicitReleaseChart(t *testing.T) {
	chart := "apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n- name: nats\n  version: 1.2.8\n"
	r := Load(files("c/Chart.yaml", chart), nil, Options{
		Releases: []Spec{{Name: "msg", Values: []string{"c/prod.yaml"}, Source: ".natsaudit.yaml"}},
		Read: func(rel string) ([]byte, error) {
			if rel == "c/prod.yaml" {
				return []byte("nats:\n  config: {jetstream: {enabled: true}}\n"), nil
			}
			return nil, fmt.Errorf("%s: not in the tree", rel)
		},
	})
	oneServer(t, r)
	if d := r.Servers[0].Deployment; d.Image != "nats:2.10.24-alpine" {
		t.Errorf("image %q, want chart 1.2.8's nats:2.10.24-alpine; notes %q", d.Image, r.Notes)
	}
}

// TestRouteScheme: cluster routes are tls:// when the cluster's TLS is
// enabled, nats:// otherwise.
func TestRouteScheme(t *testing.T) {
	for _, tc := range []struct{ tls, scheme string }{{"true", "tls://"}, {"false", "nats://"}} {
		r := Load(nil, files("nats/values.yaml", "config:\n  cluster:\n    enabled: true\n    replicas: 2\n    tls: {enabled: "+tc.tls+", secretName: routes-tls}\n"), Options{})
		oneServer(t, r)
		cl, _ := r.Servers[0].Config["cluster"].(map[string]any)
		routes, _ := cl["routes"].([]any)
		if len(routes) != 2 {
			t.Fatalf("tls %s: routes %v", tc.tls, routes)
		}
		for _, u := range routes {
			if s, _ := u.(string); !strings.HasPrefix(s, tc.scheme) {
				t.Errorf("tls %s: route %v, want %s", tc.tls, u, tc.scheme)
			}
		}
	}
}

// TestTemplateNotes: a $tplYaml or $tplYamlSpread key is a template note of
// its own (and nothing under it is read); other keys are looked into, not
// noted.
func TestTemplateNotes(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config:\n  jetstream: {enabled: true}\n  merge:\n    $tplYamlSpread: x\n    $tplYaml: y\n    debug: true\n    note: \"{{ .Values.x }}\"\n"), Options{})
	oneServer(t, r)
	var got []string
	for _, n := range r.Notes {
		if strings.Contains(n, "a template (the chart renders it") {
			got = append(got, n)
		}
	}
	want := []string{"config/merge/$tplYaml (nats/values.yaml:5)", "config/merge/$tplYamlSpread (nats/values.yaml:4)", "config/merge/note (nats/values.yaml:7)"}
	if len(got) != len(want) {
		t.Fatalf("template notes %q, want %d: %q", got, len(want), want)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("note %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestValuesNodeBudget: a values tree may have as many nodes as its
// budget, not one more.
func TestValuesNodeBudget(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: 1\n"), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n  int
		ok bool
	}{{2, true}, {1, false}} {
		_, err := fromNode("v.yaml", &doc, &budget{n: tc.n}, 0)
		if (err == nil) != tc.ok {
			t.Errorf("budget %d: err %v, want ok %v", tc.n, err, tc.ok)
		}
	}
}

// TestMergedServerNameLocation: a server_name the values merge into the
// config (the rendered config's first line) is located at that value, not
// at the release.
func TestMergedServerNameLocation(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config:\n  jetstream: {enabled: true}\n  merge:\n    server_name: edge\n"), Options{})
	oneServer(t, r)
	if l := r.Servers[0].Locs["config/server_name"]; l.File != "nats/values.yaml" || l.Line != 4 {
		t.Errorf("server_name at %+v, want nats/values.yaml:4", l)
	}
}

// TestContainerEnvResolves: the rendered config's $SERVER_NAME is
// resolved from a container.env literal; a null one is no value.
func TestContainerEnvResolves(t *testing.T) {
	for _, tc := range []struct{ env, want string }{{"edge-7", "edge-7"}, {"null", "$SERVER_NAME"}, {"~", "$SERVER_NAME"}} {
		r := Load(nil, files("nats/values.yaml", "config:\n  jetstream: {enabled: true}\ncontainer:\n  env: {SERVER_NAME: "+tc.env+"}\n"), Options{})
		oneServer(t, r)
		if got := r.Servers[0].Config["server_name"]; got != tc.want {
			t.Errorf("SERVER_NAME: %s: server_name = %#v, want %q", tc.env, got, tc.want)
		}
	}
}

// TestServicePortsFollowBlocks: the Service publishes a protocol's port
// only when that protocol's config block is enabled.
func TestServicePortsFollowBlocks(t *testing.T) {
	for _, tc := range []struct {
		values string
		want   string
	}{
		{"config: {jetstream: {enabled: true}}\n", "4222"},
		{"config: {jetstream: {enabled: true}, websocket: {enabled: true}, leafnodes: {enabled: true}}\n", "4222 7422 8080"},
	} {
		r := Load(nil, files("nats/values.yaml", tc.values), Options{})
		oneServer(t, r)
		var got []string
		for _, s := range r.Servers[0].Deployment.Kubernetes.Services {
			for _, p := range s.Ports {
				got = append(got, fmt.Sprint(p))
			}
		}
		sort.Strings(got)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q: service ports %q, want %q", tc.values, got, tc.want)
		}
	}
}

// TestRouteCredentials: route URLs carry routeURLs' user and password
// only when both are set (the password masked in the config).
func TestRouteCredentials(t *testing.T) {
	for _, tc := range []struct{ urls, want string }{
		{"{user: ru, password: rp}", "nats://ru:****@nats-0.nats-headless:6222"}, // the password masked
		{"{user: ru}", "nats://nats-0.nats-headless:6222"},
		{"{password: rp}", "nats://nats-0.nats-headless:6222"},
	} {
		r := Load(nil, files("nats/values.yaml", "config:\n  cluster:\n    enabled: true\n    replicas: 1\n    routeURLs: "+tc.urls+"\n"), Options{})
		oneServer(t, r)
		cl, _ := r.Servers[0].Config["cluster"].(map[string]any)
		routes, _ := cl["routes"].([]any)
		if len(routes) != 1 || routes[0] != tc.want {
			t.Errorf("%s: routes %v, want %q", tc.urls, routes, tc.want)
		}
	}
}

// TestContainerEnvKinds: container.env holds literal values and valueFrom
// maps; only a non-null string is a literal (kills deploy.go's
// `v.kind == 's' && !v.isNull()` turned into `||`, a seed-3 survivor).
func TestContainerEnvKinds(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config:\n  jetstream: {enabled: true}\ncontainer:\n  env:\n    LIT: plain-value\n    EMPTY: null\n    FROM:\n      valueFrom: {secretKeyRef: {name: s, key: k}}\n"), Options{})
	oneServer(t, r)
	env := r.Servers[0].Deployment.Environment
	origin := func(name string) string {
		e, _ := env[name].(*model.Secret)
		if e == nil {
			return "(none)"
		}
		return e.Origin
	}
	if e := origin("LIT"); e != "literal" {
		t.Errorf("LIT: origin %q, want literal", e)
	}
	for _, name := range []string{"EMPTY", "FROM"} {
		if e := origin(name); e != "env" {
			t.Errorf("%s: origin %q, want env (unresolved), not a literal", name, e)
		}
	}
}

// TestCapabilitiesAndSpread: the container's added capabilities are read
// from a list, and topologySpreadConstraints count only when they hold
// something (kills deploy.go's `caps.kind == 'a'` negated and the
// `kind == 'm' && len(keys) > 0 || kind == 'a' && len(arr) > 0` mutants).
func TestCapabilitiesAndSpread(t *testing.T) {
	for _, tc := range []struct {
		spread string
		want   bool
	}{
		{"[{maxSkew: 1, topologyKey: zone}]", true},
		{"{a: 1}", true},
		{"[]", false},
		{"{}", false},
	} {
		r := Load(nil, files("nats/values.yaml", "config: {jetstream: {enabled: true}}\ncontainer:\n  merge:\n    securityContext:\n      capabilities: {add: [net_admin]}\npodTemplate:\n  topologySpreadConstraints: "+tc.spread+"\n"), Options{})
		oneServer(t, r)
		k := r.Servers[0].Deployment.Kubernetes
		if got := k.SecurityContext.CapabilitiesAdd; len(got) != 1 || got[0] != "NET_ADMIN" {
			t.Errorf("capabilities add = %q, want [NET_ADMIN]", got)
		}
		if k.TopologySpread != tc.want {
			t.Errorf("topologySpreadConstraints: %s: spread %v, want %v", tc.spread, k.TopologySpread, tc.want)
		}
	}
}

// TestTLSSecretFiles: a protocol's tls block with a secretName renders the
// certificate and key files under its dir; without one (or an empty one),
// no files (kills render.go's `secretName != ""` negated).
func TestTLSSecretFiles(t *testing.T) {
	for _, tc := range []struct {
		secret string
		want   any
	}{
		{"nats-tls", "/etc/nats-certs/nats/tls.crt"},
		{`""`, nil},
	} {
		r := Load(nil, files("nats/values.yaml", "config:\n  jetstream: {enabled: true}\n  nats:\n    tls: {enabled: true, secretName: "+tc.secret+"}\n"), Options{})
		oneServer(t, r)
		tls, _ := r.Servers[0].Config["tls"].(map[string]any)
		if tls == nil {
			t.Fatalf("secretName %s: no tls block: %#v", tc.secret, r.Servers[0].Config)
		}
		if got := tls["cert_file"]; got != tc.want {
			t.Errorf("secretName %s: cert_file = %#v, want %#v", tc.secret, got, tc.want)
		}
	}
}

// TestSeed4Survivors: the sample (seed 4) survivors of the chart's
// rendering. A required pod anti-affinity merged into the pod template is
// read (kills `aa.kind == 'm'` negated); a CA from a Secret alone renders
// the client TLS block's ca_file (kills `tlsCA/secretName != ""` negated); a websocket block
// without TLS gets no_tls and a leafnodes block does not (kills `b ==
// "websocket"` negated).
func TestSeed4Survivors(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", `config:
  jetstream: {enabled: true}
  websocket: {enabled: true}
  leafnodes: {enabled: true}
  nats:
    tls: {enabled: true, secretName: nats-tls}
tlsCA:
  enabled: true
  secretName: nats-ca
  dir: /etc/nats-ca
podTemplate:
  merge:
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname}]
`), Options{})
	oneServer(t, r)
	s := r.Servers[0]
	if got := s.Deployment.Kubernetes.AntiAffinity; got != "required" {
		t.Errorf("anti-affinity %q, want required", got)
	}
	tls, _ := s.Config["tls"].(map[string]any)
	if got := tls["ca_file"]; got != "/etc/nats-ca/ca.crt" {
		t.Errorf("ca_file = %#v, want /etc/nats-ca/ca.crt", got)
	}
	ws, _ := s.Config["websocket"].(map[string]any)
	leaf, _ := s.Config["leafnodes"].(map[string]any)
	if ws == nil || leaf == nil {
		t.Fatalf("config %#v: no websocket or leafnodes block", s.Config)
	}
	if ws["no_tls"] != true {
		t.Errorf("websocket no_tls = %#v, want true", ws["no_tls"])
	}
	if v, ok := leaf["no_tls"]; ok {
		t.Errorf("leafnodes no_tls = %#v, want unset", v)
	}
}

// TestConfigWithoutNatsKeys: values whose config block has none of the
// chart's keys are not the nats chart (kills natsShape's `cfg.m[k] !=
// nil` negated, which took any config block for one).
func TestConfigWithoutNatsKeys(t *testing.T) {
	r := Load(nil, files("app/values.yaml", "config:\n  database: {host: db}\n"), Options{})
	if len(r.Servers) != 0 {
		t.Errorf("%d servers from values that are not the nats chart's", len(r.Servers))
	}
}

// TestDeploymentValuesAndLocations: the deployment facts read from values
// (memory and CPU limits, the JetStream PVC's size, runAsUser, the
// NetworkPolicies among extraResources) and where each was written: a
// scalar at its value, a block at its key (issue 20, full Go run:
// deploy.go:18, :69, :74, :79, :88, :135, :161).
func TestDeploymentValuesAndLocations(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", `config:
  jetstream:
    enabled: true
    fileStore:
      pvc:
        size: 20Gi
container:
  image:
    tag: 2.10.7
  merge:
    resources:
      limits:
        memory: 2Gi
        cpu: "2"
    securityContext:
      runAsNonRoot: true
podTemplate:
  merge:
    spec:
      securityContext:
        runAsUser: 1000
extraResources:
  - kind: ConfigMap
    metadata: {name: other}
  - kind: NetworkPolicy
    metadata: {name: nats-np}
`), Options{})
	oneServer(t, r)
	s := r.Servers[0]
	d := s.Deployment
	if d.MemoryLimit != 2<<30 || d.CPULimit != 2 {
		t.Errorf("memory %d, cpu %v; want 2Gi and 2", d.MemoryLimit, d.CPULimit)
	}
	if len(d.Volumes) != 3 || d.Volumes[2].Type != "pvc" || d.Volumes[2].Size != 20<<30 {
		t.Errorf("volumes = %+v, want the 20Gi PVC third", d.Volumes)
	}
	k := d.Kubernetes
	if k.SecurityContext.RunAsUser == nil || *k.SecurityContext.RunAsUser != 1000 {
		t.Errorf("runAsUser = %v, want 1000", k.SecurityContext.RunAsUser)
	}
	if strings.Join(k.NetworkPolicies, ",") != "nats-np" {
		t.Errorf("network policies %q, want [nats-np]", k.NetworkPolicies)
	}
	at := func(line, col int) model.Location {
		return model.Location{File: "nats/values.yaml", Line: line, Column: col}
	}
	for path, want := range map[string]model.Location{
		"deployment/image":                                       at(9, 10),
		"deployment/volumes/2":                                   at(3, 14),
		"deployment/volumes/2/size":                              at(6, 15),
		"deployment/memory_limit":                                at(13, 17),
		"deployment/cpu_limit":                                   at(14, 14),
		"deployment/kubernetes/security_context":                 at(15, 5),
		"deployment/kubernetes/security_context/run_as_non_root": at(16, 21),
		"deployment/kubernetes/security_context/run_as_user":     at(21, 20),
	} {
		if got := s.Locs[path]; got != want {
			t.Errorf("%s at %+v, want %+v", path, got, want)
		}
	}
	for _, p := range []string{"deployment/volumes/3", "deployment/volumes/4"} {
		if got, ok := s.Locs[p]; ok {
			t.Errorf("%s at %+v: there are three volumes", p, got)
		}
	}
}

// TestPVCSizeBounds: a PVC size under one byte ("0", "500m") is not a
// size; one byte is (issue 20, full Go run: deploy.go:69).
func TestPVCSizeBounds(t *testing.T) {
	for _, tc := range []struct {
		size string
		want int64
	}{
		{"\"1\"", 1},
		{"\"0\"", 0},
		{"500m", 0},
		{"lots", 0},
	} {
		r := Load(nil, files("nats/values.yaml", "config:\n  jetstream:\n    enabled: true\n    fileStore: {pvc: {size: "+tc.size+"}}\n"), Options{})
		oneServer(t, r)
		s := r.Servers[0]
		var pvc *model.Volume
		for i, v := range s.Deployment.Volumes {
			if v.Type == "pvc" {
				pvc = &s.Deployment.Volumes[i]
			}
		}
		if pvc == nil || pvc.Size != tc.want {
			t.Errorf("size %s: PVC %+v, want size %d", tc.size, pvc, tc.want)
		}
		if _, ok := s.Locs["deployment/volumes/2/size"]; ok != (tc.want > 0) {
			t.Errorf("size %s: size location set %v", tc.size, ok)
		}
	}
}

// TestNoRunAsUser: without a runAsUser in values the security context has
// none (not user 0) (issue 20, full Go run: deploy.go:135).
func TestNoRunAsUser(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config: {jetstream: {enabled: true}}\n"), Options{})
	oneServer(t, r)
	if u := r.Servers[0].Deployment.Kubernetes.SecurityContext.RunAsUser; u != nil {
		t.Errorf("runAsUser = %d, want none", *u)
	}
}

// TestServiceTypePublishes: a NodePort or LoadBalancer Service publishes
// the enabled ports; a ClusterIP one lists them but publishes none (issue
// 20, full Go run: deploy.go:232).
func TestServiceTypePublishes(t *testing.T) {
	for _, tc := range []struct {
		typ       string
		published string
	}{
		{"NodePort", "4222 Service nats (NodePort, nats/values.yaml)"},
		{"LoadBalancer", "4222 Service nats (LoadBalancer, nats/values.yaml)"},
		{"ClusterIP", ""},
	} {
		r := Load(nil, files("nats/values.yaml", "config: {jetstream: {enabled: true}}\nservice:\n  merge:\n    spec: {type: "+tc.typ+"}\n"), Options{})
		oneServer(t, r)
		d := r.Servers[0].Deployment
		var got []string
		for _, p := range d.Ports {
			got = append(got, fmt.Sprintf("%d %s", p.HostPort, p.Via))
		}
		if strings.Join(got, "|") != tc.published {
			t.Errorf("%s: published %q, want %q", tc.typ, got, tc.published)
		}
		if svcs := d.Kubernetes.Services; len(svcs) != 1 || svcs[0].Type != tc.typ || len(svcs[0].Ports) != 1 || svcs[0].Ports[0] != 4222 {
			t.Errorf("%s: services %+v", tc.typ, svcs)
		}
	}
}

// TestNatsBoxContextsPartial: a nats-box context with only a creds file, or
// with an empty or null contents, holds what it has; one with neither is no
// secret (issue 20, full Go run: deploy.go:265, :278).
func TestNatsBoxContextsPartial(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", `natsBox:
  contexts:
    a:
      creds: {contents: "-----BEGIN NATS USER JWT-----\nx\n------END NATS USER JWT------"}
    b:
      nkey: {contents: null}
      creds: {contents: ""}
    c:
      merge: {url: "nats://nats:4222"}
`), Options{})
	var got []string
	for _, s := range r.Secrets {
		var ks []string
		for k := range s.Keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		got = append(got, s.Name+": "+strings.Join(ks, " "))
	}
	if want := "natsBox.contexts.a: nats.creds"; strings.Join(got, "|") != want {
		t.Errorf("secrets %q, want %q", got, want)
	}
}

// TestValuesSyntaxErrorLine: a values file that is not YAML is an error at
// the line the parser names, without its "yaml: line N:" prefix (issue 20,
// full Go run: helm.go:182).
func TestValuesSyntaxErrorLine(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config:\n  jetstream:\n    enabled: true\n  cluster: [a\n"), Options{})
	if len(r.Errors) != 1 || r.Errors[0].File != "nats/values.yaml" || r.Errors[0].Line == 0 || strings.HasPrefix(r.Errors[0].Message, "yaml:") {
		t.Fatalf("errors = %+v, want one at a line", r.Errors)
	}
	if e := r.Errors[0]; e.Line != 3 || e.Message != "did not find expected ',' or ']'" {
		t.Errorf("error %+v, want line 3 (where yaml.v3 places the unclosed flow list)", e)
	}
}

// TestChartYAMLInvalid: a Chart.yaml that does not parse is an error, not a
// crash, and the values beside it are still read with the chart's
// defaults (issue 20, full Go run: helm.go:202).
func TestChartYAMLInvalid(t *testing.T) {
	r := Load(files("nats/Chart.yaml", "name: [nats\n"), files("nats/values.yaml", "config: {jetstream: {enabled: true}}\n"), Options{})
	if len(r.Errors) != 1 || r.Errors[0].File != "nats/Chart.yaml" {
		t.Errorf("errors = %+v, want Chart.yaml's", r.Errors)
	}
	oneServer(t, r)
}

// TestExplicitReleaseSpecs: a release spec naming the chart "nats" is
// mapped, another chart is noted and not mapped; a values file the scan
// already has is not asked of Read again; a spec without values files maps
// nothing (issue 20, full Go run: helm.go:230, :236, :246).
func TestExplicitReleaseSpecs(t *testing.T) {
	refuse := func(rel string) ([]byte, error) { return nil, fmt.Errorf("%s: not in the tree", rel) }
	vals := files("nats/values-prod.yaml", "config: {jetstream: {enabled: true}}\n")
	r := Load(nil, vals, Options{Read: refuse, Releases: []Spec{{Name: "prod", Chart: "nats", Values: []string{"nats/values-prod.yaml"}, Source: ".natsaudit.yaml"}}})
	oneServer(t, r)
	if r.Servers[0].Deployment.Service != "prod" || strings.Contains(strings.Join(r.Notes, "\n"), "not in the tree") {
		t.Errorf("notes %q, service %q; want release prod, its values file not asked of Read", r.Notes, r.Servers[0].Deployment.Service)
	}
	r = Load(nil, nil, Options{Releases: []Spec{{Name: "q", Chart: "bitnami/redis", Values: []string{"x/values.yaml"}, Source: ".natsaudit.yaml"}}})
	if want := `.natsaudit.yaml: chart "bitnami/redis" is not the nats chart; not mapped`; len(r.Servers) != 0 || strings.Join(r.Notes, "\n") != want {
		t.Errorf("%d servers, notes %q; want %q", len(r.Servers), r.Notes, want)
	}
	// a values file neither given nor readable (no Read): no crash
	r = Load(nil, nil, Options{Releases: []Spec{{Name: "m", Values: []string{"m/values.yaml"}, Source: ".natsaudit.yaml"}}})
	_ = r
	// a spec without values files (.natsaudit.yaml rejects it): nothing
	// to map, no crash
	r = Load(nil, nil, Options{Releases: []Spec{{Name: "d", Chart: "nats", Source: ".natsaudit.yaml"}}})
	if len(r.Servers) != 0 || len(r.Errors) != 0 {
		t.Errorf("no values: %d servers, errors %+v", len(r.Servers), r.Errors)
	}
}

// TestShapeByImageAndReloader: values with neither config keys of the chart
// nor natsBox are the nats chart's when they set both container.image and
// reloader (the chart's own pair); either alone is another chart's (issue
// 20, full Go run: helm.go:265).
func TestShapeByImageAndReloader(t *testing.T) {
	for _, tc := range []struct {
		values  string
		servers int
	}{
		{"container:\n  image: {tag: 2.10.7-alpine}\nreloader:\n  enabled: true\n", 1},
		{"container:\n  image: {repository: example/app, tag: \"1.0\"}\n", 0},
		{"reloader:\n  enabled: true\n", 0},
	} {
		r := Load(nil, files("app/values.yaml", tc.values), Options{})
		if len(r.Servers) != tc.servers {
			t.Errorf("%q: %d servers, want %d", tc.values, len(r.Servers), tc.servers)
		}
	}
}

// TestChartVersionNotes: a release of a chart version this build does not
// know says so by its version; one with no version says it is not given
// (issue 20, full Go run: helm.go:342).
func TestChartVersionNotes(t *testing.T) {
	vals := files("nats/values.yaml", "config: {jetstream: {enabled: true}}\n")
	for _, tc := range []struct{ version, note string }{
		{"9.9.9", "Helm release nats (nats/values.yaml): nats chart version 9.9.9 is not known to this build; the defaults of chart " + latestChart + " are assumed"},
		{"", "Helm release nats (nats/values.yaml): the nats chart version is not given; the defaults of chart " + latestChart + " are assumed"},
	} {
		r := Load(nil, vals, Options{Releases: []Spec{{Chart: "nats", Version: tc.version, Values: []string{"nats/values.yaml"}, Source: ".natsaudit.yaml"}}})
		if strings.Join(r.Notes, "\n") != tc.note {
			t.Errorf("version %q: notes %q, want %q", tc.version, r.Notes, tc.note)
		}
	}
}

// TestMergeLastKeyLocation: a config key merged from values maps back to
// its values line even when it is the last line of the rendered config
// (issue 20, full Go run: helm.go:375).
func TestMergeLastKeyLocation(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config:\n  jetstream:\n    enabled: true\n  merge:\n    max_payload: 2MB\n    debug: true\n"), Options{})
	oneServer(t, r)
	s := r.Servers[0]
	for p, want := range map[string]model.Location{
		"config/max_payload": {File: "nats/values.yaml", Line: 5, Column: 18},
		"config/debug":       {File: "nats/values.yaml", Line: 6, Column: 12},
	} {
		if got := s.Locs[p]; got != want {
			t.Errorf("%s at %+v, want %+v", p, got, want)
		}
		if s.Defaults[p] {
			t.Errorf("%s is marked a chart default", p)
		}
	}
}

// TestNullPVCSize: a PVC size set to null (Helm deletes the chart's
// default) renders a config without a crash or an error (issue 20, full Go
// run: render.go:45).
func TestNullPVCSize(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config:\n  jetstream:\n    enabled: true\n    fileStore: {pvc: {size: null}}\n"), Options{})
	oneServer(t, r)
	if len(r.Errors) != 0 {
		t.Errorf("errors %+v", r.Errors)
	}
	js, _ := r.Servers[0].Config["jetstream"].(map[string]any)
	if js["store_dir"] != "/data" {
		t.Errorf("jetstream %v, want the chart's store_dir /data", js)
	}
}

// TestIncludeAndTemplateKeysNoted: a merge block's "$include" and "$tpl…"
// keys are not rendered, and each is noted as a partial mapping (issue 20,
// full Go run: render.go:60).
func TestIncludeAndTemplateKeysNoted(t *testing.T) {
	for _, k := range []string{"$include", "$tplExtra"} {
		r := Load(nil, files("nats/values.yaml", "config:\n  merge:\n    \""+k+"\": x.conf\n"), Options{})
		oneServer(t, r)
		want := "Helm release nats (nats/values.yaml): mapping partial: config/merge/" + k + " (nats/values.yaml:3): the chart renders it with a template engine or an include natsaudit does not follow"
		if !slicesContains(r.Notes, want) {
			t.Errorf("%s: notes %q, want %q", k, r.Notes, want)
		}
		if _, ok := r.Servers[0].Config[k]; ok {
			t.Errorf("%s rendered into the config", k)
		}
	}
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestPatchPathsNotFollowed: a patch whose path goes through a missing key
// or a scalar, or is empty, is noted and not applied (issue 20, full Go
// run: render.go:111).
func TestPatchPathsNotFollowed(t *testing.T) {
	for _, ptr := range []string{"/nope/x", "/port/x", ""} {
		r := Load(nil, files("nats/values.yaml", "config:\n  jetstream: {enabled: true}\n  patch:\n    - {op: add, path: \""+ptr+"\", value: 1}\n"), Options{})
		oneServer(t, r)
		want := "Helm release nats (nats/values.yaml): mapping partial: config/patch/0 (nats/values.yaml:4): patch add " + ptr + " not followed"
		if !slicesContains(r.Notes, want) {
			t.Errorf("%q: notes %q, want %q", ptr, r.Notes, want)
		}
		if p := r.Servers[0].Config["port"]; p != int64(4222) {
			t.Errorf("%q: port %#v, want 4222", ptr, p)
		}
	}
}

// TestTLSCAEnabledAndNamed: the client TLS block gets the chart's ca_file
// when tlsCA is enabled and names a ConfigMap or Secret, not when it is
// disabled (issue 20, full Go run: render.go:146).
func TestTLSCAEnabledAndNamed(t *testing.T) {
	for _, tc := range []struct {
		ca   string
		want any
	}{
		{"tlsCA: {enabled: true, configMapName: nats-ca}\n", "/etc/nats-ca-cert/ca.crt"},
		{"tlsCA: {enabled: false, configMapName: nats-ca}\n", nil},
		{"tlsCA: {enabled: true}\n", nil},
	} {
		r := Load(nil, files("nats/values.yaml", "config:\n  nats:\n    tls: {enabled: true, secretName: nats-tls}\n"+tc.ca), Options{})
		oneServer(t, r)
		tls, _ := r.Servers[0].Config["tls"].(map[string]any)
		if tls == nil || tls["ca_file"] != tc.want {
			t.Errorf("%q: tls %v, want ca_file %v", tc.ca, tls, tc.want)
		}
	}
}

// TestRoutesBounded: a cluster of more than 1,000 replicas renders 1,000
// route URLs, the last of pod 999 (issue 20, full Go run: render.go:275).
func TestRoutesBounded(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config:\n  cluster:\n    enabled: true\n    replicas: 5000\n"), Options{})
	oneServer(t, r)
	cl, _ := r.Servers[0].Config["cluster"].(map[string]any)
	routes, _ := cl["routes"].([]any)
	if len(routes) != 1000 || routes[999] != "nats://nats-999.nats-headless:6222" {
		t.Errorf("%d routes, last %v; want 1000, the last of pod 999", len(routes), routes[len(routes)-1])
	}
}

// TestRenderedBlockAndListLocations: a config block rendered from values
// maps to the key that enables it (jetstream: to `enabled:`), and a list
// at the top of the rendered config is written and parsed like any other
// (issue 20, full Go run: render.go:312, :337, :342).
func TestRenderedBlockAndListLocations(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config:\n  jetstream:\n    enabled: true\n  merge:\n    trusted_keys: [ODKNGJEO5WMB3YWA4VCM2OWZRHTDTCZM2MXVDOHA7YXTYB3Z5LV6NJ6E]\n"), Options{})
	oneServer(t, r)
	s := r.Servers[0]
	if got, want := s.Locs["config/jetstream"], (model.Location{File: "nats/values.yaml", Line: 3, Column: 5}); got != want {
		t.Errorf("config/jetstream at %+v, want %+v (its enabled: key)", got, want)
	}
	keys, _ := s.Config["trusted_keys"].([]any)
	if len(keys) != 1 || keys[0] != "ODKNGJEO5WMB3YWA4VCM2OWZRHTDTCZM2MXVDOHA7YXTYB3Z5LV6NJ6E" {
		t.Errorf("trusted_keys %#v, errors %+v", s.Config["trusted_keys"], r.Errors)
	}
}

// deepAlias is values whose "deep" key nests b mappings down to an alias of
// an anchored nest of a mappings: the file itself stays shallow (the
// parser's depth check does not follow aliases), the values tree is
// a+b+1 levels deep.
func deepAlias(a, b int) string {
	return "config: {jetstream: {enabled: true}}\nanchor: &x " + strings.Repeat("{k: ", a) + "1" + strings.Repeat("}", a) +
		"\ndeep: " + strings.Repeat("{k: ", b) + "*x" + strings.Repeat("}", b) + "\n"
}

// TestValuesDepthThroughAliases: a values tree may reach 100 levels below
// its top through aliases, and no more: the scalar at depth 100 is read,
// one at 101 is refused as an alias bomb (issue 20, full Go run:
// values.go:82).
func TestValuesDepthThroughAliases(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", deepAlias(50, 49)), Options{})
	if len(r.Errors) != 0 || len(r.Servers) != 1 {
		t.Errorf("depth 100: %d servers, errors %+v; want the release", len(r.Servers), r.Errors)
	}
	r = Load(nil, files("nats/values.yaml", deepAlias(50, 50)), Options{})
	if len(r.Servers) != 0 || len(r.Errors) != 1 || r.Errors[0].Message != errTooBig.Error() {
		t.Errorf("depth 101: %d servers, errors %+v; want %q", len(r.Servers), r.Errors, errTooBig)
	}
}

// TestValuesMergeKey: `<<: *anchor` merges the anchored mapping's entries
// into values, keys set explicitly winning whatever their order; a quoted
// "<<" is an ordinary key (issue 20, full Go run: values.go:95).
func TestValuesMergeKey(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", `base: &base
  port: 4333
  noAdvertise: false
config:
  cluster:
    enabled: true
    replicas: 3
    port: 6333
    <<: *base
  nats:
    port: 4444
  merge:
    "<<": {max_payload: 1MB}
`), Options{})
	oneServer(t, r)
	cfg := r.Servers[0].Config
	cl, _ := cfg["cluster"].(map[string]any)
	if cl["port"] != int64(6333) || cl["no_advertise"] != false {
		t.Errorf("cluster %v: want port 6333 (explicit) and no_advertise false (merged over the chart's true)", cl)
	}
	if cfg["port"] != int64(4444) {
		t.Errorf("port %#v, want 4444", cfg["port"])
	}
	if v, ok := cfg["max_payload"]; ok {
		t.Errorf("max_payload %#v: a quoted \"<<\" was merged", v)
	}
}

// TestValuesDepthThroughAliasedLists: as TestValuesDepthThroughAliases,
// with the levels lists instead of mappings (issue 20, full Go run:
// values.go:116).
func TestValuesDepthThroughAliasedLists(t *testing.T) {
	deep := func(a, b int) string {
		return "config: {jetstream: {enabled: true}}\nanchor: &x " + strings.Repeat("[", a) + "1" + strings.Repeat("]", a) +
			"\ndeep: " + strings.Repeat("[", b) + "*x" + strings.Repeat("]", b) + "\n"
	}
	if r := Load(nil, files("nats/values.yaml", deep(50, 49)), Options{}); len(r.Errors) != 0 || len(r.Servers) != 1 {
		t.Errorf("depth 100: %d servers, errors %+v; want the release", len(r.Servers), r.Errors)
	}
	if r := Load(nil, files("nats/values.yaml", deep(50, 50)), Options{}); len(r.Servers) != 0 || len(r.Errors) != 1 {
		t.Errorf("depth 101: %d servers, errors %+v; want refused", len(r.Servers), r.Errors)
	}
}

// TestValuesReplaceAcrossKinds: as Helm coalesces values, a value that is
// not a mapping replaces a block of the chart (a PVC block set to false:
// no PVC), and a block the user writes where the chart has a scalar is
// located at the user's line (issue 20, full Go run: values.go:131).
func TestValuesReplaceAcrossKinds(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config:\n  jetstream:\n    enabled: true\n    fileStore:\n      pvc: false\n"), Options{})
	oneServer(t, r)
	for _, v := range r.Servers[0].Deployment.Volumes {
		if v.Type == "pvc" {
			t.Errorf("volumes %+v: a PVC though the values replace its block by false", r.Servers[0].Deployment.Volumes)
		}
	}
	r = Load(nil, files("nats/values.yaml", "config:\n  cluster:\n    enabled: true\n    replicas:\n      count: 3\n"), Options{})
	oneServer(t, r)
	if got, want := r.Servers[0].Locs["deployment/replicas"], (model.Location{File: "nats/values.yaml", Line: 4, Column: 5}); got != want {
		t.Errorf("deployment/replicas at %+v, want %+v", got, want)
	}
}

// TestOverlayNullDeletesEnv: an overlay setting a container env var to
// null deletes it (Helm's null), leaving the others of values.yaml (issue
// 20, full Go run: values.go:161).
func TestOverlayNullDeletesEnv(t *testing.T) {
	r := Load(nil, files("nats/values.yaml", "config: {jetstream: {enabled: true}}\ncontainer:\n  env:\n    A: one\n    B: two\n    C: three\n",
		"nats/values-prod.yaml", "container:\n  env:\n    B: null\n"), Options{})
	oneServer(t, r)
	env := r.Servers[0].Deployment.Environment
	var names []string
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "A C POD_NAME SERVER_NAME" {
		t.Errorf("environment %s, want A C POD_NAME SERVER_NAME", got)
	}
}

// TestBlocksReplacedByScalars: values that replace a block of the chart
// by a scalar or delete it with null (tls: false, pvc: false, fileStore:
// false, memoryStore: false, replicas: null) are read without a crash: each
// such block is off (issue 20, full Go run; a crash before the fix).
func TestBlocksReplacedByScalars(t *testing.T) {
	for _, v := range []string{
		"config:\n  jetstream:\n    enabled: true\n    fileStore:\n      pvc: false\n",
		"config:\n  jetstream:\n    enabled: true\n    fileStore: false\n",
		"config:\n  jetstream:\n    enabled: true\n    memoryStore: false\n",
		"config:\n  websocket:\n    enabled: true\n    tls: false\n",
		"config:\n  cluster:\n    enabled: true\n    replicas: null\n",
		"config:\n  jetstream: {enabled: true}\n  nats:\n    tls: false\n",
	} {
		r := Load(nil, files("nats/values.yaml", v), Options{})
		if len(r.Servers) != 1 || len(r.Errors) != 0 {
			t.Errorf("%q: %d servers, errors %+v", v, len(r.Servers), r.Errors)
		}
	}
}
