package engine

import (
	"context"
	"fmt"
	"runtime/metrics"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

const (
	// DefaultEvalTimeout bounds one evaluation of the rules, plus
	// TimeoutPerItem for each server, stream, consumer, file and env file
	// of the input.
	DefaultEvalTimeout = 60 * time.Second
	// TimeoutPerItem lets the default bound grow with the input, so that a
	// well-formed big inventory gets its full report: evaluation costs about
	// 5 ms of CPU per server (docs/performance.md), so 10,000 compose
	// services need about 50 s of CPU, over a minute on a busy 2-core
	// machine. The bound stays linear in the input; a rule that runs away
	// (or allocates without end) is still stopped, by the time or the heap
	// budget. A timeout given with --timeout is not scaled.
	TimeoutPerItem = 25 * time.Millisecond
	// MinHeapLimit is the least heap an evaluation may grow to before it is
	// stopped (when Options.MaxHeap is not set). A scan of 1,000 config
	// files peaks at about 250 MB of resident memory; a custom rule that
	// builds a set of 400 million numbers grows by over 100 MB a second,
	// until the machine runs out.
	MinHeapLimit = 512 << 20
	// heapGrowth is how many times the heap at the start of an evaluation
	// it may grow to (when that is above MinHeapLimit): the heap then holds
	// the inventory and its Rego input, which large scans' evaluations
	// multiply by about three (5,000 config files: about 1.1 GB resident).
	heapGrowth = 5
	// heapPoll is how often the heap is sampled: at a few hundred MB a
	// second, it overshoots the limit by a few MB.
	heapPoll = 5 * time.Millisecond
)

// HeapError says that an evaluation was stopped for its memory.
type HeapError struct {
	Limit, Heap uint64
}

func (e *HeapError) Error() string {
	return fmt.Sprintf("rule evaluation stopped: heap over %d MiB (%d MiB in use; --max-rule-memory)", e.Limit>>20, e.Heap>>20)
}

const heapMetric = "/memory/classes/heap/objects:bytes"

// heapInUse is the memory of the heap's objects, live or not yet swept:
// what the process holds (runtime/metrics, unlike ReadMemStats, does not
// stop the world).
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// heapLimit is the heap an evaluation may grow to.
func (e *Engine) heapLimit() uint64 {
	if e.maxHeap > 0 {
		return uint64(e.maxHeap)
	}
	return max(MinHeapLimit, heapGrowth*heapInUse())
}

// watchHeap samples the heap until stop is called, and cancels with a
// *HeapError as soon as it is over limit. OPA checks for cancellation
// between evaluation steps and inside the built-ins that generate large
// values (numbers.range), so the evaluation stops within milliseconds.
func watchHeap(limit uint64, cancel context.CancelCauseFunc) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(heapPoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if h := heapInUse(); h > limit {
					cancel(&HeapError{Limit: limit, Heap: h})
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// WithHeapLimit is watchHeap for evaluations that are not Eval (`rules
// test`): the context is cancelled with a *HeapError (see context.Cause)
// when the heap grows over limit (0: MinHeapLimit).
func WithHeapLimit(ctx context.Context, limit int64) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	l := uint64(MinHeapLimit)
	if limit > 0 {
		l = uint64(limit)
	}
	stop := watchHeap(l, cancel)
	return ctx, func() {
		stop()
		cancel(nil)
	}
}

// evalTimeout is the bound of one evaluation of input: the given timeout,
// or the default plus TimeoutPerItem per item of the input.
func (e *Engine) evalTimeout(input ast.Value) time.Duration {
	if e.timeoutGiven {
		return e.timeout
	}
	return e.timeout + time.Duration(inputItems(input))*TimeoutPerItem
}

// inputItems counts the input's servers, streams, consumers, files and env
// files: what rules iterate.
func inputItems(input ast.Value) int {
	obj, ok := input.(ast.Object)
	if !ok {
		return 0
	}
	n := 0
	for _, k := range []string{"servers", "streams", "consumers", "files", "env_files"} {
		if v := obj.Get(ast.InternedTerm(k)); v != nil {
			if a, ok := v.Value.(*ast.Array); ok {
				n += a.Len()
			}
		}
	}
	return n
}
