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
	secretKV    = regexp.MustCompile(`(?i)((?:^|[\s{,;"'(-])(?:[a-z0-9_]*(?:pass(?:word|wd)?|token|secret|seed|encryption_key|private_key|api_key|auth)[a-z0-9_]*|key|ek|prev_key|prev_ek|nkey|pwd)["']?\s*(?:[:=]|\s)\s*)("[^"\n]*"|'[^'\n]*'|[^\s,;}\]#]+)`)
	urlUserinfo = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://[^/@:\s]+:)([^/@\s]+)(@)`)
	pemBlock    = regexp.MustCompile(`(?s)-----BEGIN ([A-Z ]*PRIVATE KEY)-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)`)
	jwtRe       = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)
)

// RedactLine masks secrets in a line of a config file, YAML, .env or an
// error message, by structure: secret-named keys, URL passwords, nkey seeds,
// private keys and JWTs. It does not need to know the values.
func RedactLine(s string) string {
	s = pemBlock.ReplaceAllString(s, "-----BEGIN $1----- "+Mask)
	s = NkeySeedAnywhere.ReplaceAllString(s, Mask)
	s = jwtRe.ReplaceAllString(s, Mask)
	s = urlUserinfo.ReplaceAllString(s, "${1}"+Mask+"${3}")
	s = secretKV.ReplaceAllStringFunc(s, func(m string) string {
		sub := secretKV.FindStringSubmatch(m)
		val := sub[2]
		// A reference to a variable is not a secret: keep it so the reader can
		// see where the value comes from.
		if strings.HasPrefix(strings.Trim(val, `"'`), "$") && !strings.HasPrefix(strings.Trim(val, `"'`), "$2") {
			return m
		}
		if val == Mask || strings.Trim(val, `"'`) == Mask {
			return m
		}
		q := ""
		if strings.HasPrefix(val, `"`) || strings.HasPrefix(val, `'`) {
			q = val[:1]
		}
		return sub[1] + q + Mask + q
	})
	return s
}

// Redact masks every remembered secret value. Use it on anything that leaves
// the process (with RedactLine where the text may quote a secret that was
// never remembered, such as a line of a file that did not parse).
func (a *Analyzer) Redact(s string) string {
	if a == nil {
		return s
	}
	return a.maskAll().Replace(s)
}

// maskAll returns a replacer of every remembered value by Mask. Values are
// given longest first, and at each position the first matching value in
// that order wins: a secret that contains another is replaced whole.
func (a *Analyzer) maskAll() *strings.Replacer {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.replacer == nil {
		vs := a.sortedLocked()
		pairs := make([]string, 0, 2*len(vs))
		for _, v := range vs {
			pairs = append(pairs, v, Mask)
		}
		a.replacer = strings.NewReplacer(pairs...)
	}
	return a.replacer
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
	for _, m := range NkeySeedAnywhere.FindAllString(s, -1) {
		add(m)
	}
	for _, m := range jwtRe.FindAllString(s, -1) {
		add(m)
	}
	for _, m := range urlUserinfo.FindAllStringSubmatch(s, -1) {
		add(m[2])
	}
	for _, m := range secretKV.FindAllStringSubmatch(s, -1) {
		v := strings.Trim(m[2], `"'`)
		if strings.HasPrefix(v, "$") && !strings.HasPrefix(v, "$2") {
			continue // a variable reference
		}
		add(m[2])
	}
	return out
}
