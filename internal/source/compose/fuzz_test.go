package compose

import (
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source/dotenv"
)

// fuzzSecret sits on an environment line of every fuzzed compose file: no
// error message may quote it.
const fuzzSecret = "Fz-C0mpose-Pw-4e2a"

// FuzzLoad feeds arbitrary YAML to the compose reader, as a base file with
// an override and a .env: no panic, no hang, errors name their file and
// never quote the secret.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"services:\n  nats:\n    image: nats:2.10.24-alpine\n    command: [\"-c\", \"/etc/nats/nats.conf\", \"--js\"]\n    ports: [\"4222:4222\", \"127.0.0.1:8222:8222\"]\n    volumes:\n      - ./nats.conf:/etc/nats/nats.conf:ro\n",
		"services:\n  n:\n    image: ${IMAGE:-nats}\n    command: -js -m 8222 --user a --pass ${NATS_PASSWORD} --routes nats://u:p@h:6222\n    environment:\n      - NATS_PASSWORD=x\n    env_file: [.env, {path: other.env}]\n    deploy: {resources: {limits: {memory: 512M, cpus: \"0.5\"}}}\n",
		"x-base: &base\n  image: nats\n  ports: [{target: 4222, published: 4222, host_ip: 0.0.0.0}]\nservices:\n  a:\n    <<: *base\n    network_mode: host\n  b:\n    <<: [*base]\n    stop_grace_period: 2m\n",
		"services: []\n",
		"a: &a [x, x]\nb: &b [*a, *a]\nservices: {n: {image: nats, command: *b}}\n",
		"services:\n  n:\n    image: nats\n    ports:\n      - \"[::1]:8222:8222/tcp\"\n    volumes:\n      - type: bind\n        source: ./c\n        target: /etc/nats\n        read_only: true\n",
	} {
		f.Add([]byte(s), []byte("services:\n  nats:\n    mem_limit: 1g\n"))
	}
	f.Fuzz(func(t *testing.T, base, override []byte) {
		base = append([]byte("x-secret:\n  password: \""+fuzzSecret+"\"\n"), base...)
		env, _ := dotenv.Parse([]byte("NATS_PASSWORD=" + fuzzSecret + "\nIMAGE=nats:2.11\n"))
		a, _ := secret.NewAnalyzer(secret.Params{})
		start := time.Now()
		p := Load([]Input{{Rel: "docker-compose.yml", Data: base}, {Rel: "docker-compose.override.yml", Data: override}},
			Options{Env: envs{".env": env}, Secrets: a})
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %s", d)
		}
		for _, e := range p.Errors {
			if e.File == "" {
				t.Errorf("error without a file: %+v", e)
			}
			if strings.Contains(e.Message, fuzzSecret) {
				t.Errorf("error quotes the secret: %q", e.Message)
			}
		}
	})
}
