package kube

import (
	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
)

// envEntry is one variable of a container's environment, in memory only.
type envEntry struct {
	value    string
	file     string // where the value is written
	resolved bool   // the value is known (literal, or from a ConfigMap/Secret in the repo)
	literal  bool   // written in the workload itself
	runtime  bool   // set by Kubernetes at run time (fieldRef, resourceFieldRef)
}

// containerEnv resolves $VARs of a config from the container's environment,
// never from the scanning machine's.
type containerEnv map[string]envEntry

// Lookup implements natsconf.Env.
func (e containerEnv) Lookup(name string) (string, string, bool) {
	v, ok := e[name]
	if !ok || !v.resolved {
		return "", "", false
	}
	return v.value, v.file, true
}

// environment reads env and envFrom, following ConfigMap and Secret
// references into the repository, and records facts (never values) in the
// deployment.
func (l *loader) environment(p *pod, c *yaml.Node, srv *model.Server) containerEnv {
	a := l.opt.Secrets
	d := srv.Deployment
	o := p.obj
	env := containerEnv{}
	fromObject := func(m map[string][]*object, name, key string) (envEntry, bool) {
		so := l.find(m, o, name)
		if so == nil {
			return envEntry{}, false
		}
		if so.kind == "Secret" {
			l.useSecret(so, srv.Name)
		}
		v, ok := keyValue(so, key)
		if !ok {
			return envEntry{}, false
		}
		return envEntry{value: v.text, file: l.keyLoc(so, key).File, resolved: true}, true
	}
	for _, ef := range items(c, "envFrom") {
		prefix := str(ef, "prefix")
		for _, kind := range []string{"configMapRef", "secretRef"} {
			name := str(ef, kind, "name")
			if name == "" {
				continue
			}
			m := l.configMaps
			if kind == "secretRef" {
				m = l.secrets
			}
			so := l.find(m, o, name)
			if so == nil {
				continue
			}
			for _, key := range keys(so) {
				if e, ok := fromObject(m, name, key); ok {
					env[prefix+key] = e
					srv.Locs.Set("deployment/environment/"+prefix+key, l.keyLoc(so, key))
				}
			}
		}
	}
	for _, en := range items(c, "env") {
		name := str(en, "name")
		if name == "" {
			continue
		}
		srv.Locs.Set("deployment/environment/"+name, l.loc(o.file, en))
		vn := at(en, "value")
		vf := at(en, "valueFrom")
		switch {
		case vf != nil:
			e := envEntry{}
			if ref := at(vf, "secretKeyRef"); ref != nil {
				e, _ = fromObject(l.secrets, str(ref, "name"), str(ref, "key"))
			} else if ref := at(vf, "configMapKeyRef"); ref != nil {
				e, _ = fromObject(l.configMaps, str(ref, "name"), str(ref, "key"))
			} else {
				e.runtime = true
			}
			env[name] = e
		case vn != nil && vn.Kind == yaml.ScalarNode:
			env[name] = envEntry{value: vn.Value, file: o.file, resolved: true, literal: true}
		default:
			env[name] = envEntry{value: "", file: o.file, resolved: true, literal: true}
		}
	}
	for name, e := range env {
		var f *model.Secret
		switch {
		case e.runtime:
			// POD_NAME and the like: not a secret, not in the repository.
			f = &model.Secret{Secret: true, Origin: "env", EnvVar: name}
		case !e.resolved:
			f = a.Unresolved(name)
		default:
			f = a.EnvFacts(name, e.value, e.file)
			f.Origin = "literal"
			if !e.literal {
				// From a ConfigMap or Secret: judged where it is written.
				f.Origin = "env"
				f.EnvVar = name
			}
		}
		d.Environment[name] = f
	}
	return env
}

// keyLoc is where the value of key is written: the data/stringData key of
// a manifest, the literal, env file line or file of a generator.
func (l *loader) keyLoc(o *object, key string) model.Location {
	if o.gen != nil {
		if g, ok := o.gen[key]; ok {
			return g.at
		}
		return l.loc(o.file, o.node)
	}
	return l.loc(o.file, keyNode(o, key))
}

func keyNode(o *object, key string) *yaml.Node {
	for _, sect := range []string{"stringData", "data"} {
		if k, _ := get(at(o.node, sect), key); k != nil {
			return k
		}
	}
	return o.node
}
