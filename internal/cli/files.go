package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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

// visible escapes what must not reach a terminal or a CI log raw: control
// characters (a new line in a file name would start a line of its own,
// "::error::" becomes a GitHub annotation; ESC starts a terminal escape
// sequence) and the Unicode format characters that reorder text (bidi
// overrides). They are written as Go escapes (\n, \x1b, \u202e); the rest
// of the string is unchanged. Used on every untrusted string the CLI
// prints on stderr: file names, reasons, warnings.
func visible(s string) string {
	if strings.IndexFunc(s, hidden) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case hidden(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// visibleLines is visible for a message of several lines (a config with
// several errors): each line is made visible, and a line that would start
// a CI workflow command (GitHub's runner trims leading spaces before
// looking for "::") has its first colon escaped.
func visibleLines(msg string) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		l = visible(l)
		if t := strings.TrimLeft(l, " \t"); strings.HasPrefix(t, "::") {
			l = l[:len(l)-len(t)] + `\x3a` + t[1:]
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

func hidden(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}
