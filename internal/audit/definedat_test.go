package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

// TestRootCauseAcrossPlaces: two compose services whose image is
// nats:${NATS_TAG} take their version from one .env line: the advisory
// and end-of-life findings of both services have that line as their
// definition, form one root-cause group, and only its lead is charged. A
// tag written in each service (two lines to change) stays two groups, and
// another rule at the image line (the image's default config) is not
// folded into the version's group.
func TestRootCauseAcrossPlaces(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const viaEnv = "services:\n  n1:\n    image: nats:${NATS_TAG}\n  n2:\n    image: \"nats:${NATS_TAG}\"\n"
	const literal = "services:\n  n1:\n    image: nats:2.10.24\n  n2:\n    image: nats:2.10.24\n"
	for _, tc := range []struct {
		name, compose string
		groups        int // root-cause groups of the NATS-VER-* findings
	}{
		{"one .env line", viaEnv, 1},
		{"a tag per service", literal, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"docker-compose.yml": tc.compose, ".env": "COMPOSE_PROJECT_NAME=p\nNATS_TAG=2.10.24\n"})
			rep := scan(t, eng, dir)
			var ver []report.Finding
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.RuleID, "NATS-VER-") {
					ver = append(ver, f)
					if tc.compose == viaEnv && (f.DefinedAt == nil || f.DefinedAt.File != ".env" || f.DefinedAt.Line != 2) {
						t.Errorf("%s at %v: defined at %+v, want .env:2", f.RuleID, f.Location, f.DefinedAt)
					}
				} else if f.DefinedAt != nil {
					t.Errorf("%s has a definition %+v: only the version's findings share the tag", f.RuleID, f.DefinedAt)
				}
			}
			if len(ver) != 4 {
				t.Fatalf("%d NATS-VER findings, want VER-001 and VER-002 for each service", len(ver))
			}
			groups := map[string]bool{}
			for _, f := range ver {
				groups[report.RootCause(f)] = true
			}
			charged := 0
			for i, c := range report.Charged(rep.Findings) {
				if c && groups[report.RootCause(rep.Findings[i])] {
					charged++
				}
			}
			if len(groups) != tc.groups || charged != tc.groups {
				t.Errorf("%d groups and %d charged findings, want %d of each", len(groups), charged, tc.groups)
			}
		})
	}
}
