// Package discover walks the scanned paths and asks the registered sources
// (package source/registry) which files they read, by name and, where names
// are ambiguous, by content.
package discover

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/source"
	"github.com/natsaudit/natsaudit/internal/source/certs"
	"github.com/natsaudit/natsaudit/internal/source/compose"
	"github.com/natsaudit/natsaudit/internal/source/dotenv"
	"github.com/natsaudit/natsaudit/internal/source/helm"
	"github.com/natsaudit/natsaudit/internal/source/jwtclaims"
	"github.com/natsaudit/natsaudit/internal/source/kube"
	"github.com/natsaudit/natsaudit/internal/source/natsconf"
	"github.com/natsaudit/natsaudit/internal/source/natscontext"
	"github.com/natsaudit/natsaudit/internal/source/registry"
	"github.com/natsaudit/natsaudit/internal/source/shell"
	"github.com/natsaudit/natsaudit/internal/source/streams"
)

// Kinds of input, as the sources name them (package source/registry
// lists the sources; a new source's kind needs no constant here).
const (
	KindNatsConf   = natsconf.Kind
	KindCompose    = compose.Kind
	KindEnv        = dotenv.Kind
	KindStream     = streams.Kind // JSON or YAML that may hold stream/consumer definitions
	KindCert       = certs.KindCert
	KindPrivateKey = certs.KindPrivateKey
	KindCreds      = certs.KindCreds
	KindNkeySeed   = certs.KindNkeySeed
	KindKube       = kube.Kind        // Kubernetes manifests (apiVersion + kind)
	KindHelmChart  = helm.KindChart   // a Chart.yaml
	KindHelmValues = helm.KindValues  // values.yaml, values-prod.yaml, nats-values.yaml, ...
	KindJWT        = jwtclaims.Kind   // a NATS user/account/operator JWT (resolver dirs, operator: files)
	KindContext    = natscontext.Kind // a NATS CLI context (JSON)
	KindScript     = shell.Kind       // a shell script that mentions nats
)

// DefaultMaxSize is the largest file read; bigger files are skipped with a note.
const DefaultMaxSize = safefile.DefaultMaxSize

// File is a classified input with its content, read once.
type File struct {
	Root string // the scan root the file was found under, or an explicit file's directory (absolute)
	Abs  string // absolute path
	Rel  string // slash path relative to Root (what reports show)
	Kind string
	Data []byte
	// Explicit is set for a file named on the command line (not found by
	// walking a directory): the user asked for it, so it is read whatever
	// its content looks like.
	Explicit bool
	// source is the registered source that gave the file its kind.
	source source.Source
}

// Source is the registered source that gave the file its kind (nil for a
// File built by hand).
func (f *File) Source() source.Source { return f.source }

// Skipped is a file or directory the walk did not read, and why.
type Skipped struct {
	Path   string
	Reason string
}

// Result is the outcome of a walk.
type Result struct {
	Files   []*File
	Skipped []Skipped
	// All holds every regular file seen under the roots that may be read
	// (relative path → real path, links resolved and checked), so compose
	// bind mounts can be resolved to repo files and evidence lines read.
	All map[string]string
	// Excluded counts the directories and files --skip-dirs,
	// --skip-files and .natsauditignore left out.
	Excluded int
}

// Options tune the walk.
type Options struct {
	MaxSize int64
	// SkipDirs and SkipFiles are doublestar globs (--skip-dirs,
	// --skip-files) over report paths; a pattern without a slash also
	// matches a directory or file name anywhere ("testdata", "*.test.yml").
	SkipDirs, SkipFiles []string
	// Ignore holds the patterns of the project's .natsauditignore.
	Ignore *Ignore
}

// excluded reports whether relp (a report path) or its base name matches
// one of the patterns.
func excluded(patterns []string, relp string) bool {
	for _, p := range patterns {
		if ok, _ := doublestar.Match(p, relp); ok {
			return true
		}
		if !strings.Contains(p, "/") {
			if ok, _ := doublestar.Match(p, path.Base(relp)); ok {
				return true
			}
		}
	}
	return false
}

var skipDirs = map[string]bool{".git": true, "vendor": true, "node_modules": true, ".hg": true, ".svn": true}

// Walk discovers inputs under paths. A path may be a directory or a file. The
// relative paths in the result are relative to base (the directory reports
// are relative to).
//
// What is read (docs/robustness.md): a path named here is checked like any
// path of the command line (safefile.Guard: inside the working directory, a
// link must not lead out of it or into .git). Inside a scanned directory, a
// file is read only when its real path is in the directory's real path and
// not in .git, .hg or .svn (safefile.Root), whatever its name; directory
// links are never followed.
func Walk(ctx context.Context, base string, paths []string, opt Options) (*Result, error) {
	if opt.MaxSize <= 0 {
		opt.MaxSize = DefaultMaxSize
	}
	absBase, err := filepath.Abs(base)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", base, err)
	}
	res := &Result{All: map[string]string{}}
	seen := map[string]bool{}
	guard := safefile.NewGuard()
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", p, err)
		}
		real, err := guard.Check(p)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", p, cleanErr(err))
		}
		st, err := os.Stat(real)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", p, cleanErr(err))
		}
		if !st.IsDir() {
			res.add(absBase, abs, real, true, opt, seen)
			continue
		}
		if err := res.walkDir(ctx, absBase, abs, real, opt, seen); err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
	}
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Rel < res.Files[j].Rel })
	return res, nil
}

// walkDir walks the directory abs (real: its real path, walked when abs is
// itself a link, which WalkDir would not enter).
func (r *Result) walkDir(ctx context.Context, absBase, abs, real string, opt Options, seen map[string]bool) error {
	root := safefile.NewRoot(abs)
	start := abs
	if st, err := os.Lstat(abs); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		start = real
	}
	return filepath.WalkDir(start, func(wp string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		fp := wp
		if start != abs {
			rest, _ := filepath.Rel(start, wp)
			fp = filepath.Join(abs, rest)
		}
		if err != nil {
			r.Skipped = append(r.Skipped, Skipped{Path: rel(absBase, fp), Reason: cleanErr(err).Error()})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if wp != start && skipDirs[d.Name()] {
				return fs.SkipDir
			}
			if wp != start && (excluded(opt.SkipDirs, rel(absBase, fp)) || opt.Ignore.Match(rel(absBase, fp), true)) {
				r.Excluded++
				return fs.SkipDir
			}
			return nil
		}
		if excluded(opt.SkipFiles, rel(absBase, fp)) || opt.Ignore.Match(rel(absBase, fp), false) {
			r.Excluded++
			return nil
		}
		read := wp
		if d.Type()&fs.ModeSymlink != 0 {
			// Follow a link only to a regular file inside the scanned
			// tree and outside .git; never to a directory (loops).
			target, err := root.Resolve(fp)
			if err != nil {
				r.Skipped = append(r.Skipped, Skipped{Path: rel(absBase, fp), Reason: linkReason(err)})
				return nil
			}
			ts, err := os.Stat(target)
			if err != nil || ts.IsDir() {
				return nil // directory symlinks are not followed (loops)
			}
			read = target
		} else if !d.Type().IsRegular() {
			// FIFOs, sockets, devices: reported when named like an input.
			if kind, _, _ := classifyName(rel(absBase, fp), false); kind != "" {
				r.Skipped = append(r.Skipped, Skipped{Path: rel(absBase, fp), Reason: ErrNotRegular.Error()})
			}
			return nil
		}
		r.add(absBase, fp, read, false, opt, seen)
		return nil
	})
}

// linkReason says why a link in the tree is not followed.
func linkReason(err error) string {
	var pe *safefile.PrivateError
	switch {
	case errors.As(err, &pe):
		return "symlink points into " + pe.Dir + "/; not read"
	case errors.Is(err, safefile.ErrOutside):
		return "symlink points outside the scanned tree"
	}
	return "broken or looping symlink"
}

// add classifies and reads the file at abs (as reports name it), reading
// real (abs with its links resolved, already checked).
func (r *Result) add(base, abs, real string, explicit bool, opt Options, seen map[string]bool) {
	if seen[abs] {
		return
	}
	seen[abs] = true
	relp := rel(base, abs)
	kind, sniff, src := classifyName(relp, explicit)
	st, err := os.Stat(real)
	if err != nil {
		if kind != "" || explicit {
			r.Skipped = append(r.Skipped, Skipped{Path: relp, Reason: describeOpenError(err).Error()})
		}
		return
	}
	if !st.Mode().IsRegular() {
		// A FIFO would block the scan, a device never end: never read.
		if kind != "" || explicit {
			r.Skipped = append(r.Skipped, Skipped{Path: relp, Reason: ErrNotRegular.Error()})
		}
		return
	}
	r.All[relp] = real
	if kind == "" && !sniff {
		return
	}
	if st.Size() > opt.MaxSize {
		if kind != "" || explicit {
			r.Skipped = append(r.Skipped, Skipped{Path: relp, Reason: (&TooLargeError{Size: st.Size(), Max: opt.MaxSize}).Error()})
		}
		return
	}
	data, err := ReadRegular(real, opt.MaxSize)
	if err != nil {
		if kind != "" || explicit {
			r.Skipped = append(r.Skipped, Skipped{Path: relp, Reason: err.Error()})
		}
		return
	}
	if sniff {
		kind, src = classifyContent(relp, data, explicit)
	}
	if kind == "" {
		return
	}
	root := base
	if explicit {
		// A file named on the command line: its includes are read from its
		// own directory (and below), wherever the reports are relative to.
		root = filepath.Dir(abs)
	}
	r.Files = append(r.Files, &File{Root: root, Abs: abs, Rel: relp, Kind: kind, Data: data, Explicit: explicit, source: src})
}

// classifyName asks the registered sources what a file is by its name: the
// kind of the first source certain of it, or sniff=true when the content
// must decide (kind is then the kind a sniffing source would give, "" when
// only a fallback reads it).
func classifyName(relp string, explicit bool) (kind string, sniff bool, src source.Source) {
	base := path.Base(relp)
	fallback := false
	for _, s := range registry.Sources {
		switch m := s.Recognise(base, explicit); m.Level {
		case source.Certain:
			return m.Kind, false, s
		case source.Sniff:
			if kind == "" {
				kind = m.Kind
			}
		case source.Fallback:
			fallback = true
		}
	}
	if kind != "" {
		return kind, true, nil
	}
	return "", fallback, nil
}

// classifyContent offers a file to the sources that claim its name at the
// level its name reached (every source sniffing such names, else every
// fallback), in registry order: the first kind given decides.
func classifyContent(relp string, data []byte, explicit bool) (string, source.Source) {
	base := path.Base(relp)
	level := source.Fallback
	for _, s := range registry.Sources {
		if s.Recognise(base, explicit).Level == source.Sniff {
			level = source.Sniff
			break
		}
	}
	for _, s := range registry.Sources {
		if s.Recognise(base, explicit).Level != level {
			continue
		}
		switch kind := s.Content(relp, data, explicit); kind {
		case "":
		case source.Reject:
			return "", nil
		default:
			return kind, s
		}
	}
	return "", nil
}

// Comments is the comment syntax of a discovered file for inline ignores,
// as its source says.
func (f *File) Comments() source.Comments {
	if f.source == nil {
		return source.NoComments
	}
	return f.source.Comments(f.Kind, f.Rel)
}

func rel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil || strings.HasPrefix(r, "..") {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

func cleanErr(err error) error { return safefile.CleanErr(err) }
