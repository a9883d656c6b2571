package rules_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/natstest"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// auditWith collects with the given options and evaluates every rule.
func auditWith(t *testing.T, opt probe.Options) (findings, *probe.Result) {
	t.Helper()
	if opt.Timeout == 0 {
		opt.Timeout = 5 * time.Second
	}
	res, err := probe.Collect(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	inv := &model.Inventory{Scan: model.Scan{NowNS: time.Now().UnixNano()}}
	probe.Merge(inv, res)
	input, err := audit.Input(inv)
	if err != nil {
		t.Fatal(err)
	}
	raws, err := rulesEngine(t).Eval(context.Background(), input)
	if err != nil {
		t.Fatal(err)
	}
	return findings{inv: inv, raws: raws}, res
}

// rawConnect opens a bare client connection (CONNECT, PING, wait for PONG):
// a thousand of them cost far less than a thousand nats.Conn.
func rawConnect(t *testing.T, addr, user, pass string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil { // INFO
		t.Fatal(err)
	}
	fmt.Fprintf(c, "CONNECT {\"user\":%q,\"pass\":%q,\"verbose\":false,\"pedantic\":false,\"name\":\"load\"}\r\nPING\r\n", user, pass)
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "PONG") {
		t.Fatalf("connect as %s: %q %v", user, line, err)
	}
	return c
}

// A 3-node cluster with 1,102 JetStream accounts and 1,101 client
// connections on one server: both lists are longer than one page (1,024),
// so streams of the accounts after the first page, and the connections
// after the first 1,024, are seen only through paging, over HTTP and over
// $SYS alike. The last connection is another user's: NATS-AUTH-004 must
// not claim that every connection uses one user.
func TestLiveManyAccountsAndConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster with 1,102 accounts and 1,101 connections")
	}
	const nAcc, nConn = 1102, 1100
	var accs strings.Builder
	accs.WriteString("accounts {\n  SYS { users: [{user: sys, password: sys-pass-123456}] }\n")
	for i := range nAcc {
		fmt.Fprintf(&accs, "  A%04d { jetstream: { max_memory: 1MB, max_store: 1MB }, users: [{user: u%04d, password: p%04d-123456}] }\n", i, i, i)
	}
	accs.WriteString("}\nsystem_account: SYS\n")
	dir := t.TempDir()
	ports := freeTCPPorts(t, 3)
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	var srv []*server.Server
	for i, p := range ports {
		name := fmt.Sprintf("m%d", i+1)
		conf := fmt.Sprintf("server_name: %s\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\njetstream { store_dir: %q, max_memory_store: 256MB, max_file_store: 1GB }\ncluster { name: many, listen: 127.0.0.1:%d, routes: [%s] }\n%s",
			name, dir+"/"+name, p, strings.Join(routes, ", "), accs.String())
		s, err := startServer(dir, name, conf)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Shutdown)
		srv = append(srv, s)
	}
	waitMeta(t, srv)

	// Streams in accounts on the first page (A0000) and after it (A1030,
	// A1101: accounts are paged by name).
	wantStreams := map[string]bool{}
	for _, i := range []int{0, 1030, nAcc - 1} {
		nc, err := nats.Connect(srv[0].ClientURL(), nats.UserInfo(fmt.Sprintf("u%04d", i), fmt.Sprintf("p%04d-123456", i)))
		if err != nil {
			t.Fatal(err)
		}
		js, _ := jetstream.New(nc)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}, Replicas: 3, MaxBytes: 1024})
		cancel()
		nc.Close()
		if err != nil {
			t.Fatalf("stream in A%04d: %v", i, err)
		}
		wantStreams[fmt.Sprintf("A%04d/S", i)] = true
	}

	addr := srv[0].Addr().String()
	for range nConn {
		rawConnect(t, addr, "u0000", "p0000-123456")
	}
	rawConnect(t, addr, "u0001", "p0001-123456") // the 1,101st: on the second page

	check := func(t *testing.T, f findings, res *probe.Result) {
		got := map[string]bool{}
		for _, st := range f.inv.Streams {
			got[st.Account+"/"+st.Name] = true
		}
		for s := range wantStreams {
			if !got[s] {
				t.Errorf("stream %s not seen (streams: %v)", s, got)
			}
		}
		for _, s := range f.inv.Servers {
			if s.Name != "m1" {
				continue
			}
			n := 0
			users := map[string]int{}
			for _, c := range s.Live.Connz["connections"].([]any) {
				users[c.(map[string]any)["authorized_user"].(string)]++
				n++
			}
			if n < nConn+1 || users["u0001"] != 1 {
				t.Errorf("m1 connz: %d connections, users %v; want all %d", n, users, nConn+1)
			}
			if acc := len(s.Live.Jsz["account_details"].([]any)); acc != nAcc {
				t.Errorf("m1 jsz: %d accounts, want %d", acc, nAcc)
			}
		}
		f.none(t, "NATS-AUTH-004")
		for _, n := range res.Notes {
			if strings.Contains(n, "were read") {
				t.Errorf("unexpected cap note: %s", n)
			}
		}
	}
	var urls []string
	for _, s := range srv {
		urls = append(urls, "http://"+s.MonitorAddr().String())
	}
	t.Run("http", func(t *testing.T) {
		f, res := auditWith(t, probe.Options{URLs: urls})
		if len(res.Failures) > 0 {
			t.Fatalf("failures: %v", res.Failures)
		}
		check(t, f, res)
	})
	t.Run("sys", func(t *testing.T) {
		f, res := auditWith(t, probe.Options{Server: srv[1].ClientURL(), Auth: probe.Auth{User: "sys", Password: "sys-pass-123456"}})
		if len(res.Failures) > 0 {
			t.Fatalf("failures: %v", res.Failures)
		}
		check(t, f, res)
	})
	t.Run("cap", func(t *testing.T) {
		// A cap below the connections: the note says so, and AUTH-004 (all
		// of the first 1,000 are u0000's) does not claim "all connections".
		f, res := auditWith(t, probe.Options{URLs: urls[:1], MaxPaged: 1000})
		var note string
		for _, n := range res.Notes {
			if strings.Contains(n, "server m1: /connz lists") {
				note = n
			}
		}
		if !strings.Contains(note, "1000 were read (the cap is 1000 per server)") {
			t.Errorf("no cap note for connz: %q", res.Notes)
		}
		for _, r := range f.get("NATS-AUTH-004", "server m1") {
			if strings.Contains(r.Msg, "all ") {
				t.Errorf("AUTH-004 claims all connections from a capped list: %s", r.Msg)
			}
		}
	})
}

func startServer(dir, name, conf string) (*server.Server, error) {
	return natstest.StartConf(dir, name, conf)
}

// waitMeta waits until every server sees the JetStream meta leader.
func waitMeta(t *testing.T, srv []*server.Server) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok := true
		for _, s := range srv {
			ok = ok && s.JetStreamIsCurrent()
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no JetStream meta leader")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// natsaudit's own $SYS connection is not one of the server's clients: a
// server at 8 of max_connections 10 is at 80% over $SYS as over HTTP (it was
// 90%, high, over $SYS).
func TestLiveSysExcludesOwnConnection(t *testing.T) {
	s := startConf(t, "own", "server_name: own\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nmax_connections: 10\n"+
		"accounts { APP { users: [{user: app, password: app-pass-123456}] }, SYS { users: [{user: sys, password: sys-pass-123456}] } }\nsystem_account: SYS\n")
	for range 8 {
		rawConnect(t, s.Addr().String(), "app", "app-pass-123456")
	}
	for _, tc := range []struct {
		name string
		opt  probe.Options
	}{
		{"http", probe.Options{URLs: []string{"http://" + s.MonitorAddr().String()}}},
		{"sys", probe.Options{Server: s.ClientURL(), Auth: probe.Auth{User: "sys", Password: "sys-pass-123456"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, res := auditWith(t, tc.opt)
			if len(res.Failures) > 0 {
				t.Fatalf("failures: %v", res.Failures)
			}
			f.want(t, "NATS-LIM-003", "server own", "medium")
			if got := f.get("NATS-LIM-003", "server own"); len(got) == 1 && !strings.Contains(got[0].Msg, "has 8 of max_connections 10") {
				t.Errorf("LIM-003: %s", got[0].Msg)
			}
			for _, c := range f.inv.Servers[0].Live.Connz["connections"].([]any) {
				if c.(map[string]any)["name"] == "natsaudit" {
					t.Errorf("natsaudit's own connection in connz: %v", c)
				}
			}
		})
	}
}
