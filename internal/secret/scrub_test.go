package secret

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRedactSnippetBlockList: in a YAML block list the value of "- --pass"
// is the next item, alone on its line: the line before tells.
func TestRedactSnippetBlockList(t *testing.T) {
	for _, tc := range []struct{ prev, line, want string }{
		{"- --pass", "- s3cr", "- ****"},
		{"- --auth", `- "tk 1"`, `- "****"`},
		{"- --user", "- admin", "- ****"},
		{"- --routes", "- nats://tk@n2:6222", "- nats://****@n2:6222"},
		{`nats-server --pass \`, `s3cr -js`, `**** -js`},
		{`command: ["--pass",`, `"s3cr"]`, `"****"]`},
		{"- --name", "- n1", "- n1"},
		{"command:", "- s3cr", "- s3cr"},
		{"- --pass", "- $NATS_PASSWORD", "- $NATS_PASSWORD"},
	} {
		if got := RedactSnippet(tc.prev, tc.line); got != tc.want {
			t.Errorf("RedactSnippet(%q, %q) = %q, want %q", tc.prev, tc.line, got, tc.want)
		}
	}
}

// TestRedactAt: a value known to be a secret at a line is masked there as a
// whole word whatever its length, and nowhere else.
func TestRedactAt(t *testing.T) {
	a, _ := NewAnalyzer(Params{})
	a.RememberAt("compose.yaml", 4, "ab")
	a.MaskAt("compose.yaml", 5, "admin")
	for _, tc := range []struct {
		line       int
		in, want   string
		fileOrElse string
	}{
		{4, "- ab", "- ****", ""},
		{4, `["--pass","ab","abc"]`, `["--pass","****","abc"]`, ""},
		{5, "- admin", "- ****", ""},
		{6, "- ab", "- ab", ""},
		{4, "- ab", "- ab", "other.yaml"},
	} {
		file := "compose.yaml"
		if tc.fileOrElse != "" {
			file = tc.fileOrElse
		}
		if got := a.RedactAt(file, tc.line, tc.in); got != tc.want {
			t.Errorf("RedactAt(%s:%d, %q) = %q, want %q", file, tc.line, tc.in, got, tc.want)
		}
	}
	// Short values are not masked by value elsewhere; a user name never.
	if got := a.Redact("ab admin"); got != "ab admin" {
		t.Errorf("Redact = %q", got)
	}
}

// TestRedactTextKeepsToolWords: in the tool's messages a password equal to
// one of the tool's words does not mask that word (no "**** nats-1" that
// reveals the password is "server"), while an input value holding a
// secret is masked where the message quotes it, plain or %q-quoted.
func TestRedactTextKeepsToolWords(t *testing.T) {
	a, _ := NewAnalyzer(Params{})
	for _, v := range []string{"server", "results", "Pa55-name", `we"ird-pw`, "Very-Long-Secret-Value-42"} {
		a.Remember(v)
	}
	for _, v := range []string{"nats-1", "prod", "Pa55-name", "x-Pa55-name", `we"ird-pw`} {
		a.Taint(v)
	}
	for in, want := range map[string]string{
		"server nats-1: 3 results":                                               "server nats-1: 3 results",
		"server Pa55-name is clustered":                                          "server **** is clustered",
		`user "Pa55-name" can publish`:                                           `user "****" can publish`,
		`user "we\"ird-pw" can publish`:                                          `user "****" can publish`,
		"stream x-Pa55-name of server prod":                                      "stream x-Pa55-name of server prod",
		"the URL nats://u:p@h and Very-Long-Secret-Value-42":                     "the URL nats://u:****@h and ****",
		"server SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4 runs": "server **** runs",
	} {
		if got := a.RedactText(in); got != want {
			t.Errorf("RedactText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestScrubJSONValuesOnly: a password equal to a key of the document masks
// values, never keys; values under path keys keep their path (seeds
// aside); the layout is kept byte for byte.
func TestScrubJSONValuesOnly(t *testing.T) {
	a, _ := NewAnalyzer(Params{})
	for _, v := range []string{"results", "findings", "docker", "$schema", "server"} {
		a.Remember(v)
	}
	seed := "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4"
	in := `{
  "$schema": "x",
  "results": [
    "results",
    "docker/x.conf"
  ],
  "findings": {
    "file": "docker",
    "files": ["docker", "` + seed + `.nk"],
    "name": "docker",
    "url": "nats://u:p@h",
    "note": "a \"quoted\" server",
    "n": 3,
    "server": null
  }
}`
	want := `{
  "$schema": "x",
  "results": [
    "****",
    "docker/x.conf"
  ],
  "findings": {
    "file": "docker",
    "files": ["docker", "****.nk"],
    "name": "****",
    "url": "nats://u:****@h",
    "note": "a \"quoted\" ****",
    "n": 3,
    "server": null
  }
}`
	got, err := a.ScrubJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("ScrubJSON:\n%s\nwant\n%s", got, want)
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("scrubbed JSON does not parse: %v", err)
	}
	if _, err := a.ScrubJSON([]byte(`{"a": "b`)); err == nil {
		t.Error("an unterminated document was accepted")
	}
}

// TestServerFlagTable: the table knows every flag nats-server takes a
// secret with.
func TestServerFlagTable(t *testing.T) {
	for name, want := range map[string]FlagKind{
		"pass": SecretValue, "auth": SecretValue, "user": UserValue,
		"routes": URLValue, "cluster": URLValue, "cluster_listen": URLValue,
		"c": NotSecret, "config": NotSecret, "name": NotSecret,
	} {
		if got := ServerFlag(name); got != want {
			t.Errorf("ServerFlag(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestTokenMatcherBoundaries covers the whole-word rules directly.
func TestTokenMatcherBoundaries(t *testing.T) {
	m := newTokenMatcher([]entry{{"ab", "X"}, {"pa$$w0rd", "X"}, {"$tart", "X"}, {"end!", "X"}, {"a b", "X"}})
	for in, want := range map[string]string{
		"ab":              "X",
		"ab.":             "X.",
		"ab.c":            "ab.c",
		"(ab)":            "(X)",
		"xab ab_ ab-x":    "xab ab_ ab-x",
		"pa$$w0rd;":       "X;",
		"xpa$$w0rd":       "xpa$$w0rd",
		"x$tart $tartup":  "xX $tartup",
		"the end! ending": "the X ending",
		"say a b c":       "say X c",
		"":                "",
	} {
		if got := m.replace(in); got != want {
			t.Errorf("replace(%q) = %q, want %q", in, got, want)
		}
	}
	if !strings.Contains(newTokenMatcher(nil).replace("x"), "x") {
		t.Error("an empty matcher changed the text")
	}
}
