package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// DefaultMaxSize is the largest file read when the caller gives no limit.
const DefaultMaxSize = 10 << 20

// ErrNotRegular is returned for FIFOs, devices and sockets: reading them
// could block forever or never end, so they are never read.
var ErrNotRegular = errors.New("not a regular file (a FIFO, device or socket); not read")

// ErrIsDir is returned for a directory where a file is expected.
var ErrIsDir = errors.New("is a directory")

// ErrIsLink is returned when the file to open is itself a link (ReadRegular
// opens real paths only: a link there was swapped in after the check).
var ErrIsLink = errors.New("is a symbolic link; not read")

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
// without blocking and without following a link at p, and checked on the
// open descriptor, so a FIFO named nats.conf (or a file swapped for one, or
// for a link, after the walk) never hangs the scan nor leads out of it.
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
		return nil, ErrIsDir
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if st.Size() > max {
		return nil, &TooLargeError{Size: st.Size(), Max: max}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read error: %w", CleanErr(err))
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
	case isLoop(err):
		return ErrIsLink
	}
	return CleanErr(err)
}

// DescribeOpenError is describeOpenError for callers that open or stat
// files themselves.
func DescribeOpenError(err error) error { return describeOpenError(err) }

// reason is an error with a short message that still matches its cause
// with errors.Is.
type reason struct {
	msg string
	err error
}

func (r reason) Error() string { return r.msg }
func (r reason) Unwrap() error { return r.err }

// CleanErr strips the Go error wrapper noise (the operation and the path)
// from a path error.
func CleanErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s", pe.Err.Error())
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s", le.Err.Error())
	}
	return err
}
