package secret

import (
	"strings"
)

// FlagKind says how a nats-server command-line flag carries a secret.
type FlagKind int

const (
	// NotSecret flags carry no secret (-c, --port, ...).
	NotSecret FlagKind = iota
	// SecretValue flags take a password or token (--pass, --auth).
	SecretValue
	// UserValue is --user: nats-server's own RedactArgs hides it on the
	// command line (with --pass absent it is the only credential), so every
	// quoted command line hides it too; the model keeps the user name.
	UserValue
	// URLValue flags take URLs whose userinfo is a credential (--routes,
	// --cluster, --cluster_listen).
	URLValue
)

// serverFlags is the one table of where nats-server takes a secret on its
// command line, after nats-server's server.RedactArgs (server/opts.go) and
// the flags ConfigureOptions defines. The compose reader consults it for the
// model, and RedactLine for every line it masks. Flag names are without
// dashes: Go's flag package accepts -pass, --pass, -pass=x and --pass=x.
var serverFlags = map[string]FlagKind{
	"pass":           SecretValue,
	"auth":           SecretValue,
	"user":           UserValue,
	"routes":         URLValue,
	"cluster":        URLValue,
	"cluster_listen": URLValue,
}

// ServerFlag returns how the nats-server flag name (without dashes) carries
// a secret.
func ServerFlag(name string) FlagKind { return serverFlags[name] }

// word is one shell-like word of a line: the byte span of its content
// (quotes excluded). The words of a quoted string that holds spaces carry
// the string's span as group (first marks its first word): after a secret
// flag the whole string is the value (--pass "two words"), while in
// command: "--pass x -js" it is a command line of its own.
type word struct {
	start, end int
	group      *span
	first      bool
}

// isSpace separates words everywhere.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lineWords splits a line into shell-like words, the way a command line is
// written in compose (a string, an exec-form ["a","b"] list, a block list
// item), a Dockerfile, a shell script or a systemd unit: quoted strings are
// one word each (a quoted string that holds spaces is split again, since
// compose splits a string command); inside [ ] and { } commas separate too.
// It never fails: an unclosed quote runs to the end of the line.
func lineWords(s string) []word {
	var out []word
	depth := 0
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case isSpace(c):
			i++
		case c == '[' || c == '{':
			depth++
			i++
		case (c == ']' || c == '}' || c == ',') && depth > 0:
			if c != ',' {
				depth--
			}
			i++
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(s) && s[j] != c {
				if c == '"' && s[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j, len(s))
			if strings.ContainsAny(s[i+1:end], " \t") {
				g := &span{i + 1, end}
				for k, w := range lineWords(s[i+1 : end]) {
					out = append(out, word{start: w.start + i + 1, end: w.end + i + 1, group: g, first: k == 0})
				}
			} else {
				out = append(out, word{start: i + 1, end: end})
			}
			i = min(j+1, len(s))
		default:
			j := i
			for j < len(s) && !isSpace(s[j]) && s[j] != '"' && s[j] != '\'' &&
				!(depth > 0 && (s[j] == ',' || s[j] == ']' || s[j] == '}')) {
				j++
			}
			out = append(out, word{start: i, end: j})
			i = j
		}
	}
	return out
}

// flagOf parses a word as a nats-server flag: its kind and, for -flag=value,
// the byte offset of the value within the word (-1 when there is no '=').
func flagOf(w string) (FlagKind, int) {
	if !strings.HasPrefix(w, "-") {
		return NotSecret, -1
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(w, "-"), "-")
	dashes := len(w) - len(rest)
	name, _, hasValue := strings.Cut(rest, "=")
	k := serverFlags[name]
	if k == NotSecret || !hasValue {
		return k, -1
	}
	return k, dashes + len(name) + 1
}

// isListMarker is a YAML block list's "-", which is not a value.
func isListMarker(w string) bool { return w == "-" }

// isReference reports whether a value names a variable rather than holding
// a secret ($VAR, ${VAR}); bcrypt hashes ($2a$...) and compose's escaped
// dollar ($$literal) are values.
func isReference(v string) bool {
	return strings.HasPrefix(v, "$") && !strings.HasPrefix(v, "$2") && !strings.HasPrefix(v, "$$")
}

// span is a byte range of a line to mask.
type span struct{ start, end int }

// commandSpans finds the values that nats-server flags on the line take as
// secrets: the word after --pass/--auth/--user (or after '='), and the
// userinfo of URLs after --routes/--cluster/--cluster_listen. pending is the
// kind of a flag that ended the previous line without its value (a YAML
// block list puts "- --pass" and "- s3cr" on two lines): the line's first
// word is then its value. It returns the kind of a flag that ends this line
// without a value, for the next line.
func commandSpans(s string, pending FlagKind) ([]span, FlagKind) {
	var out []span
	want := pending
	var skip *span // the rest of a quoted value already masked whole
	for _, w := range lineWords(s) {
		if skip != nil && w.group == skip {
			continue
		}
		text := s[w.start:w.end]
		if text == "\\" {
			continue // a shell line continuation
		}
		if want != NotSecret {
			if isListMarker(text) {
				continue
			}
			if w.group != nil && w.first {
				// --pass "two words": the quoted string is the value.
				out = append(out, valueSpans(s, word{start: w.group.start, end: w.group.end}, want)...)
				skip = w.group
			} else {
				out = append(out, valueSpans(s, w, want)...)
			}
			want = NotSecret
			continue
		}
		k, off := flagOf(text)
		switch {
		case k == NotSecret:
		case off < 0:
			want = k
		case off == len(text): // --pass= "x": the value is the next word
			want = k
		default:
			out = append(out, valueSpans(s, word{start: w.start + off, end: w.end}, k)...)
		}
	}
	return out, want
}

// valueSpans are the parts of a flag's value word to mask.
func valueSpans(s string, w word, k FlagKind) []span {
	v := s[w.start:w.end]
	if v == "" || v == Mask || isReference(v) {
		return nil
	}
	if k != URLValue {
		return []span{{w.start, w.end}}
	}
	var out []span
	off := w.start
	for _, part := range strings.Split(v, ",") {
		if sp, ok := userinfoSpan(part); ok {
			out = append(out, span{off + sp.start, off + sp.end})
		}
		off += len(part) + 1
	}
	return out
}

// userinfoSpan is the credential in a URL's userinfo: the password of
// user:password@, or the whole of token@ (a NATS URL's token).
func userinfoSpan(u string) (span, bool) {
	i := strings.Index(u, "://")
	if i < 0 {
		return span{}, false
	}
	start := i + 3
	at := strings.LastIndexByte(u[start:], '@')
	if at < 0 {
		return span{}, false
	}
	end := start + at
	if c := strings.IndexByte(u[start:end], ':'); c >= 0 {
		start += c + 1 // keep the user name
	}
	if cred := u[start:end]; cred == "" || cred == Mask || isReference(cred) {
		return span{}, false
	}
	return span{start, end}, true
}

// applySpans replaces the spans of s (in any order, possibly overlapping) by
// Mask.
func applySpans(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	mask := make([]bool, len(s))
	for _, sp := range spans {
		for i := sp.start; i < sp.end && i < len(s); i++ {
			mask[i] = true
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !mask[i] {
			b.WriteByte(s[i])
			continue
		}
		b.WriteString(Mask)
		for i+1 < len(s) && mask[i+1] {
			i++
		}
	}
	return b.String()
}

// RedactCommandLine masks what nats-server takes as secrets on a command
// line, whatever form the line has (see lineWords).
func RedactCommandLine(s string) string {
	sp, _ := commandSpans(s, NotSecret)
	return applySpans(s, sp)
}

// RedactSnippet masks a line of a scanned file for quoting, like
// RedactLine, and also takes the previous meaningful line into account: in
// a YAML block list the value of "- --pass" is the next item, alone on its
// line.
func RedactSnippet(prev, line string) string {
	_, pending := commandSpans(prev, NotSecret)
	if pending != NotSecret {
		sp, _ := commandSpans(line, pending)
		line = applySpans(line, sp)
	}
	return RedactLine(line)
}
