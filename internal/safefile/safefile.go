// Package safefile is how natsaudit touches the file system where the
// scanned tree could have planted a symbolic link. In CI the tree is a pull
// request: whoever wrote it chooses its file names, its links and their
// targets. So:
//
//   - Reads inside a tree (Root) open a file only when its real path, every
//     link resolved, is inside the tree's real path and not inside its
//     version-control metadata (.git, .hg, .svn), and only a regular file,
//     of bounded size, without blocking.
//   - Paths named on the command line (Guard) are the user's choice, except
//     for the part of them the tree could have planted: below the working
//     directory or a scanned directory, a link must not lead out of it or
//     into .git; elsewhere, a path that is itself a link must stay in its
//     own directory.
//   - Writes (Guard.WriteFile) never go through a link: not at the file
//     itself (anywhere), not at a directory on the way below the working
//     directory or a scanned directory. The file is written to a temporary
//     file in the same directory and renamed over the path, so a reader
//     never sees half a report and a hard link is replaced, not written
//     through.
//
// What is not promised: natsaudit checks and then opens. A process racing
// on the same machine to swap a checked directory for a link (between the
// check and the open) is outside the threat model, which is a tree of files
// written in advance (docs/robustness.md).
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PrivateDirs are directory names whose content is never read through a
// link or an include, whatever its name: version-control metadata holds
// remotes, credentials and CI tokens (actions/checkout's extraheader).
var PrivateDirs = []string{".git", ".hg", ".svn"}

// IsPrivate reports whether a path component is one of PrivateDirs. The
// comparison ignores case: on a case-insensitive file system .GIT is .git.
func IsPrivate(name string) bool {
	for _, d := range PrivateDirs {
		if strings.EqualFold(name, d) {
			return true
		}
	}
	return false
}

// privateIn returns the first private component of rel (a relative,
// cleaned path), or "".
func privateIn(rel string) string {
	for _, c := range strings.Split(filepath.ToSlash(rel), "/") {
		if IsPrivate(c) {
			return c
		}
	}
	return ""
}

// Within reports whether p is root or below it (both absolute, cleaned).
func Within(root, p string) bool {
	r, err := filepath.Rel(root, p)
	return err == nil && !filepath.IsAbs(r) && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// Errors of reads inside a tree.
var (
	ErrOutside = errors.New("points outside the scanned tree; not read")
	ErrBadLink = errors.New("broken or looping symlink")
)

// PrivateError is a path that resolves into version-control metadata.
type PrivateError struct{ Dir string }

func (e *PrivateError) Error() string { return fmt.Sprintf("resolves into %s/; not read", e.Dir) }

// Root confines reads to a directory tree.
type Root struct {
	dir  string // absolute, as given
	real string // with every link resolved
	what string // how messages name it: "the scanned tree", "the working directory"
}

// NewRoot returns the tree at dir.
func NewRoot(dir string) *Root { return newRoot(dir, "the scanned tree") }

func newRoot(dir, what string) *Root {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = filepath.Clean(dir)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		real = abs
	}
	return &Root{dir: abs, real: real, what: what}
}

// Dir is the tree's directory, absolute, as given.
func (r *Root) Dir() string { return r.dir }

// contains reports whether p (absolute, cleaned) is lexically in the tree.
func (r *Root) contains(p string) bool { return Within(r.dir, p) || Within(r.real, p) }

// Resolve returns the real path of p, a path in the tree, when the file
// there may be read: every link resolved, it is still inside the tree and
// not inside .git (or .hg, .svn). The path is checked before the file
// system is touched, and again once links are resolved.
func (r *Root) Resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if !r.contains(abs) {
		return "", ErrOutside
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", describeOpenError(err)
		}
		return "", ErrBadLink
	}
	if !Within(r.real, real) {
		return "", ErrOutside
	}
	rel, _ := filepath.Rel(r.real, real)
	if d := privateIn(rel); d != "" {
		return "", &PrivateError{Dir: d}
	}
	return real, nil
}

// ReadFile reads the regular file at p in the tree (see Resolve) of at most
// max bytes (max <= 0: DefaultMaxSize).
func (r *Root) ReadFile(p string, max int64) ([]byte, error) {
	real, err := r.Resolve(p)
	if err != nil {
		return nil, err
	}
	return ReadRegular(real, max)
}

// Guard checks the paths named on the command line against the trees a
// planted link could lead out of: the working directory and the scanned
// directories.
type Guard struct {
	roots []*Root // the most specific first
}

// NewGuard guards the scanned directories dirs and the working directory.
func NewGuard(dirs ...string) *Guard {
	g := &Guard{}
	for _, d := range dirs {
		g.roots = append(g.roots, NewRoot(d))
	}
	if wd, err := os.Getwd(); err == nil {
		g.roots = append(g.roots, newRoot(wd, "the working directory"))
	}
	return g
}

// LinkError is a command-line path refused because of a link in it.
type LinkError struct {
	Link    string // the link, as the path names it; "" when it is the path itself
	Out     string // what it leads out of ("the working directory", "its directory")
	Private string // or the private directory it leads into
}

func (e *LinkError) Error() string {
	var what string
	if e.Private != "" {
		what = "is a symbolic link into " + e.Private + "/; not read"
	} else {
		what = "is a symbolic link out of " + e.Out + "; not read"
	}
	if e.Link == "" {
		if e.Private == "" {
			what += " (name the file itself)"
		}
		return what
	}
	return e.Link + " " + what
}

// Check returns the real path of p, a path named on the command line, or
// why it is refused:
//
//   - below a guarded tree (the working directory, a scanned directory), p
//     is read like a file of that tree: once links are resolved it must
//     still be inside it, and not inside .git, .hg or .svn unless p itself
//     names that directory;
//   - elsewhere, p is the user's choice; only when p itself is a link, its
//     target must be in p's own directory (and not in .git).
//
// Links above a guarded tree (/tmp -> /private/tmp, a linked home) are the
// user's, and followed.
func (g *Guard) Check(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if _, err := os.Lstat(abs); err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", describeOpenError(err)
		}
		return "", ErrBadLink
	}
	guarded := false
	for _, r := range g.roots {
		if !Within(r.dir, abs) {
			continue
		}
		guarded = true
		if err := r.check(p, abs, real); err != nil {
			return "", err
		}
	}
	if guarded {
		return real, nil
	}
	// Not in a guarded tree: only the link at p itself is looked at.
	st, err := os.Lstat(abs)
	if err != nil || st.Mode()&fs.ModeSymlink == 0 {
		return real, nil
	}
	parent := newRoot(filepath.Dir(abs), "its directory")
	if err := parent.check(p, abs, real); err != nil {
		return "", err
	}
	return real, nil
}

// check applies the tree rule to abs (lexically in r) whose real path is real.
func (r *Root) check(p, abs, real string) error {
	rel, _ := filepath.Rel(r.dir, abs)
	named := privateIn(rel)
	realRel, err := filepath.Rel(r.real, real)
	out := err != nil || !Within(r.real, real)
	private := ""
	if !out && named == "" {
		private = privateIn(realRel)
	}
	if !out && private == "" {
		return nil
	}
	e := &LinkError{Out: r.what, Private: private, Link: firstLink(p, r.dir, abs)}
	return e
}

// firstLink names (as p names it) the first link on the way from dir to
// abs, "" when it is abs itself (or none is found).
func firstLink(p, dir, abs string) string {
	rel, err := filepath.Rel(dir, abs)
	if err != nil || rel == "." {
		return ""
	}
	parts := strings.Split(rel, string(filepath.Separator))
	cur := dir
	for i, c := range parts {
		cur = filepath.Join(cur, c)
		st, err := os.Lstat(cur)
		if err != nil {
			return ""
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			if i == len(parts)-1 {
				return ""
			}
			return display(p, abs, cur)
		}
	}
	return ""
}

// display names the component c of abs the way the user's path p does.
func display(p, abs, c string) string {
	up, _ := filepath.Rel(c, abs) // how many components c is above abs
	n := len(strings.Split(up, string(filepath.Separator)))
	q := filepath.Clean(p)
	for range n {
		q = filepath.Dir(q)
	}
	return q
}

// ReadFile reads p, a path named on the command line, if Check allows it:
// a regular file of at most max bytes (max <= 0: DefaultMaxSize).
func (g *Guard) ReadFile(p string, max int64) ([]byte, error) {
	real, err := g.Check(p)
	if err != nil {
		return nil, err
	}
	return ReadRegular(real, max)
}
