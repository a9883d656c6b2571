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

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
)

// Every file the report lists as read has the SHA-256 of its bytes on
// disk, by its path relative to the project root, and files_sha256 is
// what `sha256sum FILE... | sha256sum` prints from the project root (the
// lines are computed here the way coreutils writes them). An included
// config (read by the natsconf source, not by the walk) is hashed too.
func TestFileDigestsMatchSha256sum(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"nats.conf":          "port: 4222\ninclude \"auth/users.conf\"\n",
		"auth/users.conf":    "authorization { user: a, password: \"$2a$11$abcdefghijklmnopqrstuv1234567890abcdefghijklmnopqrstu\" }\n",
		"docker-compose.yml": "services:\n  nats:\n    image: nats:2.10.24\n    command: [\"-c\", \"/etc/nats/nats.conf\"]\n    volumes: [\"./nats.conf:/etc/nats/nats.conf\"]\n",
	}
	for p, c := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := scan(t, eng, dir)
	if len(r.Scan.Files) < 3 {
		t.Fatalf("files read = %v, want the three inputs", r.Scan.Files)
	}
	var lines strings.Builder
	for _, p := range r.Scan.Files {
		if filepath.IsAbs(p) || strings.HasPrefix(p, "..") {
			t.Errorf("path %q is not relative to the project root", p)
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		want := hex.EncodeToString(s[:])
		if got := r.Scan.FileSHA256[p]; got != want {
			t.Errorf("file_sha256[%s] = %q, want %s", p, got, want)
		}
		fmt.Fprintf(&lines, "%s  %s\n", want, p)
	}
	if _, ok := r.Scan.FileSHA256["auth/users.conf"]; !ok {
		t.Errorf("the included file has no digest: %v", r.Scan.FileSHA256)
	}
	s := sha256.Sum256([]byte(lines.String()))
	if want := hex.EncodeToString(s[:]); r.Scan.FilesSHA256 != want {
		t.Errorf("files_sha256 = %q, want %s (sha256sum of:\n%s)", r.Scan.FilesSHA256, want, lines.String())
	}
	if got := report.FilesDigest(nil, nil); got != "" {
		t.Errorf("FilesDigest of nothing = %q, want empty", got)
	}
}
