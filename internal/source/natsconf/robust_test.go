package natsconf

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Constructs from real configurations that natsaudit once misread. Each
// testdata/real/<case>/ directory holds a small config of our own writing
// that reproduces the construct; main.conf (or nats.conf) is parsed.

// conf/includes in nats-server: users.conf includes passwords.conf, which
// defines ALICE_PASS; users.conf then uses $ALICE_PASS. The variable is the
// included definition, not an environment variable, and the definitions are
// not settings (no "unknown field").
func TestVariableDefinedInInclude(t *testing.T) {
	res := parseDir(t, "testdata/real/include-vars", "nats.conf")
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	auth := res.Config["authorization"].(map[string]any)
	users := auth["users"].([]any)
	pw := users[0].(map[string]any)["password"].(*model.Secret)
	if pw.Origin != "literal" || !pw.Bcrypt || pw.EnvVar != "" {
		t.Errorf("alice's password = %+v, want the bcrypt hash defined in passwords.conf", pw)
	}
	if l := res.Locs["config/authorization/users/0/password"]; l.File != "passwords.conf" || l.Line != 2 {
		t.Errorf("password location = %+v, want passwords.conf:2 where it is written", l)
	}
	for _, k := range []string{"ALICE_PASS", "alice_pass", "BOB_PASS"} {
		if _, ok := auth[k]; ok {
			t.Errorf("variable %s read as a setting: %v", k, auth)
		}
	}
}

// The Helm chart (nats-io/k8s) renders JSON with top-level braces,
// `server_name: $SERVER_NAME`, and includes written as `include x.conf;`
// inside blocks; a merge patch can reference a variable its include defines.
func TestHelmRenderedConfig(t *testing.T) {
	res := parseDir(t, "testdata/real/helm", "nats.conf")
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	c := res.Config
	if c["server_name"] != "$SERVER_NAME" || res.EnvRef["config/server_name"] != "SERVER_NAME" {
		t.Errorf("server_name = %#v, want a reference to $SERVER_NAME", c["server_name"])
	}
	js := c["jetstream"].(map[string]any)
	if js["max_file_store"] != int64(10<<30) || js["max_memory_store"] != int64(2<<30) {
		t.Errorf("jetstream = %#v: the include inside the block must merge", js)
	}
	tok, ok := c["authorization"].(map[string]any)["token"].(*model.Secret)
	if !ok || tok.Origin != "literal" || tok.Length != len("helm-t0ken-from-include") {
		t.Errorf("token = %+v, want the value auth.conf defines", tok)
	}
	if c["max_payload"] != int64(8<<20) {
		t.Errorf("max_payload = %#v", c["max_payload"])
	}
	if len(res.Files) != 3 {
		t.Errorf("files = %v, want nats.conf and its two includes", res.Files)
	}
}

// "include" inside a quoted string or a comment is not a directive.
func TestIncludeWordInStrings(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "server_name: \"edge; include evil.conf\"\n# include also-not.conf\nport: 4222 // ; include nope.conf\n"}, "nats.conf", nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %+v", res.Errors)
	}
	if res.Config["server_name"] != "edge; include evil.conf" || len(res.Files) != 1 {
		t.Errorf("server_name = %#v, files %v", res.Config["server_name"], res.Files)
	}
}

// nats-server joins an absolute include path to the including file's
// directory: say so when the file is missing.
func TestAbsoluteIncludeIsRelative(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "include /etc/passwd\nport: 1\n"}, "nats.conf", nil)
	if !hasError(res, "relative to the including file's directory: etc/passwd") {
		t.Errorf("errors = %+v", res.Errors)
	}
	if res.Config["port"] != int64(1) {
		t.Errorf("config = %#v", res.Config)
	}
}

// A symlink inside the tree pointing outside it is not followed.
func TestIncludeSymlinkOutside(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	secretFile := filepath.Join(outside, "secret.conf")
	must(t, os.WriteFile(secretFile, []byte("authorization { token: outside-secret-value }\n"), 0o644))
	must(t, os.Symlink(secretFile, filepath.Join(dir, "link.conf")))
	must(t, os.WriteFile(filepath.Join(dir, "nats.conf"), []byte("include link.conf\nport: 1\n"), 0o644))
	res := parseFile(t, dir, "nats.conf")
	if !hasError(res, "outside the scanned tree") || res.Config["authorization"] != nil {
		t.Errorf("errors = %+v, config %v", res.Errors, res.Config)
	}
}

// A FIFO (or a device) is never opened for reading: it would block.
func TestIncludeFIFO(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	dir := t.TempDir()
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo.conf"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "nats.conf"), []byte("include fifo.conf\nport: 1\n"), 0o644))
	done := make(chan *Result, 1)
	go func() { done <- parseFile(t, dir, "nats.conf") }()
	select {
	case res := <-done:
		if !hasError(res, "not a regular file") {
			t.Errorf("errors = %+v", res.Errors)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("blocked on a FIFO")
	}
}

// Includes fanning out (each file includes the next one ten times, eight
// levels deep) would be 10^8 parses and values without the cache and the
// value bound.
func TestIncludeFanOut(t *testing.T) {
	files := map[string]string{}
	for lvl := 0; lvl < 8; lvl++ {
		var b strings.Builder
		for i := 0; i < 10; i++ {
			fmt.Fprintf(&b, "b%d { include l%d.conf }\n", i, lvl+1)
		}
		files[fmt.Sprintf("l%d.conf", lvl)] = b.String()
	}
	files["l8.conf"] = "x: 1\n"
	start := time.Now()
	res := parseTree(t, files, "l0.conf", nil)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
	if !hasError(res, "expands to more than") {
		t.Errorf("errors = %+v, want the value bound", res.Errors)
	}
	if len(res.Files) != 9 {
		t.Errorf("files = %d, want each file read once", len(res.Files))
	}
}

// Friendlier versions of the conf package's messages, as read in the
// corpus run (docs/robustness.md).
func TestParseErrorMessages(t *testing.T) {
	for text, want := range map[string]string{
		"port: 4222\nlisten: 127.0.0.1:4222 foo\n": "2: Expected a top-level value to end with a new line, comment or EOF, but got 'f' instead.",
		"port: 4222\ntrace\n":                      "2: the file ends right after a setting name, with no value",
		"authorization {\n  user: a\n":             "1: this block is never closed: the parser reached the end of the file",
	} {
		res := parseTree(t, map[string]string{"nats.conf": text}, "nats.conf", nil)
		if res.OK() || len(res.Errors) != 1 {
			t.Errorf("%q: errors %+v", text, res.Errors)
			continue
		}
		if got := fmt.Sprintf("%d: %s", res.Errors[0].Line, res.Errors[0].Message); got != want {
			t.Errorf("%q: error %q, want %q", text, got, want)
		}
	}
}

// A syntax error on a line that holds a secret does not quote it.
func TestParseErrorOnSecretLine(t *testing.T) {
	for _, text := range []string{
		"authorization {\n  password: \"Pa55-quoted-secret\" x y {\n}\n",
		"authorization { token: s3cr3t-T0ken-value ] }\n",
		"leafnodes { remotes: [ { url: \"nats://u:Url-Pa55word@hub:7422\" ] }\n",
		"accounts { A { users: [ { nkey: SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4 ] } }\n",
		// conf quotes an out-of-range number without its key or line.
		"authorization {\n  user: admin\n  password: 98765432109876543210987654321\n}\n",
	} {
		res := parseTree(t, map[string]string{"nats.conf": text}, "nats.conf", nil)
		if res.OK() {
			t.Errorf("%q parsed", text)
		}
		for _, e := range res.Errors {
			if e.Line == 0 {
				t.Errorf("%q: error without a line: %+v", text, e)
			}
			for _, s := range []string{"Pa55-quoted-secret", "s3cr3t-T0ken-value", "Url-Pa55word", "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4", "98765432109876543210987654321"} {
				if strings.Contains(e.Message, s) {
					t.Errorf("error quotes a secret: %q", e.Message)
				}
			}
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func parseFile(t *testing.T, dir, main string) *Result {
	t.Helper()
	abs := filepath.Join(dir, main)
	data, err := os.ReadFile(abs)
	must(t, err)
	return Parse(abs, data, Options{Reader: OSReader{Root: dir}})
}

func parseDir(t *testing.T, dir, main string) *Result {
	t.Helper()
	abs, err := filepath.Abs(dir)
	must(t, err)
	return parseFile(t, abs, main)
}

// Braces inside strings and URLs are not blocks: the nesting bound counts
// only real blocks (a first version rejected these as "nested 70 levels").
func TestBracesInStringsAreNotBlocks(t *testing.T) {
	var b strings.Builder
	b.WriteString("server_name: \"" + strings.Repeat("{", 70) + "\"\n")
	b.WriteString("cluster {\n  routes: [\n")
	for i := 0; i < 70; i++ {
		fmt.Fprintf(&b, "    nats://u:p@n%d:6222 // route %d {\n", i, i)
	}
	b.WriteString("  ]\n}\n# " + strings.Repeat("[", 70) + "\n")
	res := parseTree(t, map[string]string{"nats.conf": b.String()}, "nats.conf", nil)
	if !res.OK() || len(res.Errors) > 0 {
		t.Fatalf("errors = %+v", res.Errors)
	}
	if got := len(res.Config["cluster"].(map[string]any)["routes"].([]any)); got != 70 {
		t.Errorf("routes = %d, want 70", got)
	}
}

// A short secret elsewhere in the file is masked in a message as a word,
// not inside the message's words.
func TestShortSecretDoesNotGarbleMessages(t *testing.T) {
	res := parseTree(t, map[string]string{"nats.conf": "authorization { token: u }\nmax_payload: 1MB\nwhatever\n"}, "nats.conf", nil)
	if len(res.Errors) != 1 || res.Errors[0].Message != "the file ends right after a setting name, with no value" {
		t.Errorf("errors = %+v", res.Errors)
	}
	res = parseTree(t, map[string]string{"nats.conf": "authorization { password: ab1, x: [}\n"}, "nats.conf", nil)
	for _, e := range res.Errors {
		if strings.Contains(e.Message, "ab1") {
			t.Errorf("short password quoted: %q", e.Message)
		}
	}
}

// Issue 11, item 3: an include that resolves into .git/ (by its name, a
// link, or a directory link) is never read: the checkout's credentials
// there would become config values and reach every report.
func TestIncludeIntoGit(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, ".git"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, ".git/config"), []byte("server_name: SECRETTOKEN\n"), 0o644))
	must(t, os.Symlink(".git/config", filepath.Join(dir, "link.conf")))
	must(t, os.Symlink(".git", filepath.Join(dir, "gitdir")))
	for _, inc := range []string{".git/config", "link.conf", "gitdir/config", "sub/../.git/config"} {
		must(t, os.WriteFile(filepath.Join(dir, "nats.conf"), []byte("include \""+inc+"\"\nport: 1\n"), 0o644))
		res := parseFile(t, dir, "nats.conf")
		if !hasError(res, "resolves into .git/; not read") || res.Config["server_name"] != nil {
			t.Errorf("include %s: errors = %+v, config %v", inc, res.Errors, res.Config)
		}
	}
}

// TestForgedIncludeSentinel: a quoted string of the file that spells the
// parser's own marker of a variable defined in an include
// (@@natsaudit-incvar@@<index>/<name>) is a string, not a reference to an
// include the file does not have: it crashed the parser (index out of
// range) for an index past the includes or a negative one, and a marker
// naming an include's missing key must not resolve either.
func TestForgedIncludeSentinel(t *testing.T) {
	for _, tc := range []struct {
		files map[string]string
		want  any
	}{
		{map[string]string{"nats.conf": "server_name: \"@@natsaudit-incvar@@5/x\"\n"}, nil},
		{map[string]string{"nats.conf": "server_name: \"@@natsaudit-incvar@@-1/x\"\n"}, nil},
		{map[string]string{"nats.conf": "server_name: \"@@natsaudit-incvar@@zz/x\"\n"}, nil},
		{map[string]string{"nats.conf": "include ./vars.conf\nserver_name: \"@@natsaudit-incvar@@0/nosuch\"\n", "vars.conf": "NAME: n1\n"}, nil},
		{map[string]string{"nats.conf": "include ./vars.conf\nserver_name: $NAME\n", "vars.conf": "NAME: n1\n"}, "n1"},
	} {
		var res *Result
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%q: panic: %v", tc.files["nats.conf"], r)
				}
			}()
			res = parseTree(t, tc.files, "nats.conf", nil)
		}()
		if res == nil {
			continue
		}
		if got := res.Config["server_name"]; got != tc.want {
			t.Errorf("%q: server_name = %#v, want %#v", tc.files["nats.conf"], got, tc.want)
		}
	}
}

// TestForgedIncludeKey: a key of the file spelled like the parser's
// placeholder of an include directive (__natsaudit_include_<index>) is
// dropped and merges nothing: a negative index crashed the parser, and a
// non-numeric one must not stand for the first include.
func TestForgedIncludeKey(t *testing.T) {
	for _, key := range []string{"__natsaudit_include_-1", "__natsaudit_include_x", "__natsaudit_include_7"} {
		var res *Result
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", key, r)
				}
			}()
			res = parseTree(t, map[string]string{
				"nats.conf":   "include ./limits.conf\nauthorization { " + key + ": 1, token: \"s3cr3t-t0ken-x\" }\n",
				"limits.conf": "max_payload: 1MB\n",
			}, "nats.conf", nil)
		}()
		if res == nil {
			continue
		}
		if res.Config["max_payload"] != int64(1<<20) {
			t.Errorf("%s: the real include is not merged: %#v", key, res.Config)
		}
		auth, _ := res.Config["authorization"].(map[string]any)
		if _, ok := auth["token"]; !ok || len(auth) != 1 {
			t.Errorf("%s: authorization = %#v, want only its token", key, auth)
		}
	}
}
