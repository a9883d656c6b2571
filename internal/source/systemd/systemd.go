// Package systemd reads systemd unit files that run nats-server (the usual
// way to run NATS on a VM: /etc/systemd/system/nats.service with
// ExecStart=/usr/bin/nats-server -c /etc/nats/nats.conf). A unit is a
// workload (package source): its ExecStart flags are read by natsflags, its
// Environment= and EnvironmentFile= are the environment the config's $VARs
// see, and the -c config is the repository's file at that host path
// (assemble links it, as it links a compose service to the config it
// mounts).
package systemd

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/natsflags"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source"
	"github.com/natsaudit/natsaudit/internal/source/dotenv"
)

// Kind is the kind of a unit file.
const Kind = "systemd_unit"

// Source reads systemd units.
type Source struct{}

var _ source.Loader = Source{}

// Name implements source.Source.
func (Source) Name() string { return "systemd" }

// Recognise implements source.Source: *.service files, when they run
// nats-server (Content).
func (Source) Recognise(base string, _ bool) source.Match {
	if strings.HasSuffix(strings.ToLower(base), ".service") {
		return source.Match{Kind: Kind, Level: source.Sniff}
	}
	return source.Match{}
}

// execStartNATS: an ExecStart= line whose command is nats-server (the
// line may continue on the next ones).
var execStartNATS = regexp.MustCompile(`(?m)^[ \t]*ExecStart[ \t]*=[ \t]*[-@:+!]*[ \t]*["']?[^\s"']*\bnats-server["']?(\s|\\|$)`)

// Content implements source.Source.
func (Source) Content(_ string, data []byte, _ bool) string {
	if source.LooksText(data) && execStartNATS.Match(data) {
		return Kind
	}
	return ""
}

// Comments implements source.Source: unit files comment with # (and ;,
// which inline ignores do not use).
func (Source) Comments(string, string) source.Comments { return source.Hash }

// Load implements source.Loader: each unit running nats-server is a
// workload.
func (Source) Load(ctx *source.Context, files []source.File) *source.Facts {
	facts := &source.Facts{}
	for _, f := range files {
		u := parse(f.Rel, string(f.Data))
		w := u.workload(ctx, facts)
		if w == nil {
			continue
		}
		facts.Read = append(facts.Read, source.ReadFile{Rel: f.Rel, Kind: Kind})
		facts.Workloads = append(facts.Workloads, w)
	}
	return facts
}

// unit is what natsaudit reads of a unit file's [Service] section.
type unit struct {
	file      string
	execStart []word // the last ExecStart= (an empty one resets the list)
	execLine  int
	env       []assignment // Environment=, in order
	envFiles  []assignment // EnvironmentFile= (Value: the path; Line)
	user      string
}

// word is a word of a command line and the line it starts on.
type word struct {
	value string
	line  int
}

type assignment struct {
	name, value string
	line        int
}

// parse reads the [Service] section of a unit: key=value lines, a trailing
// backslash continuing a line, # and ; comments.
func parse(rel, data string) *unit {
	u := &unit{file: rel}
	section := ""
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		l := strings.TrimRight(lines[i], "\r")
		t := strings.TrimSpace(l)
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			section = t[1 : len(t)-1]
			continue
		}
		// A logical line: continuation lines joined, each part keeping
		// its line number.
		parts := []part{{text: l, line: start}}
		for strings.HasSuffix(strings.TrimRight(parts[len(parts)-1].text, " \t"), "\\") && i+1 < len(lines) {
			last := &parts[len(parts)-1]
			last.text = strings.TrimSuffix(strings.TrimRight(last.text, " \t"), "\\")
			// Comment lines inside a continuation are skipped.
			for i++; i+1 < len(lines) && isComment(lines[i]); i++ {
			}
			if isComment(lines[i]) {
				// only comments up to the end of the file: the
				// line ends here (a commented-out flag is no
				// argument)
				break
			}
			parts = append(parts, part{text: strings.TrimRight(lines[i], "\r"), line: i + 1})
		}
		if section != "Service" {
			continue
		}
		key, rest, ok := cutKey(parts)
		if !ok {
			continue
		}
		switch key {
		case "ExecStart":
			words := split(rest)
			if len(words) == 0 {
				u.execStart, u.execLine = nil, 0
				continue
			}
			w0 := strings.TrimLeft(words[0].value, "@-:+!")
			if w0 == "" && len(words) > 1 {
				words = words[1:]
			} else {
				words[0].value = w0
			}
			u.execStart, u.execLine = words, start
		case "Environment":
			for _, w := range split(rest) {
				if name, value, ok := strings.Cut(w.value, "="); ok && name != "" {
					u.env = append(u.env, assignment{name: name, value: value, line: w.line})
				}
			}
		case "EnvironmentFile":
			if len(rest) > 0 {
				p := strings.TrimSpace(joined(rest))
				if p != "" {
					u.envFiles = append(u.envFiles, assignment{value: strings.TrimPrefix(p, "-"), line: start})
				}
			}
		case "User":
			u.user = strings.TrimSpace(joined(rest))
		}
	}
	return u
}

func isComment(l string) bool {
	t := strings.TrimSpace(l)
	return t != "" && (t[0] == '#' || t[0] == ';')
}

// part is a physical line of a logical one.
type part struct {
	text string
	line int
}

// cutKey splits "Key=value" off the first part.
func cutKey(parts []part) (string, []part, bool) {
	k, v, ok := strings.Cut(parts[0].text, "=")
	if !ok {
		return "", nil, false
	}
	rest := append([]part{{text: v, line: parts[0].line}}, parts[1:]...)
	return strings.TrimSpace(k), rest, true
}

func joined(parts []part) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// split splits a value into words as systemd does: blanks separate words,
// double and single quotes group them, a backslash escapes the next
// character. Each word keeps the line it starts on.
func split(parts []part) []word {
	var out []word
	for _, p := range parts {
		in := p.text
		var cur strings.Builder
		inWord := false
		var quote byte
		flush := func() {
			if inWord {
				out = append(out, word{value: cur.String(), line: p.line})
			}
			cur.Reset()
			inWord = false
		}
		for i := 0; i < len(in); i++ {
			c := in[i]
			switch {
			case quote != 0 && c == quote:
				quote = 0
			case quote == 0 && (c == '"' || c == '\''):
				quote, inWord = c, true
			case c == '\\' && i+1 < len(in):
				i++
				cur.WriteByte(in[i])
				inWord = true
			case quote == 0 && (c == ' ' || c == '\t'):
				flush()
			default:
				cur.WriteByte(c)
				inWord = true
			}
		}
		flush()
	}
	return out
}

// varRef: ${NAME} anywhere in a word, or $NAME as a whole word.
var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|^\$([A-Za-z_][A-Za-z0-9_]*)$`)

// workload is the unit as a workload, nil when its ExecStart is not
// nats-server (or is nats-server asked for its version, help or a config
// check).
func (u *unit) workload(ctx *source.Context, facts *source.Facts) *source.Workload {
	if len(u.execStart) == 0 || !natsflags.IsBinary(path.Base(u.execStart[0].value)) && !natsflags.IsBinary(u.execStart[0].value) {
		return nil
	}
	env := map[string]source.EnvValue{}
	envFacts := map[string]any{}
	var envFiles []string
	// EnvironmentFile= first: Environment= wins over it, as in systemd
	// (assignments are read in order; files are read when the unit
	// starts, so a file's value is overridden by a later Environment=).
	for _, ef := range u.envFiles {
		rel, why, ok := ctx.Tree.Resolve(u.file, ef.value)
		if !ok {
			facts.Notes = append(facts.Notes, fmt.Sprintf("%s:%d: EnvironmentFile %s is not in the scanned tree (%s): its variables are unknown", u.file, ef.line, ef.value, why))
			continue
		}
		data, err := ctx.Read(rel)
		if err != nil {
			facts.Notes = append(facts.Notes, fmt.Sprintf("%s:%d: EnvironmentFile %s (%s) could not be read: %v", u.file, ef.line, ef.value, rel, err))
			continue
		}
		parsed, _ := dotenv.Parse(data)
		envFiles = append(envFiles, rel)
		for _, v := range parsed.Vars {
			env[v.Name] = source.EnvValue{Value: v.Value, File: rel}
			envFacts[v.Name] = describe(ctx.Secrets, v.Name, v.Value, rel, v.Line)
		}
	}
	for _, a := range u.env {
		env[a.name] = source.EnvValue{Value: a.value, File: u.file}
		envFacts[a.name] = describe(ctx.Secrets, a.name, a.value, u.file, a.line)
	}
	args := make([]natsflags.Arg, 0, len(u.execStart))
	for _, w := range u.execStart {
		v := varRef.ReplaceAllStringFunc(w.value, func(m string) string {
			name := strings.Trim(m, "${}")
			if e, ok := env[name]; ok {
				return e.Value
			}
			return m
		})
		args = append(args, natsflags.Arg{Value: v, Loc: model.Location{File: u.file, Line: w.line}})
	}
	for _, a := range args[1:] {
		switch name, _, _ := strings.Cut(a.Value, "="); name {
		case "--signal", "-sl", "-h", "--help", "-v", "--version", "-t", "--help_tls":
			return nil
		}
	}
	fl := natsflags.Parse(args, ctx.Secrets)
	name := strings.TrimSuffix(path.Base(u.file), ".service")
	if n, ok := fl.Config["server_name"].(string); ok && n != "" && !strings.HasPrefix(n, "$") {
		name = n
	}
	d := &model.Deployment{Kind: "systemd", File: u.file, Service: strings.TrimSuffix(path.Base(u.file), ".service"),
		Command: fl.Command, Flags: fl.Flags, FlagNames: fl.FlagNames, Ports: []model.Port{},
		// A unit runs on the host's own file system, which outlives the
		// process (unlike a container's): a store anywhere but a
		// temporary directory persists.
		Volumes:     []model.Volume{{Type: "bind", Source: "/", Target: "/"}},
		Environment: envFacts, EnvFiles: envFiles, ConfigPath: fl.ConfigPath}
	if envFiles == nil {
		d.EnvFiles = []string{}
	}
	srv := &model.Server{Name: name, Deployment: d, Locs: model.Locations{}, ConfigEnv: map[string]string{}, Certs: []*model.Cert{}}
	srv.Locs.Set("deployment", model.Location{File: u.file, Line: u.execLine})
	for _, a := range u.env {
		srv.Locs.Set("deployment/environment/"+a.name, model.Location{File: u.file, Line: a.line})
	}
	facts.Notes = append(facts.Notes, fmt.Sprintf("unit %s runs %s: nats-server version unknown (a binary on the host)", u.file, u.execStart[0].value))
	if u.user == "" || u.user == "root" || u.user == "0" {
		facts.Notes = append(facts.Notes, fmt.Sprintf("unit %s runs nats-server as root (no User=, or User=root)", u.file))
	}
	return &source.Workload{Server: srv, FlagConfig: fl.Config, FlagLocs: fl.Locs, ConfigPath: fl.ConfigPath, HostPaths: true, Env: env}
}

// describe is the facts of an environment variable (never its value); a
// secret is masked in the snippet of its line whatever its length.
func describe(a *secret.Analyzer, name, value, file string, line int) *model.Secret {
	if secret.IsSecretName(name) && !secret.IsPathName(name) {
		a.RememberAt(file, line, value)
	}
	f := a.EnvFacts(name, value, file)
	f.Origin = "literal"
	return f
}
