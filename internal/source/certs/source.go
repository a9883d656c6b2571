package certs

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Kinds of key material.
const (
	KindCert       = "certificate"
	KindPrivateKey = "private_key"
	KindCreds      = "creds"
	KindNkeySeed   = "nkey_seed"
)

// Source recognises certificates, private keys, creds and nkey seeds (the
// seam: package source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "certs" }

// Recognise implements source.Source.
func (Source) Recognise(base string, explicit bool) source.Match {
	lower := strings.ToLower(base)
	switch {
	case strings.HasSuffix(lower, ".creds"):
		return source.Match{Kind: KindCreds, Level: source.Certain}
	case strings.HasSuffix(lower, ".nk") || strings.HasSuffix(lower, ".seed"):
		return source.Match{Kind: KindNkeySeed, Level: source.Certain}
	case source.HasExt(lower, ".crt", ".pem", ".cer", ".key", ".p8"):
		return source.Match{Kind: KindCert, Level: source.Sniff}
	case lower == "id_rsa" || lower == "id_ecdsa" || lower == "id_ed25519":
		return source.Match{Kind: KindPrivateKey, Level: source.Certain}
	case source.Unnamed(base, explicit):
		return source.Match{Kind: KindPrivateKey, Level: source.Fallback}
	}
	return source.Match{}
}

var (
	pemCert    = []byte("-----BEGIN CERTIFICATE-----")
	pemPrivate = regexp.MustCompile(`-----BEGIN ([A-Z ]*)PRIVATE KEY-----`)
)

// Content implements source.Source: a PEM private key or certificate; a
// file whose name says nothing is read only for a private key.
func (Source) Content(rel string, data []byte, _ bool) string {
	if source.HasExt(strings.ToLower(rel), ".crt", ".pem", ".cer", ".key", ".p8") {
		switch {
		case pemPrivate.Match(data):
			return KindPrivateKey
		case bytes.Contains(data, pemCert):
			return KindCert
		}
		return ""
	}
	if source.LooksText(data) && pemPrivate.Match(data) {
		return KindPrivateKey
	}
	return ""
}

// Comments implements source.Source: PEM has none.
func (Source) Comments(string, string) source.Comments { return source.NoComments }
