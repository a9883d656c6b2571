// Package source is the seam between the formats natsaudit reads and the
// model: a Source says which files it reads (by name, and by the head of
// the content where names are ambiguous) and which comment syntax its
// inline ignores use; a Source that also implements Loader turns its files
// into model facts with positions. The registered sources are listed, one
// line each, in package source/registry; discover asks them what a file is,
// suppress asks them how its comments look, and assemble links the facts
// they give by what they mean (a workload, the config it runs, the
// environment it gets), not by their format.
package source

import (
	"bytes"
	"path"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// Level says how sure a source is of a file from its name alone.
type Level int

const (
	// None: the source does not read files named so.
	None Level = iota
	// Fallback: the name says nothing (no extension, .txt/.tmpl/.tpl, or a
	// file named on the command line that no source claims by name): the
	// content decides, after every source that claims the name.
	Fallback
	// Sniff: files named so are the source's when the content is (a
	// .yaml may be a manifest, a stream definition or a compose file).
	Sniff
	// Certain: the name decides (compose.yaml, nats.conf, x.creds).
	Certain
)

// Match is a source's answer about a name: the kind of input it would be,
// and how sure the name alone is.
type Match struct {
	Kind  string
	Level Level
}

// Reject is what Content answers for a file the source recognises as no
// input at all (a shell script that does not mention nats): no source
// after it is asked.
const Reject = "-"

// Comments is the comment syntax of a kind of file, for inline ignores.
type Comments int

const (
	// NoComments: the format has no comments (JSON, PEM): no inline ignores.
	NoComments Comments = iota
	// Hash: `#` to the end of the line (YAML, .env, unit files).
	Hash
	// HashSlash: `#` or `//` (nats.conf).
	HashSlash
)

// Source recognises the files of one format.
type Source interface {
	// Name is the source's name in the registry and in docs.
	Name() string
	// Recognise is asked about every file of the scanned tree, by its base
	// name; explicit is set for a file named on the command line.
	Recognise(base string, explicit bool) Match
	// Content decides a file the source matched at Sniff or Fallback level
	// from its content (rel is its report path): a kind, "" when it is not
	// the source's, or Reject.
	Content(rel string, data []byte, explicit bool) string
	// Comments is the comment syntax of a file of the kind (rel: its
	// report path) for inline ignores.
	Comments(kind, rel string) Comments
}

// File is an input handed to a Loader: a file discover gave the source's
// kind, read once.
type File struct {
	Rel      string // report path
	Kind     string
	Data     []byte
	Explicit bool
}

// Context is what a Loader may use besides its own files.
type Context struct {
	Secrets *secret.Analyzer
	// Tree holds every file of the scanned tree that may be read: what a
	// path written in a file can resolve to.
	Tree *Tree
	// Read reads a file of the scanned tree by report path (never outside
	// it, never inside .git).
	Read func(rel string) ([]byte, error)
}

// Loader turns a source's files into facts. Load is called once, with every
// file discover gave the source (in report-path order).
type Loader interface {
	Source
	Load(ctx *Context, files []File) *Facts
}

// Facts are what a source found, before linking.
type Facts struct {
	// Read lists the files the facts come from (report path and kind), in
	// order: they are the inventory's files.
	Read []ReadFile
	// Workloads are processes that run nats-server; assemble links each to
	// the config file it runs and makes it a server.
	Workloads []*Workload
	// Credentials are committed credentials (NATS URLs with passwords...).
	Credentials []*model.Credential
	Errors      []model.ParseError
	Notes       []string

	// What a source that links its own files gives (Kubernetes manifests:
	// a workload, the ConfigMap holding its config and the Service in front
	// of it are all manifests).

	// Servers are complete servers: config linked, nothing left to assemble.
	Servers []*model.Server
	// ConfigFiles are repository config files a server of Servers runs
	// (a kustomize generator's nats.conf): not servers of their own.
	ConfigFiles []string
	Streams     []*model.Stream
	Consumers   []*model.Consumer
	KubeSecrets []*model.KubeSecret
	// Sources are the scan sources the facts add besides the source's own
	// ("config" when a server's config was read from a ConfigMap).
	Sources []string
	// LineScans are files of the source whose lines are searched for
	// committed credentials, reported under Kind (NACK resources: "stream").
	LineScans []ReadFile
}

// ReadFile is a file a source read.
type ReadFile struct {
	Rel, Kind string
}

// Workload is a process that runs nats-server, whatever runs it (a compose
// service, a systemd unit, a script): the server it is, before its config
// is linked. Server holds the name, sources, deployment, version and the
// locations of what the workload's own file says; Flags* are the
// configuration its command line sets, which override the config file.
type Workload struct {
	Server     *model.Server
	FlagConfig map[string]any
	FlagLocs   model.Locations
	// ConfigPath is the path the process reads its config from (-c), as
	// written: a path on the host or in the container.
	ConfigPath string
	// HostPaths: ConfigPath is a path on the machine the workload runs on
	// (a systemd unit's /etc/nats/nats.conf), found in the repository by
	// path (Tree.Resolve); otherwise it is resolved through the
	// deployment's mounts.
	HostPaths bool
	// Env is the environment the process gets: the config's $VARs see it
	// before the repository's .env files.
	Env map[string]EnvValue
}

// EnvValue is a variable's value in a workload's environment, and the file
// that set it.
type EnvValue struct {
	Value string
	File  string
}

// Unnamed reports whether a file's name says nothing about what it is: no
// extension or a template one, or a file named on the command line. Such
// files are read and their content decides (Fallback).
func Unnamed(base string, explicit bool) bool {
	lower := strings.ToLower(base)
	return explicit || path.Ext(lower) == "" || HasExt(lower, ".txt", ".tmpl", ".tpl")
}

// HasExt reports whether name ends with one of exts.
func HasExt(name string, exts ...string) bool {
	for _, e := range exts {
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}

// LooksText reports whether data looks like text (no NUL in its head).
func LooksText(data []byte) bool {
	n := min(len(data), 8000)
	return !bytes.ContainsRune(data[:n], 0)
}

// Tree is the files of the scanned tree (report paths), indexed by base
// name so that resolving a path written in a file compares only the files
// of that name (a repository of thousands of units and files stays
// linear).
type Tree struct {
	paths  []string
	byBase map[string][]string
}

// NewTree indexes paths (report paths, sorted).
func NewTree(paths []string) *Tree {
	t := &Tree{paths: paths, byBase: map[string][]string{}}
	for _, p := range paths {
		b := path.Base(p)
		t.byBase[b] = append(t.byBase[b], p)
	}
	return t
}

// Paths are the tree's report paths, sorted.
func (t *Tree) Paths() []string { return t.paths }

// Resolve finds the repository file a path on a host names: the file of
// the tree whose path ends with the most of hostPath's trailing elements
// (at least its base name); among equals, one in from's directory. ok is
// false when nothing matches or the match is ambiguous (why says which).
func (t *Tree) Resolve(from, hostPath string) (rel string, why string, ok bool) {
	want := strings.Split(strings.Trim(path.Clean(hostPath), "/"), "/")
	var best []string
	bestN := 0
	for _, c := range t.byBase[want[len(want)-1]] {
		have := strings.Split(c, "/")
		n := 0
		for n < len(want) && n < len(have) && want[len(want)-1-n] == have[len(have)-1-n] {
			n++
		}
		switch {
		case n == 0 || n < bestN:
		case n > bestN:
			best, bestN = []string{c}, n
		default:
			best = append(best, c)
		}
	}
	if len(best) == 1 {
		return best[0], "", true
	}
	if len(best) == 0 {
		return "", "no file of the scanned tree is named " + path.Base(hostPath), false
	}
	var near []string
	for _, c := range best {
		if path.Dir(c) == path.Dir(from) {
			near = append(near, c)
		}
	}
	if len(near) == 1 {
		return near[0], "", true
	}
	return "", strings.Join(best, ", ") + " all match it", false
}
