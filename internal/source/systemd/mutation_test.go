package systemd

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source"
)

// TestContinuationIntoComments: comment lines inside a continued line are
// skipped, as systemd skips them, also when nothing but comments follows
// up to the end of the file: a commented-out flag (`# -DV`) is not an
// argument of the command. The skipping never reads past the last line
// (issue 20, Go mutation testing: the last comment used to become words of
// the command).
func TestContinuationIntoComments(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"[Service]\nExecStart=/usr/bin/nats-server -js \\\n# a\n# -DV", []string{"/usr/bin/nats-server", "-js"}},
		{"[Service]\nExecStart=/usr/bin/nats-server -js \\\n; --user admin", []string{"/usr/bin/nats-server", "-js"}},
		{"[Service]\nExecStart=/usr/bin/nats-server -js \\\n# a\n\n# b\n", []string{"/usr/bin/nats-server", "-js"}},
		{"[Service]\nExecStart=/usr/bin/nats-server -js \\\n# a\n  -m 8222\n", []string{"/usr/bin/nats-server", "-js", "-m", "8222"}},
	} {
		u := parse("u.service", tc.in)
		var got []string
		for _, w := range u.execStart {
			got = append(got, w.value)
		}
		if !slices.Equal(got, tc.want) || u.execLine != 2 {
			t.Errorf("%q: ExecStart %q at line %d, want %q at 2", tc.in, got, u.execLine, tc.want)
		}
	}
}

// TestPrefixWordApart: ExecStart='s prefixes (@-:+!) written as a word of
// their own are not the command: the next word is.
func TestPrefixWordApart(t *testing.T) {
	a, _ := secret.NewAnalyzer(secret.Params{})
	ctx := &source.Context{Secrets: a, Tree: source.NewTree(nil), Read: func(string) ([]byte, error) { return nil, errors.New("no files") }}
	for _, tc := range []struct {
		exec  string
		works bool
	}{
		{"- /usr/bin/nats-server -js", true},
		{"-/usr/bin/nats-server -js", true},
		{"- /bin/true", false},
	} {
		f := source.File{Rel: "nats.service", Kind: Kind, Data: []byte("[Service]\nExecStart=" + tc.exec + "\n")}
		facts := (Source{}).Load(ctx, []source.File{f})
		if got := len(facts.Workloads) == 1; got != tc.works {
			t.Errorf("ExecStart=%s: %d workloads, want one: %v", tc.exec, len(facts.Workloads), tc.works)
			continue
		}
		if tc.works && !slices.Contains(facts.Workloads[0].Server.Deployment.Command, "-js") {
			t.Errorf("ExecStart=%s: command %q", tc.exec, facts.Workloads[0].Server.Deployment.Command)
		}
	}
}

// TestServerName: a unit's server is named by --name, unless the name is
// empty or an unresolved $VAR; else by the unit file's name.
func TestServerName(t *testing.T) {
	a, _ := secret.NewAnalyzer(secret.Params{})
	ctx := &source.Context{Secrets: a, Tree: source.NewTree(nil), Read: func(string) ([]byte, error) { return nil, errors.New("no files") }}
	for _, tc := range []struct{ unit, want string }{
		{"ExecStart=/usr/bin/nats-server --name edge-1", "edge-1"},
		{"Environment=N=edge-2\nExecStart=/usr/bin/nats-server --name ${N}", "edge-2"},
		{"ExecStart=/usr/bin/nats-server --name $UNSET", "nats-a"},
		{"ExecStart=/usr/bin/nats-server --name=", "nats-a"},
		{"ExecStart=/usr/bin/nats-server -js", "nats-a"},
	} {
		f := source.File{Rel: "etc/nats-a.service", Kind: Kind, Data: []byte("[Service]\n" + tc.unit + "\n")}
		facts := (Source{}).Load(ctx, []source.File{f})
		if len(facts.Workloads) != 1 || facts.Workloads[0].Server.Name != tc.want || facts.Workloads[0].Server.Deployment.Service != "nats-a" {
			for _, w := range facts.Workloads {
				t.Errorf("%q: server %q, service %q", tc.unit, w.Server.Name, w.Server.Deployment.Service)
			}
			t.Errorf("%q: %d workloads, want one named %q", tc.unit, len(facts.Workloads), tc.want)
		}
	}
}

// TestRootNote: a unit without User=, or with User=root or 0, runs
// nats-server as root and says so; another user does not.
func TestRootNote(t *testing.T) {
	a, _ := secret.NewAnalyzer(secret.Params{})
	ctx := &source.Context{Secrets: a, Tree: source.NewTree(nil), Read: func(string) ([]byte, error) { return nil, errors.New("no files") }}
	for _, tc := range []struct {
		user string
		root bool
	}{
		{"", true}, {"User=root\n", true}, {"User=0\n", true}, {"User=nats\n", false}, {"User=1000\n", false},
	} {
		f := source.File{Rel: "nats.service", Kind: Kind, Data: []byte("[Service]\n" + tc.user + "ExecStart=/usr/bin/nats-server\n")}
		facts := (Source{}).Load(ctx, []source.File{f})
		got := slices.Contains(facts.Notes, "unit nats.service runs nats-server as root (no User=, or User=root)")
		if got != tc.root || len(facts.Workloads) != 1 {
			t.Errorf("%q: notes %q, want the root note: %v", tc.user, facts.Notes, tc.root)
		}
	}
}

// TestEnvironmentMasking: a secret-named Environment= value is masked in
// its line; a path in a variable named like a path (NATS_CREDS_FILE) or a
// plain setting is not (masking a path by value would rewrite the paths
// of the report).
func TestEnvironmentMasking(t *testing.T) {
	a, _ := secret.NewAnalyzer(secret.Params{})
	ctx := &source.Context{Secrets: a, Tree: source.NewTree(nil), Read: func(string) ([]byte, error) { return nil, errors.New("no files") }}
	unit := "[Service]\nEnvironment=NATS_PASSWORD=Zq8-unit-pass\nEnvironment=NATS_CREDS_FILE=/etc/nats/app.creds\nEnvironment=LOG_LEVEL=verbose-debug\nExecStart=/usr/bin/nats-server\n"
	facts := (Source{}).Load(ctx, []source.File{{Rel: "nats.service", Kind: Kind, Data: []byte(unit)}})
	if len(facts.Workloads) != 1 {
		t.Fatalf("%d workloads", len(facts.Workloads))
	}
	for _, tc := range []struct {
		line       int
		text, keep string
		masked     bool
	}{
		{2, "Environment=NATS_PASSWORD=Zq8-unit-pass", "Zq8-unit-pass", true},
		{3, "Environment=NATS_CREDS_FILE=/etc/nats/app.creds", "/etc/nats/app.creds", false},
		{4, "Environment=LOG_LEVEL=verbose-debug", "verbose-debug", false},
	} {
		got := a.RedactAt("nats.service", tc.line, tc.text)
		if strings.Contains(got, tc.keep) == tc.masked {
			t.Errorf("line %d: %q, want the value masked: %v", tc.line, got, tc.masked)
		}
	}
}
