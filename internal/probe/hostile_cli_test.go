package probe_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/cli"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// The CLI view of the misbehaving endpoints of TestHostileEndpoints: each
// one alone is "no target could be read": exit 2, one stderr line naming
// the target and saying what went wrong, then the summary line, within the
// timeout (plus the rule compilation).
func TestHostileEndpointsCLI(t *testing.T) {
	other := httpServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"server_name": "evil"}`) })
	cases := []struct {
		name string
		url  func(t *testing.T) string
		want string
	}{
		{"never answers", silentListener, "no complete answer within 500ms"},
		{"slow byte by byte", slowServer, "no complete answer within 500ms"},
		{"200 MB body", bigServer, "/varz: response over the 33554432-byte limit"}, // see timeout below
		{"not JSON", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>It works!</html>") })
		}, "/varz: not JSON"},
		{"JSON of the wrong shape", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `"server_name"`) })
		}, "/varz: unexpected JSON: want an object, got a string"},
		{"HTTP 500", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
		}, "/varz: HTTP 500 Internal Server Error"},
		{"redirect to another host", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, strings.Replace(other, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusFound)
			})
		}, "redirected to another host (http://localhost:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.url(t)
			timeout := "500ms"
			if tc.name == "200 MB body" {
				timeout = "20s" // time to send 32 MB on a loaded machine: the limit, not the clock, stops it
			}
			r := natsaudit(t, nil, "probe", u, "--timeout", timeout)
			if r.code != cli.ExitError {
				t.Fatalf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "natsaudit: probe "+u+": ") || !strings.Contains(lines[0], tc.want) ||
				lines[1] != "natsaudit: no live target could be read (1 failure)" {
				t.Errorf("stderr = %q, want the target and %q", r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("a report was written: %q", r.stdout)
			}
			if r.elapsed > 500*time.Millisecond+slack+20*time.Second {
				t.Errorf("took %s", r.elapsed)
			}
		})
	}
}

// A 200 MB answer on every endpoint costs at most the body limit (32 MB) for
// varz and jsz and 4 MB for the six small documents: the peak heap is
// sampled while the eight documents are fetched at once (410 MB before the
// small-document limit, about 150 MB with it).
func TestHugeBodyMemory(t *testing.T) {
	u := bigServer(t)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var m runtime.MemStats
		var p uint64
		for {
			runtime.ReadMemStats(&m)
			p = max(p, m.HeapInuse)
			select {
			case <-stop:
				peak <- p
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	res, err := probe.Collect(context.Background(), probe.Options{URLs: []string{u}, Timeout: 10 * time.Second})
	close(stop)
	p := <-peak
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) == 0 || !strings.Contains(res.Failures[0].Error(), "over the 33554432-byte limit") {
		t.Fatalf("failures = %v", res.Failures)
	}
	grew := (int64(p) - int64(base.HeapInuse)) >> 20
	t.Logf("peak heap %d MB above the baseline for 8 answers of 200 MB", grew)
	if grew > 256 {
		t.Errorf("peak heap grew %d MB, want under 256 MB", grew)
	}
}

// Every monitoring document with a string where a number belongs (and the
// reverse, nulls, objects for lists): the server is read and the rules run
// without failing on the odd types.
func TestWrongTypesEverywhere(t *testing.T) {
	u := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/varz":
			fmt.Fprint(w, `{"server_name": "odd", "server_id": 7, "version": 2.10, "port": "4222", "max_payload": "1MB",
				"max_connections": "lots", "connections": "3", "mem": "12", "cores": null, "cpu": "high",
				"tls_required": "yes", "auth_required": 1, "jetstream": {"config": {"max_memory": "1G", "store_dir": 5},
				"stats": {"memory": "x", "storage": []}}, "cluster": {"name": 5, "urls": "nats://a"}, "http_port": "8222",
				"slow_consumers": "many", "ping_interval": "2m", "write_deadline": [], "tls_cert_not_after": "never",
				"config_load_time": 0, "start": 7, "now": "yesterday", "system_account": {}}`)
		case "/jsz":
			fmt.Fprint(w, `{"memory": "1", "storage": "2", "config": {"max_memory": "x"}, "meta_cluster": {"leader": 5, "cluster_size": "3", "replicas": "none"},
				"account_details": [{"name": "A", "stream_detail": [{"name": "S", "config": {"name": "S", "num_replicas": "three",
				"max_bytes": "1GB", "max_msgs": "-1", "subjects": "s.>", "retention": 1, "discard": true, "max_age": "1d"},
				"state": {"messages": "5", "bytes": "10", "consumer_count": "1"}, "cluster": {"replicas": "two", "leader": []},
				"consumer_detail": [{"name": "c", "config": {"ack_policy": 1, "max_deliver": "5", "max_ack_pending": "x"},
				"num_pending": "9", "num_ack_pending": "1", "num_redelivered": {}}]}]}]}`)
		case "/healthz":
			fmt.Fprint(w, `{"status": 200, "errors": "none"}`)
		case "/connz":
			fmt.Fprint(w, `{"num_connections": "2", "connections": [{"cid": "1", "pending_bytes": "big", "subscriptions_list": 4}]}`)
		case "/routez":
			fmt.Fprint(w, `{"num_routes": "1", "routes": {"a": 1}}`)
		default:
			fmt.Fprint(w, `{"server_name": "odd"}`)
		}
	})
	r := natsaudit(t, nil, "probe", u, "--timeout", "2s")
	if r.code == cli.ExitError {
		t.Fatalf("exit 2: %s", r.stderr)
	}
	if len(r.inv.Servers) != 1 || r.inv.Servers[0].Live == nil || r.inv.Servers[0].Live.Varz["max_connections"] != "lots" {
		t.Fatalf("servers = %+v", r.inv.Servers)
	}
	for _, n := range r.report.Notes {
		if strings.Contains(strings.ToLower(n), "rule") && strings.Contains(strings.ToLower(n), "error") {
			t.Errorf("a rule failed on the odd types: %s", n)
		}
	}
	t.Logf("findings on the odd server: %d; stderr %q", len(r.report.Findings), r.stderr)
}
