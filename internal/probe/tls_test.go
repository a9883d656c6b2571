package probe_test

import (
	"github.com/natsaudit/natsaudit/internal/natstest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/natsaudit/natsaudit/internal/cli"
)

// tlsFiles are the PEM files of a test PKI.
type tlsFiles struct {
	ca, clientCert, clientKey string
}

// tlsServer is a real nats-server with TLS on the client port and HTTPS
// monitoring, its certificate issued by a test CA and expiring in 10 days.
// With verify, clients must present a certificate of the same CA (the
// monitoring port never asks for one).
func tlsServer(t *testing.T, verify bool) (s *server.Server, files tlsFiles, notAfter time.Time) {
	t.Helper()
	certs, err := natstest.WriteCerts(t.TempDir(), 10*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	notAfter = certs.NotAfter
	files = tlsFiles{ca: certs.CA, clientCert: certs.ClientCert, clientKey: certs.ClientKey}
	certFile, keyFile := certs.ServerCert, certs.ServerKey
	tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: certFile, KeyFile: keyFile, CaFile: files.ca, Verify: verify})
	if err != nil {
		t.Fatal(err)
	}
	s, err = server.NewServer(&server.Options{
		ServerName: "tls", Host: "127.0.0.1", Port: -1, HTTPHost: "127.0.0.1", HTTPSPort: -1,
		TLS: true, TLSVerify: verify, TLSConfig: tc, TLSTimeout: 2, NoLog: true, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("tls server not ready")
	}
	return s, files, notAfter
}

func TestProbeTLS(t *testing.T) {
	s, files, notAfter := tlsServer(t, false)
	ca := files.ca
	u := "https://" + s.MonitorAddr().String()

	t.Run("certificate not trusted", func(t *testing.T) {
		r := natsaudit(t, nil, "probe", u, "--timeout", "2s")
		if r.code != cli.ExitError || !strings.Contains(r.stderr, "probe "+u+": TLS certificate not trusted") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("http:// on the HTTPS port", func(t *testing.T) {
		plain := "http://" + s.MonitorAddr().String()
		r := natsaudit(t, nil, "probe", plain, "--timeout", "2s")
		if r.code != cli.ExitError || !strings.Contains(r.stderr, "is this an HTTPS monitoring port (https_port)? use https://"+s.MonitorAddr().String()) {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("--insecure is loud", func(t *testing.T) {
		r := natsaudit(t, nil, "probe", u, "--insecure")
		if r.code == cli.ExitError {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "WARNING: --insecure") {
			t.Errorf("stderr = %q, want a warning", r.stderr)
		}
		if !slices.ContainsFunc(r.report.Notes, func(n string) bool { return strings.Contains(n, "NOT verified") }) {
			t.Errorf("notes = %v, want the --insecure note", r.report.Notes)
		}
	})
	t.Run("--tlsca", func(t *testing.T) {
		r := natsaudit(t, nil, "probe", u, "--tlsca", ca)
		if r.code == cli.ExitError {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if len(r.inv.Servers) != 1 {
			t.Fatalf("servers = %v", r.report.Scan.Servers)
		}
		srv := r.inv.Servers[0]
		if srv.Live.Varz["tls_required"] != true {
			t.Errorf("varz.tls_required = %v", srv.Live.Varz["tls_required"])
		}
		var found bool
		for _, c := range srv.Certs {
			if c.Path == "live/varz/tls_cert_not_after" {
				found = true
				if c.NotAfterNS != notAfter.UnixNano() {
					t.Errorf("not_after_ns = %d, want %d", c.NotAfterNS, notAfter.UnixNano())
				}
			}
		}
		if !found {
			t.Errorf("certs = %+v, want the live expiry", srv.Certs)
		}
		r.wantFinding(t, "NATS-TLS-014", "server tls")
		if r.has("NATS-TLS-001", "server tls") {
			t.Errorf("NATS-TLS-001 on a server that requires TLS")
		}
	})
	t.Run("$SYS over TLS", func(t *testing.T) {
		nu := strings.Replace(s.ClientURL(), "tls://", "nats://", 1)
		r := natsaudit(t, nil, "probe", "--server", nu, "--timeout", "2s")
		if r.code != cli.ExitError || !strings.Contains(r.stderr, "TLS certificate not trusted") {
			t.Errorf("without --tlsca: exit %d, stderr %q", r.code, r.stderr)
		}
		// Trusted now; anonymous clients land in the global account, which
		// cannot reach $SYS.
		r = natsaudit(t, nil, "probe", "--server", nu, "--tlsca", ca, "--timeout", "2s")
		if r.code != cli.ExitError || !strings.Contains(r.stderr, "not those of a system-account user") {
			t.Errorf("with --tlsca: exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

// Mutual TLS on the client port: --tlscert/--tlskey present the client
// certificate for the $SYS connection.
func TestSysMutualTLS(t *testing.T) {
	s, files, _ := tlsServer(t, true)
	nu := strings.Replace(s.ClientURL(), "tls://", "nats://", 1)
	r := natsaudit(t, nil, "probe", "--server", nu, "--tlsca", files.ca, "--timeout", "2s")
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "$SYS via "+nu+": TLS handshake failed") || !strings.Contains(r.stderr, "--tlscert") {
		t.Errorf("without a client certificate: exit %d, stderr %q", r.code, r.stderr)
	}
	// With it the handshake passes; the anonymous user then lands in the
	// global account, which cannot reach $SYS.
	r = natsaudit(t, nil, "probe", "--server", nu, "--tlsca", files.ca, "--tlscert", files.clientCert, "--tlskey", files.clientKey, "--timeout", "2s")
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "not those of a system-account user") {
		t.Errorf("with a client certificate: exit %d, stderr %q", r.code, r.stderr)
	}
	// A key without its certificate is a usage error.
	r = natsaudit(t, nil, "probe", "--server", nu, "--tlskey", files.clientKey)
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "--tlscert and --tlskey go together") {
		t.Errorf("--tlskey alone: exit %d, stderr %q", r.code, r.stderr)
	}
}
