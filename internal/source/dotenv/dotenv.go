// Package dotenv reads .env files: KEY=value lines as Docker Compose reads them.
package dotenv

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Var is one assignment in a .env file.
type Var struct {
	Name  string
	Value string // raw value, quotes removed; ${...} not expanded
	Line  int
	// Quoted is the quote character used ('"', '\'' or 0). Single-quoted
	// values are literal: Compose does not interpolate them.
	Quoted byte
}

// File is a parsed .env file, in file order.
type File struct {
	Vars []Var
}

// Lookup returns the last assignment of name.
func (f *File) Lookup(name string) (Var, bool) {
	for i := len(f.Vars) - 1; i >= 0; i-- {
		if f.Vars[i].Name == name {
			return f.Vars[i], true
		}
	}
	return Var{}, false
}

var nameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// ParseError is a line that is not an assignment.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// MaxVars bounds the variables read from one file. Real .env files hold
// tens; every variable becomes facts in the rules' input (several KB each),
// so a 10 MB file of assignments would cost gigabytes.
const MaxVars = 10000

// Parse reads data. Malformed lines are returned as errors alongside the
// variables that could be read; the caller decides whether they matter.
func Parse(data []byte) (*File, []*ParseError) {
	f := &File{}
	var errs []*ParseError
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	line := 0
	for sc.Scan() {
		line++
		if len(f.Vars) >= MaxVars {
			errs = append(errs, &ParseError{Line: line, Msg: fmt.Sprintf("more than %d variables: the rest of the file is not read", MaxVars)})
			break
		}
		text := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		text = strings.TrimSpace(strings.TrimPrefix(text, "export "))
		eq := strings.IndexByte(text, '=')
		if eq <= 0 {
			errs = append(errs, &ParseError{Line: line, Msg: "expected NAME=value"})
			continue
		}
		name := strings.TrimSpace(text[:eq])
		if !nameRe.MatchString(name) {
			errs = append(errs, &ParseError{Line: line, Msg: "invalid variable name"})
			continue
		}
		raw := strings.TrimSpace(text[eq+1:])
		v := Var{Name: name, Line: line}
		switch {
		case len(raw) >= 1 && (raw[0] == '"' || raw[0] == '\''):
			q := raw[0]
			end := closingQuote(raw[1:], q)
			if end < 0 {
				// Multi-line quoted values are rare in .env files for NATS;
				// keep what is on the line.
				v.Value = raw[1:]
			} else {
				v.Value = raw[1 : end+1]
			}
			v.Quoted = q
			if q == '"' {
				v.Value = strings.NewReplacer(`\n`, "\n", `\"`, `"`, `\\`, `\`).Replace(v.Value)
			}
		default:
			if i := strings.Index(raw, " #"); i >= 0 {
				raw = strings.TrimSpace(raw[:i])
			}
			v.Value = raw
		}
		f.Vars = append(f.Vars, v)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, &ParseError{Line: line + 1, Msg: err.Error()})
	}
	return f, errs
}

// closingQuote is the index in s of the quote q that closes a value, or -1:
// in double quotes a backslash escapes the next character (A="a\"b" is
// a"b, as Compose reads it); single quotes have no escapes.
func closingQuote(s string, q byte) int {
	for i := 0; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q:
			return i
		}
	}
	return -1
}

// Ref is a ${VAR} reference found in a value.
type Ref struct {
	Name    string
	Op      string // "", ":-", "-", ":?", "?", ":+", "+"
	Default string
}

var refRe = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// Refs lists the variable references in v ("$$" is an escaped dollar).
func Refs(v string) []Ref {
	v = strings.ReplaceAll(v, "$$", "")
	var out []Ref
	for _, m := range refRe.FindAllStringSubmatch(v, -1) {
		if m[1] != "" {
			out = append(out, Ref{Name: m[1], Op: m[2], Default: m[3]})
		} else {
			out = append(out, Ref{Name: m[4]})
		}
	}
	return out
}

// Lookup resolves a variable name; ok is false when it is not defined.
type Lookup func(name string) (value string, ok bool)

// Interpolate expands ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
// ${VAR:+alt} and $VAR in v the way Compose does, using lookup only (never the
// process environment). It returns the names that could not be resolved and
// had no default.
func Interpolate(v string, lookup Lookup) (string, []string) {
	var missing []string
	const esc = "\x00DOLLAR\x00"
	v = strings.ReplaceAll(v, "$$", esc)
	out := refRe.ReplaceAllStringFunc(v, func(m string) string {
		sub := refRe.FindStringSubmatch(m)
		name, op, def := sub[1], sub[2], sub[3]
		if name == "" {
			name = sub[4]
		}
		val, ok := lookup(name)
		switch op {
		case ":-":
			if !ok || val == "" {
				return def
			}
		case "-":
			if !ok {
				return def
			}
		case ":+":
			if ok && val != "" {
				return def
			}
			return ""
		case "+":
			if ok {
				return def
			}
			return ""
		}
		if !ok {
			missing = append(missing, name)
			return ""
		}
		return val
	})
	return strings.ReplaceAll(out, esc, "$"), missing
}
