package jwtclaims

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"

	"github.com/natsaudit/natsaudit/internal/model"
)

// chain issues real operator, account and user JWTs with nats-io/jwt, as
// nsc does.
type chain struct {
	op, opSigning, acc, accSigning, user nkeys.KeyPair
}

func newChain(t *testing.T) chain {
	t.Helper()
	mk := func(f func() (nkeys.KeyPair, error)) nkeys.KeyPair {
		kp, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return kp
	}
	return chain{mk(nkeys.CreateOperator), mk(nkeys.CreateOperator), mk(nkeys.CreateAccount), mk(nkeys.CreateAccount), mk(nkeys.CreateUser)}
}

func pub(t *testing.T, kp nkeys.KeyPair) string {
	t.Helper()
	p, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecodeRealJWTs(t *testing.T) {
	c := newChain(t)
	exp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	oc := jwt.NewOperatorClaims(pub(t, c.op))
	oc.Name = "ACME"
	oc.SigningKeys.Add(pub(t, c.opSigning))
	opJWT, err := oc.Encode(c.op)
	if err != nil {
		t.Fatal(err)
	}

	ac := jwt.NewAccountClaims(pub(t, c.acc))
	ac.Name = "ORDERS"
	ac.SigningKeys.Add(pub(t, c.accSigning))
	accJWT, err := ac.Encode(c.opSigning)
	if err != nil {
		t.Fatal(err)
	}

	uc := jwt.NewUserClaims(pub(t, c.user))
	uc.Name = "billing"
	uc.Expires = exp.Unix()
	uc.BearerToken = true
	uc.IssuerAccount = pub(t, c.acc)
	userJWT, err := uc.Encode(c.accSigning)
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := c.user.Seed()
	creds, err := jwt.FormatUserConfig(userJWT, seed)
	if err != nil {
		t.Fatal(err)
	}

	got := Find(creds)
	if len(got) != 1 {
		t.Fatalf("creds: %d JWTs", len(got))
	}
	u := got[0]
	if u.Kind != "user" || u.Name != "billing" || u.ExpiresNS != exp.UnixNano() || !u.Bearer || u.IssuerAccount != pub(t, c.acc) || u.Line != 2 {
		t.Errorf("user = %+v", u)
	}
	if u.Issuer != pub(t, c.accSigning) || u.Subject != pub(t, c.user) {
		t.Errorf("user keys = %+v", u)
	}

	both := Find([]byte(opJWT + "\n" + accJWT + "\n"))
	if len(both) != 2 {
		t.Fatalf("got %d", len(both))
	}
	if o := both[0]; o.Kind != "operator" || o.Name != "ACME" || o.SigningKeys != 1 || o.ExpiresNS != 0 || o.Line != 1 {
		t.Errorf("operator = %+v", o)
	}
	if a := both[1]; a.Kind != "account" || a.Name != "ORDERS" || a.SigningKeys != 1 || a.Issuer != pub(t, c.opSigning) || a.Line != 2 {
		t.Errorf("account = %+v", a)
	}

	// resolver_preload in a config
	s := &model.Server{Ref: model.RefTo(model.RefServer, 0), Config: map[string]any{"resolver_preload": map[string]any{pub(t, c.acc): accJWT, "junk": "x"}}}
	cfg := FromConfigs([]*model.Server{s})
	if js := cfg["servers/0"]; len(js) != 1 || js[0].Path != "config/resolver_preload/"+pub(t, c.acc) || js[0].Kind != "account" {
		t.Errorf("config JWTs = %+v", cfg)
	}
}

// TestHostile: non-NATS JWTs, broken base64, huge and control-character
// claims give no facts or clean ones, never a panic or a token.
func TestHostile(t *testing.T) {
	for name, data := range map[string][]byte{
		"not nats":   []byte("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"),
		"bad base64": []byte("eyJ0eXAiOiJKV1QifQ.eyJ!!!!!!!!!!!.x"),
		"huge":       bytes.Repeat([]byte("eyJ0eXAiOiJKV1QifQ."), 200000),
	} {
		if got := Find(data); len(got) != 0 {
			t.Errorf("%s: %+v", name, got)
		}
	}
	// A NATS-typed claim set with a hostile name.
	tok := "eyJ0eXAiOiJKV1QifQ." + b64(`{"name":"x\u001b[31mred`+strings.Repeat("A", 500)+`","exp":99999999999999,"nats":{"type":"user"}}`) + ".sig"
	got := Find([]byte(tok))
	if len(got) != 1 || strings.ContainsRune(got[0].Name, 0x1b) || len(got[0].Name) > 128 || got[0].ExpiresNS != 0 {
		t.Errorf("hostile claims = %+v", got)
	}
}

func b64(s string) string {
	return strings.TrimRight(encode([]byte(s)), "=")
}

func encode(b []byte) string { return base64URL.EncodeToString(b) }

var base64URL = base64.RawURLEncoding
