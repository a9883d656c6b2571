package safefile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// WriteError is an output path refused because writing it would go through
// a link (or it is not a file).
type WriteError struct {
	Link string // the directory on the way that is a link; "" for the path itself
	msg  string
}

func (e *WriteError) Error() string {
	if e.Link != "" {
		return e.Link + " " + e.msg
	}
	return e.msg
}

const noLinks = "natsaudit never writes through links"

// WriteFile writes data to p, a path named on the command line:
//
//   - never through a link at p itself, wherever p is (a planted
//     natsaudit.md -> ~/.bashrc is refused, not followed);
//   - below a guarded tree (the working directory, a scanned directory),
//     never through a directory on the way that is a link: every existing
//     directory between the tree and p must be a real directory, and the
//     missing ones are created as real directories;
//   - atomically: the data goes to a new temporary file in p's directory
//     (created exclusively, never following a link), which is then renamed
//     over p. Readers see the old file or the new one; a hard link at p is
//     replaced, the other name keeps its content.
//
// Paths under /dev (/dev/stdout, /dev/null) are written in place, never
// created: a checkout is never there.
func (g *Guard) WriteFile(p string, data []byte) error {
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	if runtime.GOOS != "windows" && strings.HasPrefix(abs, "/dev/") {
		return writeDevice(abs, data)
	}
	for _, r := range g.roots {
		if Within(r.dir, abs) && abs != r.dir {
			if err := noLinkBelow(p, r.dir, abs); err != nil {
				return err
			}
		}
	}
	switch st, err := os.Lstat(abs); {
	case err == nil && st.Mode()&fs.ModeSymlink != 0:
		return &WriteError{msg: "is a symbolic link; " + noLinks + " (remove it or write elsewhere)"}
	case err == nil && st.IsDir():
		return &WriteError{msg: "is a directory"}
	case err == nil && !st.Mode().IsRegular():
		return &WriteError{msg: "is not a regular file (a FIFO, device or socket); not written"}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return CleanErr(err)
	}
	dir := filepath.Dir(abs)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return CleanErr(err)
	}
	return replace(dir, abs, data)
}

// noLinkBelow checks the directories between dir (exclusive) and abs
// (exclusive): each that exists must be a real directory.
func noLinkBelow(p, dir, abs string) error {
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return nil
	}
	parts := strings.Split(rel, string(filepath.Separator))
	cur := dir
	for _, c := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, c)
		st, err := os.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil // the rest is created
		case err != nil:
			return CleanErr(err)
		case st.Mode()&fs.ModeSymlink != 0:
			return &WriteError{Link: display(p, abs, cur), msg: "is a symbolic link; " + noLinks}
		case !st.IsDir():
			return &WriteError{Link: display(p, abs, cur), msg: "is not a directory"}
		}
	}
	return nil
}

// replace writes data to a new file in dir and renames it to abs.
func replace(dir, abs string, data []byte) error {
	var f *os.File
	var tmp string
	for range 100 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		tmp = filepath.Join(dir, "."+filepath.Base(abs)+".tmp-"+hex.EncodeToString(b[:]))
		var err error
		f, err = os.OpenFile(tmp, writeFlags, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return CleanErr(err)
		}
	}
	if f == nil {
		return fmt.Errorf("could not create a temporary file in %s", dir)
	}
	_, err := f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, abs)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return CleanErr(err)
	}
	return nil
}

// writeDevice writes to an existing device file (/dev/stdout) in place.
func writeDevice(abs string, data []byte) error {
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return CleanErr(err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
