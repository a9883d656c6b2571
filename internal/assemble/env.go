package assemble

import (
	"path"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source/compose"
	"github.com/natsaudit/natsaudit/internal/source/dotenv"
)

// envValue is a resolved .env value, kept in memory only.
type envValue struct {
	value string
	file  string
	line  int
	ref   string // the variable a ${NAME:-x} value refers to
	// unresolved: the value refers to a variable the repository does not
	// define, without a default (KEY=${KEY}): set from the environment at
	// run time, value unknown (never "empty").
	unresolved string
}

// envFiles holds the parsed .env files and their resolved values.
type envFiles struct {
	files    map[string]*dotenv.File
	resolved map[string]map[string]envValue // file → name → value
}

// EnvFile implements compose.EnvSource.
func (e *envFiles) EnvFile(rel string) *dotenv.File { return e.files[path.Clean(rel)] }

var _ compose.EnvSource = (*envFiles)(nil)

// resolve interpolates each variable of a .env file with the variables
// defined before it in the same file (never itself, never the process env).
// out holds, at each step, the last definition of every name read so far:
// one map lookup per reference, linear in the file.
func resolveFile(f *dotenv.File, rel string) map[string]envValue {
	out := map[string]envValue{}
	for _, v := range f.Vars {
		val := v.Value
		var missing []string
		if v.Quoted != '\'' {
			val, missing = dotenv.Interpolate(v.Value, func(name string) (string, bool) {
				if name == v.Name {
					return "", false
				}
				x, ok := out[name]
				if x.unresolved != "" {
					return "", false // known only at run time
				}
				return x.value, ok
			})
		}
		ref := ""
		if refs := dotenv.Refs(v.Value); len(refs) == 1 && v.Quoted != '\'' {
			ref = refs[0].Name
		}
		ev := envValue{value: val, file: rel, line: v.Line, ref: ref}
		if len(missing) > 0 {
			ev.unresolved = missing[0]
		}
		out[v.Name] = ev
	}
	return out
}

// facts describes an env value without revealing it.
func facts(a *secret.Analyzer, name string, v envValue) *model.Secret {
	if v.unresolved != "" {
		s := a.Unresolved(v.unresolved)
		s.Path = secret.IsPathName(name)
		return s
	}
	s := a.EnvFacts(name, v.value, v.file)
	s.Origin = "literal"
	if v.ref != "" {
		s.Origin = "env"
		s.EnvVar = v.ref
	}
	return s
}

// serviceEnv resolves $VARs of a config mounted into a compose service: the
// container's environment first, then the repository's unambiguous values.
type serviceEnv struct {
	svc  *compose.Service
	repo *repoEnv
}

func (s serviceEnv) Lookup(name string) (string, string, bool) {
	if s.svc != nil {
		if e, ok := s.svc.Env[name]; ok {
			if len(e.Unresolved) > 0 && e.Value == "" {
				return "", "", false
			}
			return e.Value, e.File, true
		}
	}
	return s.repo.Lookup(name)
}

// repoEnv resolves a name from all .env files when they agree.
type repoEnv struct {
	values map[string][]envValue
}

func (r *repoEnv) Lookup(name string) (string, string, bool) {
	var vs []envValue
	for _, v := range r.values[name] {
		if v.unresolved == "" { // KEY=${KEY}: known only at run time
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return "", "", false
	}
	for _, v := range vs[1:] {
		if v.value != vs[0].value {
			return "", "", false // ambiguous: the repo defines it differently in several places
		}
	}
	return vs[0].value, vs[0].file, true
}
