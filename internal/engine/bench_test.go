package engine

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/natsaudit/natsaudit/rules"
)

// Start-up, stage by stage (docs/performance.md): what `natsaudit scan`
// pays before it reads a file, and what `rules list` pays.

// BenchmarkNew is the whole start-up of a scan: the precompiled catalog
// decoded, the compiler's index stages, the queries prepared.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(context.Background(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewFromSources is New without the precompiled catalog
// (rules/catalog.bin): what a scan paid before it, and what it pays when
// the file is stale.
func BenchmarkNewFromSources(b *testing.B) {
	usePrecompiled = false
	defer func() { usePrecompiled = true }()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(context.Background(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadPrecompiled decodes rules/catalog.bin (digest check
// included), before the index stages.
func BenchmarkLoadPrecompiled(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := loadPrecompiled(true); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkNewCatalogOnly is `rules list` / `rules show`: parse and read the
// annotations, no compilation.
func BenchmarkNewCatalogOnly(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(context.Background(), Options{CatalogOnly: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse parses the embedded rules (concurrently, as New does).
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		mods := map[string]*ast.Module{}
		if err := loadFS(rules.FS, ".", "rules", mods, false, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompile compiles the parsed rules.
func BenchmarkCompile(b *testing.B) {
	mods := map[string]*ast.Module{}
	if err := loadFS(rules.FS, ".", "rules", mods, false, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c := ast.NewCompiler().WithCapabilities(Capabilities()).WithEnablePrintStatements(false)
		c.Compile(mods)
		if c.Failed() {
			b.Fatal(c.Errors)
		}
	}
}

// BenchmarkPrepare prepares the per-package queries over compiled rules.
func BenchmarkPrepare(b *testing.B) {
	e, err := New(context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := e.prepare(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkData reads rules/data (advisories and parameters).
func BenchmarkData(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadData(nil); err != nil {
			b.Fatal(err)
		}
	}
}
