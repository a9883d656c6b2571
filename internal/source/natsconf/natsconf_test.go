package natsconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

type mapEnv map[string]string

func (m mapEnv) Lookup(n string) (string, string, bool) {
	v, ok := m[n]
	return v, ".env", ok
}

// parseTree writes files into a temp dir and parses main.
func parseTree(t *testing.T, files map[string]string, main string, env Env) *Result {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := secret.NewAnalyzer(secret.Params{Placeholders: []string{"changeme"}})
	abs := filepath.Join(dir, main)
	data, _ := os.ReadFile(abs)
	return Parse(abs, data, Options{Reader: OSReader{Root: dir}, Env: env, Secrets: a})
}

func TestAliasesSizesDurations(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": `
net: 127.0.0.1
monitor_port: 8222
max_payload: 9MB
ping_interval: "30s"
write_deadline: 5
lame_duck_duration: "2m"
jetstream {
  storedir: /data
  max_mem: 1GB
  max_file: "10G"
}
leaf { listen: "0.0.0.0:7422" }
`}, "nats.conf", nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	c := res.Config
	want := map[string]any{"host": "127.0.0.1", "http_port": int64(8222), "max_payload": int64(9 << 20),
		"ping_interval": int64(30e9), "write_deadline": int64(5e9), "lame_duck_duration": int64(120e9)}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %#v, want %#v", k, c[k], v)
		}
	}
	js := c["jetstream"].(map[string]any)
	if js["store_dir"] != "/data" || js["max_memory_store"] != int64(1<<30) || js["max_file_store"] != int64(10<<30) || js["enabled"] != true {
		t.Errorf("jetstream = %#v", js)
	}
	leaf := c["leafnodes"].(map[string]any)
	if leaf["host"] != "0.0.0.0" || leaf["port"] != int64(7422) {
		t.Errorf("leafnodes listen not split: %#v", leaf)
	}
	if l := res.Locs["config/jetstream/max_memory_store"]; l.Line != 10 {
		t.Errorf("max_mem location = %+v, want line 10", l)
	}
}

// TestRandomPorts: -1 asks nats-server for a random port (nats-server's own
// test configs use it everywhere); the listener is on, so the port is kept.
func TestRandomPorts(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": `
listen: 10.0.1.22:-1
http: -1
https: :-1
cluster { listen: "127.0.0.1:-1", name: abc }
`}, "nats.conf", nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	c := res.Config
	want := map[string]any{"host": "10.0.1.22", "port": int64(-1), "http_port": int64(-1), "https_port": int64(-1)}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %#v, want %#v", k, c[k], v)
		}
	}
	if _, ok := c["http_host"]; ok {
		t.Errorf("https: \":-1\" set http_host %#v; nats-server then uses the client host", c["http_host"])
	}
	cl := c["cluster"].(map[string]any)
	if cl["host"] != "127.0.0.1" || cl["port"] != int64(-1) {
		t.Errorf("cluster listen not split: %#v", cl)
	}
	if l := res.Locs["config/http_port"]; l.Line != 3 {
		t.Errorf("http_port location = %+v, want line 3", l)
	}
}

func TestEnvNeverFromProcess(t *testing.T) {
	t.Setenv("NATS_PASSWORD", "from-the-ci-runner-Zk29xq")
	t.Setenv("MAX_PAYLOAD", "64MB")
	res := parseTree(t, map[string]string{"nats.conf": `
max_payload: $MAX_PAYLOAD
server_name: $SERVER_NAME
authorization { user: app, password: $NATS_PASSWORD }
`}, "nats.conf", mapEnv{"SERVER_NAME": "n1"})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if res.Config["max_payload"] != "$MAX_PAYLOAD" {
		t.Errorf("max_payload = %#v: must not come from the process environment", res.Config["max_payload"])
	}
	if res.Config["server_name"] != "n1" {
		t.Errorf("server_name = %#v, want n1 from the repo env", res.Config["server_name"])
	}
	pw := res.Config["authorization"].(map[string]any)["password"].(*model.Secret)
	if pw.Resolved || pw.EnvVar != "NATS_PASSWORD" || pw.Origin != "env" {
		t.Errorf("password = %+v, want an unresolved reference to NATS_PASSWORD", pw)
	}
	if res.EnvRef["config/authorization/password"] != "NATS_PASSWORD" {
		t.Errorf("EnvRef = %v", res.EnvRef)
	}
}

func TestEnvValuesAreTyped(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "max_payload: $P\ndebug: $D\n"}, "nats.conf", mapEnv{"P": "2MB", "D": "true"})
	if res.Config["max_payload"] != int64(2<<20) || res.Config["debug"] != true {
		t.Errorf("config = %#v", res.Config)
	}
}

func TestSecretsBecomeFacts(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": `
authorization {
  users = [
    { user: a, password: changeme }
    { user: b, password: "$2a$11$V1qrpBt8/SLfEBr4NJq4T.2mg8chx8.MTblUiTBOLV3MKDeAy.f7u" }
    { user: c, password: c }
  ]
}
cluster { routes = ["nats-route://ruser:T0pS3cr3t@nats-2:6222"] }
`}, "nats.conf", nil)
	users := res.Config["authorization"].(map[string]any)["users"].([]any)
	a := users[0].(map[string]any)["password"].(*model.Secret)
	b := users[1].(map[string]any)["password"].(*model.Secret)
	c := users[2].(map[string]any)["password"].(*model.Secret)
	if !a.Placeholder || a.Bcrypt || a.Origin != "literal" {
		t.Errorf("a = %+v", a)
	}
	if !b.Bcrypt {
		t.Errorf("b = %+v, want bcrypt", b)
	}
	if !c.EqualsUser {
		t.Errorf("c = %+v, want equals_user", c)
	}
	route := res.Config["cluster"].(map[string]any)["routes"].([]any)[0].(string)
	if strings.Contains(route, "T0pS3cr3t") || !strings.Contains(route, "ruser:****@") {
		t.Errorf("route = %q, want the password masked", route)
	}
}

func TestUnquotedBcryptVariants(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "authorization { user: a\n password: $2b$11$V1qrpBt8/SLfEBr4NJq4T.2mg8chx8.MTblUiTBOLV3MKDeAy.f7u }\n"}, "nats.conf", nil)
	if res.Config == nil {
		t.Fatalf("config not parsed: %v", res.Errors)
	}
	if len(res.Errors) != 1 || res.Errors[0].Line != 2 || !strings.Contains(res.Errors[0].Message, "quote it") {
		t.Errorf("errors = %+v, want one 'quote it' error on line 2", res.Errors)
	}
	for _, e := range res.Errors {
		if strings.Contains(e.Message, "V1qrpBt8") {
			t.Errorf("error quotes the hash: %q", e.Message)
		}
	}
}

func TestIncludes(t *testing.T) {
	res := parseTree(t, map[string]string{
		"nats.conf":      "port: 4222\ninclude ./auth/auth.conf\nauthorization { include 'perms.conf' }\nmax_payload: 2MB\n",
		"auth/auth.conf": "max_payload: 1MB\nsystem_account: SYS\n",
		"perms.conf":     "token: changeme\n",
	}, "nats.conf", nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if res.Config["system_account"] != "SYS" {
		t.Errorf("include not merged: %#v", res.Config)
	}
	if res.Config["max_payload"] != int64(2<<20) {
		t.Errorf("max_payload = %v: a key written after the include must win", res.Config["max_payload"])
	}
	if _, ok := res.Config["authorization"].(map[string]any)["token"].(*model.Secret); !ok {
		t.Errorf("include inside a block not merged: %#v", res.Config["authorization"])
	}
	if l := res.Locs["config/system_account"]; l.File != "auth/auth.conf" || l.Line != 2 {
		t.Errorf("location of included key = %+v", l)
	}
	if len(res.Files) != 3 {
		t.Errorf("files = %v", res.Files)
	}
}

func TestIncludeCycleAndEscape(t *testing.T) {
	res := parseTree(t, map[string]string{
		"a.conf": "port: 1\ninclude b.conf\n",
		"b.conf": "include a.conf\n",
		"c.conf": "include ../../../../../../etc/passwd\nport: 2\n",
	}, "a.conf", nil)
	if !hasError(res, "include cycle") {
		t.Errorf("errors = %+v, want an include cycle", res.Errors)
	}
	res = parseTree(t, map[string]string{"c.conf": "include ../../../../../../../../etc/passwd\nport: 2\n"}, "c.conf", nil)
	if !hasError(res, "outside the scanned tree") {
		t.Errorf("errors = %+v, want outside-the-tree", res.Errors)
	}
	for _, e := range res.Errors {
		if strings.Contains(e.Message, "root:") {
			t.Errorf("content of /etc/passwd leaked: %q", e.Message)
		}
	}
	if res.Config["port"] != int64(2) {
		t.Errorf("the rest of the file must still be read: %#v", res.Config)
	}
}

func hasError(r *Result, sub string) bool {
	for _, e := range r.Errors {
		if strings.Contains(e.Message, sub) {
			return true
		}
	}
	return false
}

func TestParseErrorsPointAtTheLine(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "port: 4222\n\nauthorization {\n  token: \"abcdefghijklmnop\"\n  user = = x\n}\n"}, "nats.conf", nil)
	if res.OK() || len(res.Errors) != 1 {
		t.Fatalf("want one error, got config=%v errors=%+v", res.Config != nil, res.Errors)
	}
	if e := res.Errors[0]; e.Line != 5 || e.File != "nats.conf" {
		t.Errorf("error = %+v, want nats.conf line 5", e)
	}
}

func TestHostileInputs(t *testing.T) {
	deep := strings.Repeat("a {", 20000) + strings.Repeat("}", 20000)
	res := parseTree(t, map[string]string{"nats.conf": deep}, "nats.conf", nil)
	if res.OK() || !hasError(res, "nested") {
		t.Errorf("deep nesting: %+v", res.Errors)
	}
	res = parseTree(t, map[string]string{"nats.conf": "\x00\x01\x02binary"}, "nats.conf", nil)
	if res.OK() || !hasError(res, "binary") {
		t.Errorf("binary: %+v", res.Errors)
	}
	res = parseTree(t, map[string]string{"nats.conf": "server_name: \"caf\xe9\"\nport: 4222\n"}, "nats.conf", nil)
	if !res.OK() {
		t.Errorf("latin-1 text should parse: %+v", res.Errors)
	}
}

func TestUnknownTopLevelField(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "port: 4222\nrequire_tls: true\n"}, "nats.conf", nil)
	if !hasError(res, `unknown field "require_tls"`) || res.Errors[0].Line != 2 {
		t.Errorf("errors = %+v", res.Errors)
	}
}

// TestDuplicateKeysAreDeterministic: a block that sets one key twice under
// two spellings (user and username, Allow and allow) gives the same model on
// every parse: the key that normalisation keeps (the last in sorted order)
// is the one every other lookup uses too, not whichever a map gives first.
func TestDuplicateKeysAreDeterministic(t *testing.T) {
	src := map[string]string{"nats.conf": `
authorization {
  users = [
    { username: c, user: d, password: c,
      permissions: { publish: { Allow: ["a.>"], allow: ["b.>"] } } }
  ]
}
`}
	for i := 0; i < 30; i++ {
		res := parseTree(t, src, "nats.conf", nil)
		u := res.Config["authorization"].(map[string]any)["users"].([]any)[0].(map[string]any)
		// user "username" sorts after "user": c is the user, and the
		// password equals it.
		if u["user"] != "c" || !u["password"].(*model.Secret).EqualsUser {
			t.Fatalf("run %d: user %v, equals_user %v; want c, true", i, u["user"], u["password"].(*model.Secret).EqualsUser)
		}
		pub := u["permissions"].(map[string]any)["publish"].(map[string]any)
		if got := fmt.Sprint(pub["allow"]); got != "[b.>]" {
			t.Fatalf("run %d: publish allow = %s, want [b.>] (allow sorts after Allow)", i, got)
		}
	}
}
