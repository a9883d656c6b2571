package probe_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/cli"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// Misbehaving monitoring endpoints: no real server answers like this, so
// these are httptest servers (and raw listeners) that misbehave on purpose.

const hostileTimeout = 500 * time.Millisecond

// slack is what a bounded failure may take beyond the timeout on a loaded
// 2-core machine.
const slack = 1500 * time.Millisecond

func httpServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// zeros is an endless reader.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

func TestHostileEndpoints(t *testing.T) {
	other := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"server_name": "evil"}`)
	})
	cases := []struct {
		name string
		url  func(t *testing.T) string
		want string
	}{
		{"connection refused", closedPort, "connection refused"},
		{"accepts and never answers", silentListener, "no complete answer within 500ms"},
		{"slow byte-by-byte body", slowServer, "no complete answer within 500ms"},
		{"HTTP 500", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "boom", http.StatusInternalServerError)
			})
		}, "HTTP 500 Internal Server Error"},
		{"redirect to another host", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				// Same port, other host name: still another host.
				http.Redirect(w, r, strings.Replace(other, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusFound)
			})
		}, "redirected to another host"},
		{"not JSON", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "<html><body>It works!</body></html>")
			})
		}, "not JSON"},
		{"JSON of the wrong shape", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `[{"server_name": "array"}]`)
			})
		}, "want an object, got an array"},
		{"JSON without server_name", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"status": "ok"}`)
			})
		}, "no server_name"},
		{"200 MB body", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/varz" {
					http.NotFound(w, r)
					return
				}
				fmt.Fprint(w, `{"server_name": "big", "pad": "`)
				_, _ = io.Copy(w, io.LimitReader(zeros{}, 200<<20))
				fmt.Fprint(w, `"}`)
			})
		}, "over the 33554432-byte limit"},
		// Small in bytes, big once decoded (each "{}" is a map): refused
		// before decoding, whatever the byte limit allows.
		{"1.1 million empty objects", func(t *testing.T) string {
			// Built once, not per request: the case must finish well
			// within the 500 ms timeout on a loaded machine.
			body := []byte(`{"server_name": "dense", "pad": [{}` + strings.Repeat(",{}", 1_100_000) + `]}`)
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write(body)
			})
		}, "/varz: document holds more than 1000000 JSON values (the limit for one document); not read"},
		{"nested 100 levels", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"server_name": "deep", "pad": `+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`)
			})
		}, "/varz: document nested more than 64 levels deep; not read"},
		{"200 MB announced", func(t *testing.T) string {
			return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", fmt.Sprint(200<<20))
				fmt.Fprint(w, `{"server_name": "big"`)
			})
		}, "over the 33554432-byte limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.url(t)
			timeout := hostileTimeout
			if strings.HasPrefix(tc.name, "200 MB body") {
				// 32 MiB must cross loopback before the limit is hit:
				// on a loaded 2-core machine that alone can take longer
				// than 500ms, and this case is about the byte limit.
				timeout = 10 * time.Second
			}
			start := time.Now()
			res, err := probe.Collect(context.Background(), probe.Options{URLs: []string{u}, Timeout: timeout})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if elapsed > timeout+slack {
				t.Errorf("took %s with a %s timeout", elapsed, timeout)
			}
			if len(res.Snapshots) != 0 || len(res.Failures) != 1 {
				t.Fatalf("snapshots %d, failures %v; want one failure", len(res.Snapshots), res.Failures)
			}
			f := res.Failures[0]
			if f.Target != u || !strings.Contains(f.Err.Error(), tc.want) {
				t.Errorf("failure = %q, want target %s and %q", f.Error(), u, tc.want)
			}
			if strings.Contains(f.Error(), "\n") {
				t.Errorf("failure is not one line: %q", f.Error())
			}
		})
	}
}

// The CLI turns a failure into one stderr line naming the target and exits
// 2 when nothing could be read, within the timeout.
func TestHostileCLI(t *testing.T) {
	u := silentListener(t)
	start := time.Now()
	r := natsaudit(t, nil, "probe", u, "--timeout", "300ms")
	elapsed := time.Since(start)
	if r.code != cli.ExitError {
		t.Fatalf("exit %d, want 2", r.code)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 2 || lines[0] != "natsaudit: probe "+u+": no complete answer within 300ms" {
		t.Errorf("stderr = %q", r.stderr)
	}
	// The CLI also compiles the rules (about a second on a busy machine);
	// the probe's own bound is checked by TestHostileEndpoints.
	if elapsed > 300*time.Millisecond+slack+5*time.Second {
		t.Errorf("took %s", elapsed)
	}
}

// An unroutable address (TEST-NET-1) fails within the timeout, whether the
// network drops the packets or refuses at once.
func TestUnreachableHost(t *testing.T) {
	start := time.Now()
	res, err := probe.Collect(context.Background(), probe.Options{URLs: []string{"http://192.0.2.1:8222"}, Timeout: hostileTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > hostileTimeout+slack {
		t.Errorf("took %s", elapsed)
	}
	if len(res.Failures) != 1 || res.Failures[0].Target != "http://192.0.2.1:8222" {
		t.Errorf("failures = %v", res.Failures)
	}
	t.Logf("unreachable: %v", res.Failures)
}

// A server whose /varz is fine but whose other documents are malformed is
// still read: the malformed parts are skipped, never a panic.
func TestMalformedDocumentsOfAReachableServer(t *testing.T) {
	u := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/varz":
			fmt.Fprint(w, `{"server_name": "odd", "version": "2.10.7", "jetstream": "yes", "cluster": [], "tls_cert_not_after": 7}`)
		case "/jsz":
			fmt.Fprint(w, `{"meta_cluster": "x", "account_details": [1, "a", {"name": "A", "stream_detail": [null, 5, {"name": 5},
				{"name": "S", "config": "x", "state": [], "cluster": 7, "consumer_detail": [{"name": "c", "config": []}, 3]},
				{"name": "T", "config": {"max_msgs": 1e400, "num_replicas": "three"}, "consumer_detail": "none"}]}]}`)
		case "/healthz":
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"status": "unavailable", "error": "JetStream has not established contact with a meta leader"}`)
		case "/connz":
			fmt.Fprint(w, `{"connections": {}}`)
		default:
			http.NotFound(w, r)
		}
	})
	res, err := probe.Collect(context.Background(), probe.Options{URLs: []string{u}, Timeout: hostileTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Snapshots) != 1 {
		t.Fatalf("snapshots = %d, failures %v", len(res.Snapshots), res.Failures)
	}
	live := res.Snapshots[0].Live
	if live.HealthzStatus != 503 || live.Healthz["status"] != "unavailable" {
		t.Errorf("healthz = %d %v; an unhealthy server's 503 is a document, not a failure", live.HealthzStatus, live.Healthz)
	}
	// routez, gatewayz, leafz, accountz answered 404.
	if len(live.Errors) != 4 || len(res.Failures) != 4 {
		t.Errorf("errors = %v, failures %v", live.Errors, res.Failures)
	}
	r := natsaudit(t, nil, "probe", u, "--timeout", "2s")
	if r.code == cli.ExitError {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if len(r.inv.Streams) != 2 || r.stream("A", "S") == nil || r.stream("A", "T") == nil {
		t.Errorf("streams = %+v", r.inv.Streams)
	}
	if len(r.inv.Consumers) != 1 {
		t.Errorf("consumers = %+v", r.inv.Consumers)
	}
}

// The $SYS connection fails within the timeout too: a port that never
// speaks NATS, a refused one, a server list whose members all fail.
func TestSysUnreachable(t *testing.T) {
	silent := strings.Replace(silentListener(t), "http://", "nats://", 1)
	refused := strings.Replace(closedPort(t), "http://", "nats://", 1)
	for name, tc := range map[string]struct{ server, want string }{
		"silent":      {silent, "no complete answer within 500ms"},
		"refused":     {refused, "cannot connect: connection refused or host unreachable"},
		"server list": {refused + "," + silent, "no complete answer within 500ms"},
		"not a URL":   {"nats://", "not a NATS URL"},
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			res, err := probe.Collect(context.Background(), probe.Options{Server: tc.server, Timeout: hostileTimeout,
				Auth: probe.Auth{User: "sys", Password: "pw-never-shown"}})
			if err != nil {
				t.Fatal(err)
			}
			if elapsed := time.Since(start); elapsed > hostileTimeout+slack {
				t.Errorf("took %s", elapsed)
			}
			if len(res.Failures) != 1 || !strings.Contains(res.Failures[0].Error(), tc.want) || !strings.HasPrefix(res.Failures[0].Target, "$SYS via ") {
				t.Errorf("failures = %v, want %q", res.Failures, tc.want)
			}
			if strings.Contains(fmt.Sprint(res.Failures), "pw-never-shown") {
				t.Errorf("password in %v", res.Failures)
			}
		})
	}
}

func TestDisplayStripsCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"http://admin:pw@nats-1:8222/":              "http://nats-1:8222",
		"https://nats-1:8222/base?x=1#f":            "https://nats-1:8222/base",
		"nats://sys:pw@a:4222,nats://sys:pw@b:4222": "nats://a:4222,nats://b:4222",
		"nats://tok3n@a:4222":                       "nats://a:4222",
		"user:pw@:bad":                              ":bad",
	} {
		if got := probe.Display(in); got != want {
			t.Errorf("Display(%q) = %q, want %q", in, got, want)
		}
	}
	got := probe.SecretValues(probe.Options{URLs: []string{"http://u:urlpw@h:8222"}, Server: "nats://tok3n@a:4222,nats://b:4222", Auth: probe.Auth{Password: "flagpw"}})
	for _, want := range []string{"urlpw", "tok3n", "flagpw"} {
		if !slices.Contains(got, want) {
			t.Errorf("SecretValues = %v, lacks %s", got, want)
		}
	}
}

// slowServer answers one byte every 20 ms, forever.
func slowServer(t *testing.T) string {
	return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"server_name": "slow", "pad": "`)
		for {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}

// bigServer answers every path with a 200 MB JSON document.
func bigServer(t *testing.T) string {
	return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"server_name": "big", "pad": "`)
		_, _ = io.Copy(w, io.LimitReader(zeros{}, 200<<20))
		fmt.Fprint(w, `"}`)
	})
}
