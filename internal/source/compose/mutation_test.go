package compose

import (
	"fmt"
	"strings"
	"testing"
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
