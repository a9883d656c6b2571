package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestFallbackLocations: a finding about something missing points at the
// line that would have to change (the client listener for missing
// authorization or TLS, the top of the config file otherwise), never at an
// unrelated setting such as debug or max_mem, and the same line on every
// run (the fallback used to be picked by iterating a map).
func TestFallbackLocations(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Line 1 sets the port, then only unrelated keys: the old fallback
	// replaced a line-1 pick with whichever key the map gave next.
	flat := t.TempDir()
	conf := "port: 4222\ndebug: false\ntrace: false\nlogtime: true\nmax_payload: 1MB\n"
	if err := os.WriteFile(filepath.Join(flat, "nats.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dir  string
		want map[string]string // rule and file -> line: snippet
	}{
		{"../../testdata/repos/bare-configs", map[string]string{
			"NATS-AUTH-001 docker/nats/nats.conf": "4: listen: 0.0.0.0:4222",  // no authorization: the listener
			"NATS-TLS-001 docker/nats/nats.conf":  "4: listen: 0.0.0.0:4222",  // no TLS: the listener
			"NATS-AUTH-007 docker/nats/nats.conf": "1: server_name: edge-srv", // no system account: top of the file
			"NATS-TLS-001 kine/nats-server.conf":  "1: jetstream: {",          // no listener line: top of the file
			"NATS-NET-004 kine/nats-server.conf":  "1: jetstream: {",          // no monitoring: top, not max_mem
		}},
		{flat, map[string]string{
			"NATS-AUTH-001 nats.conf": "1: port: 4222",
			"NATS-TLS-001 nats.conf":  "1: port: 4222",
			"NATS-NET-004 nats.conf":  "1: port: 4222",
			"NATS-AUTH-007 nats.conf": "1: port: 4222",
		}},
	} {
		var first map[string]string
		for run := 0; run < 10; run++ {
			rep := scan(t, eng, tc.dir)
			got := map[string]string{}
			for _, f := range rep.Findings {
				if f.Location == nil {
					continue
				}
				k := f.RuleID + " " + f.Location.File
				if _, ok := tc.want[k]; ok {
					got[k] = fmt.Sprintf("%d: %s", f.Location.Line, f.Snippet)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%s, run %d:\n got %v\nwant %v", tc.dir, run+1, got, tc.want)
			}
			all := map[string]string{}
			for _, f := range rep.Findings {
				if f.Location != nil {
					all[f.Fingerprint] = fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)
				}
			}
			if first == nil {
				first = all
			} else if !reflect.DeepEqual(first, all) {
				t.Fatalf("%s: run %d put findings on other lines than run 1", tc.dir, run+1)
			}
		}
	}
}
