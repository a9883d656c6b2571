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
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats-server/v2/conf"

	"github.com/natsaudit/natsaudit/internal/model"
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
	p := &parser{opt: opt, res: &Result{Locs: model.Locations{}, EnvRef: map[string]string{}}}
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
	maxInjectedVars = 10000
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

	// Rewrite include directives into placeholder keys.
	var includes []string
	text = includeRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := includeRe.FindStringSubmatch(m)
		target := strings.Trim(sub[2], `"'`)
		includes = append(includes, target)
		return fmt.Sprintf("%s%s%d '%s'", sub[1], includeKey, len(includes)-1, strings.ReplaceAll(target, "'", ""))
	})

	// Define every referenced variable up front so that the conf package
	// never consults os.LookupEnv.
	prefix, nPrefix, bcryptRefs := p.injections(text)
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
		if n := strings.Count(text, "\n") + 1; line > n {
			line = n
		}
		if p.opt.Secrets != nil {
			msg = p.opt.Secrets.Redact(msg)
		}
		return fail(line, col, secret.RedactLine(msg))
	}
	root := &node{val: map[string]*node{}, loc: model.Location{File: rel, Line: 1}}
	p.convertMap(m, root.val.(map[string]*node), rel, nPrefix, true)
	// Merge includes where they were written.
	p.expandIncludes(root, abs, includes, append(stack, abs))
	return root, true
}

func (p *parser) rel(abs string) string {
	if p.opt.Reader != nil {
		return p.opt.Reader.Rel(abs)
	}
	return filepath.ToSlash(abs)
}

// injections builds the variable definitions prepended to the text. Each gets
// a sentinel value naming the variable; normalize resolves it from Env.
func (p *parser) injections(text string) (prefix string, lines int, bcryptLines []int) {
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
		fmt.Fprintf(&b, "'%s' = '%s%s'\n", name, varSentinel, name)
		lines++
	}
	return b.String(), lines, bcryptLines
}

// safeParse runs the conf parser, turning a panic into an error.
func safeParse(text string) (m map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			_ = debug.Stack
			err = fmt.Errorf("the nats config parser failed on this file: %v", r)
		}
	}()
	return conf.ParseWithChecks(text)
}

func (p *parser) convertMap(m map[string]any, out map[string]*node, file string, nPrefix int, top bool) {
	for k, v := range m {
		tk, isTok := v.(confToken)
		if isTok {
			if top && tk.Line() <= nPrefix {
				continue // an injected variable definition
			}
			if tk.IsUsedVariable() {
				continue // a variable definition that was referenced
			}
		}
		out[k] = p.convert(v, file, nPrefix)
	}
}

func (p *parser) convert(v any, file string, nPrefix int) *node {
	n := &node{}
	if tk, ok := v.(confToken); ok {
		line := tk.Line() - nPrefix
		if line < 1 {
			line = 1
		}
		n.loc = model.Location{File: file, Line: line, Column: tk.Position() + 1}
		n.order = line
		v = tk.Value()
	}
	switch x := v.(type) {
	case map[string]any:
		mm := map[string]*node{}
		p.convertMap(x, mm, file, nPrefix, false)
		n.val = mm
	case []any:
		arr := make([]*node, 0, len(x))
		for _, e := range x {
			c := p.convert(e, file, nPrefix)
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
func (p *parser) expandIncludes(n *node, abs string, includes []string, stack []string) {
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
				p.expandIncludes(c, abs, includes, stack)
				continue
			}
			delete(x, k)
			idx, err := strconv.Atoi(strings.TrimPrefix(k, includeKey))
			if err != nil || idx >= len(includes) {
				continue
			}
			inc := p.readInclude(abs, includes[idx], c.loc, stack)
			if inc == nil {
				continue
			}
			im, _ := inc.val.(map[string]*node)
			for ik, iv := range im {
				// nats-server applies keys in file order: a key written after
				// the include wins over the included one, and vice versa.
				if cur, exists := x[ik]; exists && cur.loc.File == c.loc.File && cur.order > c.order {
					continue
				}
				iv.order = c.order
				x[ik] = iv
			}
		}
	case []*node:
		for _, c := range x {
			p.expandIncludes(c, abs, includes, stack)
		}
	}
}

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
	if p.opt.Reader == nil {
		report(fmt.Sprintf("include %q not followed", target))
		return nil
	}
	data, err := p.opt.Reader.Read(abs)
	if err != nil {
		report(fmt.Sprintf("include %q: %v", target, err))
		return nil
	}
	n, ok := p.parseRaw(abs, data, stack)
	if !ok {
		return nil
	}
	return n
}

// errorPosition extracts the line (and column) from a conf error message,
// correcting for the injected lines.
func errorPosition(msg string, nPrefix int) (int, int) {
	if m := posRe.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		c, _ := strconv.Atoi(m[2])
		return max(l-nPrefix, 0), c + 1
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
	msg = strings.ReplaceAll(msg, bcryptSentinel, "")
	msg = strings.ReplaceAll(msg, "( :", "(")
	return msg
}

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
			i++
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

// maxNesting counts the deepest '{' / '[' nesting, ignoring comments roughly.
func maxNesting(text string) int {
	depth, maxd := 0, 0
	for i := 0; i < len(text); i++ {
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
		case '#':
			for i < len(text) && text[i] != '\n' {
				i++
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

// Read implements Reader.
func (r OSReader) Read(abs string) ([]byte, error) {
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("file not found")
		}
		return nil, fmt.Errorf("cannot read the file")
	}
	root, err := filepath.EvalSymlinks(r.Root)
	if err != nil {
		root = r.Root
	}
	relp, err := filepath.Rel(root, real)
	if err != nil || relp == ".." || strings.HasPrefix(relp, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("points outside the scanned tree; not read")
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("cannot read the file")
	}
	if st.IsDir() {
		return nil, fmt.Errorf("is a directory")
	}
	if r.MaxSize > 0 && st.Size() > r.MaxSize {
		return nil, fmt.Errorf("file is over the %d-byte limit", r.MaxSize)
	}
	data, err := os.ReadFile(real)
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: permission denied or I/O error")
	}
	return data, nil
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
