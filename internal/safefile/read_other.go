//go:build !unix

package safefile

import "os"

const (
	openFlags  = os.O_RDONLY
	writeFlags = os.O_WRONLY | os.O_CREATE | os.O_EXCL
)

func isLoop(error) bool { return false }
