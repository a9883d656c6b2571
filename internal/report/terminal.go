package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Text output goes to terminals and CI logs. A string from the scanned tree
// or a live server may hold escape sequences (CSI colours, OSC 8 hyperlinks,
// OSC 52 clipboard writes), BEL, CR (which rewrites the line), characters
// that reorder or hide text (bidi overrides, zero-width characters), and CI
// workflow commands. Every such string is printed through TerminalSafe (or
// TerminalSafeLines), which shows the dangerous characters as escapes
// instead of sending them:
//
//   - C0 controls, DEL, C1 controls (U+0080–U+009F), Unicode format
//     characters (category Cf: bidi embeddings, overrides and isolates,
//     zero-width characters, BOM, tag characters) and the line and
//     paragraph separators U+2028/U+2029 are written as \n, \r, \t, \xNN,
//     \uNNNN or \UNNNNNNNN;
//   - bytes that are not UTF-8 are written as \xNN (a raw 0x9b is CSI on a
//     terminal that reads 8-bit controls);
//   - "##[" and "##vso[" (GitHub's legacy and Azure's workflow commands, which
//     the runners find anywhere in a line) become "#\x23[" and "#\x23vso[";
//   - "::" at the start of a line, after white space (GitHub's runner trims
//     the line before it looks for "::command::"), becomes "\x3a:".
//
// Backslashes are left alone: the result is meant to be read, not decoded.

// TerminalSafe returns s as one line of text that is safe to print on a
// terminal or in a CI log: see the list above. Line feeds are shown as \n,
// so s can never start a line of its own.
func TerminalSafe(s string) string { return guardLines(escapeControls(s, ctrlVisible)) }

// TerminalSafeLines is TerminalSafe for text of several lines (an error
// message that lists problems): line feeds are kept, every line is guarded.
func TerminalSafeLines(s string) string { return guardLines(escapeControls(s, ctrlKeepLF)) }

// ctrlMode says what escapeControls does with line breaks and tabs.
type ctrlMode int

const (
	ctrlVisible ctrlMode = iota // every control character as an escape
	ctrlKeepLF                  // line feeds kept, the rest as escapes
	ctrlSpace                   // line breaks and tabs as spaces (Markdown inline text)
	ctrlCode                    // tabs kept, the rest as escapes (one line of a code block)
)

// isLineBreak is what a reader would see as the end of a line.
func isLineBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029
}

// needsEscape reports whether r acts on a terminal or hides or reorders text.
func needsEscape(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r)
}

// escapeControls writes the characters needsEscape names as escapes, and
// invalid UTF-8 bytes as \xNN.
func escapeControls(s string, mode ctrlMode) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case mode == ctrlKeepLF && r == '\n':
			b.WriteByte('\n')
		case mode == ctrlSpace && (isLineBreak(r) || r == '\t'):
			b.WriteByte(' ')
		case mode == ctrlCode && r == '\t':
			b.WriteByte('\t')
		case !needsEscape(r):
			b.WriteString(s[i : i+n])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += n
	}
	return b.String()
}

// guardLines breaks every workflow command in s: "##[" and "##vso[" anywhere,
// "::" where it starts a line after white space. s holds no control
// characters but line feeds.
func guardLines(s string) string {
	if !strings.Contains(s, "::") && !strings.Contains(s, "##") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	lineStart := true // only white space since the start of the line
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\n':
			b.WriteByte('\n')
			lineStart = true
			i++
			continue
		case lineStart && strings.HasPrefix(s[i:], "::"):
			b.WriteString(`\x3a`)
			lineStart = false
			i++
			continue
		case strings.HasPrefix(s[i:], "##") && (strings.HasPrefix(s[i+2:], "[") || len(s) >= i+6 && strings.EqualFold(s[i+2:i+6], "vso[")):
			b.WriteString(`#\x23`)
			lineStart = false
			i += 2
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isCIWhite(r) {
			lineStart = false
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// isCIWhite is the white space the GitHub runner trims off a line before it
// looks for a command (.NET's char.IsWhiteSpace).
func isCIWhite(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) }

// jsonSafe makes encoded JSON safe to print on a terminal or in a CI log
// without changing what it decodes to: the characters needsEscape names
// (DEL, C1 controls, bidi and other format characters; encoding/json
// already escapes C0 controls and U+2028/U+2029) become \uXXXX escapes, and
// the second "#" of "##[" and "##vso[" becomes \u0023. All of them can only
// occur inside JSON strings, where these escapes are valid.
func jsonSafe(b []byte) []byte {
	clean := true
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7f && needsEscape(r) || b[i] == '#' && i+1 < len(b) && b[i+1] == '#' {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+64)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r >= 0x7f && needsEscape(r):
			for _, u := range utf16.AppendRune(nil, r) {
				out = fmt.Appendf(out, `\u%04x`, u)
			}
		case b[i] == '#' && i+2 < len(b) && b[i+1] == '#' && (b[i+2] == '[' || i+5 < len(b) && strings.EqualFold(string(b[i+2:i+6]), "vso[")):
			out = append(out, `#\u0023`...)
			i += 2
			continue
		default:
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
