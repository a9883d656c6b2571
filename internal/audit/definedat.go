package audit

import (
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/report"
)

// imageVarRef is a compose image line whose reference takes its tag (or
// all of it) from one variable: image: nats:${NATS_TAG}.
var imageVarRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}?`)

// The fix kinds (METADATA custom.fix_kind) whose change is to the value
// itself, so that the value's definition is what changes: the image's
// version, a secret.
const (
	fixVersion = "nats_version"
	fixSecret  = "secret_value"
)

// setDefinedAt records where a value that comes from a variable is
// defined: the line of the .env file next to the compose file (the file
// Compose interpolates from) that sets the variable. Several services whose
// image is nats:${NATS_TAG}, or whose password is ${NATS_PASSWORD} (in a
// command, an environment entry, a config key that reads it), then have
// one root cause, the .env line, and are shown and scored once
// (report.RootCause): one change fixes them all.
//
// Only for the findings whose fix changes the value (fix kinds
// nats_version and secret_value): another rule at the same place (the
// image's default config, a password passed on the command line) needs a
// change at each place.
func setDefinedAt(inv *model.Inventory, lines *lineCache, fs []report.Finding) {
	d := &definitions{lines: lines, envs: map[string]*model.EnvFile{}, servers: map[string][]*model.Server{}, confVars: map[confVar]confVarDef{}}
	for _, ef := range inv.EnvFiles {
		d.envs[ef.File] = ef
	}
	// Servers by name, once: a finding names its server, and looking it up
	// among all servers per finding grew with findings × servers.
	for _, c := range inv.Servers {
		d.servers[c.Name] = append(d.servers[c.Name], c)
	}
	envs := d.envs
	for i := range fs {
		f := &fs[i]
		if f.Location == nil || f.DefinedAt != nil {
			continue
		}
		switch {
		case f.FixKind == fixVersion && f.Path == "deployment/image":
			ms := imageVarRef.FindAllStringSubmatch(lines.line(f.Location.File, f.Location.Line), -1)
			if len(ms) != 1 {
				continue
			}
			ef := envs[path.Join(path.Dir(f.Location.File), ".env")]
			if ef == nil {
				continue
			}
			if l, ok := ef.Locs["vars/"+ms[0][1]]; ok && l.Valid() && l.Line > 0 {
				f.DefinedAt = &report.Location{File: l.File, Line: l.Line}
			}
		case f.FixKind == fixSecret && f.TargetKind == "server":
			if l, ok := d.secretDefinition(f); ok {
				f.DefinedAt = &report.Location{File: l.File, Line: l.Line}
			}
		}
	}
}

// secretDefinition is the line that defines the secret a server's finding
// is about, when that is another line: the value is followed from where
// the finding is through the variables it reads — a config key's
// $NATS_PASSWORD to the server's compose environment entry, an entry's
// ${NATS_PASSWORD} (or the one ${VAR} on a line Compose interpolated, such
// as a --pass flag) to the .env next to the compose file or the file it was
// resolved from — to where it is written. A .env definition counts only
// when the value it holds is the value the finding judges (the same keyed
// digest): a default or another source in between is another value.
func (d *definitions) secretDefinition(f *report.Finding) (model.Location, bool) {
	envs, lines := d.envs, d.lines
	var v *model.Secret
	var s *model.Server
	for _, c := range d.servers[f.TargetName] {
		if l := lookup(c.Locs, f.Path); !l.Valid() || l.File != f.Location.File || l.Line != f.Location.Line {
			continue
		}
		if x := secretAt(c, f.Path); x != nil {
			if v != nil && v.Digest != x.Digest {
				return model.Location{}, false // two servers, two values: not known which
			}
			v, s = x, c
		}
	}
	if v == nil || v.Digest == "" {
		return model.Location{}, false
	}
	at := model.Location{File: f.Location.File, Line: f.Location.Line}
	name := ""
	for step := 0; step < 4 && name == ""; step++ {
		if v.Origin == "env" && v.EnvVar != "" {
			name = v.EnvVar
			// Read from the server's compose environment: follow the entry.
			if d := s.Deployment; d != nil && v.ResolvedFrom == d.File {
				if e, ok := d.Environment[name].(*model.Secret); ok && e != v && e.Digest == v.Digest {
					if l := lookup(s.Locs, "deployment/environment/"+name); l.Valid() {
						v, at, name = e, model.Location{File: l.File, Line: l.Line}, ""
					}
				}
			}
			continue
		}
		// Written here, or interpolated by Compose from the one ${VAR}
		// of the line.
		seen := map[string]bool{}
		for _, m := range imageVarRef.FindAllStringSubmatch(lines.line(at.File, at.Line), -1) {
			seen[m[1]] = true
		}
		if len(seen) != 1 {
			break
		}
		for k := range seen {
			name = k
		}
	}
	def := at
	if name != "" {
		var files []string
		if s.Deployment != nil && s.Deployment.File != "" {
			files = append(files, path.Join(path.Dir(s.Deployment.File), ".env"))
		}
		if v.ResolvedFrom != "" {
			files = append(files, v.ResolvedFrom)
		}
		var found model.Location
		for _, file := range files {
			ef := envs[file]
			if ef == nil {
				continue
			}
			ev := ef.Vars[name]
			l, ok := ef.Locs["vars/"+name]
			if ev == nil || ev.Facts == nil || ev.Facts.Digest != v.Digest || !ok || !l.Valid() {
				continue
			}
			if found.Valid() && (found.File != l.File || found.Line != l.Line) {
				return model.Location{}, false // defined twice with the same value: two lines to change
			}
			found = model.Location{File: l.File, Line: l.Line}
		}
		if found.Valid() {
			def = found
		} else if v.Origin == "literal" && lines.kind[at.File] == discover.KindNatsConf {
			// A config variable ($PASS) the config file defines: the
			// parser resolved the use to that definition's value.
			if l, ok := d.confVarDefinition(at, name); ok {
				def = l
			}
		}
	}
	if def.File == f.Location.File && def.Line == f.Location.Line {
		return model.Location{}, false
	}
	return def, true
}

// confVarDefinition is the one line of a nats.conf file that defines the
// variable name (NAME = value, NAME: value, NAME value), other than the
// line that uses it. None when the file defines it twice (scopes: not
// known which one the use reads) or not at all (an include, the
// environment).
//
// The lines defining a name are found once per file and name (several
// users and servers read one variable), the use's own line left out after.
func (d *definitions) confVarDefinition(use model.Location, name string) (model.Location, bool) {
	k := confVar{use.File, name}
	defs, ok := d.confVars[k]
	if !ok {
		def := regexp.MustCompile(`^\s*"?` + regexp.QuoteMeta(name) + `"?\s*(?:[=:]|\s)\s*\S`)
		for n := 1; n <= d.lines.count(use.File) && len(defs) < 3; n++ {
			if def.MatchString(d.lines.line(use.File, n)) {
				defs = append(defs, n)
			}
		}
		d.confVars[k] = defs
	}
	var found model.Location
	for _, n := range defs {
		if n == use.Line {
			continue
		}
		if found.Valid() {
			return model.Location{}, false
		}
		found = model.Location{File: use.File, Line: n}
	}
	return found, found.Valid()
}

// definitions holds what setDefinedAt looks up for every finding, built
// once per audit.
type definitions struct {
	lines    *lineCache
	envs     map[string]*model.EnvFile
	servers  map[string][]*model.Server // by name
	confVars map[confVar]confVarDef
}

// confVar is a variable name in one config file.
type confVar struct{ file, name string }

// confVarDef are the lines of a config file that match a variable's
// definition (at most 3: the use, and two definitions already make it
// ambiguous).
type confVarDef []int

// secretAt is the secret a server holds at a finding's path: a config key
// (config/authorization/users/0/password) or a deployment environment
// entry (deployment/environment/NATS_PASSWORD); nil for anything else.
func secretAt(s *model.Server, p string) *model.Secret {
	if name, ok := strings.CutPrefix(p, "deployment/environment/"); ok {
		if s.Deployment == nil {
			return nil
		}
		v, _ := s.Deployment.Environment[name].(*model.Secret)
		return v
	}
	rest, ok := strings.CutPrefix(p, "config/")
	if !ok {
		return nil
	}
	var cur any = s.Config
	for _, seg := range strings.Split(rest, "/") {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			cur = x[i]
		default:
			return nil
		}
	}
	v, _ := cur.(*model.Secret)
	return v
}
