package assemble

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// extends: and include: read only files of the scanned tree: a link that
// leads out of it, a path with .. above the root, an absolute path and a
// file in .git are never read (their services are not audited; a note says
// why).
func TestComposeReadsStayInTree(t *testing.T) {
	outside := t.TempDir()
	secretFile := filepath.Join(outside, "secret.yml")
	if err := os.WriteFile(secretFile, []byte("services:\n  leaked:\n    image: nats:2.10.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	files := map[string]string{
		"docker-compose.yml": `include:
  - link.yml
  - ../` + filepath.Base(outside) + `/secret.yml
  - ` + secretFile + `
  - .git/hooks.yml
services:
  nats:
    extends:
      file: link.yml
      service: leaked
`,
		".git/hooks.yml": "services:\n  gitsvc:\n    image: nats:2.10.2\n",
	}
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(secretFile, filepath.Join(root, "link.yml")); err != nil {
		t.Skip("no symlinks:", err)
	}
	inv := build(t, root)
	for _, s := range inv.Servers {
		if s.Name == "leaked" || s.Name == "gitsvc" || (s.Deployment != nil && strings.HasPrefix(s.Deployment.Image, "nats:2.10.")) {
			t.Errorf("a service from outside the tree was audited: %s (%s)", s.Name, s.Deployment.Image)
		}
	}
	notes := strings.Join(inv.Notes, "\n")
	for _, want := range []string{"include: link.yml is not in the scanned tree", "include: .git/hooks.yml is not in the scanned tree", "extends leaked from link.yml, which is not in the scanned tree"} {
		if !strings.Contains(notes, want) {
			t.Errorf("no note %q in\n%s", want, notes)
		}
	}
}
