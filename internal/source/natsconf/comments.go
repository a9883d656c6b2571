package natsconf

import (
	"bytes"

	"github.com/natsaudit/natsaudit/internal/secret"
)

// CommentSeeds returns the lines (1-based) where an nkey seed is written in
// a comment of a config (`# issuer seed: SAAE...`): a private key committed
// with the file, which no value of the parsed config shows. Seeds in values
// are secrets of the config (NATS-CRED-005) and are not listed here.
func CommentSeeds(data []byte) []int {
	var out []int
	line := 0
	for len(data) > 0 {
		line++
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		c := commentStart(l)
		if c < 0 || len(l)-c < 52 {
			continue
		}
		if secret.NkeySeedAnywhere.Match(l[c:]) {
			out = append(out, line)
		}
	}
	return out
}

// commentStart is the offset of the comment on a config line (# or //
// outside a quoted string), or -1.
func commentStart(l []byte) int {
	var quote byte
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return i
		case c == '/' && i+1 < len(l) && l[i+1] == '/':
			return i
		}
	}
	return -1
}
