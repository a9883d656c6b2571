package discover

import "github.com/natsaudit/natsaudit/internal/safefile"

// ErrNotRegular is returned for FIFOs, devices and sockets: reading them
// could block forever or never end, so they are never read.
var ErrNotRegular = safefile.ErrNotRegular

// TooLargeError is returned for a file over the size limit.
type TooLargeError = safefile.TooLargeError

// ReadRegular reads the regular file at p of at most max bytes, without
// blocking and without following a link at p (safefile.ReadRegular).
func ReadRegular(p string, max int64) ([]byte, error) { return safefile.ReadRegular(p, max) }

func describeOpenError(err error) error { return safefile.DescribeOpenError(err) }
