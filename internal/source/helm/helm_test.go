package helm

import (
	"strconv"
	"strings"
	"testing"
)

func files(kv ...string) []File {
	var out []File
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, File{Rel: kv[i], Data: []byte(kv[i+1])})
	}
	return out
}

// TestLayeringAndDefaults: values.yaml with each values-*.yaml on top is one
// release per overlay; keys left out take the chart's defaults (named as
// such), and the chart version picks the image.
func TestLayeringAndDefaults(t *testing.T) {
	chart := "apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n- name: nats\n  version: 1.2.8\n  alias: broker\n"
	base := "broker:\n  config:\n    jetstream:\n      enabled: true\n"
	prod := "broker:\n  config:\n    cluster:\n      enabled: true\n      replicas: 5\n"
	dev := "broker:\n  config:\n    monitor:\n      enabled: false\n"
	r := Load(files("c/Chart.yaml", chart), files("c/values.yaml", base, "c/values-prod.yaml", prod, "c/values-dev.yaml", dev), Options{})
	if len(r.Servers) != 2 || len(r.Errors) > 0 {
		t.Fatalf("servers %d, errors %+v, notes %q", len(r.Servers), r.Errors, r.Notes)
	}
	devS, prodS := r.Servers[0], r.Servers[1]
	if prodS.Deployment.Replicas != 5 || devS.Deployment.Replicas != 1 {
		t.Errorf("replicas: prod %d dev %d", prodS.Deployment.Replicas, devS.Deployment.Replicas)
	}
	if prodS.Deployment.Image != "nats:2.10.24-alpine" || prodS.Version == nil || prodS.Version.Value != "2.10.24" {
		t.Errorf("image %q version %+v (chart 1.2.8 runs 2.10.24)", prodS.Deployment.Image, prodS.Version)
	}
	if _, ok := devS.Config["http_port"]; ok {
		t.Errorf("dev disables monitoring: %v", devS.Config)
	}
	if prodS.Config["http_port"] != int64(8222) || !prodS.Defaults["config/http_port"] {
		t.Errorf("prod http_port %v, default %v", prodS.Config["http_port"], prodS.Defaults["config/http_port"])
	}
	if l := prodS.Locs["config/http_port"]; l.File != "c/Chart.yaml" || l.Line != 5 {
		t.Errorf("a default points at the dependency: %+v", l)
	}
	if l := prodS.Locs["config/jetstream"]; l.File != "c/values.yaml" || l.Line != 4 {
		t.Errorf("jetstream at %+v, want c/values.yaml:4", l)
	}
	routes, _ := prodS.Config["cluster"].(map[string]any)["routes"].([]any)
	if len(routes) != 5 {
		t.Errorf("routes = %v", routes)
	}
}

// TestExplicitReleasesMergePatchAndPartial: .natsaudit.yaml names the
// values files; config.merge and config.patch reach the config; $tplYaml
// and templates are coverage notes; null removes a key.
func TestExplicitReleasesMergePatchAndPartial(t *testing.T) {
	v := `config:
  nats:
    port: 4333
  merge:
    max_payload: << 8MB >>
    authorization:
      token: << $NATS_TOKEN >>
    $tplYaml: "{{ .Values.extra }}"
  patch:
  - op: add
    path: /no_auth_user
    value: app
  - op: move
    path: /x
  monitor: null
container:
  env:
    NATS_TOKEN: s3cr3t-t0ken-value
`
	r := Load(nil, nil, Options{Releases: []Spec{{Name: "mq", Values: []string{"deploy/nats.yaml"}, Version: "2.12.3", Source: ".natsaudit.yaml:3"}},
		Read: func(rel string) ([]byte, error) { return []byte(v), nil }})
	if len(r.Servers) != 1 {
		t.Fatalf("servers %d, errors %+v, notes %q", len(r.Servers), r.Errors, r.Notes)
	}
	s := r.Servers[0]
	if s.Config["port"] != int64(4333) || s.Config["max_payload"] != int64(8<<20) || s.Config["no_auth_user"] != "app" {
		t.Errorf("config = %v", s.Config)
	}
	if _, ok := s.Config["http_port"]; ok {
		t.Errorf("monitor: null deletes the key, as helm does, so no http_port: got %v", s.Config["http_port"])
	}
	if s.ConfigEnv["authorization/token"] != "NATS_TOKEN" {
		t.Errorf("config_env = %v", s.ConfigEnv)
	}
	joined := strings.Join(r.Notes, "\n")
	if !strings.Contains(joined, "mapping partial") || !strings.Contains(joined, "$tplYaml") || !strings.Contains(joined, `"move"`) {
		t.Errorf("notes = %q", r.Notes)
	}
	if s.Deployment.Kubernetes.Chart != "nats 2.12.3" || s.Deployment.ImageTag != "2.12.3-alpine" {
		t.Errorf("chart %q tag %q", s.Deployment.Kubernetes.Chart, s.Deployment.ImageTag)
	}
}

// TestNotNATSAndLegacy: values of other charts are not releases; the
// pre-1.0 nats chart is a note, not a guess; broken values are an error.
func TestNotNATSAndLegacy(t *testing.T) {
	r := Load(files("redis/Chart.yaml", "name: redis\nversion: 1.0.0\n"),
		files("redis/values.yaml", "replica: {count: 3}\n", "old/values.yaml", "nats:\n  config:\n    jetstream: {enabled: true}\n", "bad/values.yaml", "config: [\n"),
		Options{Releases: []Spec{{Values: []string{"old/values.yaml"}, Version: "0.19.17", Source: "x"}}})
	if len(r.Servers) != 0 {
		t.Errorf("servers = %d", len(r.Servers))
	}
	if len(r.Errors) != 1 || r.Errors[0].File != "bad/values.yaml" || r.Errors[0].Kind != "helm" {
		t.Errorf("errors = %+v", r.Errors)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "pre-1.0") {
		t.Errorf("notes = %q", r.Notes)
	}
}

// TestInternalLoadBalancerService: the chart's Service made internal by a
// cloud annotation in service.merge.metadata.annotations publishes on the
// private network only; without it, a LoadBalancer is public.
func TestInternalLoadBalancerService(t *testing.T) {
	for _, tc := range []struct {
		name, values string
		public       bool
	}{
		{"public", "config: {jetstream: {enabled: true}}\nservice:\n  merge:\n    spec: {type: LoadBalancer}\n", true},
		{"internal annotation", "config: {jetstream: {enabled: true}}\nservice:\n  merge:\n    metadata:\n      annotations:\n        service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"\n    spec: {type: LoadBalancer}\n", false},
		{"private source ranges", "config: {jetstream: {enabled: true}}\nservice:\n  merge:\n    spec: {type: LoadBalancer, loadBalancerSourceRanges: [10.0.0.0/8]}\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Load(nil, files("nats/values.yaml", tc.values), Options{})
			if len(r.Servers) != 1 {
				t.Fatalf("servers %d, notes %q", len(r.Servers), r.Notes)
			}
			ps := r.Servers[0].Deployment.Ports
			if len(ps) == 0 {
				t.Fatalf("no ports")
			}
			for _, p := range ps {
				if p.AllInterfaces != tc.public || !tc.public && p.HostIP == "" {
					t.Errorf("port %+v: want public %v", p, tc.public)
				}
			}
		})
	}
}

// TestJetStreamVolumeSize: the JetStream PVC's size is the values'
// fileStore.pvc.size (the chart's 10Gi when unset), in bytes, located at
// the value (at jetstream.enabled for the chart's default).
func TestJetStreamVolumeSize(t *testing.T) {
	chart := "apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n- name: nats\n  version: 1.2.8\n"
	for _, tc := range []struct {
		name, values string
		size         int64
		file         string
	}{
		{"chart default", "nats:\n  config:\n    jetstream:\n      enabled: true\n", 10 << 30, "c/values.yaml"}, // the default points at jetstream.enabled
		{"values", "nats:\n  config:\n    jetstream:\n      enabled: true\n      fileStore:\n        pvc:\n          size: 5Gi\n        maxSize: 20Gi\n", 5 << 30, "c/values.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Load(files("c/Chart.yaml", chart), files("c/values.yaml", tc.values), Options{})
			if len(r.Servers) != 1 {
				t.Fatalf("servers %d, errors %+v", len(r.Servers), r.Errors)
			}
			s := r.Servers[0]
			var size int64
			idx := -1
			for i, v := range s.Deployment.Volumes {
				if v.Type == "pvc" {
					size, idx = v.Size, i
				}
			}
			if size != tc.size {
				t.Errorf("pvc size %d, want %d (volumes %+v)", size, tc.size, s.Deployment.Volumes)
			}
			if l := s.Locs["deployment/volumes/"+strconv.Itoa(idx)+"/size"]; l.File != tc.file {
				t.Errorf("size at %+v, want %s", l, tc.file)
			}
		})
	}
}
