package probe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/cli"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/probe"
	"github.com/natsaudit/natsaudit/internal/report"
)

// run is one in-process natsaudit invocation.
type run struct {
	code           int
	stdout, stderr string
	report         report.Report
	inv            model.Inventory
	invJSON        []byte // the inventory as written, numbers exact
	elapsed        time.Duration
}

// natsaudit runs the CLI with a JSON report and the inventory, and an
// environment of env only (never the test machine's).
func natsaudit(t *testing.T, env map[string]string, args ...string) *run {
	t.Helper()
	dir := t.TempDir()
	invPath := filepath.Join(dir, "inventory.json")
	args = append(args, "--format", "json", "--fail-on", "never", "--inventory", invPath)
	var out, errb bytes.Buffer
	start := time.Now()
	r := &run{}
	r.code = cli.Main(context.Background(), args, &out, &errb, func(k string) string { return env[k] })
	r.elapsed = time.Since(start)
	r.stdout, r.stderr = out.String(), errb.String()
	if r.code == cli.ExitError {
		return r
	}
	if err := json.Unmarshal(out.Bytes(), &r.report); err != nil {
		t.Fatalf("report is not JSON: %v\nstdout: %s\nstderr: %s", err, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(invPath)
	if err != nil {
		t.Fatalf("inventory: %v", err)
	}
	r.invJSON = b
	if err := json.Unmarshal(b, &r.inv); err != nil {
		t.Fatalf("inventory is not JSON: %v", err)
	}
	return r
}

func (r *run) has(ruleID, target string) bool {
	for _, f := range r.report.Findings {
		if f.RuleID == ruleID && f.Target == target {
			return true
		}
	}
	return false
}

func (r *run) findingsFor(target string) []string {
	var out []string
	for _, f := range r.report.Findings {
		if f.Target == target {
			out = append(out, f.RuleID)
		}
	}
	return out
}

func (r *run) wantFinding(t *testing.T, ruleID, target string) {
	t.Helper()
	if !r.has(ruleID, target) {
		var got []string
		for _, f := range r.report.Findings {
			got = append(got, f.RuleID+" @ "+f.Target)
		}
		t.Errorf("no %s finding on %q; findings:\n  %s", ruleID, target, strings.Join(got, "\n  "))
	}
}

func (r *run) stream(account, name string) *model.Stream {
	for _, s := range r.inv.Streams {
		if s.Account == account && s.Name == name {
			return s
		}
	}
	return nil
}

func TestProbeSingleServerHTTP(t *testing.T) {
	s := soloServer(t)
	r := natsaudit(t, nil, "probe", monitorURL(s))
	if r.code == cli.ExitError {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("unexpected stderr: %s", r.stderr)
	}
	// The facts.
	if !r.inv.Scan.Live || !slices.Contains(r.inv.Scan.Sources, "live") {
		t.Errorf("scan = %+v, want live", r.inv.Scan)
	}
	if len(r.inv.Servers) != 1 || r.inv.Servers[0].Name != "solo" {
		t.Fatalf("servers = %v", r.report.Scan.Servers)
	}
	srv := r.inv.Servers[0]
	if srv.Version == nil || srv.Version.Source != "varz" || srv.Version.Semver == "" {
		t.Errorf("version = %+v, want one from varz", srv.Version)
	}
	if srv.Live == nil || srv.Live.Varz == nil || srv.Live.Jsz == nil || srv.Live.Healthz == nil || srv.Live.HealthzStatus != 200 {
		t.Fatalf("live documents missing: %+v", srv.Live)
	}
	dlq := r.stream("$G", "ORDERS_DLQ")
	if dlq == nil || dlq.Source != "live" || dlq.ClusterSize != 1 || !slices.Equal(dlq.Servers, []string{"solo"}) {
		t.Fatalf("ORDERS_DLQ = %+v", dlq)
	}
	if dlq.Config["max_msgs"] != float64(100) || dlq.Config["discard"] != "old" || dlq.State["messages"] != float64(95) {
		t.Errorf("ORDERS_DLQ config/state = %v / %v", dlq.Config, dlq.State)
	}
	consumers := map[string]*model.Consumer{}
	for _, c := range r.inv.Consumers {
		consumers[c.Stream+"/"+c.Name] = c
	}
	if len(consumers) != 3 || consumers["EVENTS/worker"].Config["max_deliver"] != float64(-1) {
		t.Fatalf("consumers = %v", consumers)
	}
	if c := consumers["JOBS/lagging"]; c.State["num_pending"] != float64(10050) {
		t.Errorf("lagging state = %v", c.State)
	}
	if c := consumers["JOBS/stuck"]; c.State["num_ack_pending"] != float64(10) || c.Config["max_ack_pending"] != float64(10) {
		t.Errorf("stuck = %v / %v", c.Config, c.State)
	}
	for _, k := range []string{"num_pending", "num_ack_pending", "num_redelivered", "num_waiting", "delivered", "ack_floor", "push_bound"} {
		if _, ok := consumers["EVENTS/worker"].State[k]; !ok {
			t.Errorf("consumer state lacks %s: %v", k, consumers["EVENTS/worker"].State)
		}
	}
	// The judgement (rules written by the rule catalog).
	r.wantFinding(t, "NATS-STR-006", "stream ORDERS_DLQ")
	r.wantFinding(t, "NATS-STR-005", "stream ORDERS_DLQ")
	r.wantFinding(t, "NATS-STR-004", "stream EVENTS")
	r.wantFinding(t, "NATS-CON-001", "consumer EVENTS/worker")
	r.wantFinding(t, "NATS-CON-002", "consumer JOBS/lagging")
	r.wantFinding(t, "NATS-CON-003", "consumer JOBS/stuck")
	// The version rules judge the running version (2.15.2 here, current:
	// evaluated, nothing to report).
	var versionRules []string
	for _, rs := range r.report.Rules {
		if slices.Contains([]string{"NATS-VER-001", "NATS-VER-002", "NATS-VER-003"}, rs.ID) && rs.Evaluated {
			versionRules = append(versionRules, rs.ID)
		}
	}
	if len(versionRules) != 3 {
		t.Errorf("version rules evaluated on a live server: %v, want VER-001..003", versionRules)
	}
	// No authentication: what varz says about the server itself. The
	// plaintext client port is on loopback, which NATS-TLS-001 leaves alone.
	r.wantFinding(t, "NATS-AUTH-001", "server solo")
	if got := r.findingsFor("stream JOBS"); len(got) > 0 {
		t.Errorf("the bounded JOBS stream has findings: %v", got)
	}
	for _, f := range r.report.Findings {
		if f.Location != nil && f.TargetKind != "file" {
			t.Errorf("live-only finding %s has a file location %+v", f.RuleID, f.Location)
		}
	}
}

func TestProbeCluster(t *testing.T) {
	cs := clusterServers(t)
	urls := []string{monitorURL(cs[0]), monitorURL(cs[1]), monitorURL(cs[2])}
	sysEnv := map[string]string{"NATS_USER": sysUser, "NATS_PASSWORD": sysPass}
	cases := map[string]struct {
		env  map[string]string
		args []string
	}{
		"http": {nil, append([]string{"probe"}, urls...)},
		// One connection reaches all three servers.
		"sys":  {nil, []string{"probe", "--server", cs[1].ClientURL(), "--user", sysUser, "--password", sysPass}},
		"env":  {map[string]string{"NATS_URL": cs[2].ClientURL(), "NATS_USER": sysUser, "NATS_PASSWORD": sysPass}, []string{"probe"}},
		"nkey": {nil, []string{"probe", "--server", cs[2].ClientURL(), "--nkey", cluster.nkeyFile}},
		"both": {sysEnv, append([]string{"probe", "--server", cs[0].ClientURL()}, urls[:2]...)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := natsaudit(t, tc.env, tc.args...)
			if r.code == cli.ExitError {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("unexpected stderr: %s", r.stderr)
			}
			if got := r.report.Scan.Servers; !slices.Equal(got, []string{"n1", "n2", "n3"}) {
				t.Errorf("servers = %v, want n1 n2 n3 (each once)", got)
			}
			seen := map[string]bool{}
			for _, target := range r.report.Scan.Targets {
				if seen[target] {
					t.Errorf("target %s listed twice in %v", target, r.report.Scan.Targets)
				}
				seen[target] = true
			}
			if name == "both" {
				// n1 and n2 were reached over HTTP and $SYS: their monitoring
				// port wins, whichever answered first; n3 only via $SYS.
				for _, s := range r.inv.Servers {
					http := strings.HasPrefix(s.Live.Endpoint, "http://")
					if http != (s.Name != "n3") {
						t.Errorf("server %s came from %s", s.Name, s.Live.Endpoint)
					}
				}
			}
			single, triple := r.stream("APP", "SINGLE"), r.stream("APP", "TRIPLE")
			if single == nil || triple == nil {
				t.Fatalf("streams = %+v", r.inv.Streams)
			}
			if triple.ClusterSize != 3 || len(triple.Servers) != 3 || triple.Config["num_replicas"] != float64(3) {
				t.Errorf("TRIPLE = servers %v, cluster_size %d, config %v", triple.Servers, triple.ClusterSize, triple.Config)
			}
			if leader, _ := triple.Cluster["leader"].(string); leader == "" {
				t.Errorf("TRIPLE has no leader in %v", triple.Cluster)
			}
			if len(single.Servers) != 1 || single.ClusterSize != 3 {
				t.Errorf("SINGLE = servers %v, cluster_size %d", single.Servers, single.ClusterSize)
			}
			r.wantFinding(t, "NATS-STR-001", "stream APP/SINGLE")
			if got := r.findingsFor("stream APP/TRIPLE"); len(got) > 0 {
				t.Errorf("the healthy R3 stream has findings: %v", got)
			}
			// APP has JetStream without limits: jsz says 2^64-1, and the
			// inventory keeps every digit.
			if !bytes.Contains(r.invJSON, []byte(`"reserved_storage": 18446744073709551615`)) {
				t.Errorf("jsz reserved_storage 2^64-1 did not survive decoding")
			}
			for _, stderrOrOut := range []string{r.stdout, r.stderr} {
				if strings.Contains(stderrOrOut, sysPass) || strings.Contains(stderrOrOut, cluster.nkeySeed) {
					t.Errorf("a credential leaked into the output")
				}
			}
		})
	}
}

// Probing a whole cluster is one concurrent round, not one per server.
func TestProbeTiming(t *testing.T) {
	cs := clusterServers(t)
	urls := []string{monitorURL(cs[0]), monitorURL(cs[1]), monitorURL(cs[2])}
	ctx := context.Background()
	for name, opt := range map[string]probe.Options{
		"http": {URLs: urls},
		"sys":  {Server: cs[0].ClientURL(), Auth: probe.Auth{User: sysUser, Password: sysPass}},
	} {
		start := time.Now()
		res, err := probe.Collect(ctx, opt)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Snapshots) != 3 || len(res.Failures) != 0 {
			t.Fatalf("%s: %d snapshots, failures %v", name, len(res.Snapshots), res.Failures)
		}
		t.Logf("%s: 3 servers, %d documents each, in %s", name, 8, elapsed)
		if elapsed > time.Second {
			t.Errorf("%s: probing 3 healthy servers took %s, want well under 1s", name, elapsed)
		}
	}
}

func TestScanMergesLiveByServerName(t *testing.T) {
	s := soloServer(t)
	dir := t.TempDir()
	conf := "server_name: solo\nport: 4222\nhttp_port: 8222\njetstream {\n  store_dir: /data/jetstream\n  max_file_store: 10GB\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "nats.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	r := natsaudit(t, nil, "scan", dir, "--url", monitorURL(s))
	if r.code == cli.ExitError {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if len(r.inv.Servers) != 1 {
		t.Fatalf("servers = %v, want the config and the live server merged into one", r.report.Scan.Servers)
	}
	srv := r.inv.Servers[0]
	if srv.Name != "solo" || srv.ConfigFile != "nats.conf" || srv.Live == nil || srv.Config == nil {
		t.Errorf("server = name %q, config_file %q, live %v", srv.Name, srv.ConfigFile, srv.Live != nil)
	}
	if !slices.Contains(srv.Sources, "config") || !slices.Contains(srv.Sources, "live") {
		t.Errorf("sources = %v", srv.Sources)
	}
	if !slices.Contains(r.inv.Scan.Sources, "config") || !slices.Contains(r.inv.Scan.Sources, "live") {
		t.Errorf("scan sources = %v", r.inv.Scan.Sources)
	}
	// A live server whose name matches no config stays a server of its own.
	cs := clusterServers(t)
	r = natsaudit(t, nil, "scan", dir, "--url", monitorURL(s), "--url", monitorURL(cs[0]))
	if got := r.report.Scan.Servers; !slices.Equal(got, []string{"solo", "n1"}) {
		t.Errorf("servers = %v, want solo (config+live) and n1 (live only)", got)
	}
}

func TestProbePartialFailure(t *testing.T) {
	s := soloServer(t)
	refused := closedPort(t)
	r := natsaudit(t, nil, "probe", monitorURL(s), refused, "--timeout", "2s")
	if r.code == cli.ExitError {
		t.Fatalf("exit %d (want a report for the server that answered): %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], refused) || !strings.Contains(lines[0], "connection refused") {
		t.Errorf("stderr = %q, want one line naming %s", r.stderr, refused)
	}
	if len(r.report.Errors) != 1 || r.report.Errors[0].Kind != "probe" || r.report.Errors[0].Target != refused {
		t.Errorf("errors = %+v", r.report.Errors)
	}
	if !slices.Equal(r.report.Scan.Servers, []string{"solo"}) {
		t.Errorf("servers = %v", r.report.Scan.Servers)
	}
	// Nothing readable at all: exit 2.
	r = natsaudit(t, nil, "probe", refused, "--timeout", "2s")
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "no live target could be read") {
		t.Errorf("exit %d, stderr %q; want 2 and a clear message", r.code, r.stderr)
	}
}

// closedPort is a monitoring URL nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestProbeSysFailures(t *testing.T) {
	cs := clusterServers(t)
	url := cs[0].ClientURL()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"wrong password", []string{"--user", sysUser, "--password", "wrong-password-123"}, "authentication failed"},
		{"not the system account", []string{"--user", appUser, "--password", appPass}, "not those of a system-account user"},
		{"no credentials", nil, "authentication failed"},
		{"no permission for $SYS requests", []string{"--user", sysNoPubUser, "--password", sysPass}, "not allowed to request $SYS.REQ.SERVER.PING"},
		{"unreadable nkey file", []string{"--nkey", "/nonexistent/sys.nk"}, "--nkey /nonexistent/sys.nk"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := natsaudit(t, nil, append([]string{"probe", "--server", url, "--timeout", "2s"}, tc.args...)...)
			if r.code != cli.ExitError {
				t.Fatalf("exit %d, want 2", r.code)
			}
			t.Logf("stderr: %s", r.stderr)
			if !strings.Contains(r.stderr, "$SYS via "+url) || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr = %q, want the target and %q", r.stderr, tc.want)
			}
			// Failing credentials are answered at once; the bound leaves
			// room for compiling the rules on a busy machine.
			if r.elapsed > 2*time.Second+5*time.Second {
				t.Errorf("took %s with --timeout 2s", r.elapsed)
			}
			for _, secret := range []string{"wrong-password-123", appPass} {
				if strings.Contains(r.stderr+r.stdout, secret) {
					t.Errorf("a password leaked: %q", r.stderr)
				}
			}
		})
	}
}

func TestProbeCredentialsNeverInOutput(t *testing.T) {
	cs := clusterServers(t)
	mon := strings.Replace(monitorURL(cs[0]), "http://", "http://admin:url-secret-9931@", 1)
	srv := strings.Replace(cs[1].ClientURL(), "nats://", "nats://"+sysUser+":"+sysPass+"@", 1)
	dir := t.TempDir()
	args := []string{"probe", mon, "--server", srv, "--format", "markdown=" + filepath.Join(dir, "r.md")}
	r := natsaudit(t, nil, args...)
	if r.code == cli.ExitError {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "r.md"))
	inv, _ := json.Marshal(r.inv)
	for _, secret := range []string{"url-secret-9931", sysPass} {
		for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "markdown": string(md), "inventory": string(inv)} {
			if strings.Contains(out, secret) {
				t.Errorf("%s contains a credential", name)
			}
		}
	}
	if !slices.Equal(r.report.Scan.Servers, []string{"n1", "n2", "n3"}) {
		t.Errorf("servers = %v", r.report.Scan.Servers)
	}
}

// A $SYS answer over --max-response-size is dropped and said so.
func TestSysResponseLimit(t *testing.T) {
	cs := clusterServers(t)
	res, err := probe.Collect(context.Background(), probe.Options{
		Server: cs[0].ClientURL(), Auth: probe.Auth{User: sysUser, Password: sysPass}, Timeout: time.Second, MaxBody: 2048,
	})
	if err != nil {
		t.Fatal(err)
	}
	// varz (a few KiB) is over 2 KiB on every server: nothing is readable.
	if len(res.Snapshots) != 0 || len(res.Failures) == 0 {
		t.Fatalf("snapshots %d, failures %v", len(res.Snapshots), res.Failures)
	}
	var varzFails int
	for _, f := range res.Failures {
		if strings.HasSuffix(f.Target, " VARZ") {
			varzFails++
			if !strings.Contains(f.Err.Error(), "over the 2048-byte limit was dropped") {
				t.Errorf("failure = %v", f)
			}
		}
	}
	if varzFails != 3 {
		t.Errorf("varz failures = %d, want 3: %v", varzFails, res.Failures)
	}
}
