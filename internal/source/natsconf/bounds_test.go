package natsconf

import (
	"fmt"
	"strings"
	"testing"
)

// Survivors of the sixth round's full Gremlins run of this package (issue
// 20): the limits hold at exactly their value and refuse one past it.

// TestNestingAtTheLimit: blocks nested exactly MaxDepth deep parse; one
// more level is refused with the limit named (kills `d > MaxDepth` turned
// into `>=`).
func TestNestingAtTheLimit(t *testing.T) {
	nest := func(n int) string {
		return strings.Repeat("a {\n", n) + "port: 4222\n" + strings.Repeat("}\n", n)
	}
	// ("a" is no nats-server key: the schema check reports it, which is
	// not the point here)
	r := Parse("/repo/nats.conf", []byte(nest(4)), Options{MaxDepth: 4})
	if _, ok := r.Config["a"]; !ok {
		t.Fatalf("4 levels with MaxDepth 4: config %v, errors %+v, want it parsed", r.Config, r.Errors)
	}
	for _, e := range r.Errors {
		if strings.Contains(e.Message, "nested") {
			t.Errorf("4 levels with MaxDepth 4: %q", e.Message)
		}
	}
	r = Parse("/repo/nats.conf", []byte(nest(5)), Options{MaxDepth: 4})
	if r.OK() || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "nested 5 levels deep (limit 4)") {
		t.Fatalf("5 levels with MaxDepth 4: %v %+v, want refused with the limit named", r.OK(), r.Errors)
	}
}

// TestIncludeChainAtTheLimit: a chain of includes exactly MaxIncludeDepth
// deep is read to its end; one more is refused at the include that goes
// too deep (kills `len(stack) > MaxIncludeDepth` turned into `>=`).
func TestIncludeChainAtTheLimit(t *testing.T) {
	chain := func(n int) memReader {
		m := memReader{}
		for i := 0; i < n; i++ {
			m[fmt.Sprintf("/repo/c%d.conf", i)] = []byte(fmt.Sprintf("include c%d.conf\n", i+1))
		}
		m[fmt.Sprintf("/repo/c%d.conf", n)] = []byte("max_payload: 1024\n")
		return m
	}
	const limit = 3
	for _, tc := range []struct {
		n      int
		wantOK bool
	}{{limit, true}, {limit + 1, false}} {
		m := chain(tc.n)
		r := Parse("/repo/c0.conf", m["/repo/c0.conf"], Options{Reader: m, MaxIncludeDepth: limit})
		_, read := r.Config["max_payload"]
		var deep []string
		for _, e := range r.Errors {
			if strings.Contains(e.Message, fmt.Sprintf("includes nested more than %d deep", limit)) {
				deep = append(deep, e.Message)
			}
		}
		if read != tc.wantOK || (len(deep) == 0) != tc.wantOK {
			t.Errorf("a chain of %d includes with MaxIncludeDepth %d: max_payload read %v, depth errors %q (all errors %+v)", tc.n, limit, read, deep, r.Errors)
		}
	}
}

// TestInjectedVariablesAtTheLimit: a file may reference exactly
// maxInjectedVars distinct variables, each defined for the parser; one
// more is left undefined and nats-server's parser refuses it (kills
// `len(seen) >= maxInjectedVars` turned into `>`).
func TestInjectedVariablesAtTheLimit(t *testing.T) {
	cfg := func(n int) (string, mapEnv) {
		var b strings.Builder
		env := mapEnv{}
		b.WriteString("tags: [\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "  $V%d\n", i)
			env[fmt.Sprintf("V%d", i)] = "t"
		}
		b.WriteString("]\n")
		return b.String(), env
	}
	text, env := cfg(maxInjectedVars)
	if r := Parse("/repo/nats.conf", []byte(text), Options{Env: env}); !r.OK() {
		t.Fatalf("%d variables: %+v, want parsed", maxInjectedVars, r.Errors)
	}
	text, env = cfg(maxInjectedVars + 1)
	r := Parse("/repo/nats.conf", []byte(text), Options{Env: env})
	if r.OK() || len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, fmt.Sprintf("V%d", maxInjectedVars)) {
		t.Fatalf("%d variables: %v %+v, want the one past the limit undefined", maxInjectedVars+1, r.OK(), r.Errors)
	}
}

// TestRedactMessageSixByteValue: a value of six bytes or more is masked
// wherever a parser message quotes it, inside a word too; a shorter one
// only as a whole word (kills `len(v) >= 6` turned into `> 6`).
func TestRedactMessageSixByteValue(t *testing.T) {
	p := &parser{}
	for _, tc := range []struct{ text, msg, leak string }{
		{"password: s3cr3t\n", `unexpected token near "xs3cr3t"`, "s3cr3t"},
		{"password: s3cr3tQ\n", `unexpected token near "xs3cr3tQ"`, "s3cr3tQ"},
	} {
		if got := p.redactMessage(tc.msg, tc.text); strings.Contains(got, tc.leak) {
			t.Errorf("message %q with %q in the file: %q, want it masked", tc.msg, tc.leak, got)
		}
	}
	if got := p.redactMessage(`token near "xs3cr"`, "password: s3cr\n"); !strings.Contains(got, "xs3cr") {
		t.Errorf("a 4-byte value inside a word: %q, want the word left alone", got)
	}
}

// TestParseErrorPlaces: an unterminated string at the end of the file
// keeps the lexer's "Unexpected EOF" (there is no unclosed block to point
// at; kills `l > 0` turned into `>= 0`), and a value error without a line
// ("integer '…' is out of the range") is placed on the line that holds the
// value (kills the line count's `+ 1` turned into `- 1`).
func TestParseErrorPlaces(t *testing.T) {
	for _, tc := range []struct {
		text, msg string
		line      int
	}{
		{"port: 4222\nserver_name: \"abc\n", "Unexpected EOF", 3},
		{"port: 4222\nmax_payload: 99999999999999999999999\n", "is out of the range", 2},
		{"max_payload: 99999999999999999999999\n", "is out of the range", 1},
	} {
		r := Parse("/repo/nats.conf", []byte(tc.text), Options{})
		if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, tc.msg) || r.Errors[0].Line != tc.line {
			t.Errorf("%q: errors %+v, want one %q at line %d", tc.text, r.Errors, tc.msg, tc.line)
		}
	}
}

// TestColumnsOnEveryLine: a key's column is its 1-based byte column on
// every line. nats-server's lexer counts positions from the start of the
// text on its first line and from the newline before the line on the
// others; adding one everywhere put every key after line 1 a column to the
// right (`http:` at column 1 of line 2 reported at 2), and a key of line
// 1 too when variable definitions were injected ahead of the text.
func TestColumnsOnEveryLine(t *testing.T) {
	for _, tc := range []struct {
		text string
		env  mapEnv
		want map[string]int
	}{
		{"port: 4222\nhttp: 8222\n  max_payload: 1024\n", nil, map[string]int{"config/port": 1, "config/http": 1, "config/max_payload": 3}},
		{"port: $P\n\thttp: 8222\n", mapEnv{"P": "4222"}, map[string]int{"config/port": 1, "config/http": 2}},
		{"jetstream {\n    store_dir: /data\n}\n", nil, map[string]int{"config/jetstream": 1, "config/jetstream/store_dir": 5}},
	} {
		r := Parse("/repo/nats.conf", []byte(tc.text), Options{Env: tc.env})
		for k, col := range tc.want {
			if got := r.Locs[k].Column; got != col {
				t.Errorf("%q: %s at column %d, want %d", tc.text, k, got, col)
			}
		}
	}
}
