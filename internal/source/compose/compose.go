// Package compose reads Docker Compose files with yaml.v3 nodes, so that every
// value keeps its line: services, nats-server command flags, ports, volumes,
// environment and resource limits. Files are grouped into projects and
// merged the way Docker Compose reads them (docs/compose.md): a base file and
// its compose.override file are one project, every other compose file its
// own; extends: and include: are followed inside the scanned tree.
package compose

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/image"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/natsflags"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source/dotenv"
	"github.com/natsaudit/natsaudit/internal/source/yamllimit"
)

// Input is one compose file.
type Input struct {
	Rel  string // report path
	Data []byte
}

// EnvSource gives the compose project its variables: the project's .env for
// interpolation, and env_file contents for the container environment. It
// never reads the process environment.
type EnvSource interface {
	// EnvFile returns a parsed .env file by report path, or nil.
	EnvFile(rel string) *dotenv.File
}

// EnvEntry is one variable of a container's environment, kept in memory only.
type EnvEntry struct {
	Value string
	File  string // where the value was written
	Line  int
	// Unresolved lists ${VAR}s in the value that had no value and no default.
	Unresolved []string
	// Ref is the variable a value like ${NAME} or ${NAME:-x} refers to.
	Ref string
	// Raw is the value as written, before interpolation: a credential is
	// committed at this line only when it is written here.
	Raw string
}

// Service is one merged service.
type Service struct {
	Name            string
	Deployment      *model.Deployment
	Locs            model.Locations   // "deployment/..." paths
	FlagConfig      map[string]any    // config set by command-line flags
	FlagLocs        model.Locations   // "config/..." paths → compose lines
	FlagEnv         map[string]string // "config/..." → env var, for flags whose value came from ${VAR}
	Env             map[string]EnvEntry
	IsNATS          bool
	NetworkModeHost bool
	// Image is the parsed image reference.
	Image Image
	// Built: the service has build:, so image: names the image built from
	// the repository's Dockerfile, not the official one.
	Built bool
	// Streaming: a NATS Streaming (STAN) image: another product that embeds
	// a nats-server; its version is not nats-server's.
	Streaming bool
}

// Project is a base compose file with its overrides merged.
type Project struct {
	Dir      string
	Files    []string
	Services []*Service
	Errors   []model.ParseError
	// Read are the files read through extends: and include: (report paths).
	Read []string
	// Notes are remarks for the report's coverage (an extends: file that
	// is not in the scanned tree, an override that is not declared).
	Notes []string
	// incomplete names the services of a one-file project that have no
	// image, build or extends of their own: the file only makes sense
	// merged onto another (an override not declared as such).
	incomplete []string
}

// Options for Load.
type Options struct {
	Env     EnvSource
	Secrets *secret.Analyzer
	// NodeBudget bounds the YAML nodes visited per file.
	NodeBudget int
	// Read returns a file of the scanned tree by report path, for the
	// files extends: and include: name; it refuses what may not be read
	// (outside the tree, in .git, through a link out). nil: only the
	// project's own files are read.
	Read func(rel string) ([]byte, error)
}

// maxDepth bounds extends: chains and include: nesting.
const maxDepth = 16

// loader reads the files of one project, each once.
type loader struct {
	opt   Options
	p     *Project
	files map[string]*fileDoc
	given map[string][]byte
	// fetched are the other files read (nil: could not be read).
	fetched map[string][]byte
	// env is the interpolation environment of each file: its project's
	// .env (an included file: the include's env_file, then its own
	// directory's .env, then the including project's).
	env  map[string][]*dotenv.File
	read map[string]bool
}

// fileDoc is one parsed compose file.
type fileDoc struct {
	rel      string
	services map[string]*raw
	order    []string
	includes []includeRef
	resolved map[string]*raw // services with extends applied
	err      error
}

type includeRef struct {
	paths    []sval
	envFiles []sval
	loc      model.Location
}

type extendsRef struct {
	service string
	file    string
	loc     model.Location
}

// Load parses and merges one project (base first).
func Load(files []Input, opt Options) *Project {
	if opt.NodeBudget <= 0 {
		opt.NodeBudget = 200000
	}
	if opt.Secrets == nil {
		opt.Secrets, _ = secret.NewAnalyzer(secret.Params{})
	}
	p := &Project{}
	if len(files) > 0 {
		p.Dir = path.Dir(files[0].Rel)
	}
	l := &loader{opt: opt, p: p, files: map[string]*fileDoc{}, given: map[string][]byte{}, fetched: map[string][]byte{}, env: map[string][]*dotenv.File{}, read: map[string]bool{}}
	// Interpolation uses the project's .env only, never the process env.
	var projectEnv []*dotenv.File
	if opt.Env != nil {
		if f := opt.Env.EnvFile(path.Join(p.Dir, ".env")); f != nil {
			projectEnv = []*dotenv.File{f}
		}
	}
	for _, f := range files {
		l.given[f.Rel] = f.Data
	}
	merged := map[string]*raw{}
	var order []string
	add := func(s *raw, override bool) {
		if cur, ok := merged[s.name]; ok {
			if override {
				cur.merge(s)
			}
			return
		}
		merged[s.name] = s.clone()
		order = append(order, s.name)
	}
	for _, f := range files {
		p.Files = append(p.Files, f.Rel)
		doc := l.doc(f.Rel, projectEnv)
		if doc == nil || doc.err != nil {
			continue
		}
		for _, name := range doc.order {
			add(l.resolve(doc, name, 0), true)
		}
		// Included projects' services, after the file's own: a service
		// defined by the including file wins.
		for _, s := range l.included(doc, projectEnv, 0) {
			add(s, false)
		}
	}
	if len(files) == 1 {
		for _, name := range order {
			r := merged[name]
			if r.image.v == "" && !r.build && !r.extended {
				p.incomplete = append(p.incomplete, name)
			}
		}
	}
	for _, name := range order {
		p.Services = append(p.Services, build(merged[name], p.Dir, l.interp, opt))
	}
	p.Read = sortedKeys(l.read)
	sort.Strings(p.Notes)
	return p
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// doc parses a file once; env is the environment it is interpolated with
// (the first project to read a file sets it).
func (l *loader) doc(rel string, env []*dotenv.File) *fileDoc {
	if d, ok := l.files[rel]; ok {
		return d
	}
	data, ok := l.given[rel]
	if !ok {
		data = l.fetched[rel]
		if data == nil {
			return nil // locate found it first
		}
		l.read[rel] = true
	}
	if _, set := l.env[rel]; !set {
		l.env[rel] = env
	}
	d := &fileDoc{rel: rel, services: map[string]*raw{}, resolved: map[string]*raw{}}
	l.files[rel] = d
	svcs, incs, err := parseFile(Input{Rel: rel, Data: data}, l.opt.NodeBudget)
	if err != nil {
		d.err = err
		l.p.Errors = append(l.p.Errors, model.ParseError{File: rel, Line: yamlErrLine(err), Kind: "compose",
			Message: secret.RedactLine(l.opt.Secrets.Redact(yamlMessage(err)))})
		return d
	}
	for _, s := range svcs {
		if _, dup := d.services[s.name]; !dup {
			d.order = append(d.order, s.name)
		}
		d.services[s.name] = s
	}
	d.includes = incs
	return d
}

// locate finds a file named in dir's file: the path relative to that file
// (what the Compose spec says), else relative to the project directory
// (what docker compose does for a file reached through include:).
func (l *loader) locate(from, name string) (string, bool) {
	if name == "" || path.IsAbs(name) || strings.HasPrefix(name, "~") {
		return "", false
	}
	for _, dir := range []string{path.Dir(from), l.p.Dir} {
		rel := path.Clean(path.Join(dir, name))
		if strings.HasPrefix(rel, "../") || rel == ".." {
			continue
		}
		if _, ok := l.given[rel]; ok {
			return rel, true
		}
		if d, ok := l.files[rel]; ok && d != nil {
			return rel, true
		}
		if d, ok := l.fetched[rel]; ok {
			return rel, d != nil
		}
		if l.opt.Read != nil {
			data, err := l.opt.Read(rel)
			if err != nil {
				l.fetched[rel] = nil
				continue
			}
			l.fetched[rel] = data
			return rel, true
		}
	}
	return "", false
}

// resolve returns a service of doc with its extends: chain applied.
func (l *loader) resolve(doc *fileDoc, name string, depth int) *raw {
	if r, ok := doc.resolved[name]; ok {
		return r
	}
	s := doc.services[name]
	if s == nil {
		return nil
	}
	if s.extends == nil {
		doc.resolved[name] = s
		return s
	}
	doc.resolved[name] = s // a cycle ends here, without its base
	if depth >= maxDepth {
		l.note(fmt.Sprintf("%s: service %s: extends: chain deeper than %d, not followed", doc.rel, name, maxDepth))
		return s
	}
	ext := s.extends
	baseDoc := doc
	if ext.file != "" {
		rel, ok := l.locate(doc.rel, ext.file)
		if !ok {
			l.note(fmt.Sprintf("%s:%d: service %s extends %s from %s, which is not in the scanned tree: its inherited settings are not audited", ext.loc.File, ext.loc.Line, name, ext.service, ext.file))
			return s
		}
		baseDoc = l.doc(rel, l.env[doc.rel])
		if baseDoc == nil || baseDoc.err != nil {
			return s
		}
	}
	base := l.resolve(baseDoc, ext.service, depth+1)
	if base == nil || base == s {
		l.note(fmt.Sprintf("%s:%d: service %s extends %s, which is not defined there", ext.loc.File, ext.loc.Line, name, ext.service))
		return s
	}
	out := base.clone()
	out.name, out.line, out.extended = s.name, s.line, true
	out.merge(s)
	doc.resolved[name] = out
	return out
}

// included loads the projects a file's include: names and returns their
// services.
func (l *loader) included(doc *fileDoc, parentEnv []*dotenv.File, depth int) []*raw {
	var out []*raw
	if depth >= maxDepth {
		return nil
	}
	for _, inc := range doc.includes {
		var env []*dotenv.File
		for _, ef := range inc.envFiles {
			if rel, ok := l.locate(doc.rel, ef.v); ok && l.opt.Env != nil {
				if f := l.opt.Env.EnvFile(rel); f != nil {
					env = append(env, f)
				}
			}
		}
		for _, pth := range inc.paths {
			rel, ok := l.locate(doc.rel, pth.v)
			if !ok {
				l.note(fmt.Sprintf("%s:%d: include: %s is not in the scanned tree: its services are not audited", pth.loc.File, pth.loc.Line, pth.v))
				continue
			}
			e := append([]*dotenv.File{}, env...)
			if l.opt.Env != nil {
				if f := l.opt.Env.EnvFile(path.Join(path.Dir(rel), ".env")); f != nil {
					e = append(e, f)
				}
			}
			e = append(e, parentEnv...)
			sub := l.doc(rel, e)
			if sub == nil || sub.err != nil {
				continue
			}
			for _, name := range sub.order {
				if r := l.resolve(sub, name, 0); r != nil {
					out = append(out, r)
				}
			}
			out = append(out, l.included(sub, e, depth+1)...)
		}
	}
	return out
}

func (l *loader) note(n string) {
	for _, x := range l.p.Notes {
		if x == n {
			return
		}
	}
	l.p.Notes = append(l.p.Notes, n)
}

// interp interpolates a value with the environment of the file it was
// written in.
func (l *loader) interp(v sval) (string, []string) {
	env, ok := l.env[v.loc.File]
	if !ok {
		// A value of a file this loader did not read (tests): the project's.
		for _, f := range l.p.Files {
			env = l.env[f]
			break
		}
	}
	return dotenv.Interpolate(v.v, func(name string) (string, bool) {
		for _, f := range env {
			if x, ok := f.Lookup(name); ok {
				return x.Value, true
			}
		}
		return "", false
	})
}

// loc is a position in a compose file.
func loc(file string, n *yaml.Node) model.Location {
	if n == nil {
		return model.Location{}
	}
	return model.Location{File: file, Line: n.Line, Column: n.Column}
}

type sval struct {
	v   string
	loc model.Location
}

type raw struct {
	name        string
	line        model.Location
	extends     *extendsRef
	extended    bool // defined through extends:
	build       bool // built from a Dockerfile: image: names the result
	workingDir  sval
	image       sval
	command     []sval
	commandSet  bool
	commandLoc  model.Location
	entrypoint  []sval
	ports       []portSpec
	volumes     []volSpec
	envFiles    []sval
	environment map[string]envSpec
	envOrder    []string
	memLimit    sval
	cpus        sval
	stopGrace   sval
	stopSignal  sval
	networkMode sval
	profiles    []string
	profilesSet bool
}

type portSpec struct {
	// short is the short syntax ("${PORT:-4222}:4222/tcp"), split after
	// interpolation; the long syntax sets the fields.
	short                          string
	hostIP, host, container, proto string
	loc                            model.Location
}

type volSpec struct {
	typ, source, target string
	ro                  bool
	loc                 model.Location
}

type envSpec struct {
	value    string
	hasValue bool
	loc      model.Location
}

// merge applies an override service onto r, following the Compose merge
// rules: scalars and command replace; ports and env_file append; volumes
// merge by target; environment merges by name.
func (r *raw) merge(o *raw) {
	if o.image.v != "" {
		r.image = o.image
	}
	if o.build {
		r.build = true
	}
	if o.workingDir.v != "" {
		r.workingDir = o.workingDir
	}
	if o.commandSet {
		r.command, r.commandSet, r.commandLoc = o.command, true, o.commandLoc
	}
	if o.entrypoint != nil {
		r.entrypoint = o.entrypoint
	}
	r.ports = append(r.ports, o.ports...)
	for _, v := range o.volumes {
		replaced := false
		for i := range r.volumes {
			if r.volumes[i].target == v.target {
				r.volumes[i] = v
				replaced = true
			}
		}
		if !replaced {
			r.volumes = append(r.volumes, v)
		}
	}
	r.envFiles = append(r.envFiles, o.envFiles...)
	for _, k := range o.envOrder {
		if _, ok := r.environment[k]; !ok {
			r.envOrder = append(r.envOrder, k)
		}
		if r.environment == nil {
			r.environment = map[string]envSpec{}
		}
		r.environment[k] = o.environment[k]
	}
	if o.profilesSet {
		r.profiles, r.profilesSet = o.profiles, true
	}
	for _, pr := range []struct{ dst, src *sval }{{&r.memLimit, &o.memLimit}, {&r.cpus, &o.cpus}, {&r.stopGrace, &o.stopGrace}, {&r.stopSignal, &o.stopSignal}, {&r.networkMode, &o.networkMode}} {
		if pr.src.v != "" {
			*pr.dst = *pr.src
		}
	}
}

// clone copies r deeply enough that merging onto the copy leaves r alone
// (a service extended by several others).
func (r *raw) clone() *raw {
	c := *r
	c.command = append([]sval(nil), r.command...)
	c.entrypoint = append([]sval(nil), r.entrypoint...)
	c.ports = append([]portSpec(nil), r.ports...)
	c.volumes = append([]volSpec(nil), r.volumes...)
	c.envFiles = append([]sval(nil), r.envFiles...)
	c.envOrder = append([]string(nil), r.envOrder...)
	c.environment = make(map[string]envSpec, len(r.environment))
	for k, v := range r.environment {
		c.environment[k] = v
	}
	return &c
}

// visitsPerNode is how many visits per node of the file itself the walk may
// spend beyond NodeBudget: parsing a service visits each value 1.25 times
// on average (10,000 generated services: 372,419 visits of 297,444 nodes).
const visitsPerNode = 2

func parseFile(f Input, budget int) ([]*raw, []includeRef, error) {
	if err := yamllimit.Check(f.Data); err != nil {
		return nil, nil, err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	if err := yamllimit.CheckDepth(&doc); err != nil {
		return nil, nil, err
	}
	// The budget bounds what aliases add: a big file visits each of its own
	// nodes a few times, however many there are (10,000 services: about
	// 300,000 nodes, over the default budget).
	w := &walker{budget: max(budget, visitsPerNode*yamllimit.Count(&doc))}
	_, services, err := w.get(&doc, "services")
	if err != nil {
		return nil, nil, err
	}
	ps, err := w.pairs(services)
	if err != nil {
		return nil, nil, err
	}
	var out []*raw
	for _, p := range ps {
		r, err := parseService(w, f.Rel, p.Key, p.Value)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
	}
	incs, err := parseIncludes(w, f.Rel, &doc)
	if err != nil {
		return nil, nil, err
	}
	return out, incs, nil
}

// parseIncludes reads the top-level include: list (a path, or
// {path: one or several, env_file: one or several}).
func parseIncludes(w *walker, file string, doc *yaml.Node) ([]includeRef, error) {
	_, inc, err := w.get(doc, "include")
	if err != nil || inc == nil {
		return nil, err
	}
	items, err := w.seq(inc)
	if err != nil {
		return nil, err
	}
	strs := func(n *yaml.Node) []sval {
		if s, ok := scalar(w, n); ok {
			return []sval{{s, loc(file, n)}}
		}
		var out []sval
		list, _ := w.seq(n)
		for _, it := range list {
			if s, ok := scalar(w, it); ok {
				out = append(out, sval{s, loc(file, it)})
			}
		}
		return out
	}
	var out []includeRef
	for _, it := range items {
		ref := includeRef{loc: loc(file, it)}
		if it.Kind == yaml.ScalarNode {
			ref.paths = strs(it)
		} else {
			_, pv, _ := w.get(it, "path")
			_, ev, _ := w.get(it, "env_file")
			if pv != nil {
				ref.paths = strs(pv)
			}
			if ev != nil {
				ref.envFiles = strs(ev)
			}
		}
		out = append(out, ref)
	}
	return out, nil
}

func scalar(w *walker, n *yaml.Node) (string, bool) {
	n, err := w.deref(n)
	if err != nil || n == nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	return n.Value, true
}

func parseService(w *walker, file string, key, n *yaml.Node) (*raw, error) {
	r := &raw{name: key.Value, line: loc(file, key), environment: map[string]envSpec{}}
	ps, err := w.pairs(n)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		v, err := w.deref(p.Value)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		switch p.Key.Value {
		case "image":
			r.image = sval{v.Value, loc(file, v)}
		case "build":
			r.build = true
		case "working_dir":
			r.workingDir = sval{v.Value, loc(file, v)}
		case "extends":
			if v.Kind == yaml.ScalarNode {
				r.extends = &extendsRef{service: v.Value, loc: loc(file, v)}
				continue
			}
			ext := &extendsRef{loc: loc(file, v)}
			if _, sv, _ := w.get(v, "service"); sv != nil {
				ext.service = sv.Value
			}
			if _, fv, _ := w.get(v, "file"); fv != nil {
				ext.file = fv.Value
			}
			if ext.service != "" {
				r.extends = ext
			}
		case "command", "entrypoint":
			args, err := stringList(w, file, v)
			if err != nil {
				return nil, err
			}
			if p.Key.Value == "command" {
				r.command, r.commandSet, r.commandLoc = args, true, loc(file, v)
			} else {
				r.entrypoint = args
			}
		case "ports":
			items, err := w.seq(v)
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				r.ports = append(r.ports, parsePort(w, file, it)...)
			}
		case "volumes":
			items, err := w.seq(v)
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				if vs, ok := parseVolume(w, file, it); ok {
					r.volumes = append(r.volumes, vs)
				}
			}
		case "env_file":
			if v.Kind == yaml.ScalarNode {
				r.envFiles = append(r.envFiles, sval{v.Value, loc(file, v)})
				continue
			}
			items, err := w.seq(v)
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				if s, ok := scalar(w, it); ok {
					r.envFiles = append(r.envFiles, sval{s, loc(file, it)})
				} else if _, pv, _ := w.get(it, "path"); pv != nil {
					r.envFiles = append(r.envFiles, sval{pv.Value, loc(file, pv)})
				}
			}
		case "environment":
			if err := parseEnvironment(w, file, v, r); err != nil {
				return nil, err
			}
		case "mem_limit":
			r.memLimit = sval{v.Value, loc(file, v)}
		case "cpus":
			r.cpus = sval{v.Value, loc(file, v)}
		case "stop_grace_period":
			r.stopGrace = sval{v.Value, loc(file, v)}
		case "stop_signal":
			r.stopSignal = sval{v.Value, loc(file, v)}
		case "network_mode":
			r.networkMode = sval{v.Value, loc(file, v)}
		case "profiles":
			items, err := w.seq(v)
			if err != nil {
				return nil, err
			}
			r.profiles, r.profilesSet = []string{}, true
			for _, it := range items {
				if s, ok := scalar(w, it); ok {
					r.profiles = append(r.profiles, s)
				}
			}
		case "deploy":
			_, res, err := w.get(v, "resources")
			if err != nil {
				return nil, err
			}
			_, lim, err := w.get(res, "limits")
			if err != nil {
				return nil, err
			}
			if _, m, _ := w.get(lim, "memory"); m != nil && m.Kind == yaml.ScalarNode {
				r.memLimit = sval{m.Value, loc(file, m)}
			}
			if _, c, _ := w.get(lim, "cpus"); c != nil && c.Kind == yaml.ScalarNode {
				r.cpus = sval{c.Value, loc(file, c)}
			}
		}
	}
	return r, nil
}

func stringList(w *walker, file string, v *yaml.Node) ([]sval, error) {
	if v.Kind == yaml.ScalarNode {
		var out []sval
		for _, a := range splitShell(v.Value) {
			out = append(out, sval{a, loc(file, v)})
		}
		return out, nil
	}
	items, err := w.seq(v)
	if err != nil {
		return nil, err
	}
	out := make([]sval, 0, len(items))
	for _, it := range items {
		if it.Kind == yaml.ScalarNode {
			out = append(out, sval{it.Value, loc(file, it)})
		}
	}
	return out, nil
}

// splitShell splits a command string the way Compose does (shell-like words,
// quotes removed).
func splitShell(s string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote = r
			inWord = true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

func parsePort(w *walker, file string, n *yaml.Node) []portSpec {
	if n.Kind == yaml.MappingNode {
		ps := portSpec{proto: "tcp", loc: loc(file, n)}
		pairs, _ := w.pairs(n)
		for _, p := range pairs {
			s, _ := scalar(w, p.Value)
			switch p.Key.Value {
			case "target":
				ps.container = s
			case "published":
				ps.host = s
			case "host_ip":
				ps.hostIP = s
			case "protocol":
				ps.proto = s
			}
		}
		return []portSpec{ps}
	}
	s, ok := scalar(w, n)
	if !ok {
		return nil
	}
	return []portSpec{{short: s, loc: loc(file, n)}}
}

// splitPort reads the short syntax of an interpolated port:
// [[host_ip:]host:]container[/proto].
func splitPort(s string, l model.Location) portSpec {
	ps := portSpec{proto: "tcp", loc: l}
	if i := strings.LastIndex(s, "/"); i >= 0 {
		ps.proto, s = s[i+1:], s[:i]
	}
	// IPv6 host IPs are bracketed: "[::1]:8222:8222".
	if strings.HasPrefix(s, "[") {
		if j := strings.Index(s, "]:"); j > 0 {
			ps.hostIP, s = s[1:j], s[j+2:]
		}
	}
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 1:
		ps.container = parts[0]
	case 2:
		ps.host, ps.container = parts[0], parts[1]
	default:
		ps.hostIP = strings.Join(parts[:len(parts)-2], ":")
		ps.host, ps.container = parts[len(parts)-2], parts[len(parts)-1]
	}
	return ps
}

func parseVolume(w *walker, file string, n *yaml.Node) (volSpec, bool) {
	if n.Kind == yaml.MappingNode {
		vs := volSpec{loc: loc(file, n)}
		pairs, _ := w.pairs(n)
		for _, p := range pairs {
			s, _ := scalar(w, p.Value)
			switch p.Key.Value {
			case "type":
				vs.typ = s
			case "source":
				vs.source = s
			case "target":
				vs.target = s
			case "read_only":
				vs.ro = s == "true"
			}
		}
		return vs, vs.target != ""
	}
	s, ok := scalar(w, n)
	if !ok {
		return volSpec{}, false
	}
	vs := volSpec{loc: loc(file, n)}
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 1:
		vs.target, vs.typ = parts[0], "volume"
	default:
		vs.source, vs.target = parts[0], parts[1]
		if len(parts) > 2 {
			for _, o := range strings.Split(parts[2], ",") {
				if o == "ro" {
					vs.ro = true
				}
			}
		}
	}
	return vs, true
}

func parseEnvironment(w *walker, file string, v *yaml.Node, r *raw) error {
	set := func(k, val string, has bool, l model.Location) {
		if _, ok := r.environment[k]; !ok {
			r.envOrder = append(r.envOrder, k)
		}
		r.environment[k] = envSpec{val, has, l}
	}
	if v.Kind == yaml.MappingNode {
		ps, err := w.pairs(v)
		if err != nil {
			return err
		}
		for _, p := range ps {
			val, err := w.deref(p.Value)
			if err != nil {
				return err
			}
			if val == nil || (val.Kind == yaml.ScalarNode && val.Tag == "!!null") {
				set(p.Key.Value, "", false, loc(file, p.Key))
				continue
			}
			set(p.Key.Value, val.Value, true, loc(file, p.Key))
		}
		return nil
	}
	items, err := w.seq(v)
	if err != nil {
		return err
	}
	for _, it := range items {
		s, ok := scalar(w, it)
		if !ok {
			continue
		}
		if i := strings.IndexByte(s, '='); i > 0 {
			set(s[:i], s[i+1:], true, loc(file, it))
		} else {
			set(s, "", false, loc(file, it))
		}
	}
	return nil
}

// build resolves interpolation and the container environment, and parses the
// nats-server command line.
func build(r *raw, dir string, ip func(sval) (string, []string), opt Options) *Service {
	a := opt.Secrets
	s := &Service{Name: r.name, Locs: model.Locations{}, FlagLocs: model.Locations{}, FlagConfig: map[string]any{}, FlagEnv: map[string]string{}, Env: map[string]EnvEntry{}}
	d := &model.Deployment{Kind: "compose", File: r.line.File, Service: r.name, Flags: map[string]any{}, Environment: map[string]any{},
		Command: []string{}, FlagNames: []string{}, Ports: []model.Port{}, Volumes: []model.Volume{}, EnvFiles: []string{}}
	s.Deployment = d
	s.Locs.Set("deployment", r.line)
	if len(r.profiles) > 0 {
		d.Profiles = append([]string(nil), r.profiles...)
	}

	imgRef, missing := ip(r.image)
	ref := image.Split(imgRef)
	img := Image{Ref: ref, Unresolved: len(missing) > 0}
	s.Image = img
	d.Image = imgRef
	d.ImageRepo, d.ImageTag, d.ImageDigest = ref.Repo, ref.Tag, ref.Digest
	if img.Unresolved {
		// nats:${TAG}: the tag comes from the environment; show the
		// reference as written, not "nats:".
		raw := image.Split(r.image.v)
		d.Image = r.image.v
		d.ImageRepo, d.ImageTag, d.ImageDigest = raw.Repo, raw.Tag, raw.Digest
		d.ImageFromEnv = true
	}
	s.Locs.Set("deployment/image", r.image.loc)
	s.Built = r.build
	d.Built = r.build
	// NATS Streaming embeds a nats-server (its listener, auth and TLS
	// are audited), but its 0.x version is not a nats-server version.
	s.Streaming = img.Kind() == image.Streaming
	s.IsNATS = image.IsNATS(ref.Repo)

	// Container environment: env_file entries, then environment: entries.
	for _, ef := range r.envFiles {
		p, _ := ip(ef)
		rel := path.Clean(path.Join(path.Dir(ef.loc.File), p))
		d.EnvFiles = append(d.EnvFiles, rel)
		if opt.Env == nil {
			continue
		}
		f := opt.Env.EnvFile(rel)
		if f == nil {
			continue
		}
		for _, v := range f.Vars {
			val, missing := v.Value, []string(nil)
			if v.Quoted != '\'' {
				val, missing = ip(sval{v.Value, ef.loc})
			}
			s.Env[v.Name] = EnvEntry{Value: val, File: rel, Line: v.Line, Unresolved: missing, Ref: selfRef(v.Value), Raw: v.Value}
		}
	}
	for _, k := range r.envOrder {
		e := r.environment[k]
		s.Locs.Set("deployment/environment/"+k, e.loc)
		if !e.hasValue {
			continue // passed through from the host: not in the repository
		}
		val, missing := ip(sval{e.value, e.loc})
		s.Env[k] = EnvEntry{Value: val, File: e.loc.File, Line: e.loc.Line, Unresolved: missing, Ref: selfRef(e.value), Raw: e.value}
	}
	for k, e := range s.Env {
		var f *model.Secret
		if len(e.Unresolved) > 0 && e.Value == "" {
			f = a.Unresolved(e.Unresolved[0])
		} else {
			if secret.IsSecretName(k) && !secret.IsPathName(k) {
				// Masked in the snippet of its line whatever its length.
				a.RememberAt(e.File, e.Line, e.Value)
			}
			f = a.EnvFacts(k, e.Value, e.File)
			f.Origin = "literal"
			if e.Ref != "" {
				f.Origin = "env"
				f.EnvVar = e.Ref
			}
		}
		d.Environment[k] = f
	}
	d.EnvFiles = uniq(d.EnvFiles)

	for i, pspec := range r.ports {
		if pspec.short != "" {
			// Interpolated before it is split: "${PORT:-4222}:4222" has
			// colons of its own.
			v, missing := ip(sval{pspec.short, pspec.loc})
			if len(missing) > 0 {
				v = strings.TrimPrefix(v, ":")
			}
			pspec = splitPort(v, pspec.loc)
		}
		hostIP, _ := ip(sval{pspec.hostIP, pspec.loc})
		hp, _ := ip(sval{pspec.host, pspec.loc})
		cp, _ := ip(sval{pspec.container, pspec.loc})
		port := model.Port{HostIP: hostIP, Protocol: pspec.proto, HostPort: firstPort(hp), ContainerPort: firstPort(cp)}
		if hp == "" {
			port.HostPort = port.ContainerPort // a random host port on all interfaces in fact; keep the container port for matching
		}
		port.AllInterfaces = hostIP == "" || hostIP == "0.0.0.0" || hostIP == "::"
		d.Ports = append(d.Ports, port)
		s.Locs.Set(fmt.Sprintf("deployment/ports/%d", i), pspec.loc)
	}
	for i, v := range r.volumes {
		src, _ := ip(sval{v.source, v.loc})
		tgt, _ := ip(sval{v.target, v.loc})
		typ := v.typ
		if typ == "" {
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") || strings.HasPrefix(src, "~") {
				typ = "bind"
			} else {
				typ = "volume"
			}
		}
		vol := model.Volume{Type: typ, Source: src, Target: path.Clean(tgt), ReadOnly: v.ro}
		if typ == "bind" && !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, "~") && src != "" {
			vol.RepoPath = path.Clean(path.Join(path.Dir(v.loc.File), src))
		}
		d.Volumes = append(d.Volumes, vol)
		s.Locs.Set(fmt.Sprintf("deployment/volumes/%d", i), v.loc)
	}
	if r.memLimit.v != "" {
		ml, _ := ip(r.memLimit)
		if b, ok := parseMem(ml); ok {
			d.MemoryLimit = b
			s.Locs.Set("deployment/memory_limit", r.memLimit.loc)
		}
	}
	if r.cpus.v != "" {
		c, _ := ip(r.cpus)
		d.CPULimit, _ = strconv.ParseFloat(c, 64)
		s.Locs.Set("deployment/cpu_limit", r.cpus.loc)
	}
	if r.stopGrace.v != "" {
		g, _ := ip(r.stopGrace)
		if dur, err := time.ParseDuration(g); err == nil {
			d.StopGracePeriod = int64(dur)
			s.Locs.Set("deployment/stop_grace_period", r.stopGrace.loc)
		}
	}
	if r.stopSignal.v != "" {
		d.StopSignal, _ = ip(r.stopSignal)
		s.Locs.Set("deployment/stop_signal", r.stopSignal.loc)
	}
	if r.networkMode.v != "" {
		d.NetworkMode, _ = ip(r.networkMode)
		s.Locs.Set("deployment/network_mode", r.networkMode.loc)
	}
	if d.NetworkMode == "host" {
		s.NetworkModeHost = true
	}

	// The command line: interpolate, then read nats-server flags. Docker
	// runs the service's entrypoint (which replaces the image's and drops
	// its CMD) followed by its command, as Kubernetes runs command + args;
	// an entrypoint that is a shell (sh -c) runs the command as its
	// script, whose words are the command's.
	var args []sval
	// (a shell entrypoint with a one-word command runs that word as its
	// script, read below with the entrypoint's words)
	if len(r.entrypoint) == 0 || !natsflags.IsShell(r.entrypoint[0].v) || len(r.command) == 1 {
		for _, c := range r.entrypoint {
			v, _ := ip(c)
			args = append(args, sval{v, c.loc})
		}
	}
	for _, c := range r.command {
		v, _ := ip(c)
		args = append(args, sval{v, c.loc})
	}
	if r.commandSet {
		s.Locs.Set("deployment/command", r.commandLoc)
	}
	// A shell running a script ("sh -c 'nats-server -c /etc/nats/a.conf;
	// sleep 5'"): the script's words, from nats-server to its first control
	// operator, as Kubernetes commands are read (natsflags.ShellScript).
	if words, _, ok := natsflags.ShellScript(svals(args)); ok {
		args = args[:0]
		for _, w := range words {
			args = append(args, sval{w.Value, w.Loc})
		}
	}
	parseFlags(s, args, a)
	if !s.IsNATS && (runsNATSServer(args) || runsNATSServer(r.entrypoint)) {
		// A custom image whose command runs nats-server: its tag is the
		// image's release, not the server's.
		s.IsNATS = true
	}
	if !s.IsNATS {
		return s
	}
	if d.ConfigPath != "" && !path.IsAbs(d.ConfigPath) {
		// -c server.conf is read from the working directory.
		wd := image.WorkingDir
		if r.workingDir.v != "" {
			wd, _ = ip(r.workingDir)
		}
		d.ConfigPath = path.Join(wd, d.ConfigPath)
	}
	if !r.commandSet && len(r.entrypoint) == 0 && d.ConfigPath == "" && !r.build {
		// The image's CMD runs its bundled config, at the path the image
		// reads (assemble clears UsesImageDefaultConfig when the
		// service mounts its own file there).
		if cp := img.DefaultConfigPath(); cp != "" {
			d.UsesImageDefaultConfig = true
			d.ConfigPath = cp
		}
	}
	return s
}

// selfRef returns NAME when a value is exactly ${NAME}, ${NAME:-x} or $NAME.
func selfRef(v string) string {
	refs := dotenv.Refs(v)
	if len(refs) == 1 && (strings.HasPrefix(v, "${") || strings.HasPrefix(v, "$")) {
		return refs[0].Name
	}
	return ""
}

// runsNATSServer: the command or entrypoint runs the nats-server binary
// (nats-server, /usr/local/bin/nats-server), possibly through a shell.
func runsNATSServer(args []sval) bool {
	for _, a := range args {
		for _, w := range strings.Fields(a.v) {
			if path.Base(w) == "nats-server" {
				return true
			}
		}
	}
	return false
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func firstPort(s string) int {
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = s[:i]
	}
	n, _ := strconv.Atoi(s)
	return n
}

var memRe = regexp.MustCompile(`(?i)^\s*([0-9.]+)\s*([bkmg]?)b?\s*$`)

// parseMem reads compose byte values ("512M", "1g", "1.5G"): binary units.
func parseMem(s string) (int64, bool) {
	m := memRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[strings.ToLower(m[2])]
	return int64(f * mult), true
}

// svals: command words as natsflags reads them.
func svals(in []sval) []natsflags.Arg {
	out := make([]natsflags.Arg, len(in))
	for i, x := range in {
		out[i] = natsflags.Arg{Value: x.v, Loc: x.loc}
	}
	return out
}
