package engine

import "runtime/debug"

// startupGCPercent is the garbage collector's target while the rules are
// parsed and compiled. Compilation allocates about 30 MB of short-lived
// syntax trees over a live heap of a few MB; at Go's default (GOGC=100) the
// collector runs every 4 MB or so for nothing, which was a third of a small
// scan's CPU time (docs/performance.md). The scan itself runs at the
// process's own setting again, so a large repo's peak memory is unchanged.
const startupGCPercent = 400

// relaxGC raises the GC target for the duration of start-up and returns the
// function that restores it. It never lowers a target (a user's GOGC=800 or
// GOGC=off stays as it is), and a restore does not undo a setting changed by
// someone else in between (concurrent New calls in tests).
func relaxGC() (restore func()) {
	prev := debug.SetGCPercent(startupGCPercent)
	if prev < 0 || prev >= startupGCPercent {
		debug.SetGCPercent(prev)
		return func() {}
	}
	return func() {
		if cur := debug.SetGCPercent(prev); cur != startupGCPercent {
			debug.SetGCPercent(cur)
		}
	}
}
