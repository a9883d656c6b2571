package secret

import (
	"strings"
	"testing"
)

// Boundaries of the secret package, one at a time (issue 20, Go mutation
// testing).

// TestFactsNumbers: length in characters, emptiness and entropy in bits
// per character, rounded to two decimals.
func TestFactsNumbers(t *testing.T) {
	a, _ := NewAnalyzer(Params{})
	for _, tc := range []struct {
		v       string
		length  int
		empty   bool
		entropy float64
	}{
		{"", 0, true, 0},
		{"  ", 2, true, 0},
		{"aaaa", 4, false, 0},
		{"aabb", 4, false, 1},
		{"abcd", 4, false, 2},
		{"abc", 3, false, 1.58},
		{"éé", 2, false, 0},
		{"aab", 3, false, 0.92},
	} {
		f := a.Facts(tc.v)
		if f.Length != tc.length || f.Empty != tc.empty || f.Entropy != tc.entropy || !f.Secret || f.Origin != "literal" || len(f.Digest) != 16 {
			t.Errorf("Facts(%q) = length %d empty %v entropy %v (%+v), want %d %v %v", tc.v, f.Length, f.Empty, f.Entropy, f, tc.length, tc.empty, tc.entropy)
		}
	}
}

// TestRememberLengths: values under minRedactLen are not remembered (they
// would mask ordinary words); from longLen on a value is masked inside
// words too, under it only as a whole word.
func TestRememberLengths(t *testing.T) {
	a, _ := NewAnalyzer(Params{})
	a.Remember("abcde")    // 5: too short
	a.Remember(" abcdef ") // 6, trimmed
	if got := a.Values(); len(got) != 1 || got[0] != "abcdef" {
		t.Fatalf("values = %q, want [abcdef]", got)
	}
	b, _ := NewAnalyzer(Params{})
	fifteen := "p7Qw9Zx2Lm4Kt8R"  // 15
	sixteen := "s7Qw9Zx2Lm4Kt8RX" // 16
	b.Remember(fifteen)
	b.Remember(sixteen)
	for _, tc := range []struct{ in, want string }{
		{"x" + fifteen + "y", "x" + fifteen + "y"},
		{"pass: " + fifteen, "pass: " + Mask},
		{"x" + sixteen + "y", "x" + Mask + "y"},
	} {
		if got := b.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Values are ordered longest first, then alphabetically.
	c, _ := NewAnalyzer(Params{})
	for _, v := range []string{"bbbbbb", "aaaaaaa", "aaaaaa"} {
		c.Remember(v)
	}
	if got := strings.Join(c.Values(), ","); got != "aaaaaaa,aaaaaa,bbbbbb" {
		t.Errorf("values = %s", got)
	}
}

// TestSeedLengthBound: the shortest nkey seed (52 characters) is masked by
// MaskPatterns and RedactPath; 51 characters are not a seed.
func TestSeedLengthBound(t *testing.T) {
	seed := "SU" + strings.Repeat("A", 50)
	if len(seed) != 52 {
		t.Fatal(len(seed))
	}
	for name, f := range map[string]func(string) string{"MaskPatterns": MaskPatterns, "RedactPath": RedactPath} {
		if got := f(seed); got != Mask {
			t.Errorf("%s(52-character seed) = %q", name, got)
		}
		if got := f(seed[:51]); got != seed[:51] {
			t.Errorf("%s(51 characters) = %q", name, got)
		}
	}
	if !IsNkeySeed(seed) || IsNkeySeed(seed[:51]) {
		t.Error("IsNkeySeed bound")
	}
}

// TestPlaceholderAndPathEdges: blank values are neither placeholders nor
// templates nor paths; matching ignores case and surrounding blanks.
func TestPlaceholderAndPathEdges(t *testing.T) {
	a, err := NewAnalyzer(Params{Placeholders: []string{" Admin "}, TemplatePlaceholders: []string{"ChangeMe"}, PlaceholderRegexp: []string{"^<.*>$"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		v                     string
		placeholder, template bool
	}{
		{"", false, false}, {"  ", false, false},
		{"admin", true, false}, {" ADMIN ", true, false},
		{"changeme", true, true}, {"CHANGEME", true, true},
		{"<pw>", true, true}, {"pw", false, false},
	} {
		if got := a.IsPlaceholder(tc.v); got != tc.placeholder {
			t.Errorf("IsPlaceholder(%q) = %v", tc.v, got)
		}
		if got := a.IsTemplate(tc.v); got != tc.template {
			t.Errorf("IsTemplate(%q) = %v", tc.v, got)
		}
	}
	if _, err := NewAnalyzer(Params{PlaceholderRegexp: []string{"("}}); err == nil {
		t.Error("an invalid pattern was accepted")
	}
	for _, tc := range []struct {
		v    string
		want bool
	}{{"", false}, {" ", false}, {"/etc/nats/user.creds", true}, {"./a", true}, {"user.creds", true}, {"/pass word", false}, {"s3cret", false}} {
		if got := LooksLikePath(tc.v); got != tc.want {
			t.Errorf("LooksLikePath(%q) = %v", tc.v, got)
		}
	}
	// Placeholders are never remembered: they are words rule texts use.
	a.Remember("changeme")
	a.Remember("ADMIN!")
	if got := a.Values(); len(got) != 1 || got[0] != "ADMIN!" {
		t.Errorf("values = %q", got)
	}
}

// TestEnvFactsKinds: which environment values are remembered as secrets
// and which are paths.
func TestEnvFactsKinds(t *testing.T) {
	const seed = "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4"
	for _, tc := range []struct {
		name, value string
		remembered  bool
		path        bool
	}{
		{"NATS_PASSWORD", "s3cr3t-value", true, false},
		{"NATS_PASSWORD_FILE", "/run/secrets/pw", false, true},
		{"NATS_PASSWORD", "/run/secrets/pw", false, true}, // a path in a secret-named variable
		{"NATS_SEED_FILE", seed, true, false},             // a seed is a secret whatever the name
		{"GREETING", "hello-world", false, false},
		{"NATS_URL", "nats://u:pw-in-url@host:4222", true, false},
	} {
		a, _ := NewAnalyzer(Params{})
		s := a.EnvFacts(tc.name, tc.value, ".env")
		if got := len(a.Values()) > 0; got != tc.remembered || s.Path != tc.path || !s.Resolved || s.ResolvedFrom != ".env" {
			t.Errorf("EnvFacts(%s=%s): remembered %v (%q) path %v, want %v %v", tc.name, tc.value, got, a.Values(), s.Path, tc.remembered, tc.path)
		}
	}
}

// TestURLCredentialsEdges: references are not credentials; the scheme is
// lower-cased; NATS schemes are told apart; a password equal to its user
// is said so.
func TestURLCredentialsEdges(t *testing.T) {
	for _, tc := range []struct {
		v, scheme, user, pass string
		ok                    bool
	}{
		{"NATS://u:p@h", "nats", "u", "p", true},
		{"x nats://u:$PASS@h", "", "", "", false},
		{"nats://u:${PASS}@h", "", "", "", false},
		{"nats://u:a${PASS}@h", "", "", "", false},
		{"nats://h:4222", "", "", "", false},
	} {
		s, u, p, ok := URLCredentials(tc.v)
		if s != tc.scheme || u != tc.user || p != tc.pass || ok != tc.ok {
			t.Errorf("URLCredentials(%q) = %q %q %q %v", tc.v, s, u, p, ok)
		}
	}
	a, _ := NewAnalyzer(Params{})
	f, ok := a.URLFacts("https://same:same@h")
	if !ok || !f.EqualsUser || f.NATSURL || !f.URLCreds {
		t.Errorf("URLFacts https same:same = %+v", f)
	}
	f, ok = a.URLFacts("tls://u:other@h")
	if !ok || f.EqualsUser || !f.NATSURL {
		t.Errorf("URLFacts tls = %+v", f)
	}
	if !IsPublicNkey(" ACER777LQXMLSJIBSIL2XR4PXA2CNAJR7CELFK4P6MVNAOXSBN7T3VT2 ") {
		t.Error("a public key with blanks around it")
	}
}

// TestUserinfoSpan: the credential of a URL's userinfo, by itself: the
// password of user:password@ (the last @ ends it), a NATS token, nothing
// for a URL without one, an empty or masked one, or a reference.
func TestUserinfoSpan(t *testing.T) {
	for _, tc := range []struct {
		u, want string
		ok      bool
	}{
		{"nats://u:pw@h:4222", "pw", true},
		{"nats://tok@h", "tok", true},
		{"nats://u:p@ss@h", "p@ss", true},
		{"nats://h:4222", "", false},
		{"u:pw@h", "", false},
		{"nats://u:@h", "", false},
		{"nats://u:****@h", "", false},
		{"nats://u:$PASS@h", "", false},
	} {
		sp, ok := userinfoSpan(tc.u)
		got := ""
		if ok {
			got = tc.u[sp.start:sp.end]
		}
		if ok != tc.ok || got != tc.want {
			t.Errorf("userinfoSpan(%q) = %q %v, want %q %v", tc.u, got, ok, tc.want, tc.ok)
		}
	}
	// On a command line, without MaskPatterns: the flag's URL alone.
	if got := RedactCommandLine("nats-server --routes nats://ruser:rpass@h:6222 -p 4222"); got != "nats-server --routes nats://ruser:****@h:6222 -p 4222" {
		t.Errorf("RedactCommandLine = %q", got)
	}
}

// TestValuesInLineEverySeed: every seed of a line is a value to scrub, not
// only the first.
func TestValuesInLineEverySeed(t *testing.T) {
	s1 := "SU" + strings.Repeat("A", 50)
	s2 := "SA" + strings.Repeat("B", 50)
	got := ValuesInLine(s1 + " and " + s2)
	if len(got) != 2 || got[0] != s1 || got[1] != s2 {
		t.Errorf("ValuesInLine = %q, want both seeds", got)
	}
}

// TestValuesInLineEveryURL: every URL credential of a line is a value
// (userinfo passwords and bare tokens), not only the first of each kind
// (kills FindAllStringSubmatch(s, -1) turned into (s, +1) for urlUserinfo
// and urlToken, seed-3 survivors).
func TestValuesInLineEveryURL(t *testing.T) {
	got := ValuesInLine("routes: [nats://u1:Pw-0ne-aaaa@h1:6222, nats://u2:Pw-Tw0-bbbb@h2:6222] leaf: nats://T0ken-0ne-cccc@h3:7422 nats://T0ken-Tw0-dddd@h4:7422")
	for _, want := range []string{"Pw-0ne-aaaa", "Pw-Tw0-bbbb", "T0ken-0ne-cccc", "T0ken-Tw0-dddd"} {
		found := false
		for _, v := range got {
			found = found || v == want
		}
		if !found {
			t.Errorf("ValuesInLine = %q, want %s among them", got, want)
		}
	}
}

// TestWordBytesOfLetters: the letters at the ends of isWord's ranges are
// word bytes: 'z', 'a', 'Z', '9', and every byte of a non-ASCII letter,
// 0x80 (the second byte of Ā, U+0100) as much as 0xA1 (of á): a short
// value glued to any of them is inside a word, and not masked (kills
// isWord's `c <= 'z'` turned into `<`, a seed-3 survivor, and its
// `c >= 0x80` turned into `>`).
func TestWordBytesOfLetters(t *testing.T) {
	a, err := NewAnalyzer(Params{})
	if err != nil {
		t.Fatal(err)
	}
	const v = "Gl0-v4lue" // under longLen: masked as a whole word only
	a.Remember(v)
	if got := a.Redact("pass " + v + " end"); strings.Contains(got, v) {
		t.Fatalf("the value alone is not masked: %q", got)
	}
	for _, s := range []string{"á" + v, "Ā" + v, v + "z", "a" + v, v + "Z", v + "9"} {
		if got := a.Redact(s); got != s {
			t.Errorf("Redact(%q) = %q: the value is inside a word", s, got)
		}
	}
}
