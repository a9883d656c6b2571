package discover

import (
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// IgnoreFile is the file at the project root whose patterns leave paths out
// of the scan, as .gitignore does for git and .trivyignore-style files do
// for scanners.
const IgnoreFile = ".natsauditignore"

// maxIgnoreLines bounds the patterns read: the file is the tree's, and every
// path is matched against every pattern.
const maxIgnoreLines = 1000

// Ignore is a parsed .natsauditignore: gitignore's syntax, over paths
// relative to the project root.
//
//   - blank lines and lines starting with # are skipped; "\#" and "\!"
//     start a pattern with # or !;
//   - a pattern ending in / matches directories only;
//   - a pattern with a / at the start or in the middle is anchored at the
//     project root; otherwise it matches a name at any depth;
//   - *, ?, [...] and ** as in gitignore; !pattern takes a path back in
//     (the last matching line wins), but not out of an ignored directory,
//     which is never walked.
type Ignore struct {
	rules []ignoreRule
}

type ignoreRule struct {
	glob     string // doublestar pattern over the whole report path
	dirOnly  bool
	negate   bool
	line     int
	original string
}

// ParseIgnore reads the patterns of a .natsauditignore. A line that is not a
// valid pattern is returned in bad (by line number) and left out.
func ParseIgnore(data []byte) (ig *Ignore, bad []int) {
	ig = &Ignore{}
	for i, line := range strings.Split(string(data), "\n") {
		if i >= maxIgnoreLines {
			bad = append(bad, i+1)
			break
		}
		line = strings.TrimRight(line, "\r")
		line = strings.TrimRight(line, " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{line: i + 1, original: line}
		switch {
		case strings.HasPrefix(line, "!"):
			r.negate, line = true, line[1:]
		case strings.HasPrefix(line, `\#`), strings.HasPrefix(line, `\!`):
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimRight(line, "/")
		}
		anchored := strings.Contains(line, "/")
		line = strings.TrimPrefix(line, "/")
		if line == "" {
			bad = append(bad, i+1)
			continue
		}
		if anchored {
			r.glob = line
		} else {
			r.glob = "**/" + line
		}
		if !doublestar.ValidatePattern(r.glob) {
			bad = append(bad, i+1)
			continue
		}
		ig.rules = append(ig.rules, r)
	}
	return ig, bad
}

// Match reports whether the report path relp (a directory when dir) is
// ignored: the last pattern that matches it decides.
func (ig *Ignore) Match(relp string, dir bool) bool {
	if ig == nil {
		return false
	}
	relp = path.Clean(relp)
	ignored := false
	for _, r := range ig.rules {
		if r.dirOnly && !dir {
			continue
		}
		if ok, _ := doublestar.Match(r.glob, relp); ok {
			ignored = !r.negate
		}
	}
	return ignored
}

// Len is the number of patterns.
func (ig *Ignore) Len() int {
	if ig == nil {
		return 0
	}
	return len(ig.rules)
}
