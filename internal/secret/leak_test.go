package secret

import (
	"strings"
	"testing"
)

// TestRedactLineCommandForms: every way compose (and a Dockerfile, a shell
// script) writes a nats-server command line masks what nats-server takes
// as a secret, however short: exec-form lists, unquoted flow lists, strings,
// -flag=value, single dashes, quoted values with spaces, and a line cut
// short by a YAML error. Variable references and -c stay readable.
func TestRedactLineCommandForms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`command: ["--user","admin","--pass","s3cr"]`, `command: ["--user","****","--pass","****"]`},
		{`command: ["--user", "admin", "--pass", "s3cr", "--routes", "nats://ru:rp@n2:6222"]`,
			`command: ["--user", "****", "--pass", "****", "--routes", "nats://ru:****@n2:6222"]`},
		{`    command: [--pass, s3cr, -js]`, `    command: [--pass, ****, -js]`},
		{`command: ['--auth', 'tk1']`, `command: ['--auth', '****']`},
		{`entrypoint: ["nats-server", "-pass", "Qz9"]`, `entrypoint: ["nats-server", "-pass", "****"]`},
		{`CMD ["nats-server","--auth","tk1"]`, `CMD ["nats-server","--auth","****"]`},
		{`command: ["--user","admin","--pass","s3cr"`, `command: ["--user","****","--pass","****"`},
		{`command: ["--pass=s3cr", "-js"]`, `command: ["--pass=****", "-js"]`},
		{`command: nats-server --pass=xq9 --auth tok9`, `command: nats-server --pass=**** --auth ****`},
		{`command: "nats-server --user u --pass s3cr -js"`, `command: "nats-server --user **** --pass **** -js"`},
		{`nats-server --pass 's3 cr' -js`, `nats-server --pass '****' -js`},
		{`command: ["--pass", "s3 cr", "-js"]`, `command: ["--pass", "****", "-js"]`},
		{`command: nats-server --routes nats://tok3n@n2:6222,nats://u:pw@n3:6222`, `command: nats-server --routes nats://****@n2:6222,nats://u:****@n3:6222`},
		{`command: ["--cluster", "nats://cu:c1@0.0.0.0:6222"]`, `command: ["--cluster", "nats://cu:****@0.0.0.0:6222"]`},
		{`command: ["--cluster_listen=nats://tk@0.0.0.0:6222"]`, `command: ["--cluster_listen=nats://****@0.0.0.0:6222"]`},
		{`- --pass=s3cr`, `- --pass=****`},
		{`command: ["-c", "/etc/nats/nats.conf", "--name", "n1"]`, `command: ["-c", "/etc/nats/nats.conf", "--name", "n1"]`},
		{`command: ["--pass", "$NATS_PASSWORD", "--auth", "${TOKEN}"]`, `command: ["--pass", "$NATS_PASSWORD", "--auth", "${TOKEN}"]`},
		{`command: --pass=`, `command: --pass=`},
		{`command: ["--pass", "$$literal"]`, `command: ["--pass", "****"]`},
		{`authorization { user: app, password: x }`, `authorization { user: app, password: **** }`},
		{`NATS_PASSWORD={s3cr}`, `NATS_PASSWORD=****}`},
	} {
		got := RedactLine(tc.in)
		if got != tc.want {
			t.Errorf("RedactLine(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// TestValuesInLineCommandForms: the values a command line holds are found
// for messages that quote them without their flag.
func TestValuesInLineCommandForms(t *testing.T) {
	got := strings.Join(ValuesInLine(`command: ["--user","admin","--pass","s3cr","--routes","nats://tk@h:6222"]`), ",")
	for _, want := range []string{"admin", "s3cr", "tk"} {
		if !strings.Contains(","+got+",", ","+want+",") {
			t.Errorf("ValuesInLine = %q, want %q in it", got, want)
		}
	}
}

// TestRedactKeepsPathsAndWords: a password that is also a path component or
// an ordinary word masks that word where it stands alone, never a piece of
// a path or of a longer word: the report keeps pointing at its files
// (docker/ssl/certs/****-server.key pointed nowhere).
func TestRedactKeepsPathsAndWords(t *testing.T) {
	a, err := NewAnalyzer(Params{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"docker", "server", "results", "findings", "prod-server", "critical"} {
		a.Remember(v)
	}
	for in, want := range map[string]string{
		"docker/ssl/certs/prod-server.key":       "docker/ssl/certs/prod-server.key",
		"cert_file: docker/ssl/certs/server.pem": "cert_file: docker/ssl/certs/server.pem",
		"config/docker-nats.conf:3":              "config/docker-nats.conf:3",
		"dockerd and nats-server":                "dockerd and nats-server",
		"criticality":                            "criticality",
		"password: docker":                       "password: ****",
		`password: "results"`:                    `password: "****"`,
		"the password is server.":                "the password is ****.",
		"--pass=prod-server -js":                 "--pass=**** -js",
		"u:findings@host":                        "u:****@host",
	} {
		if got := a.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	// Long values are masked anywhere, even inside a path.
	a.Remember("Xk29-long-random-value")
	if got := a.Redact("hooks/Xk29-long-random-value/x"); got != "hooks/****/x" {
		t.Errorf("long value in a path: %q", got)
	}
}

// TestMaskURLTokensAnyLength: the credentials of URLs are masked whatever
// their length, including a NATS URL's bare token; an HTTP user name is
// not a credential.
func TestMaskURLTokensAnyLength(t *testing.T) {
	for in, want := range map[string]string{
		`"url": "nats://a:b@h:4222"`:          `"url": "nats://a:****@h:4222"`,
		`"url": "nats://:b@h:4222"`:           `"url": "nats://:****@h:4222"`,
		`"urls": ["nats://tk@h:6222"]`:        `"urls": ["nats://****@h:6222"]`,
		`tls://t0k@h:4222 ws://x@h wss://y@h`: `tls://****@h:4222 ws://****@h wss://****@h`,
		`nats-leaf://lt@hub:7422`:             `nats-leaf://****@hub:7422`,
		`http://admin@h:8222`:                 `http://admin@h:8222`,
	} {
		if got := RedactLine(in); got != want {
			t.Errorf("RedactLine(%s) = %s, want %s", in, got, want)
		}
	}
}
