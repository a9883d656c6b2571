package rules_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/natsaudit/natsaudit/internal/natstest"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// A super-cluster: clusters east and west (3 servers each, JetStream)
// joined by gateways, and a leafnode whose remote points at east. Route
// peers are the servers of one cluster name: no NATS-CLU-003 on a healthy
// super-cluster, whose meta group (6) spans the gateways. Then a gateway
// goes down, and the leafnode's remote fails authentication.
func TestLiveSuperCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("7 servers")
	}
	dir := t.TempDir()
	ports := freeTCPPorts(t, 9) // 6 route ports, 2 gateway ports, 1 leaf port
	gw := map[string]int{"east": ports[6], "west": ports[7]}
	gateways := fmt.Sprintf("gateways: [{name: east, urls: [\"nats://127.0.0.1:%d\"]}, {name: west, urls: [\"nats://127.0.0.1:%d\"]}]", gw["east"], gw["west"])
	auth := "accounts { APP { jetstream: enabled, users: [{user: app, password: app-pass-123456}] }, SYS { users: [{user: sys, password: sys-pass-123456}] }, LEAF { users: [{user: leaf, password: leaf-pass-123456}] } }\nsystem_account: SYS\n"
	var srv []*server.Server
	byName := map[string]*server.Server{}
	for c, cluster := range []string{"east", "west"} {
		var routes []string
		for i := range 3 {
			routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[c*3+i]))
		}
		for i := range 3 {
			name := fmt.Sprintf("%s%d", cluster, i+1)
			extra := ""
			gwPort := -1
			if i == 0 {
				gwPort = gw[cluster] // the URL the other cluster dials
			}
			if cluster == "east" && i == 0 {
				extra = fmt.Sprintf("leafnodes { listen: 127.0.0.1:%d, authorization { user: leafuser, password: leaf-hub-123456, account: LEAF } }\n", ports[8])
			}
			conf := fmt.Sprintf("server_name: %s\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\njetstream { store_dir: %q, max_memory_store: 64MB, max_file_store: 256MB }\ncluster { name: %s, listen: 127.0.0.1:%d, routes: [%s] }\ngateway { name: %s, listen: \"127.0.0.1:%d\", %s }\n%s%s",
				name, dir+"/"+name, cluster, ports[c*3+i], strings.Join(routes, ", "), cluster, gwPort, gateways, extra, auth)
			s, err := natstest.StartConf(dir, name, conf)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Shutdown)
			srv = append(srv, s)
			byName[name] = s
		}
	}
	leaf, err := natstest.StartConf(dir, "leaf1", fmt.Sprintf("server_name: leaf1\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nleafnodes { remotes: [ { urls: [\"nats-leaf://leafuser:wrong-password@127.0.0.1:%d\"] } ] }\n", ports[8]))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(leaf.Shutdown)
	waitMeta(t, srv)
	// Gateways connect after the routes: wait for every outbound gateway.
	deadline := time.Now().Add(20 * time.Second)
	for _, s := range srv {
		for s.NumOutboundGateways() < 1 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no outbound gateway", s.Name())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// Just formed, the meta leader may still count a peer as catching up.
	// Wait until no server reports it and the meta group is seen whole
	// (on a loaded machine a peer can lag for a few seconds after forming).
	f := eventually(t, 30*time.Second, append(srv, leaf), func(f findings) bool {
		for _, r := range f.raws {
			if r.RuleID == "NATS-CLU-003" {
				return false
			}
		}
		// The meta group grows as the gateways join: wait until it holds
		// all six servers, not a first even count of four.
		got := f.get("NATS-CLU-001", "server east1")
		return len(got) == 1 && strings.Contains(got[0].Msg, "6 servers")
	})
	f.none(t, "NATS-CLU-003")
	got := f.get("NATS-CLU-001", "server east1")
	if len(got) != 1 || !strings.Contains(got[0].Msg, "is in a super-cluster") || !strings.Contains(got[0].Msg, "6 servers") {
		t.Errorf("CLU-001 on a 6-server super-cluster: %v", got)
	}
	f.none(t, "NATS-SRV-001")
	// The leaf's remote is refused (wrong password): configured, not connected.
	f.want(t, "NATS-SRV-002", "server leaf1", "")
	// The leaf's remote is a loopback nats-leaf:// URL: no plaintext finding.
	for _, r := range f.get("NATS-TLS-004", "server leaf1") {
		if strings.Contains(r.Msg, "remote") {
			t.Errorf("TLS-004 on a loopback remote: %s", r.Msg)
		}
	}

	// Over $SYS from one server: the same.
	fs, res := auditWith(t, probe.Options{Server: byName["west2"].ClientURL(), Auth: probe.Auth{User: "sys", Password: "sys-pass-123456"}})
	if len(res.Failures) > 0 {
		t.Fatalf("$SYS failures: %v", res.Failures)
	}
	fs.none(t, "NATS-CLU-003")

	// West's gateway server goes: east has a configured gateway it cannot
	// reach. (east1 dials west at west1's gateway port, the only URL.)
	for _, s := range srv[3:] {
		s.Shutdown()
		s.WaitForShutdown()
	}
	east := srv[:3]
	f = eventually(t, 20*time.Second, east, func(f findings) bool { return len(f.get("NATS-SRV-001", "server east1")) > 0 })
	f.want(t, "NATS-SRV-001", "server east1", "")
}
