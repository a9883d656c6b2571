//go:build !linux

package unpriv

import "testing"

func reexec(t *testing.T) {
	t.Skip("dropping privileges is implemented for Linux only; run this test as a non-root user")
}
