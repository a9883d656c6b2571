package kube

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/source/natsconf"
)

// vfile is where a config held in a ConfigMap or Secret key was written:
// how a line and column of the config map back to the manifest.
type vfile struct {
	file string
	// perLine: the config is a literal block scalar (|), whose line i is
	// line base+i of the manifest, indented by indent columns.
	perLine bool
	base    int
	indent  int
	at      model.Location // the value (other scalar styles, base64 data)
}

func (v vfile) mapLoc(l model.Location) model.Location {
	if !v.perLine {
		return v.at
	}
	col := l.Column
	if col > 0 {
		col += v.indent
	}
	return model.Location{File: v.file, Line: v.base + l.Line, Column: col}
}

// prefix marks the report paths natsconf gives the virtual files; they are
// mapped back to manifest lines and never reach a report.
const prefix = "k8s-mount:"

// vreader serves the files of a container's ConfigMap and Secret mounts to
// the natsconf parser (the main config and the files it includes), and
// nothing else: an include outside the mounts is not read.
type vreader struct {
	l      *loader
	p      *pod
	mounts []mount
	files  map[string]vfile // report path -> origin
	bytes  int
	main   string
}

func (r *vreader) register(abs string, v value) string {
	tok := prefix + abs
	vf := vfile{file: r.l.fileOf(v.obj.file, v.node), at: r.l.loc(v.obj.file, v.node)}
	switch {
	case v.disk != "":
		// A file a kustomize generator reads: its lines are the config's.
		vf = vfile{file: v.disk, perLine: true, at: v.at}
		r.l.res.ConfigFiles = append(r.l.res.ConfigFiles, v.disk)
	case v.at.File != "":
		vf.at = v.at
	case v.literal && v.node.Style&yaml.LiteralStyle != 0:
		vf.perLine = true
		vf.base = v.node.Line
		vf.indent = blockIndent(r.l.data[vf.file], v.node.Line)
	}
	r.files[tok] = vf
	return tok
}

// blockIndent is the indentation of the first non-blank line after line
// (1-based) of data: the indentation of a block scalar's content.
func blockIndent(data []byte, line int) int {
	lines := strings.Split(string(data), "\n")
	for i := line; i < len(lines); i++ {
		t := strings.TrimRight(lines[i], "\r")
		if strings.TrimSpace(t) == "" {
			continue
		}
		return len(t) - len(strings.TrimLeft(t, " "))
	}
	return 0
}

// Read implements natsconf.Reader.
func (r *vreader) Read(abs string) ([]byte, error) {
	src, ok := r.l.mounted(r.p, r.mounts, abs)
	if !ok {
		return nil, fmt.Errorf("%s is not on a ConfigMap or Secret mount of the container", abs)
	}
	if src.obj == nil {
		return nil, fmt.Errorf("%s comes from %s, which is not in the scanned manifests", abs, src.describe())
	}
	v, ok := keyValue(src.obj, src.key)
	if !ok {
		return nil, fmt.Errorf("%s has no key %s", src.describe(), src.key)
	}
	r.bytes += len(v.text)
	if r.bytes > r.l.opt.MaxConfigSize {
		return nil, fmt.Errorf("included files add up to more than %d bytes", r.l.opt.MaxConfigSize)
	}
	if src.obj.kind == "Secret" {
		r.l.useSecret(src.obj, r.main)
	}
	r.register(abs, v)
	return []byte(v.text), nil
}

// Rel implements natsconf.Reader.
func (r *vreader) Rel(abs string) string { return prefix + abs }

// parseConfig parses the config held in v, mounted at cfgPath, with the
// container's environment, and maps every location back to the manifest.
func (l *loader) parseConfig(p *pod, mounts []mount, cfgPath string, v value, env containerEnv) *natsconf.Result {
	r := &vreader{l: l, p: p, mounts: mounts, files: map[string]vfile{}, main: p.obj.name}
	r.register(cfgPath, v)
	var res *natsconf.Result
	if len(v.text) > l.opt.MaxConfigSize {
		res = &natsconf.Result{Locs: model.Locations{}, EnvRef: map[string]string{}, Errors: []model.ParseError{{
			File: prefix + cfgPath, Kind: "nats_conf", Message: fmt.Sprintf("the config is larger than %d bytes; not read", l.opt.MaxConfigSize)}}}
	} else {
		res = natsconf.Parse(cfgPath, []byte(v.text), natsconf.Options{Reader: r, Env: env, Secrets: l.opt.Secrets})
	}
	mainFile := r.files[prefix+cfgPath]
	remap := func(lc model.Location) model.Location {
		if vf, ok := r.files[lc.File]; ok {
			return vf.mapLoc(lc)
		}
		if strings.HasPrefix(lc.File, prefix) {
			return mainFile.at
		}
		return lc
	}
	for k, lc := range res.Locs {
		res.Locs[k] = remap(lc)
	}
	for i, e := range res.Errors {
		lc := remap(model.Location{File: e.File, Line: e.Line, Column: e.Column})
		if e.Line == 0 {
			lc.Line, lc.Column = 0, 0
			if vf, ok := r.files[e.File]; ok {
				lc = vf.at
			}
		}
		res.Errors[i].File, res.Errors[i].Line, res.Errors[i].Column = lc.File, lc.Line, lc.Column
		res.Errors[i].Message = strings.ReplaceAll(e.Message, prefix, "")
	}
	for i, f := range res.Files {
		res.Files[i] = strings.TrimPrefix(f, prefix)
	}
	return res
}
