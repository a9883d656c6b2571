package secret

import (
	"strconv"
	"strings"
)

// matchers returns the replacer of the long remembered values and the
// whole-word matcher of the short ones, built once per set of values.
func (a *Analyzer) matchers() (*strings.Replacer, *tokenMatcher) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.long == nil {
		vs := a.sortedLocked()
		var pairs []string
		var short []entry
		for _, v := range vs {
			if len(v) >= longLen {
				pairs = append(pairs, v, Mask)
			} else {
				short = append(short, entry{v, Mask})
			}
		}
		a.long = strings.NewReplacer(pairs...)
		a.short = newTokenMatcher(short)
	}
	return a.long, a.short
}

func lineKey(file string, line int) string { return file + "\x00" + strconv.Itoa(line) }

// RememberAt records v as a secret written at line of file, whatever its
// length: RedactAt masks it in that line, where it is certainly the secret.
// (Remember ignores short values, which would mask ordinary words
// everywhere else.) v is remembered for the whole output too when it is
// long enough.
func (a *Analyzer) RememberAt(file string, line int, v string) {
	if a == nil {
		return
	}
	a.Remember(v)
	a.MaskAt(file, line, v)
}

// MaskAt records v as a value to mask in the line of file where it is
// written, and nowhere else: nats-server hides a --user name on its command
// line, but a user name is no secret elsewhere.
func (a *Analyzer) MaskAt(file string, line int, v string) {
	if a == nil {
		return
	}
	v = strings.TrimSpace(v)
	if v == "" || v == Mask || file == "" || line <= 0 {
		return
	}
	k := lineKey(file, line)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, x := range a.located[k] {
		if x == v {
			return
		}
	}
	a.located[k] = append(a.located[k], v)
}

// RedactAt masks, as whole words, the values remembered at line of file by
// RememberAt, in s (that line, or a part of it).
func (a *Analyzer) RedactAt(file string, line int, s string) string {
	if a == nil {
		return s
	}
	a.mu.Lock()
	vs := a.located[lineKey(file, line)]
	a.mu.Unlock()
	if len(vs) == 0 {
		return s
	}
	es := make([]entry, 0, len(vs))
	for _, v := range vs {
		es = append(es, entry{v, Mask})
	}
	return newTokenMatcher(es).replace(s)
}

// Taint records v, a value of the input that reaches the tool's messages (a
// server, stream or user name, a URL, a config value), when it holds a
// secret: RedactText then masks v where a message quotes it. It reports
// whether v holds one.
func (a *Analyzer) Taint(v string) bool {
	if a == nil || v == "" {
		return false
	}
	r := a.Redact(v)
	if r == v {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.tainted[v]; !ok {
		a.tainted[v] = r
		a.taint = nil
	}
	return true
}

// RedactText masks secrets in text that mixes the tool's own words with
// values from the input: a rule's message, a note. It masks what is a
// secret by its shape, the remembered values of longLen or more anywhere,
// and the input values that hold a shorter secret (see Taint) where the
// text quotes them, but never a word of the tool: a password "server" or
// "results" does not turn "server nats-1" into "**** nats-1".
func (a *Analyzer) RedactText(s string) string {
	if a == nil {
		return MaskPatterns(s)
	}
	long, _ := a.matchers()
	return MaskPatterns(long.Replace(a.taintMatcher().replace(s)))
}

func (a *Analyzer) taintMatcher() *tokenMatcher {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.taint == nil {
		es := make([]entry, 0, 2*len(a.tainted))
		for v, r := range a.tainted {
			es = append(es, entry{v, r})
			// Messages quote names with %q: the escaped form too.
			if q := strconv.Quote(v); q[1:len(q)-1] != v {
				es = append(es, entry{q[1 : len(q)-1], r})
			}
		}
		a.taint = newTokenMatcher(es)
	}
	return a.taint
}
