package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/report"
)

// copyTree copies a directory (test fixtures are small).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoSecretInAnyOutput scans a repository full of secrets, with secret
// values also in the process environment, renders every format and checks
// that no secret value appears in stdout, stderr or any file written.
func TestNoSecretInAnyOutput(t *testing.T) {
	repo := t.TempDir()
	copyTree(t, "../../testdata/repos/sahool", repo)
	keyPEM, err := os.ReadFile(filepath.Join(repo, "config/certs/nats/server.key"))
	if err != nil {
		t.Fatal(err)
	}
	keyLine := strings.Split(string(keyPEM), "\n")[5]

	fileSecrets := []string{
		"wh_7Qm2xK9pL4vN8rT3yZ6b",      // config/base.env
		"s3cr3t-t0ken-9f2c7a1e",        // config/nats/nats-test.conf (a file that fails to parse)
		"changeme",                     // the monitor user's password in nats.conf
		keyLine,                        // config/certs/nats/server.key
		"Sv3ryL0ngR4nd0mPassw0rdValue", // below
		"L3afP4ssw0rdXYZ",
		"SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4",
		"jsEncKey-9b8c7d6e5f4a3b2c1d0e9f8a",
		"tok-4f1e2d3c4b5a69788796a5b4c3d2e1f0",
		"Route-Pa55word-Q7",
	}
	extra := `server_name: edge
authorization {
  users = [
    { user: svc, password: "Sv3ryL0ngR4nd0mPassw0rdValue" }
    { nkey: SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4 }
  ]
}
leafnodes { remotes = [ { url: "nats-leaf://leafuser:L3afP4ssw0rdXYZ@hub:7422" } ] }
jetstream { key: "jsEncKey-9b8c7d6e5f4a3b2c1d0e9f8a", store_dir: /data }
`
	if err := os.WriteFile(filepath.Join(repo, "config/nats/edge-nats.conf"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	compose := "services:\n  edge:\n    image: nats:2.12.1\n    command: --auth tok-4f1e2d3c4b5a69788796a5b4c3d2e1f0 --routes nats://ruser:Route-Pa55word-Q7@edge-2:6222 -js\n"
	if err := os.WriteFile(filepath.Join(repo, "compose.edge.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	// The scanning machine's own secrets, some named like the repo's $VARs.
	envSecrets := map[string]string{
		"NATS_ADMIN_PASSWORD":   "Pr0cess-Env-Admin-Passw0rd",
		"NATS_PASSWORD":         "Pr0cess-Env-App-Passw0rd",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"NATS_TOKEN":            "Pr0cess-Env-Token-abcdef",
	}
	for k, v := range envSecrets {
		t.Setenv(k, v)
	}

	out := t.TempDir()
	args := []string{"scan", repo, "--fail-on", "never", "--inventory", filepath.Join(out, "inventory.json")}
	for _, f := range report.Formats {
		args = append(args, "--format", f, "--output", filepath.Join(out, "report."+f))
	}
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), args, &stdout, &stderr, os.Getenv); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// And the default text format on stdout.
	var stdout2, stderr2 bytes.Buffer
	Main(context.Background(), []string{"scan", repo, "--fail-on", "never"}, &stdout2, &stderr2, os.Getenv)

	outputs := map[string]string{"stdout": stdout.String() + stdout2.String(), "stderr": stderr.String() + stderr2.String()}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(out, e.Name()))
		outputs[e.Name()] = string(b)
	}
	if len(outputs) < len(report.Formats)+3 {
		t.Fatalf("expected a file per format, got %v", entries)
	}
	secrets := append([]string{}, fileSecrets...)
	for _, v := range envSecrets {
		secrets = append(secrets, v)
	}
	for name, content := range outputs {
		for _, s := range secrets {
			if strings.Contains(content, s) {
				t.Errorf("%s contains the secret %q", name, s)
			}
		}
	}
	if !strings.Contains(outputs["report.json"], "config/nats/edge-nats.conf") {
		t.Error("the extra config was not scanned")
	}
}
