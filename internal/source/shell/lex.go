package shell

import (
	"regexp"
	"strings"
)

// A script is read, never run: the lexer knows enough of POSIX sh to find
// the words of each simple command (quotes, escapes, line continuations,
// comments, operators, redirections, here-documents), and keeps every
// expansion as a part to evaluate later against the variables the script
// itself assigns.

// part is one piece of a word.
type part struct {
	lit    string // literal text (when name == "" and !subst)
	name   string // a parameter expansion: $NAME or ${NAME...}
	op     string // ${NAME<op>def}: ":-", "-", ":=", "=", ":?", "?", ":+", "+"
	def    string // the word after op, literal
	subst  bool   // $(...), `...`, $((...)), $1, ${#x}...: value unknown
	quoted bool   // inside "..." or '...': no word splitting
}

// rawWord is a word as written.
type rawWord struct {
	parts []part
	line  int
}

// redirect is a redirection target (> file, < file), kept apart from the
// command's arguments.
type redirect struct {
	target rawWord
}

// heredoc is a here-document the lexer skipped.
type heredoc struct {
	line  int // line of the command
	delim string
}

// rawCmd is a simple command: its words, redirections and here-documents.
type rawCmd struct {
	words     []rawWord
	redirects []redirect
	heredocs  []heredoc
	line      int
}

// maxWords bounds the words of one command and maxCmds the commands of a
// script, so that a hostile file costs linear time and bounded memory.
const (
	maxWords = 10000
	maxCmds  = 100000
)

// lexer splits a script into commands.
type lexer struct {
	b    []byte
	i    int
	line int

	cmds    []rawCmd
	cur     rawCmd
	word    rawWord
	inWord  bool
	pending []heredocSpec
	// redirNext: the next word is a redirection target.
	redirNext bool
	// lit gathers the literal text of the current word (see addPart).
	lit       []byte
	hasLit    bool
	litQuoted bool
}

type heredocSpec struct {
	delim     string
	stripTabs bool
	line      int
}

func lex(b []byte) []rawCmd {
	l := &lexer{b: b, line: 1}
	l.run()
	return l.cmds
}

func (l *lexer) peek(k int) byte {
	if l.i+k < len(l.b) {
		return l.b[l.i+k]
	}
	return 0
}

func (l *lexer) addPart(p part) {
	if !l.inWord {
		l.inWord = true
		l.word = rawWord{line: l.line}
	}
	// Adjacent literals of the same quoting are gathered in a byte buffer
	// (amortised appends): a word of a million escaped characters is one
	// part, built in linear time.
	if p.name == "" && !p.subst {
		if l.hasLit && l.litQuoted != p.quoted {
			l.flushLit()
		}
		l.lit = append(l.lit, p.lit...)
		l.hasLit, l.litQuoted = true, p.quoted
		return
	}
	l.flushLit()
	l.word.parts = append(l.word.parts, p)
}

// flushLit ends the literal being gathered.
func (l *lexer) flushLit() {
	if !l.hasLit {
		return
	}
	l.word.parts = append(l.word.parts, part{lit: string(l.lit), quoted: l.litQuoted})
	l.lit, l.hasLit = l.lit[:0], false
}

// emptyQuoted records "" or ” as a word of its own.
func (l *lexer) emptyQuoted() {
	l.addPart(part{quoted: true})
}

func (l *lexer) endWord() {
	if !l.inWord {
		return
	}
	l.flushLit()
	l.inWord = false
	if l.redirNext {
		l.redirNext = false
		l.cur.redirects = append(l.cur.redirects, redirect{target: l.word})
		return
	}
	if len(l.cur.words) == 0 {
		l.cur.line = l.word.line
	}
	if len(l.cur.words) < maxWords {
		l.cur.words = append(l.cur.words, l.word)
	}
}

func (l *lexer) endCmd() {
	l.endWord()
	l.redirNext = false
	if len(l.cur.words) > 0 && len(l.cmds) < maxCmds {
		l.cmds = append(l.cmds, l.cur)
	}
	l.cur = rawCmd{}
}

func (l *lexer) run() {
	for l.i < len(l.b) {
		c := l.b[l.i]
		switch {
		case c == '\\' && l.peek(1) == '\n':
			l.i += 2
			l.line++
		case c == '\\' && l.peek(1) == '\r' && l.peek(2) == '\n':
			l.i += 3
			l.line++
		case c == '\n':
			l.i++
			l.endCmd()
			l.line++
			l.skipHeredocs()
		case c == ' ' || c == '\t' || c == '\r':
			l.i++
			l.endWord()
		case c == '#' && !l.inWord:
			for l.i < len(l.b) && l.b[l.i] != '\n' {
				l.i++
			}
		case c == ';' || c == '&' || c == '|' || c == '(' || c == ')':
			l.endCmd()
			l.i++
		case c == '<' || c == '>':
			l.redirection()
		case c == '\'':
			l.single()
		case c == '"':
			l.double()
		case c == '$':
			l.dollar(false)
		case c == '`':
			l.backtick(false)
		case c == '\\':
			if l.i+1 < len(l.b) {
				l.addPart(part{lit: string(l.b[l.i+1]), quoted: true})
			}
			l.i += 2
		default:
			j := l.i
			for j < len(l.b) && !strings.ContainsRune(" \t\r\n;&|()<>'\"$`\\", rune(l.b[j])) && !(l.b[j] == '#' && j == l.i && !l.inWord) {
				j++
			}
			if j == l.i {
				j++
			}
			l.addPart(part{lit: string(l.b[l.i:j])})
			l.i = j
		}
	}
	l.endCmd()
}

// redirection handles <, >, >>, <&, 2>, <<, <<-, <<<.
func (l *lexer) redirection() {
	// "2>" : a word of digits just before is the file descriptor.
	if l.inWord {
		l.flushLit()
	}
	if l.inWord && len(l.word.parts) == 1 && l.word.parts[0].name == "" && !l.word.parts[0].subst && isDigits(l.word.parts[0].lit) {
		l.inWord = false
	} else {
		l.endWord()
	}
	if l.b[l.i] == '<' && l.peek(1) == '<' && l.peek(2) != '<' {
		l.i += 2
		strip := false
		if l.peek(0) == '-' {
			strip = true
			l.i++
		}
		for l.i < len(l.b) && (l.b[l.i] == ' ' || l.b[l.i] == '\t') {
			l.i++
		}
		start := l.i
		for l.i < len(l.b) && !strings.ContainsRune(" \t\r\n;&|()<>", rune(l.b[l.i])) {
			l.i++
		}
		delim := strings.NewReplacer(`'`, "", `"`, "", `\`, "").Replace(string(l.b[start:l.i]))
		if delim != "" {
			l.pending = append(l.pending, heredocSpec{delim: delim, stripTabs: strip, line: l.line})
			l.cur.heredocs = append(l.cur.heredocs, heredoc{line: l.line, delim: delim})
			if len(l.cur.words) == 0 {
				l.cur.line = l.line
			}
		}
		return
	}
	for l.i < len(l.b) && (l.b[l.i] == '<' || l.b[l.i] == '>') {
		l.i++
	}
	if l.peek(0) == '&' || l.peek(0) == '|' {
		l.i++
	}
	l.redirNext = true
}

// skipHeredocs skips the bodies of the here-documents of the line just
// ended (their content is data, not commands).
func (l *lexer) skipHeredocs() {
	for _, h := range l.pending {
		for l.i < len(l.b) {
			end := l.i
			for end < len(l.b) && l.b[end] != '\n' {
				end++
			}
			text := strings.TrimRight(string(l.b[l.i:end]), "\r")
			if h.stripTabs {
				text = strings.TrimLeft(text, "\t")
			}
			l.i = end
			if l.i < len(l.b) {
				l.i++
			}
			l.line++
			if text == h.delim {
				break
			}
		}
	}
	l.pending = l.pending[:0]
}

func (l *lexer) single() {
	l.i++
	start := l.i
	for l.i < len(l.b) && l.b[l.i] != '\'' {
		if l.b[l.i] == '\n' {
			l.line++
		}
		l.i++
	}
	if l.i == start {
		l.emptyQuoted()
	} else {
		l.addPart(part{lit: string(l.b[start:l.i]), quoted: true})
	}
	l.i++ // closing quote
}

func (l *lexer) double() {
	l.i++
	empty := true
	for l.i < len(l.b) && l.b[l.i] != '"' {
		c := l.b[l.i]
		switch {
		case c == '\\' && l.i+1 < len(l.b) && strings.IndexByte("$`\"\\\n", l.b[l.i+1]) >= 0:
			if l.b[l.i+1] == '\n' {
				l.line++
			} else {
				l.addPart(part{lit: string(l.b[l.i+1]), quoted: true})
				empty = false
			}
			l.i += 2
		case c == '$':
			l.dollar(true)
			empty = false
		case c == '`':
			l.backtick(true)
			empty = false
		default:
			// A run of plain characters at once: adding them one by one
			// would copy a long string once per character.
			j := l.i
			for j < len(l.b) && l.b[j] != '"' && l.b[j] != '\\' && l.b[j] != '$' && l.b[j] != '`' {
				if l.b[j] == '\n' {
					l.line++
				}
				j++
			}
			if j == l.i {
				j++ // a backslash that escapes nothing is itself
			}
			l.addPart(part{lit: string(l.b[l.i:j]), quoted: true})
			empty = false
			l.i = j
		}
	}
	if empty {
		l.emptyQuoted()
	}
	l.i++ // closing quote
}

var nameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*`)

// dollar reads an expansion starting at $.
func (l *lexer) dollar(quoted bool) {
	next := l.peek(1)
	switch {
	case next == '(':
		l.i++
		l.skipBalanced('(', ')')
		l.addPart(part{subst: true, quoted: quoted})
	case next == '{':
		l.i += 2
		start := l.i
		depth := 1
		for l.i < len(l.b) && depth > 0 {
			switch l.b[l.i] {
			case '{':
				depth++
			case '}':
				depth--
			case '\n':
				l.line++
			}
			l.i++
		}
		body := string(l.b[start:max(start, l.i-1)])
		l.addPart(paramPart(body, quoted))
	default:
		rest := l.b[l.i+1:]
		if m := nameRe.Find(rest); m != nil {
			l.addPart(part{name: string(m), quoted: quoted})
			l.i += 1 + len(m)
			return
		}
		if len(rest) > 0 && strings.IndexByte("0123456789@*#?$!-", rest[0]) >= 0 {
			l.addPart(part{subst: true, quoted: quoted})
			l.i += 2
			return
		}
		l.addPart(part{lit: "$", quoted: quoted})
		l.i++
	}
}

// paramPart reads the body of ${...}.
func paramPart(body string, quoted bool) part {
	m := nameRe.FindString(body)
	if m == "" {
		return part{subst: true, quoted: quoted} // ${#x}, ${1}, ${@}...
	}
	rest := body[len(m):]
	if rest == "" {
		return part{name: m, quoted: quoted}
	}
	for _, op := range []string{":-", ":=", ":?", ":+", "-", "=", "?", "+"} {
		if strings.HasPrefix(rest, op) {
			return part{name: m, op: op, def: unquote(rest[len(op):]), quoted: quoted}
		}
	}
	return part{subst: true, quoted: quoted} // ${x%...}, ${x/...}: computed
}

// unquote drops the quotes of a ${x:-"default"} word.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

func (l *lexer) backtick(quoted bool) {
	l.i++
	for l.i < len(l.b) && l.b[l.i] != '`' {
		if l.b[l.i] == '\\' {
			l.i++
		} else if l.b[l.i] == '\n' {
			l.line++
		}
		l.i++
	}
	l.i++
	l.addPart(part{subst: true, quoted: quoted})
}

// skipBalanced skips from an opening bracket at l.i to its match, minding
// quotes, and counts lines.
func (l *lexer) skipBalanced(open, close byte) {
	depth := 0
	var quote byte
	for l.i < len(l.b) {
		c := l.b[l.i]
		if c == '\n' {
			l.line++
		}
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				l.i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '\\':
			l.i++
		case c == open:
			depth++
		case c == close:
			depth--
			if depth == 0 {
				l.i++
				return
			}
		}
		l.i++
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
