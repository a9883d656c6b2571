package kube

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/source/yamllimit"
)

// kustomize: a kustomization.yaml's configMapGenerator and secretGenerator
// make ConfigMaps and Secrets out of repository files, literals and env
// files. They are read here as the objects kustomize would generate, so a
// workload that mounts or references one by name finds it, and a nats.conf
// listed in a generator is that workload's config, with findings at the
// file's own lines.
//
// Followed: files (path or key=path, relative to the kustomization, inside
// the scanned tree), literals (KEY=VALUE), envs (and the older env), the
// generator's and the kustomization's namespace, and which kustomization
// lists a workload's file (directly or through a resources/bases
// directory), to pick the generator of the workload's own build when
// several generate the same name. Not followed, with a note: generators
// with behavior merge/replace (an overlay changing a base's generator),
// patches, images, replicas, namePrefix/nameSuffix and components: the
// manifests are audited as written, not as an overlay renders them.

// kustomizationNames are the file names kustomize reads in a directory.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

func isKustomization(rel string) bool {
	b := path.Base(rel)
	for _, n := range kustomizationNames {
		if b == n {
			return true
		}
	}
	return false
}

// genValue is one key of a generated ConfigMap or Secret, in memory only.
type genValue struct {
	text string
	// disk is the repository file the value is (files:), whose lines are
	// the config's lines; "" for literals and env file entries.
	disk string
	at   model.Location // where the value is written
}

// kustomization is one kustomization file of the repository.
type kustomization struct {
	file string
	dir  string
	node *yaml.Node
	// files are the manifest files it builds: its resources (and bases),
	// with the files of resource directories' kustomizations.
	files map[string]bool
	// patches are its patches, read once (overlay.go).
	patches *[]patch
}

// maxKustomizeDepth bounds the resources/bases directories followed from
// one kustomization (overlays of overlays).
const maxKustomizeDepth = 8

// kustomize reads the kustomizations of the scan: the inputs named like
// one, and those in the directories above every input (a kustomization
// that lacks apiVersion/kind is not a manifest discovery recognises).
func (l *loader) kustomize(inputs []Input) {
	l.kusts = map[string]*kustomization{}
	seen := map[string]bool{}
	try := func(rel string, data []byte) {
		if seen[rel] {
			return
		}
		seen[rel] = true
		if data == nil {
			if l.opt.Read == nil {
				return
			}
			d, err := l.opt.Read(rel)
			if err != nil {
				return
			}
			data = d
		}
		k := l.parseKustomization(rel, data)
		if k != nil {
			l.kusts[k.dir] = k
		}
	}
	for _, in := range inputs {
		if isKustomization(in.Rel) {
			try(in.Rel, in.Data)
		}
	}
	paths := slices.Clone(l.opt.Paths)
	sort.Strings(paths)
	for _, p := range paths {
		if isKustomization(p) {
			try(p, nil)
		}
	}
	dirs := map[string]bool{}
	for _, in := range inputs {
		for d := path.Dir(in.Rel); ; d = path.Dir(d) {
			if dirs[d] {
				break
			}
			dirs[d] = true
			if d == "." || d == "/" {
				break
			}
		}
	}
	if l.opt.Paths != nil {
		dirs = nil // the tree's own list says where they are
	}
	sorted := make([]string, 0, len(dirs))
	for d := range dirs {
		sorted = append(sorted, d)
	}
	sort.Strings(sorted)
	for _, d := range sorted {
		for _, n := range kustomizationNames {
			try(path.Join(d, n), nil)
		}
	}
	dirsOf := make([]string, 0, len(l.kusts))
	for d := range l.kusts {
		dirsOf = append(dirsOf, d)
	}
	sort.Strings(dirsOf)
	for _, d := range dirsOf {
		l.buildFiles(l.kusts[d], 0)
	}
	l.dropPatchFiles()
	for _, d := range dirsOf {
		l.generators(l.kusts[d])
		l.unfollowed(l.kusts[d])
	}
}

func (l *loader) parseKustomization(rel string, data []byte) *kustomization {
	if err := yamllimit.Check(data); err != nil {
		l.errorf(rel, 0, "%s", err.Error())
		return nil
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		l.errorf(rel, 0, "kustomization: %s", yamlPrefixRe.ReplaceAllString(err.Error(), ""))
		return nil
	}
	if err := yamllimit.CheckDepth(&doc); err != nil {
		l.errorf(rel, doc.Line, "%s", err.Error())
		return nil
	}
	n := deref(&doc)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	if k := str(n, "kind"); k != "" && k != "Kustomization" && k != "Component" {
		return nil
	}
	if _, read := l.data[rel]; !read {
		l.data[rel] = data
		l.res.Files = append(l.res.Files, rel)
	}
	return &kustomization{file: rel, dir: path.Dir(rel), node: n}
}

// repoPath resolves a path written in a kustomization (relative to its
// directory) to a repository path; ok is false for an absolute path, a URL
// (a remote base) or one that leaves the scanned tree.
func repoPath(dir, p string) (string, bool) {
	if p == "" || path.IsAbs(p) || strings.Contains(p, "://") || strings.HasPrefix(p, "github.com/") {
		return "", false
	}
	r := path.Clean(path.Join(dir, p))
	if r == ".." || strings.HasPrefix(r, "../") {
		return "", false
	}
	return r, true
}

// buildFiles works out the manifest files k builds through its resources,
// once per kustomization (a hostile tree of kustomizations listing each
// other costs one pass over each); a cycle or a chain deeper than
// maxKustomizeDepth stops there.
func (l *loader) buildFiles(k *kustomization, depth int) map[string]bool {
	if k.files != nil {
		return k.files // done, or in progress (a cycle)
	}
	k.files = map[string]bool{k.file: true} // its generated objects belong to its builds
	if depth > maxKustomizeDepth {
		return k.files
	}
	for _, key := range []string{"resources", "bases", "components"} {
		for _, r := range items(k.node, key) {
			rel, ok := repoPath(k.dir, r.Value)
			if !ok {
				continue
			}
			if sub := l.kusts[rel]; sub != nil {
				for f := range l.buildFiles(sub, depth+1) {
					k.files[f] = true
				}
				continue
			}
			k.files[rel] = true
		}
	}
	return k.files
}

// dropPatchFiles leaves out the objects of the files the kustomizations
// of the scan apply as patches (patchesStrategicMerge, patches and
// patchesJson6902 with a path) and do not also build as resources. A
// strategic-merge patch is a partial manifest: read as one, a patch that
// sets a container's image was a workload of its own (the image's default
// config, one replica, no limits) that nothing deploys. The overlay
// renderer reads the patch from the file's data, which stays.
func (l *loader) dropPatchFiles() {
	patches, built := map[string]bool{}, map[string]bool{}
	for _, k := range l.kusts {
		for f := range k.files {
			built[f] = true
		}
		add := func(p string) {
			if rel, ok := repoPath(k.dir, p); ok {
				patches[rel] = true
			}
		}
		for _, e := range items(k.node, "patchesStrategicMerge") {
			if e.Kind == yaml.ScalarNode && !strings.Contains(e.Value, "\n") {
				add(e.Value)
			}
		}
		for _, key := range []string{"patches", "patchesJson6902"} {
			for _, e := range items(k.node, key) {
				if p := str(e, "path"); p != "" {
					add(p)
				}
			}
		}
	}
	kept := l.objs[:0]
	for _, o := range l.objs {
		if patches[o.file] && !built[o.file] {
			continue
		}
		o.index = len(kept)
		kept = append(kept, o)
	}
	clear(l.objs[len(kept):])
	l.objs = kept
}

// generators turns k's configMapGenerator and secretGenerator entries into
// objects.
func (l *loader) generators(k *kustomization) {
	ns := str(k.node, "namespace")
	for _, g := range []struct{ key, kind string }{{"configMapGenerator", "ConfigMap"}, {"secretGenerator", "Secret"}} {
		for _, e := range items(k.node, g.key) {
			name := str(e, "name")
			if name == "" {
				continue
			}
			if b := str(e, "behavior"); b == "merge" || b == "replace" {
				l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: %s %s has behavior %s (an overlay changing a base's %s): not followed, the base's is read as written",
					k.file, g.key, name, b, g.kind))
				continue
			}
			gns := str(e, "namespace")
			if gns == "" {
				gns = ns
			}
			o := &object{file: k.file, apiVersion: "v1", kind: g.kind, name: name, namespace: gns, node: e, index: len(l.objs),
				gen: map[string]genValue{}, kust: k}
			for _, f := range items(e, "files") {
				key, p, ok := strings.Cut(f.Value, "=")
				if !ok {
					key, p = path.Base(f.Value), f.Value
				}
				rel, ok := repoPath(k.dir, p)
				if !ok {
					l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: %s %s: file %s is outside the scanned tree; not read", k.file, g.key, name, p))
					continue
				}
				text, err := l.readText(rel)
				if err != nil {
					l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: %s %s: file %s: %v", k.file, g.key, name, rel, err))
					continue
				}
				l.setGen(o, key, genValue{text: text, disk: rel, at: model.Location{File: rel, Line: 1, Column: 1}})
			}
			for _, lit := range items(e, "literals") {
				key, v, ok := strings.Cut(lit.Value, "=")
				if !ok || key == "" {
					continue
				}
				l.setGen(o, key, genValue{text: unquote(v), at: l.loc(k.file, lit)})
			}
			envs := items(e, "envs")
			if n := at(e, "env"); n != nil && n.Kind == yaml.ScalarNode {
				envs = append(envs, n)
			}
			for _, ef := range envs {
				rel, ok := repoPath(k.dir, ef.Value)
				if !ok {
					continue
				}
				vars, err := l.envFile(rel)
				if err != nil {
					l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: %s %s: env file %s: %v", k.file, g.key, name, rel, err))
					continue
				}
				for _, v := range vars {
					if !l.setGen(o, v.key, v.genValue) {
						break
					}
				}
			}
			l.objs = append(l.objs, o)
		}
	}
}

// unfollowed notes what of k changes the manifests in ways not applied.
func (l *loader) unfollowed(k *kustomization) {
	var what []string
	for _, key := range []string{"components", "helmCharts", "helmChartInflationGenerator", "replacements", "transformers", "generators", "validators", "openapi", "crds"} {
		if at(k.node, key) != nil {
			what = append(what, key)
		}
	}
	for _, key := range []string{"resources", "bases"} {
		for _, r := range items(k.node, key) {
			if _, ok := repoPath(k.dir, r.Value); !ok {
				what = append(what, key+" "+r.Value)
			}
		}
	}
	if len(what) > 0 {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: %s not applied (its rendering leaves them out)", k.file, strings.Join(what, ", ")))
	}
}

// maxGenerated bounds what the generators of a scan read from the
// repository altogether (each file counted once).
const maxGenerated = 64 << 20

// readRepo reads a file a generator names, once per scan.
func (l *loader) readRepo(rel string) ([]byte, error) {
	if d, ok := l.data[rel]; ok {
		return d, nil
	}
	if l.opt.Read == nil {
		return nil, fmt.Errorf("not read (no repository reader)")
	}
	if l.genBytes > maxGenerated {
		return nil, fmt.Errorf("not read: the generators' files add up to more than %d bytes", maxGenerated)
	}
	d, err := l.opt.Read(rel)
	if err != nil {
		return nil, err
	}
	if len(d) > l.opt.MaxConfigSize {
		return nil, fmt.Errorf("larger than %d bytes; not read", l.opt.MaxConfigSize)
	}
	l.genBytes += len(d)
	l.data[rel] = d
	return d, nil
}

// maxGenKeys bounds the keys all generators of a scan make, repeated ones
// included (an env file of many lines named by many generators multiplies).
const maxGenKeys = 20000

// setGen sets a generated key; false once the scan's budget is spent.
func (l *loader) setGen(o *object, key string, v genValue) bool {
	if l.genKeys >= maxGenKeys {
		if l.genKeys == maxGenKeys {
			l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: the kustomize generators of the scan make more than %d keys; the rest are not read", o.file, maxGenKeys))
			l.genKeys++
		}
		return false
	}
	l.genKeys++
	o.gen[key] = v
	return true
}

// readText is readRepo as a string shared by every generator naming the
// file (a file listed ten thousand times is held once).
func (l *loader) readText(rel string) (string, error) {
	if s, ok := l.genText[rel]; ok {
		return s, nil
	}
	d, err := l.readRepo(rel)
	if err != nil {
		return "", err
	}
	if l.genText == nil {
		l.genText = map[string]string{}
	}
	l.genText[rel] = string(d)
	return l.genText[rel], nil
}

type envVar struct {
	key string
	genValue
}

// envFile parses an env file a generator names (KEY=VALUE lines; # comments;
// a KEY alone is taken from kustomize's own environment, so skipped), once
// per scan.
func (l *loader) envFile(rel string) ([]envVar, error) {
	if vs, ok := l.genEnv[rel]; ok {
		return vs, nil
	}
	text, err := l.readText(rel)
	if err != nil {
		return nil, err
	}
	var out []envVar
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		out = append(out, envVar{strings.TrimSpace(key), genValue{text: unquote(v), at: model.Location{File: rel, Line: i + 1, Column: 1}}})
	}
	if l.genEnv == nil {
		l.genEnv = map[string][]envVar{}
	}
	l.genEnv[rel] = out
	return out, nil
}

// unquote strips the quotes kustomize strips from a literal's value.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}
