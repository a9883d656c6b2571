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
