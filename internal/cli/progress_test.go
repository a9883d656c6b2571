package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProgress: nothing off a terminal, nothing for a run shorter than the
// delay, and after it one line per phase, rewritten in place and cleared at
// the end.
func TestProgress(t *testing.T) {
	tests := []struct {
		name     string
		on       bool
		delay    time.Duration
		wait     time.Duration
		want     []string
		wantNone bool
	}{
		{name: "not a terminal", on: false, delay: 0, wantNone: true},
		{name: "a fast run is silent", on: true, delay: time.Hour, wantNone: true},
		{name: "a long run shows phases", on: true, delay: time.Millisecond, wait: 20 * time.Millisecond,
			want: []string{"\r\x1b[Knatsaudit: starting (", "\r\x1b[Knatsaudit: discover done: 3 inputs (", "\r\x1b[K"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf lockedBuf
			p := startProgress(&buf, tt.on, tt.delay)
			time.Sleep(tt.wait)
			p.phase("discover", "3 inputs")
			p.stop()
			p.phase("evaluate", "after the end") // never shown
			out := buf.String()
			if tt.wantNone {
				if out != "" {
					t.Errorf("wrote %q, want nothing", out)
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			if !strings.HasSuffix(out, "\r\x1b[K") || strings.Contains(out, "after the end") {
				t.Errorf("output %q: want the line cleared at the end and nothing after", out)
			}
		})
	}
}
