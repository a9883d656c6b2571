package probe_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/natsaudit/natsaudit/internal/probe"
)

// Live collection benchmarks (docs/performance.md): probing N servers is one
// concurrent round of requests, so its cost stays near one server's as N
// grows, and a silent target costs one timeout, not one per target.

// BenchmarkCollectHTTP probes the monitoring endpoints of 1 to 9 real
// servers (a cluster with a system account, JetStream off).
func BenchmarkCollectHTTP(b *testing.B) {
	for _, n := range []int{1, 3, 9} {
		servers := benchCluster(b, n)
		var urls []string
		for _, s := range servers {
			urls = append(urls, monitorURL(s))
		}
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			for b.Loop() {
				collect(b, probe.Options{URLs: urls}, n)
			}
		})
	}
}

// BenchmarkCollectSys gathers the same clusters through one system-account
// connection ($SYS scatter-gather).
func BenchmarkCollectSys(b *testing.B) {
	for _, n := range []int{1, 3, 9} {
		servers := benchCluster(b, n)
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			for b.Loop() {
				collect(b, probe.Options{Server: servers[0].ClientURL(), Auth: probe.Auth{User: sysUser, Password: sysPass}}, n)
			}
		})
	}
}

// BenchmarkCollectJetStreamCluster is the 3-node JetStream cluster of the
// live tests (streams, consumers, jsz with details) over HTTP and $SYS.
func BenchmarkCollectJetStreamCluster(b *testing.B) {
	cluster.once.Do(func() { cluster.err = startCluster(&cluster, "n", "c1") })
	if cluster.err != nil {
		b.Fatalf("start cluster: %v", cluster.err)
	}
	cs := cluster.servers
	for name, opt := range map[string]probe.Options{
		"http": {URLs: []string{monitorURL(cs[0]), monitorURL(cs[1]), monitorURL(cs[2])}},
		"sys":  {Server: cs[0].ClientURL(), Auth: probe.Auth{User: sysUser, Password: sysPass}},
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				collect(b, opt, 3)
			}
		})
	}
}

// BenchmarkCollectSilent probes N targets that accept connections and never
// answer, with a 200 ms timeout: the whole collection takes about one
// timeout whatever N is.
func BenchmarkCollectSilent(b *testing.B) {
	for _, n := range []int{1, 4, 16} {
		var urls []string
		for range n {
			urls = append(urls, benchSilent(b))
		}
		b.Run(fmt.Sprintf("targets=%d", n), func(b *testing.B) {
			for b.Loop() {
				res, err := probe.Collect(context.Background(), probe.Options{URLs: urls, Timeout: 200 * time.Millisecond})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Failures) < n {
					b.Fatalf("%d failures for %d silent targets", len(res.Failures), n)
				}
			}
		})
	}
}

func collect(b *testing.B, opt probe.Options, want int) {
	b.Helper()
	res, err := probe.Collect(context.Background(), opt)
	if err != nil {
		b.Fatal(err)
	}
	if len(res.Snapshots) != want || len(res.Failures) != 0 {
		b.Fatalf("%d snapshots (want %d), failures %v", len(res.Snapshots), want, res.Failures)
	}
}

// benchCluster starts n clustered servers (JetStream off: the benchmark is
// about the number of servers) sharing a system account; they are shut
// down when the benchmark ends.
func benchCluster(b *testing.B, n int) []*server.Server {
	b.Helper()
	dir := b.TempDir()
	ports, err := freePorts(n)
	if err != nil {
		b.Fatal(err)
	}
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	var servers []*server.Server
	b.Cleanup(func() {
		for _, s := range servers {
			s.Shutdown()
		}
		for _, s := range servers {
			s.WaitForShutdown()
		}
	})
	for i, p := range ports {
		name := fmt.Sprintf("b%d-%d", n, i+1)
		conf := fmt.Sprintf(`server_name: %s
listen: "127.0.0.1:-1"
cluster { name: bench%d, listen: "127.0.0.1:%d", routes: [%s] }
accounts {
  SYS { users: [{user: %s, password: %s}] }
  APP { users: [{user: %s, password: %s}] }
}
system_account: SYS
`, name, n, p, strings.Join(routes, ", "), sysUser, sysPass, appUser, appPass)
		path := filepath.Join(dir, name+".conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			b.Fatal(err)
		}
		opts, err := server.ProcessConfigFile(path)
		if err != nil {
			b.Fatal(err)
		}
		opts.HTTPHost, opts.HTTPPort = "127.0.0.1", -1
		opts.NoLog, opts.NoSigs = true, true
		s, err := server.NewServer(opts)
		if err != nil {
			b.Fatal(err)
		}
		servers = append(servers, s)
		s.Start()
	}
	for _, s := range servers {
		if !s.ReadyForConnections(10 * time.Second) {
			b.Fatalf("%s not ready", s.Name())
		}
	}
	// $SYS answers come from every server once the routes are up.
	deadline := time.Now().Add(10 * time.Second)
	for _, s := range servers {
		for s.NumRoutes() < n-1 {
			if time.Now().After(deadline) {
				b.Fatalf("%s has %d routes, want %d", s.Name(), s.NumRoutes(), n-1)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// A fresh cluster's servers learn of each other through $SYS statsz
	// messages a little after the routes are up; until then a gather stops
	// at the first answer's active_servers. Wait until it sees all of them.
	for {
		res, err := probe.Collect(context.Background(), probe.Options{Server: servers[0].ClientURL(), Auth: probe.Auth{User: sysUser, Password: sysPass}})
		if err == nil && len(res.Snapshots) == n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("$SYS never reached all %d servers", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return servers
}

// benchSilent is a listener that accepts connections and never answers.
func benchSilent(b *testing.B) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	conns := make(chan net.Conn, 1024)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(done)
				return
			}
			select {
			case conns <- c:
			default:
				c.Close()
			}
		}
	}()
	b.Cleanup(func() {
		l.Close()
		<-done
		close(conns)
		for c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}
