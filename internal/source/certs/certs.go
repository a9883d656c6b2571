// Package certs reads certificates (for expiry) and recognises private keys,
// nkey seeds and .creds files committed to a repository. It never returns key
// material, only what kind of key a file holds.
package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Certificate parses the first certificate of a PEM (or DER) file.
func Certificate(rel string, data []byte) (*model.Cert, error) {
	var der []byte
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			der = b.Bytes
			break
		}
	}
	if der == nil {
		if bytes.Contains(data, []byte("-----BEGIN")) {
			return nil, fmt.Errorf("no certificate in PEM data")
		}
		der = data
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("not a readable certificate")
	}
	return &model.Cert{
		File:        rel,
		Subject:     c.Subject.String(),
		Issuer:      c.Issuer.String(),
		NotBefore:   c.NotBefore.UTC().Format(time.RFC3339),
		NotAfter:    c.NotAfter.UTC().Format(time.RFC3339),
		NotAfterNS:  c.NotAfter.UnixNano(),
		SelfSigned:  bytes.Equal(c.RawIssuer, c.RawSubject),
		IsCA:        c.IsCA,
		DNSNames:    append([]string{}, c.DNSNames...),
		IPAddresses: ipStrings(c.IPAddresses),
	}, nil
}

// ipStrings: the IP subjectAltNames as text, nil when there are none.
func ipStrings(ips []net.IP) []string {
	var out []string
	for _, ip := range ips {
		out = append(out, ip.String())
	}
	return out
}

var (
	pemKeyRe  = regexp.MustCompile(`-----BEGIN ([A-Z ]*?)PRIVATE KEY-----`)
	seedRe    = regexp.MustCompile(`(?m)^\s*(S[UAONCXP][A-Z2-7]{50,})\s*$`)
	encHeader = []byte("Proc-Type: 4,ENCRYPTED")
)

// KeyFacts describes private key material in a file, or returns nil when
// there is none. Line is where the key starts.
func KeyFacts(rel, kind string, data []byte) *model.File {
	if m := pemKeyRe.FindSubmatchIndex(data); m != nil {
		typ := string(bytes.TrimSpace(data[m[2]:m[3]]))
		f := &model.File{Path: rel, Kind: "private_key", KeyType: keyType(typ), Line: bytes.Count(data[:m[0]], []byte("\n")) + 1}
		f.Encrypted = typ == "ENCRYPTED" || bytes.Contains(data, encHeader)
		if kind == "creds" {
			f.Kind = "creds"
		}
		return f
	}
	if m := seedRe.FindSubmatchIndex(data); m != nil {
		k := "nkey_seed"
		if kind == "creds" {
			k = "creds"
		}
		// The seed's own line (m[2]): `^\s*` of the match may start on
		// the blank lines before it.
		return &model.File{Path: rel, Kind: k, KeyType: "nkey", Line: bytes.Count(data[:m[2]], []byte("\n")) + 1}
	}
	return nil
}

func keyType(t string) string {
	switch t {
	case "RSA":
		return "rsa"
	case "EC":
		return "ec"
	case "OPENSSH":
		return "openssh"
	case "ENCRYPTED":
		return "encrypted"
	case "DSA":
		return "dsa"
	case "":
		return "pkcs8"
	}
	return t
}
