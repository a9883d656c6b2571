package discover

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ProjectMarkers are the file names that make a directory a project root
// (the config files, config.FileNames; kept here so that discover does not
// import config).
var ProjectMarkers = []string{".natsaudit.yaml", ".natsaudit.yml"}

// ProjectRoot is the directory report paths and fingerprints are relative
// to, so that a finding keeps its path and fingerprint whichever
// subdirectory is scanned (`scan nats/` and `scan .` agree):
//
//   - start from the deepest directory that holds every path (a file's
//     directory for a file);
//   - walking up from there, the first directory that has a .natsaudit.yaml
//     (or .yml) or a .git (a directory, or the file of a worktree or a
//     submodule) is the root; a config wins over a .git in the same
//     directory, and the search stops at the first .git, so a config above
//     the repository is never the project's;
//   - with neither up to the file system root, the start directory.
//
// Only names are looked at (Lstat): nothing above the scanned paths is read
// here, and nothing inside .git ever is.
func ProjectRoot(paths []string) (string, error) {
	if len(paths) == 0 {
		return "", nil
	}
	var start string
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", p, err)
		}
		if st, err := os.Stat(abs); err != nil || !st.IsDir() {
			abs = filepath.Dir(abs)
		}
		if i == 0 {
			start = abs
			continue
		}
		start = commonDir(start, abs)
	}
	for d := start; ; {
		for _, m := range ProjectMarkers {
			if _, err := os.Lstat(filepath.Join(d, m)); err == nil {
				return d, nil
			}
		}
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return start, nil
		}
		d = parent
	}
}

// commonDir is the deepest directory holding both absolute, clean paths.
func commonDir(a, b string) string {
	for !within(a, b) {
		parent := filepath.Dir(a)
		if parent == a {
			return a
		}
		a = parent
	}
	return a
}

// within reports whether p is dir or inside it.
func within(dir, p string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}
