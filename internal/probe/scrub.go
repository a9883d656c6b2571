package probe

import "github.com/natsaudit/natsaudit/internal/secret"

// A server's documents are input like any file: a hostile or misconfigured
// server may echo credentials back (user:pw@ in /varz cluster, gateway and
// leafnode URLs, /routez, /leafz remote URLs, /connz), or be named with an
// nkey seed. They are masked by their shape, whatever their length, as
// each document is decoded (strings and object keys, jsondoc.go), so that no report,
// message or --inventory can carry them.

// scrubString masks the credentials in one string of a document.
func scrubString(s string) string { return secret.MaskPatterns(s) }
