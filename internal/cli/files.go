package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/natsaudit/natsaudit/internal/config"
	"github.com/natsaudit/natsaudit/internal/safefile"
)

// guardFor is the safefile guard of a run over paths: every file the run
// reads by a command-line path (--config, --baseline, --archive, TLS
// files) or writes (--output, --inventory, baseline write) is checked
// against the scanned directories (a file's own directory) and the working
// directory, which a pull request could have planted links in.
func guardFor(paths []string) *safefile.Guard {
	var dirs []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			p = filepath.Dir(p)
		}
		dirs = append(dirs, p)
	}
	return safefile.NewGuard(dirs...)
}

// foundConfigReader reads a .natsaudit.yaml found at the scanned root: a
// file of the tree, so a link out of it or into .git is refused, with a
// message saying how to use such a file on purpose.
func foundConfigReader(root string) config.ReadFunc {
	r := safefile.NewRoot(root)
	return func(p string, max int64) ([]byte, error) {
		data, err := r.ReadFile(p, max)
		var pe *safefile.PrivateError
		switch {
		case errors.As(err, &pe):
			return nil, fmt.Errorf("symlink points into %s/; not read", pe.Dir)
		case errors.Is(err, safefile.ErrOutside):
			return nil, errors.New("symlink points outside the scanned tree; not read (give the file itself with --config)")
		}
		return data, err
	}
}
