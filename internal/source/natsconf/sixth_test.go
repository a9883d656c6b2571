package natsconf

import (
	"fmt"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// More survivors of the sixth round's full Gremlins run of this package
// (issue 20), each killed by what a user sees: where a setting is, which
// of two settings wins, an error's wording and line, a secret masked. Each
// was checked by applying the mutant by hand.

// TestSettingAtLineStartIsColumnOne: a key written at the start of its
// line is reported at column 1 (kills `Position() + 1` → `- 1`).
func TestSettingAtLineStartIsColumnOne(t *testing.T) {
	r := Parse("/repo/nats.conf", []byte("port: 4222\n"), Options{})
	if l := r.Locs["config/port"]; l.Line != 1 || l.Column != 1 {
		t.Fatalf("port at %+v, want line 1 column 1", l)
	}
}

// TestMissingRelativeIncludeHasNoPathHint: the hint that nats-server reads
// include paths relative to the including file is for absolute targets
// only (kills `IsAbs(target) && ErrNotExist` → `||`).
func TestMissingRelativeIncludeHasNoPathHint(t *testing.T) {
	m := memReader{}
	r := Parse("/repo/nats.conf", []byte("include missing.conf\n"), Options{Reader: m})
	if len(r.Errors) != 1 || r.Errors[0].Message != `include "missing.conf": file not found` {
		t.Fatalf("errors %+v, want only file not found", r.Errors)
	}
	r = Parse("/repo/nats.conf", []byte("include /etc/missing.conf\n"), Options{Reader: m})
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "relative to the including file's directory") {
		t.Fatalf("errors %+v, want the hint for an absolute path", r.Errors)
	}
}

// TestIncludeAfterKeyOnTheSameLine: in "port: 1; include a.conf" the include
// comes after the key, so (as nats-server applies keys in file order) the
// included port wins; the key and the include have the same line, which is
// their order (kills `cur.order > c.order` → `>=`).
func TestIncludeAfterKeyOnTheSameLine(t *testing.T) {
	m := memReader{"/repo/a.conf": []byte("port: 2\n")}
	r := Parse("/repo/nats.conf", []byte("port: 1; include a.conf\n"), Options{Reader: m})
	if got := fmt.Sprint(r.Config["port"]); got != "2" {
		t.Fatalf("port %s (errors %+v), want 2 from the include written after it", got, r.Errors)
	}
}

// TestForgedIncludeKeyOnePastTheIncludes: a key of the file's own that
// spells the include placeholder of an index equal to the number of
// includes is dropped, not looked up (kills `idx >= len(incs)` → `>`,
// which indexes past the includes and panics).
func TestForgedIncludeKeyOnePastTheIncludes(t *testing.T) {
	m := memReader{"/repo/a.conf": []byte("port: 2\n")}
	r := Parse("/repo/nats.conf", []byte("include a.conf\n"+includeKey+"1: 5\n"), Options{Reader: m})
	if got := fmt.Sprint(r.Config["port"]); got != "2" || len(r.Config) != 1 {
		t.Fatalf("config %v (errors %+v), want only port 2", r.Config, r.Errors)
	}
}

// TestStrayCloserBeforeAnUnclosedBlock: a '}' or ']' with no block open
// does not make unclosedBlock pop an empty stack (kills `len(open) > 0` →
// `>= 0`, which panics), and the block that is never closed is found.
func TestStrayCloserBeforeAnUnclosedBlock(t *testing.T) {
	r := Parse("/repo/nats.conf", []byte("a: 1]\nb {\n"), Options{})
	if len(r.Errors) != 1 || r.Errors[0].Line != 2 || !strings.Contains(r.Errors[0].Message, "never closed") {
		t.Fatalf("errors %+v, want the block of line 2 never closed", r.Errors)
	}
}

// TestStrayCloserDoesNotHideNesting: closers with no block open do not
// count below zero, so blocks nested past the limit after them are still
// refused (kills `depth > 0` → `>= 0` in maxNesting).
func TestStrayCloserDoesNotHideNesting(t *testing.T) {
	text := "}\n" + strings.Repeat("a {\n", 5) + strings.Repeat("}\n", 5)
	r := Parse("/repo/nats.conf", []byte(text), Options{MaxDepth: 4})
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "nested 5 levels deep (limit 4)") {
		t.Fatalf("errors %+v, want refused as nested 5 deep", r.Errors)
	}
}

// TestEscapedQuoteInsideString: in a double-quoted string, \" does not end
// the string, so braces after it are text, not blocks (kills `c == '"'` →
// `!=` in codeMask: a server_name of braces is not nesting).
func TestEscapedQuoteInsideString(t *testing.T) {
	r := Parse("/repo/nats.conf", []byte(`server_name: "x\"{{{{{"`+"\n"), Options{MaxDepth: 4})
	if got := r.Config["server_name"]; got != `x"{{{{{` {
		t.Fatalf("server_name %v (errors %+v), want x\"{{{{{", got, r.Errors)
	}
}

// TestUnterminatedQuoteAsTheLastByte: a file whose last byte opens a
// quoted string inside a block that is never closed is pointed at that
// block, without reading past the end of the text (kills `i+1 < len(text)`
// → `i-1` in closingQuote, which panics).
func TestUnterminatedQuoteAsTheLastByte(t *testing.T) {
	for _, tc := range []struct {
		text string
		line int
	}{{"a {\n\"", 1}, {"port: 1\na {\n  b: 1\n  '", 2}} {
		r := Parse("/repo/nats.conf", []byte(tc.text), Options{})
		if r.OK() || len(r.Errors) != 1 || r.Errors[0].Line != tc.line || !strings.Contains(r.Errors[0].Message, "never closed") {
			t.Errorf("%q: errors %+v, want the block of line %d never closed", tc.text, r.Errors, tc.line)
		}
	}
}

// TestParseErrorMasksRememberedSecret: a value the analyzer knows as a
// secret (from another file of the run) is masked in a parser message
// that quotes it, even where the config's own line does not look secret
// (kills `Secrets != nil` → `==`).
func TestParseErrorMasksRememberedSecret(t *testing.T) {
	const v = "98765432109876543210987"
	a, err := secret.NewAnalyzer(secret.Params{})
	if err != nil {
		t.Fatal(err)
	}
	a.Remember(v)
	r := Parse("/repo/nats.conf", []byte("max_payload: "+v+"\n"), Options{Secrets: a})
	if len(r.Errors) != 1 || strings.Contains(r.Errors[0].Message, v) || !strings.Contains(r.Errors[0].Message, secret.Mask) {
		t.Fatalf("errors %+v, want the remembered value masked", r.Errors)
	}
}

// TestEmptyUserAndPassword: an empty password is not reported as equal to
// an empty user name (kills `ok && us != ""` → `||` at either place),
// with an analyzer or without one; "b" and "b" are.
func TestEmptyUserAndPassword(t *testing.T) {
	a, err := secret.NewAnalyzer(secret.Params{})
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []Options{{Secrets: a}, {}} {
		r := Parse("/repo/nats.conf", []byte("authorization { users = [ { user: \"\", password: \"\" }, { user: b, password: b } ] }\n"), opt)
		users, _ := r.Config["authorization"].(map[string]any)["users"].([]any)
		if len(users) != 2 {
			t.Fatalf("users %v (errors %+v)", users, r.Errors)
		}
		for i, want := range []bool{false, true} {
			sec, ok := users[i].(map[string]any)["password"].(*model.Secret)
			if !ok || sec.EqualsUser != want {
				t.Errorf("analyzer %v, user %d: password %+v, want equals_user %v", opt.Secrets != nil, i, sec, want)
			}
		}
	}
}

// TestUserPermissionsNormalised: a user's permissions are read as
// permissions: a subject string becomes an allow list, and only allow and
// deny are kept (kills `key == "permissions"` → `!=` and `key != "allow"`
// → `==`).
func TestUserPermissionsNormalised(t *testing.T) {
	r := Parse("/repo/nats.conf", []byte(`authorization { users = [ { user: a, password: b,
  permissions: { publish: "x.>", subscribe: { deny: "y", allow: ["z"], other: 1 } } } ] }
`), Options{})
	u := r.Config["authorization"].(map[string]any)["users"].([]any)[0].(map[string]any)
	perms, _ := u["permissions"].(map[string]any)
	if got := fmt.Sprint(perms["publish"]); got != "map[allow:[x.>] deny:[]]" {
		t.Errorf("publish %s, want map[allow:[x.>] deny:[]]", got)
	}
	if got := fmt.Sprint(perms["subscribe"]); got != "map[allow:[z] deny:[y]]" {
		t.Errorf("subscribe %s, want map[allow:[z] deny:[y]]", got)
	}
}

// TestListenSchemeOnly: a listen value that starts with "://" is read
// without it (kills `i >= 0` → `> 0` in splitListen).
func TestListenSchemeOnly(t *testing.T) {
	r := Parse("/repo/nats.conf", []byte(`listen: "://0.0.0.0:4333"`+"\n"), Options{})
	if r.Config["host"] != "0.0.0.0" || fmt.Sprint(r.Config["port"]) != "4333" {
		t.Fatalf("config %v, want host 0.0.0.0 port 4333", r.Config)
	}
}

// TestValuesAtTheLimit: a configuration of exactly maxValues values (the
// root, "a" and its elements) is read without complaint; one more is
// reported once (kills `values > maxValues` → `>=`, which drops the last
// value without a word, and `values++` → `values--`).
func TestValuesAtTheLimit(t *testing.T) {
	for _, tc := range []struct {
		elems  int
		report bool
	}{{maxValues - 2, false}, {maxValues - 1, true}} {
		r := Parse("/repo/nats.conf", []byte("a: ["+strings.Repeat("1,", tc.elems)+"]\n"), Options{})
		n := 0
		for _, e := range r.Errors {
			if strings.Contains(e.Message, fmt.Sprintf("expands to more than %d values", maxValues)) {
				n++
			}
		}
		if tc.report && n != 1 || !tc.report && n != 0 {
			t.Errorf("%d elements: %d reports of too many values, want %v", tc.elems, n, tc.report)
		}
		if a, _ := r.Config["a"].([]any); !tc.report && (len(a) != tc.elems || fmt.Sprint(a[len(a)-1]) != "1") {
			t.Errorf("%d elements: the list does not end with 1", tc.elems)
		}
	}
}

// TestValueErrorAtTheStartOfTheFile: a value error without a line is
// placed by the value it quotes even when that text is the file's first
// bytes (kills `strings.Index(...) >= 0` → `> 0`).
func TestValueErrorAtTheStartOfTheFile(t *testing.T) {
	const v = "99999999999999999999999"
	r := Parse("/repo/nats.conf", []byte(v+": "+v+"\n"), Options{})
	if len(r.Errors) != 1 || r.Errors[0].Line != 1 || !strings.Contains(r.Errors[0].Message, "is out of the range") {
		t.Fatalf("errors %+v, want out of the range on line 1", r.Errors)
	}
}

// TestIncludedBytesAtTheLimit: included files of exactly maxIncludedBytes
// in all are read (kills `incBytes > maxIncludedBytes` → `>=`). It builds a
// 64 MiB include (about 1 s and 230 MB here), so -short skips it.
func TestIncludedBytesAtTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 64 MiB include")
	}
	big := "#" + strings.Repeat("x", maxIncludedBytes-2) + "\n"
	m := memReader{"/repo/a.conf": []byte(big), "/repo/b.conf": []byte("max_payload: 1024\n")}
	r := Parse("/repo/nats.conf", []byte("include a.conf\nport: 1\n"), Options{Reader: m})
	if len(r.Errors) != 0 || fmt.Sprint(r.Config["port"]) != "1" {
		t.Fatalf("config %v, errors %+v, want exactly the limit read", r.Config, r.Errors)
	}
	r = Parse("/repo/nats.conf", []byte("include a.conf\ninclude b.conf\n"), Options{Reader: m})
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, fmt.Sprintf(`include "b.conf": included files add up to more than %d bytes`, maxIncludedBytes)) {
		t.Fatalf("errors %+v, want b.conf refused past the limit", r.Errors)
	}
}
