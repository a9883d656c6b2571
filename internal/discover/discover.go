// Package discover walks the scanned paths and classifies the files natsaudit
// understands, by name and, where names are ambiguous, by content.
package discover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/natsaudit/natsaudit/internal/safefile"
)

// Kinds of input.
const (
	KindNatsConf   = "nats_conf"
	KindCompose    = "compose"
	KindEnv        = "env"
	KindStream     = "stream" // JSON or YAML that may hold stream/consumer definitions
	KindCert       = "certificate"
	KindPrivateKey = "private_key"
	KindCreds      = "creds"
	KindNkeySeed   = "nkey_seed"
	KindKube       = "kubernetes"   // Kubernetes manifests (apiVersion + kind)
	KindHelmChart  = "helm_chart"   // a Chart.yaml
	KindHelmValues = "helm_values"  // values.yaml, values-prod.yaml, nats-values.yaml, ...
	KindJWT        = "jwt"          // a NATS user/account/operator JWT (resolver dirs, operator: files)
	KindContext    = "nats_context" // a NATS CLI context (JSON)
	KindScript     = "script"       // a shell script that mentions nats
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
}

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
			if kind, _ := classifyName(rel(absBase, fp), false); kind != "" {
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
	kind, sniff := classifyName(relp, explicit)
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
	if kind == "" || kind == KindCert || kind == KindStream || kind == KindScript {
		kind = classifyContent(relp, data, kind, explicit)
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
	r.Files = append(r.Files, &File{Root: root, Abs: abs, Rel: relp, Kind: kind, Data: data, Explicit: explicit})
}

var (
	composeName = regexp.MustCompile(`^(docker-)?compose([.-][A-Za-z0-9_.-]+)?\.ya?ml$`)
	envName     = regexp.MustCompile(`^(\.env(\..+)?|.+\.env)$`)
	confName    = regexp.MustCompile(`(?i)\.(conf|cfg)$|(?i)nats[^/]*\.(conf|cfg|config)$`)
	// helmValuesName: values.yaml and its variants (values-prod.yaml,
	// values.prod.yaml, nats-values.yaml, values_dev.yml).
	helmValuesName = regexp.MustCompile(`^(.*[-_.])?values([-_.].*)?\.ya?ml$`)
)

// classifyName returns a kind decided by name, or sniff=true when the content
// must decide.
func classifyName(relp string, explicit bool) (kind string, sniff bool) {
	base := path.Base(relp)
	lower := strings.ToLower(base)
	switch {
	case composeName.MatchString(lower):
		return KindCompose, false
	case base == "Chart.yaml" || base == "Chart.yml":
		return KindHelmChart, false
	case helmValuesName.MatchString(lower):
		return KindHelmValues, false
	case envName.MatchString(lower) && !strings.HasSuffix(lower, ".envrc"):
		return KindEnv, false
	case confName.MatchString(base):
		return KindNatsConf, false
	case strings.HasSuffix(lower, ".creds"):
		return KindCreds, false
	case strings.HasSuffix(lower, ".jwt"):
		return KindJWT, false
	case strings.HasSuffix(lower, ".nk") || strings.HasSuffix(lower, ".seed"):
		return KindNkeySeed, false
	case hasExt(lower, ".crt", ".pem", ".cer", ".key", ".p8"):
		return KindCert, true
	case hasExt(lower, ".json", ".yaml", ".yml"):
		return KindStream, true
	case hasExt(lower, ".sh", ".bash"):
		return KindScript, true
	case lower == "id_rsa" || lower == "id_ecdsa" || lower == "id_ed25519":
		return KindPrivateKey, false
	}
	// Files without an extension (or an unknown one) may be nats configs.
	if explicit || path.Ext(lower) == "" || hasExt(lower, ".txt", ".tmpl", ".tpl") {
		return "", true
	}
	return "", false
}

func hasExt(name string, exts ...string) bool {
	for _, e := range exts {
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}

var (
	natsConfSniff = regexp.MustCompile(`(?m)^\s*(jetstream|cluster|leafnodes|leaf|authorization|accounts|gateway|websocket|mqtt|tls)\s*[:=]?\s*\{|^\s*(http_port|monitor_port|max_payload|server_name|max_connections|no_auth_user|system_account|max_pending|write_deadline|lame_duck_duration)\s*[:=\s]`)
	pemCert       = []byte("-----BEGIN CERTIFICATE-----")
	pemPrivate    = regexp.MustCompile(`-----BEGIN ([A-Z ]*)PRIVATE KEY-----`)
	nackKind      = regexp.MustCompile(`(?m)^\s*apiVersion:\s*["']?jetstream\.nats\.io/`)
	streamJSON    = regexp.MustCompile(`"(num_replicas|retention|subjects|max_msgs|max_bytes|discard|storage|durable_name|ack_policy|max_deliver)"\s*:`)
	// contextURL and contextCreds: a NATS CLI context (natscontext.Parse
	// decides).
	contextURL   = regexp.MustCompile(`"url"\s*:`)
	contextCreds = regexp.MustCompile(`"(user|password|token)"\s*:`)
	// shebang of a POSIX shell script (an extensionless file).
	shellShebang = regexp.MustCompile(`^#!\s*(/usr)?/bin/(env\s+)?(ba|da|a|k|z)?sh\b`)
	// natsWord: a script mentions the nats CLI or nats-server.
	natsWord = regexp.MustCompile(`\bnats(-server)?\b`)
)

func classifyContent(relp string, data []byte, kind string, explicit bool) string {
	switch kind {
	case KindCert:
		if pemPrivate.Match(data) {
			return KindPrivateKey
		}
		if bytes.Contains(data, pemCert) {
			return KindCert
		}
		return ""
	case KindStream:
		if strings.HasSuffix(strings.ToLower(relp), ".json") {
			if streamJSON.Match(data) {
				return KindStream
			}
			if contextURL.Match(data) && contextCreds.Match(data) {
				return KindContext
			}
			return ""
		}
		if kubeManifest(data) {
			return KindKube
		}
		if nackKind.Match(data) {
			return KindStream
		}
		if IsComposeContent(data) {
			return KindCompose
		}
		return ""
	case KindScript:
		if looksText(data) && natsWord.Match(data) {
			return KindScript
		}
		return ""
	}
	if shellShebang.Match(data) {
		if natsWord.Match(data) {
			return KindScript
		}
		return ""
	}
	// Unknown extension: a nats config if it reads like one.
	if !looksText(data) {
		if explicit {
			return KindNatsConf // the user asked for it: report why it can't be read
		}
		return ""
	}
	if pemPrivate.Match(data) {
		return KindPrivateKey
	}
	if natsConfSniff.Match(data) || explicit {
		return KindNatsConf
	}
	return ""
}

var (
	composeServices = regexp.MustCompile(`(?m)^services:[ \t]*(#.*)?$`)
	// composeRunsNATS: a service line that runs NATS: an image named
	// nats/nats-server (also under a registry or mirror path), a command
	// or entrypoint running nats-server, or extends: of a file named like
	// NATS.
	composeRunsNATS = regexp.MustCompile(`(?mi)^[ \t]+(image:[ \t]*["']?[^\s"'#]*\bnats(-server)?([:@"'\s]|$)|(command|entrypoint):.*\bnats-server\b|-[ \t]+["']?[^\s"']*nats-server\b|file:[ \t]*["']?[^\s"']*nats[^\s"']*\.ya?ml)`)
)

// IsComposeContent reports whether a YAML file not named like a compose file
// is one: a top-level services: map whose services run NATS (allinone.yml,
// docker/brokers/nats.yml). Other YAML with services: (CI pipelines,
// unrelated stacks) is left alone.
func IsComposeContent(data []byte) bool {
	return composeServices.Match(data) && composeRunsNATS.Match(data)
}

var (
	apiVersionLine = regexp.MustCompile(`(?m)^\s*-?\s*["']?apiVersion["']?\s*:\s*["']?([^\s"'#]+)`)
	kindLine       = regexp.MustCompile(`(?m)^\s*-?\s*["']?kind["']?\s*:\s*\S`)
)

// kubeManifest: YAML with apiVersion and kind, at least one resource of
// which is not a NACK one (NACK-only files stay stream files).
func kubeManifest(data []byte) bool {
	if !kindLine.Match(data) {
		return false
	}
	for _, m := range apiVersionLine.FindAllSubmatch(data, 64) {
		if !bytes.HasPrefix(m[1], []byte("jetstream.nats.io/")) {
			return true
		}
	}
	return false
}

func looksText(data []byte) bool {
	n := len(data)
	if n > 8000 {
		n = 8000
	}
	return !bytes.ContainsRune(data[:n], 0)
}

func rel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil || strings.HasPrefix(r, "..") {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

func cleanErr(err error) error { return safefile.CleanErr(err) }
