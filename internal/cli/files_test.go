package cli

import (
	"strings"
	"testing"
)

// visible keeps file names and messages on one line of the CI log, with
// nothing a terminal or a CI runner would interpret: control characters,
// bidi overrides and invalid UTF-8 are printed as escapes, the rest as is.
func TestVisible(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"deploy/nats.conf", "deploy/nats.conf"},
		{"café/ü.conf", "café/ü.conf"},
		{"x\n::error::pwned.conf", `x\n::error::pwned.conf`},
		{"a\r::warning::b", `a\r::warning::b`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"\x1b]8;;https://evil\x07link\x1b]8;;\x07", `\x1b]8;;https://evil\alink\x1b]8;;\a`},
		{"\x1b]52;c;Y3VybCBldmls\x07", `\x1b]52;c;Y3VybCBldmls\a`},
		{"tab\there", `tab\there`},
		{"\u0085next-line\u2028sep", `\u0085next-line\u2028sep`},
		{"abc\u202egnp.conf", `abc\u202egnp.conf`},
		{"\xff\xfe.conf", `\xff\xfe.conf`},
		{"del\x7f", `del\x7f`},
	} {
		got := visible(tc.in)
		if got != tc.want {
			t.Errorf("visible(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.ContainsAny(got, "\n\r\x1b\x07") {
			t.Errorf("visible(%q) = %q keeps a control character", tc.in, got)
		}
	}
}

// Error messages may span lines (a config with several errors); no line
// may start a workflow command, even after leading spaces.
func TestVisibleLines(t *testing.T) {
	in := "c.yaml: 2 errors:\n  c.yaml:1: unknown key \"a\"\n  ::error::x\n::warning \x1b[1m"
	want := "c.yaml: 2 errors:\n  c.yaml:1: unknown key \"a\"\n  \\x3a:error::x\n\\x3a:warning \\x1b[1m"
	if got := visibleLines(in); got != want {
		t.Errorf("visibleLines = %q, want %q", got, want)
	}
}
