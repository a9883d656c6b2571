package engine

import (
	"runtime/debug"
	"testing"
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
