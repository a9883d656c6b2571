package kube

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/image"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/source/streams"
	"github.com/natsaudit/natsaudit/internal/source/yamllimit"
)

// Kustomize overlays, rendered on yaml.v3 nodes so that every field keeps
// the file and line that set it: a field a patch sets points at the patch's
// line, an image an overlay's images: entry changes points at that entry,
// everything else at the base's line.
//
// Each root kustomization (one that no other kustomization of the scan
// builds: an overlay, or a base deployed on its own) is rendered: its
// resources (files, and directories with their own kustomization, rendered
// first, recursively), its generators, then its patchesStrategicMerge,
// patches and patchesJson6902, namespace, namePrefix/nameSuffix,
// commonLabels/labels, replicas and images, in kustomize's order. The
// workloads of the rendering are built like the manifests as written; a
// server that differs from the one its manifest gives as written is a
// server of its own, named after the overlay ("nats [deploy/overlays/prod]").
// One the overlay leaves as written is not repeated, and a finding that is
// the same on both (same rule, file and line) is one finding naming both
// servers (audit merges them).
//
// Not rendered (a note says so): components, replacements, helmCharts,
// remote bases and anything outside the scanned tree, a generator with
// behavior merge/replace, JSON patch ops other than add/replace/remove.
// A cycle, a chain deeper than maxKustomizeDepth or more than
// maxRenderNodes cloned nodes stop the rendering with a note.

// maxRenderNodes bounds the YAML nodes all overlays of a scan clone (a
// resources graph listing one base many times, aliases expanded).
const maxRenderNodes = 1 << 19

var errRenderBudget = errors.New("the overlays of the scan clone more than 524288 YAML nodes")

// render is one root's rendering in progress.
type render struct {
	l    *loader
	root *kustomization
	err  error // the first budget error; the rendering stops
}

// overlays renders the root kustomizations and adds the servers that differ.
func (l *loader) overlays() {
	if len(l.kusts) == 0 {
		return
	}
	built := map[string]bool{}
	for _, k := range l.kusts {
		for _, key := range []string{"resources", "bases", "components"} {
			for _, r := range items(k.node, key) {
				if rel, ok := repoPath(k.dir, r.Value); ok && rel != k.dir {
					built[rel] = true
				}
			}
		}
	}
	var roots []string
	for d := range l.kusts {
		if !built[d] {
			roots = append(roots, d)
		}
	}
	sort.Strings(roots)
	byFile := map[string][]*object{}
	for _, o := range l.objs {
		if o.gen == nil && o.src == nil {
			byFile[o.file] = append(byFile[o.file], o)
		}
	}
	for _, d := range roots {
		k := l.kusts[d]
		r := &render{l: l, root: k}
		objs := r.build(k, byFile, map[string]bool{}, 0)
		if r.err != nil {
			l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: not rendered: %v", k.file, r.err))
			continue
		}
		l.addOverlay(k, objs)
	}
}

// addOverlay builds the workloads of a rendering and keeps the servers that
// differ from their manifest's as written.
func (l *loader) addOverlay(k *kustomization, objs []*object) {
	sub := &loader{opt: l.opt, res: &Result{}, nack: &streams.Result{}, data: l.data, kusts: l.kusts, origin: l.origin,
		built: map[*object][]*model.Server{}, genText: l.genText, genEnv: l.genEnv, genBytes: l.genBytes, genKeys: l.genKeys}
	for i, o := range objs {
		o.index = i
	}
	sub.objs = objs
	sub.index()
	sub.secretsObjects()
	for _, o := range objs {
		sub.workload(o)
	}
	for _, o := range objs {
		for i, srv := range sub.built[o] {
			var base *model.Server
			if bs := l.built[o.src]; i < len(bs) {
				base = bs[i]
			}
			if base != nil && sameServer(base, srv) {
				continue
			}
			name := srv.Name
			if srv.Deployment != nil && srv.Name == srv.Deployment.Service {
				name = o.prefix + srv.Name + o.suffix
			}
			srv.Name = name + " [" + k.dir + "]"
			if srv.Deployment != nil {
				srv.Deployment.Service = srv.Name
			}
			l.res.Servers = append(l.res.Servers, srv)
		}
	}
	l.res.Notes = append(l.res.Notes, sub.res.Notes...)
	for _, e := range sub.res.Errors {
		if !slices.ContainsFunc(l.res.Errors, func(x model.ParseError) bool { return x.File == e.File && x.Line == e.Line && x.Message == e.Message }) {
			l.res.Errors = append(l.res.Errors, e) // one the manifests as written also have is said once
		}
	}
	l.res.ConfigFiles = append(l.res.ConfigFiles, sub.res.ConfigFiles...)
	if sub.res.Configs {
		l.res.Configs = true
	}
}

// sameServer: the overlay's server says what the manifest's as written says,
// names aside.
func sameServer(a, b *model.Server) bool {
	strip := func(s *model.Server) []byte {
		c := *s
		c.Name = ""
		if s.Deployment != nil {
			d := *s.Deployment
			d.Service = ""
			if d.Kubernetes != nil {
				k := *d.Kubernetes
				k.Name, k.Namespace = "", ""
				d.Kubernetes = &k
			}
			c.Deployment = &d
		}
		out, err := json.Marshal(&c)
		if err != nil {
			return nil
		}
		return out
	}
	x, y := strip(a), strip(b)
	return x != nil && bytes.Equal(x, y)
}

// build renders kustomization k: its resources, generators and
// transformations.
func (r *render) build(k *kustomization, byFile map[string][]*object, stack map[string]bool, depth int) []*object {
	l := r.l
	if r.err != nil {
		return nil
	}
	if stack[k.dir] {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: its resources lead back to it (a cycle); not rendered further", k.file))
		return nil
	}
	if depth > maxKustomizeDepth {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: overlays nested deeper than %d; not rendered further", k.file, maxKustomizeDepth))
		return nil
	}
	stack[k.dir] = true
	defer delete(stack, k.dir)
	var objs []*object
	for _, key := range []string{"resources", "bases"} {
		for _, res := range items(k.node, key) {
			rel, ok := repoPath(k.dir, res.Value)
			if !ok {
				continue // unfollowed says so
			}
			if sub := l.kusts[rel]; sub != nil {
				objs = append(objs, r.build(sub, byFile, stack, depth+1)...)
				continue
			}
			for _, o := range byFile[rel] {
				objs = append(objs, r.cloneObject(o))
			}
		}
	}
	for _, o := range l.objs {
		if o.kust == k && o.src == nil {
			objs = append(objs, r.cloneObject(o))
		}
	}
	if r.err != nil {
		return nil
	}
	r.patches(k, objs)
	if ns := str(k.node, "namespace"); ns != "" {
		for _, o := range objs {
			o.namespace = ns
		}
	}
	pre, suf := str(k.node, "namePrefix"), str(k.node, "nameSuffix")
	for _, o := range objs {
		o.prefix, o.suffix = pre+o.prefix, o.suffix+suf
	}
	r.labels(k, objs)
	r.replicas(k, objs)
	r.images(k, objs)
	return objs
}

func (r *render) cloneObject(o *object) *object {
	c := *o
	c.node = r.clone(o.node, "", 0)
	if o.src == nil {
		c.src = o
	}
	return &c
}

// clone copies a node tree. origin is the file the copy was written in ("":
// the one the original was, as recorded); aliases are expanded, within the
// scan's node budget.
func (r *render) clone(n *yaml.Node, origin string, depth int) *yaml.Node {
	if n == nil || r.err != nil {
		return nil
	}
	if depth > 64 {
		return nil
	}
	l := r.l
	l.renderNodes++
	if l.renderNodes > maxRenderNodes {
		r.err = errRenderBudget
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return r.clone(n.Alias, origin, depth+1)
	}
	c := *n
	c.Anchor = ""
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, 0, len(n.Content))
		for _, ch := range n.Content {
			if cc := r.clone(ch, origin, depth+1); cc != nil {
				c.Content = append(c.Content, cc)
			}
		}
	}
	if origin != "" {
		l.origin[&c] = origin
	} else if f, ok := l.origin[n]; ok {
		l.origin[&c] = f
	}
	return &c
}

// patch is one patch of a kustomization: strategic-merge documents or JSON
// patch operations, with the objects it applies to.
type patch struct {
	file   string // where its nodes were written
	docs   []*yaml.Node
	json   bool
	target *yaml.Node
	at     string // for notes
}

// patches applies k's patchesStrategicMerge, patches and patchesJson6902.
func (r *render) patches(k *kustomization, objs []*object) {
	for _, p := range r.patchesOf(k) {
		r.apply(k, p, objs)
	}
}

// patchesOf reads k's patches once per scan (a base built by many overlays
// is patched by the same nodes, which are cloned, never changed, when
// applied).
func (r *render) patchesOf(k *kustomization) []patch {
	if k.patches != nil {
		return *k.patches
	}
	var ps []patch
	defer func() { k.patches = &ps }()
	for _, e := range items(k.node, "patchesStrategicMerge") {
		if e.Kind != yaml.ScalarNode {
			continue
		}
		if strings.Contains(e.Value, "\n") {
			ps = append(ps, r.inlinePatch(k, e, nil)...)
		} else {
			ps = append(ps, r.filePatch(k, e.Value, nil)...)
		}
	}
	for _, key := range []string{"patches", "patchesJson6902"} {
		for _, e := range items(k.node, key) {
			target := at(e, "target")
			if p := at(e, "path"); p != nil {
				ps = append(ps, r.filePatch(k, p.Value, target)...)
			} else if p := at(e, "patch"); p != nil && p.Kind == yaml.ScalarNode {
				ps = append(ps, r.inlinePatch(k, p, target)...)
			}
		}
	}
	return ps
}

func (r *render) apply(k *kustomization, p patch, objs []*object) {
	for _, d := range p.docs {
		applied := false
		for _, o := range objs {
			if !r.targets(p, d, o) {
				continue
			}
			applied = true
			if p.json {
				r.jsonPatch(o, d, p)
			} else {
				o.node = r.merge(o.node, d, "", p.file)
			}
		}
		if !applied {
			r.l.res.Notes = append(r.l.res.Notes, fmt.Sprintf("%s: patch %s matches nothing it builds; not applied", k.file, p.at))
		}
	}
}

// filePatch reads a patch file of k (inside the scanned tree).
func (r *render) filePatch(k *kustomization, p string, target *yaml.Node) []patch {
	l := r.l
	rel, ok := repoPath(k.dir, p)
	if !ok {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: patch %s is outside the scanned tree; not applied", k.file, p))
		return nil
	}
	data, err := l.readRepo(rel)
	if err != nil {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: patch %s: %v; not applied", k.file, rel, err))
		return nil
	}
	docs, err := decodeAll(data)
	if err != nil {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: patch %s: %v; not applied", k.file, rel, err))
		return nil
	}
	return splitPatch(rel, rel, docs, target)
}

// inlinePatch parses a patch written in k as a string. The lines of a
// literal block scalar (|) map to the kustomization's lines; any other
// style points at the string.
func (r *render) inlinePatch(k *kustomization, s *yaml.Node, target *yaml.Node) []patch {
	l := r.l
	docs, err := decodeAll([]byte(s.Value))
	if err != nil {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s:%d: patch: %v; not applied", k.file, s.Line, err))
		return nil
	}
	literal := s.Style&yaml.LiteralStyle != 0
	indent := 0
	if literal {
		indent = blockIndent(l.data[k.file], s.Line)
	}
	for _, d := range docs {
		walk(d, 0, func(n *yaml.Node) {
			if literal {
				n.Line += s.Line
				n.Column += indent
			} else {
				n.Line, n.Column = s.Line, s.Column
			}
		})
	}
	return splitPatch(k.file, fmt.Sprintf("%s:%d", k.file, s.Line), docs, target)
}

func walk(n *yaml.Node, depth int, f func(*yaml.Node)) {
	if n == nil || depth > 64 {
		return
	}
	f(n)
	for _, c := range n.Content {
		walk(c, depth+1, f)
	}
}

func splitPatch(file, name string, docs []*yaml.Node, target *yaml.Node) []patch {
	var out []patch
	for _, d := range docs {
		p := patch{file: file, docs: []*yaml.Node{d}, json: d.Kind == yaml.SequenceNode, target: target, at: name}
		out = append(out, p)
	}
	return out
}

// decodeAll decodes the documents of a patch, within the YAML limits.
func decodeAll(data []byte) ([]*yaml.Node, error) {
	if err := yamllimit.Check(data); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*yaml.Node
	for i := 0; i < maxDocs; i++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s", yamlPrefixRe.ReplaceAllString(err.Error(), ""))
		}
		if err := yamllimit.CheckDepth(&doc); err != nil {
			return nil, err
		}
		if n := deref(&doc); n != nil && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
			out = append(out, n)
		}
	}
	return out, nil
}

// targets: the patch applies to o. A target selects by group, version,
// kind, name (a regular expression, as in kustomize), namespace and
// labelSelector (k=v terms); without one, a strategic-merge patch names its
// object by its own kind and metadata.name.
func (r *render) targets(p patch, d *yaml.Node, o *object) bool {
	if o.gen != nil {
		return false // a generated object is patched through its generator (behavior: merge), not followed
	}
	t := p.target
	if t == nil {
		if p.json {
			return false
		}
		return str(d, "kind") == o.kind && str(d, "metadata", "name") == o.name
	}
	group, version, _ := strings.Cut(o.apiVersion, "/")
	if !strings.Contains(o.apiVersion, "/") {
		group, version = "", o.apiVersion
	}
	if g := str(t, "group"); g != "" && g != group {
		return false
	}
	if v := str(t, "version"); v != "" && v != version {
		return false
	}
	if k := str(t, "kind"); k != "" && k != o.kind {
		return false
	}
	if ns := str(t, "namespace"); ns != "" && ns != o.namespace {
		return false
	}
	if n := str(t, "name"); n != "" && n != o.name && n != o.prefix+o.name+o.suffix {
		re, err := regexp.Compile("^(?:" + n + ")$")
		if len(n) > 256 || err != nil || !re.MatchString(o.name) {
			return false
		}
	}
	if sel := str(t, "labelSelector"); sel != "" {
		labels := stringMap(at(o.node, "metadata", "labels"))
		for _, term := range strings.Split(sel, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(term), "=")
			if !ok || labels[strings.TrimSpace(k)] != strings.TrimSpace(strings.TrimPrefix(v, "=")) {
				return false
			}
		}
	}
	return true
}

// mergeKeys are the strategic-merge keys of the lists a NATS workload's
// findings read (from the Kubernetes API's patchMergeKey); other lists are
// replaced whole, as kustomize does for lists without one.
var mergeKeys = map[string]string{
	"containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
	"env": "name", "volumeMounts": "mountPath", "imagePullSecrets": "name", "volumeClaimTemplates": "metadata.name",
	"topologySpreadConstraints": "topologyKey", "hostAliases": "ip",
}

// merge applies a strategic-merge patch node src onto dst (a rendered, so
// private, node tree) and returns the result; nodes taken from the patch
// are recorded as written in file.
func (r *render) merge(dst, src *yaml.Node, field, file string) *yaml.Node {
	src, dst = deref(src), deref(dst)
	if src == nil {
		return dst
	}
	if dst == nil || src.Kind != dst.Kind || src.Kind == yaml.ScalarNode {
		return r.clone(src, file, 0)
	}
	switch src.Kind {
	case yaml.MappingNode:
		if str(src, "$patch") == "replace" {
			return r.clone(dropDirectives(src), file, 0)
		}
		for i := 0; i+1 < len(src.Content); i += 2 {
			key, val := src.Content[i], deref(src.Content[i+1])
			if strings.HasPrefix(key.Value, "$") || val == nil {
				continue
			}
			j := keyIndex(dst, key.Value)
			switch {
			case val.Tag == "!!null":
				if j >= 0 {
					dst.Content = append(dst.Content[:j:j], dst.Content[j+2:]...)
				}
			case j >= 0:
				dst.Content[j+1] = r.merge(dst.Content[j+1], val, key.Value, file)
			default:
				dst.Content = append(dst.Content, r.clone(key, file, 0), r.clone(val, file, 0))
			}
		}
		return dst
	case yaml.SequenceNode:
		mk := mergeKeys[field]
		if field == "ports" {
			mk = "containerPort"
			if len(src.Content) > 0 && at(src.Content[0], "containerPort") == nil {
				mk = "port"
			}
		}
		if mk == "" {
			return r.clone(src, file, 0)
		}
		keyOf := func(n *yaml.Node) string { return str(n, strings.Split(mk, ".")...) }
		for _, it := range src.Content {
			it = deref(it)
			if it == nil || it.Kind != yaml.MappingNode {
				continue
			}
			kv := keyOf(it)
			j := -1
			for x, d := range dst.Content {
				if kv != "" && keyOf(d) == kv {
					j = x
					break
				}
			}
			switch {
			case str(it, "$patch") == "delete":
				if j >= 0 {
					dst.Content = append(dst.Content[:j:j], dst.Content[j+1:]...)
				}
			case j >= 0:
				dst.Content[j] = r.merge(dst.Content[j], it, "", file)
			default:
				dst.Content = append(dst.Content, r.clone(dropDirectives(it), file, 0))
			}
		}
		return dst
	}
	return r.clone(src, file, 0)
}

func dropDirectives(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return n
	}
	c := *n
	c.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !strings.HasPrefix(n.Content[i].Value, "$") {
			c.Content = append(c.Content, n.Content[i], n.Content[i+1])
		}
	}
	return &c
}

func keyIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// jsonPatch applies JSON patch (RFC 6902) operations to o: add, replace
// and remove; test passes; copy and move are notes.
func (r *render) jsonPatch(o *object, ops *yaml.Node, p patch) {
	for _, op := range ops.Content {
		op = deref(op)
		kind, ptr := str(op, "op"), str(op, "path")
		if kind == "test" {
			continue
		}
		if kind != "add" && kind != "replace" && kind != "remove" {
			r.l.res.Notes = append(r.l.res.Notes, fmt.Sprintf("%s: patch %s: op %q not applied", r.root.file, p.at, kind))
			continue
		}
		if err := r.pointer(o, ptr, kind, at(op, "value"), p.file); err != nil {
			r.l.res.Notes = append(r.l.res.Notes, fmt.Sprintf("%s: patch %s: %s %s on %s: %v; not applied", r.root.file, p.at, kind, ptr, o, err))
		}
	}
}

func (r *render) pointer(o *object, ptr, kind string, value *yaml.Node, file string) error {
	if !strings.HasPrefix(ptr, "/") {
		return fmt.Errorf("not a JSON pointer")
	}
	toks := strings.Split(ptr[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	if kind != "remove" && value == nil {
		return fmt.Errorf("no value")
	}
	n := deref(o.node)
	for _, t := range toks[:len(toks)-1] {
		switch {
		case n == nil:
			return fmt.Errorf("no such path")
		case n.Kind == yaml.MappingNode:
			_, n = get(n, t)
		case n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n.Content) {
				return fmt.Errorf("no such index %s", t)
			}
			n = deref(n.Content[i])
		default:
			return fmt.Errorf("no such path")
		}
	}
	last := toks[len(toks)-1]
	if n == nil {
		return fmt.Errorf("no such path")
	}
	switch n.Kind {
	case yaml.MappingNode:
		j := keyIndex(n, last)
		switch {
		case kind == "remove":
			if j < 0 {
				return fmt.Errorf("no such key")
			}
			n.Content = append(n.Content[:j:j], n.Content[j+2:]...)
		case j >= 0:
			n.Content[j+1] = r.clone(value, file, 0)
		case kind == "replace":
			return fmt.Errorf("no such key")
		default:
			k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: last, Line: value.Line, Column: value.Column}
			r.l.origin[k] = file
			n.Content = append(n.Content, k, r.clone(value, file, 0))
		}
	case yaml.SequenceNode:
		i := len(n.Content)
		if last != "-" {
			v, err := strconv.Atoi(last)
			if err != nil || v < 0 || v > len(n.Content) || (kind != "add" && v == len(n.Content)) {
				return fmt.Errorf("no such index %s", last)
			}
			i = v
		} else if kind != "add" {
			return fmt.Errorf("no such index -")
		}
		switch kind {
		case "remove":
			n.Content = append(n.Content[:i:i], n.Content[i+1:]...)
		case "replace":
			n.Content[i] = r.clone(value, file, 0)
		default:
			n.Content = append(n.Content[:i:i], append([]*yaml.Node{r.clone(value, file, 0)}, n.Content[i:]...)...)
		}
	default:
		return fmt.Errorf("no such path")
	}
	return nil
}

// labels applies commonLabels and labels: to metadata.labels always; to the
// pod template and the selectors (workloads, Services, PodDisruptionBudgets,
// NetworkPolicies) as kustomize does (commonLabels, and labels with
// includeSelectors; includeTemplates for the template alone).
func (r *render) labels(k *kustomization, objs []*object) {
	type set struct {
		pairs               [][2]*yaml.Node
		selectors, template bool
	}
	var sets []set
	if n := at(k.node, "commonLabels"); n != nil {
		sets = append(sets, set{pairs: pairs(n), selectors: true, template: true})
	}
	for _, e := range items(k.node, "labels") {
		sel, _ := boolAt(e, "includeSelectors")
		tmpl, _ := boolAt(e, "includeTemplates")
		sets = append(sets, set{pairs: pairs(at(e, "pairs")), selectors: sel, template: sel || tmpl})
	}
	for _, s := range sets {
		for _, o := range objs {
			if o.gen != nil {
				continue
			}
			r.setLabels(o.node, s.pairs, k.file, true, "metadata", "labels")
			if !s.selectors && !s.template {
				continue
			}
			_, _, _, _, workload := podSpec(o)
			if workload && s.template {
				tmpl := []string{"spec", "template", "metadata", "labels"}
				if o.kind == "CronJob" {
					tmpl = append([]string{"spec", "jobTemplate"}, tmpl...)
				}
				if o.kind != "Pod" {
					r.setLabels(o.node, s.pairs, k.file, true, tmpl...)
				}
			}
			if !s.selectors {
				continue
			}
			switch {
			case workload && o.kind != "Pod" && o.kind != "CronJob" && o.kind != "Job":
				r.setLabels(o.node, s.pairs, k.file, true, "spec", "selector", "matchLabels")
			case o.kind == "Service":
				r.setLabels(o.node, s.pairs, k.file, false, "spec", "selector")
			case o.kind == "PodDisruptionBudget":
				r.setLabels(o.node, s.pairs, k.file, false, "spec", "selector", "matchLabels")
			case o.kind == "NetworkPolicy":
				r.setLabels(o.node, s.pairs, k.file, false, "spec", "podSelector", "matchLabels")
			}
		}
	}
}

// setLabels sets the pairs in the mapping at keys, creating the path when
// create is true.
func (r *render) setLabels(n *yaml.Node, ps [][2]*yaml.Node, file string, create bool, keys ...string) {
	for _, key := range keys {
		m := deref(n)
		if m == nil || m.Kind != yaml.MappingNode {
			return
		}
		_, v := get(m, key)
		if v == nil || v.Tag == "!!null" {
			if !create {
				return
			}
			v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: m.Line, Column: m.Column}
			if j := keyIndex(m, key); j >= 0 {
				m.Content[j+1] = v
			} else {
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key, Line: m.Line, Column: m.Column}, v)
			}
		}
		n = v
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, p := range ps {
		if p[1].Kind != yaml.ScalarNode {
			continue
		}
		val := r.clone(p[1], file, 0)
		if j := keyIndex(n, p[0].Value); j >= 0 {
			n.Content[j+1] = val
		} else {
			n.Content = append(n.Content, r.clone(p[0], file, 0), val)
		}
	}
}

// replicas applies k's replicas: entries (name, count).
func (r *render) replicas(k *kustomization, objs []*object) {
	for _, e := range items(k.node, "replicas") {
		name, count := str(e, "name"), at(e, "count")
		if count == nil || count.Kind != yaml.ScalarNode {
			continue
		}
		for _, o := range objs {
			switch o.kind {
			case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController":
			default:
				continue
			}
			if o.name != name && o.prefix+o.name+o.suffix != name {
				continue
			}
			spec := at(o.node, "spec")
			if spec == nil || spec.Kind != yaml.MappingNode {
				continue
			}
			c := r.clone(count, k.file, 0)
			c.Tag = "!!int"
			if j := keyIndex(spec, "replicas"); j >= 0 {
				spec.Content[j+1] = c
			} else {
				spec.Content = append(spec.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "replicas", Line: c.Line, Column: c.Column}, c)
			}
		}
	}
}

// images applies k's images: entries (name, newName, newTag, digest) to the
// containers and init containers of every workload. The image then points
// at the entry's line.
func (r *render) images(k *kustomization, objs []*object) {
	es := items(k.node, "images")
	if len(es) == 0 {
		return
	}
	for _, o := range objs {
		spec, _, _, _, ok := podSpec(o)
		if !ok {
			continue
		}
		for _, key := range []string{"containers", "initContainers"} {
			for _, c := range items(spec, key) {
				j := keyIndex(c, "image")
				if j < 0 {
					continue
				}
				img := deref(c.Content[j+1])
				if img == nil || img.Kind != yaml.ScalarNode {
					continue
				}
				ref := image.Split(img.Value)
				for _, e := range es {
					if str(e, "name") != ref.Repo {
						continue
					}
					repo, tag, digest := ref.Repo, ref.Tag, ref.Digest
					where := at(e, "name")
					if v := at(e, "newName"); v != nil && v.Value != "" {
						repo, where = v.Value, v
					}
					if v := at(e, "newTag"); v != nil && v.Value != "" {
						tag, digest, where = v.Value, "", v
					}
					if v := at(e, "digest"); v != nil && v.Value != "" {
						digest, where = v.Value, v
					}
					s := repo
					if tag != "" {
						s += ":" + tag
					}
					if digest != "" {
						s += "@" + digest
					}
					n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: where.Line, Column: where.Column}
					r.l.origin[n] = k.file
					c.Content[j+1] = n
					break
				}
			}
		}
	}
}
