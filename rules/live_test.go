package rules_test

import (
	"context"
	"fmt"
	"github.com/natsaudit/natsaudit/internal/natstest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
)

// The live reliability rules against real nats-servers: a JetStream server
// with streams and consumers in the states the rules look for, and a 3-node
// cluster that loses one node, then its quorum. The servers are probed over
// HTTP by internal/probe, exactly as `natsaudit probe` does.

const accountsConf = `
accounts {
  APP { jetstream: enabled, users: [{user: app, password: app-pass-123456}] }
  LIM { jetstream { max_memory: 64MB, max_store: 1GB }, users: [{user: lim, password: lim-pass-123456}] }
  SYS { users: [{user: sys, password: sys-pass-123456}] }
}
system_account: SYS
`

var (
	engOnce sync.Once
	eng     *engine.Engine
	engErr  error
)

func rulesEngine(t *testing.T) *engine.Engine {
	t.Helper()
	engOnce.Do(func() { eng, engErr = engine.New(context.Background(), engine.Options{}) })
	if engErr != nil {
		t.Fatal(engErr)
	}
	return eng
}

func startNATS(t *testing.T, dir, name, extra string) *server.Server {
	t.Helper()
	conf := fmt.Sprintf("server_name: %s\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\njetstream { store_dir: %q, max_memory_store: 256MB, max_file_store: 1GB }\n%s\n%s",
		name, filepath.Join(dir, name), accountsConf, extra)
	s, err := natstest.StartConf(dir, name, conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

func appJetStream(t *testing.T, s *server.Server) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL(), nats.UserInfo("app", "app-pass-123456"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// audit probes the servers' monitoring ports and evaluates every rule.
func auditLive(t *testing.T, servers ...*server.Server) findings {
	t.Helper()
	inv := collect(t, servers...)
	input, err := audit.Input(inv)
	if err != nil {
		t.Fatal(err)
	}
	raws, err := rulesEngine(t).Eval(context.Background(), input)
	if err != nil {
		t.Fatal(err)
	}
	return findings{inv: inv, raws: raws}
}

type findings struct {
	inv  *model.Inventory
	raws []engine.Raw
}

// target names what a ref points at: "server n1", "stream APP/ORDERS",
// "consumer APP/ORDERS/worker".
func (f findings) target(ref string) string {
	var kind string
	var i int
	if _, err := fmt.Sscanf(strings.Replace(ref, "/", " ", 1), "%s %d", &kind, &i); err != nil {
		return ref
	}
	switch kind {
	case "servers":
		return "server " + f.inv.Servers[i].Name
	case "streams":
		return "stream " + f.inv.Streams[i].Account + "/" + f.inv.Streams[i].Name
	case "consumers":
		c := f.inv.Consumers[i]
		return "consumer " + c.Account + "/" + c.Stream + "/" + c.Name
	case "live_accounts":
		return "account " + f.inv.LiveAccounts[i].Name
	}
	return ref
}

func (f findings) get(id, target string) []engine.Raw {
	var out []engine.Raw
	for _, r := range f.raws {
		if r.RuleID == id && f.target(r.Ref) == target {
			out = append(out, r)
		}
	}
	return out
}

func (f findings) String() string {
	var b strings.Builder
	for _, r := range f.raws {
		fmt.Fprintf(&b, "\n  %s %s %s [%s] %s", r.RuleID, f.target(r.Ref), r.Path, r.Severity, r.Msg)
	}
	return b.String()
}

func (f findings) want(t *testing.T, id, target, severity string) {
	t.Helper()
	got := f.get(id, target)
	if len(got) == 0 {
		t.Errorf("no %s on %s; findings:%s", id, target, f)
		return
	}
	if severity != "" && got[0].Severity != severity {
		t.Errorf("%s on %s: severity %q, want %q", id, target, got[0].Severity, severity)
	}
}

func (f findings) none(t *testing.T, id string) {
	t.Helper()
	for _, r := range f.raws {
		if r.RuleID == id {
			t.Errorf("unexpected %s on %s: %s", id, f.target(r.Ref), r.Msg)
		}
	}
}

func TestLiveSingleServerRules(t *testing.T) {
	s := startNATS(t, t.TempDir(), "single-1", "")
	js := appJetStream(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, MaxMsgs: 100, Discard: jetstream.DiscardNew}); err != nil {
		t.Fatal(err)
	}
	for i := range 85 {
		if _, err := js.Publish(ctx, fmt.Sprintf("orders.%d", i), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "DLQ", Subjects: []string{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>"}, MaxMsgs: 1000}); err != nil {
		t.Fatal(err)
	}
	worker, err := js.CreateOrUpdateConsumer(ctx, "ORDERS", jetstream.ConsumerConfig{Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 10})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := worker.Fetch(10, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range batch.Messages() {
		n++ // received, never acked
	}
	if n != 10 {
		t.Fatalf("fetched %d messages, want 10", n)
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, "ORDERS", jetstream.ConsumerConfig{Durable: "pusher", DeliverSubject: "deliver.pusher", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 5}); err != nil {
		t.Fatal(err)
	}

	f := auditLive(t, s)
	f.want(t, "NATS-CLU-001", "server single-1", "medium")
	f.want(t, "NATS-STR-005", "stream APP/ORDERS", "medium") // 85 of max_msgs 100
	f.want(t, "NATS-STR-006", "stream APP/DLQ", "")
	f.want(t, "NATS-CON-001", "consumer APP/ORDERS/worker", "")
	f.want(t, "NATS-CON-003", "consumer APP/ORDERS/worker", "") // 10 of max_ack_pending 10
	f.want(t, "NATS-CON-005", "consumer APP/ORDERS/pusher", "")
	f.want(t, "NATS-JS-005", "server single-1", "")
	if got := f.get("NATS-JS-004", "server single-1"); len(got) != 1 || !strings.Contains(got[0].Msg, "account APP") || !strings.Contains(got[0].Msg, "reserved_memory and reserved_storage") {
		t.Errorf("JS-004 = %v, want storage and memory of APP only (LIM has limits)", got)
	}
	if got := f.get("NATS-CON-001", "consumer APP/ORDERS/pusher"); len(got) != 0 {
		t.Errorf("pusher has max_deliver 5: %v", got)
	}
	for _, id := range []string{"NATS-CLU-002", "NATS-CLU-003", "NATS-STR-003", "NATS-OPS-003", "NATS-CON-004", "NATS-LIM-001", "NATS-LIM-007"} {
		f.none(t, id)
	}
}

func freeTCPPorts(t *testing.T, n int) []int {
	t.Helper()
	ports, err := natstest.FreePorts(n)
	if err != nil {
		t.Fatal(err)
	}
	return ports
}

// eventually re-audits until check passes (cluster state changes take a
// few seconds to show: peers marked offline, leader elections).
func eventually(t *testing.T, timeout time.Duration, servers []*server.Server, check func(findings) bool) findings {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	for {
		f := auditLive(t, servers...)
		if check(f) || time.Now().After(deadline) {
			t.Logf("state reached after %s", time.Since(start).Round(time.Millisecond))
			return f
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func TestLiveClusterRules(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and breaks a 3-node cluster")
	}
	dir := t.TempDir()
	ports := freeTCPPorts(t, 3)
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	var srv []*server.Server
	for i, p := range ports {
		extra := fmt.Sprintf("cluster { name: audit, listen: 127.0.0.1:%d, routes: [%s] }", p, strings.Join(routes, ", "))
		srv = append(srv, startNATS(t, dir, fmt.Sprintf("n%d", i+1), extra))
	}
	deadline := time.Now().Add(20 * time.Second)
	for !(srv[0].JetStreamIsCurrent() && srv[1].JetStreamIsCurrent() && srv[2].JetStreamIsCurrent()) {
		if time.Now().After(deadline) {
			t.Fatal("no JetStream meta leader")
		}
		time.Sleep(100 * time.Millisecond)
	}
	js := appJetStream(t, srv[0])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"events.>"}, Replicas: 3, MaxBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "CACHE", Subjects: []string{"cache.>"}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := js.Publish(ctx, fmt.Sprintf("events.%d", i), []byte("hello")); err != nil {
			t.Fatal(err)
		}
	}

	// Healthy: only the R1 memory stream is wrong. Followers report each
	// other as "not current"; the rules must not read that as degraded.
	f := eventually(t, 10*time.Second, srv, func(f findings) bool { return len(f.get("NATS-STR-003", "stream APP/EVENTS")) == 0 })
	f.want(t, "NATS-STR-001", "stream APP/CACHE", "")
	f.want(t, "NATS-STR-008", "stream APP/CACHE", "")
	for _, id := range []string{"NATS-CLU-001", "NATS-CLU-002", "NATS-CLU-003", "NATS-CLU-004", "NATS-STR-003", "NATS-OPS-003", "NATS-OPS-005"} {
		f.none(t, id)
	}
	if got := f.get("NATS-STR-001", "stream APP/EVENTS"); len(got) != 0 {
		t.Errorf("EVENTS is R3: %v", got)
	}

	// n3 goes away: its meta peer and stream replica are offline, routes missing.
	srv[2].Shutdown()
	srv[2].WaitForShutdown()
	// (If n3 led the meta group, there is no leader until n1 and n2 elect one.)
	f = eventually(t, 20*time.Second, srv[:2], func(f findings) bool {
		return len(f.get("NATS-STR-003", "stream APP/EVENTS")) > 0 && len(f.get("NATS-CLU-003", "server n1")) > 0 &&
			len(f.get("NATS-CLU-002", "server n1"))+len(f.get("NATS-CLU-002", "server n2")) == 0
	})
	f.want(t, "NATS-STR-003", "stream APP/EVENTS", "")
	f.want(t, "NATS-CLU-003", "server n1", "")
	f.none(t, "NATS-CLU-002")

	// One more goes: no quorum, no meta leader, JetStream unhealthy. The
	// meta leader is the one stopped, so that the survivor notices at once
	// (a leader that lost its quorum only steps down after ~10-20s).
	survivor, victim := srv[0], srv[1]
	if survivor.JetStreamIsLeader() {
		survivor, victim = victim, survivor
	}
	victim.Shutdown()
	victim.WaitForShutdown()
	name := "server " + survivor.Name()
	f = eventually(t, 30*time.Second, []*server.Server{survivor}, func(f findings) bool {
		return len(f.get("NATS-CLU-002", name)) > 0 && len(f.get("NATS-OPS-003", name)) > 0
	})
	f.want(t, "NATS-CLU-002", name, "")
	f.want(t, "NATS-OPS-003", name, "critical")
	// EVENTS has no leader (critical), unless the survivor led it: then it
	// still claims the lead over two offline replicas for a while (high).
	got := f.get("NATS-STR-003", "stream APP/EVENTS")
	if len(got) == 0 {
		t.Fatalf("no STR-003 on EVENTS; findings:%s", f)
	}
	var leader string
	for _, st := range f.inv.Streams {
		if st.Name == "EVENTS" {
			leader, _ = st.Cluster["leader"].(string)
		}
	}
	if leader == "" && got[0].Severity != "critical" || leader != "" && got[0].Severity != "" {
		t.Errorf("EVENTS (leader %q): STR-003 severity %q, msg %s", leader, got[0].Severity, got[0].Msg)
	}
}
