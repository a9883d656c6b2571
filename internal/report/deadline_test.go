package report

import (
	"testing"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// The deadlines come from the rules' structured field, never from the
// message: a message that reads like an expiry adds no deadline, a
// deadline whose message says nothing of it is shown, and the days are
// counted from the scan date.
func TestDeadlinesFromStructuredField(t *testing.T) {
	r := &Report{Scan: ScanInfo{Started: "2026-11-23T10:00:00Z"}}
	r.Findings = []Finding{
		{RuleID: "NATS-TLS-014", Severity: finding.High, Message: "certificate expires on 2026-11-30 (in 7 days)"},
		{RuleID: "NATS-TLS-014", Severity: finding.High, Message: "anything", Location: &finding.Location{File: "a.conf", Line: 3},
			Deadline: &finding.Deadline{Date: "2026-12-03", Kind: finding.DeadlineCertExpiry, What: "server certificate a.crt expires"}},
		{RuleID: "NATS-VER-001", Severity: finding.Critical, Message: "affected by 2 advisories: CVE-1 (critical)",
			Deadline: &finding.Deadline{Kind: finding.DeadlineAdvisoryFix, What: "2 advisories apply", Version: "2.15.2"}},
		{RuleID: "NATS-CRED-006", Severity: finding.High, Message: "x",
			Deadline: &finding.Deadline{Date: "2026-11-01", Kind: finding.DeadlineJWTExpiry, What: "user JWT expires"}},
	}
	v := buildView(r, nil)
	type row struct{ when, kind, what, where string }
	var got []row
	for _, d := range v.Deadlines {
		got = append(got, row{d.When(), d.Kind, d.What, d.Where})
	}
	want := []row{
		{"now", "advisory fix", "2 advisories apply; fixed in 2.15.2", "deployment"},
		{"passed on 2026-11-01 (22 days ago)", "JWT expiry", "user JWT expires", "deployment"},
		{"2026-12-03 (in 10 days)", "certificate expiry", "server certificate a.crt expires", "a.conf:3"},
	}
	if len(got) != len(want) {
		t.Fatalf("deadlines = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("deadline %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
