// Package testgen writes deterministic synthetic config repositories for the
// benchmarks: N services, each with a nats.conf and a docker-compose.yml, plus
// a .env and JetStream stream/consumer definitions. The content mixes good and
// bad settings (TLS or not, literal passwords or variables, R1 or R3 streams,
// clusters, memory limits) so that every rule family has work to do, the way a
// platform monorepo would. Nothing it writes is checked in: `make bench`
// generates into a gitignored directory, benchmarks into a temp dir.
package testgen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Options size a repository.
type Options struct {
	// Services is the number of service directories; each holds a nats.conf
	// and a docker-compose.yml (two config files), a .env and stream files.
	Services int
	// Seed makes the content reproducible: the same seed and size give the
	// same bytes.
	Seed uint64
	// NoExtras leaves out the .env and stream files (config files only).
	NoExtras bool
}

// Stats describe what Generate wrote.
type Stats struct {
	Services    int // service directories
	ConfigFiles int // nats.conf + compose files
	Files       int // every file written
	Servers     int // nats-server instances the compose files run
	Streams     int
	Consumers   int
	Bytes       int64
}

// Generate writes the repository under dir (created if needed). dir should be
// empty: existing files with the same names are overwritten.
func Generate(dir string, opt Options) (Stats, error) {
	var st Stats
	if opt.Services < 0 {
		return st, fmt.Errorf("generate %s: negative service count %d", dir, opt.Services)
	}
	for i := 0; i < opt.Services; i++ {
		svc := newService(i, opt.Seed)
		files := svc.files(opt.NoExtras)
		for _, f := range files {
			p := filepath.Join(dir, filepath.FromSlash(f.path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return st, fmt.Errorf("generate %s: %w", dir, err)
			}
			if err := os.WriteFile(p, []byte(f.data), 0o644); err != nil {
				return st, fmt.Errorf("generate %s: %w", dir, err)
			}
			st.Files++
			st.Bytes += int64(len(f.data))
		}
		st.Services++
		st.ConfigFiles += 2
		st.Servers += svc.nodes
		if !opt.NoExtras {
			st.Streams += len(svc.streams)
			st.Consumers += svc.consumers
		}
	}
	return st, nil
}

type file struct{ path, data string }

// service is one generated service's choices, drawn from a generator seeded
// by (seed, index) so that service i is the same whatever N is.
type service struct {
	name      string
	dir       string
	rnd       *rand.Rand
	nodes     int // 1, or 3 for a clustered service
	tls       bool
	verify    bool
	allowNon  bool
	literalPW bool
	sysAcct   bool
	monLocal  bool
	debug     bool
	memLimit  bool
	version   string
	digest    bool
	jsMem     int // MB
	jsFile    int // GB
	streams   []stream
	consumers int
}

type stream struct {
	name, subject string
	replicas      int
	maxBytes      int64
	maxMsgs       int
	discard       string
	nack          bool
}

var versions = []string{"2.9.25", "2.10.7", "2.10.24", "2.11.4", "2.11.9", "2.12.1", "2.15.2", "latest"}

var domains = []string{"orders", "billing", "telemetry", "search", "inventory", "auth", "shipping", "notify", "ledger", "media"}

func newService(i int, seed uint64) *service {
	r := rand.New(rand.NewPCG(seed, uint64(i)+1))
	s := &service{
		name: fmt.Sprintf("%s-%04d", domains[i%len(domains)], i),
		rnd:  r,
	}
	s.dir = "services/" + s.name
	s.nodes = 1
	if r.IntN(5) == 0 {
		s.nodes = 3
	}
	s.tls = r.IntN(3) > 0
	s.verify = s.tls && r.IntN(2) == 0
	s.allowNon = s.tls && r.IntN(4) == 0
	s.literalPW = r.IntN(4) == 0
	s.sysAcct = r.IntN(2) == 0
	s.monLocal = r.IntN(2) == 0
	s.debug = r.IntN(6) == 0
	s.memLimit = r.IntN(3) > 0
	s.version = versions[r.IntN(len(versions))]
	s.digest = r.IntN(4) == 0
	s.jsMem = []int{64, 256, 1024, 4096}[r.IntN(4)]
	s.jsFile = []int{1, 10, 50, 200}[r.IntN(4)]
	n := 1 + r.IntN(3)
	for k := 0; k < n; k++ {
		st := stream{
			name:     strings.ToUpper(fmt.Sprintf("%s_%d_%s", domains[i%len(domains)], i, []string{"EVENTS", "DLQ", "AUDIT"}[k])),
			subject:  fmt.Sprintf("%s.%d.%s.>", domains[i%len(domains)], i, []string{"events", "dlq", "audit"}[k]),
			replicas: []int{1, 3, 3, 5}[r.IntN(4)],
			maxBytes: []int64{-1, 1 << 30, 10 << 30}[r.IntN(3)],
			maxMsgs:  []int{-1, 100000, 5000000}[r.IntN(3)],
			discard:  []string{"old", "new"}[r.IntN(2)],
			nack:     r.IntN(2) == 0,
		}
		s.streams = append(s.streams, st)
	}
	s.consumers = r.IntN(3)
	return s
}

func (s *service) files(noExtras bool) []file {
	out := []file{
		{s.dir + "/nats.conf", s.natsConf()},
		{s.dir + "/docker-compose.yml", s.compose()},
	}
	if noExtras {
		return out
	}
	out = append(out, file{s.dir + "/.env", s.env()})
	for k, st := range s.streams {
		if st.nack {
			out = append(out, file{fmt.Sprintf("%s/jetstream/stream-%d.yaml", s.dir, k), s.nackStream(st)})
		} else {
			out = append(out, file{fmt.Sprintf("%s/jetstream/stream-%d.json", s.dir, k), s.jsonStream(st)})
		}
	}
	for c := 0; c < s.consumers; c++ {
		out = append(out, file{fmt.Sprintf("%s/jetstream/consumer-%d.json", s.dir, c), s.consumer(c)})
	}
	return out
}

func (s *service) natsConf() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s - NATS server configuration (generated for benchmarks)\n", s.name)
	fmt.Fprintf(&b, "# Mounted at /etc/nats/nats.conf by docker-compose.yml\n\n")
	if s.nodes > 1 {
		b.WriteString("server_name: $SERVER_NAME\n")
	} else {
		fmt.Fprintf(&b, "server_name: %s-nats\n", s.name)
	}
	b.WriteString("listen: 0.0.0.0:4222\n")
	if s.monLocal {
		b.WriteString("http: 127.0.0.1:8222\n")
	} else {
		b.WriteString("http_port: 8222\n")
	}
	fmt.Fprintf(&b, "\ndebug: %v\ntrace: false\nlogtime: true\n\n", s.debug)
	fmt.Fprintf(&b, "max_connections: %d\nmax_payload: %s\nmax_pending: 64MB\n", 1000+s.rnd.IntN(9000), []string{"1MB", "8MB", "64MB"}[s.rnd.IntN(3)])
	fmt.Fprintf(&b, "ping_interval: \"%ds\"\nwrite_deadline: \"%ds\"\n", []int{20, 120}[s.rnd.IntN(2)], []int{2, 10}[s.rnd.IntN(2)])
	if s.rnd.IntN(2) == 0 {
		b.WriteString("lame_duck_duration: \"30s\"\n")
	}
	fmt.Fprintf(&b, "\njetstream {\n    store_dir: /data/jetstream\n    max_memory_store: %dMB\n    max_file_store: %dGB\n}\n", s.jsMem, s.jsFile)
	if s.tls {
		b.WriteString("\ntls {\n    cert_file: \"/etc/nats/certs/server.crt\"\n    key_file: \"/run/secrets/nats_server_key\"\n    ca_file: \"/etc/nats/certs/ca.crt\"\n")
		fmt.Fprintf(&b, "    verify: %v\n    timeout: 2\n", s.verify)
		if s.rnd.IntN(2) == 0 {
			b.WriteString("    min_version: \"1.3\"\n")
		}
		b.WriteString("}\n")
		if s.allowNon {
			b.WriteString("# Keep plaintext for services that have not migrated yet.\nallow_non_tls: true\n")
		}
	}
	if s.nodes > 1 {
		fmt.Fprintf(&b, "\ncluster {\n    name: %s\n    listen: 0.0.0.0:6222\n", s.name)
		if s.rnd.IntN(2) == 0 {
			b.WriteString("    authorization {\n        user: route_user\n        password: $ROUTE_PASSWORD\n    }\n")
		}
		b.WriteString("    routes = [\n")
		for n := 1; n <= s.nodes; n++ {
			fmt.Fprintf(&b, "        nats://nats-%d:6222\n", n)
		}
		b.WriteString("    ]\n}\n")
	}
	if s.sysAcct {
		b.WriteString("\nsystem_account: SYS\n\naccounts {\n    SYS {\n        users = [\n            { user: ops_admin, password: $SYS_PASSWORD }\n        ]\n    }\n    APP {\n")
		fmt.Fprintf(&b, "        jetstream {\n            max_memory: %dMB\n            max_store: %dGB\n            max_streams: 50\n        }\n", s.jsMem/2, s.jsFile/2+1)
		b.WriteString("        users = [\n")
		s.users(&b, "            ")
		b.WriteString("        ]\n    }\n}\n")
	} else {
		b.WriteString("\nauthorization {\n    timeout: 2\n    users = [\n")
		s.users(&b, "        ")
		b.WriteString("    ]\n}\n")
	}
	return b.String()
}

func (s *service) users(b *strings.Builder, ind string) {
	dom := strings.SplitN(s.name, "-", 2)[0]
	fmt.Fprintf(b, "%s{\n%s    user: $NATS_USER\n%s    password: $NATS_PASSWORD\n", ind, ind, ind)
	fmt.Fprintf(b, "%s    permissions: {\n%s        publish: [\"%s.>\", \"_INBOX.>\"]\n%s        subscribe: [\"%s.>\", \"_INBOX.>\"]\n%s    }\n%s}\n", ind, ind, dom, ind, dom, ind, ind)
	if s.literalPW {
		// Half are a known default, half a committed service-specific
		// password (every one a secret the reports must mask).
		pw := "changeme"
		if s.rnd.IntN(2) == 0 {
			pw = fmt.Sprintf("Mon-%s-%08x", s.name, s.rnd.Uint32())
		}
		fmt.Fprintf(b, "%s{ user: monitor, password: %q, permissions: { publish: { deny: \">\" }, subscribe: \">\" } }\n", ind, pw)
	} else {
		fmt.Fprintf(b, "%s{ user: admin, password: $NATS_ADMIN_PASSWORD, permissions: { publish: \">\", subscribe: \">\" } }\n", ind)
	}
}

func (s *service) compose() string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\n\nservices:\n", s.name)
	image := "nats:" + s.version
	if s.version != "latest" && s.rnd.IntN(2) == 0 {
		image += "-alpine"
	}
	if s.digest {
		image += fmt.Sprintf("@sha256:%064x", s.rnd.Uint64())
	}
	for n := 1; n <= s.nodes; n++ {
		svc := "nats"
		if s.nodes > 1 {
			svc = fmt.Sprintf("nats-%d", n)
		}
		fmt.Fprintf(&b, "  %s:\n    image: %s\n    restart: unless-stopped\n    command: [\"-c\", \"/etc/nats/nats.conf\"]\n    env_file:\n      - .env\n", svc, image)
		if s.nodes > 1 {
			fmt.Fprintf(&b, "    environment:\n      SERVER_NAME: %s\n", svc)
		}
		b.WriteString("    ports:\n")
		fmt.Fprintf(&b, "      - \"%d:4222\"\n", 4222+n-1)
		if s.monLocal {
			fmt.Fprintf(&b, "      - \"127.0.0.1:%d:8222\"\n", 8222+n-1)
		} else {
			fmt.Fprintf(&b, "      - \"%d:8222\"\n", 8222+n-1)
		}
		b.WriteString("    volumes:\n      - ./nats.conf:/etc/nats/nats.conf:ro\n      - ./certs:/etc/nats/certs:ro\n")
		fmt.Fprintf(&b, "      - %s-data:/data\n", svc)
		if s.memLimit {
			fmt.Fprintf(&b, "    deploy:\n      resources:\n        limits:\n          cpus: \"1.0\"\n          memory: %dM\n", []int{256, 512, 2048, 8192}[s.rnd.IntN(4)])
		}
		if s.rnd.IntN(2) == 0 {
			b.WriteString("    healthcheck:\n      test: [\"CMD\", \"wget\", \"-q\", \"--spider\", \"http://localhost:8222/healthz\"]\n      interval: 30s\n      timeout: 10s\n      retries: 3\n")
		}
	}
	fmt.Fprintf(&b, "\n  %s-api:\n    image: ghcr.io/example/%s:1.%d.%d\n    env_file:\n      - .env\n    depends_on:\n      - %s\n", s.name, s.name, s.rnd.IntN(20), s.rnd.IntN(10), map[bool]string{true: "nats-1", false: "nats"}[s.nodes > 1])
	b.WriteString("\nvolumes:\n")
	for n := 1; n <= s.nodes; n++ {
		if s.nodes > 1 {
			fmt.Fprintf(&b, "  nats-%d-data:\n", n)
		} else {
			b.WriteString("  nats-data:\n")
		}
	}
	return b.String()
}

func (s *service) env() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Environment for %s. Real values are injected by the pipeline.\n", s.name)
	fmt.Fprintf(&b, "NATS_URL=nats://${NATS_USER}:${NATS_PASSWORD}@nats:4222\nNATS_USER=%s_app\n", strings.ReplaceAll(s.name, "-", "_"))
	switch s.rnd.IntN(3) {
	case 0:
		b.WriteString("NATS_PASSWORD=${NATS_PASSWORD:-MUST_SET_IN_PRODUCTION}\n")
	case 1:
		fmt.Fprintf(&b, "NATS_PASSWORD=App-%s-%08x\n", s.name, s.rnd.Uint32())
	default:
		b.WriteString("NATS_PASSWORD=${NATS_PASSWORD:?set by the deployment pipeline}\n")
	}
	b.WriteString("NATS_ADMIN_PASSWORD=${NATS_ADMIN_PASSWORD:?required}\nSYS_PASSWORD=${SYS_PASSWORD:?required}\nROUTE_PASSWORD=${ROUTE_PASSWORD:?required}\n")
	fmt.Fprintf(&b, "LOG_LEVEL=%s\n", []string{"info", "debug"}[s.rnd.IntN(2)])
	return b.String()
}

func (s *service) jsonStream(st stream) string {
	return fmt.Sprintf(`{
  "name": %q,
  "subjects": [%q],
  "retention": "limits",
  "max_consumers": -1,
  "max_msgs": %d,
  "max_bytes": %d,
  "max_age": 2592000000000000,
  "max_msg_size": 1048576,
  "storage": "file",
  "discard": %q,
  "num_replicas": %d,
  "duplicate_window": 120000000000
}
`, st.name, st.subject, st.maxMsgs, st.maxBytes, st.discard, st.replicas)
}

func (s *service) nackStream(st stream) string {
	return fmt.Sprintf(`# Managed by NACK (the JetStream controller)
apiVersion: jetstream.nats.io/v1beta2
kind: Stream
metadata:
  name: %s
spec:
  name: %s
  subjects:
    - %q
  storage: file
  replicas: %d
  retention: limits
  discard: %s
  maxMsgs: %d
  maxBytes: %d
`, strings.ToLower(strings.ReplaceAll(st.name, "_", "-")), st.name, st.subject, st.replicas, st.discard, st.maxMsgs, st.maxBytes)
}

func (s *service) consumer(c int) string {
	st := s.streams[c%len(s.streams)]
	ack := []string{"explicit", "none", "all"}[s.rnd.IntN(3)]
	return fmt.Sprintf(`{
  "stream_name": %q,
  "config": {
    "durable_name": "worker-%d",
    "deliver_policy": "all",
    "ack_policy": %q,
    "ack_wait": 30000000000,
    "max_deliver": %d,
    "filter_subject": %q,
    "max_ack_pending": %d
  }
}
`, st.name, c, ack, []int{-1, 5}[s.rnd.IntN(2)], st.subject, []int{1000, 20000}[s.rnd.IntN(2)])
}

// Sizes are the repository sizes of the benchmark curve, in config files
// (nats.conf + compose); each size has half as many services.
var Sizes = []int{10, 100, 1000, 5000}

// BenchSizes returns Sizes, or the sizes listed in NATSAUDIT_BENCH_SIZES
// (comma-separated config-file counts), so that a quick run can skip the
// largest repositories.
func BenchSizes() []int {
	v := os.Getenv("NATSAUDIT_BENCH_SIZES")
	if v == "" {
		return Sizes
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// ForBench generates a repository of files config files (files/2 services)
// under a test temp dir and returns its path and stats. Call it outside the
// timed loop.
func ForBench(tb testing.TB, files int) (string, Stats) {
	tb.Helper()
	dir := tb.TempDir()
	st, err := Generate(dir, Options{Services: max(files/2, 1), Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	return dir, st
}
