package jwtclaims

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/nats-io/jwt/v2"
)

// TestDecodePermissions: a user JWT's pub/sub lists and an account JWT's
// scoped signing keys, from real JWTs issued with nats-io/jwt as nsc does.
func TestDecodePermissions(t *testing.T) {
	c := newChain(t)
	cases := []struct {
		name                   string
		edit                   func(*jwt.UserClaims)
		pubA, pubD, subA, subD []string
	}{
		{"unrestricted", func(*jwt.UserClaims) {}, nil, nil, nil, nil},
		{"allow and deny", func(u *jwt.UserClaims) {
			u.Pub.Allow.Add("leaf.>", "_INBOX.>")
			u.Sub.Deny.Add("$SYS.>")
		}, []string{"leaf.>", "_INBOX.>"}, nil, nil, []string{"$SYS.>"}},
		{"subscribe only", func(u *jwt.UserClaims) { u.Sub.Allow.Add("telemetry.*") }, nil, nil, []string{"telemetry.*"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			uc := jwt.NewUserClaims(pub(t, c.user))
			tc.edit(uc)
			tok, err := uc.Encode(c.acc)
			if err != nil {
				t.Fatal(err)
			}
			j := Decode(tok)
			if j == nil {
				t.Fatal("not decoded")
			}
			got := [][]string{j.PubAllow, j.PubDeny, j.SubAllow, j.SubDeny}
			want := [][]string{tc.pubA, tc.pubD, tc.subA, tc.subD}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("permissions = %q, want %q", got, want)
			}
		})
	}

	ac := jwt.NewAccountClaims(pub(t, c.acc))
	scope := jwt.NewUserScope()
	scope.Key = pub(t, c.accSigning)
	scope.Template.Pub.Allow.Add("leaf.>")
	ac.SigningKeys.AddScopedSigner(scope)
	ac.SigningKeys.Add(pub(t, c.opSigning)) // an unscoped key (any account key would do)
	tok, err := ac.Encode(c.op)
	if err != nil {
		t.Fatal(err)
	}
	a := Decode(tok)
	if a == nil || a.SigningKeys != 2 || !reflect.DeepEqual(a.ScopedSigningKeys, []string{pub(t, c.accSigning)}) {
		t.Errorf("account = %+v", a)
	}
}

// TestDecodeOddPermissions: permission lists of the wrong type cost the
// permissions (read as restricted, never as unrestricted), not the JWT.
func TestDecodeOddPermissions(t *testing.T) {
	claims := `{"sub":"UABC","iss":"AABC","exp":1900000000,"nats":{"type":"user","pub":{"allow":"leaf.>"},"sub":7}}`
	tok := "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".sig"
	j := Decode(tok)
	if j == nil || j.ExpiresNS != 1900000000*1e9 {
		t.Fatalf("JWT = %+v", j)
	}
	if len(j.PubDeny) == 0 || len(j.SubDeny) == 0 {
		t.Errorf("odd lists read as unrestricted: %+v", j)
	}
	many := `{"sub":"U","nats":{"type":"user","pub":{"allow":[` + strings.Repeat(`"a\u0007b",`, 100) + `"z"]}}}`
	j = Decode("eyJhIjoxfQ." + base64.RawURLEncoding.EncodeToString([]byte(many)) + ".s")
	if j == nil || len(j.PubAllow) != maxSubjects || j.PubAllow[0] != "ab" {
		t.Errorf("bounded, cleaned: %+v", j)
	}
}
