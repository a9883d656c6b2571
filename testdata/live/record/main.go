// Command record runs real nats-servers in-process (a single JetStream server
// and a 3-node JetStream cluster), creates streams and consumers in the states
// the reliability rules look for, and writes the monitoring documents the
// servers answer to testdata/live/*.json. The rule tests use these recordings
// to check field names and types against what nats-server really sends.
//
//	go run ./testdata/live/record -out testdata/live
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/natsaudit/natsaudit/internal/natstest"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func main() {
	out := flag.String("out", "testdata/live", "directory for the recordings")
	flag.Parse()
	if err := run(*out); err != nil {
		log.Fatal(err)
	}
}

func run(out string) error {
	tmp, err := os.MkdirTemp("", "natsaudit-record-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := single(tmp, out); err != nil {
		return fmt.Errorf("single: %w", err)
	}
	if err := cluster(tmp, out); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	return nil
}

const accounts = `
accounts {
  APP { jetstream: enabled, users: [{user: app, password: app-pass-123456}] }
  LIM { jetstream { max_memory: 64MB, max_store: 1GB }, users: [{user: lim, password: lim-pass-123456}] }
  SYS { users: [{user: sys, password: sys-pass-123456}] }
}
system_account: SYS
`

func start(dir, name, extra string) (*server.Server, error) {
	conf := fmt.Sprintf(`
server_name: %s
listen: 127.0.0.1:-1
http: 127.0.0.1:-1
jetstream { store_dir: %q, max_memory_store: 256MB, max_file_store: 1GB }
%s
%s`, name, filepath.Join(dir, name), accounts, extra)
	return natstest.StartConf(dir, name, conf)
}

func single(tmp, out string) error {
	s, err := start(tmp, "single-1", "")
	if err != nil {
		return err
	}
	defer s.Shutdown()
	nc, err := nats.Connect(s.ClientURL(), nats.UserInfo("app", "app-pass-123456"))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// ORDERS: bounded by max_msgs and filled to 85% of it.
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, MaxMsgs: 100, Discard: jetstream.DiscardNew}); err != nil {
		return err
	}
	for i := range 85 {
		if _, err := js.Publish(ctx, fmt.Sprintf("orders.%d", i), []byte("x")); err != nil {
			return err
		}
	}
	// DLQ: captures the max-deliveries advisories, discard old.
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "DLQ", Subjects: []string{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>"}, MaxMsgs: 1000, Storage: jetstream.FileStorage}); err != nil {
		return err
	}
	// worker: explicit ack, max_deliver unset, max_ack_pending 10, fetched but not acked.
	c, err := js.CreateOrUpdateConsumer(ctx, "ORDERS", jetstream.ConsumerConfig{Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 10, AckWait: 500 * time.Millisecond})
	if err != nil {
		return err
	}
	// Fetch, let the ack wait expire, fetch again: redeliveries.
	for range 2 {
		b, err := c.Fetch(10, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return err
		}
		for range b.Messages() {
		}
		time.Sleep(700 * time.Millisecond)
	}
	// A push consumer nobody listens on.
	if _, err := js.CreateOrUpdateConsumer(ctx, "ORDERS", jetstream.ConsumerConfig{Durable: "pusher", DeliverSubject: "deliver.pusher", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 5}); err != nil {
		return err
	}
	mon := "http://" + s.MonitorAddr().String()
	return capture(mon, out, "single", []string{
		"varz", "jsz?accounts=true&streams=true&consumers=true&config=true", "healthz?details=true", "routez", "accountz",
	})
}

func freePort() (int, error) {
	ports, err := natstest.FreePorts(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

func cluster(tmp, out string) error {
	var ports [3]int
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return err
		}
		ports[i] = p
	}
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	var srv []*server.Server
	defer func() {
		for _, s := range srv {
			s.Shutdown()
		}
	}()
	for i, p := range ports {
		extra := fmt.Sprintf("cluster { name: audit, listen: 127.0.0.1:%d, routes: [%s] }", p, strings.Join(routes, ", "))
		s, err := start(tmp, fmt.Sprintf("n%d", i+1), extra)
		if err != nil {
			return err
		}
		srv = append(srv, s)
	}
	if err := waitFor(func() bool {
		for _, s := range srv {
			if !s.JetStreamIsCurrent() {
				return false
			}
		}
		return srv[0].JetStreamIsLeader() || srv[1].JetStreamIsLeader() || srv[2].JetStreamIsLeader()
	}); err != nil {
		return fmt.Errorf("meta leader: %w", err)
	}
	nc, err := nats.Connect(srv[0].ClientURL(), nats.UserInfo("app", "app-pass-123456"))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"events.>"}, Replicas: 3, MaxBytes: 1 << 20}); err != nil {
		return err
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "CACHE", Subjects: []string{"cache.>"}, Replicas: 1, Storage: jetstream.MemoryStorage}); err != nil {
		return err
	}
	for i := range 20 {
		if _, err := js.Publish(ctx, fmt.Sprintf("events.%d", i), []byte("hello")); err != nil {
			return err
		}
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, "EVENTS", jetstream.ConsumerConfig{Durable: "audit", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 10}); err != nil {
		return err
	}
	time.Sleep(time.Second)
	paths := []string{"varz", "jsz?accounts=true&streams=true&consumers=true&config=true", "healthz?details=true", "routez"}
	for i, s := range srv {
		if err := capture("http://"+s.MonitorAddr().String(), out, fmt.Sprintf("cluster-n%d", i+1), paths); err != nil {
			return err
		}
	}
	// One node down: meta peer and stream replica offline, routes missing.
	srv[2].Shutdown()
	srv[2].WaitForShutdown()
	time.Sleep(6 * time.Second)
	for i, s := range srv[:2] {
		if err := capture("http://"+s.MonitorAddr().String(), out, fmt.Sprintf("cluster-degraded-n%d", i+1), paths); err != nil {
			return err
		}
	}
	// Two nodes down: no quorum, no meta leader.
	srv[1].Shutdown()
	srv[1].WaitForShutdown()
	time.Sleep(8 * time.Second)
	return capture("http://"+srv[0].MonitorAddr().String(), out, "cluster-noquorum-n1", paths)
}

func waitFor(f func() bool) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if f() {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("timed out")
}

// capture writes {path: {status, body}} for each monitoring path to
// out/<name>.json.
func capture(base, out, name string, paths []string) error {
	doc := map[string]any{}
	for _, p := range paths {
		resp, err := http.Get(base + "/" + p)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var body any
		d := json.NewDecoder(strings.NewReader(string(b)))
		d.UseNumber()
		if err := d.Decode(&body); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		key := strings.SplitN(p, "?", 2)[0]
		doc[key] = map[string]any{"status": resp.StatusCode, "query": p, "body": body}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, name+".json"), append(b, '\n'), 0o644)
}
