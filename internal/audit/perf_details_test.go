package audit_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

// TestBenchRepoDetailsUnchanged completes TestBenchRepoFindingsUnchanged:
// what a rule computes besides the message (a remediation written for the
// case, as NATS-VER-001's workarounds, NATS-STR-004's free room and
// NATS-JS-012's shrink target are; the deadline; the fix diff; the servers
// a merged finding covers; the snippet) must not change either when the
// rules are made faster. One line per finding, in report order: its
// fingerprint and a digest of those fields (testdata/bench-100.details;
// regenerate with -update and review why it changed).
func TestBenchRepoDetailsUnchanged(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := testgen.ForBench(t, 100)
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, f := range res.Report.Findings {
		d, err := json.Marshal(struct {
			Remediation, FixDiff, Snippet string
			Deadline                      any
			Servers                       []string
		}{f.Remediation, f.FixDiff, f.Snippet, f.Deadline, f.Servers})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %x\n", f.Fingerprint, f.RuleID, sha256.Sum256(d))
	}
	got := b.Bytes()
	golden := filepath.Join("testdata", "bench-100.details")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(g), len(w)); i++ {
			var gl, wl string
			if i < len(g) {
				gl = g[i]
			}
			if i < len(w) {
				wl = w[i]
			}
			if gl != wl {
				t.Fatalf("finding details differ from %s (%d lines, want %d); first difference at line %d:\n got: %s\nwant: %s", golden, len(g), len(w), i+1, gl, wl)
			}
		}
	}
}
