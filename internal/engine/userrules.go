package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// maxRuleFile bounds one user rule file: the largest built-in one is a few
// tens of KB.
const maxRuleFile = 4 << 20

// loadDir parses the user rules of dir. The directory may come from the
// scanned tree (a pull request's policies/), so it is read like the tree:
// the directory is a command-line path checked by guard (given inside the
// working directory or a scanned directory, it must resolve inside it),
// its files are read only when they are regular files inside it, never in
// .git (a link to /proc/self/environ or ~/.git-credentials is refused, not
// read), and a file that does not parse is quoted only by a short, scrubbed
// snippet. User packages live in their own namespace: none may be,
// contain, or sit inside a built-in package (builtin), or leave
// natsaudit.rules.
func loadDir(dir string, guard *safefile.Guard, mods map[string]*ast.Module, tests bool, custom map[string]bool, builtin []ast.Ref) error {
	if guard == nil {
		guard = safefile.NewGuard()
	}
	real, err := guard.Check(dir)
	if err == nil {
		var st os.FileInfo
		if st, err = os.Stat(real); err == nil && !st.IsDir() {
			err = errors.New("not a directory")
		}
	}
	if err != nil {
		return fmt.Errorf("load rules from %s: %w", dir, err)
	}
	root := safefile.NewRoot(real)
	n := len(mods)
	err = filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != real && safefile.IsPrivate(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".rego") || (!tests && strings.HasSuffix(p, "_test.rego")) {
			return nil
		}
		rel, err := filepath.Rel(real, p)
		if err != nil {
			return err
		}
		name := ModuleName(filepath.Join(dir, rel))
		src, err := root.ReadFile(p, maxRuleFile)
		if errors.Is(err, safefile.ErrOutside) {
			err = errors.New("a symbolic link out of the rules directory; not read")
		}
		if err != nil {
			return fmt.Errorf("read rule %s: %w", name, err)
		}
		if _, dup := mods[name]; dup {
			return fmt.Errorf("load rules from %s: %s is loaded twice", dir, name)
		}
		m, err := parse(name, string(src))
		if err != nil {
			return fmt.Errorf("parse rule %s: %w", name, scrubErrors(err))
		}
		if err := checkNamespace(name, m, strings.HasSuffix(p, "_test.rego"), builtin); err != nil {
			return err
		}
		mods[name] = m
		custom[name] = true
		return nil
	})
	if err != nil {
		return err
	}
	if len(mods) == n {
		return fmt.Errorf("load rules from %s: no .rego files found", dir)
	}
	return nil
}

// builtinPackages are the packages of the built-in modules.
func builtinPackages(mods map[string]*ast.Module) []ast.Ref {
	seen := map[string]bool{}
	var out []ast.Ref
	for _, m := range mods {
		if k := m.Package.Path.String(); !seen[k] {
			seen[k] = true
			out = append(out, m.Package.Path)
		}
	}
	// Sorted, so that the error naming a clash is the same on every run
	// (natsaudit.lib contains several built-in packages).
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

var rulesRoot = ast.MustParseRef("data.natsaudit.rules")

// checkNamespace refuses a user module that would join, contain or extend
// a built-in package: in the same package a user file can redefine a
// built-in helper (a rule of the same name and arguments is merged into the
// same function) and silently change what a built-in rule finds.
func checkNamespace(name string, m *ast.Module, test bool, builtin []ast.Ref) error {
	path := m.Package.Path
	pkg := strings.TrimPrefix(path.String(), "data.")
	// The package itself first: "is the built-in package" says more than
	// "contains" when both hold.
	for _, b := range builtin {
		if b.Equal(path) {
			return fmt.Errorf("rule %s: package %s is the built-in package %s: custom rules cannot join, replace or extend built-in rules and helpers; use a package of your own (e.g. package natsaudit.rules.myteam_%s)",
				name, pkg, pkg, lastPart(b))
		}
	}
	for _, b := range builtin {
		if b.HasPrefix(path) || path.HasPrefix(b) {
			bpkg := strings.TrimPrefix(b.String(), "data.")
			what := "is the built-in package " + bpkg
			switch {
			case len(path) < len(b):
				what = "contains the built-in package " + bpkg
			case len(path) > len(b):
				what = "is inside the built-in package " + bpkg
			}
			return fmt.Errorf("rule %s: package %s %s: custom rules cannot join, replace or extend built-in rules and helpers; use a package of your own (e.g. package natsaudit.rules.myteam_%s)",
				name, pkg, what, lastPart(b))
		}
	}
	under := path.HasPrefix(rulesRoot) && len(path) > len(rulesRoot)
	if !test && !under || test && path.HasPrefix(ast.MustParseRef("data.natsaudit")) && !under {
		return fmt.Errorf("rule %s: package %s must be under natsaudit.rules (e.g. package natsaudit.rules.myteam)", name, pkg)
	}
	// The query reads data.natsaudit.rules[pkg].deny: a deeper package's
	// deny would be in the catalog yet never evaluated.
	if !test && len(path) != len(rulesRoot)+1 && definesDeny(m) {
		return fmt.Errorf("rule %s: package %s must be exactly one level under natsaudit.rules (e.g. package natsaudit.rules.myteam_streams)", name, pkg)
	}
	return nil
}

func lastPart(r ast.Ref) string {
	if s, ok := r[len(r)-1].Value.(ast.String); ok {
		return string(s)
	}
	return "rules"
}

// Parse errors of a file that is not Rego (a planted link, a binary) must
// not print it: OPA's errors carry the whole offending line.
const (
	maxErrors      = 5
	maxErrorText   = 200
	snippetBefore  = 32 // runes of the line before the error's column
	snippetAfter   = 8
	snippetElision = "..."
)

// scrubErrors rewrites OPA's errors without their details (the offending
// line, whole): each keeps its file:line, code and message (shortened),
// and a parse error a short snippet of the line around its column, with
// secrets masked and control characters escaped; a line that is not text
// is not quoted at all.
func scrubErrors(err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return errors.New(shortText(err.Error()))
	}
	var b strings.Builder
	for i, e := range errs {
		if i == maxErrors {
			fmt.Fprintf(&b, "\n(%d more errors)", len(errs)-i)
			break
		}
		if i > 0 {
			b.WriteString("\n")
		}
		if e.Location != nil {
			fmt.Fprintf(&b, "%s:%d: ", e.Location.File, e.Location.Row)
		}
		fmt.Fprintf(&b, "%s: %s", e.Code, shortText(e.Message))
		if d, ok := e.Details.(*ast.ParserErrorDetail); ok {
			if s := snippet(d.Line, d.Idx); s != "" {
				fmt.Fprintf(&b, " (near %q)", s)
			}
		}
	}
	return errors.New(b.String())
}

// snippet is at most snippetBefore+snippetAfter runes of line around byte
// idx; "" when the line is not text. Secrets are found in the whole line
// (a key's name may lie outside the window, its value inside) and every
// part of one that falls in the window is masked, and so is the content of
// every string literal: a rule file has no reason to hold a secret, but a
// snippet is no place to find out.
func snippet(line string, idx int) string {
	if !utf8.ValidString(line) || strings.ContainsFunc(line, func(r rune) bool { return r != '\t' && !unicode.IsPrint(r) }) {
		return ""
	}
	idx = max(0, min(idx, len(line)))
	lo, hi := idx, idx
	for n := 0; n < snippetBefore && lo > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(line[:lo])
		lo -= size
	}
	for n := 0; n < snippetAfter && hi < len(line); n++ {
		_, size := utf8.DecodeRuneInString(line[hi:])
		hi += size
	}
	secretAt := make([]bool, len(line))
	for _, v := range secret.ValuesInLine(line) {
		for from := 0; from < len(line); {
			i := strings.Index(line[from:], v)
			if i < 0 {
				break
			}
			for j := from + i; j < from+i+len(v); j++ {
				secretAt[j] = true
			}
			from += i + len(v)
		}
	}
	for i, in := 0, false; i < len(line); i++ {
		switch {
		case line[i] == '"':
			in = !in
		case in && line[i] == '\\':
			secretAt[i] = true
			if i+1 < len(line) {
				i++
				secretAt[i] = true
			}
		case in:
			secretAt[i] = true
		}
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString(snippetElision)
	}
	for i := lo; i < hi; i++ {
		switch {
		case !secretAt[i]:
			b.WriteByte(line[i])
		case i == lo || !secretAt[i-1]:
			b.WriteString(secret.Mask)
		}
	}
	if hi < len(line) {
		b.WriteString(snippetElision)
	}
	return secret.RedactLine(b.String())
}

// shortText is a message on one line, at most maxErrorText bytes, with
// control characters escaped.
func shortText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= maxErrorText {
			b.WriteString(snippetElision)
			break
		}
		switch {
		case r == utf8.RuneError, !unicode.IsPrint(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
