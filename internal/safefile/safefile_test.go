package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// tree lays out files ("path": content) and links ("path": "-> target").
func tree(t *testing.T, dir string, entries map[string]string) {
	t.Helper()
	for p, v := range entries {
		full := filepath.Join(dir, p)
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		if target, ok := strings.CutPrefix(v, "-> "); ok {
			must(t, os.Symlink(target, full))
			continue
		}
		must(t, os.WriteFile(full, []byte(v), 0o644))
	}
}

const secret = "SECRETMARK"

// outsideFile is a file outside every tree of a test, with the marker.
func outsideFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "credentials")
	must(t, os.WriteFile(p, []byte("https://ci:"+secret+"@github.com\n"), 0o644))
	return p
}

// Reads inside a tree follow links only to regular files whose real path
// is inside the tree and outside .git/.hg/.svn, whatever the link is named
// and however many links or directory links are on the way.
func TestRootReadFile(t *testing.T) {
	dir := t.TempDir()
	out := outsideFile(t)
	tree(t, dir, map[string]string{
		"nats.conf":             "port: 4222\n",
		"sub/inc.conf":          "server_name: a\n",
		".git/config":           "extraheader = AUTHORIZATION: basic " + secret + "\n",
		".GIT/config":           secret + "\n",
		".hg/hgrc":              secret + "\n",
		".svn/entries":          secret + "\n",
		"link.conf":             "-> sub/inc.conf",
		"chain.conf":            "-> link.conf",
		"env":                   "-> .git/config",
		".env":                  "-> ./sub/../.git/config",
		"upper.conf":            "-> .GIT/config",
		"hg.conf":               "-> .hg/hgrc",
		"svn.conf":              "-> .svn/entries",
		"gitdir":                "-> .git",
		"out.conf":              "-> " + out,
		"outchain.conf":         "-> out.conf",
		"outdir":                "-> " + filepath.Dir(out),
		"rel-out.conf":          "-> ../../../../../../../../etc/passwd",
		"broken.conf":           "-> missing.conf",
		"loop-a.conf":           "-> loop-b.conf",
		"loop-b.conf":           "-> loop-a.conf",
		"sub/up.conf":           "-> ../nats.conf",
		"sub/upgit.conf":        "-> ../.git/config",
		"sub/deeper/sub-up.env": "-> ../../gitdir/config",
	})
	var private *PrivateError
	for _, tc := range []struct {
		path string
		want string // content, or the error
	}{
		{"nats.conf", "port: 4222\n"},
		{"link.conf", "server_name: a\n"},
		{"chain.conf", "server_name: a\n"},
		{"sub/up.conf", "port: 4222\n"},
		{"env", "resolves into .git/; not read"},
		{".env", "resolves into .git/; not read"},
		{"upper.conf", "resolves into .GIT/; not read"},
		{"hg.conf", "resolves into .hg/; not read"},
		{"svn.conf", "resolves into .svn/; not read"},
		{"gitdir/config", "resolves into .git/; not read"},
		{".git/config", "resolves into .git/; not read"},
		{"sub/upgit.conf", "resolves into .git/; not read"},
		{"sub/deeper/sub-up.env", "resolves into .git/; not read"},
		{"out.conf", ErrOutside.Error()},
		{"outchain.conf", ErrOutside.Error()},
		{"outdir/credentials", ErrOutside.Error()},
		{"rel-out.conf", ErrOutside.Error()},
		{"../../../../etc/passwd", ErrOutside.Error()},
		{out, ErrOutside.Error()},
		{"broken.conf", "file not found"},
		{"loop-a.conf", ErrBadLink.Error()},
		{"sub", ErrIsDir.Error()},
	} {
		p := tc.path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		// The same tree, named through a link to it (a checkout under a
		// linked home): the rule is about real paths.
		for _, root := range []*Root{NewRoot(dir), NewRoot(linkTo(t, dir))} {
			data, err := root.ReadFile(p, 0)
			got := string(data)
			if err != nil {
				got = err.Error()
			}
			if got != tc.want || strings.Contains(got, secret) {
				t.Errorf("%s (root %s): got %q, want %q", tc.path, root.Dir(), got, tc.want)
			}
			if strings.HasPrefix(tc.want, "resolves into") && !errors.As(err, &private) {
				t.Errorf("%s: %T is not a *PrivateError", tc.path, err)
			}
		}
	}
}

func linkTo(t *testing.T, dir string) string {
	t.Helper()
	l := filepath.Join(t.TempDir(), "checkout")
	must(t, os.Symlink(dir, l))
	return l
}

// ReadRegular never follows a link at the path itself (it opens real
// paths; a link there was swapped in after the check), never blocks on a
// FIFO, and never reads more than the limit.
func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	out := outsideFile(t)
	tree(t, dir, map[string]string{"a.conf": "12345", "link.conf": "-> " + out})
	if _, err := ReadRegular(filepath.Join(dir, "link.conf"), 0); !errors.Is(err, ErrIsLink) {
		t.Errorf("link: %v", err)
	}
	if _, err := ReadRegular(filepath.Join(dir, "a.conf"), 4); err == nil || !strings.Contains(err.Error(), "over the 4-byte limit") {
		t.Errorf("limit: %v", err)
	}
	if b, err := ReadRegular(filepath.Join(dir, "a.conf"), 5); err != nil || string(b) != "12345" {
		t.Errorf("read: %q %v", b, err)
	}
	if runtime.GOOS != "windows" {
		must(t, syscall.Mkfifo(filepath.Join(dir, "fifo.conf"), 0o644))
		if _, err := ReadRegular(filepath.Join(dir, "fifo.conf"), 0); !errors.Is(err, ErrNotRegular) {
			t.Errorf("FIFO: %v", err)
		}
	}
}

// Command-line paths: below the working directory (or a scanned
// directory), a link must not lead out of it or into .git; elsewhere only
// a link at the path itself is checked, against its own directory.
func TestGuardCheck(t *testing.T) {
	wd := t.TempDir()
	scanned := filepath.Join(wd, "repo")
	elsewhere := t.TempDir()
	out := outsideFile(t)
	tree(t, wd, map[string]string{
		"repo/nats.conf":         "port: 4222\n",
		"repo/.git/config":       secret,
		"repo/.natsaudit.yaml":   "-> ci/natsaudit.yaml",
		"repo/ci/natsaudit.yaml": "version: 1\n",
		"repo/ci.yaml":           "-> " + out,
		"repo/up.yaml":           "-> ../shared.yaml",
		"shared.yaml":            "version: 1\n",
		"repo/git.json":          "-> .git/config",
		"repo/ext":               "-> " + filepath.Dir(out),
		"repo/gitdir":            "-> .git",
		"local.yaml":             "-> " + out,
	})
	tree(t, elsewhere, map[string]string{
		"base.json":        "{}",
		"link.json":        "-> base.json",
		"out.json":         "-> " + out,
		"git.json":         "-> .git/config",
		".git/config":      secret,
		"linked/base.json": "-> ../base.json",
	})
	must(t, os.Symlink(filepath.Dir(out), filepath.Join(elsewhere, "dirlink")))
	t.Chdir(wd)
	for _, tc := range []struct {
		guard []string
		path  string
		want  string // "" allowed
	}{
		{nil, "repo/nats.conf", ""},
		{nil, "repo/.natsaudit.yaml", ""},
		{nil, "repo/up.yaml", ""}, // out of the repo, still in the working directory
		{[]string{"repo"}, "repo/up.yaml", "is a symbolic link out of the scanned tree; not read (name the file itself)"},
		{nil, "repo/ci.yaml", "is a symbolic link out of the working directory; not read (name the file itself)"},
		{[]string{"repo"}, "repo/ci.yaml", "is a symbolic link out of the scanned tree; not read (name the file itself)"},
		{nil, "local.yaml", "is a symbolic link out of the working directory; not read (name the file itself)"},
		{nil, "repo/git.json", "is a symbolic link into .git/; not read"},
		{nil, "repo/gitdir/config", "repo/gitdir is a symbolic link into .git/; not read"},
		{nil, "repo/.git/config", ""}, // named by the user
		{nil, "repo/ext/credentials", "repo/ext is a symbolic link out of the working directory; not read"},
		{nil, "./repo/../repo/ext/credentials", "repo/ext is a symbolic link out of the working directory; not read"},
		{nil, filepath.Join(scanned, "ext/credentials"), filepath.Join(scanned, "ext") + " is a symbolic link out of the working directory; not read"},
		{nil, "repo/missing.yaml", "no such file or directory"},
		// Outside every guarded tree: the user's paths; only a link at
		// the path itself must stay in its directory.
		{nil, filepath.Join(elsewhere, "base.json"), ""},
		{nil, filepath.Join(elsewhere, "link.json"), ""},
		{nil, filepath.Join(elsewhere, "linked/base.json"), "is a symbolic link out of its directory; not read (name the file itself)"},
		{nil, filepath.Join(elsewhere, "out.json"), "is a symbolic link out of its directory; not read (name the file itself)"},
		{nil, filepath.Join(elsewhere, "git.json"), "is a symbolic link into .git/; not read"},
		{nil, filepath.Join(elsewhere, "dirlink/credentials"), ""},
		{nil, out, ""},
	} {
		g := NewGuard(tc.guard...)
		_, err := g.Check(tc.path)
		got := ""
		if err != nil {
			got = CleanErr(err).Error()
		}
		if got != tc.want {
			t.Errorf("guard %v, %s: got %q, want %q", tc.guard, tc.path, got, tc.want)
		}
		data, err := g.ReadFile(tc.path, 0)
		if tc.want != "" && (err == nil || strings.Contains(string(data), secret)) {
			t.Errorf("guard %v, %s: read %q", tc.guard, tc.path, data)
		}
	}
}

// Writes never go through a link: not at the file (anywhere), not at a
// directory on the way below a guarded tree. The target of a refused link
// is left as it was; nothing is created through a dangling one.
func TestWriteFile(t *testing.T) {
	wd := t.TempDir()
	elsewhere := t.TempDir()
	out := outsideFile(t)
	outDir := filepath.Dir(out)
	tree(t, wd, map[string]string{
		"repo/natsaudit.md":  "-> " + out,
		"repo/dangling.json": "-> " + filepath.Join(outDir, "created.json"),
		"repo/reports":       "-> " + outDir,
		"repo/deep/a/b":      "-> " + outDir,
		"repo/existing.md":   "old\n",
		"repo/hardlinked.md": "old\n",
		"repo/file":          "x",
		"repo/dir/keep":      "",
		"repo/internal.md":   "-> existing.md",
	})
	tree(t, elsewhere, map[string]string{"link": "-> " + outDir, "out.md": "-> " + out})
	must(t, os.Link(filepath.Join(wd, "repo/hardlinked.md"), filepath.Join(outDir, "hardlink-elsewhere.md")))
	if runtime.GOOS != "windows" {
		must(t, syscall.Mkfifo(filepath.Join(wd, "repo/fifo.md"), 0o644))
	}
	t.Chdir(wd)
	for _, tc := range []struct {
		guard []string
		path  string
		want  string // "" written
	}{
		{nil, "repo/natsaudit.md", "is a symbolic link; natsaudit never writes through links (remove it or write elsewhere)"},
		{nil, "repo/internal.md", "is a symbolic link; natsaudit never writes through links (remove it or write elsewhere)"},
		{nil, "repo/dangling.json", "is a symbolic link; natsaudit never writes through links (remove it or write elsewhere)"},
		{nil, "repo/reports/natsaudit.json", "repo/reports is a symbolic link; natsaudit never writes through links"},
		{nil, "repo/reports/new/natsaudit.json", "repo/reports is a symbolic link; natsaudit never writes through links"},
		{nil, "repo/deep/a/b/c/natsaudit.json", "repo/deep/a/b is a symbolic link; natsaudit never writes through links"},
		{[]string{"repo"}, filepath.Join(wd, "repo/reports/x.json"), filepath.Join(wd, "repo/reports") + " is a symbolic link; natsaudit never writes through links"},
		{nil, "repo/file/x.json", "repo/file is not a directory"},
		{nil, "repo/dir", "is a directory"},
		{nil, "repo/fifo.md", "is not a regular file (a FIFO, device or socket); not written"},
		{nil, filepath.Join(elsewhere, "out.md"), "is a symbolic link; natsaudit never writes through links (remove it or write elsewhere)"},
		// Written: new files and directories, replaced files, and a path
		// outside every guarded tree through the user's own directory link.
		{nil, "repo/new.md", ""},
		{nil, "repo/out/sub/new.json", ""},
		{nil, "repo/existing.md", ""},
		{nil, "repo/hardlinked.md", ""},
		{nil, filepath.Join(elsewhere, "link", "report.md"), ""},
		{nil, "/dev/null", ""},
	} {
		err := NewGuard(tc.guard...).WriteFile(tc.path, []byte("new report\n"))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("guard %v, %s: got %q, want %q", tc.guard, tc.path, got, tc.want)
			continue
		}
		if got == "" && tc.path != "/dev/null" {
			if b, err := os.ReadFile(tc.path); err != nil || string(b) != "new report\n" {
				t.Errorf("%s: wrote %q, %v", tc.path, b, err)
			}
			if st, err := os.Lstat(tc.path); err != nil || !st.Mode().IsRegular() {
				t.Errorf("%s: not a regular file after the write", tc.path)
			}
		}
	}
	// Nothing outside was modified or created through a link; the other
	// name of the hard link keeps its content.
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), secret) {
		t.Errorf("the link target was overwritten: %q", b)
	}
	for _, p := range []string{"created.json", "natsaudit.json", "new", "c", "x.json"} {
		if _, err := os.Lstat(filepath.Join(outDir, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s was created through a link", p)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(outDir, "hardlink-elsewhere.md")); string(b) != "old\n" {
		t.Errorf("written through a hard link: %q", b)
	}
	// No temporary file is left behind, written or refused.
	filepath.WalkDir(wd, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}
