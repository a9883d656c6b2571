package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestComposePatterns scans one fixture per pattern of the real-world corpus
// (testdata/compose/<pattern>, each modelled on a public repository named in
// its files) and checks the findings that must be there, at their lines, and
// the false positives that must not.
func TestComposePatterns(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir string
		// want: "RULE file:line target"
		want []string
		// absent: "RULE" (anywhere) or "RULE file" or "RULE target"
		absent []string
		notes  []string
	}{
		{dir: "image-config-path", // FP-IMAGE-CONFIG-PATH, MISS-MIRRORED-IMAGE, store_dir/jetstream volume
			want: []string{
				"NATS-TLS-001 nats-server.conf:4 server natsmaster",
				"NATS-VER-002 docker-compose-gitaly.yml:5 server natsmaster",
				"NATS-DOC-003 docker-compose-gitaly.yml:7 server natsmaster",
				"NATS-NET-001 docker-compose.yml:9 server natsmaster",
			},
			absent: []string{"NATS-DOC-002", "NATS-DOC-001", "NATS-AUTH-001", "NATS-TLS-001 server nats-server.conf"}},
		{dir: "bundled-config", // the image's own config, audited as its known contents
			want: []string{
				"NATS-DOC-002 docker-compose.yml:5 server nats",
				"NATS-AUTH-001 docker-compose.yml:4 server nats",
				"NATS-CRED-002 docker-compose.yml:4 server nats",
				"NATS-TLS-004 docker-compose.yml:4 server nats",
				"NATS-NET-001 docker-compose.yml:8 server nats",
			},
			notes: []string{"runs the nats image's bundled config (/nats-server.conf): audited as its known contents"}},
		{dir: "var-image", // FP-VAR-IMAGE
			absent: []string{"NATS-VER-005", "NATS-VER-001", "NATS-VER-002"},
			notes:  []string{"nats:${IMAGE_TAG} is set from the environment"}},
		{dir: "var-ports", // MISS-VAR-PORTS
			want: []string{
				"NATS-DOC-003 docker-compose.yml:10 server nats",
				"NATS-NET-001 docker-compose.yml:11 server nats",
			}},
		{dir: "extends-include", // MISS-EXTENDS-INCLUDE, MISS-COMPOSE-BY-CONTENT (nats.yml)
			want: []string{
				"NATS-VER-002 docker/brokers/nats.yml:5 server nats_internal_broker",
				"NATS-DOC-003 docker/brokers/nats.yml:10 server nats_internal_broker",
				"NATS-NET-001 docker/brokers/nats.yml:11 server nats_internal_broker",
				"NATS-OPS-001 docker/nats/nats.conf:6 server nats_internal_broker",
			}},
		{dir: "compose-by-content", // MISS-COMPOSE-BY-CONTENT
			want: []string{
				"NATS-VER-002 nats-docker-compose.yaml:6 server nats",
				"NATS-DOC-003 nats-docker-compose.yaml:9 server nats",
			},
			absent: []string{"NATS-TLS-001 server nats_server.conf", "NATS-VER-002 ci.yml"}},
		{dir: "cluster-by-name", // FP-CLUSTER-BY-NAME: three 3-node clusters all named C1
			want: []string{
				"NATS-VER-002 allinone/allinone.yml:6 server js1",
				"NATS-VER-002 allinone-with-gateway/cluster1/allinone.yml:6 server js1",
			},
			// FP-UNLINKED-SERVER-NAME: js1..js3 of allinone/ and of
			// allinone-with-gateway/cluster1/ never run together.
			absent: []string{"NATS-CLU-001", "NATS-CLU-006"}},
		{dir: "hostname-listen", // MISS-HOSTNAME-LISTEN: listen: c1-js1:6222 in service c1-js1, published
			want: []string{"NATS-NET-003 allinone.yml:13 server c1-js1"}},
		{dir: "relative-config", // FP-RELATIVE-CONFIG
			want: []string{
				"NATS-DOC-001 configs/static_callout.conf:4 server nats",
				"NATS-TLS-001 configs/static_callout.conf:2 server nats",
			},
			absent: []string{"NATS-AUTH-001", "NATS-JS-001", "NATS-JS-002", "NATS-TLS-001 server configs/static_callout.conf"}},
		{dir: "unseen-config", // FP-UNSEEN-CONFIG
			want:   []string{"NATS-VER-002 docker-compose.yml:6 server nats-server"},
			absent: []string{"NATS-AUTH-001", "NATS-TLS-001", "NATS-DOC-001", "NATS-JS-001", "NATS-JS-002", "NATS-AUTH-007", "NATS-JS-006", "NATS-NET-004"},
			notes:  []string{"runs the config /conf/nats-server.conf, which is not in the scanned tree (mounted from local-config/nats, not found): config not available, not evaluated"}},
		{dir: "build-image", // FP-BUILD-IMAGE
			absent: []string{"NATS-DOC-002", "NATS-AUTH-001", "NATS-TLS-001"},
			notes:  []string{"is built from a Dockerfile (build:)"}},
		{dir: "stan", // FP-STAN-AS-NATS
			want:   []string{"NATS-AUTH-001 docker-compose.yaml:5 server stan"},
			absent: []string{"NATS-VER-001", "NATS-VER-002", "NATS-VER-005", "NATS-DOC-002"},
			notes:  []string{"NATS Streaming, whose version is not a nats-server version"}},
		{dir: "unlinked-stream", // FP-UNLINKED-STREAM
			want:   []string{"NATS-JS-005 solo/nats-1/js.conf:3 server solo-1"},
			absent: []string{"NATS-STR-001", "NATS-STR-003", "NATS-JS-005 server server-1", "NATS-JS-005 server server-2", "NATS-JS-005 server server-3"}},
		{dir: "tmp-on-volume", // FP-TMP-ON-VOLUME
			want:   []string{"NATS-CLU-001 configs/js.conf:3 server nats-1"},
			absent: []string{"NATS-JS-001", "NATS-DOC-001"}},
		{dir: "override-project", // docker-compose.prod.yml is its own project
			want: []string{
				"NATS-DOC-003 docker-compose.override.yml:4 server nats",
				"NATS-DOC-001 nats.conf:3 server nats",
			},
			absent: []string{"NATS-JS-007"},
			notes:  []string{"docker-compose.prod.yml looks like an override of docker-compose.yml (service nats has no image of its own there)"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			rep := scan(t, eng, "../../testdata/compose/"+tt.dir)
			got := map[string]bool{}
			var all []string
			for _, f := range rep.Findings {
				loc := ""
				if f.Location != nil {
					loc = fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)
				}
				k := fmt.Sprintf("%s %s %s", f.RuleID, loc, f.Target)
				got[k] = true
				all = append(all, k)
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("missing %s; got:\n%s", w, strings.Join(all, "\n"))
				}
			}
			for _, a := range tt.absent {
				parts := strings.SplitN(a, " ", 2)
				for _, f := range rep.Findings {
					if f.RuleID != parts[0] {
						continue
					}
					file := ""
					if f.Location != nil {
						file = f.Location.File
					}
					if len(parts) == 1 || parts[1] == file || parts[1] == f.Target {
						t.Errorf("false positive %s at %s (%s): %s", f.RuleID, file, f.Target, f.Message)
					}
				}
			}
			notes := strings.Join(rep.Notes, "\n")
			for _, n := range tt.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("no note %q in:\n%s", n, notes)
				}
			}
		})
	}
}
