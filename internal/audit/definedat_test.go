package audit_test

import (
	"bytes"
	"context"
	"fmt"
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

// TestRootCauseNeedsOneChange: findings are one root cause only when one
// change fixes all of them. A compose service that runs nats:2.10.24
// without a config of its own has, at its image line the advisories
// (NATS-VER-001) and end-of-life (NATS-VER-002), which the upgrade fixes,
// and the image's default config (NATS-DOC-002), which only mounting a
// config fixes: two root causes, both charged and both in the plan.
func TestRootCauseNeedsOneChange(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{"docker-compose.yml": "services:\n  nats:\n    image: nats:2.10.24\n"})
	rep := scan(t, eng, dir)
	byRule := map[string]report.Finding{}
	charged := map[string]bool{}
	for i, c := range report.Charged(rep.Findings) {
		f := rep.Findings[i]
		byRule[f.RuleID] = f
		charged[f.RuleID] = c
	}
	ver1, ver2, doc := byRule["NATS-VER-001"], byRule["NATS-VER-002"], byRule["NATS-DOC-002"]
	if ver1.RuleID == "" || ver2.RuleID == "" || doc.RuleID == "" {
		t.Fatalf("want NATS-VER-001, NATS-VER-002 and NATS-DOC-002, got %v", ruleIDs(rep.Findings))
	}
	if *ver1.Location != *doc.Location || ver1.Path != doc.Path {
		t.Fatalf("the fixture should put all three at one value: %v %s and %v %s", ver1.Location, ver1.Path, doc.Location, doc.Path)
	}
	if report.RootCause(ver1) != report.RootCause(ver2) {
		t.Errorf("VER-001 and VER-002 are one upgrade: root causes %q and %q", report.RootCause(ver1), report.RootCause(ver2))
	}
	if report.RootCause(doc) == report.RootCause(ver1) {
		t.Errorf("NATS-DOC-002 shares the version's root cause %q: mounting a config is another change", report.RootCause(doc))
	}
	if !charged["NATS-DOC-002"] || charged["NATS-VER-001"] == charged["NATS-VER-002"] {
		t.Errorf("charged: %v, want DOC-002 and one of VER-001 and VER-002 (the more severe) charged", charged)
	}
	for _, g := range report.CauseGroups(rep.Findings) {
		if strings.HasPrefix(g.Lead().RuleID, "NATS-VER-") && len(g.Rules()) != 2 {
			t.Errorf("the version's group has rules %v, want NATS-VER-001 and NATS-VER-002", g.Rules())
		}
	}
}

func ruleIDs(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID)
	}
	return out
}

// TestSecretDefinedOnce: one weak password in .env, used by several
// services (a --pass flag Compose interpolates, a compose environment
// entry, a config key that reads the variable), is one root cause at its
// .env line: the findings about the value (plaintext NATS-CRED-001, weak
// NATS-CRED-003) at every place carry that definition, are charged once,
// and the Markdown report shows them once, at the .env line, with the
// places listed. Passing it on the command line (NATS-CRED-004) is fixed
// at each place, and a service that writes the same value itself is
// another line to change: neither is folded in (the service's config key
// that reads its entry is that entry's root cause).
func TestSecretDefinedOnce(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{
		".env": "COMPOSE_PROJECT_NAME=p\nNATS_PASSWORD=short\n",
		"docker-compose.yml": `services:
  n1:
    image: nats:2.14.9
    command: ["-c", "/etc/nats/a.conf", "--user", "app", "--pass", "${NATS_PASSWORD}"]
    volumes: ["./a.conf:/etc/nats/a.conf:ro"]
  n2:
    image: nats:2.14.9
    command: ["-c", "/etc/nats/b.conf"]
    environment:
      NATS_PASSWORD: ${NATS_PASSWORD}
    volumes: ["./b.conf:/etc/nats/b.conf:ro"]
  n3:
    image: nats:2.14.9
    command: ["-c", "/etc/nats/c.conf"]
    environment:
      NATS_PASSWORD: "short"
    volumes: ["./c.conf:/etc/nats/c.conf:ro"]
`,
		"a.conf": "server_name: a\nport: 4222\n",
		"b.conf": "server_name: b\nport: 4222\nauthorization { user: app, password: $NATS_PASSWORD }\n",
		"c.conf": "server_name: c\nport: 4222\nauthorization { user: app, password: $NATS_PASSWORD }\n",
	})
	rep := scan(t, eng, dir)
	def := map[string]bool{} // places whose value is the .env line's
	var envKey string
	for _, f := range rep.Findings {
		if f.RuleID == "NATS-CRED-001" && f.Location.File == ".env" {
			envKey = report.RootCause(f)
		}
	}
	if envKey == "" {
		t.Fatalf("no NATS-CRED-001 at .env: %v", ruleIDs(rep.Findings))
	}
	charged := report.Charged(rep.Findings)
	nCharged := 0
	for i, f := range rep.Findings {
		if !strings.HasPrefix(f.RuleID, "NATS-CRED-") {
			continue
		}
		at := fmt.Sprintf("%s %s:%d", f.RuleID, f.Location.File, f.Location.Line)
		same := report.RootCause(f) == envKey
		if same {
			def[at] = true
			if charged[i] {
				nCharged++
			}
		}
		switch {
		case f.RuleID == "NATS-CRED-004" && same:
			t.Errorf("%s: passing the password on the command line is fixed at each place, not at its definition", at)
		case f.Location.File == "c.conf" || (f.Location.File == "docker-compose.yml" && f.Location.Line == 16):
			if same {
				t.Errorf("%s: a value written at its own place is not the .env line's", at)
			}
			if c := report.RootCause(f); f.RuleID != "NATS-CRED-004" && !strings.HasPrefix(c, "docker-compose.yml:16\x00") {
				t.Errorf("%s: root cause %q, want the compose entry that writes the value (docker-compose.yml:16)", at, c)
			}
		}
	}
	for _, want := range []string{"NATS-CRED-001 .env:2", "NATS-CRED-003 .env:2", "NATS-CRED-003 docker-compose.yml:4", "NATS-CRED-003 b.conf:3", "NATS-CRED-003 docker-compose.yml:10"} {
		if !def[want] {
			t.Errorf("%s is not in the .env line's root cause (group: %v)", want, def)
		}
	}
	if nCharged != 1 {
		t.Errorf("%d findings of the group charged, want 1", nCharged)
	}

	var md bytes.Buffer
	if err := report.WriteMarkdown(&md, rep, report.RenderOptions{Rules: eng.Rules()}); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(md.String()), " ")
	want := "Same root cause, also NATS-CRED-003 (Weak secret (short or low entropy), medium) at 4 places: .env:2, b.conf:3, docker-compose.yml:4, docker-compose.yml:10:"
	if !strings.Contains(out, report.MarkdownText(want)) {
		t.Errorf("the Markdown report does not show the group once with its places: want %q in\n%s", want, md.String())
	}
}

// TestConfigVariableDefinedOnce: a password written once as a nats.conf
// variable and used by two users (the seed platform's CRED-001 x2,
// CRED-003 x2) is one root cause at the variable's line, charged once; the
// users' permissions (NATS-AUTH-005) are two other changes. A variable the
// file defines twice is not attributed (which one a use reads depends on
// its scope).
func TestConfigVariableDefinedOnce(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const conf = "PASS: \"hunter2\"\nport: 4222\nauthorization {\n  users = [\n    {user: a, password: $PASS}\n    {user: b, password: $PASS}\n  ]\n}\n"
	for _, tc := range []struct {
		name, conf string
		groups     int // root causes of the CRED findings
	}{
		{"defined once", conf, 1},
		{"defined twice", strings.Replace(conf, "authorization {\n", "authorization {\n  PASS: \"hunter2\"\n", 1), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := scan(t, eng, writeTree(t, map[string]string{"nats.conf": tc.conf}))
			keys := map[string]bool{}
			cred, charged := 0, 0
			for i, c := range report.Charged(rep.Findings) {
				f := rep.Findings[i]
				if !strings.HasPrefix(f.RuleID, "NATS-CRED-") {
					continue
				}
				cred++
				keys[report.RootCause(f)] = true
				if c {
					charged++
				}
				if tc.groups == 1 && (f.DefinedAt == nil || f.DefinedAt.Line != 1) {
					t.Errorf("%s at line %d: defined at %+v, want nats.conf:1", f.RuleID, f.Location.Line, f.DefinedAt)
				}
			}
			if cred != 4 {
				t.Fatalf("%d NATS-CRED findings, want CRED-001 and CRED-003 for each user: %v", cred, ruleIDs(rep.Findings))
			}
			if len(keys) != tc.groups || charged != tc.groups {
				t.Errorf("%d root causes and %d charged findings, want %d of each", len(keys), charged, tc.groups)
			}
		})
	}
}
