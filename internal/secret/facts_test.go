package secret

import "testing"

func TestValueFacts(t *testing.T) {
	a, err := NewAnalyzer(Params{
		Placeholders:         []string{"admin", "changeme"},
		TemplatePlaceholders: []string{"changeme"},
		PlaceholderRegexp:    []string{"^<.*>$", "^(x+|X+)$", "(?i)^(set|your)[-_ ]", "(?i)[-_ ]here$"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, value                                      string
		template, placeholder, publicKey, path, urlCreds bool
	}{
		{"angle template", "<password>", true, true, false, false, false},
		{"xxxx", "xxxx", true, true, false, false, false},
		{"your-...-here", "your-password-here", true, true, false, false, false},
		{"changeme is a template word", "changeme", true, true, false, false, false},
		{"admin is a default, not a template", "admin", false, true, false, false, false},
		{"account public key", "ACER777LQXMLSJIBSIL2XR4PXA2CNAJR7CELFK4P6MVNAOXSBN7T3VT2", false, false, true, false, false},
		{"a seed is not a public key", "SAAONDEI5LI6AG472VOVQ7FXUVXKRC4QYQD5JYPW5UXXYRGHL3EFPAIFIQ", false, false, false, false, false},
		{"a public key with a bad checksum", "AACER777LQXMLSJIBSIL2XR4PXA2CNAJR7CELFK4P6MVNAOXSBN7T3VT2"[:56], false, false, false, false, false},
		{"real password", "Wq7vR2pLx9Zt4mKs", false, false, false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := a.Facts(tc.value)
			if f.Template != tc.template || f.Placeholder != tc.placeholder || f.PublicKey != tc.publicKey {
				t.Errorf("template %v placeholder %v public_key %v", f.Template, f.Placeholder, f.PublicKey)
			}
		})
	}
}

func TestEnvFactsPaths(t *testing.T) {
	a, _ := NewAnalyzer(Params{})
	tests := []struct {
		name, value string
		path        bool
	}{
		{"NATS_CREDS", "./gateway-user.creds", true},
		{"NATS_CREDS_FILE", "", true},
		{"NATS_NKEY_SEED_FILE", "/run/secrets/seed.nk", true},
		{"NATS_CERTS_DIR", "/etc/nats", true},
		{"NATS_CREDS", "creds/app.creds", true},
		{"NATS_PASSWORD", "/x+Yz9=Qw", false}, // a password with a slash
		{"NATS_PASSWORD", "Wq7vR2pLx9Zt4mKs", false},
		{"NATS_SEED", "SAAONDEI5LI6AG472VOVQ7FXUVXKRC4QYQD5JYPW5UXXYRGHL3EFPAIFIQ", false}, // a seed is a secret whatever the name
	}
	for _, tc := range tests {
		f := a.EnvFacts(tc.name, tc.value, ".env")
		if f.Path != tc.path {
			t.Errorf("%s=%q: path %v, want %v", tc.name, tc.value, f.Path, tc.path)
		}
	}
	// A path is not remembered for redaction: masking it would rewrite the
	// report's file names.
	for _, v := range a.Values() {
		if v == "./gateway-user.creds" || v == "/run/secrets/seed.nk" {
			t.Errorf("path %q remembered as a secret", v)
		}
	}
}

func TestURLFacts(t *testing.T) {
	a, _ := NewAnalyzer(Params{Placeholders: []string{"admin"}})
	tests := []struct {
		value                    string
		ok, nats, equals, placeh bool
		length                   int
	}{
		{"nats://admin:admin@localhost:4222", true, true, true, true, 5},
		{"nats://a:b@h1:4222,nats://c:Zq8vN3kLx7Wm@h2:4222", true, true, false, false, 1},
		{"wss://u:Kx9mQ2vL@ws.example.com", true, true, false, false, 8},
		{"postgres://u:Pg5tR8wLq2@db/x", true, false, false, false, 10},
		{"nats://u:${PASS}@h:4222", false, false, false, false, 0},
		{"nats://u:$PASS@h:4222", false, false, false, false, 0},
		{"nats://h:4222", false, false, false, false, 0},
	}
	for _, tc := range tests {
		f, ok := a.URLFacts(tc.value)
		if ok != tc.ok {
			t.Errorf("%s: ok %v", tc.value, ok)
			continue
		}
		if !ok {
			continue
		}
		if f.NATSURL != tc.nats || f.EqualsUser != tc.equals || f.Placeholder != tc.placeh || f.Length != tc.length || !f.URLCreds {
			t.Errorf("%s: %+v", tc.value, f)
		}
	}
}
