package audit

import (
	"regexp"
	"strconv"
	"testing"
)

var sink [][]byte

// TestStopwatchCountsAllocations: a --debug line gives the phase's heap
// allocations (counts that do not depend on the machine's load) and CPU.
func TestStopwatchCountsAllocations(t *testing.T) {
	var lines []string
	s := newStopwatch(func(l string) { lines = append(lines, l) }, nil)
	for i := 0; i < 100000; i++ {
		sink = append(sink, make([]byte, 64))
	}
	s.done("phase", "what")
	s.done("empty", "nothing")
	sink = nil
	re := regexp.MustCompile(`^(\w+) +\S+  \w+  \(cpu \S+, (\d+) allocs, (\d+) MB allocated\)$`)
	var allocs []int
	for _, l := range lines {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("debug line %q: not phase, time, what and (cpu, allocs, MB)", l)
		}
		n, _ := strconv.Atoi(m[2])
		allocs = append(allocs, n)
	}
	// The counters are the process's: the runtime counts small objects
	// when a cached span is refilled (a phase's count is off by the objects
	// of the spans cached at its start and end), and the package's other
	// tests, run in parallel, allocate too (717 were seen in the empty
	// phase). So: about the 100,000 made in the first phase, and far fewer
	// in the empty one, which a cumulative count would not give.
	if len(allocs) != 2 || allocs[0] < 99000 || allocs[1] >= allocs[0]/2 {
		t.Fatalf("allocations per phase %v: want about the 100,000 made in the first, far fewer in the second (%q)", allocs, lines)
	}
}
