package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

// TestFileDigestsWithheldForSecrets: the report gives the SHA-256 of every
// file it read, except a file that holds a secret, whose digest would be a
// guessing oracle (hash the known file with each candidate password until
// it matches — a short password falls in seconds). Each repository has
// secret-holding files, decided from the inventory's facts (or, for what
// it does not model, the file's own lines), and clean ones: the secret
// files are listed as "holds a secret" and no format quotes their digest
// (nor its first 12 hex digits), the clean ones have the digest sha256sum
// gives, and files_sha256 is `sha256sum FILE... | sha256sum` of the hashed
// ones.
func TestFileDigestsWithheldForSecrets(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const stream = `{"name": "ORDERS", "subjects": ["orders.>"], "storage": "file", "max_bytes": 1000000, "num_replicas": 1}` + "\n"
	cases := []struct {
		name   string
		files  map[string]string
		secret []string // withheld: hold a secret
		clean  []string // hashed
		// facts: the files of secret that the inventory's facts alone
		// mark (the others only their own lines: a service that is not
		// NATS, a file that does not parse).
		facts []string
	}{
		{
			name: "short password is the only secret",
			files: map[string]string{
				"nats.conf":            "port: 4222\nauthorization {\n  user: a\n  password: \"ab1\"\n}\n",
				"streams/orders.json":  stream,
				"nats-empty-pass.conf": "port: 4223\nauthorization {\n  user: b\n  password: \"\"\n}\n",
			},
			secret: []string{"nats.conf"},
			clean:  []string{"streams/orders.json", "nats-empty-pass.conf"},
			facts:  []string{"nats.conf"},
		},
		{
			name: "included file and a config variable",
			files: map[string]string{
				"nats.conf":   "port: 4222\ninclude \"auth.conf\"\n",
				"auth.conf":   "authorization { user: a, password: \"x9\" }\n",
				"leaf.conf":   "PASS: \"q2\"\nport: 4333\nauthorization { user: c, password: $PASS }\n",
				"bcrypt.conf": "port: 4444\nauthorization { user: d, password: \"$2a$11$7nTqmVKOO/2b5AZFitsEVeIXwgwYlqSO6EspUQLROTdhEJXohU4Ya\" }\n",
			},
			secret: []string{"auth.conf", "leaf.conf"},
			clean:  []string{"nats.conf", "bcrypt.conf"},
			facts:  []string{"auth.conf", "leaf.conf"},
		},
		{
			name: "compose flags, environment, env file and other services",
			files: map[string]string{
				"docker-compose.yml": "services:\n  nats:\n    image: nats:2.10.24\n    command: [\"--user\", \"a\", \"--pass\", \"pw\"]\n",
				"app/compose.yaml":   "services:\n  nats:\n    image: nats:2.10.24\n    command: [\"-c\", \"/etc/nats/nats.conf\"]\n    env_file: [.env]\n    volumes: [\"./nats.conf:/etc/nats/nats.conf\"]\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: z1\n",
				"app/nats.conf":      "port: 4222\nauthorization { user: a, password: $NATS_PASSWORD }\n",
				"app/.env":           "NATS_PASSWORD=k4\n",
				"plain/.env":         "NATS_LOG_LEVEL=debug\nNATS_PORT=4222\n",
				"plain/compose.yaml": "services:\n  nats:\n    image: nats:2.10.24\n    env_file: [.env]\n",
			},
			secret: []string{"docker-compose.yml", "app/compose.yaml", "app/.env"},
			clean:  []string{"app/nats.conf", "plain/.env", "plain/compose.yaml"},
			facts:  []string{"docker-compose.yml", "app/.env"},
		},
		{
			name: "keys, creds and Kubernetes Secrets",
			files: map[string]string{
				"user.creds":      "-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiJYIiwiaWF0IjoxNzAwMDAwMDAwLCJpc3MiOiJBQTMzIiwibmFtZSI6InUiLCJzdWIiOiJVQUIiLCJuYXRzIjp7InR5cGUiOiJ1c2VyIiwidmVyc2lvbiI6Mn19.c2ln\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\nSUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY\n------END USER NKEY SEED------\n",
				"k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: nats-auth\ntype: Opaque\nstringData:\n  NATS_PASS: \"m3\"\n",
				"k8s/nats.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nats-config\ndata:\n  nats.conf: |\n    port: 4222\n",
				"nats.conf":       "port: 4222\n",
			},
			secret: []string{"user.creds", "k8s/secret.yaml"},
			clean:  []string{"k8s/nats.yaml", "nats.conf"},
			facts:  []string{"user.creds", "k8s/secret.yaml"},
		},
		{
			name: "a file that does not parse",
			files: map[string]string{
				"nats.conf":   "port: 4222\n",
				"broken.conf": "port: 4223\nauthorization {\n  token: \"t5\"\n",
			},
			secret: []string{"broken.conf"},
			clean:  []string{"nats.conf"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sums := map[string]string{}
			for p, c := range tc.files {
				if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
				s := sha256.Sum256([]byte(c))
				sums[p] = hex.EncodeToString(s[:])
			}
			res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: now, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			r := res.Report
			known := audit.SecretFiles(res.Inventory)
			for _, p := range tc.facts {
				if !known[p] {
					t.Errorf("%s: the inventory's facts do not say it holds a secret (they say %v)", p, known)
				}
			}
			for _, p := range tc.clean {
				if known[p] {
					t.Errorf("%s: the inventory's facts say it holds a secret", p)
				}
			}
			got := map[string]report.FileDigest{}
			var lines strings.Builder
			prev := ""
			for _, fd := range r.Scan.FileDigests {
				if fd.Path <= prev || filepath.IsAbs(fd.Path) || strings.HasPrefix(fd.Path, "..") {
					t.Errorf("file digests not sorted relative paths: %q after %q", fd.Path, prev)
				}
				prev = fd.Path
				got[fd.Path] = fd
				if fd.SHA256 != "" {
					fmt.Fprintf(&lines, "%s  %s\n", fd.SHA256, fd.Path)
				}
			}
			for _, p := range tc.secret {
				if fd, ok := got[p]; !ok || fd.SHA256 != "" || fd.Withheld == "" {
					t.Errorf("%s: %+v (listed %v), want its digest withheld", p, fd, ok)
				}
			}
			for _, p := range tc.clean {
				if fd := got[p]; fd.SHA256 != sums[p] {
					t.Errorf("%s: digest %+v, want %s", p, fd, sums[p])
				}
			}
			s := sha256.Sum256([]byte(lines.String()))
			if want := hex.EncodeToString(s[:]); r.Scan.FilesSHA256 != want {
				t.Errorf("files_sha256 = %q, want %s", r.Scan.FilesSHA256, want)
			}
			for _, format := range report.Formats {
				var b strings.Builder
				if err := report.Render(format, &b, r, report.RenderOptions{Rules: eng.Rules(), Provenance: &report.Provenance{}}); err != nil {
					t.Fatal(err)
				}
				for _, p := range tc.secret {
					if strings.Contains(b.String(), sums[p][:12]) {
						t.Errorf("%s report quotes the digest of %s, which holds a secret", format, p)
					}
				}
			}
		})
	}
}
