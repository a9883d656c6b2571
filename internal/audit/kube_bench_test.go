package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

// BenchmarkScanKubernetes500: the whole scan (discovery, manifests,
// ConfigMap configs, rules, locations) of a repository of 500 Kubernetes
// manifests; issue 13 asks for under 1 s on the 2-core machine (make bench).
func BenchmarkScanKubernetes500(b *testing.B) {
	dir := b.TempDir()
	if _, err := testgen.GenerateKube(dir, 500); err != nil {
		b.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Inventory.Servers) != 100 {
			b.Fatalf("servers = %d, want 100", len(res.Inventory.Servers))
		}
	}
}

// TestScanKubernetes500: the generated repository is read completely (100
// workloads, their configs from the ConfigMaps, 100 streams, 100 Secrets),
// and the scan time is logged (the 1 s budget is checked by make bench,
// not here: a shared CI machine makes wall-clock assertions flaky).
func TestScanKubernetes500(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	if _, err := testgen.GenerateKube(dir, 500); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("500 manifests scanned in %v", time.Since(start))
	inv := res.Inventory
	withConfig := 0
	for _, s := range inv.Servers {
		if s.ConfigFile != "" && s.Config["cluster"] != nil {
			withConfig++
		}
	}
	if len(inv.Servers) != 100 || withConfig != 100 || len(inv.Streams) != 100 || len(inv.KubeSecrets) != 100 || len(inv.Errors) != 0 {
		t.Errorf("servers %d (with config %d), streams %d, secrets %d, errors %v", len(inv.Servers), withConfig, len(inv.Streams), len(inv.KubeSecrets), inv.Errors)
	}
}
