package engine

import (
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The default evaluation bound grows with the input (a well-formed
// 10,000-service compose file must get its report, not the timeout); a
// timeout the user gave is kept as it is.
func TestEvalTimeoutScalesWithInput(t *testing.T) {
	in := ast.MustParseTerm(`{"servers": [{}, {}, {}], "streams": [{}], "consumers": [], "files": [{}], "env_files": [{}], "facts": [{}, {}]}`).Value
	for _, tc := range []struct {
		name  string
		given time.Duration
		input ast.Value
		want  time.Duration
	}{
		{"default, 6 items", 0, in, DefaultEvalTimeout + 6*TimeoutPerItem},
		{"default, empty input", 0, ast.NewObject(), DefaultEvalTimeout},
		{"default, not an object", 0, ast.String("x"), DefaultEvalTimeout},
		{"given", 2 * time.Second, in, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &Engine{timeout: tc.given, timeoutGiven: tc.given > 0}
			if e.timeout <= 0 {
				e.timeout = DefaultEvalTimeout
			}
			if got := e.evalTimeout(tc.input); got != tc.want {
				t.Errorf("evalTimeout = %v, want %v", got, tc.want)
			}
		})
	}
}
