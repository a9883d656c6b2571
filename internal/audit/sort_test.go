package audit

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// TestSortFindingsOrder: the keyed sort orders as the plain comparison does
// (severity, file, line, rule, fingerprint), stable for equal keys.
func TestSortFindingsOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var fs []report.Finding
	for i := range 500 {
		f := report.Finding{
			Severity:    finding.Severities[r.IntN(len(finding.Severities))],
			RuleID:      fmt.Sprintf("NATS-X-%03d", r.IntN(5)),
			Fingerprint: fmt.Sprintf("%02d", r.IntN(3)),
			Target:      fmt.Sprintf("server s%d", r.IntN(4)),
			Message:     fmt.Sprint(i), // tells equal-key findings apart
		}
		if r.IntN(4) > 0 {
			f.Location = &report.Location{File: fmt.Sprintf("f%d.conf", r.IntN(3)), Line: r.IntN(120) + 1}
		}
		fs = append(fs, f)
	}
	want := append([]report.Finding(nil), fs...)
	sort.SliceStable(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if ra, rb := finding.SeverityRank(a.Severity), finding.SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if fa, fb := locKey(a), locKey(b); fa != fb {
			return fa < fb
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Fingerprint < b.Fingerprint
	})
	sortFindings(fs)
	if !reflect.DeepEqual(fs, want) {
		t.Fatal("keyed sort differs from the comparison sort")
	}
	// Line 9 before line 10 in the same file.
	a := []report.Finding{{Severity: "high", Location: &report.Location{File: "a", Line: 10}}, {Severity: "high", Location: &report.Location{File: "a", Line: 9}}}
	sortFindings(a)
	if a[0].Location.Line != 9 {
		t.Fatalf("lines sorted as text: %d first", a[0].Location.Line)
	}
}
