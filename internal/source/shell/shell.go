// Package shell reads the shell scripts that set NATS up, without running
// anything: `nats stream add|edit` and `nats consumer add` commands become
// stream and consumer definitions (in the jsz shape the stream rules read),
// and credentials the script commits (`nats context save --password`,
// `--server nats://user:password@host`, a NATS URL with credentials in any
// word or assignment) become credential facts. Expansions the script does
// not define ($VAR, ${VAR:-x} of the environment, $(cmd)) are unknown,
// never absent. Here-documents are skipped (a config written by one is not
// read: docs/model.md).
package shell

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/natsaudit/natsaudit/internal/image"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source/streams"
)

// Result is what one script defines.
type Result struct {
	Streams     []*model.Stream
	Consumers   []*model.Consumer
	Credentials []*model.Credential
	// Heredocs are configs the script writes with a here-document
	// (cat > nats.conf <<EOF): not read, said in a note.
	Heredocs []Heredoc
	// Servers are the nats-server processes the script starts: a
	// nats-server command line, or docker/podman run of a NATS image.
	Servers []Server
}

// Server is one nats-server a script starts.
type Server struct {
	Line int
	// Args are the nats-server arguments (after the binary, or after the
	// image of docker run), each at its line; unknown expansions are
	// written as $NAME.
	Args []Arg
	// Image is the image of docker run ("" for a nats-server command).
	Image string
	// Name is docker run --name ("" when not given).
	Name string
	// Publish are docker run -p/--publish values, as written.
	Publish []Arg
}

// Arg is one word of a command line and its line.
type Arg struct {
	Value string
	Line  int
}

// Heredoc is a config file written by a here-document.
type Heredoc struct {
	Line   int
	Target string
}

// word is an evaluated word.
type word struct {
	text    string // the value, with unknown expansions written as $NAME
	line    int
	unknown bool // holds an expansion the script does not define
	// expanded: part of the text is a variable the script assigned; a
	// credential in it was committed (and reported) at the assignment.
	expanded bool
}

type parser struct {
	rel  string
	a    *secret.Analyzer
	vars map[string]string // values the script assigns (known)
	res  *Result
	keys map[string]int
	// streams by name, for `nats stream edit` after an add.
	streams map[string]*model.Stream
	unknown map[*model.Stream]map[string]any
}

// Parse reads a script. a receives every credential value, for redaction.
func Parse(rel string, data []byte, a *secret.Analyzer) *Result {
	p := &parser{rel: rel, a: a, vars: map[string]string{}, res: &Result{}, keys: map[string]int{},
		streams: map[string]*model.Stream{}, unknown: map[*model.Stream]map[string]any{}}
	for _, c := range lex(data) {
		p.command(c)
	}
	for _, s := range p.res.Streams {
		applyStreamDefaults(s.Config)
	}
	return p.res
}

var assignRe = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)(\+?)=`)

// declarers are the builtins whose NAME=value arguments assign.
var declarers = map[string]bool{"export": true, "readonly": true, "local": true, "declare": true, "typeset": true}

func (p *parser) command(rc rawCmd) {
	words := rc.words
	// Leading NAME=value words: assignments (alone), or the environment of
	// the command that follows (which does not change the script's).
	n := 0
	for n < len(words) && assignment(words[n]) != "" {
		n++
	}
	if n == len(words) || (n < len(words) && declarers[literal(words[n])]) {
		for _, w := range words {
			if name := assignment(w); name != "" {
				p.assign(name, w)
			}
		}
		return
	}
	args := p.evalWords(words[n:])
	if len(args) == 0 {
		return
	}
	p.heredocNote(rc)
	credited := map[int]bool{}
	if s, ok := dockerRun(args); ok {
		// docker run nats …: the image's arguments are nats-server's
		// (its secrets are read like those of a nats-server line).
		p.res.Servers = append(p.res.Servers, s)
		if len(s.Args) > 0 {
			p.natsServer(append([]word{{text: "nats-server", line: s.Line}}, wordsOf(s.Args)...), 0)
		}
	} else if i := commandIndex(args); i >= 0 {
		switch path.Base(args[i].text) {
		case "nats":
			p.natsCLI(args, i, credited)
		case "nats-server":
			p.natsServer(args, i)
			p.res.Servers = append(p.res.Servers, Server{Line: args[i].line, Args: argsOf(args[i+1:])})
		}
	}
	key := path.Base(args[0].text)
	for j, w := range args {
		if !credited[j] {
			p.urlCredential(w, key, rc.line)
		}
	}
}

func wordsOf(as []Arg) []word {
	out := make([]word, 0, len(as))
	for _, a := range as {
		out = append(out, word{text: a.Value, line: a.Line, unknown: strings.Contains(a.Value, "$")})
	}
	return out
}

func argsOf(ws []word) []Arg {
	out := make([]Arg, 0, len(ws))
	for _, w := range ws {
		out = append(out, Arg{Value: w.text, Line: w.line})
	}
	return out
}

// dockerValueOpts are docker/podman run options that take a value (the
// next word unless written --opt=value): the first word that is neither
// an option nor such a value is the image.
var dockerValueOpts = map[string]bool{
	"-p": true, "--publish": true, "-v": true, "--volume": true, "-e": true, "--env": true, "--env-file": true,
	"--name": true, "--network": true, "--net": true, "-w": true, "--workdir": true, "--entrypoint": true,
	"-u": true, "--user": true, "--mount": true, "--restart": true, "-h": true, "--hostname": true,
	"-l": true, "--label": true, "--memory": true, "-m": true, "--cpus": true, "--add-host": true,
	"--platform": true, "--pull": true, "--ulimit": true, "--log-driver": true, "--log-opt": true,
	"--health-cmd": true, "--dns": true, "--ip": true, "--pod": true, "--stop-signal": true, "--stop-timeout": true,
}

// dockerRun reads `docker run [options] IMAGE [args]` (also podman and
// nerdctl, and `docker container run`) of a NATS image: the image, its
// name, the published ports and the nats-server arguments.
func dockerRun(ws []word) (Server, bool) {
	if len(ws) < 3 {
		return Server{}, false
	}
	switch path.Base(ws[0].text) {
	case "docker", "podman", "nerdctl":
	default:
		return Server{}, false
	}
	i := 1
	if ws[i].text == "container" {
		i++
	}
	if i >= len(ws) || ws[i].text != "run" {
		return Server{}, false
	}
	s := Server{Line: ws[0].line}
	for i++; i < len(ws); i++ {
		t := ws[i].text
		if !strings.HasPrefix(t, "-") {
			s.Image = t
			break
		}
		opt, val, hasEq := strings.Cut(t, "=")
		if !dockerValueOpts[opt] {
			continue // a flag without a value (-d, --rm, -it)
		}
		if !hasEq {
			if i+1 >= len(ws) {
				return Server{}, false
			}
			i++
			val = ws[i].text
		}
		switch opt {
		case "-p", "--publish":
			s.Publish = append(s.Publish, Arg{Value: val, Line: ws[i].line})
		case "--name":
			s.Name = val
		}
	}
	if s.Image == "" || !image.IsNATS(image.Split(s.Image).Repo) {
		return Server{}, false
	}
	s.Args = argsOf(ws[i+1:])
	return s, true
}

// assignment returns NAME when w is NAME=value as written (unquoted name).
func assignment(w rawWord) string {
	if len(w.parts) == 0 || w.parts[0].quoted || w.parts[0].name != "" || w.parts[0].subst {
		return ""
	}
	m := assignRe.FindStringSubmatch(w.parts[0].lit)
	if m == nil {
		return ""
	}
	return m[1]
}

// literal is the text of a word made of literals only ("" otherwise).
func literal(w rawWord) string {
	var b strings.Builder
	for _, p := range w.parts {
		if p.name != "" || p.subst {
			return ""
		}
		b.WriteString(p.lit)
	}
	return b.String()
}

// assign records NAME=value: a known value for later expansions, and a
// NATS URL with credentials in it is a committed credential.
func (p *parser) assign(name string, w rawWord) {
	rest := rawWord{line: w.line, parts: append([]part(nil), w.parts...)}
	m := assignRe.FindStringSubmatch(rest.parts[0].lit)
	rest.parts[0].lit = rest.parts[0].lit[len(m[0]):]
	v := p.evalWord(rest, false)
	if len(v) == 0 {
		p.vars[name] = ""
		return
	}
	val := v[0]
	p.urlCredential(val, name, w.line)
	if val.unknown {
		delete(p.vars, name)
		return
	}
	if m[2] == "+" {
		val.text = p.vars[name] + val.text
	}
	if len(val.text) > maxVarLen {
		delete(p.vars, name) // too long to carry: unknown from here on
		return
	}
	p.vars[name] = val.text
}

// Expansion is bounded: a variable keeps at most maxVarLen bytes (a longer
// value is unknown), and one command expands to at most maxCmdBytes, so
// that a script repeating $BIG cannot make the scan quadratic.
const (
	maxVarLen   = 16 << 10
	maxCmdBytes = 1 << 20
)

func (p *parser) evalWords(ws []rawWord) []word {
	var out []word
	size := 0
	for _, w := range ws {
		for _, x := range p.evalWord(w, true) {
			size += len(x.text)
			out = append(out, x)
		}
		if len(out) > maxWords || size > maxCmdBytes {
			break
		}
	}
	return out
}

// evalWord expands a word with the script's variables; split applies
// word splitting to unquoted expansions (NATS_CMD="docker exec box nats").
func (p *parser) evalWord(w rawWord, split bool) []word {
	var out []word
	cur := word{line: w.line}
	var text strings.Builder
	started := false
	flush := func() {
		if started {
			cur.text = text.String()
			out = append(out, cur)
		}
		cur = word{line: w.line}
		text.Reset()
		started = false
	}
	for _, pt := range w.parts {
		switch {
		case pt.subst:
			text.WriteString("$(...)")
			cur.unknown = true
			started = true
		case pt.name != "":
			val, known := p.expand(pt)
			if !known {
				text.WriteString("$" + pt.name)
				cur.unknown = true
				started = true
				continue
			}
			cur.expanded = true
			if !split || pt.quoted {
				text.WriteString(val)
				started = true
				continue
			}
			fields := strings.Fields(val)
			if len(fields) == 0 {
				continue
			}
			if strings.TrimLeft(val, " \t\n") != val {
				flush()
			}
			for k, f := range fields {
				if k > 0 {
					flush()
				}
				text.WriteString(f)
				cur.expanded = true
				started = true
			}
			if strings.TrimRight(val, " \t\n") != val {
				flush()
			}
		default:
			text.WriteString(pt.lit)
			started = true
		}
	}
	flush()
	return out
}

// expand is the value of a parameter expansion and whether the script
// knows it. A variable the script does not assign comes from the
// environment at run time: unknown, whatever its ${x:-default} says.
func (p *parser) expand(pt part) (string, bool) {
	v, set := p.vars[pt.name]
	switch pt.op {
	case ":-", ":=":
		if set && v != "" {
			return v, true
		}
		return pt.def, false
	case "-", "=":
		if set {
			return v, true
		}
		return pt.def, false
	case ":+":
		if set && v != "" {
			return pt.def, true
		}
		return "", set
	case "+":
		if set {
			return pt.def, true
		}
		return "", false
	}
	return v, set
}

// wrappers run the command that follows them.
var wrappers = map[string]bool{
	"sudo": true, "exec": true, "env": true, "time": true, "nohup": true, "command": true, "then": true,
	"do": true, "else": true, "if": true, "!": true, "{": true, "xargs": true, "timeout": true, "watch": true,
	"docker": true, "podman": true, "nerdctl": true, "kubectl": true, "eval": true, "until": true, "while": true,
}

// commandIndex is the index of the nats CLI or nats-server in a command
// line (after wrappers such as sudo or docker exec CONTAINER), or -1.
func commandIndex(ws []word) int {
	for j, w := range ws {
		if j > 0 && !wrappers[path.Base(ws[0].text)] {
			return -1
		}
		if b := path.Base(w.text); b == "nats" || b == "nats-server" {
			return j
		}
		if j > 12 {
			return -1
		}
	}
	return -1
}

// keyUnsafe are the characters a credential key never carries: it comes
// from the script's words and ends up in messages and fingerprints.
var keyUnsafe = regexp.MustCompile(`[^A-Za-z0-9._/ :=-]`)

// credential adds a committed credential (value known) at line.
func (p *parser) credential(line int, key, kind string, f *model.Secret) {
	key = keyUnsafe.ReplaceAllString(key, "?")
	if len(key) > 80 {
		key = key[:80]
	}
	p.keys[key]++
	if n := p.keys[key]; n > 1 {
		key = fmt.Sprintf("%s#%d", key, n)
	}
	p.res.Credentials = append(p.res.Credentials, &model.Credential{File: p.rel, Line: line, Source: "script", Key: key, Kind: kind, Facts: f})
}

// urlCredential: a NATS URL with user:password@ written in the script. A
// credential is reported at the first line of its command (where a
// multi-line command starts), and masked at both lines.
func (p *parser) urlCredential(w word, key string, cmdLine int) {
	scheme, _, pass, ok := secret.URLCredentials(w.text)
	if !ok || !secret.IsNATSScheme(scheme) || w.expanded {
		return
	}
	f, _ := p.a.URLFacts(w.text)
	p.a.MaskAt(p.rel, w.line, pass)
	p.a.MaskAt(p.rel, cmdLine, pass)
	p.credential(cmdLine, key, "url", f)
}

// secretValue: a --password/--token value the script commits (a literal,
// or a value the script assigns); an expansion of the environment is not.
func (p *parser) secretValue(w word, user, key, kind string, cmdLine int) {
	if w.unknown || w.text == "" || strings.HasPrefix(w.text, "$") {
		return
	}
	p.a.RememberAt(p.rel, w.line, w.text)
	p.a.MaskAt(p.rel, cmdLine, w.text)
	f := p.a.Describe(w.text)
	f.EqualsUser = user != "" && user == w.text
	p.credential(cmdLine, key, kind, f)
}

// safeName: a file name a note may quote (no markup, no control bytes).
var safeName = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,200}$`)

func (p *parser) heredocNote(rc rawCmd) {
	if len(rc.heredocs) == 0 {
		return
	}
	for _, r := range rc.redirects {
		for _, t := range p.evalWord(r.target, false) {
			if (strings.HasSuffix(t.text, ".conf") || strings.HasSuffix(t.text, ".cfg")) && safeName.MatchString(t.text) {
				p.res.Heredocs = append(p.res.Heredocs, Heredoc{Line: rc.heredocs[0].line, Target: t.text})
			}
		}
	}
}

// ---------------------------------------------------------------------------
// The nats CLI

// flag is a parsed --name[=value].
type flag struct {
	name  string
	value word
	has   bool // takes a value (and has one)
	index int  // index of the flag word in the command line
}

// natsGlobalValue are the nats CLI's global flags that take a value.
var natsGlobalValue = set("server", "s", "user", "password", "creds", "nkey", "token", "context", "tlscert",
	"tlskey", "tlsca", "timeout", "js-domain", "js-api-prefix", "js-event-prefix", "inbox-prefix",
	"connection-name", "socks-proxy", "colors", "domain", "jwt", "user-jwt")

var streamValue = set("subjects", "storage", "replicas", "retention", "discard", "max-msgs",
	"max-msgs-per-subject", "max-bytes", "max-age", "max-msg-size", "max-consumers", "dupe-window",
	"cluster", "tag", "description", "config", "mirror", "source", "compression", "republish-source",
	"republish-destination", "first-sequence", "metadata", "subject-delete-marker-ttl", "output",
	"limit-consumer-inactive", "limit-consumer-max-pending", "transform-source", "transform-destination")

var consumerValue = set("ack", "deliver", "replay", "filter", "max-deliver", "max-pending", "wait",
	"target", "sample", "heartbeat", "max-waiting", "inactive-threshold", "backoff", "backoff-steps",
	"backoff-min", "backoff-max", "deliver-group", "replicas", "rate-limit", "description", "config",
	"max-pull-batch", "max-pull-expire", "max-pull-bytes", "metadata", "pause", "priority-groups",
	"priority-policy", "pinned-ttl", "output")

var contextValue = set("description", "nsc", "jsdomain", "js-domain", "js-api-prefix", "js-event-prefix",
	"socks-proxy", "inbox-prefix", "color-scheme", "tlscert", "tlskey", "tlsca")

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

var (
	streamGroup   = set("stream", "str", "st", "ms", "s")
	consumerGroup = set("consumer", "con", "obs", "c")
	contextGroup  = set("context", "ctx")
	addVerb       = set("add", "create", "new")
	editVerb      = set("edit", "update")
)

// natsCLI reads `nats [global flags] GROUP VERB [args] [flags]`.
func (p *parser) natsCLI(ws []word, at int, credited map[int]bool) {
	var pos []word
	flags := map[string][]flag{}
	group := ""
	for j := at + 1; j < len(ws); j++ {
		w := ws[j]
		if !strings.HasPrefix(w.text, "-") || w.text == "-" || w.text == "--" {
			pos = append(pos, w)
			if len(pos) == 1 {
				switch {
				case streamGroup[w.text]:
					group = "stream"
				case consumerGroup[w.text]:
					group = "consumer"
				case contextGroup[w.text]:
					group = "context"
				}
			}
			continue
		}
		name, val, hasEq := strings.Cut(strings.TrimLeft(w.text, "-"), "=")
		f := flag{name: name, index: j}
		takes := natsGlobalValue[name] || (len(pos) >= 2 && valueFlag(group, name))
		switch {
		case hasEq:
			f.value, f.has = word{text: val, line: w.line, unknown: w.unknown}, true
		case takes && j+1 < len(ws):
			j++
			f.value, f.has = ws[j], true
		}
		flags[name] = append(flags[name], f)
	}
	verb := ""
	if len(pos) > 1 {
		verb = pos[1].text
	}
	// The command's identity, for credential keys: nats context save
	// (command words, not names a secret might equal).
	idn := min(len(pos), 2)
	idParts := []string{"nats"}
	for _, w := range pos[:idn] {
		idParts = append(idParts, w.text)
	}
	id := strings.Join(idParts, " ")
	user := ""
	if f := last(flags, "user"); f != nil && !f.value.unknown {
		user = f.value.text
	}
	for _, n := range []string{"server", "s"} {
		for _, f := range flags[n] {
			if f.has {
				credited[f.index] = true
				if f.index+1 < len(ws) && !strings.Contains(ws[f.index].text, "=") {
					credited[f.index+1] = true
				}
				p.urlCredential(f.value, id+" --server", ws[at].line)
			}
		}
	}
	for _, n := range []string{"password", "token"} {
		for _, f := range flags[n] {
			if f.has {
				p.secretValue(f.value, user, id+" --"+n, n, ws[at].line)
			}
		}
	}
	switch {
	case group == "stream" && (addVerb[verb] || editVerb[verb]):
		p.stream(ws[at].line, pos, flags, editVerb[verb])
	case group == "consumer" && addVerb[verb]:
		p.consumer(ws[at].line, pos, flags)
	}
}

func valueFlag(group, name string) bool {
	switch group {
	case "stream":
		return streamValue[name]
	case "consumer":
		return consumerValue[name]
	case "context":
		return contextValue[name]
	}
	return false
}

func last(flags map[string][]flag, name string) *flag {
	fs := flags[name]
	if len(fs) == 0 || !fs[len(fs)-1].has {
		return nil
	}
	return &fs[len(fs)-1]
}

// boolFlag: --name (true), --no-name (false), --name=false; ok when given.
func boolFlag(flags map[string][]flag, name string) (v, ok bool) {
	if fs := flags["no-"+name]; len(fs) > 0 {
		return false, true
	}
	fs := flags[name]
	if len(fs) == 0 {
		return false, false
	}
	f := fs[len(fs)-1]
	if f.has {
		b, err := strconv.ParseBool(f.value.text)
		return b || err != nil, true
	}
	return true, true
}

// setter fills a config map: unknown values stay "$NAME" strings, so that
// rules see "set, value unknown" (lib.num() ignores them).
type setter struct {
	cfg     map[string]any
	unknown map[string]any
}

func (s setter) put(key string, w word, conv func(string) (any, bool)) {
	if w.unknown {
		s.cfg[key] = w.text
		s.unknown[key] = w.text
		return
	}
	if v, ok := conv(w.text); ok {
		s.cfg[key] = v
	}
}

func asString(v string) (any, bool) { return v, true }

func asInt(v string) (any, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n, err == nil
}

func asBytes(v string) (any, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, true
	}
	n, ok := streams.ParseBytes(v)
	return n, ok
}

var yearsRe = regexp.MustCompile(`^(\d+)([yw])(.*)$`)

// asDuration reads natscli durations (1y, 2w, 30d, 1h30m, 2m0s); -1 and 0
// are "unlimited", 0 in the jsz shape.
func asDuration(v string) (any, bool) {
	v = strings.TrimSpace(v)
	if v == "-1" || v == "0" || v == "" {
		return int64(0), true
	}
	var extra time.Duration
	if m := yearsRe.FindStringSubmatch(v); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := 365 * 24 * time.Hour
		if m[2] == "w" {
			unit = 7 * 24 * time.Hour
		}
		extra = time.Duration(n) * unit
		v = m[3]
		if v == "" {
			return int64(extra), true
		}
	}
	d, err := streams.ParseDuration(v)
	if err != nil {
		return nil, false
	}
	return int64(extra + d), true
}

func oneOf(m map[string]string) func(string) (any, bool) {
	return func(v string) (any, bool) {
		x, ok := m[strings.ToLower(strings.TrimSpace(v))]
		return x, ok
	}
}

var (
	storageNames   = map[string]string{"file": "file", "f": "file", "memory": "memory", "mem": "memory", "m": "memory"}
	retentionNames = map[string]string{"limits": "limits", "limit": "limits", "l": "limits", "interest": "interest", "i": "interest", "work": "workqueue", "workq": "workqueue", "workqueue": "workqueue", "w": "workqueue"}
	discardNames   = map[string]string{"old": "old", "new": "new"}
	ackNames       = map[string]string{"none": "none", "all": "all", "explicit": "explicit"}
	replayNames    = map[string]string{"instant": "instant", "original": "original"}
)

// stream reads `nats stream add NAME [flags]` (or edit, merged into an
// add of the same script).
func (p *parser) stream(line int, pos []word, flags map[string][]flag, edit bool) {
	if len(flags["config"]) > 0 {
		return // the definition is in a JSON file, read on its own
	}
	name := ""
	if len(pos) > 2 {
		name = pos[2].text
	}
	loc := model.Location{File: p.rel, Line: line, Column: 1}
	s := p.streams[name]
	if edit {
		if s == nil {
			return // only changes: the rest of the stream is not in this script
		}
	} else {
		s = &model.Stream{Name: name, Source: "script", File: p.rel, Config: map[string]any{"name": name}, Locs: model.Locations{}}
		p.streams[name] = s
		p.unknown[s] = map[string]any{}
		p.res.Streams = append(p.res.Streams, s)
		s.Locs.Set("config", loc)
	}
	st := setter{cfg: s.Config, unknown: p.unknown[s]}
	one := func(flagName, key string, conv func(string) (any, bool)) {
		if f := last(flags, flagName); f != nil {
			st.put(key, f.value, conv)
			s.Locs.Set("config/"+key, loc)
		}
	}
	one("storage", "storage", oneOf(storageNames))
	one("replicas", "num_replicas", asInt)
	one("retention", "retention", oneOf(retentionNames))
	one("discard", "discard", oneOf(discardNames))
	one("max-msgs", "max_msgs", asInt)
	one("max-msgs-per-subject", "max_msgs_per_subject", asInt)
	one("max-bytes", "max_bytes", asBytes)
	one("max-age", "max_age", asDuration)
	one("max-msg-size", "max_msg_size", asBytes)
	one("max-consumers", "max_consumers", asInt)
	one("dupe-window", "duplicate_window", asDuration)
	one("description", "description", asString)
	one("compression", "compression", asString)
	if fs := flags["subjects"]; len(fs) > 0 {
		var subjects []any
		for _, f := range fs {
			if !f.has {
				continue
			}
			for _, sub := range strings.Split(f.value.text, ",") {
				if sub = strings.TrimSpace(sub); sub != "" {
					subjects = append(subjects, sub)
				}
			}
		}
		s.Config["subjects"] = subjects
		s.Locs.Set("config/subjects", loc)
	}
	if f := last(flags, "cluster"); f != nil {
		s.Config["placement"] = map[string]any{"cluster": f.value.text}
	}
	if f := last(flags, "mirror"); f != nil {
		s.Config["mirror"] = map[string]any{"name": f.value.text}
	}
	if fs := flags["source"]; len(fs) > 0 {
		var srcs []any
		for _, f := range fs {
			if f.has {
				srcs = append(srcs, map[string]any{"name": f.value.text})
			}
		}
		s.Config["sources"] = srcs
	}
	if v, ok := boolFlag(flags, "ack"); ok {
		s.Config["no_ack"] = !v
	}
	for flagName, key := range map[string]string{"allow-rollup": "allow_rollup_hdrs", "deny-delete": "deny_delete", "deny-purge": "deny_purge", "allow-direct": "allow_direct"} {
		if v, ok := boolFlag(flags, flagName); ok {
			s.Config[key] = v
		}
	}
}

// consumer reads `nats consumer add STREAM NAME [flags]`.
func (p *parser) consumer(line int, pos []word, flags map[string][]flag) {
	if len(flags["config"]) > 0 {
		return
	}
	stream, name := "", ""
	if len(pos) > 2 {
		stream = pos[2].text
	}
	if len(pos) > 3 {
		name = pos[3].text
	}
	loc := model.Location{File: p.rel, Line: line, Column: 1}
	c := &model.Consumer{Name: name, Stream: stream, Source: "script", File: p.rel, Config: map[string]any{}, Locs: model.Locations{}}
	c.Locs.Set("config", loc)
	if name != "" {
		c.Config["durable_name"] = name
	}
	unknown := map[string]any{}
	st := setter{cfg: c.Config, unknown: unknown}
	one := func(flagName, key string, conv func(string) (any, bool)) {
		if f := last(flags, flagName); f != nil {
			st.put(key, f.value, conv)
			c.Locs.Set("config/"+key, loc)
		}
	}
	one("ack", "ack_policy", oneOf(ackNames))
	one("replay", "replay_policy", oneOf(replayNames))
	one("max-deliver", "max_deliver", asInt)
	one("max-pending", "max_ack_pending", asInt)
	one("wait", "ack_wait", asDuration)
	one("target", "deliver_subject", asString)
	one("heartbeat", "idle_heartbeat", asDuration)
	one("max-waiting", "max_waiting", asInt)
	one("inactive-threshold", "inactive_threshold", asDuration)
	one("deliver-group", "deliver_group", asString)
	one("replicas", "num_replicas", asInt)
	one("rate-limit", "rate_limit_bps", asInt)
	one("description", "description", asString)
	if f := last(flags, "deliver"); f != nil && !f.value.unknown {
		c.Config["deliver_policy"] = deliverPolicy(f.value.text)
		c.Locs.Set("config/deliver_policy", loc)
	}
	var filters []any
	for _, f := range flags["filter"] {
		if f.has && f.value.text != "" {
			filters = append(filters, f.value.text)
		}
	}
	switch len(filters) {
	case 0:
	case 1:
		c.Config["filter_subject"] = filters[0]
	default:
		c.Config["filter_subjects"] = filters
	}
	if v, ok := boolFlag(flags, "flow-control"); ok {
		c.Config["flow_control"] = v
	}
	if v, ok := boolFlag(flags, "headers-only"); ok {
		c.Config["headers_only"] = v
	}
	if v, ok := boolFlag(flags, "memory"); ok {
		c.Config["mem_storage"] = v
	}
	streams.ConsumerDefaults(c.Config)
	// natscli's --max-deliver=-1 is "unlimited", which is also the
	// server's -1; unknown values stay unknown whatever the defaults say.
	for k, v := range unknown {
		c.Config[k] = v
	}
	p.res.Consumers = append(p.res.Consumers, c)
}

func deliverPolicy(v string) string {
	switch strings.ToLower(v) {
	case "all", "new", "last":
		return strings.ToLower(v)
	case "last-per-subject", "subject", "last_per_subject":
		return "last_per_subject"
	}
	if _, err := strconv.ParseUint(v, 10, 64); err == nil {
		return "by_start_sequence"
	}
	return "by_start_time"
}

// applyStreamDefaults applies the server's defaults, keeping unknown
// values ("$NAME") as they are.
func applyStreamDefaults(c map[string]any) {
	unknown := map[string]any{}
	for k, v := range c {
		if s, ok := v.(string); ok && strings.HasPrefix(s, "$") {
			unknown[k] = s
		}
	}
	streams.StreamDefaults(c)
	for k, v := range unknown {
		c[k] = v
	}
}

// ---------------------------------------------------------------------------
// nats-server command lines

// serverSecretFlags are nats-server's flags whose value is a secret, and
// the user flag that goes with them.
var serverSecretFlags = map[string]string{"pass": "password", "auth": "token"}

// natsServer reads a nats-server command line for the credentials it
// commits (--pass, --auth, --routes nats://user:password@...). Its other
// flags are not yet turned into a server (docs/model.md).
func (p *parser) natsServer(ws []word, at int) {
	user := ""
	for j := at + 1; j < len(ws); j++ {
		name, val, hasEq := strings.Cut(strings.TrimLeft(ws[j].text, "-"), "=")
		if !strings.HasPrefix(ws[j].text, "-") {
			continue
		}
		v := word{text: val, line: ws[j].line, unknown: ws[j].unknown}
		if !hasEq && j+1 < len(ws) && !strings.HasPrefix(ws[j+1].text, "-") {
			v = ws[j+1]
		}
		switch {
		case name == "user":
			if !v.unknown {
				user = v.text
			}
		case serverSecretFlags[name] != "":
			p.secretValue(v, user, "nats-server --"+name, serverSecretFlags[name], ws[at].line)
		}
	}
}
