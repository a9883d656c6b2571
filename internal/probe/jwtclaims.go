package probe

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// maxJWTClaims bounds the JWTs whose claims one document may have decoded
// (a /connz page holds at most 1,024 connections; a document is bounded
// by its values anyway).
const maxJWTClaims = 20_000

// maxJWTLen bounds the JWT read: a user JWT with permissions is a few
// KiB.
const maxJWTLen = 64 << 10

// jwtClaims reads the claims rules need from a NATS JWT (a user JWT in
// /connz?auth=true): expiry, issue time, subject (the user's public key),
// issuer (the account or its signing key) and name. The JWT itself, and
// every other claim (permissions, tags), are not kept: the token is masked
// as a credential right after. The signature is not checked: the server
// verified it when the client connected, and a server that lies could
// also lie about the claims. nil when raw is not a JWT.
func jwtClaims(raw string) map[string]any {
	if len(raw) > maxJWTLen || !strings.HasPrefix(raw, "eyJ") || strings.Count(raw, ".") != 2 {
		return nil
	}
	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var c struct {
		Exp  json.Number `json:"exp"`
		Iat  json.Number `json:"iat"`
		Iss  string      `json:"iss"`
		Sub  string      `json:"sub"`
		Name string      `json:"name"`
		Nats struct {
			Type string `json:"type"`
		} `json:"nats"`
	}
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return nil
	}
	out := map[string]any{
		"iss": scrubString(c.Iss), "sub": scrubString(c.Sub), "name": scrubString(c.Name), "type": scrubString(c.Nats.Type),
		"exp": int64(0), "iat": int64(0),
	}
	if n, err := c.Exp.Int64(); err == nil && n > 0 {
		out["exp"] = n
	}
	if n, err := c.Iat.Int64(); err == nil && n > 0 {
		out["iat"] = n
	}
	return out
}
