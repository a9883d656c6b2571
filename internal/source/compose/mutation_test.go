package compose

import (
	"fmt"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// TestProjectDirAndLocate: a project's directory is its first file's, and a
// file named in it is found relative to the naming file, then the project
// directory; absolute, home-relative and empty names are never looked up
// (issue 20, Go mutation testing).
func TestProjectDirAndLocate(t *testing.T) {
	p := Load([]Input{{Rel: "app/docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n")}}, Options{})
	if p.Dir != "app" || len(p.Services) != 1 {
		t.Fatalf("project = dir %q, %d services", p.Dir, len(p.Services))
	}
	l := &loader{p: &Project{Dir: "app"}, given: map[string][]byte{"app/inc/x.env": nil, "app/y.env": nil,
		// what an absolute or ~ name would wrongly join to
		"app/inc/etc/x.env": nil, "app/inc/~/x.env": nil}}
	for _, tc := range []struct {
		from, name, want string
		ok               bool
	}{
		{"app/inc/compose.yml", "x.env", "app/inc/x.env", true},
		{"app/inc/compose.yml", "y.env", "app/y.env", true},
		{"app/inc/compose.yml", "", "", false},
		{"app/inc/compose.yml", "/etc/x.env", "", false},
		{"app/inc/compose.yml", "~/x.env", "", false},
	} {
		got, ok := l.locate(tc.from, tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("locate(%s, %q) = %q %v, want %q %v", tc.from, tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestWalkerBudget: a walk may visit budget nodes and no more (the alias
// bomb tests that also show it are time-bounded, and the mutation run
// skips them).
func TestWalkerBudget(t *testing.T) {
	w := &walker{budget: 2}
	for i, want := range []error{nil, nil, errBudget, errBudget} {
		if got := w.spend(); got != want {
			t.Errorf("spend %d = %v, want %v", i+1, got, want)
		}
	}
}

// TestLoadNoFiles: a project of no files is empty, not a crash.
func TestLoadNoFiles(t *testing.T) {
	p := Load(nil, Options{})
	if p.Dir != "" || len(p.Services) != 0 || len(p.Files) != 0 {
		t.Errorf("project = %+v", p)
	}
}

// TestOverrideNotesIncomplete: a one-file variant beside a base is noted as
// a likely override only when a service it shares with the base has no
// image, build or extends of its own (issue 20, second Go round).
func TestOverrideNotesIncomplete(t *testing.T) {
	base := Load([]Input{{Rel: "d/docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n")}}, Options{})
	for _, tc := range []struct {
		svc  string
		note bool
	}{
		{"    ports: [\"4222:4222\"]\n", true},
		{"    image: nats:2.11\n", false},
		{"    build: .\n", false},
	} {
		prod := Load([]Input{{Rel: "d/docker-compose.prod.yml", Data: []byte("services:\n  nats:\n" + tc.svc)}}, Options{})
		notes := OverrideNotes([]*Project{base, prod})
		if got := len(notes) == 1 && strings.Contains(notes[0], "d/docker-compose.prod.yml looks like an override of d/docker-compose.yml (service nats"); got != tc.note {
			t.Errorf("%q: notes = %q, want a note: %v", tc.svc, notes, tc.note)
		}
	}
}

// TestEnvRef: an environment value that is only a variable reference
// (${NAME}, ${NAME:-x} or $NAME) names it; anything else does not.
func TestEnvRef(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte(`services:
  nats:
    image: nats
    environment:
      A: ${PASS}
      B: $PASS
      C: ${PASS:-x}
      D: x$PASS
      E: plain
`)}}, Options{})
	if len(p.Services) != 1 {
		t.Fatalf("services = %+v", p.Services)
	}
	for k, want := range map[string]string{"A": "PASS", "B": "PASS", "C": "PASS", "D": "", "E": ""} {
		if got := p.Services[0].Env[k].Ref; got != want {
			t.Errorf("%s: Ref = %q, want %q", k, got, want)
		}
	}
}

// TestIncludeUnreadable: an included file the reader hands back as nil (a
// file it could not give) adds no services and no crash; the including
// file's own services stay.
func TestIncludeUnreadable(t *testing.T) {
	read := func(rel string) ([]byte, error) { return nil, nil }
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("include: [other.yml]\nservices:\n  nats:\n    image: nats\n")}}, Options{Read: read})
	if len(p.Services) != 1 || p.Services[0].Name != "nats" {
		t.Errorf("services = %+v", p.Services)
	}
}

// TestMergeKeepsEntrypoint: an override without an entrypoint keeps the
// base's (a custom image running nats-server -c through it stays a NATS
// service reading that config); one with an entrypoint replaces it.
func TestMergeKeepsEntrypoint(t *testing.T) {
	base := Input{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: myorg/app:1\n    entrypoint: [nats-server, -c, /etc/nats/a.conf]\n")}
	for _, tc := range []struct{ override, want string }{
		{"services:\n  nats:\n    ports: [\"4222:4222\"]\n", "/etc/nats/a.conf"},
		{"services:\n  nats:\n    entrypoint: [nats-server, -c, /etc/nats/b.conf]\n", "/etc/nats/b.conf"},
	} {
		p := Load([]Input{base, {Rel: "compose.override.yml", Data: []byte(tc.override)}}, Options{})
		if len(p.Services) != 1 || !p.Services[0].IsNATS || p.Services[0].Deployment.ConfigPath != tc.want {
			s := p.Services[0]
			t.Errorf("%q: NATS %v, config %q, want %q", tc.override, s.IsNATS, s.Deployment.ConfigPath, tc.want)
		}
	}
}

// TestIncludeEnvFile: the long syntax of include: gives the included
// project its env_file for interpolation, and its path.
func TestIncludeEnvFile(t *testing.T) {
	e := envs{"sub/tag.env": parseEnv(t, "TAG=2.10.7\n")}
	read := func(rel string) ([]byte, error) {
		switch rel {
		case "sub/compose.yml":
			return []byte("services:\n  nats:\n    image: nats:${TAG}\n"), nil
		case "sub/tag.env":
			return []byte("TAG=2.10.7\n"), nil
		}
		return nil, fmt.Errorf("%s: not in the tree", rel)
	}
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("include:\n  - path: sub/compose.yml\n    env_file: sub/tag.env\n")}}, Options{Env: e, Read: read})
	if len(p.Services) != 1 || p.Services[0].Deployment.ImageTag != "2.10.7" {
		for _, s := range p.Services {
			t.Errorf("service %s image %q", s.Name, s.Deployment.Image)
		}
		t.Fatalf("%d services, want the included one with TAG from its env_file", len(p.Services))
	}
}

// TestGroupNotesNameTheProject: a note about a declared project names it
// by its 1-based position in .natsaudit.yaml.
func TestGroupNotesNameTheProject(t *testing.T) {
	files := []Input{{Rel: "a/compose.yml"}, {Rel: "b/compose.yml"}}
	groups, notes := Group(files, [][]string{{"a/compose.yml"}, {"a/compose.yml", "missing.yml"}})
	want := []string{
		"compose project 2 of .natsaudit.yaml lists a/compose.yml, which an earlier project has",
		"compose project 2 of .natsaudit.yaml lists missing.yml, which is not a compose file of this scan",
	}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes = %q, want %q", notes, want)
	}
	if len(groups) != 2 || groups[0][0].Rel != "a/compose.yml" || groups[1][0].Rel != "b/compose.yml" {
		t.Errorf("groups = %v", groups)
	}
}

// TestEnvironmentListNoName: a list item "=x" names no variable: it is not
// read as an empty name set to x.
func TestEnvironmentListNoName(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: nats\n    environment: [\"=x\", \"A=b\"]\n")}}, Options{})
	env := p.Services[0].Env
	if _, ok := env[""]; ok {
		t.Errorf("env = %+v: an empty name was set", env)
	}
	if env["A"].Value != "b" {
		t.Errorf("A = %+v", env["A"])
	}
}

// TestMergeKey: `<<: *anchor` merges the anchored mapping into a service
// (its own keys win); a quoted "<<" is an ordinary key and merges nothing.
func TestMergeKey(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte(`x-base: &base
  image: nats:2.10.1
  command: ["-js"]
services:
  a:
    <<: *base
    command: ["-m", "8222"]
  b:
    "<<": *base
    image: nats:2.9.0
`)}}, Options{})
	if len(p.Services) != 2 {
		t.Fatalf("services = %+v", p.Services)
	}
	a, b := p.Services[0], p.Services[1]
	if a.Deployment.ImageTag != "2.10.1" || strings.Join(a.Deployment.Command, " ") != "-m 8222" {
		t.Errorf("a: image %q, command %q: want the anchor's image and its own command", a.Deployment.Image, a.Deployment.Command)
	}
	if b.Deployment.ImageTag != "2.9.0" || len(b.Deployment.Command) != 0 {
		t.Errorf("b: image %q, command %q: a quoted << merges nothing", b.Deployment.Image, b.Deployment.Command)
	}
}

// TestStopGracePeriod: a stop_grace_period that parses is the deployment's
// (in nanoseconds, at its line); one that does not is not set at all
// (kills `err == nil` negated, a seed-3 survivor).
func TestStopGracePeriod(t *testing.T) {
	for _, tc := range []struct {
		val  string
		want int64
	}{
		{"90s", 90e9},
		{"2m", 120e9},
		{"soon", 0},
	} {
		p := Load([]Input{{Rel: "docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n    stop_grace_period: " + tc.val + "\n")}}, Options{})
		if len(p.Services) != 1 {
			t.Fatalf("%s: %d services", tc.val, len(p.Services))
		}
		s := p.Services[0]
		l, located := s.Locs["deployment/stop_grace_period"]
		if got := s.Deployment.StopGracePeriod; got != tc.want || located != (tc.want != 0) || located && l.Line != 4 {
			t.Errorf("stop_grace_period %s: %d located %v at %d, want %d", tc.val, got, located, l.Line, tc.want)
		}
	}
}

// TestEntrypointAndCommand: a service with both an entrypoint and a
// command runs them one after the other (Docker: ENTRYPOINT + CMD), so the
// entrypoint's flags count as well as the command's: the entrypoint's
// -c was dropped when a command was set, and the config it names was
// not read. A shell entrypoint (sh -c) is left out: the command is its
// script (also kills the command/entrypoint key test negated, a seed-3
// survivor: the two lists swapped places).
func TestEntrypointAndCommand(t *testing.T) {
	for _, tc := range []struct {
		svc, config, command string
	}{
		{"    entrypoint: [nats-server, -c, /etc/nats/a.conf]\n    command: [-p, \"4333\"]\n", "/etc/nats/a.conf", "nats-server -c /etc/nats/a.conf -p 4333"},
		{"    command: [nats-server, -c, /etc/nats/b.conf]\n", "/etc/nats/b.conf", "nats-server -c /etc/nats/b.conf"},
		{"    entrypoint: [nats-server, -c, /etc/nats/c.conf]\n", "/etc/nats/c.conf", "nats-server -c /etc/nats/c.conf"},
		// a shell entrypoint runs the command as its script: its words are
		// the command's, not the shell's
		{"    entrypoint: /bin/sh -c\n    command: nats-server -c /etc/nats/d.conf\n", "/etc/nats/d.conf", "nats-server -c /etc/nats/d.conf"},
	} {
		p := Load([]Input{{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: myorg/app:1\n" + tc.svc)}}, Options{})
		if len(p.Services) != 1 {
			t.Fatalf("%q: %d services", tc.svc, len(p.Services))
		}
		s := p.Services[0]
		if !s.IsNATS || s.Deployment.ConfigPath != tc.config || strings.Join(s.Deployment.Command, " ") != tc.command {
			t.Errorf("%q: NATS %v, config %q, command %q; want config %q, command %q", tc.svc, s.IsNATS, s.Deployment.ConfigPath, s.Deployment.Command, tc.config, tc.command)
		}
	}
}

// TestLongVolumeNeedsTarget: a long-syntax volume is a mount only with a
// target; one without is not recorded; read_only: true is read-only (kills
// parseVolume's `s == "true"` negated, a seed-3 survivor, and its
// `vs.target != ""` negated).
func TestLongVolumeNeedsTarget(t *testing.T) {
	p := Load([]Input{{Rel: "docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n    volumes:\n      - {type: volume, source: js, target: /data, read_only: true}\n      - {type: bind, source: ./conf}\n")}}, Options{})
	if len(p.Services) != 1 {
		t.Fatalf("%d services", len(p.Services))
	}
	var got []string
	for _, v := range p.Services[0].Deployment.Volumes {
		got = append(got, fmt.Sprintf("%s:%s:%s:%v", v.Type, v.Source, v.Target, v.ReadOnly))
	}
	if strings.Join(got, "|") != "volume:js:/data:true" {
		t.Errorf("volumes %q, want only volume:js:/data:true", got)
	}
}

// TestMergeKeyList: `<<: [*a, *b]` merges every mapping of the list (kills
// the `src != nil && src.Kind == SequenceNode` test negated, a seed-3
// survivor: the list was read as one mapping, and nothing merged).
func TestMergeKeyList(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("x-a: &a\n  image: nats:2.10.7\nx-b: &b\n  command: [-p, \"4333\"]\nservices:\n  nats:\n    <<: [*a, *b]\n")}}, Options{})
	if len(p.Services) != 1 {
		t.Fatalf("%d services", len(p.Services))
	}
	s := p.Services[0]
	if s.Deployment.Image != "nats:2.10.7" || s.FlagConfig["port"] != int64(4333) {
		t.Errorf("image %q, flags %#v: want both merged", s.Deployment.Image, s.FlagConfig)
	}
}

// TestServiceSettingsSeed4: the sample (seed 4) survivors of compose.go's
// service reading. A stop_signal is read and located (kills `!= ""`
// negated); limits with cpus and no memory read the cpus and no memory
// (kills `m != nil && m.Kind == …` turned into `||`, which dereferenced
// the missing node); a short volume's `ro` option makes it read-only and
// `rw` does not (kills `o == "ro"` negated); only a relative bind source
// is a path of the scanned tree (kills the `src != ""` conjunct turned
// into `||`, which gave a named volume a repo path).
func TestServiceSettingsSeed4(t *testing.T) {
	doc := `services:
  nats:
    image: nats:2.10
    stop_signal: SIGINT
    deploy:
      resources:
        limits:
          cpus: "0.5"
    volumes:
      - ./conf:/etc/nats:ro
      - data:/data:rw
      - /srv/certs:/certs
volumes:
  data: {}
`
	p := Load([]Input{{Rel: "docker-compose.yml", Data: []byte(doc)}}, Options{})
	if len(p.Services) != 1 {
		t.Fatalf("%d services", len(p.Services))
	}
	s := p.Services[0]
	d := s.Deployment
	if l := s.Locs["deployment/stop_signal"]; d.StopSignal != "SIGINT" || l.Line != 4 {
		t.Errorf("stop_signal %q at line %d, want SIGINT at 4", d.StopSignal, l.Line)
	}
	if d.CPULimit != 0.5 || d.MemoryLimit != 0 {
		t.Errorf("limits cpus %v memory %d, want 0.5 and 0", d.CPULimit, d.MemoryLimit)
	}
	want := []struct {
		target, repo string
		ro           bool
	}{{"/etc/nats", "conf", true}, {"/data", "", false}, {"/certs", "", false}}
	if len(d.Volumes) != len(want) {
		t.Fatalf("volumes %+v", d.Volumes)
	}
	for i, w := range want {
		v := d.Volumes[i]
		if v.Target != w.target || v.RepoPath != w.repo || v.ReadOnly != w.ro {
			t.Errorf("volume %d = %+v, want target %s repo path %q read-only %v", i, v, w.target, w.repo, w.ro)
		}
	}
}

// treeReader serves the files of a scanned tree to Options.Read and records
// every path it is asked for.
type treeReader struct {
	files map[string]string
	asked []string
}

func (r *treeReader) read(rel string) ([]byte, error) {
	r.asked = append(r.asked, rel)
	if s, ok := r.files[rel]; ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("%s: not in the tree", rel)
}

// TestNamedFilesNeverAboveTheRoot: an extends: file or include: path that
// climbs out of the scanned tree is noted and never asked of Read (issue
// 20, full Go run: compose.go:267).
func TestNamedFilesNeverAboveTheRoot(t *testing.T) {
	r := &treeReader{}
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("include:\n  - ../other/compose.yml\nservices:\n  nats:\n    image: nats:2.10\n    extends:\n      file: ../base.yml\n      service: nats\n")}}, Options{Read: r.read})
	for _, a := range r.asked {
		if strings.HasPrefix(a, "../") || a == ".." {
			t.Errorf("Read asked for %q, outside the scanned tree", a)
		}
	}
	want := []string{
		"compose.yml:2: include: ../other/compose.yml is not in the scanned tree: its services are not audited",
		"compose.yml:7: service nats extends nats from ../base.yml, which is not in the scanned tree: its inherited settings are not audited",
	}
	if strings.Join(p.Notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes = %q, want %q", p.Notes, want)
	}
}

// chain is a compose file of services s0 … s<n>, each extending the next,
// the last with an image.
func chain(n int) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  s%d:\n    extends: s%d\n", i, i+1)
	}
	fmt.Fprintf(&b, "  s%d:\n    image: nats:2.10.7\n", n)
	return b.String()
}

// TestExtendsChainDepth: an extends: chain is followed 16 links deep; the
// service at depth 16 is not resolved further and the cut is noted (issue
// 20, full Go run: compose.go:306, :323).
func TestExtendsChainDepth(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte(chain(16))}}, Options{})
	if len(p.Notes) != 0 {
		t.Errorf("16 links: notes = %q", p.Notes)
	}
	if s := p.Services[0]; s.Name != "s0" || s.Deployment.ImageTag != "2.10.7" {
		t.Errorf("16 links: %s image %q, want s0 with s16's nats:2.10.7", s.Name, s.Deployment.Image)
	}
	p = Load([]Input{{Rel: "compose.yml", Data: []byte(chain(17))}}, Options{})
	if want := "compose.yml: service s16: extends: chain deeper than 16, not followed"; strings.Join(p.Notes, "\n") != want {
		t.Errorf("17 links: notes = %q, want %q", p.Notes, want)
	}
	if s := p.Services[0]; s.Deployment.Image != "" {
		t.Errorf("17 links: s0 image %q, want none (the chain is cut before s17's)", s.Deployment.Image)
	}
}

// TestExtendsUndefinedOrSelf: a service extending one its file does not
// define, or itself, keeps its own settings and is noted (issue 20, full
// Go run: compose.go:324).
func TestExtendsUndefinedOrSelf(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("services:\n  a:\n    image: nats:2.10\n    extends: nope\n  b:\n    image: nats:2.11\n    extends:\n      service: b\n")}}, Options{})
	want := []string{
		"compose.yml:4: service a extends nope, which is not defined there",
		"compose.yml:8: service b extends b, which is not defined there",
	}
	if strings.Join(p.Notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes = %q, want %q", p.Notes, want)
	}
	if len(p.Services) != 2 || p.Services[0].Deployment.ImageTag != "2.10" || p.Services[1].Deployment.ImageTag != "2.11" {
		t.Errorf("services = %+v", p.Services)
	}
}

// TestExtendsFileInvalid: a service extending a service of a file that
// does not parse keeps its own settings; the file's error is reported and
// the service is not said to be undefined (issue 20, full Go run:
// compose.go:319).
func TestExtendsFileInvalid(t *testing.T) {
	r := &treeReader{files: map[string]string{"base.yml": "services: [\n"}}
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n    extends:\n      file: base.yml\n      service: nats\n")}}, Options{Read: r.read})
	if len(p.Notes) != 0 {
		t.Errorf("notes = %q, want none (the file's error says it)", p.Notes)
	}
	if len(p.Errors) != 1 || p.Errors[0].File != "base.yml" {
		t.Errorf("errors = %+v, want base.yml's", p.Errors)
	}
	if len(p.Services) != 1 || p.Services[0].Deployment.ImageTag != "2.10" {
		t.Errorf("services = %+v", p.Services)
	}
}

// TestIncludeDepth: include: is followed 16 files deep; the 17th file of a
// chain is not read (issue 20, full Go run: compose.go:339, :373).
func TestIncludeDepth(t *testing.T) {
	r := &treeReader{files: map[string]string{}}
	for i := 1; i <= 17; i++ {
		r.files[fmt.Sprintf("i%d.yml", i)] = fmt.Sprintf("include: [i%d.yml]\nservices:\n  c%d:\n    image: nats:2.10\n", i+1, i)
	}
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("include: [i1.yml]\nservices:\n  c0:\n    image: nats:2.10\n")}}, Options{Read: r.read})
	var names []string
	for _, s := range p.Services {
		names = append(names, s.Name)
	}
	if got, want := strings.Join(names, " "), "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 c10 c11 c12 c13 c14 c15 c16"; got != want {
		t.Errorf("services = %s, want %s", got, want)
	}
	for _, a := range r.asked {
		if a == "i17.yml" {
			t.Errorf("i17.yml was read: deeper than 16 includes")
		}
	}
}

// TestIncludeEnvFileWithoutEnv: an include's env_file is found but there is
// no environment source (Options.Env nil): the included services are read,
// not interpolated, and nothing crashes (issue 20, full Go run:
// compose.go:345).
func TestIncludeEnvFileWithoutEnv(t *testing.T) {
	r := &treeReader{files: map[string]string{"sub/compose.yml": "services:\n  nats:\n    image: nats:2.10.7\n", "sub/tag.env": "TAG=2\n"}}
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("include:\n  - path: sub/compose.yml\n    env_file: sub/tag.env\n")}}, Options{Read: r.read})
	if len(p.Services) != 1 || p.Services[0].Deployment.ImageTag != "2.10.7" {
		t.Errorf("services = %+v", p.Services)
	}
}

// TestIncludeDirectoryEnv: an included file is interpolated with the .env
// of its own directory (issue 20, full Go run: compose.go:359).
func TestIncludeDirectoryEnv(t *testing.T) {
	e := envs{"sub/.env": parseEnv(t, "TAG=2.10.7\n")}
	r := &treeReader{files: map[string]string{"sub/compose.yml": "services:\n  nats:\n    image: nats:${TAG}\n"}}
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("include: [sub/compose.yml]\n")}}, Options{Env: e, Read: r.read})
	if len(p.Services) != 1 || p.Services[0].Deployment.ImageTag != "2.10.7" {
		for _, s := range p.Services {
			t.Errorf("service %s image %q", s.Name, s.Deployment.Image)
		}
		t.Fatalf("want the included service with TAG from sub/.env")
	}
}

// TestOverrideKeepsWorkingDir: an override without working_dir keeps the
// base's, which a relative -c path is read from; one with it replaces it
// (issue 20, full Go run: compose.go:478).
func TestOverrideKeepsWorkingDir(t *testing.T) {
	base := Input{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n    working_dir: /srv/nats\n    command: [-c, nats.conf]\n")}
	for _, tc := range []struct{ override, want string }{
		{"services:\n  nats:\n    ports: [\"4222:4222\"]\n", "/srv/nats/nats.conf"},
		{"services:\n  nats:\n    working_dir: /opt\n", "/opt/nats.conf"},
	} {
		p := Load([]Input{base, {Rel: "compose.override.yml", Data: []byte(tc.override)}}, Options{})
		if got := p.Services[0].Deployment.ConfigPath; got != tc.want {
			t.Errorf("%q: config path %q, want %q", tc.override, got, tc.want)
		}
	}
}

// TestNodeBudgetCoversTheFile: a node budget smaller than the file still
// lets the walk visit each of the file's own nodes (twice over); the budget
// bounds only what aliases add (issue 20, full Go run: compose.go:560).
func TestNodeBudgetCoversTheFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "  s%d:\n    image: nats:2.10\n    ports: [\"%d:4222\"]\n", i, 4000+i)
	}
	p := Load([]Input{{Rel: "compose.yml", Data: []byte(b.String())}}, Options{NodeBudget: 1})
	if len(p.Errors) != 0 || len(p.Services) != 20 {
		t.Errorf("%d services, errors %+v; want 20 and none", len(p.Services), p.Errors)
	}
}

// TestPortProtocolOfUnsetNumber: a short port whose number is an unset
// variable ("${NATS_PORT}/udp" interpolates to "/udp") keeps its protocol
// (issue 20, full Go run: compose.go:847).
func TestPortProtocolOfUnsetNumber(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n    ports: [\"${NATS_PORT}/udp\"]\n")}}, Options{})
	ports := p.Services[0].Deployment.Ports
	if len(ports) != 1 || ports[0].Protocol != "udp" || ports[0].ContainerPort != 0 {
		t.Errorf("ports = %+v, want one udp port of no number", ports)
	}
}

// TestStreamingAndNATSImages: a NATS Streaming image is marked as such (its
// 0.x version is not nats-server's); a service is NATS by its image or by a
// command or entrypoint that runs nats-server, and not otherwise (issue 20,
// full Go run: compose.go:985, :1127).
func TestStreamingAndNATSImages(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte(`services:
  stan:
    image: nats-streaming:0.25.3
  nats:
    image: nats:2.10.7
  redis:
    image: redis:7
    command: [redis-server, --appendonly, "yes"]
  broker:
    image: example/broker:1
    command: [nats-server, -c, /etc/nats/nats.conf]
  sidecar:
    image: example/sidecar:1
    entrypoint: [/usr/local/bin/nats-server]
`)}}, Options{})
	want := map[string][2]bool{ // IsNATS, Streaming
		"stan": {true, true}, "nats": {true, false}, "redis": {false, false},
		"broker": {true, false}, "sidecar": {true, false},
	}
	for _, s := range p.Services {
		if got := [2]bool{s.IsNATS, s.Streaming}; got != want[s.Name] {
			t.Errorf("%s: IsNATS, Streaming = %v, want %v", s.Name, got, want[s.Name])
		}
	}
	if len(p.Services) != len(want) {
		t.Errorf("%d services", len(p.Services))
	}
}

// TestEnvironmentSecretFacts: an environment value that is only an unset
// variable is an unresolved reference to it (not an empty secret); an empty
// literal is empty; a value with an unset variable inside it and text
// around is described as the text it has; a reference resolved from the
// project's .env says which variable it came from (issue 20, full Go run:
// compose.go:1019, :1028).
func TestEnvironmentSecretFacts(t *testing.T) {
	e := envs{".env": parseEnv(t, "PASS=Kq7vLx2mWp9z\n")}
	p := Load([]Input{{Rel: "compose.yml", Data: []byte(`services:
  nats:
    image: nats:2.10
    environment:
      NATS_PASSWORD: ${UNSET_PASS}
      NATS_TOKEN: ""
      NATS_URL: nats://admin:${UNSET_PW}@nats:4222
      AUTH_PASSWORD: ${PASS}
      ADMIN_PASSWORD: Kq7vLx2mWp9z
`)}}, Options{Env: e})
	env := p.Services[0].Deployment.Environment
	get := func(k string) *model.Secret {
		s, _ := env[k].(*model.Secret)
		if s == nil {
			t.Fatalf("%s: %#v, want a secret fact", k, env[k])
		}
		return s
	}
	if s := get("NATS_PASSWORD"); s.Origin != "env" || s.EnvVar != "UNSET_PASS" || s.Resolved || s.Empty {
		t.Errorf("NATS_PASSWORD = %+v, want an unresolved reference to UNSET_PASS", s)
	}
	if s := get("NATS_TOKEN"); s.Origin != "literal" || !s.Empty || !s.Resolved {
		t.Errorf("NATS_TOKEN = %+v, want an empty literal", s)
	}
	if s := get("NATS_URL"); s.Origin != "literal" || !s.Resolved || s.EnvVar != "" {
		t.Errorf("NATS_URL = %+v, want the literal text around the unset variable", s)
	}
	if s := get("AUTH_PASSWORD"); s.Origin != "env" || s.EnvVar != "PASS" || !s.Resolved || s.Empty {
		t.Errorf("AUTH_PASSWORD = %+v, want PASS's value, resolved", s)
	}
	if s := get("ADMIN_PASSWORD"); s.Origin != "literal" || s.EnvVar != "" || !s.Resolved {
		t.Errorf("ADMIN_PASSWORD = %+v, want a literal", s)
	}
}

// TestEnvironmentMaskedByName: the value of a secret-named variable is
// masked in the snippet of its line, even a short one no pattern knows; a
// path-named one (NATS_CREDS_FILE) and a plain setting are not, so the
// report's paths and settings stay readable (issue 20, full Go run:
// compose.go:1022).
func TestEnvironmentMaskedByName(t *testing.T) {
	a, err := secret.NewAnalyzer(secret.Params{})
	if err != nil {
		t.Fatal(err)
	}
	Load([]Input{{Rel: "compose.yml", Data: []byte(`services:
  nats:
    image: nats:2.10
    environment:
      NATS_PASSWORD: pw1
      NATS_CREDS_FILE: /etc/nats/sys.creds
      LOG_LEVEL: debug
`)}}, Options{Secrets: a})
	for _, tc := range []struct {
		line       int
		text, want string
	}{
		{5, "      NATS_PASSWORD: pw1", "pw1"},
		{6, "      NATS_CREDS_FILE: /etc/nats/sys.creds", ""},
		{7, "      LOG_LEVEL: debug", ""},
	} {
		got := a.RedactAt("compose.yml", tc.line, tc.text)
		got = a.Redact(got)
		if tc.want != "" && strings.Contains(got, tc.want) {
			t.Errorf("line %d: %q still shows %q", tc.line, got, tc.want)
		}
		if tc.want == "" && got != tc.text {
			t.Errorf("line %d: %q masked to %q", tc.line, tc.text, got)
		}
	}
}

// TestPortUnbracketedIPv6Any: ":::4222:4222" (the unbracketed "::" that
// docker prints and accepts) publishes on all interfaces (issue 20, full Go
// run: compose.go:1042).
func TestPortUnbracketedIPv6Any(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n    ports: [\":::4222:4222\"]\n")}}, Options{})
	ports := p.Services[0].Deployment.Ports
	if len(ports) != 1 || ports[0].HostIP != "::" || !ports[0].AllInterfaces || ports[0].HostPort != 4222 || ports[0].ContainerPort != 4222 {
		t.Errorf("ports = %+v, want 4222 on :: (all interfaces)", ports)
	}
}

// TestPortRangeOfUnsetStart: a host port range whose start is an unset
// variable ("${FROM}-4223" interpolates to "-4223") has no known port, not
// a negative one (issue 20, full Go run: compose.go:1190).
func TestPortRangeOfUnsetStart(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n    ports: [\"${FROM}-4223:4222\"]\n")}}, Options{})
	ports := p.Services[0].Deployment.Ports
	if len(ports) != 1 || ports[0].HostPort != 0 || ports[0].ContainerPort != 4222 {
		t.Errorf("ports = %+v, want host port unknown (0), container 4222", ports)
	}
}

// TestOverrideNotesOnlyForVariants: only a file named like a variant of the
// base (docker-compose.<x>.yml, compose-<x>.yaml) is noted as a likely
// override; another compose file in the directory, or the standard
// override file, is not (issue 20, full Go run: project.go:159).
func TestOverrideNotesOnlyForVariants(t *testing.T) {
	base := Load([]Input{{Rel: "d/docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n")}}, Options{})
	for _, tc := range []struct {
		file string
		note bool
	}{
		{"d/compose-prod.yaml", true},
		{"d/nats.yml", false},
		{"d/docker-compose.override.yml", false},
	} {
		other := Load([]Input{{Rel: tc.file, Data: []byte("services:\n  nats:\n    ports: [\"4222:4222\"]\n")}}, Options{})
		notes := OverrideNotes([]*Project{base, other})
		if got := len(notes) == 1 && strings.HasPrefix(notes[0], tc.file+" looks like an override of d/docker-compose.yml"); got != tc.note || len(notes) > 1 {
			t.Errorf("%s: notes = %q, want a note: %v", tc.file, notes, tc.note)
		}
	}
}

// TestListFieldsGivenAsMappings: ports and volumes written as a mapping
// instead of a list (a common slip, which Compose rejects) publish and
// mount nothing: their keys and values are not read as list items (issue
// 20, full Go run: yamlnode.go:120).
func TestListFieldsGivenAsMappings(t *testing.T) {
	p := Load([]Input{{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10\n    ports:\n      client: \"4222:4222\"\n    volumes:\n      data: /data\n")}}, Options{})
	d := p.Services[0].Deployment
	if len(d.Ports) != 0 || len(d.Volumes) != 0 {
		t.Errorf("ports %+v, volumes %+v; want none", d.Ports, d.Volumes)
	}
}
