package compliance_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/compliance"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
)

func catalog(t *testing.T) map[string]*engine.Rule {
	t.Helper()
	eng, err := engine.New(context.Background(), engine.Options{CatalogOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*engine.Rule{}
	for _, r := range eng.Rules() {
		out[r.ID] = r
	}
	return out
}

// TestMappingsMatchTheCatalog: a mapping that names a rule the catalog
// lacks (renamed, a typo) would report a control as not evaluated forever;
// a security rule with no NIST control would be invisible in the framework
// most audits start from.
func TestMappingsMatchTheCatalog(t *testing.T) {
	fws, err := compliance.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(fws) != len(compliance.Names) {
		t.Fatalf("loaded %d frameworks, want %d", len(fws), len(compliance.Names))
	}
	cat := catalog(t)
	for _, fw := range fws {
		for _, c := range fw.Controls {
			for _, id := range c.Rules {
				if cat[id] == nil {
					t.Errorf("%s %s maps %s, which is not in the catalog", fw.ID, c.ID, id)
				}
			}
		}
	}
	nist := fws[0].ControlsOf()
	if fws[0].ID != "nist-800-53" {
		t.Fatalf("first framework is %s", fws[0].ID)
	}
	security := 0
	for id, r := range cat {
		if r.Category != finding.Security {
			continue
		}
		security++
		if len(nist[id]) == 0 {
			t.Errorf("security rule %s (%s) maps to no NIST SP 800-53 control", id, r.Title)
		}
	}
	if security < 50 {
		t.Errorf("only %d security rules in the catalog: the test is not looking at the real catalog", security)
	}
}

func TestParseRejectsMalformedMappings(t *testing.T) {
	head := "framework: nist-800-53\nname: NIST SP 800-53\nversion: Rev. 5\n"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"enhancement", head + "controls:\n  - {id: SC-8(1), title: x, rules: [NATS-TLS-001]}\n", `control ID "SC-8(1)" is not well-formed`},
		{"lowercase", head + "controls:\n  - {id: sc-8, title: x, rules: [NATS-TLS-001]}\n", `control ID "sc-8"`},
		{"duplicate control", head + "controls:\n  - {id: SC-8, title: x, rules: [NATS-TLS-001]}\n  - {id: SC-8, title: y, rules: [NATS-TLS-002]}\n", "control SC-8 listed twice"},
		{"no title", head + "controls:\n  - {id: SC-8, rules: [NATS-TLS-001]}\n", "has no title"},
		{"no rules", head + "controls:\n  - {id: SC-8, title: x}\n", "maps no rule"},
		{"bad rule id", head + "controls:\n  - {id: SC-8, title: x, rules: [TLS-001]}\n", `rule ID "TLS-001"`},
		{"rule twice", head + "controls:\n  - {id: SC-8, title: x, rules: [NATS-TLS-001, NATS-TLS-001]}\n", "lists NATS-TLS-001 twice"},
		{"unknown key", head + "controls:\n  - {id: SC-8, title: x, rule: [NATS-TLS-001]}\n", "field rule not found"},
		{"unknown framework", "framework: iso-27001\nname: x\nversion: \"1\"\ncontrols: []\n", `unknown framework "iso-27001"`},
		{"no version", "framework: soc2\nname: x\ncontrols:\n  - {id: CC6.1, title: x, rules: [NATS-TLS-001]}\n", "name and version are required"},
		{"cis shape", "framework: cis-v8\nname: x\nversion: v8\ncontrols:\n  - {id: \"19.1\", title: x, rules: [NATS-TLS-001]}\n", `control ID "19.1"`},
		{"pci shape", "framework: pci-dss-4\nname: x\nversion: \"4.0\"\ncontrols:\n  - {id: \"8.3\", title: x, rules: [NATS-TLS-001]}\n", `control ID "8.3"`},
		{"soc2 shape", "framework: soc2\nname: x\nversion: \"2017\"\ncontrols:\n  - {id: CC6, title: x, rules: [NATS-TLS-001]}\n", `control ID "CC6"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compliance.Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestEmbeddedControlIDsAreUniqueAndWellFormed(t *testing.T) {
	// Load checks both; this pins that it does so on the shipped files.
	fws, err := compliance.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range fws {
		seen := map[string]bool{}
		for _, c := range fw.Controls {
			if seen[c.ID] {
				t.Errorf("%s: %s twice", fw.ID, c.ID)
			}
			seen[c.ID] = true
		}
		if len(seen) < 5 {
			t.Errorf("%s maps only %d controls", fw.ID, len(seen))
		}
	}
}

func TestEvaluate(t *testing.T) {
	fw := &compliance.Framework{ID: "nist-800-53", Name: "NIST", Version: "Rev. 5", Controls: []compliance.Control{
		{ID: "SC-8", Title: "Transmission", Rules: []string{"NATS-TLS-001", "NATS-TLS-004"}},
		{ID: "SI-2", Title: "Flaw Remediation", Rules: []string{"NATS-VER-001", "NATS-VER-004"}},
		{ID: "SI-4", Title: "System Monitoring", Rules: []string{"NATS-NET-004"}},
		{ID: "IA-5", Title: "Authenticators", Rules: []string{"NATS-CRED-001"}},
	}}
	rules := []compliance.RuleState{
		{ID: "NATS-TLS-001", Evaluated: true}, {ID: "NATS-TLS-004", Evaluated: true},
		{ID: "NATS-VER-001", Evaluated: true}, {ID: "NATS-VER-004", Evaluated: false},
		{ID: "NATS-NET-004", Evaluated: false}, {ID: "NATS-CRED-001", Evaluated: true},
	}
	findings := []finding.Finding{
		{RuleID: "NATS-TLS-004", Fingerprint: "bbb"},
		{RuleID: "NATS-TLS-001", Fingerprint: "aaa"},
		{RuleID: "NATS-TLS-001", Fingerprint: "aaa"}, // same fingerprint twice: listed once
	}
	suppressed := []finding.Finding{{RuleID: "NATS-CRED-001", Fingerprint: "ccc"}}
	got := fw.Evaluate(rules, findings, suppressed)
	want := compliance.Result{Framework: "nist-800-53", Name: "NIST", Version: "Rev. 5",
		Summary: compliance.Summary{Pass: 2, Fail: 1, NotEvaluated: 1},
		Controls: []compliance.ControlResult{
			{ID: "SC-8", Title: "Transmission", Status: "fail", Rules: []string{"NATS-TLS-001", "NATS-TLS-004"}, RulesNotEvaluated: []string{}, Findings: []string{"aaa", "bbb"}, Suppressed: []string{}},
			{ID: "SI-2", Title: "Flaw Remediation", Status: "pass", Rules: []string{"NATS-VER-001", "NATS-VER-004"}, RulesNotEvaluated: []string{"NATS-VER-004"}, Findings: []string{}, Suppressed: []string{}},
			{ID: "SI-4", Title: "System Monitoring", Status: "not_evaluated", Rules: []string{"NATS-NET-004"}, RulesNotEvaluated: []string{"NATS-NET-004"}, Findings: []string{}, Suppressed: []string{}},
			// A suppressed finding is an accepted risk: shown, not failing.
			{ID: "IA-5", Title: "Authenticators", Status: "pass", Rules: []string{"NATS-CRED-001"}, RulesNotEvaluated: []string{}, Findings: []string{}, Suppressed: []string{"ccc"}},
		}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Evaluate:\n got %+v\nwant %+v", got, want)
	}
}

func TestSelect(t *testing.T) {
	fws, err := compliance.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		names []string
		want  []string
		err   string
	}{
		{names: []string{"soc2", "nist-800-53", "soc2"}, want: []string{"nist-800-53", "soc2"}},
		{names: []string{"pci-dss-4", "cis-v8"}, want: []string{"cis-v8", "pci-dss-4"}},
		{names: []string{"nist"}, err: `unknown compliance framework "nist" (want one of nist-800-53, cis-v8, soc2, pci-dss-4)`},
	} {
		got, err := compliance.Select(fws, tc.names)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Select(%v) error %v, want %q", tc.names, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, fw := range got {
			ids = append(ids, fw.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("Select(%v) = %v, want %v", tc.names, ids, tc.want)
		}
	}
}
