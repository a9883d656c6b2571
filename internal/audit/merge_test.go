package audit

import (
	"reflect"
	"testing"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// TestMergeShared: findings of a rule at one file and line about several
// servers become one, naming the servers; its fingerprint is the one of the
// server first by name; ScoreCount is set only when severities differ.
func TestMergeShared(t *testing.T) {
	at := func(file string, line int) *report.Location { return &report.Location{File: file, Line: line} }
	srv := func(rule, sev, name string, loc *report.Location) report.Finding {
		return report.Finding{RuleID: rule, Severity: finding.Severity(sev), Location: loc, Target: "server " + name, TargetKind: "server",
			TargetName: name, Path: "config/debug", Fingerprint: Fingerprint(rule, loc.File, "server "+name, "config/debug")}
	}
	other := srv("R-1", "medium", "a", at("c.conf", 1))
	other.Path, other.Message, other.Fingerprint = "config/cluster/routes/0", "another value on the line", "fp-other"
	tests := []struct {
		name        string
		in          []report.Finding
		wantLen     int
		wantServers [][]string
		wantTarget  []string
		wantFP      []string
		wantCount   []int
	}{
		{
			name:        "shared include: one finding",
			in:          []report.Finding{srv("R-1", "medium", "nats-2", at("c.conf", 1)), srv("R-1", "medium", "nats-1", at("c.conf", 1)), srv("R-1", "medium", "nats-3", at("c.conf", 1))},
			wantLen:     1,
			wantServers: [][]string{{"nats-1", "nats-2", "nats-3"}},
			wantTarget:  []string{"server nats-1"},
			wantFP:      []string{Fingerprint("R-1", "c.conf", "server nats-1", "config/debug")},
			wantCount:   []int{0},
		},
		{
			name:        "severity depends on the server: counts per server, the worst speaks",
			in:          []report.Finding{srv("R-1", "high", "nats-2", at("c.conf", 1)), srv("R-1", "medium", "nats-1", at("c.conf", 1))},
			wantLen:     1,
			wantServers: [][]string{{"nats-1", "nats-2"}},
			wantTarget:  []string{"server nats-2"},
			wantFP:      []string{Fingerprint("R-1", "c.conf", "server nats-1", "config/debug")},
			wantCount:   []int{2},
		},
		{
			name:        "one server twice at one line (another value) stays two",
			in:          []report.Finding{srv("R-1", "medium", "a", at("c.conf", 1)), func() report.Finding { f := srv("R-1", "medium", "a", at("c.conf", 1)); f.Message = "again"; return f }()},
			wantLen:     2,
			wantServers: [][]string{nil, nil},
			wantTarget:  []string{"server a", "server a"},
			wantFP:      []string{Fingerprint("R-1", "c.conf", "server a", "config/debug"), Fingerprint("R-1", "c.conf", "server a", "config/debug")},
			wantCount:   []int{0, 0},
		},
		{
			name:        "other lines, paths, rules and non-servers stay apart",
			in:          []report.Finding{srv("R-1", "medium", "a", at("c.conf", 1)), srv("R-1", "medium", "b", at("c.conf", 2)), srv("R-2", "medium", "c", at("c.conf", 1)), {RuleID: "R-1", Severity: "medium", Location: at("c.conf", 1), TargetKind: "stream", TargetName: "S"}, other},
			wantLen:     5,
			wantServers: [][]string{nil, nil, nil, nil, nil},
			wantTarget:  []string{"server a", "server b", "server c", "", "server a"},
			wantFP:      []string{Fingerprint("R-1", "c.conf", "server a", "config/debug"), Fingerprint("R-1", "c.conf", "server b", "config/debug"), Fingerprint("R-2", "c.conf", "server c", "config/debug"), "", "fp-other"},
			wantCount:   []int{0, 0, 0, 0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mergeShared(append([]report.Finding{}, tt.in...))
			if len(out) != tt.wantLen {
				t.Fatalf("got %d findings, want %d: %+v", len(out), tt.wantLen, out)
			}
			for i, f := range out {
				if !reflect.DeepEqual(f.Servers, tt.wantServers[i]) || f.Target != tt.wantTarget[i] || f.Fingerprint != tt.wantFP[i] || f.ScoreCount != tt.wantCount[i] {
					t.Errorf("finding %d: servers %v target %q fp %s count %d; want %v %q %s %d",
						i, f.Servers, f.Target, f.Fingerprint, f.ScoreCount, tt.wantServers[i], tt.wantTarget[i], tt.wantFP[i], tt.wantCount[i])
				}
			}
		})
	}
}
