package cli

import (
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/probe"
)

// Environment variables fill what the live flags leave empty, as the nats
// CLI reads them; NATS_URL selects a target only for probe.
func TestLiveFlagsEnvironment(t *testing.T) {
	env := map[string]string{
		"NATS_URL": "nats://env:4222", "NATS_USER": "envuser", "NATS_PASSWORD": "envpass",
		"NATS_CREDS": "", "NATS_CA": "/env/ca.pem",
	}
	getenv := func(k string) string { return env[k] }

	f := liveFlags{timeout: time.Second}
	if o := f.options(getenv, false); !o.Empty() {
		t.Errorf("scan without live flags probes %+v", o)
	}
	o := f.options(getenv, true)
	want := probe.Auth{User: "envuser", Password: "envpass"}
	if o.Server != "nats://env:4222" || o.Auth != want || o.TLS.CA != "/env/ca.pem" {
		t.Errorf("probe with env only = %+v", o)
	}

	f = liveFlags{urls: []string{"http://a:8222"}}
	if o := f.options(getenv, true); o.Server != "" || o.Auth != (probe.Auth{}) {
		t.Errorf("monitoring URLs given: NATS_URL must not add a $SYS target: %+v", o)
	}

	// Flags win; a creds file replaces user/password from the environment.
	f = liveFlags{server: "nats://flag:4222", creds: "sys.creds"}
	if o := f.options(getenv, false); o.Server != "nats://flag:4222" || o.Auth != (probe.Auth{Creds: "sys.creds"}) {
		t.Errorf("flags = %+v", o)
	}
	// Credentials on the command line: the environment's other methods are
	// not mixed in; only a password for --user comes from NATS_PASSWORD.
	env["NATS_CREDS"] = "env.creds"
	f = liveFlags{server: "nats://flag:4222", user: "u"}
	if o := f.options(getenv, false); o.Auth != (probe.Auth{User: "u", Password: "envpass"}) {
		t.Errorf("--user with env = %+v", o.Auth)
	}
	f = liveFlags{server: "nats://flag:4222", nkey: "sys.nk"}
	if o := f.options(getenv, false); o.Auth != (probe.Auth{NkeyFile: "sys.nk"}) {
		t.Errorf("--nkey with env = %+v", o.Auth)
	}
	f = liveFlags{server: "nats://flag:4222"}
	if o := f.options(getenv, false); o.Auth != (probe.Auth{Creds: "env.creds"}) {
		t.Errorf("env only, NATS_CREDS first = %+v", o.Auth)
	}
}
