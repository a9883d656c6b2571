package kube

import (
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
	seam "github.com/natsaudit/natsaudit/internal/source"
	"github.com/natsaudit/natsaudit/internal/source/natsconf"
)

// Tests of the fifth round of Go mutation testing (issue 20): the
// survivors of the full Gremlins run of this package, each pinned by what
// a user sees (a fact's file:line:column, a value, a note).

// cfgPod runs nats-server with its config from the ConfigMap cfg mounted
// at /etc/nats, and /etc/nats/auth from the Secret nats-auth, the layout
// of nats-io/k8s's chart (config map plus an auth Secret mount).
const cfgPod = `apiVersion: v1
kind: Pod
metadata: {name: nats}
spec:
  containers:
  - name: nats
    image: nats:2.14.9-alpine
    args: [-c, /etc/nats/nats.conf]
    volumeMounts:
    - {name: cfg, mountPath: /etc/nats}
    - {name: auth, mountPath: /etc/nats/auth}
  volumes:
  - {name: cfg, configMap: {name: cfg}}
  - {name: auth, secret: {secretName: nats-auth}}
`

// TestBlockScalarColumns: a config in a literal block scalar maps each
// location to the manifest's column, natsconf's column plus the block's
// indentation; an error natsconf gives no column (0: the end of the text)
// keeps none rather than pointing at the indentation (kills blockIndent's
// `len(t) - len(TrimLeft)` turned into `+` and mapLoc's `col > 0` into
// `>= 0`).
func TestBlockScalarColumns(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  nats.conf: |\n    port: 4222\n    include missing.conf\n    jetstream {\n        max_mem: 1G\n    }\n    debug: [\n"
	r := load(t, "cm.yaml", cm, "pod.yaml", cfgPod)
	s := one(t, r)
	var errs []string
	for _, e := range r.Errors {
		errs = append(errs, e.File+":"+itoa(e.Line)+":"+itoa(e.Column))
		if e.Column == 0 && e.Line < 11 {
			t.Errorf("error %+v: no column, want the end of the text", e)
		}
	}
	if want := "cm.yaml:7:5,cm.yaml:12:0"; strings.Join(errs, ",") != want {
		t.Errorf("errors at %q, want %q: %+v", errs, want, r.Errors)
	}
	if len(s.Config) != 0 {
		t.Errorf("a config that does not parse gave %v", s.Config)
	}
}

// TestBlockScalarColumnsOfFacts: the facts of a config that parses are at
// the column natsconf gives in the config's own text shifted by the
// block's indentation (4), on the manifest's line.
func TestBlockScalarColumnsOfFacts(t *testing.T) {
	conf := "port: 4222\njetstream {\n    max_mem: 1G\n}\n"
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  nats.conf: |\n" + indent(conf, "    ")
	s := one(t, load(t, "cm.yaml", cm, "pod.yaml", cfgPod))
	own := natsconf.Parse("/etc/nats/nats.conf", []byte(conf), natsconf.Options{})
	for _, key := range []string{"config/port", "config/jetstream/max_memory_store"} {
		c := own.Locs[key]
		if c.Line == 0 || c.Column == 0 {
			t.Fatalf("natsconf gives %s at %+v", key, c)
		}
		want := model.Location{File: "cm.yaml", Line: 5 + c.Line, Column: 4 + c.Column}
		if got := s.Locs[key]; got != want {
			t.Errorf("%s at %+v, want %+v", key, got, want)
		}
	}
	if got := s.Locs["config/port"]; got.Column != 5 {
		t.Errorf("port at column %d, want 5 (column 1 of the config, indented by 4)", got.Column)
	}
}

// TestEmptyBlockScalarConfig: a ConfigMap whose nats.conf is an empty
// block at the end of the file (a placeholder) is an empty config, read
// without a crash (kills blockIndent's `i < len(lines)` turned into `<=`,
// which read past the last line).
func TestEmptyBlockScalarConfig(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  nats.conf: |\n"
	r := load(t, "cm.yaml", cm, "pod.yaml", cfgPod)
	s := one(t, r)
	if s.ConfigFile != "cm.yaml" || len(s.Config) != 0 || len(r.Errors) != 0 {
		t.Errorf("config file %q, config %v, errors %+v", s.ConfigFile, s.Config, r.Errors)
	}
}

// TestIncludeFromSecret: a config including a file of a Secret mount marks
// that Secret as read by the server, and the included settings are the
// server's (kills vreader.Read's `kind == "Secret"` negated).
func TestIncludeFromSecret(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  nats.conf: |\n    port: 4222\n    include auth/auth.conf\n"
	sec := "apiVersion: v1\nkind: Secret\nmetadata: {name: nats-auth}\nstringData:\n  auth.conf: |\n    authorization { token: s3cr3tT0kenValue }\n"
	r := load(t, "cm.yaml", cm, "pod.yaml", cfgPod, "secret.yaml", sec)
	s := one(t, r)
	if _, ok := s.Config["authorization"]; !ok {
		t.Errorf("config %v: the included authorization is missing (errors %+v)", s.Config, r.Errors)
	}
	if len(r.Secrets) != 1 || strings.Join(r.Secrets[0].UsedBy, ",") != "nats" {
		t.Fatalf("secrets %+v: want nats-auth used by nats", r.Secrets)
	}
}

// TestIncludeSizeBudget: the files a config includes may add up to exactly
// MaxConfigSize bytes; one byte more is refused with an error (kills
// `r.bytes > MaxConfigSize` turned into `>=`).
func TestIncludeSizeBudget(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  nats.conf: |\n    port: 4222\n    include auth/auth.conf\n"
	for _, tc := range []struct {
		max   int
		error bool
	}{{64, false}, {63, true}} {
		inc := "authorization { token: abcdefghijklmnopqrstuvwxyz0123456789AB }\n"
		if len(inc) != 64 {
			t.Fatalf("include of %d bytes", len(inc))
		}
		sec := "apiVersion: v1\nkind: Secret\nmetadata: {name: nats-auth}\nstringData:\n  auth.conf: |\n    " + inc
		r := Load([]Input{{Rel: "cm.yaml", Data: []byte(cm)}, {Rel: "pod.yaml", Data: []byte(cfgPod)}, {Rel: "secret.yaml", Data: []byte(sec)}},
			Options{MaxConfigSize: tc.max})
		msgs := ""
		for _, e := range r.Errors {
			msgs += e.Message + "\n"
		}
		if got := strings.Contains(msgs, "included files add up to more than"); got != tc.error {
			t.Errorf("max %d: errors %q, want the size error %v", tc.max, msgs, tc.error)
		}
	}
}

// TestUnresolvedEnvInConfig: a config variable set from a Secret that is
// not in the scanned manifests (or from a fieldRef, known only at run
// time) is an unresolved reference, not an empty token: a rule must not
// call the server's token empty (kills containerEnv.Lookup's
// `!ok || !v.resolved` turned into `&&`).
func TestUnresolvedEnvInConfig(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n  nats.conf: |\n    port: 4222\n    authorization { token: $NATS_TOKEN }\n"
	for _, from := range []string{"{secretKeyRef: {name: elsewhere, key: token}}", "{fieldRef: {fieldPath: metadata.uid}}"} {
		pod := strings.Replace(cfgPod, "    volumeMounts:\n", "    env:\n    - name: NATS_TOKEN\n      valueFrom: "+from+"\n    volumeMounts:\n", 1)
		s := one(t, load(t, "cm.yaml", cm, "pod.yaml", pod))
		auth, _ := s.Config["authorization"].(map[string]any)
		tok, _ := auth["token"].(*model.Secret)
		if tok == nil || tok.Resolved || tok.Empty || tok.EnvVar != "NATS_TOKEN" {
			t.Errorf("valueFrom %s: token %+v, want an unresolved reference to NATS_TOKEN", from, tok)
		}
	}
}

// TestRecogniseNeedsBoth: a YAML file is a manifest only with both a
// top-level apiVersion and kind: a Helm Chart.yaml (apiVersion, no kind)
// and a values file with a kind: key are not (kills Recognise's `&&`
// turned into `||`).
func TestRecogniseNeedsBoth(t *testing.T) {
	for name, data := range map[string]string{
		"nats/Chart.yaml":  "apiVersion: v2\nname: nats\nversion: 1.2.6\nappVersion: 2.10.22\n",
		"nats/values.yaml": "kind: StatefulSet\nconfig:\n  cluster: {enabled: true}\n",
	} {
		if Recognise(name, []byte(data)) {
			t.Errorf("%s recognised as manifests", name)
		}
	}
	if !Recognise("nats/sts.yaml", []byte("apiVersion: apps/v1\nkind: StatefulSet\n")) {
		t.Error("a StatefulSet manifest not recognised")
	}
}

// TestHostPortLocations: each hostPort's fact points at its own hostPort
// line, under the index of the port it is (kills `len(d.Ports)-1`
// turned into `+1` or `+` in the hostPort branch).
func TestHostPortLocations(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: nats}\nspec:\n  containers:\n  - name: nats\n    image: nats:2.14.9-alpine\n    ports:\n    - containerPort: 4222\n      hostPort: 4222\n    - containerPort: 8222\n    - containerPort: 6222\n      hostPort: 6222\n"
	s := one(t, load(t, "pod.yaml", pod))
	var got []string
	for i, p := range s.Deployment.Ports {
		got = append(got, itoa(p.HostPort)+"@"+locAt(s, portKey(i)))
	}
	if want := "4222@pod.yaml:10,6222@pod.yaml:13"; strings.Join(got, ",") != want {
		t.Errorf("host ports %q, want %q", got, want)
	}
	if _, ok := s.Locs[portKey(2)]; ok {
		t.Errorf("a location for a third port, of two: %+v", s.Locs)
	}
}

// TestRouteProtocol: a port a route publishes is TCP, or UDP for a
// Gateway API UDPRoute (kills routedPorts' `pt.Protocol == ""` negated).
func TestRouteProtocol(t *testing.T) {
	for kind, want := range map[string]string{"TCPRoute": "tcp", "UDPRoute": "udp"} {
		route := "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: " + kind + "\nmetadata: {name: r, namespace: msg}\nspec:\n  rules:\n  - backendRefs: [{name: nats, port: 4222}]\n"
		s := one(t, load(t, "nats.yaml", routedPod, "route.yaml", route))
		var got []string
		for _, p := range s.Deployment.Ports {
			if strings.Contains(p.Via, kind+" r") {
				got = append(got, itoa(p.HostPort)+"/"+p.Protocol)
			}
		}
		if strings.Join(got, ",") != "4222/"+want {
			t.Errorf("%s: routed ports %q, want 4222/%s", kind, got, want)
		}
	}
}

// podDoc is a minimal nats-server Pod named name.
func podDoc(name string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  containers: [{name: nats, image: 'nats:2.14.9'}]\n"
}

func serverNames(r *Result) string {
	var n []string
	for _, s := range r.Servers {
		n = append(n, s.Name)
	}
	return strings.Join(n, ",")
}

// TestDocumentBound: a file's first 5000 documents are read and the rest
// are not (kills parseFile's `i < maxDocs` turned into `<=` and `i++`
// into `--`).
func TestDocumentBound(t *testing.T) {
	var b strings.Builder
	for i := 0; i < maxDocs-1; i++ {
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c" + itoa(i) + "}\n---\n")
	}
	b.WriteString(podDoc("last-read") + "---\n" + podDoc("past-the-bound"))
	r := load(t, "many.yaml", b.String())
	if got := serverNames(r); got != "last-read" {
		t.Errorf("servers %q, want only the document %d (last-read)", got, maxDocs)
	}
}

// TestSyntaxErrorLine: a YAML syntax error is reported at the line the
// parser names (kills parseFile's `m != nil` negated).
func TestSyntaxErrorLine(t *testing.T) {
	r := load(t, "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: n}\nspec:\n  containers:\n  - name: nats\n    image: [nats\n")
	if len(r.Errors) != 1 || r.Errors[0].File != "bad.yaml" || r.Errors[0].Line == 0 {
		t.Fatalf("errors %+v, want one of bad.yaml at a line", r.Errors)
	}
	if strings.HasPrefix(r.Errors[0].Message, "yaml:") || strings.HasPrefix(r.Errors[0].Message, "line ") {
		t.Errorf("message %q keeps the parser's prefix", r.Errors[0].Message)
	}
}

// TestListNesting: List kinds (v1 List, and any ...List with items, as
// kubectl get -o yaml writes them) contribute their items, two Lists deep;
// a third level is not read; a document without apiVersion is not a
// resource; a resource with a stray top-level items key is still that
// resource (kills document's depth bound `depth > 2` turned into `>=`,
// `||` into `&&`, `depth+1` into `depth-1`, the List test's `||`/`&&`
// swaps and `items != nil` negated, and `api == "" || kind == ""` turned
// into `&&`).
func TestListNesting(t *testing.T) {
	list := func(kind, body string) string {
		return "apiVersion: v1\nkind: " + kind + "\nitems:\n" + indent("- "+strings.ReplaceAll(strings.TrimSuffix(body, "\n"), "\n", "\n  ")+"\n", "")
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"v1 List", list("List", podDoc("a")), "a"},
		{"PodList, as kubectl get -o yaml writes it", list("PodList", podDoc("a")), "a"},
		{"two Lists deep", list("List", list("List", podDoc("a"))), "a"},
		{"three Lists deep is not read", list("List", list("List", list("List", podDoc("a")))), ""},
		{"no apiVersion", strings.Replace(podDoc("a"), "apiVersion: v1\n", "", 1), ""},
		{"a Pod with a stray items key", podDoc("a") + "items: []\n", "a"},
	} {
		r := load(t, "list.yaml", tc.doc)
		if got := serverNames(r); got != tc.want {
			t.Errorf("%s: servers %q, want %q\n%s", tc.name, got, tc.want, tc.doc)
		}
	}
}

// TestNACKAccountSecrets: a NACK Account's credentials Secret is marked as
// read by it; a NACK Stream is a stream, not an object of its own (kills
// document's `kind == "Account"` negated).
func TestNACKAccountSecrets(t *testing.T) {
	nack := `apiVersion: jetstream.nats.io/v1beta2
kind: Account
metadata: {name: orders}
spec:
  name: orders
  servers: [nats://nats:4222]
  creds:
    secret: {name: orders-creds}
    file: orders.creds
---
apiVersion: jetstream.nats.io/v1beta2
kind: Stream
metadata: {name: orders}
spec: {name: orders, subjects: [orders.>], account: orders}
`
	sec := "apiVersion: v1\nkind: Secret\nmetadata: {name: orders-creds}\nstringData:\n  orders.creds: not-a-real-creds-file\n"
	r := load(t, "nack.yaml", nack, "secret.yaml", sec)
	if len(r.Secrets) != 1 || strings.Join(r.Secrets[0].UsedBy, ",") != "NACK Account orders" {
		t.Errorf("secrets %+v, want orders-creds used by the NACK Account", r.Secrets)
	}
	if len(r.Streams) != 1 || r.Streams[0].Name != "orders" {
		t.Errorf("streams %+v", r.Streams)
	}
}

// TestLookupNamespace: a ConfigMap of another namespace is not the one a
// workload of a given namespace mounts, even when it is the only one of
// that name; a workload without a namespace takes the only one (kills
// lookup's `cands[0].namespace == ""` negated).
func TestLookupNamespace(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: other}\ndata:\n  nats.conf: |\n    port: 4333\n"
	for _, tc := range []struct {
		ns   string
		port any
	}{{"msg", nil}, {"", int64(4333)}} {
		pod := cfgPod
		if tc.ns != "" {
			pod = strings.Replace(pod, "metadata: {name: nats}", "metadata: {name: nats, namespace: "+tc.ns+"}", 1)
		}
		s := one(t, load(t, "cm.yaml", cm, "pod.yaml", pod))
		if got := s.Config["port"]; got != tc.port {
			t.Errorf("pod in namespace %q: config port %v, want %v", tc.ns, got, tc.port)
		}
	}
}

// loadTreeOpt is loadTree with the Paths of the tree given or not (without
// them, the kustomizations above each manifest are looked for by name).
func loadTreeOpt(t *testing.T, tree map[string]string, paths bool) *Result {
	t.Helper()
	var names []string
	for n := range tree {
		names = append(names, n)
	}
	sortStrings(names)
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
		return nil, errNotInTree
	}
	opt := Options{Read: read}
	if paths {
		opt.Paths = names
	}
	return Load(in, opt)
}

var errNotInTree = errorString("not found in the scanned tree")

type errorString string

func (e errorString) Error() string { return string(e) }

// genSts is kStatefulSet mounting only the generated nats-config.
var genSts = strings.ReplaceAll(kStatefulSet, "        envFrom:\n        - configMapRef: {name: nats-opts}\n        - secretRef: {name: nats-auth}\n", "")

// TestKustomizationTwoLevelsUp: without the tree's list of paths, the
// kustomization two directories above the manifest (no apiVersion/kind,
// so not a manifest) is found by walking up every directory, and its
// generator gives the config (kills the walk's `d == "."` and `d == "/"`
// negated, which stopped after the manifest's own directory).
func TestKustomizationTwoLevelsUp(t *testing.T) {
	tree := map[string]string{
		"deploy/kustomization.yaml":        "configMapGenerator:\n  - name: nats-config\n    files: [nats/server.conf]\nresources: [nats/k8s/statefulset.yaml]\n",
		"deploy/nats/k8s/statefulset.yaml": genSts,
		"deploy/nats/server.conf":          "port: 4333\n",
	}
	for _, paths := range []bool{false, true} {
		s := one(t, loadTreeOpt(t, tree, paths))
		if s.ConfigFile != "deploy/nats/server.conf" || s.Config["port"] != int64(4333) {
			t.Errorf("paths %v: config %v from %q, want the generator's server.conf", paths, s.Config, s.ConfigFile)
		}
	}
}

// TestKustomizationNotAMapping: a kustomization.yaml that is not a mapping
// is no kustomization, and not a file read (kills parseKustomization's
// `n == nil || n.Kind != MappingNode` turned into `&&`).
func TestKustomizationNotAMapping(t *testing.T) {
	r := loadTreeOpt(t, map[string]string{
		"k/kustomization.yaml": "- statefulset.yaml\n",
		"k/statefulset.yaml":   genSts,
	}, true)
	for _, f := range r.Files {
		if f == "k/kustomization.yaml" {
			t.Errorf("files %q: a list read as a kustomization", r.Files)
		}
	}
}

// TestKustomizeComponent: a kustomize Component (kind: Component, listed
// in components:, as kubernetes-sigs/kustomize's components example lays
// them out) is read like a kustomization: its generator makes the
// workload's config, though the components: entry itself is noted as not
// applied (kills `k != "Component"` negated).
func TestKustomizeComponent(t *testing.T) {
	tree := map[string]string{
		"app/kustomization.yaml":  "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [statefulset.yaml]\ncomponents: [../conf]\n",
		"app/statefulset.yaml":    genSts,
		"conf/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n  - name: nats-config\n    files: [server.conf]\n",
		"conf/server.conf":        "port: 4333\n",
	}
	r := loadTreeOpt(t, tree, true)
	var s *model.Server
	for _, x := range r.Servers {
		if x.Name == "nats" {
			s = x
		}
	}
	if s == nil || s.ConfigFile != "conf/server.conf" || s.Config["port"] != int64(4333) {
		t.Fatalf("servers %q: want nats with the Component's server.conf (notes %q)", serverNames(r), r.Notes)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "app/kustomization.yaml: components not applied") {
		t.Errorf("notes %q: want the components entry noted", r.Notes)
	}
}

// TestKustomizeBuildDepth: a workload's own build is followed through
// resources directories 8 kustomizations deep, not 9: at 8 the generator
// of its build is the one it mounts, past the bound the build is not known
// and the name is looked up as written (the first ConfigMap of that name,
// here another app's) (kills buildFiles' `depth > maxKustomizeDepth`
// turned into `>=` and `depth+1` into `depth-1`).
func TestKustomizeBuildDepth(t *testing.T) {
	for _, tc := range []struct {
		levels int
		port   int64
	}{{8, 4333}, {9, 4111}} {
		tree := map[string]string{
			"a-other/kustomization.yaml": "configMapGenerator:\n  - name: nats-config\n    literals: [\"server.conf=port: 4111\"]\n",
			"app/server.conf":            "port: 4333\n",
		}
		dir := "app"
		kust := "configMapGenerator:\n  - name: nats-config\n    files: [server.conf]\nresources: [l1]\n"
		for i := 1; i <= tc.levels; i++ {
			tree[dir+"/kustomization.yaml"] = kust
			dir += "/l" + itoa(i)
			kust = "resources: [l" + itoa(i+1) + "]\n"
		}
		tree[dir+"/kustomization.yaml"] = "resources: [statefulset.yaml]\n"
		tree[dir+"/statefulset.yaml"] = genSts
		r := loadTreeOpt(t, tree, true)
		var got []string
		for _, s := range r.Servers {
			if s.Name == "nats" {
				got = append(got, itoa(int(toInt(s.Config["port"]))))
			}
		}
		if strings.Join(got, ",") != itoa(int(tc.port)) {
			t.Errorf("%d levels: nats config port %q, want %d (notes %q)", tc.levels, got, tc.port, r.Notes)
		}
	}
}

func toInt(v any) int64 {
	n, _ := v.(int64)
	return n
}

// TestGeneratorNamespaceFromKustomization: a generator without its own
// namespace takes the kustomization's, so a workload of another namespace
// does not mount it (kills `gns == ""` negated).
func TestGeneratorNamespaceFromKustomization(t *testing.T) {
	tree := map[string]string{
		"msg/kustomization.yaml": "namespace: msg\nconfigMapGenerator:\n  - name: nats-config\n    files: [server.conf]\n",
		"msg/server.conf":        "port: 4333\n",
		"other/statefulset.yaml": strings.Replace(genSts, "metadata: {name: nats}", "metadata: {name: nats, namespace: other}", 1),
	}
	s := one(t, loadTreeOpt(t, tree, true))
	if s.ConfigFile != "" || s.Config != nil {
		t.Errorf("config %v from %q: the generated ConfigMap is in namespace msg", s.Config, s.ConfigFile)
	}
}

// TestGeneratorLiteralWithoutValue: a literal without "=" (kustomize
// refuses it) is not a key of the generated ConfigMap (kills `!ok ||
// key == ""` turned into `&&`).
func TestGeneratorLiteralWithoutValue(t *testing.T) {
	tree := map[string]string{
		"nats/kustomization.yaml": "configMapGenerator:\n  - name: nats-opts\n    literals: [NATS_DEBUG, LOG_LEVEL=debug, =orphan]\n  - name: nats-config\n    files: [server.conf]\nresources: [statefulset.yaml]\n",
		"nats/statefulset.yaml":   strings.Replace(kStatefulSet, "        - secretRef: {name: nats-auth}\n", "", 1),
		"nats/server.conf":        "port: 4222\n",
	}
	s := one(t, loadTreeOpt(t, tree, true))
	var env []string
	for k := range s.Deployment.Environment {
		env = append(env, k)
	}
	sortStrings(env)
	if strings.Join(env, ",") != "LOG_LEVEL" {
		t.Errorf("environment %q, want LOG_LEVEL only", env)
	}
}

// TestGeneratorEnvFiles: the older singular env: of a generator is read
// like envs:, and a commented-out assignment of an env file is not a key
// (kills `n.Kind == ScalarNode` negated and envFile's comment test's `||`
// turned into `&&`).
func TestGeneratorEnvFiles(t *testing.T) {
	tree := map[string]string{
		"nats/kustomization.yaml": "configMapGenerator:\n  - name: nats-opts\n    env: nats.env\n  - name: nats-config\n    files: [server.conf]\nresources: [statefulset.yaml]\n",
		"nats/statefulset.yaml":   strings.Replace(kStatefulSet, "        - secretRef: {name: nats-auth}\n", "", 1),
		"nats/server.conf":        "port: 4222\n",
		"nats/nats.env":           "LOG_LEVEL=debug\n# NATS_DEBUG=1\n",
	}
	s := one(t, loadTreeOpt(t, tree, true))
	var env []string
	for k := range s.Deployment.Environment {
		env = append(env, k+"@"+locAt(s, "deployment/environment/"+k))
	}
	if strings.Join(env, ",") != "LOG_LEVEL@nats/nats.env:1" {
		t.Errorf("environment %q, want LOG_LEVEL from nats.env:1 only", env)
	}
}

// TestNoUnfollowedNote: a kustomization that uses nothing the reader
// leaves out gets no "not applied" note (kills unfollowed's `len(what) >
// 0` turned into `>= 0`).
func TestNoUnfollowedNote(t *testing.T) {
	r := loadTreeOpt(t, map[string]string{
		"nats/kustomization.yaml": "configMapGenerator:\n  - name: nats-config\n    files: [server.conf]\nresources: [statefulset.yaml]\n",
		"nats/statefulset.yaml":   genSts,
		"nats/server.conf":        "port: 4222\n",
	}, true)
	for _, n := range r.Notes {
		if strings.Contains(n, "not applied") {
			t.Errorf("note %q", n)
		}
	}
}

// TestGeneratorBytesBudget: the generators of a scan may read exactly
// 64 MiB before the next file is refused (kills readRepo's `genBytes >
// maxGenerated` turned into `>=`).
func TestGeneratorBytesBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB")
	}
	tree := map[string]string{
		"nats/kustomization.yaml": "configMapGenerator:\n  - name: nats-config\n    files: [big.txt, server.conf]\nresources: [statefulset.yaml]\n",
		"nats/statefulset.yaml":   genSts,
		"nats/big.txt":            strings.Repeat("#", maxGenerated),
		"nats/server.conf":        "port: 4333\n",
	}
	var in []Input
	in = append(in, Input{Rel: "nats/statefulset.yaml", Data: []byte(genSts)})
	read := func(rel string) ([]byte, error) {
		if d, ok := tree[rel]; ok {
			return []byte(d), nil
		}
		return nil, errNotInTree
	}
	r := Load(in, Options{Read: read, Paths: []string{"nats/big.txt", "nats/kustomization.yaml", "nats/server.conf", "nats/statefulset.yaml"}, MaxConfigSize: maxGenerated})
	s := one(t, r)
	if s.Config["port"] != int64(4333) {
		t.Errorf("config %v, want server.conf read at exactly the budget (notes %q)", s.Config, r.Notes)
	}
}

// TestQuantityBounds: an exponent of -30 is read, -31 is not; a value of
// exactly 2^62 (4Ei) is read, one past MaxInt64/2 is not (kills
// `e < -30` turned into `<=`, `f > MaxInt64/2` into `>=`, `IsInf || >`
// into `&&`, and `MaxInt64/2` into `*2`).
func TestQuantityBounds(t *testing.T) {
	for in, want := range map[string]bool{"1e-30": true, "1e-31": false, "4Ei": true, "5e18": false, "8Ei": false} {
		if _, ok := Quantity(in); ok != want {
			t.Errorf("Quantity(%s) ok = %v, want %v", in, ok, want)
		}
	}
	if v, _ := Quantity("4Ei"); v != 1<<62 {
		t.Errorf("Quantity(4Ei) = %v", v)
	}
}

// routedVias lists the ports of the one server that a route of route.yaml
// publishes, as "outside->container via".
func routedVias(t *testing.T, files ...string) []string {
	t.Helper()
	s := one(t, load(t, append([]string{"nats.yaml", routedPod}, files...)...))
	var got []string
	for _, p := range s.Deployment.Ports {
		if strings.Contains(p.Via, "route.yaml") {
			via, _, _ := strings.Cut(p.Via, " → ")
			got = append(got, itoa(p.HostPort)+"->"+itoa(p.ContainerPort)+" "+via)
		}
	}
	return got
}

// TestRouteBackends: the older Traefik group traefik.containo.us routes
// (another group's IngressRoute does not); a route without entry points
// says none; a Gateway API backendRef may name its kind Service and its
// group "core" explicitly; a parentRef naming the Gateway's namespace
// finds it there (kills routeKind's `== "traefik.containo.us"` negated,
// `len(eps) > 0` turned into `>= 0`, the backendRef kind and group tests
// negated, and attachments' `ns == ""` negated).
func TestRouteBackends(t *testing.T) {
	traefik := "kind: IngressRouteTCP\nmetadata: {name: nats, namespace: msg}\nspec:\n  routes:\n  - services: [{name: nats, port: 4222}]\n"
	tcp := func(parent, backend string) string {
		return "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t, namespace: msg}\nspec:\n  parentRefs: [" + parent + "]\n  rules: [{backendRefs: [" + backend + "]}]\n"
	}
	edge := "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: edge, namespace: infra}\nspec:\n  gatewayClassName: eg\n  listeners: [{name: nats, protocol: TCP, port: 14222, allowedRoutes: {namespaces: {from: All}}}]\n"
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"traefik.containo.us", []string{"route.yaml", "apiVersion: traefik.containo.us/v1alpha1\n" + traefik}, "4222->4222 IngressRouteTCP nats"},
		{"another group's IngressRouteTCP", []string{"route.yaml", "apiVersion: example.com/v1alpha1\n" + traefik}, ""},
		{"backendRef kind Service, group core", []string{"route.yaml", tcp("{name: missing}", "{kind: Service, group: core, name: nats, port: 4222}")}, "4222->4222 TCPRoute t (Gateway missing)"},
		{"parentRef with the Gateway's namespace", []string{"gw.yaml", edge, "route.yaml", tcp("{name: edge, namespace: infra}", "{name: nats, port: 4222}")},
			"14222->4222 TCPRoute t (Gateway edge, class eg, listener nats TCP 14222, gw.yaml)"},
	} {
		if got := strings.Join(routedVias(t, tc.files...), "|"); got != tc.want {
			t.Errorf("%s: routed ports %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestRouteScopes: a Gateway address without a type is an IP address (a
// private one keeps the route internal); an Ingress of a class the
// manifests do not define is public; a route no listener admits is
// noted, one that attaches is not (kills gatewayScope's `t != ""`
// negated, ingressClassScope's `class == "" || ic == nil` turned into
// `&&`, and attachments' `len(out) == before` negated).
func TestRouteScopes(t *testing.T) {
	private := "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: vpc, namespace: msg}\nspec:\n  gatewayClassName: eg\n  addresses: [{value: 10.1.2.3}]\n  listeners: [{name: nats, protocol: TCP, port: 4222}]\n"
	tcp := "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t, namespace: msg}\nspec:\n  parentRefs: [{name: vpc}]\n  rules: [{backendRefs: [{name: nats, port: 4222}]}]\n"
	s := one(t, load(t, "nats.yaml", routedPod, "gw.yaml", private, "route.yaml", tcp))
	n := 0
	for _, p := range s.Deployment.Ports {
		if strings.Contains(p.Via, "TCPRoute t") {
			n++
			if p.AllInterfaces || p.HostIP != InternalHost {
				t.Errorf("port %+v: a Gateway on 10.1.2.3 publishes on the private network", p)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d routed ports, want 1: %+v", n, s.Deployment.Ports)
	}
	ing := "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: msg}\nspec:\n  ingressClassName: nginx\n  defaultBackend: {service: {name: nats, port: {number: 8222}}}\n"
	s = one(t, load(t, "nats.yaml", routedPod, "route.yaml", ing))
	for _, p := range s.Deployment.Ports {
		if strings.Contains(p.Via, "Ingress web") && !p.AllInterfaces {
			t.Errorf("port %+v: an nginx Ingress is public", p)
		}
	}
	for _, tc := range []struct {
		kind string
		note bool
	}{{"TLSRoute", true}, {"TCPRoute", false}} {
		route := "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: " + tc.kind + "\nmetadata: {name: r, namespace: msg}\nspec:\n  parentRefs: [{name: public}]\n  rules: [{backendRefs: [{name: nats, port: 4222}]}]\n"
		r := load(t, "nats.yaml", routedPod, "gw.yaml", gateways, "route.yaml", route)
		note := strings.Contains(strings.Join(r.Notes, "\n"), tc.kind+" r (route.yaml): Gateway public has no listener the route can attach to")
		if note != tc.note {
			t.Errorf("%s: note %v, want %v (notes %q)", tc.kind, note, tc.note, r.Notes)
		}
	}
}

// TestIngressClassParamsGroup: only the AWS Load Balancer Controller's
// IngressClassParams (apiGroup elbv2.k8s.aws) make an IngressClass
// internal; parameters of that kind in another group do not (kills
// ingressClassScope's `kind != … || apiGroup != …` turned into `&&`).
func TestIngressClassParamsGroup(t *testing.T) {
	for group, public := range map[string]bool{"elbv2.k8s.aws": false, "example.com": true} {
		cls := "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: lb}\nspec:\n  controller: example.com/lb\n  parameters: {apiGroup: " + group + ", kind: IngressClassParams, name: private}\n---\n" +
			"apiVersion: elbv2.k8s.aws/v1beta1\nkind: IngressClassParams\nmetadata: {name: private}\nspec: {scheme: internal}\n---\n" +
			"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: msg}\nspec:\n  ingressClassName: lb\n  defaultBackend: {service: {name: nats, port: {number: 8222}}}\n"
		s := one(t, load(t, "nats.yaml", routedPod, "route.yaml", cls))
		n := 0
		for _, p := range s.Deployment.Ports {
			if strings.Contains(p.Via, "Ingress web") {
				n++
				if p.AllInterfaces != public {
					t.Errorf("parameters of %s: port %+v, want public %v", group, p, public)
				}
			}
		}
		if n != 1 {
			t.Errorf("parameters of %s: %d routed ports", group, n)
		}
	}
}

// TestSecretKeyMissing: an env var from a key the repository's Secret does
// not have is unresolved, and the scan goes on (kills keyValue's `v != nil
// && v.Kind == ScalarNode` turned into `||` for data, which dereferenced
// the missing key).
func TestSecretKeyMissing(t *testing.T) {
	sec := "apiVersion: v1\nkind: Secret\nmetadata: {name: nats-auth}\ndata:\n  other: c2VjcmV0\n"
	pod := strings.Replace(cfgPod, "    volumeMounts:\n", "    env:\n    - name: NATS_TOKEN\n      valueFrom: {secretKeyRef: {name: nats-auth, key: token}}\n    volumeMounts:\n", 1)
	s := one(t, load(t, "secret.yaml", sec, "pod.yaml", pod))
	if f, _ := s.Deployment.Environment["NATS_TOKEN"].(*model.Secret); f == nil || f.Resolved {
		t.Errorf("NATS_TOKEN = %+v, want unresolved", f)
	}
}

// TestSecretBase64Whitespace: base64 data wrapped or spaced with spaces,
// newlines, carriage returns and tabs decodes to the value (its length is
// the fact), and each key's location is its own line in stringData or
// data (kills decodeBase64's whitespace tests negated or `||` turned into
// `&&`, and secretsObjects' `kn != nil` tests negated).
func TestSecretBase64Whitespace(t *testing.T) {
	// "nats-token-0123456789ab" in base64, cut by each kind of whitespace
	sec := "apiVersion: v1\nkind: Secret\nmetadata: {name: nats-auth}\nstringData:\n  user: admin\ndata:\n  token: \"bmF0 cy10\\nb2tl\\rbi0w\\tMTIz\\r\\nNDU2Nzg5YWI=\"\n"
	r := load(t, "secret.yaml", sec)
	if len(r.Secrets) != 1 {
		t.Fatalf("secrets %+v, errors %+v", r.Secrets, r.Errors)
	}
	ks := r.Secrets[0]
	if f := ks.Keys["token"]; f == nil || f.Length != len("nats-token-0123456789ab") {
		t.Errorf("token = %+v, want the decoded length %d (errors %+v)", f, len("nats-token-0123456789ab"), r.Errors)
	}
	for key, want := range map[string]int{"keys/user": 5, "keys/token": 7} {
		if l := ks.Locs[key]; l.File != "secret.yaml" || l.Line != want {
			t.Errorf("%s at %+v, want secret.yaml:%d", key, l, want)
		}
	}
}

// TestCredentialKeysRemembered: the base64 form of a Secret's data under a
// credential name, or holding an nkey seed under any name, is as good as
// the value: it is remembered too, so a message quoting it is redacted
// (kills isCredentialKey's `IsSecretName(k) || IsNkeySeed(t)` turned into
// `&&`).
func TestCredentialKeysRemembered(t *testing.T) {
	// "Xk9pQ2vLm7abZr8T4wYq" and an nkey seed, in base64
	const pw64, seed64 = "WGs5cFEydkxtN2FiWnI4VDR3WXE=", "U1VBSUJEUEJBVVRXQ1dCS0lPNlhIUU5JTks1RldKVzRPSExYQzNIUTJLRkU0UEVKVUE0NENOSFRDNA=="
	a, err := secret.NewAnalyzer(secret.Params{})
	if err != nil {
		t.Fatal(err)
	}
	sec := "apiVersion: v1\nkind: Secret\nmetadata: {name: nats-auth}\ndata:\n  password: " + pw64 + "\n  blob: " + seed64 + "\n"
	Load([]Input{{Rel: "secret.yaml", Data: []byte(sec)}}, Options{Secrets: a})
	for _, v := range []string{pw64, seed64} {
		if got := a.RedactText("value " + v + " quoted"); strings.Contains(got, v) {
			t.Errorf("%q not redacted", got)
		}
	}
}

// TestCommandLines: what a nats container runs, as the server's command,
// config path and the command's location: a shell script cut at its
// first separator (&&, ;, |, ||), shell options before -c, a shell
// without -c or with -c last, the alpine image's entrypoint with flags
// only, a relative config path (from workingDir, else /), no config path,
// and command written before args; a sidecar with a command of its own is
// no server (kills the shell loop's bounds and `-c` test, natsflags.FromBinary's
// separator tests, commandLine's alpine test, the config path's join,
// runsNATS's `&&` turned into `||`, and the command location's `n != nil`
// negated).
func TestCommandLines(t *testing.T) {
	for _, tc := range []struct {
		name, container       string
		command, cfg, cmdLine string
	}{
		{"script cut at &&", `command: [sh, -c, "nats-server -c /etc/nats/a.conf && echo done"]`, "nats-server -c /etc/nats/a.conf", "/etc/nats/a.conf", "10"},
		{"script cut at ;", `command: [sh, -c, "nats-server -js ; sleep 5"]`, "nats-server -js", "", "10"},
		{"script cut at |", `command: [sh, -c, "nats-server -DV | tee /log"]`, "nats-server -DV", "", "10"},
		{"; against a word", `command: [sh, -c, "nats-server -js; sleep 5"]`, "nats-server -js", "", "10"},
		{"&& against a word", `command: [sh, -c, "nats-server -c /etc/nats/e.conf&& echo done"]`, "nats-server -c /etc/nats/e.conf", "/etc/nats/e.conf", "10"},
		{"| against a word", `command: [sh, -c, "nats-server -DV|tee /log"]`, "nats-server -DV", "", "10"},
		{"& in the background", `command: [sh, -c, "nats-server -c /etc/nats/f.conf & wait"]`, "nats-server -c /etc/nats/f.conf", "/etc/nats/f.conf", "10"},
		{"a newline ends the command", `command: [sh, -c, "nats-server -js\nsleep 5"]`, "nats-server -js", "", "10"},
		{"a continued line does not", `command: [sh, -c, "nats-server \\\n  -c /etc/nats/g.conf"]`, "nats-server -c /etc/nats/g.conf", "/etc/nats/g.conf", "10"},
		{"quoted operators are words", `command: [sh, -c, "nats-server --name 'a;b|c&d'"]`, "nats-server --name a;b|c&d", "", "10"},
		{"script cut at ||", `command: [sh, -c, "nats-server -js || exit 1"]`, "nats-server -js", "", "10"},
		{"shell options before -c", `command: [bash, -e, -c, "exec nats-server --config /etc/nats/b.conf"]`, "nats-server --config /etc/nats/b.conf", "/etc/nats/b.conf", "10"},
		{"a shell without -c", `command: [sh, /entry.sh, -js]`, "sh /entry.sh -js", "", "10"},
		{"-c last", `command: [sh, -e, -c]`, "sh -e --c=", "", "10"},
		{"alpine entrypoint with flags", "args: [-c, /etc/nats/c.conf]", "nats-server -c /etc/nats/c.conf", "/etc/nats/c.conf", "10"},
		{"relative config from workingDir", "workingDir: /etc/nats\n    args: [-c, d.conf]", "nats-server -c d.conf", "/etc/nats/d.conf", "11"},
		{"relative config from /", "args: [-c, d.conf]", "nats-server -c d.conf", "/d.conf", "10"},
		{"no config path", "args: [-js]", "nats-server -js", "", "10"},
		{"command before args", "command: [nats-server]\n    args: [-js]", "nats-server -js", "", "10"},
	} {
		pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: nats}\nspec:\n  containers:\n  - name: reloader\n    image: busybox:1.36\n    command: [sh, -c, \"sleep 3600\"]\n  - image: nats:2.10.24-alpine\n    " + tc.container + "\n"
		s := one(t, load(t, "pod.yaml", pod))
		d := s.Deployment
		if got := strings.Join(d.Command, " "); got != tc.command || d.ConfigPath != tc.cfg {
			t.Errorf("%s: command %q config %q, want %q %q", tc.name, got, d.ConfigPath, tc.command, tc.cfg)
		}
		if got := s.Locs["deployment/command"]; itoa(got.Line) != tc.cmdLine {
			t.Errorf("%s: command at %+v, want line %s", tc.name, got, tc.cmdLine)
		}
		if got := s.Locs["deployment"]; got.Line != 9 {
			t.Errorf("%s: deployment at %+v, want the unnamed container's line 9", tc.name, got)
		}
	}
}

// TestSecretUsedByEachServer: a Secret read twice by one server names it
// once; read by two servers, it names both (kills useSecret's `u == by`
// negated).
func TestSecretUsedByEachServer(t *testing.T) {
	sec := "apiVersion: v1\nkind: Secret\nmetadata: {name: nats-auth}\nstringData:\n  token: s3cr3tT0kenValue\n"
	pod := func(name string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  containers:\n  - name: nats\n    image: nats:2.10.24-alpine\n    envFrom: [{secretRef: {name: nats-auth}}]\n    env:\n    - name: TOKEN\n      valueFrom: {secretKeyRef: {name: nats-auth, key: token}}\n"
	}
	r := load(t, "secret.yaml", sec, "a.yaml", pod("a"), "b.yaml", pod("b"))
	if len(r.Secrets) != 1 || strings.Join(r.Secrets[0].UsedBy, ",") != "a,b" {
		t.Errorf("secrets %+v, want nats-auth used by a and b", r.Secrets)
	}
}

// TestSourceLoadTreePaths: through the seam, the tree's list of paths
// finds a kustomization that is above no manifest (a sibling directory's
// generator of the config), and a file of plain manifests is not line
// scanned as a stream file (kills Source.Load's `ctx.Tree != nil` negated
// and the NACK file test's `&&` turned into `||`).
func TestSourceLoadTreePaths(t *testing.T) {
	tree := map[string]string{
		"k/sts.yaml":             genSts,
		"gen/kustomization.yaml": "configMapGenerator:\n  - name: nats-config\n    files: [server.conf]\n",
		"gen/server.conf":        "port: 4333\n",
	}
	var paths []string
	for p := range tree {
		paths = append(paths, p)
	}
	sortStrings(paths)
	read := func(rel string) ([]byte, error) {
		if d, ok := tree[rel]; ok {
			return []byte(d), nil
		}
		return nil, errNotInTree
	}
	f := Source{}.Load(&seam.Context{Tree: seam.NewTree(paths), Read: read}, []seam.File{{Rel: "k/sts.yaml", Kind: Kind, Data: []byte(genSts)}})
	if len(f.Servers) != 1 || f.Servers[0].Config["port"] != int64(4333) {
		t.Errorf("servers %+v: want the sibling generator's config", f.Servers)
	}
	if len(f.LineScans) != 0 {
		t.Errorf("line scans %+v of a file without NACK resources", f.LineScans)
	}
}

// TestWorkloadFacts: volume facts (type and source of a ConfigMap, an
// emptyDir and an undefined volume; a storage request of exactly 1 byte,
// and one under a byte refused), a config from a Secret (marked used), the
// image's default config path of the other variant, an empty server_name,
// the memory limit's location, runAsUser, hostNetwork: false, and the
// first missing source of a projected volume named in the note (kills the
// volume fact defaults negated, the size test's `&&` and `>=`, the config
// Secret test negated, the default-config `||`s, server_name's `&&`, the
// memory location test negated, runAsUser's `err == nil` negated,
// hostNetwork's `&&`, and the projected fallback's `== nil` negated).
func TestWorkloadFacts(t *testing.T) {
	sts := `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  template:
    spec:
      hostNetwork: false
      securityContext: {runAsUser: 1000}
      containers:
      - name: nats
        image: nats:2.10.1
        args: [-c, /etc/nats/nats.conf]
        resources:
          requests: {cpu: 100m}
        volumeMounts:
        - {name: cfg, mountPath: /etc/nats}
        - {name: tmp, mountPath: /tmp}
        - {name: ghost, mountPath: /ghost}
        - {name: data, mountPath: /data}
      volumes:
      - {name: cfg, secret: {secretName: nats-conf}}
      - {name: tmp, emptyDir: {}}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {resources: {requests: {storage: "1"}}}
---
apiVersion: v1
kind: Secret
metadata: {name: nats-conf}
stringData:
  nats.conf: |
    server_name: ""
    port: 4222
`
	r := load(t, "sts.yaml", sts)
	s := one(t, r)
	d := s.Deployment
	var vols []string
	for _, v := range d.Volumes {
		vols = append(vols, v.Type+":"+v.Source+":"+v.Target+":"+itoa(int(v.Size)))
	}
	if want := "secret:nats-conf:/etc/nats:0,emptyDir:tmp:/tmp:0,other::/ghost:0,pvc:data:/data:1"; strings.Join(vols, ",") != want {
		t.Errorf("volumes %q, want %q", vols, want)
	}
	if s.Name != "nats" || s.Config["port"] != int64(4222) {
		t.Errorf("server %q config %v: an empty server_name leaves the workload's name", s.Name, s.Config)
	}
	if len(r.Secrets) != 1 || strings.Join(r.Secrets[0].UsedBy, ",") != "nats" {
		t.Errorf("secrets %+v: the config's Secret is used by nats", r.Secrets)
	}
	if got := locAt(s, "deployment/memory_limit"); got != "sts.yaml:14" { // the resources block
		t.Errorf("memory limit at %s, want the resources line", got)
	}
	k := d.Kubernetes
	if k.HostNetwork || k.SecurityContext.RunAsUser == nil || *k.SecurityContext.RunAsUser != 1000 {
		t.Errorf("host network %v, runAsUser %v", k.HostNetwork, k.SecurityContext.RunAsUser)
	}
	sub := strings.Replace(strings.Replace(sts, `storage: "1"`, `storage: 500m`, 1), "memory", "memory", 1)
	r = load(t, "sts.yaml", sub)
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, `storage request "500m" is not a Kubernetes quantity`) {
		t.Errorf("errors %+v: a request under a byte is refused", r.Errors)
	}
	for tag, path := range map[string]string{"2.10.1": "/etc/nats/nats-server.conf", "2.10.1-alpine": "/nats-server.conf"} {
		pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: n}\nspec:\n  containers:\n  - name: nats\n    image: nats:" + tag + "\n    args: [-c, " + path + "]\n    resources: {limits: {memory: 1Gi}}\n"
		s := one(t, load(t, "pod.yaml", pod))
		if !s.Deployment.UsesImageDefaultConfig {
			t.Errorf("nats:%s -c %s: not the image's default config", tag, path)
		}
		if got := locAt(s, "deployment/memory_limit"); got != "pod.yaml:9" {
			t.Errorf("memory limit at %s", got)
		}
	}
	proj := "apiVersion: v1\nkind: Pod\nmetadata: {name: n}\nspec:\n  containers:\n  - name: nats\n    image: nats:2.10.1\n    args: [-c, /etc/nats/nats.conf]\n    volumeMounts: [{name: p, mountPath: /etc/nats}]\n  volumes:\n  - name: p\n    projected:\n      sources:\n      - configMap: {name: first}\n      - configMap: {name: second}\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\ndata: {a: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: second}\ndata: {c: d}\n"
	r = load(t, "pod.yaml", proj)
	if !strings.Contains(strings.Join(r.Notes, "\n"), "from ConfigMap first (key nats.conf), which has no such key") {
		t.Errorf("notes %q: want the first source named", r.Notes)
	}
}

// TestPlacementFacts: required or preferred pod anti-affinity, topology
// spread constraints or none, and a PodDisruptionBudget of another
// namespace that would select the pods (not theirs) (kills placement's
// `n != nil` negated, `len(ts) > 0` turned into `>= 0` or negated, and the
// PDB test's `&&` turned into `||`).
func TestPlacementFacts(t *testing.T) {
	pdb := "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: other-pdb, namespace: other}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: nats}}\n"
	for _, tc := range []struct {
		name, spec, anti string
		spread           bool
	}{
		{"required anti-affinity", "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: nats}}}]\n", "required", false},
		{"preferred anti-affinity and spread", "      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {topologyKey: kubernetes.io/hostname}}]\n      topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}]\n", "preferred", true},
		{"none", "", "", false},
	} {
		sts := "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: nats, namespace: msg}\nspec:\n  template:\n    metadata: {labels: {app: nats}}\n    spec:\n" + tc.spec + "      containers: [{name: nats, image: 'nats:2.10.1'}]\n" + pdb
		k := one(t, load(t, "sts.yaml", sts)).Deployment.Kubernetes
		if k.AntiAffinity != tc.anti || k.TopologySpread != tc.spread || k.PodDisruptionBudget != "" {
			t.Errorf("%s: anti-affinity %q, spread %v, PDB %q", tc.name, k.AntiAffinity, k.TopologySpread, k.PodDisruptionBudget)
		}
	}
}
