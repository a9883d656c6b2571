package rules_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsaudit/natsaudit/internal/natstest"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// operatorCluster starts a 3-node JetStream cluster in operator mode; n3 is
// tagged "dead" so that R1 streams can be placed on it.
func operatorCluster(t *testing.T, op *natstest.Operator) []*server.Server {
	t.Helper()
	dir := t.TempDir()
	ports := freeTCPPorts(t, 3)
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	var srv []*server.Server
	for i := range 3 {
		name := fmt.Sprintf("n%d", i+1)
		conf := fmt.Sprintf("server_name: %s\nserver_tags: [%q]\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\njetstream { store_dir: %q, max_memory_store: 64MB, max_file_store: 256MB }\ncluster { name: c, listen: 127.0.0.1:%d, routes: [%s] }\n%s",
			name, "host:"+name, filepath.Join(dir, name), ports[i], strings.Join(routes, ", "), op.Config)
		s, err := natstest.StartConf(dir, name, conf)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Shutdown)
		srv = append(srv, s)
	}
	waitMeta(t, srv)
	return srv
}

// An operator-mode cluster: account APP (JWT: at most 10 streams) holds 9,
// one of them R1 on n3; a consumer is stalled at max_ack_pending
// (NATS-CON-003). Then n3
// stops: its R1 stream is listed by no server's /jsz, and only APP's
// JetStream API (--js-creds) still lists it, as missing: NATS-HLT-001.
func TestLiveOfflineStreamAndAccountLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and breaks a 3-node cluster")
	}
	op, err := natstest.NewOperator(t.TempDir(), natstest.AppLimits{Conn: -1, Subs: -1, Streams: 10})
	if err != nil {
		t.Fatal(err)
	}
	srv := operatorCluster(t, op)
	nc, err := nats.Connect(srv[0].ClientURL(), nats.UserCredentials(op.AppCreds))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := createStream(ctx, js, jetstream.StreamConfig{Name: "ONLY3", Subjects: []string{"only3.>"}, Placement: &jetstream.Placement{Tags: []string{"host:n3"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := createStream(ctx, js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		if _, err := createStream(ctx, js, jetstream.StreamConfig{Name: fmt.Sprintf("S%d", i), Subjects: []string{fmt.Sprintf("s%d.>", i)}, Replicas: 3}); err != nil {
			t.Fatal(err)
		}
	}
	// A consumer that takes 2 messages and never acks them, with 3 more waiting.
	cons, err := js.CreateConsumer(ctx, "ORDERS", jetstream.ConsumerConfig{Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 2, Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := js.Publish(ctx, fmt.Sprintf("orders.%d", i), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := cons.Fetch(2, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range batch.Messages() {
	}
	sys := probe.Options{Server: srv[0].ClientURL(), Auth: probe.Auth{Creds: op.SysCreds}, JSCreds: []string{op.AppCreds}}

	f, res := auditWith(t, sys)
	if len(res.Failures) > 0 {
		t.Fatalf("failures: %v", res.Failures)
	}
	if len(f.inv.LiveAccounts) != 1 || f.inv.LiveAccounts[0].Name != "APP" || f.inv.LiveAccounts[0].ID != op.AppAccount {
		t.Fatalf("live accounts: %+v", f.inv.LiveAccounts)
	}
	if got := f.get("NATS-HLT-002", "account APP"); len(got) != 1 || !strings.Contains(got[0].Msg, "account APP uses 90% of its JetStream max_streams (9 of 10)") || got[0].Severity != "high" {
		t.Errorf("HLT-002: %v\n%s", got, f)
	}
	// The stall at max_ack_pending is NATS-CON-003's.
	if got := f.get("NATS-CON-003", "consumer APP/ORDERS/worker"); len(got) != 1 || !strings.Contains(got[0].Msg, "has 2 of max_ack_pending 2 messages unacknowledged") {
		t.Errorf("CON-003: %v\n%s", got, f)
	}
	f.none(t, "NATS-HLT-001")

	srv[2].Shutdown()
	srv[2].WaitForShutdown()
	// n1 and n2 keep quorum; wait until the meta leader marks n3 offline.
	deadline := time.Now().Add(20 * time.Second)
	for {
		f, res = auditWith(t, sys)
		if len(f.get("NATS-HLT-001", "stream APP/ONLY3")) == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	got := f.get("NATS-HLT-001", "stream APP/ONLY3")
	if len(got) != 1 || got[0].Msg != "stream ONLY3 (account APP, R1) is offline: no server hosting it answered (its replicas: n3)" {
		t.Fatalf("HLT-001: %v\n%s\nfailures: %v", got, f, res.Failures)
	}
	// Only its config (R1, no limits) and its missing leader are judged;
	// nothing from its empty state.
	for _, r := range f.raws {
		if f.target(r.Ref) == "stream APP/ONLY3" && !slices.Contains([]string{"NATS-HLT-001", "NATS-STR-001", "NATS-STR-003", "NATS-STR-004"}, r.RuleID) {
			t.Errorf("offline stream: unexpected %s: %s", r.RuleID, r.Msg)
		}
	}
	// n3 did not answer: named in the failures.
	if !slices.ContainsFunc(res.Failures, func(fl probe.Failure) bool { return strings.Contains(fl.Target, "(server n3)") }) {
		t.Errorf("failures do not name n3: %v", res.Failures)
	}

	// Without the account's credentials the stream is invisible: no finding
	// (the documented limit), and no error.
	f, _ = auditWith(t, probe.Options{Server: srv[0].ClientURL(), Auth: probe.Auth{Creds: op.SysCreds}})
	f.none(t, "NATS-HLT-001")
}

// Operator mode: account APP's JWT allows 10 connections and expires in 2
// days; 9 are connected. Over HTTP and over $SYS alike: NATS-HLT-007 and
// NATS-HLT-008.
func TestLiveOperatorAccountLimitsAndExpiry(t *testing.T) {
	op, err := natstest.NewOperator(t.TempDir(), natstest.AppLimits{Conn: 10, Subs: -1, Streams: -1, Expires: 50 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	s := startConf(t, "opm", "server_name: opm\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\n"+op.Config)
	for range 9 {
		nc, err := nats.Connect(s.ClientURL(), nats.UserCredentials(op.AppCreds))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
	}
	for _, tc := range []struct {
		name string
		opt  probe.Options
	}{
		{"http", probe.Options{URLs: []string{"http://" + s.MonitorAddr().String()}}},
		{"sys", probe.Options{Server: s.ClientURL(), Auth: probe.Auth{Creds: op.SysCreds}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, res := auditWith(t, tc.opt)
			if len(res.Failures) > 0 {
				t.Fatalf("failures: %v", res.Failures)
			}
			want := "account APP (" + op.AppAccount + ") has 9 of its 10 connections (90%) on opm"
			if got := f.get("NATS-HLT-007", "server opm"); len(got) != 1 || got[0].Msg != want || got[0].Severity != "high" {
				t.Errorf("HLT-007: %v, want %q\n%s\nnotes: %q\naccountz: %v", got, want, f, res.Notes, f.inv.Servers[0].Live.Accountz)
			}
			want = "the JWT of account APP (" + op.AppAccount + ") expires in 2 days"
			if got := f.get("NATS-HLT-008", "server opm"); len(got) != 1 || got[0].Msg != want || got[0].Severity != "high" {
				t.Errorf("HLT-008: %v, want %q\n%s", got, want, f)
			}
			// Users' JWTs are masked as credentials in /connz: never in the
			// inventory.
			for _, c := range f.inv.Servers[0].Live.Connz["connections"].([]any) {
				if j, _ := c.(map[string]any)["jwt"].(string); strings.HasPrefix(j, "eyJ") {
					t.Errorf("a user JWT in the inventory: %.20s...", j)
				}
			}
		})
	}
}

// Streams and consumers that opt into the NATS CLI's metadata monitoring
// (io.nats.monitor.*, JETSTREAM_004/005) are judged against it.
func TestLiveMonitorMetadata(t *testing.T) {
	s := startNATS(t, t.TempDir(), "mon", "")
	js := appJetStream(t, s)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "CANARY", Subjects: []string{"canary.>"}, MaxMsgs: 1000,
		Metadata: map[string]string{"io.nats.monitor.enabled": "true", "io.nats.monitor.msgs-warn": "10", "io.nats.monitor.msgs-critical": "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "canary.1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateConsumer(ctx, "CANARY", jetstream.ConsumerConfig{Durable: "watch", AckPolicy: jetstream.AckExplicitPolicy,
		Metadata: map[string]string{"io.nats.monitor.enabled": "true", "io.nats.monitor.unprocessed-critical": "1"}}); err != nil {
		t.Fatal(err)
	}
	f := auditLive(t, s)
	if got := f.get("NATS-HLT-009", "stream APP/CANARY"); len(got) != 1 || got[0].Msg != "stream CANARY (account APP) has 1 msgs, at or below its io.nats.monitor threshold 2" || got[0].Severity != "high" {
		t.Errorf("HLT-009: %v\n%s", got, f)
	}
	if got := f.get("NATS-HLT-010", "consumer APP/CANARY/watch"); len(got) != 1 || !strings.Contains(got[0].Msg, "has num_pending 1, at or above its io.nats.monitor.unprocessed-critical 1") {
		t.Errorf("HLT-010: %v\n%s", got, f)
	}
}

// createStream creates a stream on a cluster that has just formed, waiting
// (up to 10 s) while the server answers "error creating store for stream"
// (err_code 10049): seen on a loaded machine when a new operator-mode
// cluster has a meta leader but a peer is not yet ready to hold the
// stream. Any other error, or the same one after the wait, is returned.
func createStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := js.CreateStream(ctx, cfg)
		var apiErr *jetstream.APIError
		if err == nil || !errors.As(err, &apiErr) || apiErr.ErrorCode != 10049 || time.Now().After(deadline) {
			return st, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}
