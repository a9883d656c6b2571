package audit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestSeedFixtures: the seed systems' definitions (testdata/seeds) show the
// two ways their messages vanish: an audit stream the server refuses to
// create (seed 000) and poison messages dropped after max_deliver without a
// dead-letter stream (seed 004).
func TestSeedFixtures(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string][]string{
		"../../testdata/seeds/000-fulcrum":      {"NATS-STR-009 fulcrum-events.json:3"},
		"../../testdata/seeds/004-events-audit": {"NATS-CON-006 events-audit-consumer.json:8"},
	} {
		rep := scan(t, eng, dir)
		got := map[string]string{}
		for _, f := range rep.Findings {
			if f.Location != nil {
				got[fmt.Sprintf("%s %s:%d", f.RuleID, f.Location.File, f.Location.Line)] = f.Message
			}
		}
		for _, w := range want {
			if _, ok := got[w]; !ok {
				t.Errorf("%s: missing %s (got %v)", dir, w, got)
			}
		}
	}
}
