package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// fileDigests sets the report's provenance of its inputs: for every file
// it lists as read, the SHA-256 of its bytes, or "withheld" when the
// inventory knows the file holds a secret (scan.file_digests, in the
// order of scan.files), and the digest of the hashed list
// (scan.files_sha256, what `sha256sum FILE... | sha256sum` prints from the
// project root for the files that have one).
//
// Why withheld: the digest of a file whose content is known but for a
// secret (a committed nats.conf around a short password, a .env file) is a
// guessing oracle — hash the file with each candidate password until the
// digest matches. Which files hold a secret is decided from the
// inventory's facts (secretFiles), never from what the masker happens to
// remember: a password the masker does not know is still a password.
//
// A file the walk read is hashed from the bytes the sources parsed; one a
// source read itself (an include, a mounted certificate, a Helm values
// file) is read again through the same confinement (discover.Result.All),
// and one that cannot be is listed without a digest.
func fileDigests(rep *report.Report, inv *model.Inventory, d *discover.Result, maxSize int64) {
	secrets := secretFiles(inv)
	unparsed := map[string]bool{}
	for _, e := range inv.Errors {
		unparsed[e.File] = true
	}
	data := make(map[string][]byte, len(d.Files))
	for _, f := range d.Files {
		data[f.Rel] = f.Data
	}
	out := make([]report.FileDigest, 0, len(rep.Scan.Files))
	for _, p := range rep.Scan.Files {
		fd := report.FileDigest{Path: p}
		b, ok := data[p]
		if !ok && !secrets[p] {
			real, found := d.All[p]
			if found {
				var err error
				b, err = discover.ReadRegular(real, maxSize)
				ok = err == nil
			}
		}
		switch {
		case secrets[p] || ok && contentSecret(b):
			fd.Withheld = report.WithheldSecret
		case unparsed[p]:
			fd.Withheld = report.WithheldUnparsed
		case ok:
			s := sha256.Sum256(b)
			fd.SHA256 = hex.EncodeToString(s[:])
		default:
			fd.Withheld = report.WithheldUnread
		}
		out = append(out, fd)
	}
	rep.Scan.FileDigests = out
	rep.Scan.FilesSHA256 = report.FilesDigest(out)
}

// secretFiles are the files the inventory knows hold a secret value:
// a server config's password, token, nkey seed or key (a literal, or a
// config variable: every file of that server's config, since the variable
// may be defined in any of them), the file a ${VAR} reference was resolved
// from, a deployment's flags and environment, .env variables that hold a
// secret, committed credentials (URLs, contexts, scripts), Kubernetes
// Secrets and Helm values that embed credentials, private keys, .creds
// and nkey seed files. An empty value, a file path and an nkey public key
// are not secrets.
func secretFiles(inv *model.Inventory) map[string]bool {
	out := map[string]bool{}
	mark := func(f string) {
		if f != "" {
			out[f] = true
		}
	}
	// Variables that hold a secret wherever they are defined: named like
	// one, read by a config as a password, or passed on by a secret-named
	// environment entry (PASS: ${DB}).
	secretVars := map[string]bool{}
	for _, s := range inv.Servers {
		walkSecrets(s.Config, "config", func(_ string, v *model.Secret) {
			if v.EnvVar != "" {
				secretVars[v.EnvVar] = true
			}
		})
		if dep := s.Deployment; dep != nil {
			for name, e := range dep.Environment {
				if v, ok := e.(*model.Secret); ok && v.EnvVar != "" && secretName(name) {
					secretVars[v.EnvVar] = true
				}
			}
		}
	}
	envSecret := func(name string, v *model.Secret) bool {
		return holdsSecret(v) && (secretName(name) || secretVars[name] || v.NkeySeed || v.PrivateKey || v.URLCreds)
	}
	for _, s := range inv.Servers {
		walkSecrets(s.Config, "config", func(path string, v *model.Secret) {
			if !holdsSecret(v) {
				return
			}
			switch {
			case v.Origin == "env":
				mark(v.ResolvedFrom)
			case v.Origin == "variable":
				// A config variable may be defined in any of the
				// server's files: every one of them.
				mark(s.ConfigFile)
				for _, l := range s.Locs {
					mark(l.File)
				}
			case !s.Locs[path].Valid():
				// Not located: its config file, if it has one (an
				// image's or a chart's default is in no file of the
				// repository).
				mark(s.ConfigFile)
			default:
				mark(s.Locs[path].File)
			}
		})
		if dep := s.Deployment; dep != nil {
			walkSecrets(dep.Flags, "flags", func(_ string, v *model.Secret) {
				if holdsSecret(v) {
					mark(dep.File)
					mark(v.ResolvedFrom)
				}
			})
			for name, e := range dep.Environment {
				if v, ok := e.(*model.Secret); ok && envSecret(name, v) {
					mark(v.ResolvedFrom)
					if v.ResolvedFrom == "" {
						mark(dep.File)
					}
				}
			}
		}
		for _, c := range s.Certs {
			mark(c.KeyFile)
		}
	}
	for _, ef := range inv.EnvFiles {
		for name, v := range ef.Vars {
			if v != nil && envSecret(name, v.Facts) {
				mark(ef.File)
			}
		}
	}
	for _, c := range inv.Credentials {
		if c.Facts == nil || holdsSecret(c.Facts) {
			mark(c.File)
		}
	}
	for _, ks := range inv.KubeSecrets {
		for _, v := range ks.Keys {
			if v == nil || holdsSecret(v) {
				mark(ks.File)
			}
		}
	}
	for _, f := range inv.Files {
		switch f.Kind {
		case "private_key", "creds", "nkey_seed":
			mark(f.Path)
		}
	}
	return out
}

// secretName: an environment variable named like a secret and not like a
// path to one (secret.IsSecretName, as the sources decide it).
func secretName(name string) bool {
	return secret.IsSecretName(name) && !secret.IsPathName(name)
}

// holdsSecret: the facts describe a value whose digest could be guessed
// — not empty, not a path to one, not an nkey public key, not a bcrypt
// hash of its own (its random salt makes the file unguessable; a hash
// published in the NATS docs is not).
func holdsSecret(s *model.Secret) bool {
	return s != nil && !s.Empty && !s.Path && !s.PublicKey && (!s.Bcrypt || s.KnownHash)
}

// walkSecrets calls fn for every Secret in a config tree with its path as
// the inventory's locations key it ("config/authorization/users/0/password").
func walkSecrets(v any, path string, fn func(string, *model.Secret)) {
	switch x := v.(type) {
	case *model.Secret:
		fn(path, x)
	case map[string]any:
		for k, c := range x {
			walkSecrets(c, path+"/"+k, fn)
		}
	case []any:
		for i, c := range x {
			walkSecrets(c, path+"/"+strconv.Itoa(i), fn)
		}
	}
}

// contentSecret is the second line of defence for what the inventory does
// not model: a file whose lines assign a value to a secret-named key
// (POSTGRES_PASSWORD: x of a service that is not NATS, "api_key": "x"),
// pass --pass/--auth on a command line, or hold URL credentials, a PEM
// private key or an nkey seed. It errs on the side of withholding: a
// digest left out costs the auditor one comparison, a digest given for a
// secret costs the secret.
func contentSecret(b []byte) bool {
	if secret.HasURLCredentials(string(b)) || secret.IsPrivateKeyPEM(string(b)) || seedRe.Match(b) || secretFlagRe.Match(b) {
		return true
	}
	// Most files name no secret-like key at all: a lower-cased search
	// for the words is far cheaper than the assignment pattern.
	lower := bytes.ToLower(b)
	if !slices.ContainsFunc(secretWords, func(w string) bool { return bytes.Contains(lower, []byte(w)) }) {
		return false
	}
	for _, m := range secretAssignRe.FindAllSubmatch(b, -1) {
		if k := string(m[1]); secret.IsPathName(k) || strings.EqualFold(k, "key") {
			// key: names a key (Kubernetes secretKeyRef); nats.conf's
			// encryption key is the inventory's to judge.
			continue
		}
		v := strings.Trim(strings.TrimSpace(string(m[2])), `"'`)
		if v != "" && !varRefRe.MatchString(v) && !blockOpeners[v] && !bcryptRe.MatchString(v) && !publicKeyRe.MatchString(v) {
			return true
		}
	}
	return false
}

// secretWords are the words secretAssignRe's keys hold.
var secretWords = []string{"pass", "pwd", "secret", "token", "seed", "private", "cred", "key"}

var (
	// secretAssignRe: a secret-named key (quoted or not) assigned a value
	// with : or =, the value up to the end of the token.
	secretAssignRe = regexp.MustCompile(`(?i)\b([\w.-]*(?:pass|pwd|secret|token|seed|private|cred)[\w.-]*|[\w.-]*key)["']?[ \t]*[:=][ \t]*("[^"\n]*"|'[^'\n]*'|[^\s,}\]#]*)`)
	// secretFlagRe: nats-server's and the nats CLI's secret flags with a
	// literal value.
	secretFlagRe = regexp.MustCompile(`(?i)--(?:pass|password|auth|token|user_password)(?:[ \t]+|=|"\s*,\s*")["']?[^\s"'$-]`)
	// seedRe: an nkey seed anywhere (S, the key type, base32).
	seedRe = regexp.MustCompile(`\bS[OACUNPX][A-Z2-7]{56}\b`)
	// varRefRe: a value that only names a variable holds no secret itself.
	varRefRe = regexp.MustCompile(`^\$(\w+|\{\w+\})$`)
	// bcryptRe and publicKeyRe: values that are not guessable secrets
	// (a salted hash, an nkey public key).
	bcryptRe     = regexp.MustCompile(`^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$`)
	publicKeyRe  = regexp.MustCompile(`^[UANOCXP][A-Z2-7]{55}$`)
	blockOpeners = map[string]bool{"{": true, "[": true, "|": true, ">": true, "|-": true, ">-": true, "null": true, "~": true}
)
