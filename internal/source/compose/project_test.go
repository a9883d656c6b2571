package compose

import (
	"fmt"
	"strings"
	"testing"
)

func TestGroupProjects(t *testing.T) {
	in := func(names ...string) []Input {
		var out []Input
		for _, n := range names {
			out = append(out, Input{Rel: n})
		}
		return out
	}
	show := func(gs [][]Input) string {
		var parts []string
		for _, g := range gs {
			var names []string
			for _, f := range g {
				names = append(names, f.Rel)
			}
			parts = append(parts, "["+strings.Join(names, " ")+"]")
		}
		return strings.Join(parts, " ")
	}
	tests := []struct {
		files    []Input
		declared [][]string
		want     string
		notes    int
	}{
		{in("docker-compose.prod.yml", "docker-compose.yml", "docker-compose.override.yml"), nil,
			"[docker-compose.prod.yml] [docker-compose.yml docker-compose.override.yml]", 0},
		{in("compose.yaml", "compose.override.yaml", "docker-compose.yml"), nil,
			"[compose.yaml compose.override.yaml] [docker-compose.yml]", 0},
		{in("a/docker-compose.override.yml", "b/allinone.yml"), nil,
			"[a/docker-compose.override.yml] [b/allinone.yml]", 0},
		{in("docker-compose.yml", "docker-compose.prod.yml", "docker-compose.override.yml"), [][]string{{"docker-compose.yml", "./docker-compose.prod.yml"}},
			"[docker-compose.yml docker-compose.prod.yml] [docker-compose.override.yml]", 0},
		{in("docker-compose.yml"), [][]string{{"missing.yml"}, {"docker-compose.yml"}, {"docker-compose.yml"}},
			"[docker-compose.yml]", 2},
	}
	for i, tt := range tests {
		gs, notes := Group(tt.files, tt.declared)
		if got := show(gs); got != tt.want || len(notes) != tt.notes {
			t.Errorf("%d: got %s (notes %q), want %s (%d notes)", i, got, notes, tt.want, tt.notes)
		}
	}
}

type treeFiles map[string]string

func (f treeFiles) read(rel string) ([]byte, error) {
	if s, ok := f[rel]; ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("%s: not in the tree", rel)
}

func TestExtendsAndInclude(t *testing.T) {
	tree := treeFiles{
		"base/nats.yml": `services:
  broker:
    image: nats:2.10.9-alpine
    command: "--config=/etc/nats/nats.conf"
    ports: ["4222:4222"]
  loop-a:
    extends: loop-b
  loop-b:
    extends: loop-a
`,
		"inc/docker-compose.yml": `services:
  extra:
    image: nats:2.11.1
`,
	}
	main := Input{Rel: "docker-compose.yml", Data: []byte(`include:
  - inc/docker-compose.yml
  - ../outside/docker-compose.yml
  - path: [/etc/compose.yml]
services:
  nats:
    extends:
      file: base/nats.yml
      service: broker
    ports: ["127.0.0.1:8222:8222"]
  same-file:
    extends: nats
    image: nats:2.11.2
  cyc:
    extends:
      file: base/nats.yml
      service: loop-a
  gone:
    extends:
      file: ../../etc/passwd
      service: x
`)}
	p := Load([]Input{main}, Options{Read: tree.read})
	by := map[string]*Service{}
	for _, s := range p.Services {
		by[s.Name] = s
	}
	n := by["nats"]
	if n == nil || n.Deployment.Image != "nats:2.10.9-alpine" || n.Deployment.ConfigPath != "/etc/nats/nats.conf" || len(n.Deployment.Ports) != 2 {
		t.Fatalf("nats does not inherit from broker: %+v", n)
	}
	if l := n.Locs["deployment/image"]; l.File != "base/nats.yml" || l.Line != 3 {
		t.Errorf("inherited image location = %+v", l)
	}
	if s := by["same-file"]; s == nil || s.Deployment.Image != "nats:2.11.2" || len(s.Deployment.Ports) != 2 {
		t.Errorf("same-file extends = %+v", s)
	}
	if s := by["extra"]; s == nil || !s.IsNATS {
		t.Errorf("included service missing: %v", by)
	}
	if by["cyc"] == nil {
		t.Error("a cyclic extends chain drops the service")
	}
	if strings.Join(p.Read, ",") != "base/nats.yml,inc/docker-compose.yml" {
		t.Errorf("read = %v", p.Read)
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{"../outside/docker-compose.yml is not in the scanned tree", "/etc/compose.yml is not in the scanned tree", "extends x from ../../etc/passwd, which is not in the scanned tree"} {
		if !strings.Contains(notes, want) {
			t.Errorf("no note %q in\n%s", want, notes)
		}
	}
}

// TestProfiles: a service's profiles: are kept (the extending service's own
// replace the base's, an override's replace the service's), so that rules
// can tell services that never run together (NATS-CLU-006).
func TestProfiles(t *testing.T) {
	tree := treeFiles{"brokers/nats.yml": `services:
  broker:
    image: nats:2.10.9-alpine
    profiles: [base-only]
`}
	main := Input{Rel: "docker-compose.yml", Data: []byte(`services:
  broker:
    extends: {file: brokers/nats.yml, service: broker}
    profiles: [vernemq_nats, nats_rabbitmq]
  nats:
    extends: {file: brokers/nats.yml, service: broker}
  plain:
    image: nats:2.10.9-alpine
`)}
	over := Input{Rel: "docker-compose.override.yml", Data: []byte(`services:
  plain:
    profiles: ["dev"]
`)}
	p := Load([]Input{main, over}, Options{Read: tree.read})
	got := map[string]string{}
	for _, s := range p.Services {
		got[s.Name] = strings.Join(s.Deployment.Profiles, ",")
	}
	want := map[string]string{"broker": "vernemq_nats,nats_rabbitmq", "nats": "base-only", "plain": "dev"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: profiles %q, want %q", k, got[k], w)
		}
	}
}
