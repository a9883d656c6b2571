package probe_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/cli"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// A real cluster losing two of its three servers: the survivor reports no
// meta leader, offline peers, an R3 stream with offline replicas, and fails
// its health check. Its own cluster (d1..d3), since it is broken on purpose.
func TestProbeDegradedCluster(t *testing.T) {
	var f fixture
	t.Cleanup(func() {
		for _, s := range f.servers {
			s.Shutdown()
		}
	})
	start := time.Now()
	if err := startCluster(&f, "d", "c2"); err != nil {
		t.Fatal(err)
	}
	t.Logf("cluster up in %s", time.Since(start))
	start = time.Now()
	// The survivor is a follower: a leader that loses its quorum steps down
	// only after its lost-quorum interval, a follower knows at once that
	// its leader is gone.
	survivor := f.servers[0]
	for _, s := range f.servers {
		if !s.JetStreamIsLeader() {
			survivor = s
			break
		}
	}
	urls := []string{monitorURL(survivor)}
	var stopped []string
	for _, s := range f.servers {
		if s != survivor {
			urls = append(urls, monitorURL(s))
			stopped = append(stopped, s.Name())
			s.Shutdown()
			s.WaitForShutdown()
		}
	}
	name := survivor.Name()
	// The survivor learns of the shutdowns at once (system events); the
	// health check and the meta leader follow.
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := probe.Collect(context.Background(), probe.Options{URLs: urls[:1], Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Snapshots) == 1 {
			l := res.Snapshots[0].Live
			meta, _ := l.Jsz["meta_cluster"].(map[string]any)
			if l.HealthzStatus == http.StatusServiceUnavailable && meta != nil && meta["leader"] == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the survivor never lost its meta leader: %+v", res.Snapshots)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("survivor degraded after %s", time.Since(start))
	r := natsaudit(t, nil, append([]string{"probe", "--timeout", "2s"}, urls...)...)
	if r.code == cli.ExitError {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// The two stopped servers: one line each.
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 2 {
		t.Errorf("stderr = %q, want one line per stopped server", r.stderr)
	}
	if len(r.report.Errors) != 2 {
		t.Errorf("errors = %+v", r.report.Errors)
	}
	r.wantFinding(t, "NATS-OPS-003", "server "+name)
	r.wantFinding(t, "NATS-CLU-002", "server "+name)
	r.wantFinding(t, "NATS-CLU-003", "server "+name)
	r.wantFinding(t, "NATS-STR-003", "stream APP/TRIPLE")

	// Over $SYS, the stopped servers do not answer at all: they are named
	// on stderr and in the report's errors all the same (the survivor lists
	// them as meta peers).
	r = natsaudit(t, nil, "probe", "--server", survivor.ClientURL(), "--user", sysUser, "--password", sysPass, "--timeout", "2s")
	if r.code == cli.ExitError {
		t.Fatalf("$SYS: exit %d: %s", r.code, r.stderr)
	}
	for _, n := range stopped {
		if !strings.Contains(r.stderr, "(server "+n+"): did not answer $SYS.REQ.SERVER.PING") {
			t.Errorf("$SYS: stderr does not name %s: %q", n, r.stderr)
		}
		found := false
		for _, e := range r.report.Errors {
			found = found || strings.Contains(e.Target, "(server "+n+")")
		}
		if !found {
			t.Errorf("$SYS: report errors do not name %s: %+v", n, r.report.Errors)
		}
	}
}
