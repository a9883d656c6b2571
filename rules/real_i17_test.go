package rules_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/natstest"
)

// The premises of NATS-ACC-013/014/015 and NATS-JS-013/014 checked on a
// real nats-server started from the very config the rule judges, and the
// rule checked on a scan of that config: what the finding says happens,
// happens, and the look-alike that works is not reported.

// scanDir scans dir as `natsaudit scan dir` does and returns the findings
// of rule id as "severity: message".
func scanDir(t *testing.T, dir, id string) []string {
	t.Helper()
	res, err := audit.Run(context.Background(), rulesEngine(t), audit.Options{Paths: []string{dir}, Base: dir, Now: time.Now(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range res.Report.Findings {
		if f.RuleID == id {
			out = append(out, string(f.Severity)+": "+f.Message)
		}
	}
	return out
}

func userConn(t *testing.T, s *server.Server, user, pass string) *nats.Conn {
	t.Helper()
	// The refused replies are the point of one test: keep them off stderr.
	quiet := nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {})
	nc, err := nats.Connect(s.ClientURL(), nats.UserInfo(user, pass), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// A responder of an exported service without allow_responses: requests of
// the importing account time out; with allow_responses they are answered.
func TestRealResponderNeedsAllowResponses(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		answered    bool
	}{
		{"no allow_responses", "", false},
		{"allow_responses", ", allow_responses: true", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			conf := `listen: 127.0.0.1:-1
accounts {
  ORDERS {
    users: [{user: responder, password: responder-pass-1, permissions: {publish: ["orders.events.>", "_INBOX.>"], subscribe: ["orders.get"]` + tc.extra + `}}]
    exports: [{service: "orders.get"}]
  }
  SHOP {
    users: [{user: shop, password: shop-pass-12345}]
    imports: [{service: {account: ORDERS, subject: "orders.get"}}]
  }
}
`
			s, err := natstest.StartConf(dir, "nats", conf)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Shutdown)
			rc := userConn(t, s, "responder", "responder-pass-1")
			if _, err := rc.Subscribe("orders.get", func(m *nats.Msg) { _ = m.Respond([]byte("ok")) }); err != nil {
				t.Fatal(err)
			}
			if err := rc.Flush(); err != nil {
				t.Fatal(err)
			}
			sc := userConn(t, s, "shop", "shop-pass-12345")
			_, err = sc.Request("orders.get", nil, 500*time.Millisecond)
			if got := err == nil; got != tc.answered {
				t.Fatalf("answered = %v (%v), want %v", got, err, tc.answered)
			}
			got := scanDir(t, dir, "NATS-ACC-014")
			if want := !tc.answered; (len(got) == 1) != want || (!want && len(got) != 0) {
				t.Fatalf("NATS-ACC-014 = %q, want fired %v", got, want)
			}
		})
	}
}

// An application user publishing into a service imported from the system
// account gets the server's VARZ, which the system account alone may ask.
func TestRealSystemServiceImport(t *testing.T) {
	dir := t.TempDir()
	conf := `listen: 127.0.0.1:-1
system_account: SYS
accounts {
  SYS { users: [{user: sys, password: sys-pass-123456}], exports: [{service: "$SYS.REQ.SERVER.PING.VARZ"}] }
  APP {
    users: [{user: mon, password: mon-pass-1234567, permissions: {publish: ["$SYS.REQ.SERVER.PING.*"], subscribe: ["_INBOX.>"]}}]
    imports: [{service: {account: SYS, subject: "$SYS.REQ.SERVER.PING.VARZ"}}]
  }
}
`
	s, err := natstest.StartConf(dir, "nats", conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	nc := userConn(t, s, "mon", "mon-pass-1234567")
	m, err := nc.Request("$SYS.REQ.SERVER.PING.VARZ", nil, 2*time.Second)
	if err != nil {
		t.Fatalf("VARZ through the import: %v", err)
	}
	if !strings.Contains(string(m.Data), `"server_id"`) {
		t.Fatalf("VARZ through the import: %.200s", m.Data)
	}
	got := scanDir(t, dir, "NATS-ACC-013")
	if len(got) != 1 || !strings.HasPrefix(got[0], "medium: ") || !strings.Contains(got[0], "imported as service $SYS.REQ.SERVER.PING.VARZ") {
		t.Fatalf("NATS-ACC-013 = %q", got)
	}
}

// max_buffered_size no larger than max_payload: a message the server
// accepts is refused by the stream (429) even when its queue is empty.
func TestRealIngestQueueSmallerThanMessage(t *testing.T) {
	dir := t.TempDir()
	conf := `listen: 127.0.0.1:-1
max_payload: 64KB
jetstream { store_dir: "` + filepath.ToSlash(filepath.Join(dir, "js")) + `", max_buffered_size: 16KB }
`
	s, err := natstest.StartConf(dir, "nats", conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"events.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "events.small", make([]byte, 1024)); err != nil {
		t.Fatalf("1 KB: %v", err)
	}
	_, err = js.Publish(ctx, "events.big", make([]byte, 32<<10))
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 429 {
		t.Fatalf("32 KB publish: %v, want 429", err)
	}
	got := scanDir(t, dir, "NATS-JS-013")
	if len(got) != 1 || !strings.Contains(got[0], "(16 KiB) is not larger than max_payload (64 KiB)") {
		t.Fatalf("NATS-JS-013 = %q", got)
	}
}

// A negative max_outstanding_catchup: a clustered nats-server refuses to
// start; a standalone one ignores it (and the rule stays quiet).
func TestRealNegativeCatchup(t *testing.T) {
	for _, clustered := range []bool{true, false} {
		dir := t.TempDir()
		conf := "server_name: n1\nlisten: 127.0.0.1:-1\njetstream { store_dir: \"" + filepath.ToSlash(filepath.Join(dir, "js")) + "\", max_outstanding_catchup: -1 }\n"
		if clustered {
			conf += "cluster { name: c1, listen: 127.0.0.1:-1 }\n"
		}
		s, err := natstest.StartConf(dir, "nats", conf)
		if s != nil {
			s.Shutdown()
		}
		if refused := err != nil && strings.Contains(err.Error(), "catchup"); refused != clustered {
			t.Fatalf("clustered %v: start error %v", clustered, err)
		}
		got := scanDir(t, dir, "NATS-JS-014")
		if (len(got) == 1 && strings.HasPrefix(got[0], "high: ")) != clustered || len(got) > 1 {
			t.Fatalf("clustered %v: NATS-JS-014 = %q", clustered, got)
		}
	}
}

// A leafnode remote's .creds file issued with nats-io/jwt as nsc does:
// reported when the user JWT restricts nothing, not when it has an allow list.
func TestRealLeafnodeCreds(t *testing.T) {
	mk := func(f func() (nkeys.KeyPair, error)) nkeys.KeyPair {
		kp, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return kp
	}
	acc, user := mk(nkeys.CreateAccount), mk(nkeys.CreateUser)
	upub, _ := user.PublicKey()
	seed, _ := user.Seed()
	for _, tc := range []struct {
		name  string
		edit  func(*jwt.UserClaims)
		fired bool
	}{
		{"unrestricted", func(*jwt.UserClaims) {}, true},
		{"allow lists", func(u *jwt.UserClaims) { u.Pub.Allow.Add("site1.>"); u.Sub.Allow.Add("hub.site1.>") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			uc := jwt.NewUserClaims(upub)
			uc.Name = "leaf-site1"
			uc.Expires = time.Now().Add(365 * 24 * time.Hour).Unix()
			tc.edit(uc)
			tok, err := uc.Encode(acc)
			if err != nil {
				t.Fatal(err)
			}
			creds, err := jwt.FormatUserConfig(tok, seed)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			must(t, os.MkdirAll(filepath.Join(dir, "leaf", "creds"), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "leaf", "creds", "hub.creds"), creds, 0o600))
			must(t, os.WriteFile(filepath.Join(dir, "leaf", "nats.conf"), []byte("listen: 127.0.0.1:4222\nleafnodes { remotes: [ { url: \"tls://hub.example.com:7422\", credentials: \"./creds/hub.creds\" } ] }\n"), 0o600))
			got := scanDir(t, dir, "NATS-ACC-015")
			if (len(got) == 1) != tc.fired || len(got) > 1 {
				t.Fatalf("NATS-ACC-015 = %q, want fired %v", got, tc.fired)
			}
			if tc.fired && !strings.Contains(got[0], `leaf/creds/hub.creds (user JWT "leaf-site1")`) {
				t.Errorf("message: %s", got[0])
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
