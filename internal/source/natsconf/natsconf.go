// Package natsconf reads nats-server configuration files with the server's own
// parser (github.com/nats-io/nats-server/v2/conf, pedantic mode) into a
// canonical map: aliases resolved, sizes in bytes, durations in nanoseconds,
// secrets replaced by facts, and the file:line of every value kept.
//
// Three things differ from how nats-server loads a file, on purpose:
//   - $VAR references are never looked up in the scanning machine's
//     environment. They resolve from the repository's own .env / compose
//     environment (Env), or stay "set from environment variable NAME".
//   - include directives are followed by this package, not by conf: a file
//     outside the scanned tree is never read, cycles are reported.
//   - A file that fails to parse yields a ParseError, never a panic.
package natsconf

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats-server/v2/conf"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// Env resolves a variable from the repository (never from os.Getenv).
type Env interface {
	Lookup(name string) (value, file string, ok bool)
}

// NoEnv resolves nothing.
type NoEnv struct{}

// Lookup implements Env.
func (NoEnv) Lookup(string) (string, string, bool) { return "", "", false }

// Reader supplies file contents; it is how includes are read (within the root).
type Reader interface {
	// Read returns the content of the file at abs, or an error. It must refuse
	// files outside the scanned tree.
	Read(abs string) ([]byte, error)
	// Rel returns the report path of abs.
	Rel(abs string) string
}

// Options configure a Parser.
type Options struct {
	Reader  Reader
	Env     Env
	Secrets *secret.Analyzer
	// MaxDepth bounds block nesting; deeper files are reported, not parsed.
	MaxDepth int
	// MaxIncludeDepth bounds include chains.
	MaxIncludeDepth int
}

// Result is one parsed configuration (a main file and its includes).
type Result struct {
	Config map[string]any
	Locs   model.Locations   // keys "config/<path>"
	EnvRef map[string]string // "config/<path>" -> environment variable name
	Files  []string          // report paths of the main file and every include read
	Errors []model.ParseError
	// Digest is the config_digest nats-server reports in /varz for this
	// file (digest.go); DigestNote says why it is empty.
	Digest, DigestNote string
}

// OK reports whether the file parsed.
func (r *Result) OK() bool { return r.Config != nil }

// Parse reads the configuration at abs whose content is data.
func Parse(abs string, data []byte, opt Options) *Result {
	if opt.Env == nil {
		opt.Env = NoEnv{}
	}
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = 64
	}
	if opt.MaxIncludeDepth <= 0 {
		opt.MaxIncludeDepth = 10
	}
	p := &parser{opt: opt, res: &Result{Locs: model.Locations{}, EnvRef: map[string]string{}}, incCache: map[string]*node{}}
	root, ok := p.parseRaw(abs, data, nil)
	if !ok {
		return p.res
	}
	cfg := p.normalize(root, ctxTop, "config", 0)
	// The file as a whole has no line of its own: findings about a missing
	// top-level key go to the server's fallback (its first setting).
	delete(p.res.Locs, "config")
	if m, ok := cfg.(map[string]any); ok {
		p.deriveListeners(m)
		p.res.Config = m
	} else {
		p.res.Config = map[string]any{}
	}
	return p.res
}

type parser struct {
	opt Options
	res *Result
	// incCache holds each included file parsed once (nil when it failed).
	incCache map[string]*node
	incCount int
	incBytes int64
	values   int // values normalised so far (bounded by maxValues)
}

// node is a parsed value with where it was written.
type node struct {
	val    any // map[string]*node, []*node, or a scalar
	loc    model.Location
	envVar string // set when the value came from a $VAR reference
	order  int    // line in the including file, to merge includes in order
}

// confToken is how the conf package exposes positions in pedantic mode.
type confToken interface {
	Value() any
	Line() int
	Position() int
	SourceFile() string
	IsUsedVariable() bool
}

const (
	varSentinel     = "@@natsaudit-env@@"
	includeKey      = "__natsaudit_include_"
	bcryptSentinel  = "@@natsaudit-bcrypt@@"
	incVarSentinel  = "@@natsaudit-incvar@@"
	maxInjectedVars = 10000
	// Bounds on includes: directives per file, distinct files and bytes per
	// configuration. Real configurations stay far below them.
	maxIncludesPerFile = 256
	maxIncludedFiles   = 256
	maxIncludedBytes   = 64 << 20
	maxValues          = 200000
)

var (
	// include directives in key position: at the start of a line or after
	// '{', ';' or ','.
	includeRe = regexp.MustCompile(`(?im)(^[ \t]*|[{;,][ \t]*)include[ \t]+("[^"\n]*"|'[^'\n]*'|[^\s;,}#]+)`)
	// Every '$' followed by the characters the conf lexer keeps in a
	// variable name. This over-matches (comments, quoted strings), which is
	// harmless: unused injected definitions are dropped.
	varRe      = regexp.MustCompile(`\$([^\s;,\]\}'\\"]+)`)
	lineNumRe  = regexp.MustCompile(`line (\d+)`)
	posRe      = regexp.MustCompile(`:(\d+):(\d+)\)`)
	bcryptName = regexp.MustCompile(`^2[abxy]\$`)
)

// parseRaw parses one file into a node tree, following includes.
//
// Includes are read before the file itself is parsed, because nats-server
// merges an included file's keys where the include is written: a variable
// defined in an included file ($ALICE_PASS in passwords.conf) resolves in
// the including file. Each included file is parsed on its own, as
// nats-server does, so it does not see the including file's variables.
func (p *parser) parseRaw(abs string, data []byte, stack []string) (n *node, ok bool) {
	rel := p.rel(abs)
	p.res.Files = append(p.res.Files, rel)
	fail := func(line, col int, msg string) (*node, bool) {
		p.res.Errors = append(p.res.Errors, model.ParseError{File: rel, Line: line, Column: col, Message: msg, Kind: "nats_conf"})
		return nil, false
	}
	if !looksText(data) {
		return fail(0, 0, "not a text file (binary content)")
	}
	text := string(data)
	if !utf8.ValidString(text) {
		// nats-server reads bytes as they are; invalid UTF-8 is only a problem
		// inside strings. Replace it so messages stay printable.
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	if d := maxNesting(text); d > p.opt.MaxDepth {
		return fail(0, 0, fmt.Sprintf("blocks nested %d levels deep (limit %d); not parsed", d, p.opt.MaxDepth))
	}

	// Rewrite include directives into placeholder keys, and read the
	// included files.
	text, incs := p.rewriteIncludes(text, rel)
	fc := &fileCtx{file: rel, incs: make([]*node, len(incs)), used: map[string]bool{}}
	for i, inc := range incs {
		fc.incs[i] = p.readInclude(abs, inc.target, model.Location{File: rel, Line: inc.line, Column: inc.col}, append(stack, abs))
	}

	// Define every referenced variable up front so that the conf package
	// never consults os.LookupEnv.
	prefix, nPrefix, bcryptRefs := p.injections(text, fc)
	fc.nPrefix = nPrefix
	for _, l := range bcryptRefs {
		p.res.Errors = append(p.res.Errors, model.ParseError{File: rel, Line: l, Kind: "nats_conf",
			Message: "unquoted bcrypt hash: nats-server only accepts unquoted hashes that start with $2a$; quote it"})
	}
	m, err := safeParse(prefix + text)
	if err != nil {
		line, col := errorPosition(err.Error(), nPrefix)
		msg := cleanMessage(err.Error(), nPrefix)
		if strings.Contains(msg, "Unexpected EOF") {
			// The lexer reports the end of the file; the useful place is the
			// block that was never closed.
			if l := unclosedBlock(text); l > 0 {
				line, col = l, 0
				msg = "this block is never closed: the parser reached the end of the file"
			}
		}
		if configInvalidRe.MatchString(err.Error()) {
			// The parser stops at the end of the file; the key without a
			// value is on the last line that has text.
			line, col = strings.Count(strings.TrimRight(text, " \t\r\n"), "\n")+1, 0
		}
		if n := strings.Count(text, "\n") + 1; line > n {
			line = n
		}
		if line == 0 {
			// Value errors ("integer '…' is out of the range") carry no
			// line: find the value they quote.
			if m := quotedValueRe.FindStringSubmatch(msg); m != nil {
				if i := strings.Index(text, m[1]); i >= 0 {
					line = strings.Count(text[:i], "\n") + 1
				}
			}
		}
		return fail(line, col, p.redactMessage(msg, text))
	}
	if len(stack) == 0 {
		p.res.Digest, p.res.DigestNote = configDigest(m, nPrefix, len(incs) > 0, text != string(data))
	}
	root := &node{val: map[string]*node{}, loc: model.Location{File: rel, Line: 1}}
	p.convertMap(m, root.val.(map[string]*node), fc, true)
	// Merge includes where they were written.
	p.expandIncludes(root, fc)
	return root, true
}

// mentionsInclude reports whether text holds "include" in any case, as
// includeRe's (?i) keyword would match it.
func mentionsInclude(text string) bool {
	for i := 0; i+len("include") <= len(text); i++ {
		if text[i]|0x20 == 'i' && strings.EqualFold(text[i:i+len("include")], "include") {
			return true
		}
	}
	return false
}

// includeRef is an include directive: its target and where it is written.
type includeRef struct {
	target    string
	line, col int
}

// fileCtx is what converting one parsed file needs: its report path, the
// number of injected lines, its includes (parsed, nil when unreadable) and
// the included keys it used as variables.
type fileCtx struct {
	file    string
	nPrefix int
	incs    []*node
	used    map[string]bool // "<include index>/<name>"
}

// rewriteIncludes replaces include directives outside strings and comments
// by placeholder keys the conf parser keeps, and returns the directives.
func (p *parser) rewriteIncludes(text, rel string) (string, []includeRef) {
	if !mentionsInclude(text) {
		// Most configs include nothing, and the regexp has no literal
		// prefix to search for: it was a tenth of a large repo's parsing.
		return text, nil
	}
	locs := includeRe.FindAllStringSubmatchIndex(text, -1)
	if len(locs) == 0 {
		return text, nil
	}
	code := codeMask(text)
	var b strings.Builder
	var incs []includeRef
	last, line, lineAt := 0, 1, 0
	for _, m := range locs {
		kw := m[3] // the keyword starts where the prefix group ends
		if !code[kw] {
			continue // inside a quoted string or a comment
		}
		if len(incs) >= maxIncludesPerFile {
			p.res.Errors = append(p.res.Errors, model.ParseError{File: rel, Line: line, Kind: "nats_conf",
				Message: fmt.Sprintf("more than %d include directives in one file; the rest are not followed", maxIncludesPerFile)})
			break
		}
		line += strings.Count(text[lineAt:kw], "\n")
		lineAt = kw
		col := kw - (strings.LastIndexByte(text[:kw], '\n') + 1) + 1
		target := strings.Trim(text[m[4]:m[5]], `"'`)
		incs = append(incs, includeRef{target: target, line: line, col: col})
		b.WriteString(text[last:m[0]])
		fmt.Fprintf(&b, "%s%s%d '%s'", text[m[2]:m[3]], includeKey, len(incs)-1, strings.ReplaceAll(target, "'", ""))
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String(), incs
}

// codeMask marks the bytes of text that are outside comments and quoted
// strings, roughly as the conf lexer sees them.
func codeMask(text string) []bool {
	mask := make([]bool, len(text)+1)
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '#' || (c == '/' && i+1 < len(text) && text[i+1] == '/' && (i == 0 || strings.IndexByte(" \t\r\n{[,;", text[i-1]) >= 0)):
			// "//" starts a comment where a token could start, not inside
			// nats://host.
			for i < len(text) && text[i] != '\n' {
				i++
			}
			if i < len(text) {
				mask[i] = true
			}
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(text) && text[j] != c && text[j] != '\n' {
				if c == '"' && text[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		default:
			mask[i] = true
		}
	}
	mask[len(text)] = true
	return mask
}

// quotedValueRe finds the value a conf value error quotes.
var quotedValueRe = regexp.MustCompile(`(?:integer|float|got) '([^'\n]{2,})'`)

// redactMessage scrubs a parser message of every secret in the file it is
// about: the remembered values, and whatever a secret-looking line of the
// file holds (a message may quote a value without its key, e.g. "integer
// '…' is out of the range" for a numeric password).
func (p *parser) redactMessage(msg, text string) string {
	seen := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		for _, v := range secret.ValuesInLine(l) {
			if seen[v] {
				continue
			}
			seen[v] = true
			if len(v) >= 6 {
				msg = strings.ReplaceAll(msg, v, secret.Mask)
				continue
			}
			// A short value ("u") is masked only as a whole word, not
			// inside the words of the message.
			re := regexp.MustCompile(`(^|[^\pL\pN_])` + regexp.QuoteMeta(v) + `($|[^\pL\pN_])`)
			msg = re.ReplaceAllString(msg, "${1}"+secret.Mask+"${2}")
		}
	}
	if p.opt.Secrets != nil {
		msg = p.opt.Secrets.Redact(msg)
	}
	return secret.RedactLine(msg)
}

func (p *parser) rel(abs string) string {
	if p.opt.Reader != nil {
		return p.opt.Reader.Rel(abs)
	}
	return filepath.ToSlash(abs)
}

// injections builds the variable definitions prepended to the text. Each gets
// a sentinel value naming the variable; normalize resolves it from Env. A
// variable that an included file defines at its top level resolves to that
// definition instead, as in nats-server.
func (p *parser) injections(text string, fc *fileCtx) (prefix string, lines int, bcryptLines []int) {
	seen := map[string]bool{}
	var b strings.Builder
	for _, m := range varRe.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		if seen[name] || len(seen) >= maxInjectedVars {
			continue
		}
		seen[name] = true
		if strings.HasPrefix(name, "2a$") {
			continue // conf takes unquoted $2a$ hashes as literals
		}
		if bcryptName.MatchString(name) {
			// nats-server fails on these; report it and keep reading.
			bcryptLines = append(bcryptLines, strings.Count(text[:m[0]], "\n")+1)
			fmt.Fprintf(&b, "'%s' = '%s%s'\n", name, bcryptSentinel, "$"+name)
			lines++
			continue
		}
		if idx := fc.definedByInclude(name); idx >= 0 {
			fmt.Fprintf(&b, "'%s' = '%s%d/%s'\n", name, incVarSentinel, idx, name)
		} else {
			fmt.Fprintf(&b, "'%s' = '%s%s'\n", name, varSentinel, name)
		}
		lines++
	}
	return b.String(), lines, bcryptLines
}

// definedByInclude returns the index of the last include that defines name
// at its top level, or -1.
func (fc *fileCtx) definedByInclude(name string) int {
	for i := len(fc.incs) - 1; i >= 0; i-- {
		if m, ok := fc.incs[i].mapVal(); ok {
			if _, ok := m[name]; ok {
				return i
			}
		}
	}
	return -1
}

func (n *node) mapVal() (map[string]*node, bool) {
	if n == nil {
		return nil, false
	}
	m, ok := n.val.(map[string]*node)
	return m, ok
}

// safeParse runs the conf parser, turning a panic into an error.
func safeParse(text string) (m map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the nats config parser failed on this file: %v", r)
		}
	}()
	return conf.ParseWithChecks(text)
}

func (p *parser) convertMap(m map[string]any, out map[string]*node, fc *fileCtx, top bool) {
	for k, v := range m {
		tk, isTok := v.(confToken)
		if isTok {
			if top && tk.Line() <= fc.nPrefix {
				continue // an injected variable definition
			}
			if tk.IsUsedVariable() {
				continue // a variable definition that was referenced
			}
		}
		out[k] = p.convert(v, fc)
	}
}

func (p *parser) convert(v any, fc *fileCtx) *node {
	n := &node{}
	if tk, ok := v.(confToken); ok {
		line := tk.Line() - fc.nPrefix
		if line < 1 {
			line = 1
		}
		n.loc = model.Location{File: fc.file, Line: line, Column: column(tk.Line(), tk.Position())}
		n.order = line
		v = tk.Value()
	}
	switch x := v.(type) {
	case map[string]any:
		mm := map[string]*node{}
		p.convertMap(x, mm, fc, false)
		n.val = mm
	case []any:
		arr := make([]*node, 0, len(x))
		for _, e := range x {
			c := p.convert(e, fc)
			if c.loc.File == "" {
				c.loc = n.loc
			}
			arr = append(arr, c)
		}
		n.val = arr
	case string:
		switch {
		case strings.HasPrefix(x, varSentinel):
			n.envVar = strings.TrimPrefix(x, varSentinel)
			n.val = nil
		case strings.HasPrefix(x, incVarSentinel):
			// A variable defined in an included file: its value, where it
			// was written.
			ref := strings.TrimPrefix(x, incVarSentinel)
			idxs, name, _ := strings.Cut(ref, "/")
			// the file's own string may spell the marker: no such include
			if m, ok := fc.include(idxs).mapVal(); ok && m[name] != nil {
				fc.used[ref] = true
				def := *m[name]
				def.order = n.order
				return &def
			}
			n.val = nil
		case strings.HasPrefix(x, bcryptSentinel):
			n.val = strings.TrimPrefix(x, bcryptSentinel)
		default:
			n.val = x
		}
	case time.Time:
		n.val = x.UTC().Format(time.RFC3339)
	default:
		n.val = x
	}
	return n
}

// expandIncludes replaces include placeholders, anywhere in the tree, by the
// included file's keys.
func (p *parser) expandIncludes(n *node, fc *fileCtx) {
	switch x := n.val.(type) {
	case map[string]*node:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := x[k]
			if !strings.HasPrefix(k, includeKey) {
				p.expandIncludes(c, fc)
				continue
			}
			delete(x, k)
			idx, err := strconv.Atoi(strings.TrimPrefix(k, includeKey))
			if err != nil || idx >= len(fc.incs) || idx < 0 { // a key of the file's own may spell it
				continue
			}
			im, ok := fc.incs[idx].mapVal()
			if !ok {
				continue
			}
			for ik, iv := range im {
				if fc.used[fmt.Sprintf("%d/%s", idx, ik)] {
					continue // a variable the including file used, not a setting
				}
				// nats-server applies keys in file order: a key written after
				// the include wins over the included one, and vice versa.
				if cur, exists := x[ik]; exists && cur.loc.File == c.loc.File && cur.order > c.order {
					continue
				}
				merged := *iv // the included tree may be merged in several places
				merged.order = c.order
				x[ik] = &merged
			}
		}
	case []*node:
		for _, c := range x {
			p.expandIncludes(c, fc)
		}
	}
}

// readInclude reads and parses an included file. Each file is parsed once
// per configuration; the number of files and bytes read through includes is
// bounded, so that a fan-out of includes cannot blow up.
func (p *parser) readInclude(from, target string, at model.Location, stack []string) *node {
	report := func(msg string) {
		p.res.Errors = append(p.res.Errors, model.ParseError{File: at.File, Line: at.Line, Column: at.Column, Kind: "nats_conf", Message: msg})
	}
	if len(stack) > p.opt.MaxIncludeDepth {
		report(fmt.Sprintf("include %q: includes nested more than %d deep", target, p.opt.MaxIncludeDepth))
		return nil
	}
	// nats-server joins the include path to the including file's directory,
	// even when the path is absolute.
	abs := filepath.Join(filepath.Dir(from), target)
	for _, s := range stack {
		if s == abs {
			chain := make([]string, 0, len(stack)+1)
			for _, x := range stack {
				chain = append(chain, p.rel(x))
			}
			chain = append(chain, p.rel(abs))
			report("include cycle: " + strings.Join(chain, " -> "))
			return nil
		}
	}
	if n, ok := p.incCache[abs]; ok {
		return n
	}
	if p.opt.Reader == nil {
		report(fmt.Sprintf("include %q not followed", target))
		return nil
	}
	if p.incCount >= maxIncludedFiles {
		report(fmt.Sprintf("include %q: more than %d included files in one configuration; not followed", target, maxIncludedFiles))
		return nil
	}
	p.incCount++
	data, err := p.opt.Reader.Read(abs)
	if err != nil {
		if filepath.IsAbs(target) && errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("%w (nats-server reads include paths relative to the including file's directory: %s)", err, p.rel(abs))
		}
		report(fmt.Sprintf("include %q: %v", target, err))
		return nil
	}
	if p.incBytes += int64(len(data)); p.incBytes > maxIncludedBytes {
		report(fmt.Sprintf("include %q: included files add up to more than %d bytes; not followed", target, maxIncludedBytes))
		return nil
	}
	n, ok := p.parseRaw(abs, data, stack)
	if !ok {
		n = nil
	}
	p.incCache[abs] = n
	return n
}

// errorPosition extracts the line (and column) from a conf error message,
// correcting for the injected lines.
func errorPosition(msg string, nPrefix int) (int, int) {
	if m := posRe.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		c, _ := strconv.Atoi(m[2])
		return max(l-nPrefix, 0), column(l, c)
	}
	if m := lineNumRe.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		return max(l-nPrefix, 0), 0
	}
	return 0, 0
}

// cleanMessage rewrites a conf error so line numbers match the file and the
// internal sentinels do not show.
func cleanMessage(msg string, nPrefix int) string {
	msg = lineNumRe.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "line "))
		return fmt.Sprintf("line %d", max(n-nPrefix, 0))
	})
	msg = posRe.ReplaceAllStringFunc(msg, func(s string) string {
		m := posRe.FindStringSubmatch(s)
		l, _ := strconv.Atoi(m[1])
		return fmt.Sprintf(":%d:%s)", max(l-nPrefix, 0), m[2])
	})
	msg = strings.ReplaceAll(msg, varSentinel, "$")
	msg = strings.ReplaceAll(msg, incVarSentinel, "")
	msg = strings.ReplaceAll(msg, bcryptSentinel, "")
	msg = strings.ReplaceAll(msg, "( :", "(")
	// The report already says file:line: drop the parser's own prefix.
	if m := parseErrRe.FindStringSubmatch(msg); m != nil {
		msg = m[1]
	}
	if configInvalidRe.MatchString(msg) {
		msg = "the file ends right after a setting name, with no value"
	}
	return msg
}

var (
	parseErrRe      = regexp.MustCompile(`(?s)^Parse error on line \d+: '(.*)'$`)
	configInvalidRe = regexp.MustCompile(`^config is invalid \(`)
)

func looksText(data []byte) bool {
	n := min(len(data), 8192)
	for _, b := range data[:n] {
		if b == 0 {
			return false
		}
	}
	return true
}

// unclosedBlock returns the line of the innermost '{' or '[' still open at
// the end of text (comments and quoted strings skipped), or 0.
func unclosedBlock(text string) int {
	var open []int
	line := 1
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\n':
			line++
		case '#':
			for i+1 < len(text) && text[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			for i+1 < len(text) && text[i+1] != c && text[i+1] != '\n' {
				i++
			}
			i += closingQuote(text, i, c)
		case '{', '[':
			open = append(open, line)
		case '}', ']':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	if len(open) == 0 {
		return 0
	}
	return open[len(open)-1]
}

// maxNesting counts the deepest '{' / '[' nesting outside comments and
// quoted strings (a server_name of seventy braces is not seventy blocks).
func maxNesting(text string) int {
	code := codeMask(text)
	depth, maxd := 0, 0
	for i := 0; i < len(text); i++ {
		if !code[i] {
			continue
		}
		switch text[i] {
		case '{', '[':
			depth++
			if depth > maxd {
				maxd = depth
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return maxd
}

// OSReader reads files within Root from the file system.
type OSReader struct {
	Root    string // absolute
	MaxSize int64
	RelFn   func(abs string) string
}

// Read implements Reader: it reads only a regular file whose real path,
// links resolved, is inside Root and not inside .git, .hg or .svn
// (safefile.Root). The path is checked before the file system is touched,
// and again once links are resolved.
func (r OSReader) Read(abs string) ([]byte, error) {
	return safefile.NewRoot(r.Root).ReadFile(filepath.Clean(abs), r.MaxSize)
}

// Rel implements Reader.
func (r OSReader) Rel(abs string) string {
	if r.RelFn != nil {
		return r.RelFn(abs)
	}
	relp, err := filepath.Rel(r.Root, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(relp)
}

// include is the parsed include of index idx (a decimal string), or nil
// when idx names none: a marker forged by the file's text
// (@@natsaudit-incvar@@9/x in a quoted string) must not index past them.
func (fc *fileCtx) include(idx string) *node {
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(fc.incs) {
		return nil
	}
	return fc.incs[i]
}

// closingQuote is 1 when the byte after i closes a quoted string opened
// with c, so that unclosedBlock steps over it; an unterminated string ends
// before its newline, which is left to count as a line (stepping over it
// put every block opened after it one line early).
func closingQuote(text string, i int, c byte) int {
	if i+1 < len(text) && text[i+1] == c {
		return 1
	}
	return 0
}

// column turns the conf lexer's position on a line into a 1-based column.
// The lexer counts from the start of the text on its first line (0-based)
// and from the newline before the line on every other (so already
// 1-based); lexLine is the lexer's line, before the injected variable
// definitions are taken off.
func column(lexLine, pos int) int {
	if lexLine == 1 {
		return pos + 1
	}
	return pos
}
