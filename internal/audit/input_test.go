package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

// reference is the conversion Input used before it had its own decoder.
func reference(t *testing.T, b []byte) ast.Value {
	t.Helper()
	v, err := ast.ValueFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func sameValue(t *testing.T, what string, b []byte) {
	t.Helper()
	got, err := jsonValue(b)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	want := reference(t, b)
	if got.Compare(want) != 0 {
		t.Fatalf("%s: converted value differs from ast.ValueFromReader's:\n got %s\nwant %s", what, trim(got.String()), trim(want.String()))
	}
	// Same hash too: sets and object keys are found by it.
	if got.Hash() != want.Hash() {
		t.Fatalf("%s: hash %d, ast.ValueFromReader's %d", what, got.Hash(), want.Hash())
	}
}

func trim(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// TestJSONValueMatchesOPA: the direct conversion gives the value OPA's own
// JSON path gives, for real inventories and for JSON written to be awkward.
func TestJSONValueMatchesOPA(t *testing.T) {
	cases := map[string]string{
		"scalars":        `[true, false, null, 0, -0, 1, -1, 3.25, 1e3, -2.5E-7, 18446744073709551615, 123456789012345678901234567890]`,
		"strings":        `["", "plain", "tab\tnew\nline", "quote \" backslash \\ slash \/", "\u003chtml\u003e \u0026", "é ü 日本 🙂", "\ud83d\ude00", "line\u2028sep", "\u0000nul"]`,
		"nesting":        `{"a": {"b": [{"c": []}, {}], "d": {"e": {"f": [1, [2, [3]]]}}}, "z": [], "y": {}}`,
		"duplicate keys": `{"a": 1, "a": 2}`,
		"whitespace":     " \n\t{ \"a\" : [ 1 , 2 ] , \"b\" : { } }\r\n ",
		"key escapes":    `{"a\"b": 1, "\u00e9": 2, "é": 3}`,
	}
	for name, src := range cases {
		sameValue(t, name, []byte(src))
	}
	// Invalid UTF-8 that json.Marshal would never write: still converted as
	// encoding/json reads it (replacement characters).
	sameValue(t, "invalid utf-8", []byte("[\"a\xffb\"]"))

	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gen := t.TempDir()
	if _, err := testgen.Generate(gen, testgen.Options{Services: 10, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"../../testdata/repos/sahool", gen} {
		res, err := Run(context.Background(), eng, Options{Paths: []string{dir}, Base: dir, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(res.Inventory)
		if err != nil {
			t.Fatal(err)
		}
		sameValue(t, dir, b)
	}
	// A live inventory: documents with 2^64-1 reservations and HTML-ish
	// strings, the values most likely to be mangled.
	inv := &model.Inventory{Servers: []*model.Server{{Name: "n<1>&", Live: &model.Live{Endpoint: "http://127.0.0.1:8222",
		Varz: map[string]any{"jetstream": map[string]any{"config": map[string]any{"max_memory": json.Number("18446744073709551615")}}}}}}}
	v, err := Input(inv)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(inv)
	if v.Compare(reference(t, b)) != 0 {
		t.Fatal("live inventory converted differently")
	}
	if !strings.Contains(v.String(), "18446744073709551615") {
		t.Fatalf("2^64-1 did not survive: %s", trim(v.String()))
	}
}

func TestJSONValueRejectsBadJSON(t *testing.T) {
	for _, src := range []string{``, `{`, `[1,]`, `{"a" 1}`, `{"a":1,}`, `"unterminated`, `tru`, `nul`, `01x`, `-`, `1.`, `[1] 2`, `{1: 2}`, "\"a\x01b\"", `[` + strings.Repeat("[", maxDepth+1)} {
		if _, err := jsonValue([]byte(src)); err == nil {
			t.Errorf("%q: converted without an error", src)
		}
	}
}

func BenchmarkJSONValue(b *testing.B) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	dir, _ := testgen.ForBench(b, 1000)
	res, err := Run(context.Background(), eng, Options{Paths: []string{dir}, Base: dir})
	if err != nil {
		b.Fatal(err)
	}
	data, _ := json.Marshal(res.Inventory)
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jsonValue(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ValueFromReader", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ast.ValueFromReader(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
