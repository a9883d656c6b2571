package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/natstest"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// TestLiveServerFindingEndpoint audits two real nats-servers, probed over
// their monitoring ports as `natsaudit probe` does: n1 together with the
// repository's config of it (merged by server name; the committed file
// differs from what runs), n2 with no config in the repository. A finding
// about a running server (a live/ path, or no line of a config to point
// at) carries the endpoint it was read from; a finding at a line of the
// repository's config does not (issue 20: resolve.go's `s.Live != nil`
// negated gave no finding an endpoint).
func TestLiveServerFindingEndpoint(t *testing.T) {
	repo, run := t.TempDir(), t.TempDir()
	// no authorization, monitoring and client port on loopback: config
	// findings at its lines; the live server is the same config
	conf := "server_name: %s\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nmax_payload: 1MB\n"
	var urls []string
	for _, name := range []string{"n1", "n2"} {
		s, err := natstest.StartConf(run, name, fmt.Sprintf(conf, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Shutdown)
		urls = append(urls, "http://"+s.MonitorAddr().String())
	}
	// the committed n1.conf is not what runs: NATS-HLT-014 (live/varz/config_digest)
	committed := strings.Replace(fmt.Sprintf(conf, "n1"), "1MB", "2MB", 1)
	if err := os.WriteFile(filepath.Join(repo, "n1.conf"), []byte(committed), 0o600); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{repo}, Base: repo, Now: time.Now(),
		Live: func(ctx context.Context, inv *model.Inventory) error {
			r, err := probe.Collect(ctx, probe.Options{URLs: urls, Timeout: 5 * time.Second})
			if err != nil {
				return err
			}
			if len(r.Failures) > 0 {
				t.Errorf("probe failures: %v", r.Failures)
			}
			probe.Merge(inv, r)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*model.Server{}
	for _, sv := range res.Inventory.Servers {
		if sv.Live == nil || sv.Live.Endpoint == "" {
			t.Fatalf("%s was not merged with its probe: %+v", sv.Name, sv)
		}
		byName[sv.Name] = sv
	}
	if len(byName) != 2 || byName["n1"] == nil || byName["n2"] == nil {
		t.Fatalf("servers: %v, want n1 and n2", byName)
	}
	n := map[string]int{} // "n1 endpoint", "n1 config", "n1 live/", "n2 endpoint"
	for _, f := range res.Report.Findings {
		name, ok := strings.CutPrefix(f.Target, "server ")
		if !ok {
			continue
		}
		sv := byName[name]
		if sv == nil {
			t.Fatalf("%s: no such server", f.Target)
		}
		inConfig := f.Location != nil && f.Location.File == name+".conf" && f.Location.Line > 0
		switch {
		case f.Endpoint != "" && f.Endpoint != sv.Live.Endpoint:
			t.Errorf("%s %s: endpoint %q, want %q", f.RuleID, f.Target, f.Endpoint, sv.Live.Endpoint)
		case strings.HasPrefix(f.Path, "live/") || !inConfig:
			if f.Endpoint == "" {
				t.Errorf("%s %s (path %s, at %+v): no endpoint, want %q", f.RuleID, f.Target, f.Path, f.Location, sv.Live.Endpoint)
			}
			n[name+" endpoint"]++
			if strings.HasPrefix(f.Path, "live/") {
				n[name+" live/"]++
			}
		case f.Endpoint != "":
			t.Errorf("%s %s: at %+v of the repository's config, yet endpoint %q", f.RuleID, f.Target, f.Location, f.Endpoint)
		default:
			n[name+" config"]++
		}
	}
	for _, k := range []string{"n1 endpoint", "n1 config", "n1 live/", "n2 endpoint"} {
		if n[k] == 0 {
			t.Errorf("no finding of kind %q: %v", k, n)
		}
	}
}
