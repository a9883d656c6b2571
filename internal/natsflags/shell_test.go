package natsflags

import (
	"reflect"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

// TestSplitShell: words of a shell script as sh splits them, quotes
// removed, control operators as words of their own (newline as ";"), a
// backslash quoting the next character or continuing the line.
func TestSplitShell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"nats-server -js", "nats-server,-js"},
		{"  nats-server\t-js  ", "nats-server,-js"},
		{"nats-server -js; sleep 5", "nats-server,-js,;,sleep,5"},
		{"nats-server -js;sleep 5", "nats-server,-js,;,sleep,5"},
		{"a&&b", "a,&&,b"},
		{"a&b", "a,&,b"},
		{"a||b", "a,||,b"},
		{"a|b", "a,|,b"},
		{"a &&& b", "a,&&,&,b"},
		{"a\nb", "a,;,b"},
		{"a \\\n b", "a,b"},
		{"a\\ b", "a b"},
		{`a\;b`, "a;b"},
		{`a\`, "a"},
		{`'a;b' "c|d"`, "a;b,c|d"},
		{`"it's"`, "it's"},
		{`''`, ""},
		{`x"y z"w`, "xy zw"},
		{"", ""},
	} {
		got := strings.Join(SplitShell(tc.in), ",")
		if got != tc.want {
			t.Errorf("SplitShell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := SplitShell(`''`); len(got) != 1 || got[0] != "" {
		t.Errorf("an empty quoted word: %q, want one empty word", got)
	}
	if got := SplitShell(" \t "); got != nil {
		t.Errorf("blanks only: %q, want no word", got)
	}
}

func args(ws ...string) []Arg {
	out := make([]Arg, len(ws))
	for i, w := range ws {
		out[i] = Arg{Value: w, Loc: model.Location{File: "f", Line: i + 1}}
	}
	return out
}

func values(as []Arg) string {
	var v []string
	for _, a := range as {
		v = append(v, a.Value)
	}
	return strings.Join(v, " ")
}

// TestShellScript: a shell with -c and a script (shell options first)
// gives the script's nats-server command at the script's location; a
// shell without a script, -c last, or no shell at all is not a script.
func TestShellScript(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
		ok   bool
	}{
		{[]string{"sh", "-c", "exec nats-server -c /a.conf && echo done"}, "nats-server -c /a.conf", true},
		{[]string{"/bin/bash", "-e", "-c", "nats-server -js; sleep 5"}, "nats-server -js", true},
		{[]string{"dash", "-c", "echo no server"}, "echo no server", true},
		{[]string{"ash", "-c", "tini -- nats-server -DV | tee /log"}, "nats-server -DV", true},
		{[]string{"sh", "/entry.sh", "-js"}, "", false},
		{[]string{"sh", "-e", "-c"}, "", false},
		{[]string{"sh", "-c"}, "", false},
		{[]string{"nats-server", "-c", "/a.conf"}, "", false},
		{[]string{"zsh", "-c", "nats-server"}, "", false},
	} {
		out, script, ok := ShellScript(args(tc.in...))
		if ok != tc.ok || values(out) != tc.want {
			t.Errorf("ShellScript(%q) = %q, %v; want %q, %v", tc.in, values(out), ok, tc.want, tc.ok)
			continue
		}
		if !ok {
			if script != (Arg{}) || out != nil {
				t.Errorf("ShellScript(%q): no script, yet %+v %+v", tc.in, script, out)
			}
			continue
		}
		at := len(tc.in)
		if script.Value != tc.in[at-1] || script.Loc.Line != at {
			t.Errorf("ShellScript(%q): script %+v, want the last word at line %d", tc.in, script, at)
		}
		for _, w := range out {
			if w.Loc != script.Loc {
				t.Errorf("ShellScript(%q): word %+v not at the script's location %+v", tc.in, w, script.Loc)
			}
		}
	}
}

// TestFromBinary: the words from the nats-server binary on, cut at the
// first control operator after it; an operator before the binary does not
// cut, and words without the binary are kept whole.
func TestFromBinary(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"tini -- nats-server -js", "nats-server -js"},
		{"set -e && nats-server -js && echo x", "nats-server -js"},
		{"nats-server -js & wait", "nats-server -js"},
		{"nats-server -js || exit 1", "nats-server -js"},
		{"nats-server -js | tee log", "nats-server -js"},
		{"nats-server -js ; sleep 1", "nats-server -js"},
		{"/usr/local/bin/nats-server -p 4222", "/usr/local/bin/nats-server -p 4222"},
		{"echo hello ; sleep 1", "echo hello ; sleep 1"},
	} {
		if got := values(FromBinary(args(strings.Fields(tc.in)...))); got != tc.want {
			t.Errorf("FromBinary(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := FromBinary(nil); got != nil {
		t.Errorf("FromBinary(nil) = %v", got)
	}
}

func TestIsShell(t *testing.T) {
	var got []string
	for _, w := range []string{"sh", "/bin/sh", "bash", "/usr/bin/bash", "ash", "dash", "zsh", "shell", "nats-server", ""} {
		if IsShell(w) {
			got = append(got, w)
		}
	}
	if want := []string{"sh", "/bin/sh", "bash", "/usr/bin/bash", "ash", "dash"}; !reflect.DeepEqual(got, want) {
		t.Errorf("shells %q, want %q", got, want)
	}
}
