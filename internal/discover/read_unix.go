//go:build unix

package discover

import (
	"os"
	"syscall"
)

// openFlags open without blocking: opening a FIFO for reading otherwise
// waits for a writer.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK
