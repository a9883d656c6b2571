package certs

import (
	"os"
	"testing"
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
