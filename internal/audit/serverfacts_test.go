package audit_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

// serverFactsQuery asks the rules for what the Go facts replace: the
// configured listeners (the set and each kind) and every feature gate's
// state. With input.derived the rules read the Go facts; without it they
// compute the same values in Rego.
const serverFactsQuery = `x := {
	"listeners": data.natsaudit.lib.exposure.config_listeners(input),
	"by_kind": {k: l | some k in data.natsaudit.lib.exposure.listener_kinds; l := data.natsaudit.lib.exposure.config_listener(input, k)},
	"features": {f: data.natsaudit.rules.version._status(input, f) | some f in data.natsaudit.rules.version._known_features},
	"tls_blocks": data.natsaudit.lib.tlsconf.tls_blocks(input),
	"exposure": {[l.kind, x] | some l in data.natsaudit.lib.exposure.config_listeners(input); x := {
		"public": count({1 | data.natsaudit.lib.exposure.public(input, l)}),
		"public_deployed": count({1 | data.natsaudit.lib.exposure._public_deployed(input, l) == true}),
		"reachable": count({1 | data.natsaudit.lib.exposure.reachable(input, l)}),
		"published_all": [i | i := data.natsaudit.lib.exposure.listener_published_all(input, l)],
		"beyond_loopback": [i | i := data.natsaudit.lib.exposure.listener_published_beyond_loopback(input, l)],
		"path": data.natsaudit.lib.exposure.exposure_path(input, l),
		"note": [n | n := data.natsaudit.lib.exposure.exposure_note(input, l)],
	}},
}`

// TestServerFactsMatchRego: for every server of the test repositories, the
// generated benchmark repository and a set of odd and hostile shapes, the
// listeners and feature states computed in Go (servers[].derived) are what
// the Rego definitions they replace compute, so rules give the same
// findings with and without them.
func TestServerFactsMatchRego(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pq, err := rego.New(rego.Compiler(eng.Compiler), rego.Store(inmem.NewFromObject(map[string]any{"natsaudit": eng.Data})),
		rego.Query(serverFactsQuery)).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	eval := func(t *testing.T, s *model.Server) ast.Value {
		t.Helper()
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		in, err := ast.ValueFromReader(strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := pq.Eval(context.Background(), rego.EvalParsedInput(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Fatalf("%d results", len(rs))
		}
		v, err := ast.InterfaceToValue(rs[0].Bindings["x"])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	check := func(t *testing.T, name string, s *model.Server) {
		t.Helper()
		s.Derived = nil
		want := eval(t, s)
		s.Derived = audit.ServerFacts(s)
		got := eval(t, s)
		if got.Compare(want) != 0 {
			t.Errorf("%s: Go facts give\n%v\nRego gives\n%v", name, got, want)
		}
	}

	servers := 0
	var dirs []string
	for _, pattern := range []string{"../../testdata/repos/*", "../../examples/*"} {
		m, _ := filepath.Glob(pattern)
		dirs = append(dirs, m...)
	}
	gen, _ := testgen.ForBench(t, 100)
	dirs = append(dirs, gen)
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, s := range res.Inventory.Servers {
			check(t, filepath.Base(dir)+" "+s.Name, s)
			servers++
		}
	}
	if servers < 50 {
		t.Fatalf("only %d servers compared", servers)
	}

	for _, tc := range serverFactsShapes {
		var s model.Server
		d := json.NewDecoder(strings.NewReader(tc.server))
		if tc.numbers {
			d.UseNumber()
		}
		if err := d.Decode(&s); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		check(t, tc.name, &s)
	}
}

// serverFactsShapes are servers whose configs, deployments and /varz take
// every branch of the Go facts, including shapes the parsers never write
// (blocks that are strings, ports that are strings, users as an object).
var serverFactsShapes = []struct {
	name    string
	numbers bool // decode numbers as json.Number, as the config parser keeps them
	server  string
}{
	{"nothing", false, `{"name": "a", "config": null}`},
	{"empty config", false, `{"config": {}}`},
	{"image default", false, `{"config": null, "deployment": {"kind": "compose", "uses_image_default_config": true, "flags": null}}`},
	{"image default off", false, `{"config": null, "deployment": {"kind": "compose", "uses_image_default_config": false, "flags": {"tls": false, "pass": "x"}}}`},
	{"every listener", true, `{"config": {"host": "127.0.0.1", "port": 4333, "http_host": "10.0.0.1", "http_port": 8222, "https_port": "$HTTPS",
		"cluster": {"port": 6222, "host": "c", "routes": ["nats://a:6222"]}, "gateway": {"port": "$GW", "gateways": [{"name": "x", "tls": {"verify_and_map": true}}]},
		"leafnodes": {"port": 0, "remotes": [{"url": "nats://l"}]}, "websocket": {"port": 8080, "host": 7, "no_auth_user": "w"}, "mqtt": {"port": 1883.0, "tls": {"verify_and_map": "yes"}}}}`},
	{"ports as strings and zero", false, `{"config": {"port": "4222", "http_port": 0, "https_port": "8443", "cluster": {"port": "6222"}, "websocket": {"port": "$WS"}, "mqtt": "on", "leafnodes": [1]}}`},
	{"host not a string", false, `{"config": {"host": 1, "http_host": null, "port": "$PORT", "http_port": -1}}`},
	{"float zero port", true, `{"config": {"http_port": 0.0, "cluster": {"port": 0e0}}}`},
	{"operator by resolver object", false, `{"config": {"resolver": {}, "trusted_keys": ""}}`},
	{"operator by keys", false, `{"config": {"operator": [], "trusted_keys": ["OABC"]}}`},
	{"not operator", false, `{"config": {"operator": "", "trusted_keys": [], "resolver": 1}}`},
	{"accounts", false, `{"config": {"accounts": {"$SYS": {"users": [{"user": "s", "allowed_connection_types": null}]}}}}`},
	{"sys only other name", false, `{"config": {"system_account": "SYS", "accounts": {"SYS": {}}}}`},
	{"sys only wrong", false, `{"config": {"system_account": "", "accounts": {"SYS": {}}}}`},
	{"accounts as array", false, `{"config": {"accounts": [{"users": [{"user": "u", "proxy_required": false}], "default_permissions": {"subscribe": {"deny": "x"}}}]}}`},
	{"accounts as string", false, `{"config": {"accounts": "x", "authorization": {"users": {"a": {"user": "u", "permissions": {"publish": {"deny": []}, "subscribe": ["x"]}}}}}}`},
	{"deny in defaults", false, `{"config": {"authorization": {"default_permissions": {"publish": {"deny": ["a"]}}, "proxy_required": true, "auth_callout": {}}}}`},
	{"deny in cluster", false, `{"config": {"cluster": {"permissions": {"subscribe": {"deny": {"a": 1}}}}, "authorization": {"auth_callout": false}}}`},
	{"deny wrong type", false, `{"config": {"authorization": {"users": [{"permissions": {"publish": {"deny": 3}}}, "x"]}}}`},
	{"leaf users", false, `{"config": {"leafnodes": {"authorization": {"users": [{"user": "l", "allowed_connection_types": ["LEAF"]}]}, "remotes": "x"}}}`},
	{"no_auth_user", false, `{"config": {"no_auth_user": "", "mqtt": {"no_auth_user": "m"}}}`},
	{"no_auth_user not string", false, `{"config": {"no_auth_user": 1, "websocket": {"no_auth_user": ""}}}`},
	{"jetstream", false, `{"config": {"jetstream": {"enabled": true}}}`},
	{"jetstream not true", false, `{"config": {"jetstream": {"enabled": "true"}}}`},
	{"tls blocks", false, `{"config": {"tls": {"verify_and_map": true}, "leafnodes": {"remotes": {"r": {"tls": {"verify_and_map": true}}}}}}`},
	{"remote tls", false, `{"config": {"leafnodes": {"remotes": [{"tls": "x"}, {"tls": {"verify_and_map": true}}]}}}`},
	{"gateways by name", false, `{"config": {"gateway": {"tls": {"verify_and_map": false}, "gateways": {"b": {"tls": {"x": 1}}, "a": {"tls": {}}, "c": {"tls": []}}}, "resolver_tls": {}, "cluster": {"tls": "on"}}}`},
	{"gateway tls", false, `{"config": {"gateway": {"gateways": [{"tls": {"verify_and_map": false}}, {"tls": {"verify_and_map": true}}]}}}`},
	{"cli flags", false, `{"config": {}, "deployment": {"kind": "compose", "flags": {"auth": "tok", "tlsverify": null}}}`},
	{"cli flags false", false, `{"config": {}, "deployment": {"kind": "compose", "flags": {"pass": false, "tls": false, "routes_with_credentials": "true"}}}`},
	{"cli routes credentials", false, `{"config": {}, "deployment": {"kind": "compose", "flags": {"routes_with_credentials": true, "tlscert": "c.pem"}}}`},
	{"live http", false, `{"config": null, "live": {"endpoint": "http://n:8222", "varz": {"port": 4222, "http_port": 8222, "cluster": {"cluster_port": 6222},
		"leaf": {"port": 0, "remotes": [{}]}, "websocket": {"port": 443, "no_auth_user": null}, "mqtt": {"port": 0, "no_auth_user": "m"},
		"jetstream": {"config": {}}, "trusted_operators_claim": null}}}`},
	{"live sys", false, `{"config": {"port": 4222}, "live": {"endpoint": "$SYS via nats://h:4222", "varz": {"cluster": {"cluster_port": 0}, "leaf": {},
		"jetstream": {"config": null}, "trusted_operators_claim": false, "websocket": "x"}}}`},
	{"live empty varz", false, `{"config": null, "live": {"endpoint": "archive:x", "varz": {}}}`},
	{"exposure: compose all interfaces", true, `{"config": {"host": "0.0.0.0", "port": 4222, "http_port": 8222, "cluster": {"port": 6222.0, "host": "c1"}, "websocket": {"port": "$WS"}},
		"deployment": {"kind": "compose", "service": "c1", "file": "docker-compose.yml", "ports": [{"host_ip": "127.0.0.1", "container_port": 4222}, {"host_ip": "", "container_port": 4222, "all_interfaces": true},
		{"host_ip": "10.0.0.1", "container_port": 8222}, {"host_ip": "", "container_port": 6222, "all_interfaces": true, "via": "Service nats (LoadBalancer)"}, {"host_ip": "", "container_port": 8222, "all_interfaces": true}]}}`},
	{"exposure: host network", false, `{"config": {"host": "::", "http_host": "127.0.0.1", "http_port": 8222, "leafnodes": {"port": 7422, "host": "[::]"}, "mqtt": {"port": 1883, "host": "localhost"}},
		"deployment": {"kind": "compose", "network_mode": "host", "file": "c.yml", "ports": []}}`},
	{"exposure: kubernetes own name", false, `{"config": {"host": "nats", "port": 4222, "gateway": {"port": 7222, "host": ""}},
		"deployment": {"kind": "kubernetes", "service": "nats", "file": "k.yaml", "ports": [{"host_ip": "", "container_port": 4222, "all_interfaces": true, "via": "hostPort"}, {"host_ip": "::1", "container_port": 7222}]}}`},
	{"exposure: compose own name, loopback only", false, `{"config": {"host": "nats", "port": 4222, "http_host": "nats", "http_port": 8222},
		"deployment": {"kind": "compose", "service": "nats", "file": "c.yml", "ports": [{"host_ip": "127.0.0.1", "container_port": 4222}, {"host_ip": "", "container_port": 8222, "all_interfaces": true}]}}`},
	{"exposure: no deployment", false, `{"config": {"host": "127.0.0.1", "http_port": 8222, "websocket": {"port": 443, "host": "10.1.1.1"}}}`},
	{"live operator", false, `{"config": null, "live": {"endpoint": "https://n", "varz": {"trusted_operators_claim": {"name": "o"}}}}`},
}
