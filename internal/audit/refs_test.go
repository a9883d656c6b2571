package audit

import (
	"context"
	"testing"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// A finding's ref is looked up among the inventory's typed references, not
// parsed: a ref the inventory does not hold ("servers/00", a custom rule's
// "servers/0/x") points at nothing instead of at whatever its digits say.
func TestResolveTypedRefs(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := secret.NewAnalyzer(secret.Params{})
	inv := &model.Inventory{Servers: []*model.Server{{Ref: model.RefTo(model.RefServer, 0), Name: "n1",
		Locs: model.Locations{"config/port": {File: "nats.conf", Line: 2}}}}}
	lines := newLineCache(&discover.Result{All: map[string]string{}})
	for ref, target := range map[string]string{"servers/0": "server n1", "servers/00": "", "servers/0/x": "", "streams/0": "", "": ""} {
		f := resolve(eng, inv, inv.Refs(), engine.Raw{RuleID: "NATS-AUTH-001", Ref: ref, Path: "config/port"}, lines, a)
		if f.Target != target {
			t.Errorf("ref %q: target %q, want %q", ref, f.Target, target)
		}
		if (f.Location != nil) != (target != "") {
			t.Errorf("ref %q: location %v", ref, f.Location)
		}
	}
}
