package systemd

import (
	"slices"
	"testing"
)

// TestContinuationIntoComments: comment lines inside a continued line are
// skipped, as systemd skips them, also when nothing but comments follows
// up to the end of the file: a commented-out flag (`# -DV`) is not an
// argument of the command. The skipping never reads past the last line
// (issue 20, Go mutation testing: the last comment used to become words of
// the command).
func TestContinuationIntoComments(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"[Service]\nExecStart=/usr/bin/nats-server -js \\\n# a\n# -DV", []string{"/usr/bin/nats-server", "-js"}},
		{"[Service]\nExecStart=/usr/bin/nats-server -js \\\n; --user admin", []string{"/usr/bin/nats-server", "-js"}},
		{"[Service]\nExecStart=/usr/bin/nats-server -js \\\n# a\n\n# b\n", []string{"/usr/bin/nats-server", "-js"}},
		{"[Service]\nExecStart=/usr/bin/nats-server -js \\\n# a\n  -m 8222\n", []string{"/usr/bin/nats-server", "-js", "-m", "8222"}},
	} {
		u := parse("u.service", tc.in)
		var got []string
		for _, w := range u.execStart {
			got = append(got, w.value)
		}
		if !slices.Equal(got, tc.want) || u.execLine != 2 {
			t.Errorf("%q: ExecStart %q at line %d, want %q at 2", tc.in, got, u.execLine, tc.want)
		}
	}
}
