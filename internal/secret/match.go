package secret

import (
	"sort"
	"strings"
)

// longLen is the length from which a remembered value is masked wherever it
// appears, even inside a longer word: a random value that long does not
// occur in text by chance. Shorter values (from minRedactLen) are masked
// only as whole words.
const longLen = 16

// isWord reports whether c joins a word: letters, digits, non-ASCII and the
// characters of paths and identifiers. Everything else (space, quotes,
// = : @ , ; brackets ...) separates words, so a value is found in
// "password: v", "--pass=v", "u:v@h" and "[\"v\"]" but not in
// "docker/v.key" or "nats-v".
func isWord(c byte) bool {
	return c >= 0x80 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '/' || c == '\\' || c == '~' || c == '+'
}

// entry is a value to find and its replacement.
type entry struct{ v, repl string }

// tokenMatcher replaces values found as whole words (see isWord), in one
// pass over the text whatever the number of values.
type tokenMatcher struct {
	// byFirst holds the values that start with a word character, by their
	// first word; bySep those that start with a separator, by that byte.
	// Longest first, so that a value containing another wins.
	byFirst map[string][]entry
	bySep   map[byte][]entry
}

func newTokenMatcher(es []entry) *tokenMatcher {
	m := &tokenMatcher{byFirst: map[string][]entry{}, bySep: map[byte][]entry{}}
	sort.SliceStable(es, func(i, j int) bool {
		if len(es[i].v) != len(es[j].v) {
			return len(es[i].v) > len(es[j].v)
		}
		return es[i].v < es[j].v
	})
	for _, e := range es {
		if e.v == "" {
			continue
		}
		if !isWord(e.v[0]) {
			m.bySep[e.v[0]] = append(m.bySep[e.v[0]], e)
			continue
		}
		j := 0
		for j < len(e.v) && isWord(e.v[j]) {
			j++
		}
		m.byFirst[e.v[:j]] = append(m.byFirst[e.v[:j]], e)
	}
	return m
}

func (m *tokenMatcher) empty() bool {
	return m == nil || len(m.byFirst) == 0 && len(m.bySep) == 0
}

// rightBoundary reports whether a value ending at end (whose last byte is
// last) ends a word of s: at the end, before a separator, or before a
// sentence's full stop.
func rightBoundary(s string, end int, last byte) bool {
	if end >= len(s) || !isWord(last) || !isWord(s[end]) {
		return true
	}
	return s[end] == '.' && (end+1 == len(s) || !isWord(s[end+1]))
}

// first returns the longest candidate that is at s[i:] and ends a word.
func first(s string, i int, cands []entry) (entry, bool) {
	for _, e := range cands {
		if strings.HasPrefix(s[i:], e.v) && rightBoundary(s, i+len(e.v), e.v[len(e.v)-1]) {
			return e, true
		}
	}
	return entry{}, false
}

// replace replaces every value found as a whole word in s.
func (m *tokenMatcher) replace(s string) string {
	if m.empty() {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		var e entry
		found := false
		next := i + 1
		if isWord(s[i]) {
			j := i
			for j < len(s) && isWord(s[j]) {
				j++
			}
			next = j
			w := s[i:j]
			e, found = first(s, i, m.byFirst[w])
			if !found && strings.HasSuffix(w, ".") {
				e, found = first(s, i, m.byFirst[strings.TrimRight(w, ".")])
			}
		} else if cands := m.bySep[s[i]]; len(cands) > 0 {
			e, found = first(s, i, cands)
		}
		if !found {
			i = next
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(e.repl)
		i += len(e.v)
		last = i
		// A match that ended inside a word (before a full stop) resumes
		// at the next word.
		for i < len(s) && i > 0 && isWord(s[i-1]) && isWord(s[i]) {
			i++
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
