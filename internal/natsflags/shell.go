package natsflags

import (
	"path"
	"strings"
)

// IsShell: a command word that runs a shell.
func IsShell(w string) bool {
	switch path.Base(w) {
	case "sh", "bash", "ash", "dash":
		return true
	}
	return false
}

// ShellScript reads a command line that runs a shell with a script
// ("sh -c 'exec nats-server -c /etc/nats/a.conf'", shell options before
// -c): the script's words from the nats-server binary on, up to the first
// control operator, each at the script's location. ok is false when the
// command is not a shell with a script.
func ShellScript(words []Arg) (out []Arg, script Arg, ok bool) {
	if len(words) < 3 || !IsShell(words[0].Value) {
		return nil, Arg{}, false
	}
	for i := 1; i+1 < len(words); i++ {
		if words[i].Value == "-c" {
			script = words[i+1]
			for _, w := range SplitShell(script.Value) {
				out = append(out, Arg{Value: w, Loc: script.Loc})
			}
			return FromBinary(out), script, true
		}
	}
	return nil, Arg{}, false
}

// FromBinary drops what comes before the nats-server binary (an init such
// as tini, "exec") and, in a shell script, what comes after its command
// (from the first control operator on); words without the binary are
// kept whole.
func FromBinary(words []Arg) []Arg {
	for i, w := range words {
		if IsBinary(w.Value) {
			out := words[i:]
			for j, x := range out {
				if j > 0 && isOperator(x.Value) {
					return out[:j]
				}
			}
			return out
		}
	}
	return words
}

func isOperator(w string) bool {
	switch w {
	case ";", "&", "&&", "|", "||":
		return true
	}
	return false
}

// SplitShell splits a shell script into words (quotes removed; no
// expansion). The control operators ;, &, &&, | and || are words of their
// own even when written against a word ("nats-server -js; sleep 5"), and
// so is a newline, as ";": FromBinary cuts the script there. A backslash
// quotes the next character and, before a newline, continues the line.
func SplitShell(s string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote rune
	end := func() {
		if inWord {
			out = append(out, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote = r
			inWord = true
		case r == '\\':
			if i+1 < len(rs) && rs[i+1] != '\n' {
				cur.WriteRune(rs[i+1])
				inWord = true
			}
			i++
		case r == ';' || r == '\n':
			end()
			out = append(out, ";")
		case r == '&' || r == '|':
			end()
			op := string(r)
			if i+1 < len(rs) && rs[i+1] == r {
				op += op
				i++
			}
			out = append(out, op)
		case r == ' ' || r == '\t':
			end()
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	end()
	return out
}
