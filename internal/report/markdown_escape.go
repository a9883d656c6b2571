package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Every string in the Markdown reports that natsaudit did not write itself
// (names of files, servers, streams and subjects, messages, snippets,
// targets, endpoints, suppression reasons, notes, error messages, the
// metadata of custom rules) goes through one of these escapers, chosen by
// where it lands:
//
//   - mdInline: running text (paragraphs, list items, headings, bold);
//   - mdCell: a table cell;
//   - mdCode, mdCodeCell: a code span (file names, locations, endpoints);
//   - mdFenced: a fenced code block (snippets);
//   - mdParagraphs: text of several paragraphs (a custom rule's description).
//
// What they guarantee, checked against goldmark with GitHub's extensions in
// the tests and the fuzz target (FuzzRenderers):
//
//   - no raw HTML: <, > and & are written as entities;
//   - no link or image: [, ], ! are escaped, and a word GitHub would turn
//     into a link on its own (a URL with "://", "www.", an e-mail address
//     or @mention, an issue reference such as #12 or GH-12) is written as a
//     code span, where neither GFM's autolinks nor GitHub's references
//     apply. A code span keeps the text exact, where an inserted
//     zero-width character would corrupt it for whoever copies it;
//   - no emphasis, strike-through, math or code span opened by input: *, _
//     (unless inside a word), ~, $, backslash and backtick are escaped;
//   - no block: line breaks become spaces, so input never starts a line;
//     and since wrap can put any word at the start of a line, whatever
//     would open a block there is escaped too (#, words of only -, + or =,
//     "1." and "1)"; > is an entity anyway);
//   - tables keep their columns: | is escaped in text and in code spans in
//     cells (GFM splits rows before it parses code spans);
//   - code spans cannot be closed early: the fence is longer than any run
//     of backticks in the content, and padded when the content begins or
//     ends with a backtick;
//   - fenced blocks cannot be closed early: the fence is longer than any
//     run of backticks or tildes in the content;
//   - control and invisible characters are shown as escapes (\x1b, \u202e),
//     as in text output: a Markdown file is also read with cat, or printed
//     to a CI log; for the same reason a word starting with "::" is
//     escaped (\::), and WriteMarkdown breaks what is left of workflow
//     commands in code spans and snippets with guardLines.

// mdInline escapes untrusted text for running Markdown text.
func mdInline(s string) string { return mdText(s, false) }

// mdCell escapes untrusted text for a table cell; an empty cell shows "—".
func mdCell(s string) string {
	if t := mdText(s, true); t != "" {
		return t
	}
	return "—"
}

// mdText escapes s word by word; white space collapses to one space.
func mdText(s string, cell bool) string {
	words := strings.Fields(escapeControls(s, ctrlSpace))
	for i, w := range words {
		switch {
		case linkish(w):
			words[i] = codeSpan(w, cell)
		case i == 0 && isOrderedMarker(w):
			// "1." or "12)" first would start an ordered list (the text can
			// be a list item's or a paragraph's first word). Later words
			// never start a line: wrap keeps them off (blockMarker).
			words[i] = w[:len(w)-1] + `\` + w[len(w)-1:]
		default:
			words[i] = mdWord(w)
		}
	}
	return strings.Join(words, " ")
}

func isOrderedMarker(w string) bool {
	n := len(w)
	return n >= 2 && n <= 10 && (w[n-1] == '.' || w[n-1] == ')') && isDigits(w[:n-1])
}

// linkish reports whether GitHub would make a link of w by itself: a URL,
// a www. domain, an e-mail address or @mention, a reference to an issue.
func linkish(w string) bool {
	lw := strings.ToLower(w)
	if strings.Contains(w, "://") || strings.Contains(lw, "www.") || strings.Contains(w, "@") ||
		strings.Contains(lw, "mailto:") || strings.Contains(lw, "xmpp:") {
		return true
	}
	for i := 0; i+1 < len(lw); i++ {
		if lw[i] == '#' && isDigit(lw[i+1]) || strings.HasPrefix(lw[i:], "gh-") && i+3 < len(lw) && isDigit(lw[i+3]) {
			return true
		}
	}
	return false
}

// mdWord escapes one word (no white space in it) of running text.
func mdWord(w string) string {
	var b strings.Builder
	b.Grow(len(w) + 8)
	prev := rune(-1)
	for i, r := range w {
		switch r {
		case '\\', '`', '*', '[', ']', '!', '|', '~', '#', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '_':
			// Inside a word (allow_non_tls) an underscore never starts or
			// ends emphasis; keep those readable.
			next, _ := utf8.DecodeRuneInString(w[i+1:])
			if !asciiAlnum(prev) || !asciiAlnum(next) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case ':':
			// "::cmd::" starting a line of the file is a GitHub workflow
			// command when the report is printed to a CI log.
			if i == 0 && strings.HasPrefix(w, "::") {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		case '-', '+', '=':
			// "-", "+", "--", "===": a list item, a thematic break or a
			// setext underline, should the word start a line.
			if i == 0 && strings.Trim(w, string(r)) == "" {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// mdCode writes untrusted text as a code span.
func mdCode(s string) string { return codeSpan(s, false) }

// mdCodeCell writes untrusted text as a code span in a table cell.
func mdCodeCell(s string) string { return codeSpan(s, true) }

func codeSpan(s string, cell bool) string {
	t := escapeControls(s, ctrlSpace)
	if t == "" {
		return "` `"
	}
	fence := strings.Repeat("`", longestRun(t, '`')+1)
	if cell {
		// GFM splits a row at every unescaped |, code spans included, and
		// drops the backslash of \| inside them again.
		t = strings.ReplaceAll(t, "|", `\|`)
	}
	// A backtick next to the fence would lengthen it; a space at both ends
	// would be stripped. Markdown strips one padding space on each side.
	if strings.TrimSpace(t) != "" && (t[0] == '`' || t[len(t)-1] == '`' || t[0] == ' ' && t[len(t)-1] == ' ') {
		t = " " + t + " "
	}
	return fence + t + fence
}

// mdFenced writes untrusted text as a fenced code block, every line
// prefixed with indent (to stay inside a list item), ending with a newline.
func mdFenced(s, info, indent string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	n := 2
	for i, l := range lines {
		lines[i] = escapeControls(l, ctrlCode)
		n = max(n, longestRun(lines[i], '`'), longestRun(lines[i], '~'))
	}
	fence := strings.Repeat("`", n+1)
	var b strings.Builder
	b.WriteString(indent + fence + info + "\n")
	for _, l := range lines {
		b.WriteString(strings.TrimRight(indent+l, " ") + "\n")
	}
	b.WriteString(indent + fence + "\n")
	return b.String()
}

// mdBlock is one block of untrusted text of several paragraphs.
type mdBlock struct {
	text string // escaped paragraph, or a complete fenced code block
	code bool
}

// mdParagraphs escapes untrusted text of several paragraphs (a custom
// rule's description or remediation): blocks are separated by blank lines;
// a block indented by four spaces or fenced by ``` or ~~~ becomes a fenced
// code block, any other an escaped paragraph.
func mdParagraphs(s string) []mdBlock {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []mdBlock
	for _, p := range strings.Split(s, "\n\n") {
		lines := strings.Split(strings.Trim(p, "\n"), "\n")
		first := strings.TrimSpace(lines[0])
		switch {
		case len(lines) >= 2 && (strings.HasPrefix(first, "```") || strings.HasPrefix(first, "~~~")):
			body := lines[1:]
			if last := strings.TrimSpace(body[len(body)-1]); strings.HasPrefix(last, first[:3]) {
				body = body[:len(body)-1]
			}
			out = append(out, mdBlock{text: mdFenced(strings.Join(body, "\n"), "", ""), code: true})
		case indentedCode(lines):
			for i, l := range lines {
				lines[i] = strings.TrimPrefix(strings.TrimPrefix(l, "\t"), "    ")
			}
			out = append(out, mdBlock{text: mdFenced(strings.Join(lines, "\n"), "", ""), code: true})
		default:
			if t := mdInline(p); t != "" {
				out = append(out, mdBlock{text: t})
			}
		}
	}
	return out
}

func indentedCode(lines []string) bool {
	for _, l := range lines {
		if !strings.HasPrefix(l, "    ") && !strings.HasPrefix(l, "\t") {
			return false
		}
	}
	return strings.TrimSpace(strings.Join(lines, "")) != ""
}

// mdWords splits Markdown into words at white space, keeping each code
// span whole (a file name with spaces must not be broken across lines,
// where a line could start with what is inside it).
func mdWords(s string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			words = append(words, s[start:end])
			start = -1
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			if start < 0 {
				start = i
			}
			i += 2
			continue
		case c == '`':
			if start < 0 {
				start = i
			}
			n := runAt(s, i, '`')
			if end := closingRun(s, i+n, n); end >= 0 {
				i = end + n
			} else {
				i += n
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			flush(i)
		} else if start < 0 {
			start = i
		}
		i += size
	}
	flush(len(s))
	return words
}

// runAt is the length of the run of c starting at s[i].
func runAt(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// closingRun finds the next run of exactly n backticks from s[i].
func closingRun(s string, i, n int) int {
	for i < len(s) {
		if s[i] != '`' {
			i++
			continue
		}
		m := runAt(s, i, '`')
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest := 0
	for i := 0; i < len(s); {
		if s[i] != c {
			i++
			continue
		}
		n := runAt(s, i, c)
		longest = max(longest, n)
		i += n
	}
	return longest
}

func asciiAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}
