package rules_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/natstest"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// evalWith evaluates an inventory with parameter overrides (shorter
// windows than the catalog's, so that a test need not wait a minute).
func evalWith(t *testing.T, inv *model.Inventory, params map[string]any) findings {
	t.Helper()
	e, err := rulesEngine(t).WithParams(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	input, err := audit.Input(inv)
	if err != nil {
		t.Fatal(err)
	}
	raws, err := e.Eval(context.Background(), input)
	if err != nil {
		t.Fatal(err)
	}
	return findings{inv: inv, raws: raws}
}

// collect probes the servers' monitoring ports into a fresh inventory.
func collect(t *testing.T, servers ...*server.Server) *model.Inventory {
	t.Helper()
	var urls []string
	for _, s := range servers {
		urls = append(urls, "http://"+s.MonitorAddr().String())
	}
	res, err := probe.Collect(context.Background(), probe.Options{URLs: urls, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) > 0 {
		t.Fatalf("probe failures: %v", res.Failures)
	}
	inv := &model.Inventory{Scan: model.Scan{NowNS: time.Now().UnixNano()}}
	probe.Merge(inv, res)
	return inv
}

var jwtOrSeed = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.|S[UAO][A-Z2-7]{50,}`)

// Operator mode: user svc's JWT expires in 2 days, user app's never. Over
// HTTP and $SYS, NATS-HLT-011 names svc (from the claims read before the
// JWT is masked) and not app; no JWT or seed is in the inventory.
func TestLiveUserJWTExpiry(t *testing.T) {
	op, err := natstest.NewOperator(t.TempDir(), natstest.AppLimits{Conn: -1, Subs: -1, Streams: -1})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := op.AppUser("svc", 50*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s := startConf(t, "opu", "server_name: opu\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\n"+op.Config)
	for _, creds := range []string{svc, svc, op.AppCreds} {
		nc, err := nats.Connect(s.ClientURL(), nats.UserCredentials(creds))
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
			got := f.get("NATS-HLT-011", "server opu")
			if len(got) != 1 || got[0].Severity != "high" ||
				!regexp.MustCompile(`^the JWT of user svc \(U[A-Z2-7]{55}\) \(account `+op.AppAccount+`, issued by `+op.AppAccount+`\) expires in 2 days; 2 connection\(s\) use it on opu$`).MatchString(got[0].Msg) {
				t.Errorf("HLT-011: %v\n%s", got, f)
			}
			b, err := json.Marshal(f.inv)
			if err != nil {
				t.Fatal(err)
			}
			if m := jwtOrSeed.Find(b); m != nil {
				t.Errorf("a JWT or seed in the inventory: %.12s...", m)
			}
			if !strings.Contains(string(b), `"jwt_claims"`) {
				t.Error("no jwt_claims in the inventory")
			}
		})
	}
}

// Streams and consumers with duration thresholds in their io.nats.monitor
// metadata, and a mirror whose origin stream is removed: NATS-HLT-009
// (seen-critical), NATS-HLT-010 (last-delivery-critical,
// last-ack-critical) and NATS-HLT-012 (origin inactive).
func TestLiveMonitorDurationsAndMirror(t *testing.T) {
	s := startNATS(t, t.TempDir(), "md", "")
	js := appJetStream(t, s)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORIGIN", Subjects: []string{"origin.>"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := js.Publish(ctx, fmt.Sprintf("origin.%d", i), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "COPY", Mirror: &jetstream.StreamSource{Name: "ORIGIN"},
		Metadata: map[string]string{"io.nats.monitor.enabled": "true", "io.nats.monitor.seen-critical": "3s", "io.nats.monitor.lag-critical": "100"}}); err != nil {
		t.Fatal(err)
	}
	// A mirror of a stream that does not exist: never heard from.
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "GHOST", Mirror: &jetstream.StreamSource{Name: "NOPE"}}); err != nil {
		t.Fatal(err)
	}
	// "slow" took a message 1.5 s ago and never acked it; "fresh" was
	// created just now and has delivered nothing yet.
	meta := func(kv ...string) map[string]string {
		m := map[string]string{"io.nats.monitor.enabled": "true"}
		for i := 0; i < len(kv); i += 2 {
			m["io.nats.monitor."+kv[i]] = kv[i+1]
		}
		return m
	}
	slow, err := js.CreateConsumer(ctx, "ORIGIN", jetstream.ConsumerConfig{Durable: "slow", AckPolicy: jetstream.AckExplicitPolicy,
		Metadata: meta("last-delivery-critical", "1s", "last-ack-critical", "1h")})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := slow.Fetch(1, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range batch.Messages() {
	}
	if _, err := js.CreateConsumer(ctx, "ORIGIN", jetstream.ConsumerConfig{Durable: "fresh", AckPolicy: jetstream.AckExplicitPolicy,
		Metadata: meta("last-delivery-critical", "10m")}); err != nil {
		t.Fatal(err)
	}
	// Healthy mirror (heartbeats keep `active` under a second).
	deadline := time.Now().Add(10 * time.Second)
	var f findings
	for {
		f = evalWith(t, collect(t, s), map[string]any{"health": map[string]any{"source_inactive_ns": 3e9}})
		if m := f.inv.Streams[0].Mirror; m != nil && m["lag"] == int64(0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if f.inv.Streams[0].Name != "COPY" || f.inv.Streams[0].Mirror == nil {
		t.Fatalf("no mirror state: %+v", f.inv.Streams[0])
	}
	f.none(t, "NATS-HLT-009")
	if got := f.get("NATS-HLT-012", "stream APP/COPY"); len(got) != 0 {
		t.Errorf("HLT-012 on a healthy mirror: %v", got)
	}
	if got := f.get("NATS-HLT-010", "consumer APP/ORIGIN/fresh"); len(got) != 1 || !strings.Contains(got[0].Msg, "no delivery yet, and its io.nats.monitor.last-delivery-critical is 10m") {
		t.Errorf("HLT-010 fresh: %v\n%s", got, f)
	}
	time.Sleep(1200 * time.Millisecond)
	f = evalWith(t, collect(t, s), nil)
	// Never acked: "no acknowledgement" counts as too long, as in the CLI.
	got := f.get("NATS-HLT-010", "consumer APP/ORIGIN/slow")
	if len(got) != 2 || !slices.ContainsFunc(got, func(r engine.Raw) bool {
		return regexp.MustCompile(`^consumer ORIGIN/slow \(account APP\): last delivery [0-9]+s ago, at or above its io.nats.monitor.last-delivery-critical 1s$`).MatchString(r.Msg)
	}) || !slices.ContainsFunc(got, func(r engine.Raw) bool {
		return r.Msg == "consumer ORIGIN/slow (account APP): no acknowledgement yet, and its io.nats.monitor.last-ack-critical is 1h"
	}) {
		t.Errorf("HLT-010 slow: %v\n%s", got, f)
	}

	// The origin is removed: the mirror stops hearing from it.
	if err := js.DeleteStream(ctx, "ORIGIN"); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		f = evalWith(t, collect(t, s), map[string]any{"health": map[string]any{"source_inactive_ns": 3e9}})
		if len(f.get("NATS-HLT-012", "stream APP/COPY")) > 0 && len(f.get("NATS-HLT-009", "stream APP/COPY")) > 0 && len(f.get("NATS-HLT-012", "stream APP/GHOST")) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if got := f.get("NATS-HLT-012", "stream APP/COPY"); len(got) != 1 || got[0].Severity != "high" || !regexp.MustCompile(`^stream COPY \(account APP\): its mirror ORIGIN was last heard from [0-9]+s ago`).MatchString(got[0].Msg) {
		t.Errorf("HLT-012: %v\n%s", got, f)
	}
	if got := f.get("NATS-HLT-009", "stream APP/COPY"); len(got) != 1 || !strings.Contains(got[0].Msg, "at or above its io.nats.monitor.seen-critical 3s") {
		t.Errorf("HLT-009: %v\n%s", got, f)
	}
	if got := f.get("NATS-HLT-012", "stream APP/GHOST"); len(got) != 1 || !regexp.MustCompile(`^stream GHOST \(account APP\): its mirror NOPE has never been heard from \(the stream was created [0-9]+s ago\) \(stream not found\)$`).MatchString(got[0].Msg) {
		t.Errorf("HLT-012 GHOST: %v\n%s", got, f)
	}
	// With the catalog's minute, a few seconds of silence is not a finding.
	evalWith(t, f.inv, nil).none(t, "NATS-HLT-012")
}

// A 3-node cluster: an R3 stream and its R3 consumer elect their first
// leaders when created (quiet), then both leaders step down: NATS-HLT-013.
func TestLiveLeaderChange(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	dir := t.TempDir()
	ports := freeTCPPorts(t, 3)
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	var srv []*server.Server
	for i, p := range ports {
		extra := fmt.Sprintf("cluster { name: lc, listen: 127.0.0.1:%d, routes: [%s] }", p, strings.Join(routes, ", "))
		srv = append(srv, startNATS(t, dir, fmt.Sprintf("n%d", i+1), extra))
	}
	waitMeta(t, srv)
	js := appJetStream(t, srv[0])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := createStream(ctx, js, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"events.>"}, Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy, Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	created := time.Now()
	f := eventually(t, 10*time.Second, srv, func(f findings) bool {
		return len(f.inv.Consumers) == 1 && f.inv.Consumers[0].Cluster["leader_since"] != nil && f.inv.Streams[0].Cluster["leader_since"] != nil
	})
	if len(f.inv.Streams) != 1 || f.inv.Streams[0].Cluster["leader_since"] == nil || f.inv.Streams[0].Created == "" {
		t.Fatalf("no leader_since: %+v", f.inv.Streams)
	}
	f.none(t, "NATS-HLT-013")

	// Past the first-election grace (5 s), the leaders step down.
	time.Sleep(time.Until(created.Add(5500 * time.Millisecond)))
	nc, err := nats.Connect(srv[0].ClientURL(), nats.UserInfo("app", "app-pass-123456"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	for _, subj := range []string{"$JS.API.STREAM.LEADER.STEPDOWN.EVENTS", "$JS.API.CONSUMER.LEADER.STEPDOWN.EVENTS.worker"} {
		if _, err := nc.Request(subj, nil, 5*time.Second); err != nil {
			t.Fatalf("%s: %v", subj, err)
		}
	}
	f = eventually(t, 15*time.Second, srv, func(f findings) bool { return len(f.get("NATS-HLT-013", "stream APP/EVENTS")) == 2 })
	got := f.get("NATS-HLT-013", "stream APP/EVENTS")
	if len(got) != 2 {
		t.Fatalf("HLT-013: %v\n%s", got, f)
	}
	var msgs []string
	for _, r := range got {
		msgs = append(msgs, r.Msg)
	}
	all := strings.Join(msgs, "\n")
	if !regexp.MustCompile(`stream EVENTS \(account APP\): leader n[123] elected [0-9]+s ago, after the stream was created`).MatchString(all) ||
		!regexp.MustCompile(`stream EVENTS \(account APP\): 1 consumer leader\(s\) elected in the last 5m, after the consumer was created: worker \(n[123], [0-9]+s ago\)`).MatchString(all) {
		t.Errorf("HLT-013 messages:\n%s", all)
	}

	// The meta group: read from /raftz?group=_meta_ (RAFTZ over $SYS).
	// Before the step-down its leader was elected when the cluster
	// started: quiet. After, the new leader (its own view) says so.
	if meta := metaLeaderFindings(f); len(meta) != 0 {
		t.Fatalf("meta leader elected at start reported: %v", meta)
	}
	before := metaTerm(t, f)
	sys, err := nats.Connect(srv[0].ClientURL(), nats.UserInfo("sys", "sys-pass-123456"))
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if _, err := sys.Request("$JS.API.META.LEADER.STEPDOWN", []byte("{}"), 5*time.Second); err != nil {
		t.Fatalf("meta step-down: %v", err)
	}
	re := regexp.MustCompile(`^the JetStream meta leader (n[123]) was elected [0-9]+s ago \(Raft term ([0-9]+)\), [0-9]+[sm] after it started$`)
	check := func(t *testing.T, f findings) {
		t.Helper()
		meta := metaLeaderFindings(f)
		if len(meta) != 1 {
			t.Fatalf("meta leader findings: %v\n%s", meta, f)
		}
		m := re.FindStringSubmatch(meta[0].Msg)
		if m == nil || meta[0].Severity != "low" || f.target(meta[0].Ref) != "server "+m[1] || meta[0].Path != "live/raftz" {
			t.Fatalf("meta leader finding: %+v on %s", meta[0], f.target(meta[0].Ref))
		}
		if term, _ := strconv.Atoi(m[2]); term <= before {
			t.Errorf("Raft term %d after the step-down, %d before", term, before)
		}
	}
	t.Run("http", func(t *testing.T) {
		check(t, eventually(t, 15*time.Second, srv, func(f findings) bool { return len(metaLeaderFindings(f)) == 1 }))
	})
	t.Run("sys", func(t *testing.T) {
		f, res := auditWith(t, probe.Options{Server: srv[1].ClientURL(), Auth: probe.Auth{User: "sys", Password: "sys-pass-123456"}})
		if len(res.Failures) > 0 {
			t.Fatalf("failures: %v", res.Failures)
		}
		check(t, f)
	})
}

// metaLeaderFindings are the NATS-HLT-013 findings about the meta group.
func metaLeaderFindings(f findings) []engine.Raw {
	var out []engine.Raw
	for _, r := range f.raws {
		if r.RuleID == "NATS-HLT-013" && strings.HasPrefix(r.Msg, "the JetStream meta leader ") {
			out = append(out, r)
		}
	}
	return out
}

// metaTerm is the meta group's Raft term as its leader reports it in /raftz.
func metaTerm(t *testing.T, f findings) int {
	t.Helper()
	for _, s := range f.inv.Servers {
		if s.Live == nil {
			continue
		}
		for _, groups := range s.Live.Raftz {
			g, _ := groups.(map[string]any)["_meta_"].(map[string]any)
			if g["state"] == "LEADER" {
				if term, ok := g["term"].(int64); ok {
					return int(term)
				}
			}
		}
	}
	t.Fatalf("no meta leader in /raftz: %+v", f.inv.Servers)
	return 0
}

// scan + live: the repository's config of each server against what it
// runs. n1 runs exactly its committed config (quiet), then the committed
// file changes (NATS-HLT-014 by digest); n2's committed config includes
// another file, so its digest is not computed and the settings /varz
// reports are compared instead.
func TestLiveConfigDriftAgainstRepo(t *testing.T) {
	repo, run := t.TempDir(), t.TempDir()
	n1 := "server_name: n1\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nmax_payload: 1MB\n"
	n2 := "server_name: n2\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nmax_payload: 1MB\nmax_connections: 100\n"
	s1, err := natstest.StartConf(run, "n1", n1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s1.Shutdown)
	s2, err := natstest.StartConf(run, "n2", n2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s2.Shutdown)
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(repo, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("n1.conf", "# committed\n"+n1)
	write("n2.conf", "include ./limits.conf\nserver_name: n2\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nmax_payload: 2MB\n")
	write("limits.conf", "max_connections: 100\n")
	scan := func() (*audit.Result, []finding.Finding) {
		t.Helper()
		res, err := audit.Run(context.Background(), rulesEngine(t), audit.Options{Paths: []string{repo}, Base: repo, Now: time.Now(),
			Live: func(ctx context.Context, inv *model.Inventory) error {
				r, err := probe.Collect(ctx, probe.Options{URLs: []string{"http://" + s1.MonitorAddr().String(), "http://" + s2.MonitorAddr().String()}, Timeout: 5 * time.Second})
				if err != nil {
					return err
				}
				probe.Merge(inv, r)
				return nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		var out []finding.Finding
		for _, f := range res.Report.Findings {
			if f.RuleID == "NATS-HLT-014" {
				out = append(out, f)
			}
		}
		return res, out
	}
	res, got := scan()
	byName := map[string]*model.Server{}
	for _, s := range res.Inventory.Servers {
		byName[s.Name] = s
	}
	if s := byName["n1"]; s == nil || s.Live == nil || s.ConfigDigest == "" || s.ConfigDigest != s.Live.Varz["config_digest"] {
		t.Fatalf("n1: the repository's digest is not the running one: %+v", s)
	}
	if s := byName["n2"]; s == nil || s.ConfigDigest != "" || s.ConfigDigestNote != "the config includes other files" {
		t.Fatalf("n2: %+v", s)
	}
	if len(got) != 1 || got[0].Message != "server n2 runs settings that differ from n2.conf of the repository: max_payload 1048576 (repository: 2097152) (the digest is not compared: the config includes other files)" {
		t.Fatalf("HLT-014: %+v", got)
	}

	write("n1.conf", strings.Replace(n1, "1MB", "8MB", 1))
	_, got = scan()
	want := regexp.MustCompile(`^server n1 runs a config \(digest [0-9a-f]{12}\) whose digest differs from that of n1.conf in the repository$`)
	n := 0
	for _, f := range got {
		if f.Target == "server n1" {
			n++
			if !want.MatchString(f.Message) || f.Severity != finding.Severity("medium") {
				t.Errorf("HLT-014 n1: %+v", f)
			}
		}
	}
	if n != 1 {
		t.Errorf("HLT-014: %+v", got)
	}
}
