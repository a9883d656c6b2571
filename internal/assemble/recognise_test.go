package assemble

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Other tools' .conf files found in real repositories are not NATS servers
// (reading postgresql.conf as one reported "no client authentication",
// critical); minimal NATS configs without "nats" in their name still are,
// by their content or by the keys they parse to.
func TestWhichConfFilesAreNATS(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// Other tools (written for this test in each tool's syntax).
		"redis.conf":      "bind 127.0.0.1 -::1\nport 6379\nrequirepass foobared-redis\nmaxmemory 2gb\n",
		"postgresql.conf": "listen_addresses = '*'\nport = 5432\nmax_connections = 100\nshared_buffers = 128MB\n",
		"haproxy.cfg":     "global\n    maxconn 4096\nlisten nats\n    bind *:4222\n    server n1 nats-1:4222 check\n",
		"mosquitto.conf":  "listener 1883\nallow_anonymous false\npassword_file /mosquitto/passwd\n",
		"app.conf":        "port: 8080\nhost: 0.0.0.0\ndebug: true\n",
		// NATS configs without "nats" in their name.
		"server.conf":  "listen: 0.0.0.0:4222\n",                                                  // the default port
		"tls-a.conf":   "listen: 127.0.0.1:-1\ntls {\n  cert_file: a.pem\n  key_file: a.key\n}\n", // a NATS-only key
		"edge.conf":    "port: 9999\nlogtime: true\noperator: \"./op.jwt\"\nresolver: MEMORY\n",
		"cluster.conf": "cluster { name: c, listen: 0.0.0.0:6222 }\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv := build(t, dir)
	servers := map[string]bool{}
	for _, s := range inv.Servers {
		servers[s.ConfigFile] = true
	}
	for _, name := range []string{"server.conf", "tls-a.conf", "edge.conf", "cluster.conf"} {
		if !servers[name] {
			t.Errorf("%s not read as a NATS config", name)
		}
	}
	for _, name := range []string{"redis.conf", "postgresql.conf", "haproxy.cfg", "mosquitto.conf", "app.conf"} {
		if servers[name] {
			t.Errorf("%s read as a NATS config", name)
		}
		found := false
		for _, n := range inv.Notes {
			found = found || strings.HasPrefix(n, "skipped "+name+": not a NATS server config")
		}
		if !found {
			t.Errorf("no note for %s: %v", name, inv.Notes)
		}
	}
	for _, e := range inv.Errors {
		t.Errorf("error from another tool's file: %+v", e)
	}
}
