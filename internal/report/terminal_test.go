package report

import "testing"

func TestTerminalSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text: a/b.conf", "plain text: a/b.conf"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},                                         // CSI colour
		{"\x1b]8;;https://evil/\x07x\x1b]8;;\x07", `\x1b]8;;https://evil/\x07x\x1b]8;;\x07`}, // OSC 8 hyperlink
		{"\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`},                                 // OSC 52 clipboard write
		{"a\nb\r\nc\rd\te", `a\nb\r\nc\rd\te`},
		{"nul\x00 del\x7f", `nul\x00 del\x7f`},
		{"c1 \u0085 \u009b31m", `c1 \u0085 \u009b31m`},
		{"raw 8-bit CSI \x9b31m", `raw 8-bit CSI \x9b31m`},
		{"bidi \u202e\u2066\u2069 sep \u2028\u2029", `bidi \u202e\u2066\u2069 sep \u2028\u2029`},
		{"zero\u200bwidth \ufeff tag \U000e0041", `zero\u200bwidth \ufeff tag \U000e0041`},
		{"bad utf-8 \xff\xc3", `bad utf-8 \xff\xc3`},
		{"::error::pwned", `\x3a:error::pwned`},
		{"  \u00a0::set-output name=x::y", "  \u00a0" + `\x3a:set-output name=x::y`},
		{"a ::error::x", "a ::error::x"}, // not at the start of a line: no command
		{"x\n::error::y", `x\n::error::y`},
		{"##[error]x ###[group] ##vso[task.complete] ##VSO[x]", `#\x23[error]x ##\x23[group] #\x23vso[task.complete] #\x23VSO[x]`},
		{"#### heading ## vso", "#### heading ## vso"},
		{"ünïcödé ✓", "ünïcödé ✓"},
	} {
		if got := TerminalSafe(tc.in); got != tc.want {
			t.Errorf("TerminalSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if ps := textProblems(TerminalSafe(tc.in)); len(ps) > 0 {
			t.Errorf("TerminalSafe(%q): %v", tc.in, ps)
		}
	}
}

func TestTerminalSafeLines(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"invalid rule metadata:\n  a.rego:3: no id", "invalid rule metadata:\n  a.rego:3: no id"},
		{"x\n::error::y\n\t::warning::z", "x\n" + `\x3a:error::y` + "\n" + `\t::warning::z`},
		{"x\n  ::error::y", "x\n  " + `\x3a:error::y`},
		{"a\r\n##[error]b\x1b", `a\r` + "\n" + `#\x23[error]b\x1b`},
	} {
		if got := TerminalSafeLines(tc.in); got != tc.want {
			t.Errorf("TerminalSafeLines(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if ps := textProblems(TerminalSafeLines(tc.in)); len(ps) > 0 {
			t.Errorf("TerminalSafeLines(%q): %v", tc.in, ps)
		}
	}
}
