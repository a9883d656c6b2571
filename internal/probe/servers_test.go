package probe_test

import (
	"context"
	"fmt"
	"github.com/natsaudit/natsaudit/internal/natstest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
)

// Real in-process servers, started once per test binary and shared by the
// tests that need them (JetStream cluster startup is the main cost).

const (
	sysUser = "sys"
	sysPass = "s3cret-sys-pass"
	appUser = "app"
	appPass = "s3cret-app-pass"
	// sysNoPubUser is in the system account but may not send $SYS requests.
	sysNoPubUser = "sysnopub"
)

type fixture struct {
	once     sync.Once
	err      error
	servers  []*server.Server
	dir      string
	nkeyFile string // cluster: seed file of a system-account nkey user
	nkeySeed string
}

var (
	solo    fixture
	cluster fixture
)

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		runChild(args) // natsaudit, for BenchmarkProbeScale
	}
	code := m.Run()
	for _, f := range []*fixture{&solo, &cluster} {
		for _, s := range f.servers {
			s.Shutdown()
		}
		for _, s := range f.servers {
			s.WaitForShutdown()
		}
		if f.dir != "" {
			os.RemoveAll(f.dir)
		}
	}
	os.Exit(code)
}

func monitorURL(s *server.Server) string {
	return "http://" + s.MonitorAddr().String()
}

// soloServer is one JetStream server ("solo", global account) holding a
// nearly full DLQ-like stream, an unbounded stream and a consumer that
// redelivers forever.
func soloServer(t *testing.T) *server.Server {
	t.Helper()
	solo.once.Do(func() { solo.err = startSolo(&solo) })
	if solo.err != nil {
		t.Fatalf("start solo server: %v", solo.err)
	}
	return solo.servers[0]
}

func startSolo(f *fixture) error {
	dir, err := os.MkdirTemp("", "natsaudit-solo-")
	if err != nil {
		return err
	}
	f.dir = dir
	opts := &server.Options{
		ServerName: "solo", Host: "127.0.0.1", Port: -1, HTTPHost: "127.0.0.1", HTTPPort: -1,
		JetStream: true, StoreDir: filepath.Join(dir, "js"), NoLog: true, NoSigs: true,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return err
	}
	f.servers = append(f.servers, s)
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		return fmt.Errorf("solo server not ready")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: "ORDERS_DLQ", Subjects: []string{"dlq.orders"}, MaxMsgs: 100, Discard: jetstream.DiscardOld,
	}); err != nil {
		return err
	}
	for i := range 95 {
		if _, err := js.Publish(ctx, "dlq.orders", []byte(fmt.Sprintf("dead letter %d", i))); err != nil {
			return err
		}
	}
	ev, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"events.>"}})
	if err != nil {
		return err
	}
	if _, err = ev.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: -1,
	}); err != nil {
		return err
	}
	return addBacklog(ctx, js)
}

// addBacklog makes a bounded JOBS stream with a consumer far behind
// ("lagging": more than 10000 pending) and one that holds as many
// unacknowledged messages as its max_ack_pending ("stuck").
func addBacklog(ctx context.Context, js jetstream.JetStream) error {
	jobs, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: "JOBS", Subjects: []string{"jobs.>"}, MaxBytes: 64 << 20, MaxAge: 24 * time.Hour, Discard: jetstream.DiscardNew,
	})
	if err != nil {
		return err
	}
	for _, name := range []string{"lagging", "stuck"} {
		cfg := jetstream.ConsumerConfig{Durable: name, AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 5}
		if name == "stuck" {
			cfg.MaxAckPending = 10
		}
		if _, err := jobs.CreateOrUpdateConsumer(ctx, cfg); err != nil {
			return err
		}
	}
	// A generous stall wait: with the default (200 ms) a loaded CI machine
	// fails the publish with ErrTooManyStalledMsgs before the server acks.
	for i := range 10050 {
		if _, err := js.PublishAsync(fmt.Sprintf("jobs.%d", i%8), []byte("job"), jetstream.WithStallWait(time.Minute)); err != nil {
			return err
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		return ctx.Err()
	}
	stuck, err := jobs.Consumer(ctx, "stuck")
	if err != nil {
		return err
	}
	batch, err := stuck.Fetch(10, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		return err
	}
	n := 0
	for range batch.Messages() {
		n++ // received, never acknowledged
	}
	if n != 10 {
		return fmt.Errorf("stuck consumer got %d messages, want 10", n)
	}
	return nil
}

// clusterServers is a real 3-node JetStream cluster (n1..n3) with a system
// account (user sys) and a JetStream account APP holding an R1 and an R3
// stream.
func clusterServers(t *testing.T) []*server.Server {
	t.Helper()
	cluster.once.Do(func() { cluster.err = startCluster(&cluster, "n", "c1") })
	if cluster.err != nil {
		t.Fatalf("start cluster: %v", cluster.err)
	}
	return cluster.servers
}

// freePorts asks the OS for n loopback ports for the cluster listeners: the
// routes must be known before the servers start, and JetStream clustering
// needs configured routes on every node.
func freePorts(n int) ([]int, error) { return natstest.FreePorts(n) }

// startCluster starts <prefix>1..<prefix>3 in cluster clusterName.
func startCluster(f *fixture, prefix, clusterName string) error {
	dir, err := os.MkdirTemp("", "natsaudit-cluster-")
	if err != nil {
		return err
	}
	f.dir = dir
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	// A system-account user authenticated by nkey; its seed file is what
	// --nkey reads.
	kp, err := nkeys.CreateUser()
	if err != nil {
		return err
	}
	nkeyPub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	f.nkeySeed = string(seed)
	f.nkeyFile = filepath.Join(dir, "sys.nk")
	if err := os.WriteFile(f.nkeyFile, seed, 0o600); err != nil {
		return err
	}
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	for i, p := range ports {
		name := fmt.Sprintf("%s%d", prefix, i+1)
		conf := fmt.Sprintf(`server_name: %s
listen: "127.0.0.1:-1"
jetstream { store_dir: %q }
cluster {
  name: %s
  listen: "127.0.0.1:%d"
  routes: [%s]
}
accounts {
  SYS {
    users: [
      {user: %s, password: %s}
      {user: %s, password: %s, permissions: {publish: {deny: ["$SYS.REQ.>"]}}}
      {nkey: %s}
    ]
  }
  APP { jetstream: enabled, users: [{user: %s, password: %s}] }
}
system_account: SYS
`, name, filepath.Join(dir, name), clusterName, p, strings.Join(routes, ", "), sysUser, sysPass, sysNoPubUser, sysPass, nkeyPub, appUser, appPass)
		path := filepath.Join(dir, name+".conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			return err
		}
		opts, err := server.ProcessConfigFile(path)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		opts.HTTPHost, opts.HTTPPort = "127.0.0.1", -1
		opts.NoLog, opts.NoSigs = os.Getenv("NATSAUDIT_SERVER_LOG") == "", true
		s, err := server.NewServer(opts)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		f.servers = append(f.servers, s)
		if !opts.NoLog {
			s.ConfigureLogger()
		}
		s.Start()
	}
	for _, s := range f.servers {
		if !s.ReadyForConnections(10 * time.Second) {
			return fmt.Errorf("%s not ready", s.Name())
		}
	}
	nc, err := nats.Connect(f.servers[0].ClientURL(), nats.UserInfo(appUser, appPass))
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
	// Stream creation fails until the meta leader is elected: retry.
	create := func(cfg jetstream.StreamConfig) (jetstream.Stream, error) {
		for {
			// A request sent before the meta leader exists is never answered:
			// bound each attempt.
			actx, acancel := context.WithTimeout(ctx, time.Second)
			st, err := js.CreateStream(actx, cfg)
			acancel()
			if err == nil {
				return st, nil
			}
			if os.Getenv("NATSAUDIT_SERVER_LOG") != "" {
				fmt.Println("create:", err)
			}
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("create %s: %w (last error)", cfg.Name, err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	bounded := func(name string, replicas int) jetstream.StreamConfig {
		return jetstream.StreamConfig{
			Name: name, Subjects: []string{strings.ToLower(name) + ".>"}, Replicas: replicas,
			MaxBytes: 64 << 20, MaxAge: 24 * time.Hour, Discard: jetstream.DiscardNew,
		}
	}
	if _, err := create(bounded("SINGLE", 1)); err != nil {
		return err
	}
	r3, err := create(bounded("TRIPLE", 3))
	if err != nil {
		return err
	}
	for i := range 10 {
		if _, err := js.Publish(ctx, "triple.x", []byte(fmt.Sprintf("m%d", i))); err != nil {
			return err
		}
	}
	// Wait until every replica of the R3 stream is current, so that a clean
	// stream looks clean.
	for {
		info, err := r3.Info(ctx)
		if err == nil && info.Cluster != nil && info.Cluster.Leader != "" && len(info.Cluster.Replicas) == 2 {
			ok := true
			for _, r := range info.Cluster.Replicas {
				ok = ok && r.Current && !r.Offline && r.Lag == 0
			}
			if ok {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("R3 stream replicas never became current")
		case <-time.After(50 * time.Millisecond):
		}
	}
}
