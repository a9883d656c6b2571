// Package unpriv runs a test as an unprivileged user, for tests about
// permissions: root reads a file whatever its mode, so "chmod 000" only
// means something to another user.
//
// A test calls Reexec first. When the test process is root, Reexec runs a
// copy of the test binary as nobody (uid/gid 65534) with only that test
// selected, reports its output and result, and returns true: the caller
// returns. In that child, or when the process is not root to begin with,
// Reexec returns false and the caller runs its body, creating its fixtures
// itself (in t.TempDir(), which the child owns).
package unpriv

import (
	"os"
	"testing"
)

// childEnv marks the unprivileged child.
const childEnv = "NATSAUDIT_TEST_UNPRIVILEGED"

// Nobody is the uid and gid the child runs as.
const Nobody = 65534

// Reexec runs the calling test as nobody when the process is root; see the
// package documentation.
func Reexec(t *testing.T) bool {
	t.Helper()
	if os.Getenv(childEnv) == "1" {
		if os.Geteuid() == 0 {
			t.Fatal("the unprivileged child still runs as root")
		}
		return false
	}
	if os.Geteuid() != 0 {
		return false
	}
	reexec(t)
	return true
}
