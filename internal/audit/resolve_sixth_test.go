package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// Survivors of the first full Gremlins run of resolve.go (issue 20, sixth
// round), each pinned through resolve itself.

func sixthEngine(t *testing.T) (*engine.Engine, *secret.Analyzer) {
	t.Helper()
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := secret.NewAnalyzer(secret.Params{})
	return eng, a
}

// TestResultSeverityInfo: a rule that lowers one finding to info (the
// lowest severity, rank 0) gets info, not the rule's default (kills
// `SeverityRank(r.Severity) >= 0` turned into `> 0`); a severity that is
// not one keeps the default.
func TestResultSeverityInfo(t *testing.T) {
	eng, a := sixthEngine(t)
	rule, ok := eng.Rule("NATS-AUTH-001")
	if !ok || rule.Severity == "info" {
		t.Fatalf("NATS-AUTH-001: %v %q, want a rule whose default is not info", ok, rule.Severity)
	}
	inv := &model.Inventory{Servers: []*model.Server{{Ref: model.RefTo(model.RefServer, 0), Name: "n1",
		Locs: model.Locations{"config/port": {File: "nats.conf", Line: 2}}}}}
	lines := newLineCache(&discover.Result{All: map[string]string{}})
	for sev, want := range map[string]string{"info": "info", "low": "low", "bogus": string(rule.Severity), "": string(rule.Severity)} {
		f := resolve(eng, inv, inv.Refs(), engine.Raw{RuleID: "NATS-AUTH-001", Ref: "servers/0", Path: "config/port", Severity: sev}, lines, a)
		if string(f.Severity) != want {
			t.Errorf("result severity %q: finding %q, want %q", sev, f.Severity, want)
		}
	}
}

// TestSnippetAtTheBound: a quoted line of exactly maxSnippet bytes is
// shown whole, without the "…" of a cut one; one byte more is cut (kills
// `len(s) > maxSnippet` turned into `>=`).
func TestSnippetAtTheBound(t *testing.T) {
	a, _ := secret.NewAnalyzer(secret.Params{})
	exact := "# " + strings.Repeat("x", maxSnippet-2)
	over := exact + "y"
	c := newLineCache(&discover.Result{Files: []*discover.File{{Rel: "nats.conf", Data: []byte(exact + "\n" + over + "\n")}}})
	if got := maskedSnippet(a, c, "nats.conf", 1); got != exact {
		t.Errorf("a line of %d bytes: snippet of %d bytes ending %q, want the line whole", len(exact), len(got), got[max(0, len(got)-6):])
	}
	if got := maskedSnippet(a, c, "nats.conf", 2); got != exact+"…" {
		t.Errorf("a line of %d bytes: snippet ending %q, want it cut to %d bytes and …", len(over), got[max(0, len(got)-6):], maxSnippet)
	}
}

// TestWholeFileErrorSnippetOnlyForErrors: a finding about a server keeps
// its snippet when the inventory's error of the same index is about a
// whole file (line 0); only a finding about that error loses it (kills
// `ref.Kind == model.RefError && …` turned into `||`).
func TestWholeFileErrorSnippetOnlyForErrors(t *testing.T) {
	eng, a := sixthEngine(t)
	inv := &model.Inventory{
		Servers: []*model.Server{{Ref: model.RefTo(model.RefServer, 0), Name: "n1", ConfigFile: "nats.conf",
			Locs: model.Locations{"config/port": {File: "nats.conf", Line: 1}}}},
		Errors: []model.ParseError{{Ref: model.RefTo(model.RefError, 0), File: "blob.conf", Message: "binary file", Kind: "nats_conf"}},
	}
	lines := newLineCache(&discover.Result{Files: []*discover.File{
		{Rel: "nats.conf", Data: []byte("port: 4222\n")},
		{Rel: "blob.conf", Data: []byte("port: 1\n")},
	}})
	f := resolve(eng, inv, inv.Refs(), engine.Raw{RuleID: "NATS-AUTH-001", Ref: "servers/0", Path: "config/port"}, lines, a)
	if f.Snippet != "port: 4222" {
		t.Errorf("server finding: snippet %q, want its line", f.Snippet)
	}
	f = resolve(eng, inv, inv.Refs(), engine.Raw{RuleID: "NATS-OPS-005", Ref: "errors/0", Path: ""}, lines, a)
	if f.Location == nil || f.Location.File != "blob.conf" || f.Snippet != "" {
		t.Errorf("whole-file error finding: %+v snippet %q, want blob.conf without a snippet", f.Location, f.Snippet)
	}
}

// TestLiveOnlyServerEndpoint: a finding about a running server that the
// repository does not hold (no location) carries the server's endpoint
// whatever its path, live/ or config/ (kills `HasPrefix(live/) ||
// !loc.Valid()` turned into `&&`); one at a line of a committed config
// does not.
func TestLiveOnlyServerEndpoint(t *testing.T) {
	eng, a := sixthEngine(t)
	inv := &model.Inventory{Servers: []*model.Server{
		{Ref: model.RefTo(model.RefServer, 0), Name: "live-only", Live: &model.Live{Endpoint: "http://10.0.0.5:8222"}},
		{Ref: model.RefTo(model.RefServer, 1), Name: "merged", ConfigFile: "nats.conf", Live: &model.Live{Endpoint: "http://10.0.0.6:8222"},
			Locs: model.Locations{"config/port": {File: "nats.conf", Line: 1}}},
	}}
	lines := newLineCache(&discover.Result{Files: []*discover.File{{Rel: "nats.conf", Data: []byte("port: 4222\n")}}})
	for _, tc := range []struct{ ref, path, want string }{
		{"servers/0", "config/authorization", "http://10.0.0.5:8222"},
		{"servers/0", "live/varz/auth_required", "http://10.0.0.5:8222"},
		{"servers/1", "config/port", ""},
		{"servers/1", "live/varz/auth_required", "http://10.0.0.6:8222"},
	} {
		f := resolve(eng, inv, inv.Refs(), engine.Raw{RuleID: "NATS-AUTH-001", Ref: tc.ref, Path: tc.path}, lines, a)
		if f.Endpoint != tc.want {
			t.Errorf("%s %s: endpoint %q, want %q (location %+v)", tc.ref, tc.path, f.Endpoint, tc.want, f.Location)
		}
	}
}
