package probe

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// config builds the TLS client configuration shared by HTTPS monitoring and
// the NATS connection. nil means the defaults (system roots).
func (t TLSFiles) config() (*tls.Config, error) {
	if t.CA == "" && t.Cert == "" && t.Key == "" && !t.Insecure {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CA != "" {
		pem, err := os.ReadFile(t.CA)
		if err != nil {
			return nil, fmt.Errorf("--tlsca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tlsca %s: no PEM certificate in the file", t.CA)
		}
		c.RootCAs = pool
	}
	if (t.Cert == "") != (t.Key == "") {
		return nil, errors.New("--tlscert and --tlskey go together")
	}
	if t.Cert != "" {
		// The error of LoadX509KeyPair names files and formats, never key bytes.
		pair, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return nil, fmt.Errorf("--tlscert/--tlskey: %w", err)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	c.InsecureSkipVerify = t.Insecure //nolint:gosec // opt-in, reported on stderr and in the report notes
	return c, nil
}
