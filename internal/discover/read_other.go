//go:build !unix

package discover

import "os"

const openFlags = os.O_RDONLY
