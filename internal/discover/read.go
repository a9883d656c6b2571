package discover

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is returned for FIFOs, devices and sockets: reading them
// could block forever or never end, so they are never read.
var ErrNotRegular = errors.New("not a regular file (a FIFO, device or socket); not read")

// TooLargeError is returned for a file over the size limit.
type TooLargeError struct {
	Size, Max int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("file grew over the %d-byte limit while reading", e.Max)
	}
	return fmt.Sprintf("file is %d bytes, over the %d-byte limit (--max-file-size)", e.Size, e.Max)
}

// ReadRegular reads the regular file at p, refusing anything else and
// anything over max bytes (max <= 0: DefaultMaxSize). The file is opened
// without blocking and checked on the open descriptor, so a FIFO named
// nats.conf (or a file swapped for one after the walk) never hangs the scan.
func ReadRegular(p string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxSize
	}
	f, err := os.OpenFile(p, openFlags, 0)
	if err != nil {
		return nil, describeOpenError(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, describeOpenError(err)
	}
	if st.IsDir() {
		return nil, errors.New("is a directory")
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if st.Size() > max {
		return nil, &TooLargeError{Size: st.Size(), Max: max}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read error: %w", cleanErr(err))
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Size: -1, Max: max}
	}
	return data, nil
}

// describeOpenError keeps the reason and drops the path (reports name the
// file already).
func describeOpenError(err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return reason{"permission denied", fs.ErrPermission}
	case errors.Is(err, fs.ErrNotExist):
		return reason{"file not found", fs.ErrNotExist}
	}
	return cleanErr(err)
}

// reason is an error with a short message that still matches its cause
// with errors.Is.
type reason struct {
	msg string
	err error
}

func (r reason) Error() string { return r.msg }
func (r reason) Unwrap() error { return r.err }
