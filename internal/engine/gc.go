package engine

import (
	"runtime"
	"runtime/debug"
)

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

// firstGCPercent is the GC target of a process until its first collection
// (DelayFirstGC): Go's first collection comes at a heap of 4 MB times
// GOGC/100, so 1600 puts it at 64 MB. A typical repo's whole scan
// (testdata/repos/sahool) allocates about 30 MB, all of it start-up, input
// and evaluation garbage: at Go's default it collected once, over a live
// heap of about 15 MB (the compiled rules), which with the write barriers
// it turns on was 30% of the process's instructions (docs/performance.md,
// "Start-up from a precompiled catalog"), and it freed nothing a short
// run needed back.
const firstGCPercent = 1600

// DelayFirstGC lets a short process run without a collection until its heap
// reaches 64 MB, and restores the process's own setting (GOGC, 100 by
// default) after the first collection, so that a large scan's memory
// profile is Go's default from then on: its peak heap is over 64 MB
// anyway, and it is then paced from its live heap as before. Memory stays
// bounded: at most 64 MB of heap before the first collection, and
// GOMEMLIMIT still applies. Like relaxGC it never lowers a setting
// (GOGC=off or GOGC=2000 stay as they are). Called once, at process start
// (internal/cli.Run); New's own start-up setting is then inside it.
func DelayFirstGC() {
	prev := debug.SetGCPercent(firstGCPercent)
	if prev < 0 || prev >= firstGCPercent {
		debug.SetGCPercent(prev)
		return
	}
	// A finalizer runs once the collector has found its object
	// unreachable, that is after the first collection that follows.
	sentinel := new([32]byte) // not from the tiny allocator: its own object
	runtime.SetFinalizer(sentinel, func(*[32]byte) {
		if cur := debug.SetGCPercent(prev); cur != firstGCPercent {
			debug.SetGCPercent(cur) // changed by someone else meanwhile
		}
	})
}
