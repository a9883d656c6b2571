package natstest

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
	"path/filepath"
	"time"
)

// Certs are PEM files of a throwaway CA, a server certificate for
// 127.0.0.1/localhost issued by it, and a client certificate for mutual TLS.
type Certs struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey string
	NotAfter                                         time.Time // the server certificate's
}

// WriteCerts writes the files into dir; the server certificate expires
// after validFor (whole seconds).
func WriteCerts(dir string, validFor time.Duration) (Certs, error) {
	var c Certs
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return c, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "natsaudit test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return c, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return c, err
	}
	c.NotAfter = now.Add(validFor).Truncate(time.Second)
	issue := func(serial int64, tmpl *x509.Certificate) (certDER, keyDER []byte, err error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore = now.Add(-time.Hour)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		if certDER, err = x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey); err != nil {
			return nil, nil, err
		}
		keyDER, err = x509.MarshalPKCS8PrivateKey(key)
		return certDER, keyDER, err
	}
	srvDER, srvKey, err := issue(2, &x509.Certificate{
		Subject: pkix.Name{CommonName: "nats"}, NotAfter: c.NotAfter,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return c, err
	}
	cliDER, cliKey, err := issue(3, &x509.Certificate{
		Subject: pkix.Name{CommonName: "natsaudit"}, NotAfter: now.Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return c, err
	}
	write := func(name, typ string, b []byte) (string, error) {
		p := filepath.Join(dir, name)
		return p, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600)
	}
	for _, f := range []struct {
		dst       *string
		name, typ string
		b         []byte
	}{
		{&c.CA, "ca.pem", "CERTIFICATE", caDER},
		{&c.ServerCert, "server.pem", "CERTIFICATE", srvDER},
		{&c.ServerKey, "server-key.pem", "PRIVATE KEY", srvKey},
		{&c.ClientCert, "client.pem", "CERTIFICATE", cliDER},
		{&c.ClientKey, "client-key.pem", "PRIVATE KEY", cliKey},
	} {
		if *f.dst, err = write(f.name, f.typ, f.b); err != nil {
			return c, err
		}
	}
	return c, nil
}
