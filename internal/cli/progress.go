package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress shows on stderr what a long scan or probe is doing: nothing for
// the first second (a fast run stays silent), then one line, rewritten in
// place, with the last phase finished and its counts; the line is cleared
// when the run ends. Only on a terminal: a CI log or a file never gets it.
// The text is natsaudit's own (phase names and counts), never a name from
// the scanned tree, so the carriage return and erase codes are the only
// control bytes written.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	started time.Time
	delay   time.Duration
	shown   bool
	stopped bool
	last    string
	timer   *time.Timer
}

// startProgress returns nil (no progress) unless on is set.
func startProgress(w io.Writer, on bool, delay time.Duration) *progress {
	if !on {
		return nil
	}
	p := &progress{w: w, started: time.Now(), delay: delay, last: "starting"}
	p.timer = time.AfterFunc(delay, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.show()
	})
	return p
}

// phase records a finished phase, shown at once once the delay has passed.
func (p *progress) phase(name, what string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = name + " done: " + what
	if time.Since(p.started) >= p.delay {
		p.show()
	}
}

func (p *progress) show() {
	if p.stopped {
		return
	}
	p.shown = true
	fmt.Fprintf(p.w, "\r\033[Knatsaudit: %s (%s)", p.last, time.Since(p.started).Round(100*time.Millisecond))
}

// stop clears the line, if one was shown; later calls show nothing.
func (p *progress) stop() {
	if p == nil {
		return
	}
	p.timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown && !p.stopped {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.stopped = true
}
