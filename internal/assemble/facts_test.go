package assemble

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

// TestEnvReferenceIsUnknown: KEY=${KEY} in a .env is set from the
// environment at run time (FP-ENV-REFERENCE): its facts are unresolved,
// not an empty value, and a config reading $KEY does not resolve it to "".
func TestEnvReferenceIsUnknown(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"devcontainer.env": "NATS_PASSWORD=${NATS_PASSWORD}\nNATS_TOKEN=$NATS_TOKEN\nNATS_USER=app\nNATS_URL=nats://${NATS_USER}:${NATS_PASSWORD}@h:4222\n",
		"nats.conf":        "port: 4222\nauthorization { user: app, password: $NATS_PASSWORD }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv := build(t, dir)
	if len(inv.EnvFiles) != 1 {
		t.Fatalf("env files: %d", len(inv.EnvFiles))
	}
	vars := inv.EnvFiles[0].Vars
	for _, name := range []string{"NATS_PASSWORD", "NATS_TOKEN", "NATS_URL"} {
		f := vars[name].Facts
		if f.Resolved || f.Empty || f.Origin != "env" {
			t.Errorf("%s: %+v, want unresolved (origin env)", name, f)
		}
	}
	if f := vars["NATS_USER"].Facts; !f.Resolved || f.Origin != "literal" {
		t.Errorf("NATS_USER: %+v", f)
	}
	var srv *model.Server
	for _, s := range inv.Servers {
		if s.ConfigFile == "nats.conf" {
			srv = s
		}
	}
	if srv == nil {
		t.Fatal("no server for nats.conf")
	}
	auth, _ := srv.Config["authorization"].(map[string]any)
	pw, _ := auth["password"].(*model.Secret)
	if pw == nil || pw.Resolved || pw.Empty {
		t.Errorf("config password: %+v, want unresolved", pw)
	}
}
