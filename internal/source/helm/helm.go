// Package helm reads Helm values of the official nats chart (nats-io/k8s,
// chart 1.x and 2.x) without rendering the chart: the values, layered as
// helm install -f would layer them and completed with the chart's defaults,
// are mapped to the nats.conf the chart would render (parsed by the
// natsconf source, so normalisation and secret facts are the same as for
// any config) and to the StatefulSet, Service and nats-box the chart would
// create. Every value keeps the values line it came from; values the chart
// would take from its defaults point at the release (the umbrella chart's
// dependency, or the values file) and are named as chart defaults.
//
// What the mapping cannot follow ($tplYaml, Go templates in values,
// includes) is listed as a coverage note, never guessed.
package helm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/image"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source/natsconf"
	"github.com/natsaudit/natsaudit/internal/source/yamllimit"
)

// File is a Chart.yaml or a values file.
type File struct {
	Rel  string
	Data []byte
}

// Spec is a release named in .natsaudit.yaml (helm: releases:).
type Spec struct {
	Name    string   // release name ("" = the chart name)
	Chart   string   // "nats"
	Version string   // chart version; "" = from Chart.yaml or the newest known
	Values  []string // values files in -f order, relative to the scan root
	Source  string   // where the spec is written, for messages
}

// Options for Load.
type Options struct {
	Secrets  *secret.Analyzer
	Releases []Spec
	// Read returns a file of the scanned tree named by a Spec that discovery
	// did not classify as a values file.
	Read func(rel string) ([]byte, error)
}

// Result is what the Helm inputs hold.
type Result struct {
	Servers []*model.Server
	Secrets []*model.KubeSecret
	Errors  []model.ParseError
	Notes   []string
	Files   []string // values files and Chart.yaml read
}

type chart struct {
	file, dir, name, version string
	// dep is the nats dependency of an umbrella chart: its values key and
	// version, and where it is declared.
	depKey, depVersion string
	depLoc             model.Location
}

type release struct {
	name    string
	version string // chart version
	files   []string
	key     string // values key of the nats subchart ("" at top level)
	anchor  model.Location
	user    *vv // the merged values of the nats chart (no defaults)
	eff     *vv // user values over the chart defaults
	notes   []string
	partial func(string)
	a       *secret.Analyzer
}

// Load maps the releases found in charts and values files.
func Load(charts, values []File, opt Options) *Result {
	if opt.Secrets == nil {
		opt.Secrets, _ = secret.NewAnalyzer(secret.Params{})
	}
	l := &loader{opt: opt, res: &Result{}, values: map[string]*vv{}, data: map[string][]byte{}}
	byDir := map[string]*chart{}
	for _, f := range charts {
		if c := l.chart(f); c != nil {
			byDir[c.dir] = c
		}
	}
	for _, f := range values {
		l.data[f.Rel] = f.Data
	}
	used := map[string]bool{}
	for _, s := range opt.Releases {
		l.explicit(s, byDir, used)
	}
	// Default layering: per directory, values.yaml with each other values
	// file on top of it.
	dirs := map[string][]string{}
	for _, f := range values {
		if !used[f.Rel] {
			dirs[path.Dir(f.Rel)] = append(dirs[path.Dir(f.Rel)], f.Rel)
		}
	}
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		fs := dirs[d]
		sort.Strings(fs)
		base := ""
		var overlays []string
		for _, f := range fs {
			if b := path.Base(f); b == "values.yaml" || b == "values.yml" {
				base = f
			} else {
				overlays = append(overlays, f)
			}
		}
		c := byDir[d]
		if len(overlays) == 0 && base != "" {
			l.release(c, Spec{Values: []string{base}}, false)
		}
		for _, o := range overlays {
			files := []string{o}
			if base != "" {
				files = []string{base, o}
			}
			l.release(c, Spec{Values: files}, false)
		}
	}
	sort.Strings(l.res.Notes)
	// A values.yaml is in every release of its directory: list it once.
	sort.Strings(l.res.Files)
	l.res.Files = slices.Compact(l.res.Files)
	return l.res
}

type loader struct {
	opt    Options
	res    *Result
	values map[string]*vv
	data   map[string][]byte
	read   map[string]bool
}

func (l *loader) errorf(file string, line int, format string, args ...any) {
	l.res.Errors = append(l.res.Errors, model.ParseError{File: file, Line: line, Kind: "helm",
		Message: secret.RedactLine(l.opt.Secrets.Redact(fmt.Sprintf(format, args...)))})
}

var lineRe = regexp.MustCompile(`line (\d+)`)
var yamlPrefixRe = regexp.MustCompile(`^(yaml: )?(line \d+: )?`)

// parse decodes one YAML file into a values tree (nil on error, reported).
func (l *loader) parse(rel string, data []byte) *vv {
	if err := yamllimit.Check(data); err != nil {
		l.errorf(rel, 0, "%s", err.Error())
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &vv{kind: 'm', m: map[string]*vv{}}
		}
		line := 0
		if m := lineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		l.errorf(rel, line, "%s", yamlPrefixRe.ReplaceAllString(err.Error(), ""))
		return nil
	}
	if err := yamllimit.CheckDepth(&doc); err != nil {
		l.errorf(rel, 0, "%s", err.Error())
		return nil
	}
	v, err := fromNode(rel, &doc, &budget{n: 200000}, 0)
	if err != nil {
		l.errorf(rel, 0, "%s", err.Error())
		return nil
	}
	return v
}

func (l *loader) chart(f File) *chart {
	v := l.parse(f.Rel, f.Data)
	if v == nil || v.kind != 'm' {
		return nil
	}
	c := &chart{file: f.Rel, dir: path.Dir(f.Rel), name: v.str("name"), version: v.str("version")}
	// An umbrella chart (whatever its own name) depends on nats; a chart
	// named nats without that dependency is the nats chart itself.
	if deps := v.get("dependencies"); deps != nil && deps.kind == 'a' {
		for _, d := range deps.arr {
			if d.str("name") != "nats" {
				continue
			}
			c.depKey = orDefault(d.str("alias"), "nats")
			c.depVersion = d.str("version")
			c.depLoc = d.loc
			l.res.Files = append(l.res.Files, f.Rel)
			return c
		}
	}
	if c.name == "nats" {
		c.depVersion = c.version
		c.depLoc = v.get("name").loc
		l.res.Files = append(l.res.Files, f.Rel)
		return c
	}
	return nil // a chart that does not deploy nats
}

func (l *loader) explicit(s Spec, byDir map[string]*chart, used map[string]bool) {
	if s.Chart != "" && s.Chart != "nats" {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: chart %q is not the nats chart; not mapped", s.Source, s.Chart))
		return
	}
	for _, f := range s.Values {
		used[f] = true
		if _, ok := l.data[f]; !ok && l.opt.Read != nil {
			data, err := l.opt.Read(f)
			if err != nil {
				l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: values file %s: %v", s.Source, f, err))
				return
			}
			l.data[f] = data
		}
	}
	var c *chart
	if len(s.Values) > 0 {
		c = byDir[path.Dir(s.Values[0])]
	}
	l.release(c, s, true)
}

// natsShape: values that configure the nats chart (top level, or under
// the subchart key).
func natsShape(v *vv) bool {
	if v == nil || v.kind != 'm' {
		return false
	}
	if cfg := v.get("config"); cfg != nil && cfg.kind == 'm' {
		for _, k := range []string{"cluster", "jetstream", "nats", "monitor", "leafnodes", "websocket", "merge", "gateway", "mqtt"} {
			if cfg.m[k] != nil {
				return true
			}
		}
	}
	return v.get("natsBox") != nil || v.get("container/image") != nil && v.get("reloader") != nil
}

func (l *loader) release(c *chart, s Spec, explicit bool) {
	var user *vv
	for _, f := range s.Values {
		if !l.read[f] {
			if l.read == nil {
				l.read = map[string]bool{}
			}
			l.read[f] = true
			if v := l.parse(f, l.data[f]); v != nil {
				l.values[f] = v
			}
		}
		v := l.values[f]
		if v == nil {
			return // reported
		}
		if user == nil {
			user = v
		} else {
			user = merge(user, v)
		}
	}
	if user == nil {
		return
	}
	r := &release{name: orDefault(s.Name, "nats"), files: s.Values, a: l.opt.Secrets}
	last := s.Values[len(s.Values)-1]
	r.anchor = model.Location{File: s.Values[0], Line: 1}
	switch {
	case c != nil && c.depKey != "":
		r.key, r.version, r.anchor = c.depKey, c.depVersion, c.depLoc
		user = user.get(c.depKey)
		if user == nil {
			user = &vv{kind: 'm', m: map[string]*vv{}}
		}
	case c != nil:
		r.version, r.anchor = c.depVersion, c.depLoc
	default:
		if !natsShape(user) {
			if nested := user.get("nats"); natsShape(nested) {
				r.key, user = "nats", nested
			} else if !explicit {
				return // not a nats release
			}
		}
		if k := user.key; k.File != "" && r.key != "" {
			r.anchor = k
		}
	}
	if s.Version != "" {
		r.version = s.Version
	}
	l.res.Files = append(l.res.Files, s.Values...)
	r.partial = func(msg string) { r.notes = append(r.notes, msg) }
	l.build(r, user, last)
}

var semverRe = regexp.MustCompile(`^\D*(\d+\.\d+\.\d+)`)

func (l *loader) build(r *release, user *vv, last string) {
	a := l.opt.Secrets
	what := fmt.Sprintf("Helm release %s (%s)", r.name, strings.Join(r.files, " + "))
	// The chart version picks the default image tag.
	ver := r.version
	if m := semverRe.FindStringSubmatch(ver); m != nil {
		ver = m[1]
	}
	app, known := appVersions[ver]
	switch {
	case known:
	case strings.HasPrefix(ver, "0."):
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: nats chart %s uses the pre-1.0 values layout, which natsaudit does not map", what, r.version))
		return
	default:
		if r.version != "" {
			l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: nats chart version %s is not known to this build; the defaults of chart %s are assumed", what, r.version, latestChart))
		} else {
			l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: the nats chart version is not given; the defaults of chart %s are assumed", what, latestChart))
		}
		ver, app = latestChart, appVersions[latestChart]
	}
	var defDoc yaml.Node
	_ = yaml.Unmarshal([]byte(chartDefaults), &defDoc)
	defaults, _ := fromNode("", &defDoc, &budget{n: 10000}, 0)
	defaults.get("container/image").set("tag", &vv{kind: 's', s: app + "-alpine", tag: "!!str"})
	r.user = user
	r.eff = merge(defaults, user)
	var tpl []string
	templated(user, r.key, &tpl)
	for _, t := range tpl {
		r.partial(t + ": a template (the chart renders it; natsaudit does not)")
	}

	srv := &model.Server{Name: r.name, Locs: model.Locations{}, ConfigEnv: map[string]string{}, Certs: []*model.Cert{}}
	srv.AddSource("helm")
	srv.AddSource("config")
	d := l.deployment(r, srv, last)
	srv.Deployment = d

	// nats.conf as the chart renders it, parsed by natsconf.
	cfg := r.renderConfig()
	g := &gen{}
	g.write(cfg, 0)
	env := releaseEnv{r: r}
	res := natsconf.Parse("/etc/nats-config/nats.conf", []byte(g.b.String()), natsconf.Options{Env: env, Secrets: a})
	defaults2 := map[string]bool{}
	mapLoc := func(lc model.Location) (model.Location, bool) {
		if lc.Line < 1 || lc.Line > len(g.lines) {
			return r.anchor, true
		}
		src := g.lines[lc.Line-1]
		if src.File == "" {
			return r.anchor, true
		}
		return src, false
	}
	for k, lc := range res.Locs {
		m, def := mapLoc(lc)
		srv.Locs[k] = m
		if def {
			defaults2[k] = true
		}
	}
	for _, e := range res.Errors {
		m, _ := mapLoc(model.Location{Line: e.Line})
		e.File, e.Line, e.Column, e.Kind = m.File, m.Line, 0, "helm"
		e.Message = "rendered config: " + e.Message
		l.res.Errors = append(l.res.Errors, e)
	}
	if res.OK() {
		srv.Config = res.Config
	} else {
		srv.Config = map[string]any{}
	}
	for k, v := range res.EnvRef {
		srv.ConfigEnv[strings.TrimPrefix(k, "config/")] = v
	}
	// No file holds the rendered config: findings about the config as a
	// whole go to the release (its config: block, or the anchor).
	srv.Locs.Set("config", r.locOr("config"))
	srv.Defaults = defaults2
	srv.Version = image.Version(d.ImageTag)
	if len(r.notes) > 0 {
		d.Kubernetes.Partial = r.notes
		for _, n := range r.notes {
			l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s: mapping partial: %s", what, n))
		}
	}
	l.natsBox(r)
	l.res.Servers = append(l.res.Servers, srv)
}

// releaseEnv resolves $VARs of the rendered config from container.env
// literals; SERVER_NAME and POD_NAME are set at run time.
type releaseEnv struct{ r *release }

func (e releaseEnv) Lookup(name string) (string, string, bool) {
	v := e.r.eff.get("container/env/" + name)
	if v == nil || v.kind != 's' || v.isNull() {
		return "", "", false
	}
	return v.s, v.loc.File, true
}
