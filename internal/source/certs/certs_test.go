package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"reflect"
	"testing"
	"time"
)

func TestCertificateAndKeys(t *testing.T) {
	crt, err := os.ReadFile("../../../testdata/repos/sahool/config/certs/nats/server.crt")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Certificate("server.crt", crt)
	if err != nil {
		t.Fatal(err)
	}
	if c.NotAfterNS == 0 || c.SelfSigned || len(c.DNSNames) == 0 {
		t.Errorf("cert = %+v", c)
	}
	if _, err := Certificate("x.crt", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")); err == nil {
		t.Error("garbage parsed as a certificate")
	}
	key, _ := os.ReadFile("../../../testdata/repos/sahool/config/certs/nats/server.key")
	if f := KeyFacts("server.key", "private_key", key); f == nil || f.Kind != "private_key" || f.Line != 1 {
		t.Errorf("key facts = %+v", f)
	}
	seed := []byte("-----BEGIN USER NKEY SEED-----\nSUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4\n------END USER NKEY SEED------\n")
	if f := KeyFacts("user.creds", "creds", seed); f == nil || f.Kind != "creds" {
		t.Errorf("creds facts = %+v", f)
	}
	if f := KeyFacts("ca.crt", "certificate", crt); f != nil {
		t.Errorf("a certificate is not a key: %+v", f)
	}
}

// TestSubjectAltNames: the IP subjectAltNames are kept next to the DNS names
// (NATS-TLS-017 reports a server certificate with neither), and a CN-only
// certificate has none of either.
func TestSubjectAltNames(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ips  []net.IP
		dns  []string
		want []string
	}{
		{"cn-only", nil, nil, nil},
		{"ip", []net.IP{net.ParseIP("10.0.0.5"), net.ParseIP("::1")}, nil, []string{"10.0.0.5", "::1"}},
		{"dns", nil, []string{"nats"}, nil},
	} {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "nats"},
			NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0),
			IPAddresses: tc.ips, DNSNames: tc.dns,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Certificate(tc.name+".crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.IPAddresses, tc.want) || len(c.DNSNames) != len(tc.dns) {
			t.Errorf("%s: ip_addresses %v dns_names %v, want %v %v", tc.name, c.IPAddresses, c.DNSNames, tc.want, tc.dns)
		}
	}
}
