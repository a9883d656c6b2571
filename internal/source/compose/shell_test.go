package compose

import (
	"strings"
	"testing"
)

// TestShellScriptCommand: a service whose command runs a shell script
// (`sh -c "nats-server -c …; sleep 5"`, a shape common in compose files
// that wait for or follow the server) runs the script's nats-server
// command, cut at the first control operator, with the script's line as
// its location; so does a shell entrypoint with a one-word command, its
// script. Before, the whole script was read as the value of the
// shell's -c and taken for nats-server's config path
// ("/nats-server -c /etc/nats/x.conf; sleep 5"), so the mounted config was
// reported as not in the scanned tree and not evaluated.
func TestShellScriptCommand(t *testing.T) {
	for _, tc := range []struct {
		svc, config, command string
		line                 int
	}{
		{`    command: ["sh", "-c", "nats-server -c /etc/nats/x.conf; sleep 5"]`, "/etc/nats/x.conf", "nats-server -c /etc/nats/x.conf", 4},
		{`    command: sh -c "exec nats-server --config /etc/nats/y.conf && echo done"`, "/etc/nats/y.conf", "nats-server --config /etc/nats/y.conf", 4},
		{`    command: ["/bin/bash", "-e", "-c", "sleep 2\nnats-server -js -c /etc/nats/z.conf\n"]`, "/etc/nats/z.conf", "nats-server -js -c /etc/nats/z.conf", 4},
		{"    entrypoint: [sh, -c]\n    command: [\"nats-server -c /etc/nats/w.conf|tee /log\"]", "/etc/nats/w.conf", "nats-server -c /etc/nats/w.conf", 5},
	} {
		p := Load([]Input{{Rel: "compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.10.24-alpine\n" + tc.svc + "\n")}}, Options{})
		if len(p.Services) != 1 {
			t.Fatalf("%q: %d services", tc.svc, len(p.Services))
		}
		s := p.Services[0]
		if !s.IsNATS || s.Deployment.ConfigPath != tc.config || strings.Join(s.Deployment.Command, " ") != tc.command {
			t.Errorf("%q: NATS %v, config %q, command %q; want config %q, command %q", tc.svc, s.IsNATS, s.Deployment.ConfigPath, s.Deployment.Command, tc.config, tc.command)
		}
		if got := s.Locs["deployment/command"]; got.Line != tc.line {
			t.Errorf("%q: command at %+v, want line %d", tc.svc, got, tc.line)
		}
	}
}
