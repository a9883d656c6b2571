package audit_test

import (
	"context"
	"fmt"
	"github.com/natsaudit/natsaudit/internal/config"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

var now = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func scan(t *testing.T, eng *engine.Engine, dir string) *report.Report {
	t.Helper()
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now, Version: "test", ComposeProjects: composeProjects(t, dir)})
	if err != nil {
		t.Fatal(err)
	}
	return res.Report
}

// composeProjects are the compose projects the repository's .natsaudit.yaml
// declares, as the CLI reads them.
func composeProjects(t *testing.T, dir string) [][]string {
	t.Helper()
	p := config.Find(dir)
	if p == "" {
		return nil
	}
	c, err := config.Load(p, ".natsaudit.yaml", safefile.NewRoot(dir).ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	return c.ComposeProjects
}

// TestExampleRepos checks the acceptance: each problem of the example
// platform is reported at the right file and line, and the hardened variant
// reports nothing high or critical and scores higher.
func TestExampleRepos(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := scan(t, eng, "../../testdata/repos/sahool")
	got := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Location != nil {
			got[fmt.Sprintf("%s %s:%d", f.RuleID, f.Location.File, f.Location.Line)] = true
		}
	}
	want := []string{
		"NATS-TLS-002 config/nats/nats.conf:37",             // TLS present, not enforced
		"NATS-CRED-002 config/nats/nats.conf:60",            // monitor user's default password
		"NATS-CRED-002 config/base.env:5",                   // placeholder password
		"NATS-CRED-002 config/base.env:7",                   // placeholder admin password
		"NATS-AUTH-005 config/nats/nats.conf:45",            // admin user with > everywhere
		"NATS-OPS-001 config/nats/nats.conf:9",              // debug: true
		"NATS-CLU-001 config/nats/nats.conf:22",             // JetStream on one node
		"NATS-AUTH-007 config/nats/nats.conf:1",             // no system account: top of the file
		"NATS-VER-001 docker-compose.yml:5",                 // nats:2.10.24-alpine
		"NATS-VER-002 docker-compose.yml:5",                 // EOL series
		"NATS-DOC-003 docker-compose.yml:12",                // 4222 on all interfaces
		"NATS-JS-007 docker-compose.prod.yml:8",             // 512M < max_memory_store 1GB
		"NATS-STR-006 jetstream/streams/sahool-dlq.json:11", // DLQ discard old
		"NATS-STR-004 jetstream/streams/sahool-events.yaml:7",
		"NATS-CON-001 jetstream/consumers/billing-worker.json:3",
		"NATS-TLS-014 config/nats/nats.conf:30",                        // cert expires 2026-12-10
		"NATS-TLS-016 config/certs/nats/server.key:1",                  // private key committed
		"NATS-OPS-005 config/nats/nats-test.conf:4",                    // parse error; the scan goes on
		"NATS-STR-009 jetstream/streams/sahool-events.yaml:8",          // SAHOOL_AUDIT inside SAHOOL_EVENTS
		"NATS-STR-015 jetstream/streams/sahool-audit.yaml:8",           // audit trail can be purged
		"NATS-CON-006 jetstream/consumers/notifications-worker.json:8", // max_deliver 3, no DLQ
		"NATS-KV-003 jetstream/kv/sessions.yaml:7",                     // bucket without limit
		"NATS-KV-002 jetstream/kv/sessions.yaml:7",                     // sessions without TTL
		"NATS-CRED-006 config/creds/reporting.creds:10",                // expired user JWT
		"NATS-ACC-002 config/nats/nats.conf:55",                        // subscribes to _INBOX.>
		"NATS-ACC-003 config/nats/nats.conf:54",                        // publishes to _INBOX.>
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing finding %s", w)
		}
	}
	// "changeme" is a template placeholder: NATS-CRED-002 (above), not a
	// committed real secret (issue 12, "Facts, not guesses").
	if got["NATS-CRED-001 config/nats/nats.conf:60"] {
		t.Errorf("NATS-CRED-001 on the template placeholder at config/nats/nats.conf:60")
	}
	for _, f := range rep.Findings {
		switch f.RuleID {
		case "NATS-NET-001", "NATS-LIM-001", "NATS-JS-001", "NATS-JS-002", "NATS-DOC-001", "NATS-TLS-001":
			t.Errorf("false positive %s at %v: %s", f.RuleID, f.Location, f.Message)
		}
	}
	if len(rep.Errors) != 1 || rep.Errors[0].File != "config/nats/nats-test.conf" {
		t.Errorf("errors = %+v", rep.Errors)
	}

	hard := scan(t, eng, "../../testdata/repos/hardened")
	for _, f := range hard.Findings {
		if finding.SeverityRank(f.Severity) >= finding.SeverityRank("high") {
			t.Errorf("hardened repo: %s %s at %v: %s", f.Severity, f.RuleID, f.Location, f.Message)
		}
	}
	s1, s2 := rep.Scores.Categories["security"].Score, hard.Scores.Categories["security"].Score
	if s1 == nil || s2 == nil || *s2 <= *s1 {
		t.Errorf("security score: example %v, hardened %v: want hardened higher", s1, s2)
	}
	if *hard.Scores.Overall <= *rep.Scores.Overall {
		t.Errorf("overall: example %v, hardened %v", *rep.Scores.Overall, *hard.Scores.Overall)
	}
}
