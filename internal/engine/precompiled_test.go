package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"maps"
	"reflect"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/natsaudit/natsaudit/rules"
)

// TestPrecompiledUpToDate: rules/catalog.bin is what tools/rulescompile
// writes from the embedded sources now. When it fails: `go generate ./rules`
// (until then natsaudit ignores the stale file and compiles the sources).
func TestPrecompiledUpToDate(t *testing.T) {
	want, err := Precompile()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rules.Precompiled, want) {
		t.Fatal("rules/catalog.bin is stale: run `go generate ./rules` (or `go run ./tools/rulescompile`)")
	}
	if _, ok, err := loadPrecompiled(true); !ok || err != nil {
		t.Fatalf("the committed catalog.bin is not used: ok=%v, %v", ok, err)
	}
}

// TestPrecompiledModulesAreTheCompiledOnes: the modules read back from
// catalog.bin are those a compile of the sources gives, node for node
// (written again they are the same bytes: values, locations with their
// texts, flags), they print the same, and compiling them with only the
// index stages changes none of them. Annotations are not kept: the catalog
// is stored on its own and the compiled rules hold their rego.metadata
// values.
func TestPrecompiledModulesAreTheCompiledOnes(t *testing.T) {
	c, _, err := compileBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	sources, err := builtinSources()
	if err != nil {
		t.Fatal(err)
	}
	p, ok, err := loadPrecompiled(true)
	if !ok || err != nil {
		t.Fatalf("catalog.bin not loaded: ok=%v, %v", ok, err)
	}
	fresh, err := encodeModules(c.Modules, c.RewrittenVars, sources)
	if err != nil {
		t.Fatal(err)
	}
	again, err := encodeModules(p.modules, p.rewritten, sources)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, again) {
		t.Error("the decoded modules encode differently from the compiled ones")
	}
	if !maps.Equal(c.RewrittenVars, p.rewritten) || len(p.rewritten) == 0 {
		t.Errorf("rewritten variables: %d decoded, %d compiled", len(p.rewritten), len(c.RewrittenVars))
	}
	pc, err := compilePrecompiled(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(pc.Modules) != len(c.Modules) || len(c.Modules) == 0 {
		t.Fatalf("%d modules precompiled, %d compiled", len(pc.Modules), len(c.Modules))
	}
	for name, m := range c.Modules {
		got, ok := pc.Modules[name]
		if !ok {
			t.Fatalf("%s: missing from the precompiled catalog", name)
		}
		m = m.Copy()
		m.Annotations = nil
		ast.WalkRules(m, func(r *ast.Rule) bool {
			r.Annotations = nil
			return false
		})
		if m.Compare(got) != 0 || m.String() != got.String() {
			t.Errorf("%s: the precompiled module differs from the compiled one:\n%s\n----\n%s", name, m, got)
		}
	}
	// And the catalog is the one read from the sources' METADATA.
	usePrecompiled = false
	slow, err := New(context.Background(), Options{CatalogOnly: true})
	usePrecompiled = true
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(slow.Rules(), p.catalog) {
		t.Error("the precompiled catalog differs from the METADATA's")
	}
}

// TestStalePrecompiledIsIgnored: a catalog.bin built from other sources
// (a rule edited without `go generate`), or a damaged one, is not used: New
// compiles the sources instead, with the same catalog.
func TestStalePrecompiledIsIgnored(t *testing.T) {
	orig := rules.Precompiled
	defer func() { rules.Precompiled = orig }()
	want, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	stale := bytes.Clone(orig)
	stale[len(precompiledMagic)] ^= 1 // the digest
	damaged := bytes.Clone(orig[:len(orig)-1000])
	for name, b := range map[string][]byte{"stale": stale, "damaged": damaged, "missing": nil} {
		rules.Precompiled = b
		_, ok, _ := loadPrecompiled(true)
		if ok && name != "damaged" {
			t.Errorf("%s: used", name)
		}
		e, err := New(context.Background(), Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(e.Rules(), want.Rules()) || len(e.queries) != len(want.queries) {
			t.Errorf("%s: another catalog or other packages", name)
		}
	}
	rules.Precompiled = damaged
	if _, _, err := loadPrecompiled(true); err == nil {
		t.Error("a truncated catalog.bin decoded without an error")
	}
}

// TestDecoderUintIsUvarint: the decoder's fast paths for one- to
// three-byte numbers read what its general path (binary.Uvarint) reads,
// canonical or not, and a truncated number is an error either way.
func TestDecoderUintIsUvarint(t *testing.T) {
	var inputs [][]byte
	for _, n := range []uint64{0, 1, 127, 128, 255, 300, 16383, 16384, 1<<21 - 1, 1 << 21, 1<<28 + 5} {
		inputs = append(inputs, binary.AppendUvarint(nil, n))
	}
	inputs = append(inputs, []byte{0x80, 0x00}, []byte{0xff, 0x80, 0x00}, []byte{0x80}, []byte{0xff, 0xff}, []byte{0xff, 0xff, 0xff}, nil)
	for _, in := range inputs {
		for _, tail := range [][]byte{nil, {7}} {
			fast := &astDecoder{in: append(bytes.Clone(in), tail...)}
			slow := &astDecoder{in: append(bytes.Clone(in), tail...)}
			got, want := fast.uint(), slow.uvarint()
			if got != want || (fast.err == nil) != (slow.err == nil) || len(fast.in) != len(slow.in) {
				t.Errorf("% x + % x: %d (%v, %d bytes left), want %d (%v, %d left)", in, tail, got, fast.err, len(fast.in), want, slow.err, len(slow.in))
			}
		}
	}
	if d := (&astDecoder{in: []byte{0xff, 0xff}}); d.uint() != 0 || d.err == nil {
		t.Error("a truncated number read without an error")
	}
}
