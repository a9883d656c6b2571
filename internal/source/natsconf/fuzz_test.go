package natsconf

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// memReader serves includes from memory: the fuzzer's second input is
// "inc.conf"; everything else does not exist.
type memReader map[string][]byte

func (m memReader) Read(abs string) ([]byte, error) {
	if d, ok := m[abs]; ok {
		return d, nil
	}
	return nil, safefile.DescribeOpenError(fs.ErrNotExist)
}

func (m memReader) Rel(abs string) string { return strings.TrimPrefix(abs, "/repo/") }

// fuzzSecret is written into every fuzzed config on a password line: it may
// be remembered and redacted, or not read at all when the file does not
// parse, but it must never be quoted by an error message.
const fuzzSecret = "Fz-S3cr3t-Pw-7c1e9b"

// FuzzParse feeds arbitrary bytes to the nats.conf adapter, with an include
// served from memory. It must return (no panic, no hang), every error must
// name its file, and no error message may quote a secret or an internal
// sentinel.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/real/*/*.conf")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b, []byte("port: 4222\n"))
		}
	}
	for _, s := range []string{
		"port: 4222\ninclude inc.conf\nauthorization { token: $TOKEN }\n",
		"jetstream { store_dir: /data, max_mem: 1G, max_file: \"10GB\" }\ncluster { name: c, routes: [\"nats://u:p4ss@a:6222\"] }\n",
		"accounts { A { users: [ {user: a, password: $2a$11$abc}, {nkey: UABC} ], jetstream: enabled }, SYS {} }\nsystem_account: SYS\n",
		"leafnodes { remotes: [ { url: \"tls://h:7422\", credentials: \"/x.creds\", tls { insecure: true } } ] }\n",
		"tls { cert_file: a.pem, key_file: b.pem, verify_and_map: true, min_version: \"1.3\" }\nhttp: \"127.0.0.1:8222\"\n",
		"{\n \"port\": 4222,\n include inc.conf;\n \"server_name\": $SERVER_NAME\n}\n",
		"a = 1\nb = $a\nc { d = $b }\n",
		"authorization {\n  password: 98765432109876543210987654321\n}\n",
		"x: [[[[{}]]]]\ny: 2020-01-01T00:00:00Z\nz: 1.5e3\n",
	} {
		f.Add([]byte(s), []byte("TOKEN: tok-from-include\nport: 1\n"))
	}
	f.Fuzz(func(t *testing.T, data, inc []byte) {
		main := append([]byte("authorization { password: \""+fuzzSecret+"\" }\n"), data...)
		r := memReader{"/repo/inc.conf": inc}
		a, _ := secret.NewAnalyzer(secret.Params{Placeholders: []string{"changeme"}})
		start := time.Now()
		res := Parse("/repo/nats.conf", main, Options{Reader: r, Secrets: a})
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %s", d)
		}
		for _, e := range res.Errors {
			if e.File == "" {
				t.Errorf("error without a file: %+v", e)
			}
			if strings.Contains(e.Message, fuzzSecret) {
				t.Errorf("error quotes the secret: %q", e.Message)
			}
			if strings.Contains(e.Message, "@@natsaudit") || strings.Contains(e.Message, includeKey) {
				t.Errorf("error shows an internal sentinel: %q", e.Message)
			}
		}
		if res.OK() && res.Config == nil {
			t.Error("OK without a config")
		}
	})
}

// FuzzAgreesWithServer is differential: on a file without includes or
// variables, natsaudit accepts what nats-server's own parser accepts and
// rejects what it rejects.
func FuzzAgreesWithServer(f *testing.F) {
	for _, s := range []string{
		"port: 4222\nserver_name: \"{{{{\"\n",
		"routes: [nats://a:6222, nats://b:6222] // comment\n",
		"authorization { users = [ {user: a, password: 'p#1'} ] } # c\n",
		"a { b { c { d: [1, 2, [3]] } } }\n",
		"{\n  \"port\": 4222,\n  \"http\": \"127.0.0.1:8222\"\n}\n",
		"description: \"include x.conf\"\nlisten: 0.0.0.0:4222\n",
		"tags: [\"a\", 'b', c]\nsize: 10GB\nt: 2020-01-01T00:00:00Z\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		text := string(data)
		if strings.ContainsAny(text, "$\x00") || strings.Contains(strings.ToLower(text), "include") || !utf8.ValidString(text) {
			return // variables and includes resolve differently on purpose
		}
		_, refErr := safeParse(text)
		res := Parse("/repo/nats.conf", data, Options{Reader: memReader{}})
		switch {
		case refErr == nil && !res.OK():
			t.Errorf("nats-server accepts %q, natsaudit rejects it: %+v", text, res.Errors)
		case refErr != nil && res.OK():
			t.Errorf("nats-server rejects %q (%v), natsaudit accepts it", text, refErr)
		}
	})
}
