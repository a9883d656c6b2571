package kube

import (
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

func load(t *testing.T, files ...string) *Result {
	t.Helper()
	var in []Input
	for i := 0; i+1 < len(files); i += 2 {
		in = append(in, Input{Rel: files[i], Data: []byte(files[i+1])})
	}
	return Load(in, Options{})
}

func one(t *testing.T, r *Result) *model.Server {
	t.Helper()
	if len(r.Servers) != 1 {
		t.Fatalf("servers = %d (errors %+v, notes %q)", len(r.Servers), r.Errors, r.Notes)
	}
	return r.Servers[0]
}

// TestConfigInBlockScalar: a ConfigMap key mounted where nats-server reads
// its config is the server's config, and every location is the manifest
// line (and column) of the value inside the block scalar.
func TestConfigInBlockScalar(t *testing.T) {
	cm := `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  nats.conf: |

    port: 4222
    jetstream {
        max_mem: 1G
    }
  other.conf: "debug: true"
`
	pod := `apiVersion: v1
kind: Pod
metadata: {name: nats}
spec:
  containers:
  - name: nats
    image: nats:2.14.9-alpine
    volumeMounts:
    - {name: cfg, mountPath: /etc/nats/nats-server.conf, subPath: nats.conf}
  volumes:
  - {name: cfg, configMap: {name: cfg}}
`
	s := one(t, load(t, "cm.yaml", cm, "pod.yaml", pod))
	if s.ConfigFile != "cm.yaml" || s.Deployment.UsesImageDefaultConfig {
		t.Fatalf("config file %q, default %v", s.ConfigFile, s.Deployment.UsesImageDefaultConfig)
	}
	// Columns are natsconf's, shifted by the block's indentation (4).
	if l := s.Locs["config/port"]; l.File != "cm.yaml" || l.Line != 7 || l.Column <= 4 {
		t.Errorf("port at %+v, want cm.yaml:7, column past the indentation", l)
	}
	if l := s.Locs["config/jetstream/max_memory_store"]; l.Line != 9 || l.Column <= 8 {
		t.Errorf("max_mem at %+v, want line 9, column past the indentation", l)
	}
	if js := s.Config["jetstream"].(map[string]any); js["max_memory_store"] != int64(1e9) {
		t.Errorf("jetstream = %v", js)
	}
}

// TestMountsAndCommands: the config path from args (through the alpine
// entrypoint), a shell wrapper, a directory mount with items and a
// projected volume all lead to the right key.
func TestMountsAndCommands(t *testing.T) {
	cm := `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  main: "server_name: from-items"
  a.conf: "server_name: from-projected"
`
	items := `apiVersion: apps/v1
kind: Deployment
metadata: {name: n}
spec:
  template:
    spec:
      containers:
      - name: nats
        image: nats:2.14.9-alpine
        args: ["--config", "/etc/nats/n.conf"]
        volumeMounts: [{name: v, mountPath: /etc/nats}]
      volumes:
      - {name: v, configMap: {name: cfg, items: [{key: main, path: n.conf}]}}
`
	shell := `apiVersion: v1
kind: Pod
metadata: {name: n}
spec:
  containers:
  - name: nats
    image: example/broker:1
    command: ["/bin/sh", "-c", "exec nats-server -c /cfg/a.conf --jetstream"]
    volumeMounts: [{name: v, mountPath: /cfg}]
  volumes:
  - {name: v, projected: {sources: [{secret: {name: missing}}, {configMap: {name: cfg}}]}}
`
	for _, tc := range []struct{ name, src, want string }{{"items", items, "from-items"}, {"shell", shell, "from-projected"}} {
		t.Run(tc.name, func(t *testing.T) {
			s := one(t, load(t, "cm.yaml", cm, "d.yaml", tc.src))
			if s.Name != tc.want {
				t.Errorf("name %q, want %q (config %v, from %q)", s.Name, tc.want, s.Config, s.Deployment.Kubernetes.ConfigFrom)
			}
		})
	}
	s := one(t, load(t, "cm.yaml", cm, "d.yaml", shell))
	if js, _ := s.Config["jetstream"].(map[string]any); js["enabled"] != true {
		t.Errorf("--jetstream in the shell command not read: %v", s.Config)
	}
}

// TestExposureAndFacts: Services selecting the pod publish its ports
// (LoadBalancer, NodePort, externalIPs; ClusterIP does not), hostPort and
// hostNetwork too; replicas, memory limit, security context, PDB and
// NetworkPolicy are read; other containers are not servers.
func TestExposureAndFacts(t *testing.T) {
	src := `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: lb}
  spec:
    type: LoadBalancer
    selector: {app: nats}
    ports: [{port: 4222, targetPort: client}]
- apiVersion: v1
  kind: Service
  metadata: {name: internal}
  spec:
    selector: {app: nats}
    ports: [{port: 8222}]
- apiVersion: v1
  kind: Service
  metadata: {name: other}
  spec:
    type: NodePort
    selector: {app: web}
    ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: nats, tier: mq}}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
      - name: nats
        image: nats:2.14.9
        ports:
        - {containerPort: 4222, name: client}
        - {containerPort: 8222, hostPort: 8222}
        resources: {limits: {memory: 512Mi}}
        securityContext: {readOnlyRootFilesystem: true}
      - name: exporter
        image: natsio/prometheus-nats-exporter:0.15.0
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: nats-pdb}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: nats}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only}
spec: {podSelector: {}, policyTypes: [Egress]}
`
	s := one(t, load(t, "all.yaml", src))
	d := s.Deployment
	if len(d.Ports) != 2 {
		t.Fatalf("ports = %+v", d.Ports)
	}
	if p := d.Ports[0]; p.Via != "hostPort" || p.ContainerPort != 8222 || !p.AllInterfaces {
		t.Errorf("hostPort = %+v", p)
	}
	if p := d.Ports[1]; p.ContainerPort != 4222 || !p.AllInterfaces || !strings.Contains(p.Via, "LoadBalancer") {
		t.Errorf("LoadBalancer = %+v", p)
	}
	if l := s.Locs["deployment/ports/1"]; l.Line != 10 {
		t.Errorf("LoadBalancer port at %+v, want line 10", l)
	}
	k := d.Kubernetes
	if d.Replicas != 3 || d.MemoryLimit != 512<<20 || k.PodDisruptionBudget != "nats-pdb" || len(k.NetworkPolicies) != 0 {
		t.Errorf("replicas %d, memory %d, pdb %q, policies %v", d.Replicas, d.MemoryLimit, k.PodDisruptionBudget, k.NetworkPolicies)
	}
	sc := k.SecurityContext
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.Privileged != nil {
		t.Errorf("security context = %+v", sc)
	}
	if len(k.Services) != 2 {
		t.Errorf("services = %+v", k.Services)
	}
	if !d.UsesImageDefaultConfig || d.ConfigPath != "/nats-server.conf" {
		t.Errorf("default config %v at %q", d.UsesImageDefaultConfig, d.ConfigPath)
	}
}

// TestBadInput: a file that does not parse is an error at its line, a
// template is a note, a huge file is refused, and the other files are read.
func TestBadInput(t *testing.T) {
	good := "apiVersion: v1\nkind: Pod\nmetadata: {name: n}\nspec:\n  containers: [{name: n, image: nats}]\n"
	huge := "apiVersion: v1\nkind: ConfigMap\ndata: [" + strings.Repeat("a,", 600000) + "]\n"
	r := load(t,
		"bad.yaml", "apiVersion: v1\nkind: Pod\nspec: {containers: [\n",
		"tpl.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n",
		"huge.yaml", huge,
		"good.yaml", good)
	if len(r.Servers) != 1 {
		t.Errorf("servers = %d", len(r.Servers))
	}
	files := map[string]bool{}
	for _, e := range r.Errors {
		files[e.File] = true
		if e.Kind != "kubernetes" {
			t.Errorf("kind %q", e.Kind)
		}
	}
	if !files["bad.yaml"] || !files["huge.yaml"] || len(r.Errors) != 2 {
		t.Errorf("errors = %+v", r.Errors)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "tpl.yaml") {
		t.Errorf("notes = %q", r.Notes)
	}
}

func TestQuantity(t *testing.T) {
	for in, want := range map[string]float64{"512Mi": 512 << 20, "1G": 1e9, "1.5Gi": 1.5 * (1 << 30), "500m": 0.5, "2": 2, "1e3": 1000} {
		if got, ok := Quantity(in); !ok || got != want {
			t.Errorf("Quantity(%q) = %v, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "1X", "-1", "1e400"} {
		if _, ok := Quantity(bad); ok {
			t.Errorf("Quantity(%q) accepted", bad)
		}
	}
}

// TestVolumeSizes: the storage a volume requests reaches the model in
// bytes with its manifest line: a StatefulSet's volumeClaimTemplate, a
// PersistentVolumeClaim a pod volume names; an unparsable request is an
// error, a claim not in the repository leaves the size unknown (0).
func TestVolumeSizes(t *testing.T) {
	sts := `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: nats
        image: nats:2.14.9-alpine
        args: ["-js", "-sd", "/data/jetstream"]
        volumeMounts: [{name: js, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: js}
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: %s
`
	pvc := `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: nats-data}
spec:
  resources: {requests: {storage: 500M}}
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
        args: ["-js", "-sd", "/data"]
        volumeMounts: [{name: d, mountPath: /data}]
      volumes:
      - {name: d, persistentVolumeClaim: {claimName: %s}}
`
	for _, tc := range []struct {
		name  string
		files []string
		size  int64
		line  int
		errs  int
	}{
		{"template Gi", []string{"sts.yaml", strings.Replace(sts, "%s", "10Gi", 1)}, 10 << 30, 19, 0},
		{"template k", []string{"sts.yaml", strings.Replace(sts, "%s", "1500k", 1)}, 1500000, 19, 0},
		{"template plain bytes", []string{"sts.yaml", strings.Replace(sts, "%s", "\"1073741824\"", 1)}, 1 << 30, 19, 0},
		{"template bad", []string{"sts.yaml", strings.Replace(sts, "%s", "lots", 1)}, 0, 0, 1},
		{"claim", []string{"pvc.yaml", pvc, "d.yaml", strings.Replace(dep, "%s", "nats-data", 1)}, 500e6, 5, 0},
		{"claim not in repo", []string{"d.yaml", strings.Replace(dep, "%s", "elsewhere", 1)}, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := load(t, tc.files...)
			s := one(t, r)
			if len(r.Errors) != tc.errs {
				t.Errorf("errors %+v, want %d", r.Errors, tc.errs)
			}
			if len(s.Deployment.Volumes) != 1 || s.Deployment.Volumes[0].Size != tc.size {
				t.Fatalf("volumes %+v, want size %d", s.Deployment.Volumes, tc.size)
			}
			if l := s.Locs["deployment/volumes/0/size"]; l.Line != tc.line {
				t.Errorf("size at %+v, want line %d", l, tc.line)
			}
		})
	}
}
