//go:build unix

package safefile

import (
	"errors"
	"os"
	"syscall"
)

// openFlags open without blocking (opening a FIFO for reading otherwise
// waits for a writer) and without following a link at the last component.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOFOLLOW

// writeFlags create a new file, never one that exists (a link planted at
// the temporary name included).
const writeFlags = os.O_WRONLY | os.O_CREATE | os.O_EXCL | syscall.O_NOFOLLOW

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }
