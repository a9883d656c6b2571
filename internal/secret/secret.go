// Package secret turns secret values into facts (model.Secret) and keeps the
// values only in memory, so that every output can be scrubbed of them.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/nats-io/nkeys"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Params are the credential parameters from rules/data (overridable by users).
type Params struct {
	Placeholders      []string `json:"placeholders"`
	PlaceholderRegexp []string `json:"placeholder_patterns"`
	KnownBcryptHashes []string `json:"known_bcrypt_hashes"`
	// TemplatePlaceholders are the dictionary words that are templates
	// (meant to be replaced); every placeholder pattern is one too.
	TemplatePlaceholders []string `json:"template_placeholders"`
}

var (
	bcryptRe   = regexp.MustCompile(`^\$2[abxy]\$\d{2}\$.{53}$`)
	nkeySeedRe = regexp.MustCompile(`^S[UAONCXP][A-Z2-7]{50,}$`)
	// NkeySeedAnywhere finds seeds inside longer text: an S[UAONCXP]
	// token that does not continue a base32 word (group 2; group 1 is what
	// precedes it). A public key such as an account's A… ID may hold "SA"
	// followed by 50 base32 characters; that is not a seed, and masking it
	// broke every request that names the account.
	NkeySeedAnywhere = regexp.MustCompile(`(^|[^A-Z2-7])(S[UAONCXP][A-Z2-7]{50,})`)
	urlCredsRe       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]+:[^/@\s]+@`)
	privateKeyRe     = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`)
)

// IsBcrypt reports whether v is a bcrypt hash as nats-server recognises them.
func IsBcrypt(v string) bool { return bcryptRe.MatchString(v) }

// IsNkeySeed reports whether v is an nkey seed (a private key).
func IsNkeySeed(v string) bool { return nkeySeedRe.MatchString(v) }

// HasURLCredentials reports whether v is a URL with user:password@.
func HasURLCredentials(v string) bool { return urlCredsRe.MatchString(v) }

// IsPrivateKeyPEM reports whether v contains a PEM private key.
func IsPrivateKeyPEM(v string) bool { return privateKeyRe.MatchString(v) }

// Analyzer describes secrets and remembers them for redaction. One per run;
// safe for concurrent use.
type Analyzer struct {
	placeholders map[string]bool
	templates    map[string]bool
	patterns     []*regexp.Regexp
	knownHashes  map[string]bool
	key          []byte

	mu     sync.Mutex
	values map[string]bool
	// sorted is values in Values' order, built on demand and dropped when
	// Remember adds a value: Redact runs for every finding and output, and
	// sorting every remembered secret each time made a large repo's scan
	// quadratic (docs/performance.md). A built slice is never modified.
	sorted []string
	// long masks the values of longLen or more in one pass, wherever they
	// are, and short the others as whole words, both built with sorted:
	// Redact then costs the length of its text, not the number of secrets
	// (16,000 users with passwords made the per-finding loop take minutes).
	long  *strings.Replacer
	short *tokenMatcher
	// located are values known to be secrets at a line of a file, of any
	// length (a 4-character --pass): snippets of that line mask them.
	located map[string][]string
	// tainted are values of the inventory that hold a secret, with their
	// masked form: RedactText masks them in the tool's messages without
	// touching the tool's own words.
	tainted map[string]string
	taint   *tokenMatcher
}

// NewAnalyzer builds an Analyzer; invalid patterns are reported as an error.
func NewAnalyzer(p Params) (*Analyzer, error) {
	a := &Analyzer{
		placeholders: map[string]bool{},
		templates:    map[string]bool{},
		knownHashes:  map[string]bool{},
		values:       map[string]bool{},
		located:      map[string][]string{},
		tainted:      map[string]string{},
		key:          make([]byte, 32),
	}
	if _, err := rand.Read(a.key); err != nil {
		return nil, err
	}
	for _, w := range p.Placeholders {
		a.placeholders[strings.ToLower(strings.TrimSpace(w))] = true
	}
	for _, w := range p.TemplatePlaceholders {
		w = strings.ToLower(strings.TrimSpace(w))
		a.templates[w] = true
		a.placeholders[w] = true
	}
	for _, s := range p.PlaceholderRegexp {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, err
		}
		a.patterns = append(a.patterns, re)
	}
	for _, h := range p.KnownBcryptHashes {
		a.knownHashes[h] = true
	}
	return a, nil
}

// IsPlaceholder reports whether v is a known default or placeholder value.
func (a *Analyzer) IsPlaceholder(v string) bool {
	t := strings.TrimSpace(v)
	if t == "" {
		return false
	}
	if a.placeholders[strings.ToLower(t)] {
		return true
	}
	for _, re := range a.patterns {
		if re.MatchString(t) {
			return true
		}
	}
	return false
}

// IsTemplate reports whether v is a template placeholder, meant to be
// replaced before use (xxxx, <password>, changeme, your-password-here):
// a template word of the dictionary, or any placeholder pattern.
func (a *Analyzer) IsTemplate(v string) bool {
	t := strings.TrimSpace(v)
	if t == "" {
		return false
	}
	if a.templates[strings.ToLower(t)] {
		return true
	}
	for _, re := range a.patterns {
		if re.MatchString(t) {
			return true
		}
	}
	return false
}

// IsPublicNkey reports whether v is an nkey public key (server, cluster,
// operator, account, user or curve key, with a valid checksum): it
// identifies, it is not a secret.
func IsPublicNkey(v string) bool {
	v = strings.TrimSpace(v)
	return len(v) == 56 && nkeys.IsValidPublicKey(v)
}

// pathValueRe is a value that names a file: absolute, relative to the
// directory or the home directory, made of path characters only (a
// password with a leading slash has others).
var pathValueRe = regexp.MustCompile(`^(/|\./|\.\./|~/)[A-Za-z0-9._/@:-]*$`)

// keyFileRe is a file name of the kind secrets are kept in.
var keyFileRe = regexp.MustCompile(`^[A-Za-z0-9._/-]+\.(creds|nk|seed|jwt|pem|key|crt)$`)

// LooksLikePath reports whether v is a file path rather than a secret.
func LooksLikePath(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && (pathValueRe.MatchString(v) || keyFileRe.MatchString(v))
}

// Remember records v as a secret value to scrub from all output.
func (a *Analyzer) Remember(v string) {
	v = strings.TrimSpace(v)
	if len(v) < minRedactLen {
		return
	}
	// Dictionary defaults ("changeme", "MUST_SET_IN_PRODUCTION") are public
	// words that rule descriptions name; masking them everywhere would garble
	// that text and hide nothing. Where they stand as a value (a snippet,
	// an error quoting a line) they are still masked by structure.
	if a.placeholders[strings.ToLower(v)] {
		return
	}
	a.mu.Lock()
	if !a.values[v] {
		a.values[v] = true
		a.sorted, a.long, a.short = nil, nil, nil
	}
	a.mu.Unlock()
}

// minRedactLen keeps redaction-by-value from mangling ordinary words: shorter
// secrets are dictionary words at best, and are still masked structurally.
const minRedactLen = 6

// Describe returns the facts about a literal secret value and remembers it.
func (a *Analyzer) Describe(v string) *model.Secret {
	a.Remember(v)
	return a.Facts(v)
}

// Facts returns the facts about a value without remembering it as a secret.
func (a *Analyzer) Facts(v string) *model.Secret {
	s := &model.Secret{
		Secret:  true,
		Origin:  "literal",
		Empty:   strings.TrimSpace(v) == "",
		Length:  len([]rune(v)),
		Entropy: round2(entropy(v)),
		Digest:  a.digest(v),
	}
	switch {
	case IsBcrypt(v):
		s.Bcrypt = true
		s.KnownHash = a.knownHashes[v]
		s.Placeholder = s.KnownHash
	default:
		s.Placeholder = a.IsPlaceholder(v)
	}
	s.Template = !s.Bcrypt && a.IsTemplate(v)
	s.PublicKey = IsPublicNkey(v)
	s.NkeySeed = IsNkeySeed(strings.TrimSpace(v))
	s.URLCreds = HasURLCredentials(v)
	s.PrivateKey = IsPrivateKeyPEM(v)
	return s
}

// Unresolved returns the facts for a reference to an environment variable whose
// value is not in the repository.
func (a *Analyzer) Unresolved(name string) *model.Secret {
	return &model.Secret{Secret: true, Origin: "env", EnvVar: name}
}

// FromEnv describes a value that came from environment variable name, resolved
// from file (a .env or compose file).
func (a *Analyzer) FromEnv(name, value, file string) *model.Secret {
	s := a.Describe(value)
	s.Origin = "env"
	s.EnvVar = name
	s.Resolved = true
	s.ResolvedFrom = file
	return s
}

// Digest returns the keyed hash of v without remembering v as a secret.
func (a *Analyzer) Digest(v string) string { return a.digest(v) }

func (a *Analyzer) digest(v string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// Values returns the remembered secrets, longest first (so that a secret that
// contains another is replaced whole).
func (a *Analyzer) Values() []string {
	return append([]string(nil), a.sortedValues()...)
}

// sortedValues is Values without the copy, for Redact: the slice is shared
// and must not be modified.
func (a *Analyzer) sortedValues() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sortedLocked()
}

// sortedLocked is sortedValues with a.mu held.
func (a *Analyzer) sortedLocked() []string {
	if a.sorted != nil || len(a.values) == 0 {
		return a.sorted
	}
	out := make([]string, 0, len(a.values))
	for v := range a.values {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	a.sorted = out
	return out
}

func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	var h float64
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

var secretNameRe = regexp.MustCompile(`(?i)(pass|pwd|secret|token|seed|private|cred|auth|key)`)

// IsSecretName reports whether an environment variable name suggests a secret.
func IsSecretName(name string) bool { return secretNameRe.MatchString(name) }

// pathNameRe matches variables that hold a path (NATS_CREDS_FILE,
// NKEY_SEED_PATH, CERTS_DIR): their value names where a secret is, it is
// not one.
var pathNameRe = regexp.MustCompile(`(?i)_(file|files|path|dir)$`)

// IsPathName reports whether an environment variable name says it holds a
// path.
func IsPathName(name string) bool { return pathNameRe.MatchString(name) }

// EnvFacts describes the value of environment variable name, defined in file.
// Secret-named values (and seeds, keys) are remembered for redaction; others
// only have their URL passwords remembered. A path in a variable named like
// a path (NATS_CREDS_FILE) is not remembered: masking it by value would
// rewrite the paths of the report.
func (a *Analyzer) EnvFacts(name, value, file string) *model.Secret {
	var s *model.Secret
	isPath := IsPathName(name) || LooksLikePath(value)
	if IsSecretName(name) && !isPath || IsNkeySeed(strings.TrimSpace(value)) || IsPrivateKeyPEM(value) {
		s = a.Describe(value)
	} else {
		s = a.Facts(value)
	}
	// A path names where a secret is (its file is judged on its own); an
	// empty path-named variable is "not set", never an empty password.
	s.Path = isPath && !s.NkeySeed && !s.PrivateKey
	if m := urlPassRe.FindStringSubmatch(value); m != nil {
		a.Remember(m[1])
	}
	if u, ok := a.URLFacts(value); ok {
		s = u
	}
	s.ResolvedFrom = file
	s.Resolved = true
	return s
}

var urlPassRe = regexp.MustCompile(`://[^/@:\s]+:([^/@\s]+)@`)

// urlPartsRe splits the first URL with user:password@ in a value (a list
// of server URLs is judged by its first one that has credentials).
var urlPartsRe = regexp.MustCompile(`(?i)(?:^|[\s,;"'=])([a-z][a-z0-9+.-]*)://([^/@:\s,]+):([^/@\s,]+)@`)

// natsSchemes are the URL schemes NATS clients connect with.
var natsSchemes = map[string]bool{"nats": true, "tls": true, "ws": true, "wss": true, "nats-leaf": true}

// URLCredentials returns the scheme, user and password of the first URL
// with user:password@ in v. A password that is a variable reference
// ($PASS, ${PASS}) is not a credential.
func URLCredentials(v string) (scheme, user, pass string, ok bool) {
	m := urlPartsRe.FindStringSubmatch(v)
	if m == nil || strings.HasPrefix(m[3], "$") || strings.Contains(m[3], "${") {
		return "", "", "", false
	}
	return strings.ToLower(m[1]), m[2], m[3], true
}

// IsNATSScheme reports whether a URL scheme is one NATS clients use.
func IsNATSScheme(scheme string) bool { return natsSchemes[strings.ToLower(scheme)] }

// URLFacts describes the password of the first URL with credentials in v
// (remembered for redaction): placeholder, template, length and entropy
// are the password's, equals_user compares it with the URL's user.
func (a *Analyzer) URLFacts(v string) (*model.Secret, bool) {
	scheme, user, pass, ok := URLCredentials(v)
	if !ok {
		return nil, false
	}
	s := a.Describe(pass)
	s.URLCreds = true
	s.NATSURL = IsNATSScheme(scheme)
	s.EqualsUser = user == pass
	s.Path = false
	return s, true
}
