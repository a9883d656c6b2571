//go:build !unix

package audit

import "time"

// processCPU is not measured here: --debug shows 0 for the CPU time.
func processCPU() time.Duration { return 0 }
