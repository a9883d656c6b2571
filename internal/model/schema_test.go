package model

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/schema/input-v1.json")

const inputSchemaPath = "../../docs/schema/input-v1.json"

// TestInputSchemaPublished: docs/schema/input-v1.json, what custom rule
// authors read (and can give to their editor or `opa check -s`), is the
// schema the engine compiles rules against.
func TestInputSchemaPublished(t *testing.T) {
	got := InputSchema()
	if *update {
		if err := os.WriteFile(inputSchemaPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(inputSchemaPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: go test ./internal/model -update", inputSchemaPath)
	}
}
