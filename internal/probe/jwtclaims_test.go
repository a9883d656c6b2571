package probe

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// A user JWT in a connz document: its claims (expiry, issuer, subject,
// name) are kept next to it, the JWT itself is masked, a seed hidden in a
// claim is masked too, and the server cannot overwrite the claims read.
func TestJWTClaimsBeforeMasking(t *testing.T) {
	acc, _ := nkeys.CreateAccount()
	accPub, _ := acc.PublicKey()
	uk, _ := nkeys.CreateUser()
	upub, _ := uk.PublicKey()
	seed, _ := uk.Seed()
	uc := jwt.NewUserClaims(upub)
	uc.Name = "svc " + string(seed)
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC).Unix()
	uc.Expires = exp
	tok, err := uc.Encode(acc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, doc string }{
		{"plain", `{"connections":[{"cid":1,"jwt":"` + tok + `"}]}`},
		{"server claims before", `{"connections":[{"cid":1,"jwt_claims":{"exp":1},"jwt" : "` + tok + `"}]}`},
		{"server claims after", `{"connections":[{"cid":1,"jwt":"` + tok + `","jwt_claims":{"exp":1}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := newBudget(Options{MaxDocValues: 1000, MaxValues: 1000, MaxBytes: 1 << 20}).decodeBytes([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			c := m["connections"].([]any)[0].(map[string]any)
			cl, _ := c["jwt_claims"].(map[string]any)
			if cl["exp"] != exp || cl["sub"] != upub || cl["iss"] != accPub || cl["type"] != "user" {
				t.Errorf("claims %v", cl)
			}
			b, _ := json.Marshal(m)
			if strings.Contains(string(b), tok[:20]) || strings.Contains(string(b), string(seed)) {
				t.Errorf("the JWT or the seed is in the document: %s", b)
			}
			if name, _ := cl["name"].(string); !strings.HasPrefix(name, "svc ") {
				t.Errorf("name %q", name)
			}
		})
	}
	// Not a JWT, or too long: no claims.
	for _, s := range []string{"eyJhbGciOi.notbase64!.x", "eyJ" + strings.Repeat("A", maxJWTLen) + ".a.b", "plain"} {
		if c := jwtClaims(s); c != nil {
			t.Errorf("claims from %.20q: %v", s, c)
		}
	}
}
