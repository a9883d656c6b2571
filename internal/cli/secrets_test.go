package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/natsaudit/natsaudit/internal/report"
)

// copyTree copies a directory (test fixtures are small).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoSecretInAnyOutput scans a repository full of secrets, with secret
// values also in the process environment, renders every format and checks
// that no secret value appears in stdout, stderr or any file written.
func TestNoSecretInAnyOutput(t *testing.T) {
	repo := t.TempDir()
	copyTree(t, "../../testdata/repos/sahool", repo)
	keyPEM, err := os.ReadFile(filepath.Join(repo, "config/certs/nats/server.key"))
	if err != nil {
		t.Fatal(err)
	}
	keyLine := strings.Split(string(keyPEM), "\n")[5]

	fileSecrets := []string{
		"wh_7Qm2xK9pL4vN8rT3yZ6b",      // config/base.env
		"s3cr3t-t0ken-9f2c7a1e",        // config/nats/nats-test.conf (a file that fails to parse)
		keyLine,                        // config/certs/nats/server.key
		"Sv3ryL0ngR4nd0mPassw0rdValue", // below
		"L3afP4ssw0rdXYZ",
		"SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4",
		"jsEncKey-9b8c7d6e5f4a3b2c1d0e9f8a",
		"tok-4f1e2d3c4b5a69788796a5b4c3d2e1f0",
		"Route-Pa55word-Q7",
	}
	extra := `server_name: edge
authorization {
  users = [
    { user: svc, password: "Sv3ryL0ngR4nd0mPassw0rdValue" }
    { nkey: SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4 }
  ]
}
leafnodes { remotes = [ { url: "nats-leaf://leafuser:L3afP4ssw0rdXYZ@hub:7422" } ] }
jetstream { key: "jsEncKey-9b8c7d6e5f4a3b2c1d0e9f8a", store_dir: /data }
`
	if err := os.WriteFile(filepath.Join(repo, "config/nats/edge-nats.conf"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	compose := "services:\n  edge:\n    image: nats:2.12.1\n    command: --auth tok-4f1e2d3c4b5a69788796a5b4c3d2e1f0 --routes nats://ruser:Route-Pa55word-Q7@edge-2:6222 -js\n"
	if err := os.WriteFile(filepath.Join(repo, "compose.edge.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	// Secrets shorter than the value-masking minimum, in every form a
	// compose file writes a nats-server command line and its environment.
	shortCompose := `services:
  exec:
    image: nats:2.12.1
    command: ["--user","admin","--pass","Qz9k","--routes","nats://ru:Rq7@edge-2:6222,nats://Tk3w@edge-3:6222"]
  block:
    image: nats:2.12.1
    command:
      - --auth
      - Wv4j
      - --cluster
      - nats://cu:Cx2@0.0.0.0:6222
  equals:
    image: nats:2.12.1
    entrypoint: ["nats-server", "--pass=Jk7m", "-js"]
  env:
    image: nats:2.12.1
    environment:
      NATS_PASSWORD: Ev5q
`
	if err := os.MkdirAll(filepath.Join(repo, "short"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "short/docker-compose.yml"), []byte(shortCompose), 0o644); err != nil {
		t.Fatal(err)
	}
	// An nkey seed used as file names.
	seedName := "SUAGMJH5XLGZKQQWAWKRZJIGMOU4HPFUYLXJMXOO5NLFEO2OJQEJ4TDZ5E"
	if err := os.WriteFile(filepath.Join(repo, "config", seedName+".nk"), []byte(seedName+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "config/nats", seedName+"-nats.conf"), []byte("server_name: seeded\nport: 4333\ndebug: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Files that fail to parse on a line holding a secret: the parsers quote
	// lines and values in their messages.
	broken := map[string]string{
		"config/nats/broken-nats.conf":  "authorization {\n  user: admin\n  password: \"Br0ken-Quoted-Passw0rd\" x y {\n}\n",
		"config/nats/numeric-nats.conf": "authorization {\n  user: admin\n  password: 98765432109876543210987654321\n}\n",
		"config/nats/bad-url-nats.conf": "cluster {\n  routes: [ \"nats://ruser:R0ute-Err0r-Pw@n2:6222\" ]]\n}\n",
		"compose.broken.yaml":           "services:\n  nats:\n    image: nats\n    environment:\n      NATS_PASSWORD: \"Yaml-Err0r-Passw0rd\n",
		"config/broken.env":             "NATS_PASSWORD \"Env-Err0r-Passw0rd\"\nNATS_TOKEN=Env-T0ken-Next-To-Err0r\n",
		// yaml.v3 reports the error at the exec-form command line (the line
		// before the unclosed list) or at the entrypoint: both hold short
		// secrets.
		"short/broken/docker-compose.yml": "services:\n  nats:\n    image: nats:2.12.1\n    command: [\"--user\",\"admin\",\"--pass\",\"Bx3v\"]\n    entrypoint: [\"nats-server\",\"--auth\",\"Yt6p\"\n    ports: [\"4222:4222\"]\n",
	}
	for name, content := range broken {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fileSecrets = append(fileSecrets, "Br0ken-Quoted-Passw0rd", "98765432109876543210987654321", "R0ute-Err0r-Pw",
		"Yaml-Err0r-Passw0rd", "Env-Err0r-Passw0rd", "Env-T0ken-Next-To-Err0r",
		"Qz9k", "Rq7", "Tk3w", "Wv4j", "Cx2", "Jk7m", "Ev5q", "Bx3v", "Yt6p", seedName)
	// The scanning machine's own secrets, some named like the repo's $VARs.
	envSecrets := map[string]string{
		"NATS_ADMIN_PASSWORD":   "Pr0cess-Env-Admin-Passw0rd",
		"NATS_PASSWORD":         "Pr0cess-Env-App-Passw0rd",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"NATS_TOKEN":            "Pr0cess-Env-Token-abcdef",
	}
	for k, v := range envSecrets {
		t.Setenv(k, v)
	}

	out := t.TempDir()
	args := []string{"scan", repo, "--fail-on", "never", "--inventory", filepath.Join(out, "inventory.json")}
	for _, f := range report.Formats {
		args = append(args, "--format", f, "--output", filepath.Join(out, "report."+f))
	}
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), args, &stdout, &stderr, os.Getenv); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// And the default text format on stdout.
	var stdout2, stderr2 bytes.Buffer
	Main(context.Background(), []string{"scan", repo, "--fail-on", "never"}, &stdout2, &stderr2, os.Getenv)

	outputs := map[string]string{"stdout": stdout.String() + stdout2.String(), "stderr": stderr.String() + stderr2.String()}
	for _, want := range []string{"broken-nats.conf:3", "numeric-nats.conf:3", "bad-url-nats.conf:2", "compose.broken.yaml:5", "broken.env:1"} {
		if !strings.Contains(stdout2.String(), want) {
			t.Errorf("the parse error at %s is not reported", want)
		}
	}

	// natsaudit diff of two such reports: the same repository before and
	// after a change, in every diff format.
	if err := os.Remove(filepath.Join(repo, "config/nats/edge-nats.conf")); err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	if code := Main(context.Background(), []string{"scan", repo, "--fail-on", "never", "--format", "json", "--output", filepath.Join(out, "after.json")}, &so, &se, os.Getenv); code != 0 {
		t.Fatalf("second scan: exit %d: %s", code, se.String())
	}
	outputs["second scan stdout"], outputs["second scan stderr"] = so.String(), se.String()
	for _, f := range report.DiffFormats {
		var do, de bytes.Buffer
		if code := Main(context.Background(), []string{"diff", filepath.Join(out, "report.json"), filepath.Join(out, "after.json"), "--format", f}, &do, &de, os.Getenv); code != 0 {
			t.Fatalf("diff --format %s: exit %d: %s", f, code, de.String())
		}
		if do.Len() == 0 {
			t.Errorf("diff --format %s wrote nothing", f)
		}
		outputs["diff "+f] = do.String() + de.String()
	}
	// Live probes with credentials in URLs, flags and the environment.
	for name, o := range probeWithCredentials(t, out) {
		outputs[name] = o
	}
	fileSecrets = append(fileSecrets, probeSecrets...)
	// A hostile monitoring port that echoes short credentials and is named
	// with a seed.
	for name, o := range probeEchoServer(t, out) {
		outputs[name] = o
	}
	fileSecrets = append(fileSecrets, echoSecrets...)

	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(out, e.Name()))
		outputs[e.Name()] = string(b)
	}
	if len(entries) < len(report.Formats)+2 {
		t.Fatalf("expected a file per format, got %v", entries)
	}
	secrets := append([]string{}, fileSecrets...)
	for _, v := range envSecrets {
		secrets = append(secrets, v)
	}
	for name, content := range outputs {
		for _, s := range secrets {
			if strings.Contains(content, s) {
				t.Errorf("%s contains the secret %q", name, s)
			}
		}
	}
	if !strings.Contains(outputs["report.json"], "config/nats/edge-nats.conf") {
		t.Error("the extra config was not scanned")
	}
	// The seed-named files were read and are reported, masked.
	for _, want := range []string{"config/****.nk", "config/nats/****-nats.conf", "short/docker-compose.yml"} {
		if !strings.Contains(outputs["report.json"], want) {
			t.Errorf("report.json does not name %s", want)
		}
	}
}

// echoSeed is an nkey seed a hostile server uses as its name; echoSecrets
// are what its documents echo back.
const echoSeed = "SNAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4"

var echoSecrets = []string{"Rp1x", "Gp2x", "Lp3x", "Lt4x", "Rz5x", "Lz6x", "Cz7x", echoSeed}

// probeEchoServer runs probe and scan --url (with --inventory) against a
// monitoring port that echoes credentials back in /varz, /routez, /leafz
// and /connz: no real server does (it reports route hosts only), so this is
// an httptest server playing a hostile one. It returns every output by
// name; reports go to files in out.
func probeEchoServer(t *testing.T, out string) map[string]string {
	t.Helper()
	docs := map[string]string{
		"/varz": `{"server_name": "` + echoSeed + `", "server_id": "NECHO", "version": "2.12.1",
		  "cluster": {"name": "c1", "urls": ["nats://ru:Rp1x@n2:6222"]},
		  "gateway": {"name": "g1", "gateways": [{"name": "g2", "urls": ["nats://gu:Gp2x@g2:7222"]}]},
		  "leaf": {"remotes": [{"local_account": "A", "urls": ["nats-leaf://lu:Lp3x@hub:7422", "nats-leaf://Lt4x@hub2:7422"]}]}}`,
		"/routez": `{"routes": [{"rid": 1, "ip": "10.0.0.2", "port": 6222, "url": "nats://ru:Rz5x@n2:6222"}]}`,
		"/leafz":  `{"leafs": [{"name": "leaf1", "account": "A", "remote_url": "nats-leaf://lu:Lz6x@hub:7422"}]}`,
		"/connz":  `{"connections": [{"cid": 1, "name": "nats://cu:Cz7x@client:4222", "authorized_user": "app"}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d, ok := docs[r.URL.Path]; ok {
			fmt.Fprint(w, d)
			return
		}
		fmt.Fprint(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	outputs := map[string]string{}
	for i, args := range [][]string{{"probe", srv.URL}, {"scan", t.TempDir(), "--url", srv.URL}} {
		args = append(args, "--fail-on", "never", "--timeout", "5s", "--inventory", filepath.Join(out, fmt.Sprintf("echo-%d-inventory.json", i)))
		for _, f := range report.Formats {
			args = append(args, "--format", f, "--output", filepath.Join(out, fmt.Sprintf("echo-%d.%s", i, f)))
		}
		var stdout, stderr bytes.Buffer
		if code := Main(context.Background(), args, &stdout, &stderr, os.Getenv); code != 0 {
			t.Errorf("%v: exit %d: %s", args[:2], code, stderr.String())
		}
		outputs[fmt.Sprintf("echo %v", args[:2])] = stdout.String() + stderr.String()
	}
	// The server was read: its documents are in the inventory, masked.
	if b, _ := os.ReadFile(filepath.Join(out, "echo-0-inventory.json")); !strings.Contains(string(b), "nats://ru:****@n2:6222") {
		t.Errorf("the echo server's /varz is not in the inventory:\n%s", b)
	}
	return outputs
}

// Credentials of the live part of TestNoSecretInAnyOutput.
var probeSecrets = []string{"M0nitor-Url-Passw0rd", "Sys-Url-Passw0rd-31", "Wr0ng-Flag-Passw0rd-55", "Sys-Real-Passw0rd-77"}

// probeWithCredentials runs natsaudit probe (and scan --url) against a real
// server whose system account has a password, with credentials in the
// monitoring URL, in the NATS URL, on the command line and in the
// environment, and returns every output by name. Reports go to files in
// out (checked by the caller).
func probeWithCredentials(t *testing.T, out string) map[string]string {
	t.Helper()
	sys := server.NewAccount("SYS")
	s, err := server.NewServer(&server.Options{
		ServerName: "secrets", Host: "127.0.0.1", Port: -1, HTTPHost: "127.0.0.1", HTTPPort: -1, NoLog: true, NoSigs: true,
		Accounts: []*server.Account{sys}, SystemAccount: "SYS",
		Users: []*server.User{{Username: "sys", Password: "Sys-Real-Passw0rd-77", Account: sys}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready")
	}
	mon := "http://monitor:M0nitor-Url-Passw0rd@" + s.MonitorAddr().String()
	nats := strings.TrimPrefix(s.ClientURL(), "nats://")
	env := func(k string) string {
		if k == "NATS_PASSWORD" {
			return "Sys-Real-Passw0rd-77"
		}
		return os.Getenv(k)
	}
	runs := []struct {
		name   string
		args   []string
		getenv func(string) string
		code   int
	}{
		{"probe monitoring URL with userinfo", []string{"probe", mon}, os.Getenv, 0},
		{"probe NATS URL with userinfo", []string{"probe", "--server", "nats://sys:Sys-Url-Passw0rd-31@" + nats}, os.Getenv, 2},
		{"probe wrong --password", []string{"probe", "--server", "nats://" + nats, "--user", "sys", "--password", "Wr0ng-Flag-Passw0rd-55"}, os.Getenv, 2},
		{"probe NATS_PASSWORD", []string{"probe", "--server", "nats://" + nats, "--user", "sys"}, env, 0},
		{"scan --url with userinfo", []string{"scan", t.TempDir(), "--url", mon}, os.Getenv, 0},
	}
	outputs := map[string]string{}
	for i, r := range runs {
		args := append(r.args, "--fail-on", "never", "--timeout", "5s", "--inventory", filepath.Join(out, fmt.Sprintf("probe-%d-inventory.json", i)))
		for _, f := range report.Formats {
			args = append(args, "--format", f, "--output", filepath.Join(out, fmt.Sprintf("probe-%d.%s", i, f)))
		}
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), args, &stdout, &stderr, r.getenv)
		if code != r.code {
			t.Errorf("%s: exit %d, want %d: %s", r.name, code, r.code, stderr.String())
		}
		outputs[r.name] = stdout.String() + stderr.String()
		t.Logf("%s: exit %d\n%s", r.name, code, lastLines(outputs[r.name], 4))
	}
	// The runs that could log in read the server (its /varz is in the
	// inventory; the loopback server may well have no finding); the others
	// say why not.
	if b, _ := os.ReadFile(filepath.Join(out, "probe-3-inventory.json")); !regexp.MustCompile(`"server_name":\s*"secrets"`).Match(b) {
		t.Errorf("the probe with NATS_PASSWORD did not read the server:\n%s", lastLines(outputs["probe NATS_PASSWORD"], 8))
	}
	if o := outputs["probe wrong --password"]; !strings.Contains(o, "authentication failed: the server rejected the credentials") {
		t.Errorf("the failed login does not say why:\n%s", o)
	}
	return outputs
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}
