// Package jwtclaims finds NATS JWTs (user, account, operator) in .creds and
// .jwt files and in server configs, and decodes their claims WITHOUT
// verifying the signature: the audit needs lifetimes and signers, not trust.
// Only facts leave the package, never a token.
package jwtclaims

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
)

// tokenRe matches a compact JWT whose header and claims are JSON objects
// (base64url of `{"` is `eyJ`). Go's regexp runs in linear time; tokens
// longer than maxToken are skipped rather than decoded.
var tokenRe = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// maxToken bounds the size of one decoded token (real NATS JWTs are a few KB).
const maxToken = 64 << 10

// maxTokens bounds the JWTs read from one file.
const maxTokens = 64

// Find returns the claims of the NATS JWTs in data (a .creds or .jwt file),
// in order of appearance.
func Find(data []byte) []*model.JWT {
	var out []*model.JWT
	for _, m := range tokenRe.FindAllIndex(data, maxTokens) {
		if m[1]-m[0] > maxToken {
			continue
		}
		j := Decode(string(data[m[0]:m[1]]))
		if j == nil {
			continue
		}
		j.Line = bytes.Count(data[:m[0]], []byte("\n")) + 1
		out = append(out, j)
	}
	return out
}

type claims struct {
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
	Issuer   string `json:"iss"`
	Name     string `json:"name"`
	Subject  string `json:"sub"`
	Nats     struct {
		Type          string          `json:"type"`
		IssuerAccount string          `json:"issuer_account"`
		Bearer        bool            `json:"bearer_token"`
		SigningKeys   json.RawMessage `json:"signing_keys"`
		// Raw, so that an odd permission list costs the permissions only,
		// not the JWT's lifetime facts.
		Pub json.RawMessage `json:"pub"`
		Sub json.RawMessage `json:"sub"`
	} `json:"nats"`
}

// permission is a user JWT's nats.pub or nats.sub.
type permission struct {
	Allow []string `json:"allow"`
	Deny  []string `json:"deny"`
}

// maxSubjects bounds the permission subjects kept per list (real user JWTs
// list a handful).
const maxSubjects = 64

// Decode returns the claims of one NATS JWT, or nil when tok is not one.
func Decode(tok string) *model.JWT {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(tok) > maxToken {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil
	}
	switch c.Nats.Type {
	case "user", "account", "operator":
	default:
		return nil
	}
	j := &model.JWT{
		Kind: c.Nats.Type, Name: clean(c.Name), Subject: clean(c.Subject), Issuer: clean(c.Issuer),
		IssuerAccount: clean(c.Nats.IssuerAccount), Bearer: c.Nats.Bearer,
	}
	if c.IssuedAt > 0 && c.IssuedAt < 1<<33 {
		j.IssuedAtNS = c.IssuedAt * 1e9
	}
	if c.Expires > 0 && c.Expires < 1<<33 {
		j.ExpiresNS = c.Expires * 1e9
	}
	// signing_keys is a list of keys (operator) or of keys and scoped-key
	// objects (account): only the count matters.
	var keys []json.RawMessage
	if json.Unmarshal(c.Nats.SigningKeys, &keys) == nil {
		j.SigningKeys = len(keys)
		for _, k := range keys {
			// A scoped key is an object {"kind": "user_scope", "key": ...}.
			var scope struct {
				Kind string `json:"kind"`
				Key  string `json:"key"`
			}
			if json.Unmarshal(k, &scope) == nil && scope.Key != "" && len(j.ScopedSigningKeys) < maxSubjects {
				j.ScopedSigningKeys = append(j.ScopedSigningKeys, clean(scope.Key))
			}
		}
	}
	if c.Nats.Type == "user" {
		var pub, sub permission
		if len(c.Nats.Pub) > 0 && json.Unmarshal(c.Nats.Pub, &pub) != nil {
			// Unreadable: not "unrestricted" either.
			pub.Deny = []string{"?"}
		}
		if len(c.Nats.Sub) > 0 && json.Unmarshal(c.Nats.Sub, &sub) != nil {
			sub.Deny = []string{"?"}
		}
		j.PubAllow, j.PubDeny = subjects(pub.Allow), subjects(pub.Deny)
		j.SubAllow, j.SubDeny = subjects(sub.Allow), subjects(sub.Deny)
	}
	return j
}

// subjects keeps at most maxSubjects cleaned permission subjects.
func subjects(in []string) []string {
	var out []string
	for _, s := range in {
		if len(out) == maxSubjects {
			break
		}
		out = append(out, clean(s))
	}
	return out
}

// clean keeps claim strings short and printable: they come from the
// scanned repository and end up in messages.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 128 {
		s = s[:128]
	}
	return s
}

// FromConfigs returns the JWTs written into server configs
// (resolver_preload: {ACCOUNT_KEY: "eyJ..."}), by server ref.
func FromConfigs(servers []*model.Server) map[string][]*model.JWT {
	out := map[string][]*model.JWT{}
	for _, s := range servers {
		pre, ok := s.Config["resolver_preload"].(map[string]any)
		if !ok {
			continue
		}
		keys := make([]string, 0, len(pre))
		for k := range pre {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, ok := pre[k].(string)
			if !ok {
				continue
			}
			if j := Decode(strings.TrimSpace(v)); j != nil {
				j.Path = "config/resolver_preload/" + strings.ReplaceAll(k, "/", "~1")
				out[s.Ref.String()] = append(out[s.Ref.String()], j)
			}
		}
	}
	return out
}
