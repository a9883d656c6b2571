package testgen

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
)

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministicAndPrefixStable(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	sa, err := Generate(a, Options{Services: 12, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(b, Options{Services: 12, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(c, Options{Services: 30, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	ta, tb, tc := readTree(t, a), readTree(t, b), readTree(t, c)
	if len(ta) != sa.Files || len(ta) != len(tb) {
		t.Fatalf("files: stats say %d, tree a has %d, tree b %d", sa.Files, len(ta), len(tb))
	}
	for p, data := range ta {
		if !bytes.Equal(data, tb[p]) {
			t.Errorf("%s differs between two runs with the same seed", p)
		}
		// Service i is the same whatever the size, so the curve's sizes
		// are supersets of each other.
		if !bytes.Equal(data, tc[p]) {
			t.Errorf("%s differs between a 12- and a 30-service repo", p)
		}
	}
	d := t.TempDir()
	if _, err := Generate(d, Options{Services: 12, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	same := 0
	for p, data := range readTree(t, d) {
		if bytes.Equal(data, ta[p]) {
			same++
		}
	}
	if same == len(ta) {
		t.Error("another seed gave the same repository")
	}
}

// TestScanMatchesStats scans a generated repo: every config is parsed
// without errors, every compose service becomes a server, and the mix of
// settings gives findings in every category the generator aims at.
func TestScanMatchesStats(t *testing.T) {
	dir := t.TempDir()
	st, err := Generate(dir, Options{Services: 25, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eng, err := engine.New(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := audit.Run(ctx, eng, audit.Options{Paths: []string{dir}, Base: dir, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	inv := res.Inventory
	if len(inv.Errors) != 0 {
		t.Fatalf("generated files do not parse: %+v", inv.Errors)
	}
	if len(inv.Servers) != st.Servers || len(inv.Streams) != st.Streams || len(inv.Consumers) != st.Consumers {
		t.Fatalf("inventory has %d servers, %d streams, %d consumers; generator wrote %d, %d, %d",
			len(inv.Servers), len(inv.Streams), len(inv.Consumers), st.Servers, st.Streams, st.Consumers)
	}
	for _, s := range inv.Servers {
		if s.ConfigFile == "" || s.Deployment == nil {
			t.Fatalf("server %s: config %q, deployment %v: the compose mount was not linked to the nats.conf", s.Name, s.ConfigFile, s.Deployment)
		}
	}
	byCat := map[string]int{}
	for _, f := range res.Report.Findings {
		byCat[string(f.Category)]++
	}
	for _, c := range []string{"security", "reliability", "operations"} {
		if byCat[c] == 0 {
			t.Errorf("no %s finding on a generated repo: the mix of settings lost its bad half (%v)", c, byCat)
		}
	}
	// Not every server is bad: the good half of the mix exists too.
	bad := map[string]bool{}
	for _, f := range res.Report.Findings {
		if f.RuleID == "NATS-TLS-001" {
			bad[f.TargetName] = true
		}
	}
	if len(bad) == 0 || len(bad) == len(inv.Servers) {
		t.Errorf("NATS-TLS-001 on %d of %d servers: want a mix", len(bad), len(inv.Servers))
	}
}

func TestNegativeSize(t *testing.T) {
	if _, err := Generate(t.TempDir(), Options{Services: -1}); err == nil {
		t.Fatal("want an error for a negative size")
	}
}
