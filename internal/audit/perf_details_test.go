package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
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
	var b bytes.Buffer
	for _, f := range benchRepoFindings(t) {
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
	checkLineGolden(t, "bench-100.details", "finding details", b.Bytes())
}
