package systemd_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
)

// The seam proven end to end: a repository of systemd units, registered by
// one line, is audited by the existing rules through the neutral model —
// the unit is a server, its -c config is the repository's nats.conf
// (linked by path, not a server of its own), the flags override it.
func TestRulesFireOnUnits(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := "testdata/salt-formula"
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	inv := res.Inventory
	servers := map[string]string{}
	for _, s := range inv.Servers {
		servers[s.Name] = s.ConfigFile
	}
	want := map[string]string{"salt-nats-1": "nats/files/nats.conf", "nats-edge": ""}
	if fmt.Sprint(servers) != fmt.Sprint(want) {
		t.Fatalf("servers (name: config) %v, want %v", servers, want)
	}
	for _, s := range inv.Servers {
		if s.Deployment == nil || s.Deployment.Kind != "systemd" {
			t.Errorf("%s: deployment %+v", s.Name, s.Deployment)
		}
		if s.Name == "salt-nats-1" {
			js, _ := s.Config["jetstream"].(map[string]any)
			if js["enabled"] != true || js["store_dir"] != "/var/lib/nats/jetstream" {
				t.Errorf("JetStream from the unit's flags over the config: %v", s.Config["jetstream"])
			}
		}
	}
	got := map[string]bool{}
	for _, f := range res.Report.Findings {
		if f.Location != nil {
			got[fmt.Sprintf("%s %s:%d", f.RuleID, f.Location.File, f.Location.Line)] = true
		}
	}
	for _, w := range []string{
		"NATS-AUTH-001 nats/files/nats.conf:3",        // no authentication: the config's listener
		"NATS-TLS-001 nats/files/nats.conf:3",         // no TLS
		"NATS-TLS-001 nats/files/nats-edge.service:7", // the edge unit's -a/-p
	} {
		if !got[w] {
			t.Errorf("missing %s", w)
		}
	}
	// A unit's store is on the host's file system: not lost with a
	// container (NATS-DOC-001 is about containers' stores).
	for k := range got {
		if strings.HasPrefix(k, "NATS-DOC-001 ") {
			t.Errorf("%s: a host's store reported as a container's", k)
		}
	}
	if t.Failed() {
		for k := range got {
			t.Log(k)
		}
	}
}

// A unit's # comments carry inline ignores, as its source says.
func TestInlineIgnoreInUnit(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unit := "[Service]\n# natsaudit:ignore NATS-TLS-001 reason=\"TLS at the load balancer\"\nExecStart=/usr/bin/nats-server -p 4222 --user a --pass b-long-password\n"
	if err := os.WriteFile(filepath.Join(dir, "nats.service"), []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Report.Findings {
		if f.RuleID == "NATS-TLS-001" {
			t.Errorf("not suppressed: %s at %v", f.RuleID, f.Location)
		}
	}
	suppressed := false
	for _, s := range res.Report.Suppressed {
		suppressed = suppressed || s.RuleID == "NATS-TLS-001"
	}
	if !suppressed {
		t.Error("NATS-TLS-001 not among the suppressed findings")
	}
}
