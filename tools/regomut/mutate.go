package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Mutant is one small change to one rule file: a condition deleted
// (replaced with `true`, which keeps the body non-empty and the other
// lines where they were), negated, or its comparison operator flipped.
type Mutant struct {
	File string // module name, e.g. rules/ops.rego
	Line int    // 1-based line of the condition in the original file
	Op   string // delete, negate, flip
	Desc string // what changed, for the report
	// The change: src[Start:End] becomes Repl.
	Start, End int
	Repl       string
}

// Apply returns the mutated source.
func (m Mutant) Apply(src string) string {
	return src[:m.Start] + m.Repl + src[m.End:]
}

// flips are the comparison operators swapped with their neighbour; `==`
// and `!=` also differ from `not a == b` when an operand is undefined.
var flips = map[string]struct{ from, to string }{
	"lt":    {"<", "<="},
	"lte":   {"<=", "<"},
	"gt":    {">", ">="},
	"gte":   {">=", ">"},
	"equal": {"==", "!="},
	"neq":   {"!=", "=="},
}

// Mutants lists the mutants of one module, in source order. Only the
// conditions of rule bodies (including else branches, comprehensions and
// `every` bodies) are mutated, never heads or the parser's own expressions.
func Mutants(name, src string, mod *ast.Module) []Mutant {
	var out []Mutant
	seen := map[int]bool{} // expressions by offset: WalkExprs can meet one twice
	ast.WalkExprs(mod, func(e *ast.Expr) bool {
		loc := e.Location
		if e.Generated || loc == nil || len(loc.Text) == 0 || seen[loc.Offset] {
			return false
		}
		seen[loc.Offset] = true
		start, end := loc.Offset, loc.Offset+len(loc.Text)
		if end > len(src) || src[start:end] != string(loc.Text) {
			return false // a location that isn't the source text: leave it alone
		}
		text := string(loc.Text)
		short := oneLine(text)
		if _, some := e.Terms.(*ast.SomeDecl); some {
			return false // `some x in xs` binds; deleting it can only fail to compile
		}
		if _, every := e.Terms.(*ast.Every); every {
			// The body's conditions are walked; the quantifier itself can be negated.
			out = append(out, Mutant{File: name, Line: loc.Row, Op: "negate", Desc: "not " + short, Start: start, End: start, Repl: "not "})
			return false
		}
		if text == "true" {
			return false
		}
		out = append(out, Mutant{File: name, Line: loc.Row, Op: "delete", Desc: "delete " + short, Start: start, End: end, Repl: "true"})
		if e.IsAssignment() {
			return false
		}
		if e.Negated {
			if rest, ok := strings.CutPrefix(text, "not"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n') {
				rest = strings.TrimLeft(rest, " \t\n")
				out = append(out, Mutant{File: name, Line: loc.Row, Op: "negate", Desc: short + " -> " + oneLine(rest), Start: start, End: end, Repl: rest})
			}
		} else {
			out = append(out, Mutant{File: name, Line: loc.Row, Op: "negate", Desc: "not " + short, Start: start, End: start, Repl: "not "})
		}
		if m, ok := flip(name, src, e); ok {
			out = append(out, m)
		}
		return false
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// flip swaps the infix comparison operator of e, found in the source
// between its two operands.
func flip(name, src string, e *ast.Expr) (Mutant, bool) {
	if !e.IsCall() || len(e.Operands()) != 2 {
		return Mutant{}, false
	}
	f, ok := flips[e.Operator().String()]
	if !ok {
		return Mutant{}, false
	}
	a, b := e.Operand(0), e.Operand(1)
	if a.Location == nil || b.Location == nil {
		return Mutant{}, false
	}
	from := a.Location.Offset + len(a.Location.Text)
	to := b.Location.Offset
	if from > to || to > len(src) {
		return Mutant{}, false
	}
	gap := src[from:to]
	i := strings.Index(gap, f.from)
	if i < 0 {
		return Mutant{}, false
	}
	// `<` must not be the start of `<=`.
	if (f.from == "<" || f.from == ">") && i+1 < len(gap) && gap[i+1] == '=' {
		return Mutant{}, false
	}
	start := from + i
	return Mutant{
		File: name, Line: e.Location.Row, Op: "flip",
		Desc:  fmt.Sprintf("%s -> %s in %s", f.from, f.to, oneLine(string(e.Location.Text))),
		Start: start, End: start + len(f.from), Repl: f.to,
	}, true
}

// oneLine shortens an expression for the report.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 90 {
		s = s[:87] + "..."
	}
	return s
}
