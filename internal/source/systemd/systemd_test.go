package systemd

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source"
)

func TestContent(t *testing.T) {
	for _, tc := range []struct {
		unit string
		want string
	}{
		{"[Service]\nExecStart=/usr/bin/nats-server -c /etc/nats.conf\n", Kind},
		{"[Service]\nExecStart=-/usr/local/bin/nats-server \\\n  --js\n", Kind},
		{"[Service]\nExecStart=nats-server\n", Kind},
		{"[Service]\nExecStart=/usr/bin/nats-streaming-server -m 8222\n", ""},
		{"[Service]\nExecStart=/usr/bin/nats sub foo\n", ""},
		{"[Service]\nExecStart=/usr/bin/redis-server\n# nats-server\n", ""},
	} {
		if got := (Source{}).Content("x.service", []byte(tc.unit), false); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.unit, got, tc.want)
		}
	}
}

// The fixture's unit: flags (continued on the next line) at their lines,
// the -c path, Environment= and EnvironmentFile= (found by its host path)
// as the workload's environment, secrets of Environment= remembered.
func TestLoad(t *testing.T) {
	dir := "testdata/salt-formula"
	var tree []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			tree = append(tree, filepath.ToSlash(rel))
		}
		return err
	})
	slices.Sort(tree)
	a, _ := secret.NewAnalyzer(secret.Params{})
	ctx := &source.Context{Secrets: a, Tree: source.NewTree(tree), Read: func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, rel)) }}
	var files []source.File
	for _, rel := range []string{"nats/files/nats-edge.service", "nats/files/nats.service"} {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, source.File{Rel: rel, Kind: Kind, Data: data})
	}
	facts := (Source{}).Load(ctx, files)
	if len(facts.Workloads) != 2 || len(facts.Read) != 2 {
		t.Fatalf("%d workloads, %d files, want 2 of each", len(facts.Workloads), len(facts.Read))
	}
	edge, main := facts.Workloads[0], facts.Workloads[1]

	if main.ConfigPath != "/etc/nats/nats.conf" || !main.HostPaths {
		t.Errorf("config path %q (host paths %v)", main.ConfigPath, main.HostPaths)
	}
	if js, _ := main.FlagConfig["jetstream"].(map[string]any); js["store_dir"] != "/var/lib/nats/jetstream" {
		t.Errorf("jetstream from flags: %v", main.FlagConfig)
	}
	for path, line := range map[string]int{"config/jetstream/store_dir": 12, "config/jetstream/enabled": 11} {
		if l := main.FlagLocs[path]; l.File != "nats/files/nats.service" || l.Line != line {
			t.Errorf("%s at %v, want line %d", path, l, line)
		}
	}
	if l := main.Server.Locs["deployment"]; l.Line != 11 {
		t.Errorf("deployment at %v, want the ExecStart line 11", l)
	}
	if v := main.Env["NATS_SERVER_NAME"]; v.Value != "salt-nats-1" || v.File != "nats/files/default/nats" {
		t.Errorf("NATS_SERVER_NAME from the EnvironmentFile: %+v", v)
	}
	if v := main.Env["NATS_LOG"]; v.Value != "/var/log/nats/nats.log" || v.File != "nats/files/nats.service" {
		t.Errorf("NATS_LOG from Environment=: %+v", v)
	}
	d := main.Server.Deployment
	if d.Kind != "systemd" || d.Service != "nats" || !slices.Equal(d.EnvFiles, []string{"nats/files/default/nats"}) {
		t.Errorf("deployment %+v", d)
	}

	// The edge unit: ${VAR}s of ExecStart expanded from Environment=,
	// the password a secret fact, masked in the command and at its lines.
	if edge.ConfigPath != "" || edge.Server.Name != "nats-edge" {
		t.Errorf("edge: config %q, name %q", edge.ConfigPath, edge.Server.Name)
	}
	auth, _ := edge.FlagConfig["authorization"].(map[string]any)
	if auth["user"] != "edge" {
		t.Errorf("edge authorization from flags: %v", auth)
	}
	if p, ok := auth["password"].(*model.Secret); !ok || p.Placeholder {
		t.Errorf("edge password: %#v", auth["password"])
	}
	for _, w := range edge.Server.Deployment.Command {
		if w == "edge-pass-2024" {
			t.Errorf("command shows the password: %v", edge.Server.Deployment.Command)
		}
	}
	if got := a.RedactAt("nats/files/nats-edge.service", 6, `Environment="NATS_USER=edge" "NATS_PASS=edge-pass-2024"`); got == `Environment="NATS_USER=edge" "NATS_PASS=edge-pass-2024"` {
		t.Errorf("the Environment= line is quoted as is: %s", got)
	}
}

// ExecStart= words: quotes, escapes, prefixes, a reset by an empty
// ExecStart=, sections other than [Service] ignored.
func TestParse(t *testing.T) {
	u := parse("u.service", "[Unit]\nExecStart=/bin/false\n[Service]\nExecStart=/bin/true\nExecStart=\nExecStart=@-/usr/bin/nats-server \"--name=a b\" 'x y' \\\n # comment\n  -p\\ 1\n")
	var got []string
	for _, w := range u.execStart {
		got = append(got, w.value)
	}
	want := []string{"/usr/bin/nats-server", "--name=a b", "x y", "-p 1"}
	if !slices.Equal(got, want) || u.execLine != 6 || u.execStart[3].line != 8 {
		t.Errorf("ExecStart %q at %d (last word line %d), want %q at 6, 8", got, u.execLine, u.execStart[len(u.execStart)-1].line, want)
	}
}
