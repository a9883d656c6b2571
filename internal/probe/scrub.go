package probe

import "github.com/natsaudit/natsaudit/internal/secret"

// A server's documents are input like any file: a hostile or misconfigured
// server may echo credentials back (user:pw@ in /varz cluster, gateway and
// leafnode URLs, /routez, /leafz remote URLs, /connz), or be named with an
// nkey seed. They are masked by their shape, whatever their length, as
// each decoded document enters the model (normalize), so that no report,
// message or --inventory can carry them.

// scrubString masks the credentials in one string of a document.
func scrubString(s string) string { return secret.MaskPatterns(s) }

// scrubKeys masks credentials in the keys of one object of a document (a
// map keyed by URL, such as a gateway's remotes).
func scrubKeys(m map[string]any) {
	var renamed []string
	for k := range m {
		if secret.MaskPatterns(k) != k {
			renamed = append(renamed, k)
		}
	}
	for _, k := range renamed {
		v := m[k]
		delete(m, k)
		m[secret.MaskPatterns(k)] = v
	}
}
