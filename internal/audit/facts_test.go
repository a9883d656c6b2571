package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
)

// TestFactsNotGuesses scans the fixtures of issue 12's "Facts, not
// guesses", credentials in URLs, shell scripts and NATS CLI contexts (one
// per pattern of testdata/realworld/verdicts.json, each modelled on the
// real repository its files name): each true finding is at its file and
// line, and each false positive of the pattern is absent.
func TestFactsNotGuesses(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		repo    string
		want    []string // "RULE file:line"
		notWant []string // "RULE file:line", or "RULE file" for anywhere in it
	}{{
		repo: "facts-script-servers", // nats-server and docker run nats lines are servers
		want: []string{
			"NATS-VER-002 start.sh:8",  // nats:2.10.1: end-of-life series
			"NATS-NET-001 start.sh:8",  // -p 8222:8222, -m 8222
			"NATS-TLS-001 start.sh:10", // the client port of the second server (-p 4333)
			"NATS-JS-001 start.sh:10",  // -sd /tmp/nats
			"NATS-NET-003 start.sh:11", // --cluster nats://0.0.0.0:6333 on the continuation line
		},
		notWant: []string{"NATS-AUTH-001 start.sh:14", "NATS-AUTH-001 start.sh:17", "NATS-AUTH-001 start.sh:18", "NATS-AUTH-001 start.sh:19"},
	}, {
		repo: "facts-var-unknown", // $VAR: configured, value unknown
		want: []string{
			"NATS-NET-001 nats.conf:7",   // monitoring from $MG_NATS_HTTP_PORT on all interfaces
			"NATS-AUTH-009 nats.conf:13", // leafnodes { listen: $VAR } is a listener
			"NATS-AUTH-001 nats.conf:6",
		},
		notWant: []string{"NATS-NET-004 nats.conf", "NATS-OPS-002 nats.conf"},
	}, {
		repo: "facts-path-as-secret", // FP-PATH-AS-SECRET
		want: []string{
			"NATS-CRED-001 gateway-service/.env:9",              // a real password still is one
			"NATS-TLS-016 gateway-service/gateway-user.creds:6", // the file the path names
		},
		notWant: []string{
			"NATS-CRED-001 gateway-service/.env:5", "NATS-CRED-003 gateway-service/.env:5", // NATS_CREDS=./gateway-user.creds
			"NATS-CRED-001 gateway-service/.env:6", "NATS-CRED-003 gateway-service/.env:6", // NATS_CREDS_FILE=
			"NATS-CRED-001 gateway-service/.env:7", "NATS-CRED-005 gateway-service/.env:7", // *_FILE=/run/secrets/seed.nk
			"NATS-CRED-001 gateway-service/.env:8", "NATS-CRED-003 gateway-service/.env:8", // *_DIR
		},
	}, {
		repo: "facts-env-reference", // FP-ENV-REFERENCE
		want: []string{
			"NATS-CRED-003 .devcontainer/devcontainer.env:10", // AUTH_NATS_PASSWORD=auth is weak
		},
		notWant: []string{
			"NATS-CRED-003 .devcontainer/devcontainer.env:5", "NATS-CRED-003 .devcontainer/devcontainer.env:8",
			"NATS-CRED-003 .devcontainer/devcontainer.env:9", "NATS-CRED-001 .devcontainer/devcontainer.env:8",
			"NATS-CRED-001 .devcontainer/devcontainer.env:9",
		},
	}, {
		repo:    "facts-public-key-as-secret",         // FP-PUBLIC-KEY-AS-SECRET
		want:    []string{"NATS-CRED-005 nats.env:5"}, // the seed next to it is a secret
		notWant: []string{"NATS-CRED-001 nats.env:4", "NATS-CRED-003 nats.env:4", "NATS-CRED-005 nats.env:4"},
	}, {
		repo: "facts-template-placeholders",
		want: []string{
			"NATS-CRED-002 nats.env:3", "NATS-CRED-002 nats.env:4", "NATS-CRED-002 nats.env:5", "NATS-CRED-002 nats.env:6",
			"NATS-CRED-001 nats.env:7",
		},
		notWant: []string{
			"NATS-CRED-001 nats.env:3", "NATS-CRED-001 nats.env:4", "NATS-CRED-001 nats.env:5", "NATS-CRED-001 nats.env:6",
		},
	}, {
		repo: "facts-leaf-auth-fallback", // FP-LEAF-AUTH-FALLBACK
		want: []string{
			"NATS-AUTH-009 open/nats.conf:7", // nothing to fall back to
		},
		notWant: []string{"NATS-AUTH-009 nats.conf"},
	}, {
		repo:    "facts-auth-callout", // FP-AUTH-CALLOUT
		want:    []string{"NATS-CRED-001 nats.conf:14"},
		notWant: []string{"NATS-AUTH-007 nats.conf", "NATS-AUTH-008 nats.conf"},
	}, {
		repo: "facts-seed-in-comment", // MISS-SEED-IN-COMMENT
		want: []string{"NATS-TLS-016 callout.conf:15", "NATS-TLS-016 callout.conf:20"},
		// the # in the quoted server_name does not start a comment, and
		// the public issuer key is no seed.
		notWant: []string{"NATS-TLS-016 callout.conf:4", "NATS-TLS-016 callout.conf:16"},
	}, {
		repo: "facts-url-creds", // MISS-URL-CREDS
		want: []string{
			"NATS-CRED-001 docker-compose.yml:13", // a client service's NATS URL
			"NATS-CRED-002 docker-compose.yml:18", // nats://app:app@
			"NATS-CRED-002 test/.env:3",           // SERVER_ADDRESS=nats://admin:admin@
			"NATS-CRED-001 test/.env:4",           // wss:// is a NATS URL too
			"NATS-CRED-001 nack/account.yaml:9",   // a NACK Account's server URL
		},
		notWant: []string{
			"NATS-CRED-001 docker-compose.yml:14",                                        // a Postgres DSN is not a NATS credential
			"NATS-CRED-001 docker-compose.yml:18",                                        // a default is CRED-002 alone
			"NATS-CRED-001 docker-compose.yml:19", "NATS-CRED-002 docker-compose.yml:19", // ${NATS_APP_PASSWORD}
			"NATS-CRED-001 test/.env:3", "NATS-CRED-001 test/.env:5",
		},
	}, {
		repo: "facts-context-json", // MISS-CONTEXT-JSON
		want: []string{
			"NATS-CRED-002 kine-nats/nats-context.json:5",
			"NATS-CRED-001 kine-nats/prod.json:3",
			"NATS-CRED-001 kine-nats/prod.json:5",
		},
		notWant: []string{"NATS-CRED-001 kine-nats/nats-context.json", "NATS-CRED-001 web/package.json", "NATS-CRED-001 kine-nats/prod.json:6"},
	}, {
		repo: "facts-shell-streams", // MISS-SHELL-STREAMS
		want: []string{
			"NATS-STR-004 testing/setup.sh:6", // --max-msgs=-1 --max-bytes=-1 --max-age=-1
			"NATS-CON-001 testing/setup.sh:7", // --max-deliver=-1
		},
		notWant: []string{
			"NATS-CON-001 testing/setup.sh:8",  // --max-deliver=5
			"NATS-STR-004 testing/setup.sh:11", // RIDE_EVENTS has limits
			"NATS-STR-004 testing/setup.sh:20", // --max-age from the environment: unknown
			"NATS-STR-004 testing/setup.sh:24", // a here-document's text is not a command
		},
	}, {
		repo: "facts-shell-context", // MISS-SHELL-CONTEXT
		want: []string{
			"NATS-CRED-002 deployment/setup.sh:8",  // --server nats://admin:admin@
			"NATS-CRED-002 deployment/setup.sh:11", // $NATS_CMD context save ... --user app --password app
			"NATS-CRED-001 deployment/setup.sh:18",
		},
		notWant: []string{"NATS-CRED-001 deployment/setup.sh:21", "NATS-CRED-002 deployment/setup.sh:21", "NATS-CRED-001 deployment/setup.sh:8"},
	}}
	for _, tc := range tests {
		t.Run(tc.repo, func(t *testing.T) {
			rep := scan(t, eng, filepath.Join("../../testdata/repos", tc.repo))
			got := map[string]bool{}
			for _, f := range rep.Findings {
				if f.Location != nil {
					got[fmt.Sprintf("%s %s:%d", f.RuleID, f.Location.File, f.Location.Line)] = true
					got[fmt.Sprintf("%s %s", f.RuleID, f.Location.File)] = true
				}
			}
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("missing finding %s", w)
				}
			}
			for _, w := range tc.notWant {
				if got[w] {
					t.Errorf("false positive %s", w)
				}
			}
			if t.Failed() {
				for _, f := range rep.Findings {
					t.Logf("%s %v: %s", f.RuleID, f.Location, f.Message)
				}
			}
		})
	}
}

// TestCommittedCredentialsMasked: the passwords, tokens and seeds of the
// credential fixtures never appear in the report (messages, snippets,
// targets), whatever their length, and the findings still quote their
// lines.
func TestCommittedCredentialsMasked(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seedRe := regexp.MustCompile(`S[UAONCXP][A-Z2-7]{50,}`)
	for _, tc := range []struct {
		repo    string
		secrets []string
	}{
		{"facts-url-creds", []string{"Vq3xK8rT2mLw9ZpN4bYc7HsD", "Hn4kT9qWz2Lm7Rx5Pv8Bc3Yd", "Hq7mT3vK9xLw2Zp5Rb4Nc8Yd", "app:app@", "admin:admin@"}},
		{"facts-context-json", []string{"Zt8mQ2vK7xLp4Wn9Rb3Hc6Yd", "Jq4nV8rX2kLm7Pz5Wt9Bc3Hd", `"password": "test"`}},
		{"facts-shell-context", []string{"Lk5vQ9xR3mWz7Tn2Pb8Yc4Hd", "admin:admin@", "--password app"}},
		{"facts-seed-in-comment", nil},
		{"facts-public-key-as-secret", nil},
	} {
		t.Run(tc.repo, func(t *testing.T) {
			rep := scan(t, eng, filepath.Join("../../testdata/repos", tc.repo))
			b, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.secrets {
				if strings.Contains(string(b), s) {
					t.Errorf("the report quotes %q:\n%s", s, grepLines(string(b), s))
				}
			}
			if m := seedRe.Find(b); m != nil {
				t.Errorf("the report quotes a seed %.8s…", m)
			}
			quoted := 0
			for _, f := range rep.Findings {
				if strings.Contains(f.Snippet, "****") {
					quoted++
				}
			}
			if quoted == 0 {
				t.Errorf("no finding quotes a masked line")
			}
		})
	}
	// The fixtures hold what the test looks for.
	b, err := os.ReadFile("../../testdata/repos/facts-seed-in-comment/callout.conf")
	if err != nil || len(seedRe.FindAll(b, -1)) != 2 {
		t.Fatalf("facts-seed-in-comment should hold two seeds (err %v)", err)
	}
}
