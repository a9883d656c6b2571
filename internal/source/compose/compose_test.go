package compose

import (
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source/dotenv"
)

type envs map[string]*dotenv.File

func (e envs) EnvFile(rel string) *dotenv.File { return e[rel] }

func parseEnv(t *testing.T, s string) *dotenv.File {
	t.Helper()
	f, errs := dotenv.Parse([]byte(s))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return f
}

func load(t *testing.T, e envs, files ...Input) *Project {
	t.Helper()
	a, _ := secret.NewAnalyzer(secret.Params{Placeholders: []string{"changeme", "MUST_SET_IN_PRODUCTION"}})
	return Load(files, Options{Env: e, Secrets: a})
}

func TestMergeOverrides(t *testing.T) {
	base := Input{Rel: "docker-compose.yml", Data: []byte(`services:
  nats:
    image: nats:2.10.24-alpine
    command: ["-c", "/etc/nats/nats.conf"]
    ports: ["4222:4222", "127.0.0.1:8222:8222"]
    volumes:
      - ./nats.conf:/etc/nats/nats.conf:ro
      - data:/data
`)}
	prod := Input{Rel: "docker-compose.prod.yml", Data: []byte(`services:
  nats:
    deploy:
      resources:
        limits:
          memory: 512M
    volumes:
      - /srv/nats:/data
`)}
	groups, _ := Group([]Input{prod, base}, [][]string{{"docker-compose.yml", "docker-compose.prod.yml"}})
	if len(groups) != 1 || groups[0][0].Rel != "docker-compose.yml" {
		t.Fatalf("groups = %+v", groups)
	}
	p := load(t, nil, groups[0]...)
	if len(p.Errors) > 0 || len(p.Services) != 1 {
		t.Fatalf("project = %+v", p)
	}
	s := p.Services[0]
	d := s.Deployment
	if !s.IsNATS || d.ImageTag != "2.10.24-alpine" || d.ConfigPath != "/etc/nats/nats.conf" {
		t.Errorf("deployment = %+v", d)
	}
	if d.MemoryLimit != 512<<20 {
		t.Errorf("memory = %d", d.MemoryLimit)
	}
	if l := s.Locs["deployment/memory_limit"]; l.File != "docker-compose.prod.yml" || l.Line != 6 {
		t.Errorf("memory location = %+v", l)
	}
	if len(d.Volumes) != 2 || d.Volumes[1].Source != "/srv/nats" || d.Volumes[0].RepoPath != "nats.conf" {
		t.Errorf("volumes = %+v", d.Volumes)
	}
	if !d.Ports[0].AllInterfaces || d.Ports[1].AllInterfaces || d.Ports[1].HostIP != "127.0.0.1" {
		t.Errorf("ports = %+v", d.Ports)
	}
}

func TestFlagsBecomeConfig(t *testing.T) {
	p := load(t, envs{".env": parseEnv(t, "ROUTE_PASS=T0pS3cr3t-route\n")}, Input{Rel: "compose.yaml", Data: []byte(`services:
  n1:
    image: nats:latest
    command: -js -sd /data -m 8222 -DV --user admin --pass hunter2-secret-value --routes nats://ruser:${ROUTE_PASS}@n2:6222 --cluster nats://0.0.0.0:6222
`)})
	s := p.Services[0]
	c := s.FlagConfig
	js := c["jetstream"].(map[string]any)
	if js["enabled"] != true || js["store_dir"] != "/data" || c["http_port"] != int64(8222) || c["debug"] != true || c["trace"] != true {
		t.Errorf("flag config = %#v", c)
	}
	pw, ok := c["authorization"].(map[string]any)["password"].(*model.Secret)
	if !ok || pw.Length != len("hunter2-secret-value") {
		t.Errorf("password = %#v", c["authorization"])
	}
	cmd := strings.Join(s.Deployment.Command, " ")
	if strings.Contains(cmd, "hunter2") || strings.Contains(cmd, "T0pS3cr3t") {
		t.Errorf("command leaks a secret: %q", cmd)
	}
	if s.Deployment.Flags["routes_with_credentials"] != true {
		t.Errorf("flags = %#v", s.Deployment.Flags)
	}
	if s.Deployment.UsesImageDefaultConfig {
		t.Error("a command replaces the image default config")
	}
	if l := s.FlagLocs["config/debug"]; l.Line != 4 {
		t.Errorf("debug location = %+v", l)
	}
}

func TestImageDefaultConfig(t *testing.T) {
	p := load(t, nil, Input{Rel: "docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.14.9\n")})
	d := p.Services[0].Deployment
	if !d.UsesImageDefaultConfig || d.ConfigPath != "/nats-server.conf" { // the scratch image: --config nats-server.conf in /
		t.Errorf("deployment = %+v", d)
	}
}

func TestEnvironmentInterpolation(t *testing.T) {
	t.Setenv("NATS_PASSWORD", "process-env-must-not-be-used")
	e := envs{
		".env":            parseEnv(t, "TAG=2.12.15\n"),
		"config/base.env": parseEnv(t, "NATS_PASSWORD=${NATS_PASSWORD:-MUST_SET_IN_PRODUCTION}\n"),
	}
	p := load(t, e, Input{Rel: "docker-compose.yml", Data: []byte(`services:
  nats:
    image: nats:${TAG}-alpine
    env_file: [config/base.env]
    environment:
      SERVER_NAME: nats-1
      FROM_HOST:
`)})
	s := p.Services[0]
	if s.Deployment.ImageTag != "2.12.15-alpine" {
		t.Errorf("image = %q", s.Deployment.Image)
	}
	if v := s.Env["NATS_PASSWORD"].Value; v != "MUST_SET_IN_PRODUCTION" {
		t.Errorf("NATS_PASSWORD = %q", v)
	}
	if _, ok := s.Env["FROM_HOST"]; ok {
		t.Error("a variable passed through from the host has no value in the repo")
	}
	if f := s.Deployment.Environment["NATS_PASSWORD"].(*model.Secret); !f.Placeholder {
		t.Errorf("facts = %+v", f)
	}
}

func TestYAMLError(t *testing.T) {
	p := load(t, nil, Input{Rel: "docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats\n   bad: [\n")})
	if len(p.Errors) != 1 || p.Errors[0].Line == 0 {
		t.Errorf("errors = %+v", p.Errors)
	}
}
