package certs

import (
	"testing"
)

// TestKeyFactsEdges pins KeyFacts on each kind of key (issue 20, Go
// mutation testing): whether a PEM key is encrypted (by its type or by the
// legacy Proc-Type header, either one), its key type, and the line where a
// key or a seed starts when it is not the first line.
func TestKeyFactsEdges(t *testing.T) {
	const seed = "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4"
	for _, tc := range []struct {
		name, kind, data  string
		wantKind, keyType string
		line              int
		encrypted         bool
	}{
		{"plain rsa", "private_key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n", "private_key", "rsa", 1, false},
		{"pkcs8 encrypted", "private_key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n", "private_key", "encrypted", 1, true},
		{"legacy encrypted rsa", "private_key", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIE\n", "private_key", "rsa", 1, true},
		{"pkcs8 after a comment", "private_key", "# key\n\n-----BEGIN PRIVATE KEY-----\nMIIE\n", "private_key", "pkcs8", 3, false},
		{"ec in a creds file", "creds", "-----BEGIN EC PRIVATE KEY-----\nMHc\n", "creds", "ec", 1, false},
		{"seed on line 3", "seed", "# seed\n\n" + seed + "\n", "nkey_seed", "nkey", 3, false},
		{"seed of a creds file on line 5", "creds", "-----BEGIN NATS USER JWT-----\neyJ0\n------END NATS USER JWT------\n\n" + seed + "\n", "creds", "nkey", 5, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := KeyFacts("k", tc.kind, []byte(tc.data))
			if f == nil {
				t.Fatal("no key found")
			}
			if f.Kind != tc.wantKind || f.KeyType != tc.keyType || f.Line != tc.line || f.Encrypted != tc.encrypted {
				t.Errorf("facts = %+v, want kind %s type %s line %d encrypted %v", f, tc.wantKind, tc.keyType, tc.line, tc.encrypted)
			}
		})
	}
	if f := KeyFacts("k", "private_key", []byte("no key here\n")); f != nil {
		t.Errorf("facts of a file without a key: %+v", f)
	}
}
