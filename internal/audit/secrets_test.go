package audit_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
)

// writeTree writes files (path -> content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestShortComposeSecretsNeverQuoted: passwords and tokens shorter than
// the value-masking minimum, in every compose form of a nats-server command
// line, and on a line where a YAML error lands, never reach a snippet, a
// message or an error of the report. The findings still quote the lines.
func TestShortComposeSecretsNeverQuoted(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{
		"docker-compose.yml": `services:
  exec:
    image: nats:2.12.1
    command: ["--user","admin","--pass","Qz9","--routes","nats://ru:Rq@n2:6222"]
  block:
    image: nats:2.12.1
    command:
      - --auth
      - Wv4
      - --cluster
      - nats://cu:Cx@0.0.0.0:6222
  str:
    image: nats:2.12.1
    command: nats-server --pass=Jk7 --routes nats://Tq@n3:6222
  env:
    image: nats:2.12.1
    environment:
      NATS_PASSWORD: Ev5
`,
		// The YAML error is reported at the line of the exec-form command
		// or at the entrypoint's (yaml.v3 names the line before the flow
		// sequence that is not closed): both hold secrets.
		"broken/docker-compose.yml": `services:
  nats:
    image: nats:2.12.1
    command: ["--user","admin","--pass","Bx3"]
    entrypoint: ["nats-server","--auth","Yt6"
    ports: ["4222:4222"]
`,
	})
	res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(res.Report, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Qz9", "Rq", "Wv4", "Cx", "Jk7", "Tq", "Ev5", "Bx3", "Yt6"} {
		if regexp.MustCompile(`\b` + s + `\b`).Match(b) {
			t.Errorf("the report quotes the secret %q:\n%s", s, grepLines(string(b), s))
		}
	}
	quoted := map[string]bool{}
	for _, f := range res.Report.Findings {
		for _, w := range []string{"--pass", "- ****", "--pass=****", "NATS_PASSWORD: ****"} {
			if strings.Contains(f.Snippet, w) {
				quoted[w] = true
			}
		}
	}
	if len(quoted) < 4 {
		t.Errorf("the findings do not quote the command lines (saw %v):\n%s", quoted, b)
	}
	if len(res.Report.Errors) != 1 {
		t.Fatalf("errors = %+v", res.Report.Errors)
	}
	errSnippet := ""
	for _, f := range res.Report.Findings {
		if f.Location != nil && f.Location.File == "broken/docker-compose.yml" {
			errSnippet = f.Snippet
		}
	}
	if !strings.Contains(errSnippet, `"--auth","****"`) && !strings.Contains(errSnippet, `"--pass","****"`) {
		t.Errorf("the parse error's finding does not quote the masked line: %q", errSnippet)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
