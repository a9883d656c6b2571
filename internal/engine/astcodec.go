package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// astcodec writes compiled Rego modules in a compact binary form and reads
// them back (see precompiled.go for why). It covers the nodes a compiled
// module holds; encoding anything else is an error, so that a new kind of
// node in a rule fails `go generate` instead of being dropped.
//
// Not kept: comments and annotations (the catalog is stored on its own),
// imports' aliases' locations, and the parser's private bookkeeping
// (keywords, generated heads and bodies), which evaluation does not read.

// Term tags.
const (
	tagNil byte = iota
	tagNull
	tagFalse
	tagTrue
	tagNumber
	tagString
	tagVar
	tagRef
	tagArray
	tagObject
	tagSet
	tagArrayCompr
	tagObjectCompr
	tagSetCompr
	tagCall
)

// Expression term kinds.
const (
	exprTerm byte = iota
	exprCall
	exprSome
	exprEvery
)

// Location text: none, a slice of the file's source at the location's
// offset, or a string of the table.
const (
	textNone byte = iota
	textSource
	textInline
)

type astEncoder struct {
	out     []byte
	strs    map[string]int
	strList []string
	locs    map[*ast.Location]int
	locList []*ast.Location
	sources map[string][]byte
	terms   int
	exprs   int
	err     error
}

func (e *astEncoder) uint(n int) {
	if n < 0 {
		e.fail("negative number %d", n)
		n = 0
	}
	e.out = binary.AppendUvarint(e.out, uint64(n))
}

func (e *astEncoder) byte(b byte) { e.out = append(e.out, b) }

func (e *astEncoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf(format, args...)
	}
}

func (e *astEncoder) str(s string) {
	i, ok := e.strs[s]
	if !ok {
		i = len(e.strList)
		e.strs[s] = i
		e.strList = append(e.strList, s)
	}
	e.uint(i)
}

func (e *astEncoder) loc(l *ast.Location) {
	if l == nil {
		e.uint(0)
		return
	}
	i, ok := e.locs[l]
	if !ok {
		i = len(e.locList)
		e.locs[l] = i
		e.locList = append(e.locList, l)
	}
	e.uint(i + 1)
}

func (e *astEncoder) term(t *ast.Term) {
	if t == nil {
		e.byte(tagNil)
		return
	}
	e.terms++
	switch v := t.Value.(type) {
	case ast.Null:
		e.byte(tagNull)
	case ast.Boolean:
		if v {
			e.byte(tagTrue)
		} else {
			e.byte(tagFalse)
		}
	case ast.Number:
		e.byte(tagNumber)
		e.str(string(v))
	case ast.String:
		e.byte(tagString)
		e.str(string(v))
	case ast.Var:
		e.byte(tagVar)
		e.str(string(v))
	case ast.Ref:
		e.byte(tagRef)
		e.termList(v)
	case ast.Call:
		e.byte(tagCall)
		e.termList(v)
	case *ast.Array:
		e.byte(tagArray)
		e.uint(v.Len())
		for i := range v.Len() {
			e.term(v.Elem(i))
		}
	case ast.Object:
		e.byte(tagObject)
		e.uint(v.Len())
		_ = v.Iter(func(k, x *ast.Term) error {
			e.term(k)
			e.term(x)
			return nil
		})
	case ast.Set:
		e.byte(tagSet)
		e.termList(v.Slice())
	case *ast.ArrayComprehension:
		e.byte(tagArrayCompr)
		e.term(v.Term)
		e.body(v.Body)
	case *ast.SetComprehension:
		e.byte(tagSetCompr)
		e.term(v.Term)
		e.body(v.Body)
	case *ast.ObjectComprehension:
		e.byte(tagObjectCompr)
		e.term(v.Key)
		e.term(v.Value)
		e.body(v.Body)
	default:
		e.fail("term %v: %T cannot be encoded", t, t.Value)
		e.byte(tagNull)
	}
	e.loc(t.Location)
}

func (e *astEncoder) termList(ts []*ast.Term) {
	e.uint(len(ts))
	for _, t := range ts {
		e.term(t)
	}
}

func (e *astEncoder) body(b ast.Body) {
	e.uint(len(b))
	for _, x := range b {
		e.expr(x)
	}
}

func (e *astEncoder) expr(x *ast.Expr) {
	e.exprs++
	var flags byte
	if x.Generated {
		flags |= 1
	}
	if x.Negated {
		flags |= 2
	}
	e.byte(flags)
	e.uint(x.Index)
	e.loc(x.Location)
	e.uint(len(x.With))
	for _, w := range x.With {
		e.term(w.Target)
		e.term(w.Value)
		e.loc(w.Location)
	}
	switch t := x.Terms.(type) {
	case *ast.Term:
		e.byte(exprTerm)
		e.term(t)
	case []*ast.Term:
		e.byte(exprCall)
		e.termList(t)
	case *ast.SomeDecl:
		e.byte(exprSome)
		e.termList(t.Symbols)
		e.loc(t.Location)
	case *ast.Every:
		e.byte(exprEvery)
		e.term(t.Key)
		e.term(t.Value)
		e.term(t.Domain)
		e.body(t.Body)
		e.loc(t.Location)
	default:
		e.fail("expression %v: %T cannot be encoded", x, x.Terms)
		e.byte(exprTerm)
		e.term(nil)
	}
}

func (e *astEncoder) rule(r *ast.Rule) {
	if r.Default {
		e.byte(1)
	} else {
		e.byte(0)
	}
	h := r.Head
	e.str(string(h.Name))
	e.termList(h.Reference)
	e.termList(h.Args)
	e.term(h.Key)
	e.term(h.Value)
	if h.Assign {
		e.byte(1)
	} else {
		e.byte(0)
	}
	e.loc(h.Location)
	e.body(r.Body)
	e.loc(r.Location)
	if r.Else != nil {
		e.byte(1)
		e.rule(r.Else)
	} else {
		e.byte(0)
	}
}

func (e *astEncoder) module(name string, m *ast.Module) {
	e.str(name)
	// Both bounds of the module's version span, as OPA keeps them.
	span := m.RegoVersionSpan()
	e.uint(int(span.Min()))
	e.uint(int(span.Max()))
	e.termList(m.Package.Path)
	e.loc(m.Package.Location)
	e.uint(len(m.Imports))
	for _, im := range m.Imports {
		e.term(im.Path)
		e.str(string(im.Alias))
		e.loc(im.Location)
	}
	e.uint(len(m.Rules))
	for _, r := range m.Rules {
		e.rule(r)
	}
}

// encodeModules writes modules (in name order) and the compiler's map of
// rewritten variables. sources are the modules' files by name: a location
// whose text is the source at its offset is stored as that slice.
func encodeModules(mods map[string]*ast.Module, rewritten map[ast.Var]ast.Var, sources map[string][]byte) ([]byte, error) {
	e := &astEncoder{strs: map[string]int{}, locs: map[*ast.Location]int{}, sources: sources}
	names := make([]string, 0, len(mods))
	for k := range mods {
		names = append(names, k)
	}
	sort.Strings(names)
	// Each module is a chunk of its own (its length, terms and
	// expressions first), so that they can be decoded concurrently.
	e.uint(len(names))
	for _, k := range names {
		out, terms, exprs := e.out, e.terms, e.exprs
		e.out = nil
		e.module(k, mods[k])
		chunk := e.out
		e.out = out
		e.uint(len(chunk))
		e.uint(e.terms - terms)
		e.uint(e.exprs - exprs)
		e.out = append(e.out, chunk...)
	}
	keys := make([]string, 0, len(rewritten))
	for k := range rewritten {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	e.uint(len(keys))
	for _, k := range keys {
		e.str(k)
		e.str(string(rewritten[ast.Var(k)]))
	}
	body := e.out
	// The locations, then the header (counts, strings, locations) before
	// the body: the strings table grows while locations are written.
	e.out = nil
	for _, l := range e.locList {
		e.str(l.File)
		e.uint(l.Row)
		e.uint(l.Col)
		e.uint(l.Offset)
		src := sources[l.File]
		switch {
		case len(l.Text) == 0:
			e.byte(textNone)
		case l.Offset+len(l.Text) <= len(src) && bytes.Equal(src[l.Offset:l.Offset+len(l.Text)], l.Text):
			e.byte(textSource)
			e.uint(len(l.Text))
		default:
			e.byte(textInline)
			e.str(string(l.Text))
		}
		e.uint(len(l.Tabs))
		for _, t := range l.Tabs {
			e.uint(t)
		}
	}
	locs := e.out
	if e.err != nil {
		return nil, e.err
	}
	e.out = nil
	e.uint(e.terms)
	e.uint(e.exprs)
	e.uint(len(e.strList))
	for _, s := range e.strList {
		e.uint(len(s))
	}
	for _, s := range e.strList {
		e.out = append(e.out, s...)
	}
	e.uint(len(e.locList))
	e.uint(len(locs)) // so that the modules can be read while they are decoded
	out := append(e.out, locs...)
	return append(out, body...), nil
}

type astDecoder struct {
	in      []byte
	strs    []string
	vals    [3][]ast.Value // boxed numbers, strings and variables by string
	locs    []ast.Location
	terms   []ast.Term
	exprs   []ast.Expr
	err     error
	sources map[string][]byte
}

var errCorrupt = errors.New("precompiled rules: corrupt data")

func (d *astDecoder) uint() int {
	// Nearly every number is one to three bytes (tags' operands, counts,
	// indices of the string and location tables): decoded here without
	// binary.Uvarint's loop, which was 7% of a small scan's instructions.
	in := d.in
	switch {
	case len(in) > 0 && in[0] < 0x80:
		d.in = in[1:]
		return int(in[0])
	case len(in) > 1 && in[1] < 0x80:
		d.in = in[2:]
		return int(in[0]&0x7f) | int(in[1])<<7
	case len(in) > 2 && in[2] < 0x40: // under 1<<20: within uvarint's bound
		d.in = in[3:]
		return int(in[0]&0x7f) | int(in[1]&0x7f)<<7 | int(in[2])<<14
	}
	return d.uvarint()
}

func (d *astDecoder) uvarint() int {
	n, k := binary.Uvarint(d.in)
	if k <= 0 || n > uint64(len(d.in))*64+1<<20 {
		d.err = errCorrupt
		d.in = nil
		return 0
	}
	d.in = d.in[k:]
	return int(n)
}

func (d *astDecoder) byte() byte {
	if len(d.in) == 0 {
		d.err = errCorrupt
		return 0
	}
	b := d.in[0]
	d.in = d.in[1:]
	return b
}

func (d *astDecoder) str() string {
	i := d.uint()
	if i >= len(d.strs) {
		d.err = errCorrupt
		return ""
	}
	return d.strs[i]
}

// scalar is the value of a number, string or variable term: each string
// of the table is boxed as an ast.Value once per kind and shared (values
// are immutable), instead of once per term.
func (d *astDecoder) scalar(tag byte) ast.Value {
	i := d.uint()
	if i >= len(d.strs) {
		d.err = errCorrupt
		return ast.NullValue
	}
	k := int(tag - tagNumber)
	if d.vals[k] == nil {
		d.vals[k] = make([]ast.Value, len(d.strs))
	}
	if v := d.vals[k][i]; v != nil {
		return v
	}
	var v ast.Value
	switch tag {
	case tagNumber:
		v = ast.Number(d.strs[i])
	case tagString:
		v = ast.String(d.strs[i])
	default:
		v = ast.Var(d.strs[i])
	}
	d.vals[k][i] = v
	return v
}

func (d *astDecoder) loc() *ast.Location {
	i := d.uint()
	if i == 0 {
		return nil
	}
	if i > len(d.locs) {
		d.err = errCorrupt
		return nil
	}
	return &d.locs[i-1]
}

// newTerm takes the next term of the slab (one allocation for all of them).
func (d *astDecoder) newTerm() *ast.Term {
	if len(d.terms) == 0 {
		d.err = errCorrupt
		return &ast.Term{}
	}
	t := &d.terms[0]
	d.terms = d.terms[1:]
	return t
}

func (d *astDecoder) term() *ast.Term {
	if d.err != nil {
		return nil
	}
	tag := d.byte()
	if tag == tagNil {
		return nil
	}
	t := d.newTerm()
	switch tag {
	case tagNull:
		t.Value = ast.NullValue
	case tagFalse:
		t.Value = ast.Boolean(false)
	case tagTrue:
		t.Value = ast.Boolean(true)
	case tagNumber, tagString, tagVar:
		t.Value = d.scalar(tag)
	case tagRef:
		t.Value = ast.Ref(d.termList())
	case tagCall:
		t.Value = ast.Call(d.termList())
	case tagArray:
		t.Value = ast.NewArray(d.termList()...)
	case tagObject:
		n := d.count()
		pairs := make([][2]*ast.Term, n)
		for i := range pairs {
			pairs[i] = [2]*ast.Term{d.term(), d.term()}
		}
		t.Value = ast.NewObject(pairs...)
	case tagSet:
		t.Value = ast.NewSet(d.termList()...)
	case tagArrayCompr:
		t.Value = &ast.ArrayComprehension{Term: d.term(), Body: d.body()}
	case tagSetCompr:
		t.Value = &ast.SetComprehension{Term: d.term(), Body: d.body()}
	case tagObjectCompr:
		t.Value = &ast.ObjectComprehension{Key: d.term(), Value: d.term(), Body: d.body()}
	default:
		d.err = errCorrupt
		return nil
	}
	t.Location = d.loc()
	return t
}

// count reads a length that must be possible for the bytes left.
func (d *astDecoder) count() int {
	n := d.uint()
	if n > len(d.in) {
		d.err = errCorrupt
		return 0
	}
	return n
}

func (d *astDecoder) termList() []*ast.Term {
	n := d.count()
	ts := make([]*ast.Term, n)
	for i := range ts {
		ts[i] = d.term()
	}
	return ts
}

func (d *astDecoder) body() ast.Body {
	n := d.count()
	b := make(ast.Body, n)
	for i := range b {
		b[i] = d.expr()
	}
	return b
}

func (d *astDecoder) expr() *ast.Expr {
	if len(d.exprs) == 0 {
		d.err = errCorrupt
		return &ast.Expr{Terms: ast.BooleanTerm(true)}
	}
	x := &d.exprs[0]
	d.exprs = d.exprs[1:]
	flags := d.byte()
	x.Generated, x.Negated = flags&1 != 0, flags&2 != 0
	x.Index = d.uint()
	x.Location = d.loc()
	if n := d.count(); n > 0 {
		x.With = make([]*ast.With, n)
		for i := range x.With {
			x.With[i] = &ast.With{Target: d.term(), Value: d.term(), Location: d.loc()}
		}
	}
	switch d.byte() {
	case exprTerm:
		x.Terms = d.term()
	case exprCall:
		x.Terms = d.termList()
	case exprSome:
		x.Terms = &ast.SomeDecl{Symbols: d.termList(), Location: d.loc()}
	case exprEvery:
		x.Terms = &ast.Every{Key: d.term(), Value: d.term(), Domain: d.term(), Body: d.body(), Location: d.loc()}
	default:
		d.err = errCorrupt
	}
	return x
}

func (d *astDecoder) rule(m *ast.Module) *ast.Rule {
	r := &ast.Rule{Module: m, Default: d.byte() == 1}
	h := &ast.Head{Name: ast.Var(d.str())}
	if ref := d.termList(); len(ref) > 0 {
		h.Reference = ref
	}
	if args := d.termList(); len(args) > 0 {
		h.Args = args
	}
	h.Key = d.term()
	h.Value = d.term()
	h.Assign = d.byte() == 1
	h.Location = d.loc()
	r.Head = h
	r.Body = d.body()
	r.Location = d.loc()
	if d.byte() == 1 && d.err == nil {
		r.Else = d.rule(m)
	}
	return r
}

func (d *astDecoder) module() (string, *ast.Module) {
	name := d.str()
	m := &ast.Module{}
	lo, hi := ast.RegoVersion(d.uint()), ast.RegoVersion(d.uint())
	if span, err := ast.NewRegoVersionSpan(lo, hi); err != nil {
		d.err = errCorrupt
	} else {
		m.SetRegoVersionSpan(span)
	}
	m.Package = &ast.Package{Path: ast.Ref(d.termList()), Location: d.loc()}
	if n := d.count(); n > 0 {
		m.Imports = make([]*ast.Import, n)
		for i := range m.Imports {
			m.Imports[i] = &ast.Import{Path: d.term(), Alias: ast.Var(d.str()), Location: d.loc()}
		}
	}
	n := d.count()
	m.Rules = make([]*ast.Rule, n)
	for i := range m.Rules {
		m.Rules[i] = d.rule(m)
	}
	return name, m
}

// decodeModules reads what encodeModules wrote. sources are the files the
// locations' texts are slices of.
func decodeModules(in []byte, sources map[string][]byte) (map[string]*ast.Module, map[ast.Var]ast.Var, error) {
	d := &astDecoder{in: in, sources: sources}
	nterms, nexprs := d.count(), d.count()
	nstr := d.count()
	lens := make([]int, nstr)
	total := 0
	for i := range lens {
		lens[i] = d.count()
		total += lens[i]
	}
	if d.err != nil || total > len(d.in) {
		return nil, nil, errCorrupt
	}
	// One string holds them all; the table's strings are its slices.
	all := string(d.in[:total])
	d.in = d.in[total:]
	d.strs = make([]string, nstr)
	off := 0
	for i, n := range lens {
		d.strs[i] = all[off : off+n]
		off += n
	}
	d.locs = make([]ast.Location, d.count())
	locIn := d.in[:min(d.count(), len(d.in))]
	d.in = d.in[len(locIn):]
	if d.err != nil {
		return nil, nil, d.err
	}
	// The location table is decoded alongside the modules: they only take
	// the addresses of its entries.
	locations := func() error { return d.locations(locIn) }
	mods, err := d.modules(nterms, nexprs, locations, len(locIn))
	if err != nil {
		return nil, nil, err
	}
	rewritten := map[ast.Var]ast.Var{}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		k := d.str()
		rewritten[ast.Var(k)] = ast.Var(d.str())
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	if len(d.in) != 0 {
		return nil, nil, errCorrupt
	}
	return mods, rewritten, nil
}

// locations fills the location table from in.
func (d *astDecoder) locations(in []byte) error {
	ld := &astDecoder{in: in, strs: d.strs}
	var file string    // the last location's file and its source: most
	var fileSrc []byte // locations follow one another in one file
	for i := range d.locs {
		l := &d.locs[i]
		l.File = ld.str()
		l.Row, l.Col, l.Offset = ld.uint(), ld.uint(), ld.uint()
		switch ld.byte() {
		case textNone:
		case textSource:
			n := ld.uint()
			if l.File != file {
				file, fileSrc = l.File, d.sources[l.File]
			}
			src := fileSrc
			if l.Offset+n > len(src) {
				return fmt.Errorf("precompiled rules: location %s:%d beyond its source", l.File, l.Row)
			}
			l.Text = src[l.Offset : l.Offset+n : l.Offset+n]
		case textInline:
			l.Text = []byte(ld.str())
		default:
			return errCorrupt
		}
		if n := ld.count(); n > 0 {
			l.Tabs = make([]int, n)
			for j := range l.Tabs {
				l.Tabs[j] = ld.uint()
			}
		}
		if ld.err != nil {
			return ld.err
		}
	}
	if len(ld.in) != 0 {
		return errCorrupt
	}
	return nil
}

// moduleChunk is one module's encoding and the terms and expressions it
// holds.
type moduleChunk struct {
	in           []byte
	terms, exprs int
}

// modules decodes the module chunks, split by size among up to one worker
// per CPU (decoding was a sixth of a small scan's CPU time, on the path to
// evaluation), and runs locations (which fills the location table) as one
// more job of locSize bytes. The workers share the string table, which
// they only read, and the location table, whose entries they only take
// the addresses of; each has its own slabs of terms and expressions.
func (d *astDecoder) modules(nterms, nexprs int, locations func() error, locSize int) (map[string]*ast.Module, error) {
	n := d.count()
	chunks := make([]moduleChunk, n)
	sumTerms, sumExprs := 0, 0
	for i := range chunks {
		size := d.count()
		c := &chunks[i]
		c.terms, c.exprs = d.uint(), d.uint()
		if d.err != nil || size > len(d.in) || c.terms > nterms || c.exprs > nexprs {
			return nil, errCorrupt
		}
		c.in, d.in = d.in[:size], d.in[size:]
		sumTerms += c.terms
		sumExprs += c.exprs
	}
	if sumTerms != nterms || sumExprs != nexprs {
		return nil, errCorrupt
	}
	// Biggest first, each to the worker with the fewest bytes so far; job
	// n is the location table.
	size := func(i int) int {
		if i == n {
			return locSize
		}
		return len(chunks[i].in)
	}
	order := make([]int, n+1)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return size(order[a]) > size(order[b]) })
	workers := min(runtime.GOMAXPROCS(0), 4, n+1)
	groups := make([][]int, workers)
	load := make([]int, workers)
	for _, i := range order {
		w := 0
		for j := range load {
			if load[j] < load[w] {
				w = j
			}
		}
		groups[w] = append(groups[w], i)
		load[w] += size(i)
	}
	type decoded struct {
		name string
		m    *ast.Module
	}
	out := make([]decoded, n)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w, group := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			terms, exprs := 0, 0
			for _, i := range group {
				if i < n {
					terms += chunks[i].terms
					exprs += chunks[i].exprs
				}
			}
			wd := &astDecoder{strs: d.strs, locs: d.locs, sources: d.sources,
				terms: make([]ast.Term, terms), exprs: make([]ast.Expr, exprs)}
			for _, i := range group {
				if i == n {
					if err := locations(); err != nil {
						errs[w] = err
						return
					}
					continue
				}
				wd.in = chunks[i].in
				left := len(wd.terms) - chunks[i].terms
				leftExprs := len(wd.exprs) - chunks[i].exprs
				name, m := wd.module()
				if wd.err != nil || len(wd.in) != 0 || len(wd.terms) != left || len(wd.exprs) != leftExprs {
					errs[w] = errCorrupt
					return
				}
				out[i] = decoded{name, m}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	mods := make(map[string]*ast.Module, n)
	for _, x := range out {
		mods[x.name] = x.m
	}
	return mods, nil
}
