package engine

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestRelaxGCRestores: start-up's GC target is temporary, never lowers the
// process's own setting, and survives interleaved calls.
func TestRelaxGCRestores(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	for _, setting := range []int{100, 50, -1, 800} {
		debug.SetGCPercent(setting)
		restore := relaxGC()
		during := debug.SetGCPercent(-1)
		debug.SetGCPercent(during)
		if want := max(setting, startupGCPercent); setting < 0 {
			if during != -1 {
				t.Errorf("GOGC=off: start-up turned the collector on (%d)", during)
			}
		} else if during != want {
			t.Errorf("GOGC=%d: %d during start-up, want %d", setting, during, want)
		}
		restore()
		if after := debug.SetGCPercent(setting); after != setting {
			t.Errorf("GOGC=%d: %d after start-up", setting, after)
		}
	}
	// Two overlapping start-ups (tests building engines concurrently), in
	// either order of ending.
	debug.SetGCPercent(100)
	a, b := relaxGC(), relaxGC()
	a()
	b()
	if after := debug.SetGCPercent(100); after != 100 {
		t.Errorf("overlapping start-ups ending in order left %d", after)
	}
	a, b = relaxGC(), relaxGC()
	b()
	a()
	if after := debug.SetGCPercent(100); after != 100 {
		t.Errorf("overlapping start-ups ending in reverse order left %d", after)
	}
}

// TestDelayFirstGC: a process runs at firstGCPercent until its first
// collection and at its own setting after it; a setting at or above it, or
// GOGC=off, is left alone.
func TestDelayFirstGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	for _, setting := range []int{100, 50} {
		debug.SetGCPercent(setting)
		DelayFirstGC()
		if during := gcPercent(); during != firstGCPercent {
			t.Fatalf("GOGC=%d: %d before the first collection, want %d", setting, during, firstGCPercent)
		}
		// The finalizer that restores the setting runs after a collection,
		// on the finalizer goroutine.
		deadline := time.Now().Add(5 * time.Second)
		for gcPercent() != setting && time.Now().Before(deadline) {
			runtime.GC()
			time.Sleep(time.Millisecond)
		}
		if after := gcPercent(); after != setting {
			t.Errorf("GOGC=%d: %d after the first collection", setting, after)
		}
	}
	for _, setting := range []int{-1, firstGCPercent, 4000} {
		debug.SetGCPercent(setting)
		DelayFirstGC()
		if got := gcPercent(); got != setting {
			t.Errorf("GOGC=%d changed to %d", setting, got)
		}
		runtime.GC()
	}
}

func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}
