// Package kube reads Kubernetes manifests (multi-document files, List kinds)
// and turns every container that runs nats-server into a model.Server, the
// shape compose services already give: image and version, the nats-server
// command line, environment (env, envFrom, Secret and ConfigMap references
// resolved from the repository), mounts and what they resolve to, exposure
// (Services of type LoadBalancer/NodePort/externalIPs, hostPort,
// hostNetwork), resources, replicas, storage and security context.
//
// A ConfigMap or Secret key mounted where nats-server reads its config IS
// the server's nats.conf: it is parsed with the natsconf source from inside
// the YAML block scalar, and every location is mapped back to the manifest
// line, so findings point into the manifest.
//
// NACK resources (jetstream.nats.io) in the same files go to the streams
// source. Secret values are decoded for facts and never leave the process.
package kube

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source/streams"
	"github.com/natsaudit/natsaudit/internal/source/yamllimit"
)

// Input is one manifest file.
type Input struct {
	Rel  string // report path
	Data []byte
}

// Options for Load.
type Options struct {
	Secrets *secret.Analyzer
	// MaxConfigSize bounds a config held in a ConfigMap or Secret key and
	// what its includes add up to.
	MaxConfigSize int
}

// Result is what the manifests of a repository hold.
type Result struct {
	Servers   []*model.Server
	Streams   []*model.Stream
	Consumers []*model.Consumer
	Secrets   []*model.KubeSecret
	Errors    []model.ParseError
	Notes     []string
	// Files are the files read as Kubernetes manifests.
	Files []string
	// Configs is true when a server's nats.conf was read from a ConfigMap
	// or Secret.
	Configs bool
}

// maxDocs bounds the documents read from one file.
const maxDocs = 5000

var (
	apiVersionRe = regexp.MustCompile(`(?m)^["']?apiVersion["']?\s*:\s*\S`)
	kindRe       = regexp.MustCompile(`(?m)^["']?kind["']?\s*:\s*\S`)
)

// Recognise reports whether data looks like Kubernetes manifests: YAML
// with top-level apiVersion and kind (NACK-only files are the streams
// source's, which reads them on its own).
func Recognise(name string, data []byte) bool {
	n := strings.ToLower(name)
	if !strings.HasSuffix(n, ".yaml") && !strings.HasSuffix(n, ".yml") {
		return false
	}
	return apiVersionRe.Match(data) && kindRe.Match(data)
}

// object is one Kubernetes resource.
type object struct {
	file       string
	apiVersion string
	kind       string
	name       string
	namespace  string
	node       *yaml.Node
	index      int // order of appearance, for deterministic output
}

func (o *object) String() string { return o.kind + " " + o.name }

// Load reads all manifest files of a scan together: a workload, the
// ConfigMap it mounts and the Service in front of it are often in
// different files.
func Load(files []Input, opt Options) *Result {
	if opt.Secrets == nil {
		opt.Secrets, _ = secret.NewAnalyzer(secret.Params{})
	}
	if opt.MaxConfigSize <= 0 {
		opt.MaxConfigSize = 4 << 20
	}
	l := &loader{opt: opt, res: &Result{}, nack: &streams.Result{}, data: map[string][]byte{}}
	for _, f := range files {
		l.parseFile(f)
	}
	l.index()
	l.secretsObjects()
	for _, o := range l.objs {
		l.workload(o)
	}
	l.accounts()
	l.res.Streams = l.nack.Streams
	l.res.Consumers = l.nack.Consumers
	l.res.Errors = append(l.res.Errors, l.nack.Errors...)
	sort.Strings(l.res.Notes)
	return l.res
}

type loader struct {
	opt  Options
	res  *Result
	nack *streams.Result
	objs []*object
	data map[string][]byte // file contents, for block scalar indentation

	configMaps map[string][]*object // name -> objects (all namespaces)
	secrets    map[string][]*object
	services   []*object
	routes     []route // Ingress, Gateway API and Traefik backends
	gateways   map[string][]*object
	pdbs       []*object
	netpols    []*object
	kubeSecret map[*object]*model.KubeSecret
}

func (l *loader) errorf(file string, line int, format string, args ...any) {
	l.res.Errors = append(l.res.Errors, model.ParseError{File: file, Line: line, Kind: "kubernetes",
		Message: secret.RedactLine(l.opt.Secrets.Redact(fmt.Sprintf(format, args...)))})
}

var yamlPrefixRe = regexp.MustCompile(`^(yaml: )?(line \d+: )?`)
var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func (l *loader) parseFile(f Input) {
	if bytes.Contains(f.Data, []byte("{{")) && bytes.Contains(f.Data, []byte("}}")) {
		// A Helm or Go template: it is YAML only once rendered.
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("skipped %s: a template (Helm/Go); natsaudit reads the chart's values instead of rendering it", f.Rel))
		return
	}
	if err := yamllimit.Check(f.Data); err != nil {
		l.res.Files = append(l.res.Files, f.Rel)
		l.errorf(f.Rel, 0, "%s", err.Error())
		return
	}
	l.data[f.Rel] = f.Data
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	seen := false
	for i := 0; i < maxDocs; i++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if !seen {
			seen = true
			l.res.Files = append(l.res.Files, f.Rel)
		}
		if err != nil {
			line := 0
			if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
				fmt.Sscan(m[1], &line)
			}
			l.errorf(f.Rel, line, "%s", yamlPrefixRe.ReplaceAllString(err.Error(), ""))
			return // the decoder cannot resynchronise after an error
		}
		if err := yamllimit.CheckDepth(&doc); err != nil {
			l.errorf(f.Rel, doc.Line, "%s", err.Error())
			return
		}
		l.document(f.Rel, deref(&doc), 0)
	}
}

// document records one resource; List kinds contribute their items.
func (l *loader) document(file string, n *yaml.Node, depth int) {
	if n == nil || n.Kind != yaml.MappingNode || depth > 2 {
		return
	}
	api, kind := str(n, "apiVersion"), str(n, "kind")
	if api == "" || kind == "" {
		return
	}
	if strings.HasPrefix(api, "jetstream.nats.io/") {
		l.nack.Document(file, n)
		if kind == "Account" {
			l.objs = append(l.objs, l.newObject(file, api, kind, n))
		}
		return
	}
	if kind == "List" || strings.HasSuffix(kind, "List") && at(n, "items") != nil {
		for _, it := range items(n, "items") {
			l.document(file, it, depth+1)
		}
		return
	}
	l.objs = append(l.objs, l.newObject(file, api, kind, n))
}

func (l *loader) newObject(file, api, kind string, n *yaml.Node) *object {
	return &object{file: file, apiVersion: api, kind: kind, name: str(n, "metadata", "name"),
		namespace: str(n, "metadata", "namespace"), node: n, index: len(l.objs)}
}

func (l *loader) index() {
	l.configMaps = map[string][]*object{}
	l.secrets = map[string][]*object{}
	l.gateways = map[string][]*object{}
	for _, o := range l.objs {
		if o.kind == "Gateway" && strings.HasPrefix(o.apiVersion, "gateway.networking.k8s.io/") {
			l.gateways[o.name] = append(l.gateways[o.name], o)
		}
	}
	for _, o := range l.objs {
		switch o.kind {
		case "ConfigMap":
			l.configMaps[o.name] = append(l.configMaps[o.name], o)
		case "Secret":
			l.secrets[o.name] = append(l.secrets[o.name], o)
		case "Service":
			l.services = append(l.services, o)
		case "PodDisruptionBudget":
			l.pdbs = append(l.pdbs, o)
		case "NetworkPolicy":
			l.netpols = append(l.netpols, o)
		}
		if routeKind(o) {
			l.routes = append(l.routes, l.routesOf(o)...)
		}
	}
}

// lookup finds a ConfigMap or Secret by name from namespace ns: the one in
// the same namespace, else the only one of that name (manifests often
// leave the namespace to kubectl -n or kustomize).
func lookup(m map[string][]*object, ns, name string) *object {
	cands := m[name]
	for _, o := range cands {
		if o.namespace == ns {
			return o
		}
	}
	if len(cands) == 1 && (cands[0].namespace == "" || ns == "") {
		return cands[0]
	}
	return nil
}

// sameNamespace is true when two objects can be in one namespace (an empty
// namespace is whatever kubectl applies it to).
func sameNamespace(a, b string) bool { return a == b || a == "" || b == "" }

// selects reports whether a label selector (matchLabels, or a plain map for
// Services) selects the labels. matchExpressions are not evaluated: a
// selector made only of them counts as selecting.
func selects(sel map[string]string, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}
