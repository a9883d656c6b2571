package suppress

import (
	"reflect"
	"testing"

	"github.com/natsaudit/natsaudit/internal/report"
)

func TestApplyOverrides(t *testing.T) {
	ovs := []SeverityOverride{
		{Rule: "NATS-STR-*", Severity: "low", Source: "c.yaml:2"},
		{Rule: "NATS-STR-001", Severity: "critical", Source: "c.yaml:3"}, // exact wins over the earlier pattern
		{Rule: "NATS-OPS-*", Severity: "info", Source: "c.yaml:4"},
		{Rule: "NATS-OPS-00*", Severity: "high", Source: "c.yaml:5"}, // a later pattern loses
	}
	fs := []report.Finding{
		{RuleID: "NATS-STR-001", Severity: "high"},
		{RuleID: "NATS-STR-002", Severity: "medium"},
		{RuleID: "NATS-STR-003", Severity: "high"},
		{RuleID: "NATS-OPS-001", Severity: "medium"},
		{RuleID: "NATS-TLS-001", Severity: "critical"},
		{RuleID: "NATS-STR-004", Severity: "low"}, // already low: not counted
	}
	notes := ApplyOverrides(fs, ovs)
	var got []string
	for _, f := range fs {
		got = append(got, string(f.Severity))
	}
	if want := []string{"critical", "low", "low", "info", "critical", "low"}; !reflect.DeepEqual(got, want) {
		t.Errorf("severities = %v, want %v", got, want)
	}
	want := []string{
		"severity override at c.yaml:2: 2 findings of NATS-STR-* shown as low (was high, medium)",
		"severity override at c.yaml:3: 1 finding of NATS-STR-001 shown as critical (was high)",
		"severity override at c.yaml:4: 1 finding of NATS-OPS-* shown as info (was medium)",
	}
	if !reflect.DeepEqual(notes, want) {
		t.Errorf("notes =\n%q\nwant\n%q", notes, want)
	}
	if n := ApplyOverrides(fs, nil); n != nil {
		t.Errorf("no overrides: notes %v", n)
	}
}
