// Package compose reads Docker Compose files with yaml.v3 nodes, so that every
// value keeps its line: services, nats-server command flags, ports, volumes,
// environment and resource limits. Override files are merged onto the base
// file the way Compose merges them.
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
}

// Project is a base compose file with its overrides merged.
type Project struct {
	Dir      string
	Files    []string
	Services []*Service
	Errors   []model.ParseError
}

var overrideRe = regexp.MustCompile(`^(docker-)?compose\.(.+)\.ya?ml$`)

// Group orders compose files per directory: the base first, then
// docker-compose.override.yml, then other overrides alphabetically. An
// override without a base in its directory is treated as a base.
func Group(files []Input) [][]Input {
	byDir := map[string][]Input{}
	for _, f := range files {
		byDir[path.Dir(f.Rel)] = append(byDir[path.Dir(f.Rel)], f)
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	var out [][]Input
	for _, d := range dirs {
		fs := byDir[d]
		rank := func(f Input) (int, string) {
			b := strings.ToLower(path.Base(f.Rel))
			m := overrideRe.FindStringSubmatch(b)
			switch {
			case m == nil:
				return 0, b
			case m[2] == "override":
				return 1, b
			default:
				return 2, b
			}
		}
		sort.Slice(fs, func(i, j int) bool {
			ri, bi := rank(fs[i])
			rj, bj := rank(fs[j])
			if ri != rj {
				return ri < rj
			}
			return bi < bj
		})
		// Several bases in one directory (docker-compose.yml and compose.yaml)
		// are separate projects; overrides go with the first.
		var bases, overrides []Input
		for _, f := range fs {
			if r, _ := rank(f); r == 0 {
				bases = append(bases, f)
			} else {
				overrides = append(overrides, f)
			}
		}
		if len(bases) == 0 {
			out = append(out, overrides)
			continue
		}
		out = append(out, append([]Input{bases[0]}, overrides...))
		for _, b := range bases[1:] {
			out = append(out, []Input{b})
		}
	}
	return out
}

// Options for Load.
type Options struct {
	Env     EnvSource
	Secrets *secret.Analyzer
	// NodeBudget bounds the YAML nodes visited per file.
	NodeBudget int
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
	// Interpolation uses the project's .env only, never the process env.
	var dotEnv *dotenv.File
	if opt.Env != nil {
		dotEnv = opt.Env.EnvFile(path.Join(p.Dir, ".env"))
	}
	merged := map[string]*raw{}
	var order []string
	for _, f := range files {
		p.Files = append(p.Files, f.Rel)
		svcs, err := parseFile(f, opt.NodeBudget)
		if err != nil {
			p.Errors = append(p.Errors, model.ParseError{File: f.Rel, Line: yamlErrLine(err), Kind: "compose",
				Message: secret.RedactLine(opt.Secrets.Redact(yamlMessage(err)))})
			continue
		}
		for _, s := range svcs {
			if cur, ok := merged[s.name]; ok {
				cur.merge(s)
			} else {
				merged[s.name] = s
				order = append(order, s.name)
			}
		}
	}
	for _, name := range order {
		p.Services = append(p.Services, build(merged[name], p.Dir, dotEnv, opt))
	}
	return p
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
}

type portSpec struct {
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
	for _, pr := range []struct{ dst, src *sval }{{&r.memLimit, &o.memLimit}, {&r.cpus, &o.cpus}, {&r.stopGrace, &o.stopGrace}, {&r.stopSignal, &o.stopSignal}, {&r.networkMode, &o.networkMode}} {
		if pr.src.v != "" {
			*pr.dst = *pr.src
		}
	}
}

func parseFile(f Input, budget int) ([]*raw, error) {
	if err := yamllimit.Check(f.Data); err != nil {
		return nil, err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil, nil
		}
		return nil, err
	}
	if err := yamllimit.CheckDepth(&doc); err != nil {
		return nil, err
	}
	w := &walker{budget: budget}
	_, services, err := w.get(&doc, "services")
	if err != nil {
		return nil, err
	}
	ps, err := w.pairs(services)
	if err != nil {
		return nil, err
	}
	var out []*raw
	for _, p := range ps {
		r, err := parseService(w, f.Rel, p.Key, p.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
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
	ps := portSpec{proto: "tcp", loc: loc(file, n)}
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
	return []portSpec{ps}
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
func build(r *raw, dir string, dotEnv *dotenv.File, opt Options) *Service {
	a := opt.Secrets
	interp := func(s string) (string, []string) {
		return dotenv.Interpolate(s, func(name string) (string, bool) {
			if dotEnv == nil {
				return "", false
			}
			v, ok := dotEnv.Lookup(name)
			return v.Value, ok
		})
	}
	s := &Service{Name: r.name, Locs: model.Locations{}, FlagLocs: model.Locations{}, FlagConfig: map[string]any{}, FlagEnv: map[string]string{}, Env: map[string]EnvEntry{}}
	d := &model.Deployment{Kind: "compose", File: r.line.File, Service: r.name, Flags: map[string]any{}, Environment: map[string]any{},
		Command: []string{}, FlagNames: []string{}, Ports: []model.Port{}, Volumes: []model.Volume{}, EnvFiles: []string{}}
	s.Deployment = d
	s.Locs.Set("deployment", r.line)

	img, _ := interp(r.image.v)
	d.Image = img
	ref := image.Split(img)
	d.ImageRepo, d.ImageTag, d.ImageDigest = ref.Repo, ref.Tag, ref.Digest
	s.Locs.Set("deployment/image", r.image.loc)
	s.IsNATS = image.IsNATS(d.ImageRepo)

	// Container environment: env_file entries, then environment: entries.
	for _, ef := range r.envFiles {
		p, _ := interp(ef.v)
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
				val, missing = interp(v.Value)
			}
			s.Env[v.Name] = EnvEntry{Value: val, File: rel, Line: v.Line, Unresolved: missing, Ref: selfRef(v.Value)}
		}
	}
	for _, k := range r.envOrder {
		e := r.environment[k]
		s.Locs.Set("deployment/environment/"+k, e.loc)
		if !e.hasValue {
			continue // passed through from the host: not in the repository
		}
		val, missing := interp(e.value)
		s.Env[k] = EnvEntry{Value: val, File: e.loc.File, Line: e.loc.Line, Unresolved: missing, Ref: selfRef(e.value)}
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
		hostIP, _ := interp(pspec.hostIP)
		hp, _ := interp(pspec.host)
		cp, _ := interp(pspec.container)
		port := model.Port{HostIP: hostIP, Protocol: pspec.proto, HostPort: firstPort(hp), ContainerPort: firstPort(cp)}
		if hp == "" {
			port.HostPort = port.ContainerPort // a random host port on all interfaces in fact; keep the container port for matching
		}
		port.AllInterfaces = hostIP == "" || hostIP == "0.0.0.0" || hostIP == "::"
		d.Ports = append(d.Ports, port)
		s.Locs.Set(fmt.Sprintf("deployment/ports/%d", i), pspec.loc)
	}
	for i, v := range r.volumes {
		src, _ := interp(v.source)
		tgt, _ := interp(v.target)
		typ := v.typ
		if typ == "" {
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") || strings.HasPrefix(src, "~") {
				typ = "bind"
			} else {
				typ = "volume"
			}
		}
		vol := model.Volume{Type: typ, Source: src, Target: path.Clean(tgt), ReadOnly: v.ro}
		if typ == "bind" && !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, "~") {
			vol.RepoPath = path.Clean(path.Join(path.Dir(v.loc.File), src))
		}
		d.Volumes = append(d.Volumes, vol)
		s.Locs.Set(fmt.Sprintf("deployment/volumes/%d", i), v.loc)
	}
	if r.memLimit.v != "" {
		ml, _ := interp(r.memLimit.v)
		if b, ok := parseMem(ml); ok {
			d.MemoryLimit = b
			s.Locs.Set("deployment/memory_limit", r.memLimit.loc)
		}
	}
	if r.cpus.v != "" {
		c, _ := interp(r.cpus.v)
		d.CPULimit, _ = strconv.ParseFloat(c, 64)
		s.Locs.Set("deployment/cpu_limit", r.cpus.loc)
	}
	if r.stopGrace.v != "" {
		g, _ := interp(r.stopGrace.v)
		if dur, err := time.ParseDuration(g); err == nil {
			d.StopGracePeriod = int64(dur)
			s.Locs.Set("deployment/stop_grace_period", r.stopGrace.loc)
		}
	}
	if r.stopSignal.v != "" {
		d.StopSignal, _ = interp(r.stopSignal.v)
		s.Locs.Set("deployment/stop_signal", r.stopSignal.loc)
	}
	if r.networkMode.v != "" {
		d.NetworkMode, _ = interp(r.networkMode.v)
		s.Locs.Set("deployment/network_mode", r.networkMode.loc)
	}
	if d.NetworkMode == "host" {
		s.NetworkModeHost = true
	}

	// The command line: interpolate, then read nats-server flags.
	var args []sval
	for _, c := range r.command {
		v, _ := interp(c.v)
		args = append(args, sval{v, c.loc})
	}
	if !r.commandSet && len(r.entrypoint) > 0 {
		for _, c := range r.entrypoint {
			v, _ := interp(c.v)
			args = append(args, sval{v, c.loc})
		}
	}
	if r.commandSet {
		s.Locs.Set("deployment/command", r.commandLoc)
	}
	parseFlags(s, args, a)
	if s.IsNATS || looksLikeNATSCommand(args) {
		s.IsNATS = true
		if !r.commandSet && d.ConfigPath == "" {
			// The official image's CMD runs its bundled config.
			d.UsesImageDefaultConfig = true
			d.ConfigPath = "/etc/nats/nats-server.conf"
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

func looksLikeNATSCommand(args []sval) bool {
	for _, a := range args {
		if strings.HasSuffix(a.v, "nats-server") {
			return true
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
