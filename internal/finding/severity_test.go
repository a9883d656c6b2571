package finding

import "testing"

func TestSeverityTable(t *testing.T) {
	for _, tc := range []struct {
		sev                    Severity
		rank                   int
		level, secSev, problem string
	}{
		{Critical, 4, "error", "9.5", "error"},
		{High, 3, "error", "8.0", "error"},
		{Medium, 2, "warning", "5.5", "warning"},
		{Low, 1, "note", "3.0", "recommendation"},
		{Info, 0, "note", "", "recommendation"},
		{"urgent", -1, "note", "", ""},
	} {
		if got := tc.sev.Rank(); got != tc.rank {
			t.Errorf("%s: rank %d, want %d", tc.sev, got, tc.rank)
		}
		if got := SeverityRank(string(tc.sev)); got != tc.rank {
			t.Errorf("%s: SeverityRank %d, want %d", tc.sev, got, tc.rank)
		}
		if got := tc.sev.SARIFLevel(); got != tc.level {
			t.Errorf("%s: level %q, want %q", tc.sev, got, tc.level)
		}
		if got := tc.sev.SecuritySeverity(); got != tc.secSev {
			t.Errorf("%s: security-severity %q, want %q", tc.sev, got, tc.secSev)
		}
		if got := tc.sev.ProblemSeverity(); got != tc.problem {
			t.Errorf("%s: problem.severity %q, want %q", tc.sev, got, tc.problem)
		}
		if tc.sev.Valid() != (tc.rank >= 0) {
			t.Errorf("%s: Valid %v", tc.sev, tc.sev.Valid())
		}
	}
	if !Security.Valid() || Category("speed").Valid() {
		t.Error("Category.Valid")
	}
}
