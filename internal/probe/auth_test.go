package probe_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/natsaudit/natsaudit/internal/cli"
	"github.com/natsaudit/natsaudit/internal/natstest"
)

func startConfServer(t *testing.T, name, conf string) *server.Server {
	t.Helper()
	s, err := natstest.StartConf(t.TempDir(), name, conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// noSecret fails when any output of the run holds the secret.
func noSecret(t *testing.T, r *run, secret string) {
	t.Helper()
	for what, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "inventory": string(r.invJSON)} {
		if strings.Contains(out, secret) {
			t.Errorf("the secret is in %s", what)
		}
	}
}

// --creds against a real operator-mode server: the system account's user
// reads the server; another account's user, a user of an unknown
// operator and a broken file each get a clear error, never the seed.
func TestSysCredsOperatorMode(t *testing.T) {
	op, err := natstest.NewOperator(t.TempDir(), natstest.AppLimits{Conn: -1, Subs: -1, Streams: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := startConfServer(t, "opmode", "server_name: opmode\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\n"+op.Config)
	sysSeed, err := natstest.SeedOf(op.SysCreds)
	if err != nil {
		t.Fatal(err)
	}
	other, err := natstest.NewOperator(t.TempDir(), natstest.AppLimits{})
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "broken.creds")
	if err := os.WriteFile(broken, []byte("-----BEGIN NATS USER JWT-----\nnot-a-jwt\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n"+sysSeed+"\n------END USER NKEY SEED------\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	expired, err := op.AppUser("late", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // JWT expiry has a resolution of seconds

	r := natsaudit(t, nil, "probe", "--server", s.ClientURL(), "--creds", op.SysCreds, "--timeout", "3s")
	if r.code == cli.ExitError || len(r.inv.Servers) != 1 || r.inv.Servers[0].Name != "opmode" || len(r.report.Errors) > 0 {
		t.Fatalf("system account creds: exit %d, servers %d, errors %v, stderr %q", r.code, len(r.inv.Servers), r.report.Errors, r.stderr)
	}
	noSecret(t, r, sysSeed)

	// The same through NATS_CREDS.
	r = natsaudit(t, map[string]string{"NATS_CREDS": op.SysCreds}, "probe", "--server", s.ClientURL(), "--timeout", "3s")
	if r.code == cli.ExitError || len(r.inv.Servers) != 1 {
		t.Errorf("NATS_CREDS: exit %d, stderr %q", r.code, r.stderr)
	}

	for _, tc := range []struct {
		name, creds, want string
	}{
		{"another account's user", op.AppCreds, "not those of a system-account user"},
		{"unknown operator", other.SysCreds, "authentication failed"},
		{"broken creds file", broken, "--creds " + broken + ": the JWT in the file is not a valid user JWT"},
		{"expired user JWT", expired, "the user JWT expired on"},
		{"missing creds file", filepath.Join(t.TempDir(), "none.creds"), "none.creds: cannot read it: no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := natsaudit(t, nil, "probe", "--server", s.ClientURL(), "--creds", tc.creds, "--timeout", "3s")
			if r.code != cli.ExitError || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", r.code, r.stderr, tc.want)
			}
			noSecret(t, r, sysSeed)
			if seed, err := natstest.SeedOf(tc.creds); err == nil {
				noSecret(t, r, seed)
			}
		})
	}
}

// --nkey with a config-mode system account user identified by its nkey.
func TestSysNkey(t *testing.T) {
	dir := t.TempDir()
	seedFile, pub, err := natstest.NkeyUser(dir, "sys")
	if err != nil {
		t.Fatal(err)
	}
	strangerFile, _, err := natstest.NkeyUser(dir, "stranger")
	if err != nil {
		t.Fatal(err)
	}
	s := startConfServer(t, "nk", "server_name: nk\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\n"+
		"accounts { SYS { users: [{nkey: "+pub+"}] }, APP { users: [{user: app, password: app-pass-123456}] } }\nsystem_account: SYS\n")
	seed := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	garbage := filepath.Join(dir, "garbage.nk")
	if err := os.WriteFile(garbage, []byte("SUnot-a-seed-but-secret-looking-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	r := natsaudit(t, nil, "probe", "--server", s.ClientURL(), "--nkey", seedFile, "--timeout", "3s")
	if r.code == cli.ExitError || len(r.inv.Servers) != 1 || len(r.report.Errors) > 0 {
		t.Fatalf("--nkey: exit %d, errors %v, stderr %q", r.code, r.report.Errors, r.stderr)
	}
	noSecret(t, r, seed(seedFile))
	r = natsaudit(t, map[string]string{"NATS_NKEY": seedFile}, "probe", "--server", s.ClientURL(), "--timeout", "3s")
	if r.code == cli.ExitError || len(r.inv.Servers) != 1 {
		t.Errorf("NATS_NKEY: exit %d, stderr %q", r.code, r.stderr)
	}

	for _, tc := range []struct {
		name, file, want string
	}{
		{"unknown nkey", strangerFile, "authentication failed"},
		{"not a seed", garbage, "--nkey " + garbage},
		{"missing file", filepath.Join(dir, "none.nk"), "--nkey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := natsaudit(t, nil, "probe", "--server", s.ClientURL(), "--nkey", tc.file, "--timeout", "3s")
			if r.code != cli.ExitError || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", r.code, r.stderr, tc.want)
			}
			noSecret(t, r, seed(seedFile))
			if b, err := os.ReadFile(tc.file); err == nil {
				noSecret(t, r, strings.TrimSpace(string(b)))
			}
		})
	}
}

// $SYS over mutual TLS with a custom CA, all the way: the client
// certificate and the CA let the system user in, and the server is read.
func TestSysMutualTLSWithSystemUser(t *testing.T) {
	certs, err := natstest.WriteCerts(t.TempDir(), 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s := startConfServer(t, "mtls", "server_name: mtls\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\n"+
		"tls { cert_file: \""+certs.ServerCert+"\", key_file: \""+certs.ServerKey+"\", ca_file: \""+certs.CA+"\", verify: true, timeout: 2 }\n"+
		"accounts { SYS { users: [{user: sys, password: sys-pass-123456}] } }\nsystem_account: SYS\n")
	u := strings.Replace(s.ClientURL(), "tls://", "nats://", 1)
	env := map[string]string{"NATS_PASSWORD": "sys-pass-123456"}
	r := natsaudit(t, env, "probe", "--server", u, "--user", "sys", "--tlsca", certs.CA, "--tlscert", certs.ClientCert, "--tlskey", certs.ClientKey, "--timeout", "3s")
	if r.code == cli.ExitError || len(r.inv.Servers) != 1 || len(r.report.Errors) > 0 {
		t.Fatalf("mutual TLS: exit %d, errors %v, stderr %q", r.code, r.report.Errors, r.stderr)
	}
	if r.inv.Servers[0].Live.Varz["tls_verify"] != true {
		t.Errorf("varz.tls_verify = %v", r.inv.Servers[0].Live.Varz["tls_verify"])
	}
	noSecret(t, r, "sys-pass-123456")
	// The same through NATS_CA / NATS_CERT / NATS_KEY.
	env = map[string]string{"NATS_PASSWORD": "sys-pass-123456", "NATS_CA": certs.CA, "NATS_CERT": certs.ClientCert, "NATS_KEY": certs.ClientKey}
	r = natsaudit(t, env, "probe", "--server", u, "--user", "sys", "--timeout", "3s")
	if r.code == cli.ExitError || len(r.inv.Servers) != 1 {
		t.Errorf("NATS_CA/CERT/KEY: exit %d, stderr %q", r.code, r.stderr)
	}
	// A CA that did not sign the server's certificate.
	other, err := natstest.WriteCerts(t.TempDir(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r = natsaudit(t, env, "probe", "--server", u, "--user", "sys", "--tlsca", other.CA, "--tlscert", certs.ClientCert, "--tlskey", certs.ClientKey, "--timeout", "3s")
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "TLS certificate not trusted") || !strings.Contains(r.stderr, "--tlsca") {
		t.Errorf("wrong CA: exit %d, stderr %q", r.code, r.stderr)
	}
	// A client certificate of another CA: the server ends the handshake.
	r = natsaudit(t, env, "probe", "--server", u, "--user", "sys", "--tlsca", certs.CA, "--tlscert", other.ClientCert, "--tlskey", other.ClientKey, "--timeout", "3s")
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "TLS handshake failed") {
		t.Errorf("client certificate of another CA: exit %d, stderr %q", r.code, r.stderr)
	}
	noSecret(t, r, "sys-pass-123456")
}

// --js-creds reaches an account's API through a NATS connection: without
// --server it is a usage error, not silently ignored.
func TestJSCredsNeedsServer(t *testing.T) {
	r := natsaudit(t, nil, "probe", "http://127.0.0.1:1", "--js-creds", filepath.Join(t.TempDir(), "app.creds"))
	if r.code != cli.ExitError || !strings.Contains(r.stderr, "--js-creds needs --server") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
