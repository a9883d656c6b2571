package natstest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// Operator is a test operator (decentralised JWT auth) with a system account
// SYS and an account APP with JetStream, their JWTs preloaded into a memory
// resolver. Config is the text to add to a server's config.
type Operator struct {
	Config string
	// SysCreds and AppCreds are .creds files (JWT + seed) of a user of SYS
	// and of APP; AppAccount and SysAccount are the accounts' public keys.
	SysCreds, AppCreds string
	AppAccount         string
	SysAccount         string
	appKey             nkeys.KeyPair
	opKey              nkeys.KeyPair
	dir                string
}

// AppLimits are the limits of account APP's JWT.
type AppLimits struct {
	Conn    int64         // max connections (-1 unlimited)
	Subs    int64         // max subscriptions (-1 unlimited)
	Streams int64         // max streams (-1 unlimited)
	Expires time.Duration // the account JWT expires this long from now; 0 never
}

// NewOperator writes the operator's credentials under dir.
func NewOperator(dir string, lim AppLimits) (*Operator, error) {
	op, err := nkeys.CreateOperator()
	if err != nil {
		return nil, err
	}
	opPub, _ := op.PublicKey()
	oc := jwt.NewOperatorClaims(opPub)
	oc.Name = "TEST-OP"
	sysKey, _ := nkeys.CreateAccount()
	sysPub, _ := sysKey.PublicKey()
	oc.SystemAccount = sysPub
	opJWT, err := oc.Encode(op)
	if err != nil {
		return nil, fmt.Errorf("operator jwt: %w", err)
	}
	sc := jwt.NewAccountClaims(sysPub)
	sc.Name = "SYS"
	sysJWT, err := sc.Encode(op)
	if err != nil {
		return nil, fmt.Errorf("sys jwt: %w", err)
	}
	appKey, _ := nkeys.CreateAccount()
	appPub, _ := appKey.PublicKey()
	ac := jwt.NewAccountClaims(appPub)
	ac.Name = "APP"
	ac.Limits.Conn = lim.Conn
	ac.Limits.Subs = lim.Subs
	ac.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: 1 << 30, Streams: lim.Streams, Consumer: -1}
	if lim.Expires > 0 {
		ac.Expires = time.Now().Add(lim.Expires).Unix()
	}
	appJWT, err := ac.Encode(op)
	if err != nil {
		return nil, fmt.Errorf("app jwt: %w", err)
	}
	o := &Operator{AppAccount: appPub, SysAccount: sysPub, appKey: appKey, opKey: op, dir: dir}
	if o.SysCreds, err = o.user(sysKey, sysPub, "sys", 0); err != nil {
		return nil, err
	}
	if o.AppCreds, err = o.user(appKey, appPub, "app", 0); err != nil {
		return nil, err
	}
	o.Config = fmt.Sprintf("operator: %q\nsystem_account: %s\nresolver: MEMORY\nresolver_preload: {\n  %s: %q\n  %s: %q\n}\n", opJWT, sysPub, sysPub, sysJWT, appPub, appJWT)
	return o, nil
}

// AppUser writes the .creds of another user of APP, expiring after
// expires (0: never), and returns its path.
func (o *Operator) AppUser(name string, expires time.Duration) (string, error) {
	pub, _ := o.appKey.PublicKey()
	return o.user(o.appKey, pub, name, expires)
}

func (o *Operator) user(accKey nkeys.KeyPair, accPub, name string, expires time.Duration) (string, error) {
	uk, _ := nkeys.CreateUser()
	upub, _ := uk.PublicKey()
	uc := jwt.NewUserClaims(upub)
	uc.Name = name
	if expires > 0 {
		uc.Expires = time.Now().Add(expires).Unix()
	}
	ujwt, err := uc.Encode(accKey)
	if err != nil {
		return "", fmt.Errorf("user %s jwt: %w", name, err)
	}
	seed, _ := uk.Seed()
	creds, err := jwt.FormatUserConfig(ujwt, seed)
	if err != nil {
		return "", err
	}
	p := filepath.Join(o.dir, name+".creds")
	if err := os.WriteFile(p, creds, 0o600); err != nil {
		return "", err
	}
	return p, nil
}

// SeedOf returns the nkey seed inside a .creds file (a seed alone cannot
// log in to an operator-mode server: the server wants the JWT too).
func SeedOf(creds string) (string, error) {
	b, err := os.ReadFile(creds)
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "SU") {
			return l, nil
		}
	}
	return "", fmt.Errorf("%s: no seed", creds)
}

// NkeyUser creates a user nkey and writes its seed to dir/name.nk; it
// returns the file and the public key (for a config-mode `nkey:` user).
func NkeyUser(dir, name string) (file, pub string, err error) {
	uk, err := nkeys.CreateUser()
	if err != nil {
		return "", "", err
	}
	pub, _ = uk.PublicKey()
	seed, _ := uk.Seed()
	file = filepath.Join(dir, name+".nk")
	return file, pub, os.WriteFile(file, append(seed, '\n'), 0o600)
}
