package suppress

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// File is a scanned file whose comments may hold ignore directives.
type File struct {
	Path string // report path (relative to the scanned root)
	Data []byte
	// SlashComments: `//` starts a comment too (nats.conf), besides `#`.
	SlashComments bool
}

// Directive is one `natsaudit:ignore` comment.
type Directive struct {
	File   string
	Line   int      // line of the comment
	Rules  []string // upper-cased rule IDs
	Reason string
	Until  string
	// Lines are the lines whose findings the comment covers: its own line
	// for a comment after code; the next line of code for a comment on a line
	// of its own; and line 1 too when it sits in the file's leading comment
	// block (findings about a whole server or file point at line 1).
	Lines []int
	// Problems are what is wrong with the comment (missing reason, bad date,
	// unknown key), as warnings.
	Problems []string
	// invalid directives (a date that does not parse) suppress nothing.
	invalid bool
	expiry  expiry
}

// Source is where the directive is, as file:line.
func (d *Directive) Source() string { return fmt.Sprintf("%s:%d", d.File, d.Line) }

var (
	directiveHash  = regexp.MustCompile(`#\s*natsaudit:([A-Za-z_-]*)`)
	directiveSlash = regexp.MustCompile(`(?:#|//)\s*natsaudit:([A-Za-z_-]*)`)
)

// ParseInline finds the ignore comments of a file. Malformed comments are
// returned with Problems so that they are reported, never silently dropped.
func ParseInline(f File) []*Directive {
	text := string(f.Data)
	if !strings.Contains(text, "natsaudit:") {
		return nil
	}
	re := directiveHash
	if f.SlashComments {
		re = directiveSlash
	}
	lines := strings.Split(text, "\n")
	firstCode := 0 // first line of code, 1-based; 0 when the file has none
	for i, l := range lines {
		if !isCommentOrBlank(l, f.SlashComments) {
			firstCode = i + 1
			break
		}
	}
	var out []*Directive
	for i, l := range lines {
		m := re.FindStringSubmatchIndex(l)
		if m == nil {
			continue
		}
		n := i + 1
		d := &Directive{File: f.Path, Line: n}
		verb := l[m[2]:m[3]]
		if verb != "ignore" {
			d.invalid = true
			d.Problems = append(d.Problems, fmt.Sprintf("unknown directive natsaudit:%s (the only one is natsaudit:ignore RULE-ID reason=\"...\" until=YYYY-MM-DD)", verb))
			out = append(out, d)
			continue
		}
		parseArgs(d, l[m[1]:])
		if strings.TrimSpace(l[:m[0]]) != "" {
			d.Lines = []int{n} // after code: that line
		} else {
			if next := nextCode(lines, i+1, f.SlashComments); next > 0 {
				d.Lines = append(d.Lines, next)
			}
			if firstCode == 0 || n < firstCode {
				d.Lines = append(d.Lines, 1)
			}
		}
		out = append(out, d)
	}
	return out
}

// nextCode is the 1-based number of the first line of code at or after
// index i, or 0.
func nextCode(lines []string, i int, slash bool) int {
	for ; i < len(lines); i++ {
		if !isCommentOrBlank(lines[i], slash) {
			return i + 1
		}
	}
	return 0
}

func isCommentOrBlank(l string, slash bool) bool {
	t := strings.TrimSpace(l)
	return t == "" || strings.HasPrefix(t, "#") || (slash && strings.HasPrefix(t, "//"))
}

// parseArgs reads `ID[,ID...] key=value key="quoted value"` into d.
func parseArgs(d *Directive, s string) {
	s = strings.TrimSpace(s)
	// Rule IDs: everything before the first key=value.
	ids := s
	rest := ""
	if i := indexKey(s); i >= 0 {
		ids, rest = s[:i], s[i:]
	}
	for _, id := range strings.FieldsFunc(ids, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		d.Rules = append(d.Rules, strings.ToUpper(id))
	}
	if len(d.Rules) == 0 {
		d.invalid = true
		d.Problems = append(d.Problems, "natsaudit:ignore names no rule: write natsaudit:ignore NATS-XXX-000 reason=\"...\"")
	}
	until := ""
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || strings.ContainsFunc(rest[:eq], unicode.IsSpace) {
			d.Problems = append(d.Problems, fmt.Sprintf("cannot read %q: want key=value (reason=\"...\", until=YYYY-MM-DD)", rest))
			break
		}
		key := strings.ToLower(rest[:eq])
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			v, n, ok := quoted(rest)
			if !ok {
				d.Problems = append(d.Problems, fmt.Sprintf("%s: unterminated quote", key))
			}
			val, rest = v, rest[n:]
		} else {
			end := strings.IndexFunc(rest, unicode.IsSpace)
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], rest[end:]
		}
		switch key {
		case "reason":
			d.Reason = strings.TrimSpace(val)
		case "until":
			until = val
		default:
			d.Problems = append(d.Problems, fmt.Sprintf("unknown key %q (want reason and until)", key))
		}
	}
	if d.Reason == "" && !d.invalid {
		d.Problems = append(d.Problems, `no reason: add reason="why this is accepted" (the finding is suppressed anyway)`)
	}
	if until != "" {
		e, err := parseExpiry(until)
		if err != nil {
			d.invalid = true
			d.Problems = append(d.Problems, fmt.Sprintf("until=%s: %v; the comment suppresses nothing until it is fixed", until, err))
		} else {
			d.Until, d.expiry = until, e
		}
	}
}

// indexKey is the index of the first `word=` in s, or -1.
var keyStart = regexp.MustCompile(`(^|\s)[A-Za-z_]+=`)

func indexKey(s string) int {
	m := keyStart.FindStringIndex(s)
	if m == nil {
		return -1
	}
	if m[0] < len(s) && unicode.IsSpace(rune(s[m[0]])) {
		return m[0] + 1
	}
	return m[0]
}

// quoted reads a double-quoted string with backslash escapes at the start of
// s; it returns the value, the bytes consumed and whether the quote closed.
func quoted(s string) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), i + 1, true
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), len(s), false
}
