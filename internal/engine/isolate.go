package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Result is one evaluation: the findings of every rule package that ran to
// the end, and the packages that failed.
type Result struct {
	Findings []Raw
	// Failed are the rule packages whose evaluation failed, sorted by
	// package: none of their rules' findings are in Findings.
	Failed []RuleError
}

// RuleError is a rule package that failed at evaluation time (a conflict
// between two values of one function or complete rule, a timeout, a result
// that is not a finding). Rules are evaluated one query per package, so
// every rule of the package is without results, not only the one at fault.
type RuleError struct {
	// Package is the rule package, "natsaudit.rules.<name>".
	Package string `json:"package"`
	// Rules are the IDs of the package's rules, sorted (empty for a package
	// whose deny rules have no METADATA).
	Rules []string `json:"rules"`
	// Message says what failed and where in the rules, in the tool's words:
	// never a value from the input (OPA lists conflicting values, which may
	// be file content), never a control character.
	Message string `json:"message"`
	err     error
}

func (e RuleError) Error() string { return e.err.Error() }

func (e RuleError) Unwrap() error { return e.err }

// findingError is a package whose results are not findings. detail may
// quote a rule's output: it is in Error (for `rules test` and developers),
// never in the report's message.
type findingError struct {
	pkg, msg, detail string
}

func (e *findingError) Error() string {
	if e.detail != "" {
		return fmt.Sprintf("evaluate rules: package %s %s: %s", e.pkg, e.msg, e.detail)
	}
	return fmt.Sprintf("evaluate rules: package %s: %s", e.pkg, e.msg)
}

// typeName names a Go value decoded from Rego by its Rego type.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	default:
		return "a number"
	}
}

// EvalIsolated runs every rule package once over input, concurrently, one
// per available CPU: each package's query is independent and reads the same
// immutable input, and evaluation is the largest part of a big scan. A
// package that fails is reported in Result.Failed and the others' findings
// are kept, so one broken rule (a user's, or a built-in meeting input its
// author did not foresee) costs its own findings, not the whole report.
// The error is for the run as a whole: a catalog-only engine, or the
// caller's context ending (an interrupt is not a rule failure).
func (e *Engine) EvalIsolated(ctx context.Context, input ast.Value) (Result, error) {
	if e.catalogOnly {
		return Result{}, fmt.Errorf("evaluate rules: the engine was loaded for its catalog only")
	}
	if err := e.wait(ctx); err != nil {
		return Result{}, err
	}
	parent := ctx
	timeout := e.evalTimeout(input)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	defer watchHeap(e.heapLimit(), cancel)()
	results := make([][]Raw, len(e.queries))
	errs := make([]error, len(e.queries))
	running := make([]bool, len(e.queries))
	var (
		mu       sync.Mutex
		snapshot []bool // running when the heap budget stopped the run
		wg       sync.WaitGroup
	)
	next := make(chan int)
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(e.queries)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				mu.Lock()
				running[i] = true
				mu.Unlock()
				rs, err := e.evalPackage(ctx, e.queries[i], input)
				mu.Lock()
				var heap *HeapError
				if err != nil && snapshot == nil && errors.As(context.Cause(ctx), &heap) {
					snapshot = append([]bool(nil), running...)
				}
				running[i] = false
				mu.Unlock()
				results[i], errs[i] = rs, err
			}
		}()
	}
	for i := range e.queries {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := parent.Err(); err != nil {
		return Result{}, fmt.Errorf("evaluate rules: %w", err)
	}
	var heap *HeapError
	if errors.As(context.Cause(ctx), &heap) {
		if snapshot == nil {
			snapshot = running
		}
		return Result{}, e.stopped(heap, snapshot)
	}
	for i, err := range errs {
		if err != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded) && (errors.Is(err, context.DeadlineExceeded) || topdown.IsCancel(err)) {
			errs[i] = fmt.Errorf("rule evaluation stopped: still running after %s (--timeout); still evaluating %s: %w", timeout, e.describePackage(e.queries[i].pkg), err)
		}
	}
	res := Result{Findings: []Raw{}}
	for i, rs := range results {
		if errs[i] != nil {
			res.Failed = append(res.Failed, e.ruleError(e.queries[i].pkg, errs[i], timeout))
			continue
		}
		res.Findings = append(res.Findings, rs...)
	}
	sort.Slice(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i], res.Findings[j]
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.Ref != b.Ref {
			return a.Ref < b.Ref
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
	sort.Slice(res.Failed, func(i, j int) bool { return res.Failed[i].Package < res.Failed[j].Package })
	return res, nil
}

// ruleError describes a failed package for the report.
func (e *Engine) ruleError(pkg string, err error, timeout time.Duration) RuleError {
	full := "natsaudit.rules." + pkg
	re := RuleError{Package: full, Rules: []string{}, Message: scrub(err, timeout), err: err}
	for _, r := range e.rules {
		if r.Package == full {
			re.Rules = append(re.Rules, r.ID)
		}
	}
	sort.Strings(re.Rules)
	return re
}

// scrub turns an evaluation error into the report's message: OPA's error
// code, where in the rules it happened and the first clause of its message.
// What follows the clause is left out on purpose: for a conflict OPA lists
// the conflicting values, and those come from the scanned files.
func scrub(err error, timeout time.Duration) string {
	var fe *findingError
	if errors.As(err, &fe) {
		return safeText(fe.msg)
	}
	if errors.Is(err, context.DeadlineExceeded) || topdown.IsCancel(err) {
		return fmt.Sprintf("evaluation did not finish within %s", timeout)
	}
	var te *topdown.Error
	if !errors.As(err, &te) {
		return "evaluation failed"
	}
	msg, _, _ := strings.Cut(te.Message, "\n")
	msg, _, _ = strings.Cut(msg, ": ")
	msg = strings.TrimSuffix(msg, ":")
	where := ""
	if te.Location != nil && te.Location.File != "" {
		where = fmt.Sprintf(" at %s:%d", te.Location.File, te.Location.Row)
	}
	return safeText(fmt.Sprintf("%s%s: %s", te.Code, where, msg))
}

// safeText keeps printable characters only, and at most 300 bytes: the
// message names rules and files, which a user's rule directory chooses.
func safeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}
