package rules_test

import (
	"crypto/tls"
	"crypto/x509"
	"github.com/natsaudit/natsaudit/internal/natstest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// The live security rules against real nats-servers probed over HTTP: what
// /varz and /connz really say (omitted false booleans, empty listener
// objects, the implicit no-auth user, mixed TLS and plaintext connections).
// Every listener is on loopback, so the exposure rules must stay quiet.

// startConf starts a nats-server from a config text.
func startConf(t *testing.T, name, conf string) *server.Server {
	t.Helper()
	s, err := natstest.StartConf(t.TempDir(), name, conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

// writeCert writes a CA-signed server certificate for 127.0.0.1 that
// expires after validFor, and returns the cert, key and CA paths.
func writeCert(t *testing.T, validFor time.Duration) (certFile, keyFile, caFile string) {
	t.Helper()
	c, err := natstest.WriteCerts(t.TempDir(), validFor)
	if err != nil {
		t.Fatal(err)
	}
	return c.ServerCert, c.ServerKey, c.CA
}

func connect(t *testing.T, url string, opts ...nats.Option) {
	t.Helper()
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
}

// An open server: no auth, no TLS, WebSocket without TLS, MQTT (which needs
// JetStream), a leafnode listener without auth.
func TestLiveOpenServer(t *testing.T) {
	s := startConf(t, "open", `
server_name: open-1
listen: 127.0.0.1:-1
http: 127.0.0.1:-1
jetstream { store_dir: "`+filepath.ToSlash(t.TempDir())+`" }
websocket { listen: 127.0.0.1:-1, no_tls: true }
mqtt { listen: 127.0.0.1:-1 }
leafnodes { listen: 127.0.0.1:-1 }
`)
	connect(t, s.ClientURL())
	f := auditLive(t, s)
	const target = "server open-1"
	f.want(t, "NATS-AUTH-001", target, "low")   // no auth_required; loopback, so only local processes
	f.want(t, "NATS-TLS-007", target, "medium") // no_tls, loopback only
	f.want(t, "NATS-TLS-008", target, "medium") // 2.15: no mqtt.tls_cert_not_after
	for _, id := range []string{
		"NATS-NET-001", "NATS-NET-003", "NATS-TLS-013", // all on loopback
		"NATS-TLS-001",                                                 // plaintext client port, but on loopback
		"NATS-TLS-004",                                                 // leafnode listener on loopback
		"NATS-VER-001", "NATS-VER-002", "NATS-VER-003", "NATS-VER-004", // 2.15.2 built with a current Go
		"NATS-TLS-002", "NATS-TLS-014", "NATS-NET-004",
	} {
		f.none(t, id)
	}
}

// accounts{} with only the system account and no authorization block: the
// server adds a hidden no-auth user, which /connz reveals although /varz says
// auth_required.
func TestLiveImplicitNoAuthUser(t *testing.T) {
	s := startConf(t, "implicit", `
server_name: implicit-1
listen: 127.0.0.1:-1
http: 127.0.0.1:-1
accounts { SYS { users: [{user: admin, password: "s3cure-admin-pass-1"}] } }
system_account: SYS
`)
	connect(t, s.ClientURL()) // no credentials, and it gets in
	f := auditLive(t, s)
	f.want(t, "NATS-AUTH-003", "server implicit-1", "")
	f.none(t, "NATS-AUTH-001") // varz says auth_required: the trap the rule is about
}

// TLS configured with verify but optional (allow_non_tls), one shared user,
// and a certificate that expires in 10 days.
func TestLiveOptionalTLSServer(t *testing.T) {
	certFile, keyFile, caFile := writeCert(t, 10*24*time.Hour)
	s := startConf(t, "optional", `
server_name: optional-1
listen: 127.0.0.1:-1
http: 127.0.0.1:-1
tls { cert_file: "`+filepath.ToSlash(certFile)+`", key_file: "`+filepath.ToSlash(keyFile)+`", ca_file: "`+filepath.ToSlash(caFile)+`", verify: true }
allow_non_tls: true
authorization { user: app, password: "one-shared-password-for-all" }
`)
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool.AppendCertsFromPEM(caPEM)
	clientCert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	tlsConf := &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{clientCert}, MaxVersion: tls.VersionTLS12}
	url := "nats://" + s.Addr().String() // ClientURL says tls:// once TLS is configured
	connect(t, url, nats.UserInfo("app", "one-shared-password-for-all"))
	connect(t, url, nats.UserInfo("app", "one-shared-password-for-all"))
	connect(t, url, nats.UserInfo("app", "one-shared-password-for-all"), nats.Secure(tlsConf))

	f := auditLive(t, s)
	const target = "server optional-1"
	f.want(t, "NATS-TLS-002", target, "")     // tls_verify set, tls_required omitted, plaintext connections
	f.want(t, "NATS-TLS-014", target, "high") // expires in 10 days
	f.want(t, "NATS-TLS-011", target, "")     // the TLS client negotiated 1.2
	f.want(t, "NATS-AUTH-004", target, "")    // three connections, one user
	f.none(t, "NATS-TLS-001")
	f.none(t, "NATS-TLS-003") // verify: true shows as tls_verify
	f.none(t, "NATS-AUTH-001")
}
