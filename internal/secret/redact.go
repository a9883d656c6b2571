package secret

import (
	"regexp"
	"strings"
)

// Mask replaces a secret in output.
const Mask = "****"

var (
	// key = value pairs whose value is a secret, in nats.conf, YAML, .env and
	// command lines.
	secretKV = regexp.MustCompile(`(?i)((?:^|[\s{,;"'(-])(?:[a-z0-9_]*(?:pass(?:word|wd)?|token|secret|seed|encryption_key|private_key|api_key|auth)[a-z0-9_]*|key|ek|prev_key|prev_ek|nkey|pwd)["']?\s*(?:[:=]|\s)\s*)("[^"\n]*"|'[^'\n]*'|[^\s,;}\]#]+)`)
	// urlUserinfo is the password of scheme://user:password@ (the user may
	// be empty), of any length.
	urlUserinfo = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://[^/@:\s]*:)([^/@\s]+)(@)`)
	// urlToken is the bare userinfo of a NATS URL (nats://token@host): the
	// NATS clients send it as a token.
	urlToken = regexp.MustCompile(`(?i)((?:^|[^a-z0-9+.-])(?:nats|tls|ws|wss|nats-leaf|leafnode)://)([^/@:\s]+)(@)`)
	// pemBlock runs to the END line, or to the end of the text or a quote
	// (a cut-off key in a snippet; a quoted string holding one).
	pemBlock = regexp.MustCompile(`(?s)-----BEGIN ([A-Z ]*PRIVATE KEY)-----[^"]*?(-----END [A-Z ]*PRIVATE KEY-----|$|")`)
	jwtRe    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)
)

// MaskPatterns masks what is a secret by its shape, in any text: private
// keys, nkey seeds, JWTs, and the credentials of URLs (user:password@ and
// NATS tokens, whatever their length). None of these shapes can be an
// ordinary word, so it is safe on the tool's own messages too.
func MaskPatterns(s string) string {
	if strings.Contains(s, "-----BEGIN") {
		s = pemBlock.ReplaceAllStringFunc(s, func(m string) string {
			sub := pemBlock.FindStringSubmatch(m)
			end := ""
			if sub[2] == `"` {
				end = `"`
			}
			return "-----BEGIN " + sub[1] + "----- " + Mask + end
		})
	}
	if mayHoldSeed(s) {
		s = NkeySeedAnywhere.ReplaceAllString(s, "${1}"+Mask)
	}
	if strings.Contains(s, "eyJ") {
		s = jwtRe.ReplaceAllString(s, Mask)
	}
	// Both URL patterns end in '@'.
	if strings.Contains(s, "://") && strings.Contains(s, "@") {
		s = urlUserinfo.ReplaceAllString(s, "${1}"+Mask+"${3}")
		s = urlToken.ReplaceAllString(s, "${1}"+Mask+"${3}")
	}
	return s
}

// mayHoldSeed reports whether s has a run of 52 or more characters of the
// base32 alphabet [A-Z2-7], which every match of NkeySeedAnywhere is (S, a
// prefix letter and 50 more): most text has none, and this scan costs a
// fraction of the regular expression (it was most of the time resolving
// and rendering findings spent masking).
func mayHoldSeed(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= '2' && c <= '7' {
			if run++; run >= 52 {
				return true
			}
			continue
		}
		run = 0
	}
	return false
}

// RedactPath masks what must never be printed in a file path or another
// name: nkey seeds and JWTs (a seed used as a file name). Nothing else: a
// path component that happens to equal a password stays, or the finding
// would point nowhere.
func RedactPath(s string) string {
	if mayHoldSeed(s) {
		s = NkeySeedAnywhere.ReplaceAllString(s, "${1}"+Mask)
	}
	if strings.Contains(s, "eyJ") {
		s = jwtRe.ReplaceAllString(s, Mask)
	}
	return s
}

// RedactPath is the package's RedactPath, for the report's Redactor.
func (a *Analyzer) RedactPath(s string) string { return RedactPath(s) }

// RedactLine masks secrets in a line of a config file, YAML, .env, a
// command line or an error message, by structure: secret-named keys, the
// values nats-server flags take as secrets (--pass, --auth, --user, the
// userinfo of --routes/--cluster URLs) in every compose form, URL
// passwords, nkey seeds, private keys and JWTs. It does not need to know
// the values.
// refDefault is the default of a shell-style reference: ${VAR:-x},
// ${VAR-x}, ${VAR:=x}, ${VAR=x}.
var refDefault = regexp.MustCompile(`(\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=])([^}"']+)(\}?)`)

func RedactLine(s string) string {
	s = MaskPatterns(s)
	s = secretKV.ReplaceAllStringFunc(s, func(m string) string {
		sub := secretKV.FindStringSubmatch(m)
		val := sub[2]
		// A reference to a variable is not a secret: keep it so the reader can
		// see where the value comes from. Its default (${VAR:-default}) is a
		// value in a secret position like any other: masked, placeholder or
		// not, so that one policy holds everywhere (docs/reports.md,
		// "Redaction").
		if isReference(strings.Trim(val, `"'`)) {
			return sub[1] + refDefault.ReplaceAllString(val, "${1}"+Mask+"${3}")
		}
		// A block ("authorization {") is not a value.
		if val == Mask || strings.Trim(val, `"'`) == Mask || val == "{" || val == "[" {
			return m
		}
		if strings.HasPrefix(val, `"`) || strings.HasPrefix(val, `'`) {
			return sub[1] + val[:1] + Mask + val[:1]
		}
		// "--pass=x" in a list: the quote that closes the string stays.
		if n := len(val); n > 1 && (val[n-1] == '"' || val[n-1] == '\'') {
			return sub[1] + Mask + val[n-1:]
		}
		return sub[1] + Mask
	})
	return RedactCommandLine(s)
}

// Redact masks every remembered secret value, and what is a secret by its
// shape (MaskPatterns). Use it on text that is a value from the input (a
// line of a file, a name, a parser's message): values of 16 characters or
// more are masked wherever they appear; shorter ones only where they stand
// as a whole word, so that a password "docker" never turns
// docker/ssl/server.key into ****/ssl/server.key. Use RedactText on text
// that mixes the tool's words with values.
func (a *Analyzer) Redact(s string) string {
	if a == nil {
		return MaskPatterns(s)
	}
	long, short := a.matchers()
	return MaskPatterns(short.replace(long.Replace(s)))
}

// ValuesInLine returns the secret values RedactLine would mask in s (quotes
// removed), so that a message quoting part of s can be scrubbed of them
// even when it quotes the value without its key.
func ValuesInLine(s string) []string {
	var out []string
	add := func(v string) {
		if v = strings.TrimSpace(strings.Trim(v, `"'`)); v != "" && v != Mask {
			out = append(out, v)
		}
	}
	for _, m := range pemBlock.FindAllString(s, -1) {
		add(m)
	}
	for _, m := range NkeySeedAnywhere.FindAllStringSubmatch(s, -1) {
		add(m[2])
	}
	for _, m := range jwtRe.FindAllString(s, -1) {
		add(m)
	}
	for _, m := range urlUserinfo.FindAllStringSubmatch(s, -1) {
		add(m[2])
	}
	for _, m := range urlToken.FindAllStringSubmatch(s, -1) {
		add(m[2])
	}
	for _, m := range secretKV.FindAllStringSubmatch(s, -1) {
		if isReference(strings.Trim(m[2], `"'`)) || m[2] == "{" || m[2] == "[" {
			continue // a variable reference, a block
		}
		add(m[2])
	}
	sp, _ := commandSpans(s, NotSecret)
	for _, x := range sp {
		add(s[x.start:x.end])
	}
	return out
}
