package natsconf

import (
	"fmt"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

// TestJetStreamLimitsSet: an account's `jetstream` says whether it sets
// limits (NATS-ACC rules read limits_set); the server's own block never
// carries the key. A scalar `jetstream: enabled` in an account sets none.
func TestJetStreamLimitsSet(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": `
jetstream: enabled
accounts {
  A { jetstream: enabled }
  B { jetstream: { max_memory: 1GB } }
  C { jetstream: { } }
  D { jetstream: disabled }
}
`}, "nats.conf", nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	top := res.Config["jetstream"].(map[string]any)
	if _, ok := top["limits_set"]; ok || top["enabled"] != true {
		t.Errorf("server jetstream = %#v, want enabled and no limits_set", top)
	}
	accts := res.Config["accounts"].(map[string]any)
	for name, want := range map[string]map[string]any{
		"A": {"enabled": true, "limits_set": false},
		"B": {"enabled": true, "limits_set": true},
		"C": {"enabled": true, "limits_set": false},
		"D": {"enabled": false, "limits_set": false},
	} {
		js, _ := accts[name].(map[string]any)["jetstream"].(map[string]any)
		for k, v := range want {
			got, ok := js[k]
			if !ok || got != v {
				t.Errorf("account %s jetstream[%s] = %#v (present %v), want %#v; all %#v", name, k, got, ok, v, js)
			}
		}
	}
}

// TestUnclosedBlockLine: the "never closed" error points at the block that
// is still open at the end of the file, after skipping a balanced nested
// block, a quoted brace and a brace in a comment (kills mutants of
// unclosedBlock's pop and its quote skipping, found by a fresh Gremlins
// sample with seed 2).
func TestUnclosedBlockLine(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "port: 4222\nunclosed {\n  inner { y: 1 }\n  s: \"}\"\n  # }\n  x: 1\n"}, "nats.conf", nil)
	if len(res.Errors) != 1 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	e := res.Errors[0]
	if e.Line != 2 || e.Message != "this block is never closed: the parser reached the end of the file" {
		t.Fatalf("error: %+v", e)
	}
}

// TestIncludeDirectiveLimit: the 257th include directive of one file is the
// first one over the limit (256), and exactly 256 are allowed.
func TestIncludeDirectiveLimit(t *testing.T) {
	for _, tc := range []struct {
		n    int
		over bool
	}{{maxIncludesPerFile, false}, {maxIncludesPerFile + 1, true}} {
		conf := strings.Repeat("include \"x.conf\"\n", tc.n)
		res := parseTree(t, map[string]string{"nats.conf": conf, "x.conf": "debug: false\n"}, "nats.conf", nil)
		over := false
		for _, e := range res.Errors {
			if strings.Contains(e.Message, "include directives in one file") {
				over = true
			}
		}
		if over != tc.over {
			t.Errorf("%d includes: over the limit reported %v, want %v (errors %+v)", tc.n, over, tc.over, res.Errors)
		}
	}
}

// TestBcryptPrefixLines: an unquoted bcrypt hash ($2b$…) becomes an injected
// definition in front of the text like a variable does, and the keys of the
// file keep their own lines (kills natsconf.go's `lines++` for a bcrypt
// name turned into `lines--`: every line after the prefix moved by two).
func TestBcryptPrefixLines(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "port: 4222\nauthorization { user: a\n password: $2b$11$V1qrpBt8/SLfEBr4NJq4T.2mg8chx8.MTblUiTBOLV3MKDeAy.f7u }\nmax_payload: 1MB\n"}, "nats.conf", nil)
	for path, want := range map[string]int{"config/port": 1, "config/authorization": 2, "config/max_payload": 4} {
		if l := res.Locs[path]; l.Line != want {
			t.Errorf("%s at line %d, want %d (errors %+v)", path, l.Line, want, res.Errors)
		}
	}
	if len(res.Errors) != 1 || res.Errors[0].Line != 3 {
		t.Errorf("errors = %+v, want the bcrypt one on line 3", res.Errors)
	}
}

// TestUnusedInjectedVariable: a `$NAME` that is not a reference (in a
// comment, in a quoted string) still gets an injected definition, which
// nothing uses; it is not a key of the config, also when it is the last
// line of the injected prefix (kills natsconf.go's `tk.Line() <= nPrefix`
// turned into `<`).
func TestUnusedInjectedVariable(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "# run with $NATS_HOME set\nport: 4222\nserver_name: \"$NOT_A_REF\"\n"}, "nats.conf", nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	for k := range res.Config {
		if k != "port" && k != "server_name" {
			t.Errorf("config key %q, want only port and server_name: %#v", k, res.Config)
		}
	}
	if l := res.Locs["config/port"]; l.Line != 2 {
		t.Errorf("port at line %d, want 2", l.Line)
	}
}

// TestSizeNumbers: a byte size given as a number keeps an integral float
// as an integer (2.0 is 2 bytes), a fractional one as it is, and a value
// that is neither a size nor a number as it is (kills normalize.go's
// `ok && f == math.Trunc(f)` mutants).
func TestSizeNumbers(t *testing.T) {
	for _, tc := range []struct {
		val  string
		want any
	}{
		{"2.0", int64(2)},
		{"1.5", 1.5},
		{"true", true},
		{"1KB", int64(1024)},
	} {
		res := parseTree(t, map[string]string{"nats.conf": "max_payload: " + tc.val + "\n"}, "nats.conf", nil)
		if got := res.Config["max_payload"]; got != tc.want {
			t.Errorf("max_payload: %s = %#v (%T), want %#v (%T); errors %+v", tc.val, got, got, tc.want, tc.want, res.Errors)
		}
	}
}

// TestIncludeErrorColumn: an include that cannot be read is reported at
// its directive's line and column (kills natsconf.go's column arithmetic
// `kw - (start of line)` turned into `+`, a seed-3 survivor).
func TestIncludeErrorColumn(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "port: 4222\nauthorization {\n  include ./missing.conf\n}\n"}, "nats.conf", nil)
	if len(res.Errors) != 1 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	if e := res.Errors[0]; e.File != "nats.conf" || e.Line != 3 || e.Column != 3 || !strings.Contains(e.Message, "missing.conf") {
		t.Errorf("error: %+v, want nats.conf:3:3 naming missing.conf", e)
	}
}

// TestErrorLineAfterVariables: a syntax error's line ("line N" in the
// conf parser's message) is the file's own, the injected definitions of
// its variables taken off (kills errorPosition's `l-nPrefix` turned into
// `+`, a seed-3 survivor; the clamp to the last line hid it in a short
// file).
func TestErrorLineAfterVariables(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "server_name: $NAME\nport: 4222\n  = 5\na: 1\nb: 2\nc: 3\n"}, "nats.conf", nil)
	if len(res.Errors) != 1 || res.Errors[0].Line != 3 {
		t.Errorf("errors = %+v, want one on line 3", res.Errors)
	}
}

// TestUnclosedBlockAfterComment: the line of a never-closed block counts
// the newline that ends a comment (kills unclosedBlock's comment skip
// `text[i+1]` turned into `text[i-1]`, which ran past the newline).
func TestUnclosedBlockAfterComment(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "port: 4222 # the client port\ncluster {\n  name: c\n"}, "nats.conf", nil)
	if len(res.Errors) != 1 || res.Errors[0].Line != 2 || !strings.Contains(res.Errors[0].Message, "never closed") {
		t.Errorf("errors = %+v, want the block of line 2 never closed", res.Errors)
	}
}

// TestArrayElementLines: each element of a list is at its own line, not
// at the list's (kills convert's `c.loc.File == ""` turned into `!=`).
func TestArrayElementLines(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "authorization {\n  users: [\n    {user: a, password: \"pa55-w0rd-aaaa\"}\n    {user: b, password: \"pa55-w0rd-bbbb\"}\n  ]\n}\n"}, "nats.conf", nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	for path, want := range map[string]int{"config/authorization/users": 2, "config/authorization/users/0": 3, "config/authorization/users/1": 4, "config/authorization/users/1/user": 4} {
		if l := res.Locs[path]; l.Line != want {
			t.Errorf("%s at line %d, want %d", path, l.Line, want)
		}
	}
}

// TestAuthorizationPasswordEqualsUser: the single user of an
// authorization block whose password is its name is flagged like one of a
// users list (kills normalize's `ctx == ctxAuth` turned into `!=`).
func TestAuthorizationPasswordEqualsUser(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "authorization { user: admin, password: admin }\n"}, "nats.conf", nil)
	auth, _ := res.Config["authorization"].(map[string]any)
	sec, ok := auth["password"].(*model.Secret)
	if !ok || !sec.EqualsUser {
		t.Errorf("authorization password = %#v, want a secret equal to its user", auth["password"])
	}
}

// TestIncludedFilesLimit: a configuration reads at most 256 included files
// (distinct files, through nested includes: one file may hold 256
// directives); the 257th is reported and not followed (kills readInclude's
// `incCount++` turned into `--`).
func TestIncludedFilesLimit(t *testing.T) {
	files := map[string]string{}
	var main strings.Builder
	for d := range 2 {
		var dir strings.Builder
		for i := range 150 {
			name := fmt.Sprintf("d%d/f%d.conf", d, i)
			files[name] = fmt.Sprintf("k_%d_%d: %d\n", d, i, i)
			fmt.Fprintf(&dir, "include ./f%d.conf\n", i)
		}
		files[fmt.Sprintf("d%d/all.conf", d)] = dir.String()
		fmt.Fprintf(&main, "include ./d%d/all.conf\n", d)
	}
	files["nats.conf"] = main.String()
	res := parseTree(t, files, "nats.conf", nil)
	var limit int
	for _, e := range res.Errors {
		if strings.Contains(e.Message, "more than 256 included files in one configuration") {
			limit++
		}
	}
	// 2 + 150 + 104 files are read; the other 46 are reported
	if limit != 46 {
		t.Errorf("%d includes reported over the limit, want 46; errors %+v", limit, res.Errors)
	}
	if _, ok := res.Config["k_1_103"]; !ok {
		t.Errorf("k_1_103 (the 256th file) not read")
	}
	if _, ok := res.Config["k_1_104"]; ok {
		t.Errorf("k_1_104 (the 257th file) read")
	}
}

// TestCommentSeedsAfterLeadingBlankLine: a file that starts with an empty
// line counts it, so a seed in the comment below is on line 2 (kills
// CommentSeeds' `i >= 0` turned into `i > 0`, which read the whole file as
// its first line).
func TestCommentSeedsAfterLeadingBlankLine(t *testing.T) {
	got := CommentSeeds([]byte("\n# SAAONDEI5LI6AG472VOVQ7FXUVXKRC4QYQD5JYPW5UXXYRGHL3EFPAIFIQ\nport: 4222\n"))
	if len(got) != 1 || got[0] != 2 {
		t.Errorf("lines %v, want [2]", got)
	}
}

// TestListenWithoutPort: a listen address with a host and no usable port
// sets the host only; the port stays unset, not 0 (kills splitListen's
// `hasPort && port >= -1` turned into `||`).
func TestListenWithoutPort(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "listen: \"myhost\"\ncluster { listen: \"nats://h:abc\" }\n"}, "nats.conf", nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	if res.Config["host"] != "myhost" {
		t.Errorf("host = %#v, want myhost", res.Config["host"])
	}
	if p, ok := res.Config["port"]; ok {
		t.Errorf("port = %#v, want unset", p)
	}
	cl := res.Config["cluster"].(map[string]any)
	if cl["host"] != "h" {
		t.Errorf("cluster host = %#v, want h", cl["host"])
	}
	if p, ok := cl["port"]; ok {
		t.Errorf("cluster port = %#v, want unset", p)
	}
}

// TestErrorMessageLineAfterVariables: a parser message that names a line
// ("variable reference … on line N") names the file's line, not the line
// of the text with the injected variable definitions in front (kills
// cleanMessage's `n-nPrefix` turned into `n+nPrefix`).
func TestErrorMessageLineAfterVariables(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "server_name: $NAME\nport: 4222\nb: [$\n"}, "nats.conf", nil)
	if len(res.Errors) != 1 || res.Errors[0].Line != 3 || !strings.Contains(res.Errors[0].Message, "on line 3 ") {
		t.Errorf("errors = %+v, want one on line 3 whose message says line 3", res.Errors)
	}
}

// TestTextEndingInSlash: a config whose last byte is a '/' (a path value
// with no newline after it) is read; a "//" comment needs a second '/'
// (issue 20, fifth Go round, seed 5: natsconf.go:325).
func TestTextEndingInSlash(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "jetstream {\n  store_dir: /data/js\n}\nserver_name: n1/"}, "nats.conf", nil)
	if len(res.Errors) != 0 || res.Config["server_name"] != "n1/" {
		t.Errorf("server_name %#v, errors %+v", res.Config["server_name"], res.Errors)
	}
}

// TestUnclosedBlockSkipsCommentsAndStrings: the line of a block never
// closed is found past a comment at the very end of the file and past
// braces inside quoted strings, on their line only (issue 20, fifth Go
// round, seed 5: natsconf.go:688, :692).
func TestUnclosedBlockSkipsCommentsAndStrings(t *testing.T) {
	for _, tc := range []struct {
		text string
		line int
	}{
		{"cluster {\n  name: c1\n# the end, no newline {", 1},
		{"cluster {\n  name: \"c { 1\"\n  port: 6222\n", 1},
		{"cluster {\n  name: 'c [ 1'\n  port: 6222\n", 1},
		// an unterminated string ends at its line: the list opened on
		// the next line is the unclosed one (line 2 before the fix)
		{"cluster {\n  name: \"unterminated\n  routes: [\n", 3},
	} {
		res := parseTree(t, map[string]string{"nats.conf": tc.text}, "nats.conf", nil)
		if len(res.Errors) != 1 || res.Errors[0].Line != tc.line {
			t.Errorf("%q: errors %+v, want one at line %d", tc.text, res.Errors, tc.line)
		}
	}
}

// TestSiblingBlocksAreNotNesting: many blocks one after the other are one
// level deep, not as deep as their count (issue 20, fifth Go round, seed
// 5: natsconf.go:727).
func TestSiblingBlocksAreNotNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString("accounts {\n")
	for i := 0; i < 80; i++ {
		fmt.Fprintf(&b, "  A%d { users: [ {user: u%d, password: p%dxxxxxxxxxxxx} ] }\n", i, i, i)
	}
	b.WriteString("}\n")
	res := parseTree(t, map[string]string{"nats.conf": b.String()}, "nats.conf", nil)
	accts, _ := res.Config["accounts"].(map[string]any)
	if len(res.Errors) != 0 || len(accts) != 80 {
		t.Errorf("%d accounts, errors %+v; want 80 and none", len(accts), res.Errors)
	}
}

// TestForgedIncludeIndexAtCount: a forged include marker whose index is the
// number of includes (0 with none, 1 with one) names none: no crash, no
// value (issue 20, fifth Go round, seed 5: natsconf.go:766).
func TestForgedIncludeIndexAtCount(t *testing.T) {
	for _, files := range []map[string]string{
		{"nats.conf": "server_name: \"@@natsaudit-incvar@@0/x\"\n"},
		{"nats.conf": "include ./vars.conf\nserver_name: \"@@natsaudit-incvar@@1/NAME\"\n", "vars.conf": "NAME: n1\n"},
	} {
		var res *Result
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%q: panic: %v", files["nats.conf"], r)
				}
			}()
			res = parseTree(t, files, "nats.conf", nil)
		}()
		if res != nil && res.Config["server_name"] != nil {
			t.Errorf("%q: server_name = %#v, want none", files["nats.conf"], res.Config["server_name"])
		}
	}
}
