package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

// fixDiffOf is the fix diff of the finding of rule at file:line, failing
// when there is no such finding.
func fixDiffOf(t *testing.T, rep *report.Report, rule, file string, line int) string {
	t.Helper()
	for _, f := range rep.Findings {
		if f.RuleID == rule && f.Location != nil && f.Location.File == file && f.Location.Line == line {
			return f.FixDiff
		}
	}
	var got []string
	for _, f := range rep.Findings {
		if f.Location != nil {
			got = append(got, f.RuleID+"@"+f.Location.File+":"+strconv.Itoa(f.Location.Line))
		}
	}
	t.Fatalf("no %s at %s:%d; findings: %v", rule, file, line, got)
	return ""
}

// applies checks that diff's removed and context lines are the lines of
// the real file at the hunk's place, and returns the file after the hunk.
func applies(t *testing.T, dir, diff string) string {
	t.Helper()
	ls := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	if len(ls) < 4 || !strings.HasPrefix(ls[0], "--- a/") || !strings.HasPrefix(ls[1], "+++ b/") || strings.TrimPrefix(ls[0], "--- a/") != strings.TrimPrefix(ls[1], "+++ b/") {
		t.Fatalf("bad diff header:\n%s", diff)
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(ls[0], "--- a/"))))
	if err != nil {
		t.Fatal(err)
	}
	file := strings.Split(string(data), "\n")
	var start, oldN, newN, newStart int
	if _, err := fmt.Sscanf(ls[2], "@@ -%d,%d +%d,%d @@", &start, &oldN, &newStart, &newN); err != nil || start != newStart {
		t.Fatalf("bad hunk header %q: %v", ls[2], err)
	}
	var out []string
	out = append(out, file[:start-1]...)
	i, olds, news, ctx := start-1, 0, 0, 0
	for _, l := range ls[3:] {
		switch l[0] {
		case ' ', '-':
			if i >= len(file) || file[i] != l[1:] {
				t.Fatalf("line %d of the file is not %q:\n%s", i+1, l[1:], diff)
			}
			if l[0] == ' ' {
				out = append(out, l[1:])
				news++
				ctx++
			}
			i++
			olds++
		case '+':
			out = append(out, l[1:])
			news++
		default:
			t.Fatalf("bad diff line %q", l)
		}
	}
	if olds != oldN || news != newN {
		t.Fatalf("hunk counts %d,%d; header says %d,%d:\n%s", olds, news, oldN, newN, diff)
	}
	if ctx < 1 || ctx > 6 {
		t.Fatalf("%d context lines:\n%s", ctx, diff)
	}
	out = append(out, file[i:]...)
	return strings.Join(out, "\n")
}

// TestFixDiffKinds: each mechanical fix is a diff that applies to the real
// file and makes exactly the edit named; lookalike lines get none.
func TestFixDiffKinds(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conf := `port: 4222
tls {
    cert_file: "/etc/nats/server.crt"
    key_file: "/etc/nats/server.key"
    ca_file: "/etc/nats/ca.crt"
    verify: false
}
# legacy clients
allow_non_tls: true
authorization {
    token: "$NATS_TOKEN"
}
`
	compose := `services:
  nats:
    image: nats:2.10.24-alpine
    command: ["-c", "/etc/nats/nats.conf"]
    volumes:
      - ./nats.conf:/etc/nats/nats.conf
    environment:
      NATS_PASSWORD: ${NATS_PASSWORD:-changeme}
`
	dir := writeTree(t, map[string]string{"nats.conf": conf, "docker-compose.yml": compose,
		".env": "NATS_USER=app\nNATS_PASSWORD=${NATS_PASSWORD:-changeme}\nLOG=info\n"})
	rep := scan(t, eng, dir)
	cases := []struct {
		name, rule, file string
		line             int
		want             string // the file after the diff
	}{
		{"allow_non_tls removed", "NATS-TLS-002", "nats.conf", 9, strings.Replace(conf, "allow_non_tls: true\n", "", 1)},
		{"verify false to true", "NATS-TLS-003", "nats.conf", 6, strings.Replace(conf, "verify: false", "verify: true", 1)},
		{"image to the fixed release", "NATS-VER-001", "docker-compose.yml", 3, strings.Replace(compose, "nats:2.10.24-alpine", "nats:2.15.2-alpine", 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := fixDiffOf(t, rep, c.rule, c.file, c.line)
			if d == "" {
				t.Fatalf("no fix diff")
			}
			if got := applies(t, dir, d); got != c.want {
				t.Errorf("after the diff:\n%s\nwant:\n%s\ndiff:\n%s", got, c.want, d)
			}
		})
	}
	t.Run("env fallback", func(t *testing.T) {
		d := fixDiffOf(t, rep, "NATS-CRED-002", ".env", 2)
		want := "--- a/.env\n+++ b/.env\n@@ -1,3 +1,3 @@\n NATS_USER=app\n-NATS_PASSWORD=${NATS_PASSWORD:-****}\n+NATS_PASSWORD=${NATS_PASSWORD:?NATS_PASSWORD is required}\n LOG=info\n"
		if d != want {
			t.Errorf("got:\n%s\nwant:\n%s", d, want)
		}
	})
	t.Run("compose fallback", func(t *testing.T) {
		d := fixDiffOf(t, rep, "NATS-CRED-002", "docker-compose.yml", 8)
		if !strings.Contains(d, "\n-      NATS_PASSWORD: ${NATS_PASSWORD:-****}\n+      NATS_PASSWORD: ${NATS_PASSWORD:?NATS_PASSWORD is required}\n") || strings.Contains(d, "changeme") {
			t.Errorf("compose fallback diff:\n%s", d)
		}
	})
}

// TestFixDiffHelmTag: a Helm release whose nats image tag is affected by
// advisories gets the values line's tag → the fixed release as a diff that
// applies to the values file; a tag pinned to a series only (2.10) or from
// a template gets none.
func TestFixDiffHelmTag(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	chart := "apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n  - name: nats\n    version: 1.2.4\n    repository: https://nats-io.github.io/k8s/helm/charts/\n"
	values := "nats:\n  container:\n    image:\n      repository: nats\n      tag: \"2.10.24-alpine\" # pinned\n  config:\n    cluster:\n      enabled: true\n"
	dir := writeTree(t, map[string]string{"chart/Chart.yaml": chart, "chart/values.yaml": values})
	rep := scan(t, eng, dir)
	d := fixDiffOf(t, rep, "NATS-VER-001", "chart/values.yaml", 5)
	if d == "" {
		t.Fatalf("no fix diff for the Helm tag; findings: %v", findingsAt(rep))
	}
	if got, want := applies(t, dir, d), strings.Replace(values, "2.10.24-alpine", "2.15.2-alpine", 1); got != want {
		t.Errorf("after the diff:\n%s\nwant:\n%s\ndiff:\n%s", got, want, d)
	}
	series := strings.Replace(values, "\"2.10.24-alpine\" # pinned", "\"2.10\"", 1)
	dir = writeTree(t, map[string]string{"chart/Chart.yaml": chart, "chart/values.yaml": series})
	for _, f := range scan(t, eng, dir).Findings {
		if f.FixDiff != "" && f.RuleID == "NATS-VER-001" {
			t.Errorf("a series-only tag got a diff:\n%s", f.FixDiff)
		}
	}
}

// TestFixDiffNeverQuotesSecrets: a secret on a line next to the changed one
// is left out of the context (the diff keeps the other side), and no fix
// diff of the report holds a secret value.
func TestFixDiffNeverQuotesSecrets(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "Zr8kPq2vLm9xWt4n"
	conf := `port: 4222
authorization {
    user: admin
    password: "` + pw + `"
}
allow_non_tls: true
tls {
    cert_file: "/etc/nats/server.crt"
    key_file: "/etc/nats/server.key"
}
debug: false
`
	dir := writeTree(t, map[string]string{"nats.conf": conf,
		".env": "NATS_PASSWORD=${NATS_PASSWORD:-" + pw + "}\nOTHER_TOKEN=" + pw + "\n"})
	rep := scan(t, eng, dir)
	d := fixDiffOf(t, rep, "NATS-TLS-002", "nats.conf", 6)
	want := "--- a/nats.conf\n+++ b/nats.conf\n@@ -5,5 +5,4 @@\n }\n-allow_non_tls: true\n tls {\n     cert_file: \"/etc/nats/server.crt\"\n     key_file: \"/etc/nats/server.key\"\n"
	if d != want {
		t.Errorf("got:\n%s\nwant:\n%s", d, want)
	}
	for _, f := range append(rep.Findings, rep.Suppressed...) {
		if strings.Contains(f.FixDiff, pw) || strings.Contains(f.FixDiff, "Zr8k") {
			t.Errorf("%s at %v: fix diff quotes the secret:\n%s", f.RuleID, f.Location, f.FixDiff)
		}
	}
}

// TestFixDiffOnlyExactEdits: lines the fix cannot be made on exactly get
// no diff (an image pinned by digest or to a distribution release, two
// fallbacks on one line, a nested default, a last line without a newline).
func TestFixDiffOnlyExactEdits(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{
		"docker-compose.yml": `services:
  a:
    image: nats:2.10.24@sha256:0000000000000000000000000000000000000000000000000000000000000000
  b:
    image: nats:2.10.24-alpine3.20
`,
		".env":      "NATS_URL=nats://${NATS_USER:-app}:${NATS_PASSWORD:-changeme}@nats:4222\nNATS_TOKEN=${NATS_TOKEN:-${DEFAULT_TOKEN}}\nLOG=info\n",
		"nats.conf": "tls {\n    cert_file: \"/etc/nats/server.crt\"\n    key_file: \"/etc/nats/server.key\"\n}\nallow_non_tls: true",
	})
	rep := scan(t, eng, dir)
	n := 0
	for _, f := range rep.Findings {
		if f.Location == nil {
			continue
		}
		n++
		if f.FixDiff != "" {
			t.Errorf("%s at %s:%d has a fix diff:\n%s", f.RuleID, f.Location.File, f.Location.Line, f.FixDiff)
		}
	}
	if n == 0 {
		t.Fatal("no findings: the test checks nothing")
	}
	fixDiffOf(t, rep, "NATS-TLS-002", "nats.conf", 5)
	fixDiffOf(t, rep, "NATS-CRED-002", ".env", 1)
	fixDiffOf(t, rep, "NATS-CRED-002", ".env", 2)
	fixDiffOf(t, rep, "NATS-VER-001", "docker-compose.yml", 3)
}
