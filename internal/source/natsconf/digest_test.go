package natsconf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nats-io/nats-server/v2/conf"
)

// The digest natsaudit computes for a config is the one nats-server
// computes (conf.ParseFileWithChecksDigest, what /varz reports as
// config_digest), or none with the reason.
func TestConfigDigestIsTheServers(t *testing.T) {
	for _, tc := range []struct {
		name, text, note string
	}{
		{"plain", "server_name: n1\nport: 4222\n", ""},
		{"layout and comments", "# c\n{ 'server_name': \"n1\", port = 4222 }\n", ""},
		{"variables", "BAR_USERS = { users = [ {user = \"bar\"} ]}\nhello = 'world'\naccounts {\n  QUUX_USERS = [ { user: quux }]\n  bar = $BAR_USERS\n  quux = { users = $QUUX_USERS }\n}\nvery { nested { env { VAR = 'NESTED', quux = $VAR }}}\n", ""},
		{"sizes durations", "max_payload: 2MB\nping_interval: \"2m\"\njetstream { max_mem: 1G, store_dir: /data }\nwrite_deadline: 10s\n", ""},
		{"environment", "server_name: $HOSTNAME_X\n", "a value comes from an environment variable"},
		{"include", "include ./auth.conf\nport: 4222\n", "the config includes other files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "nats.conf")
			if err := os.WriteFile(p, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "auth.conf"), []byte("authorization { token: x }\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			res := Parse(p, []byte(tc.text), Options{})
			if !res.OK() {
				t.Fatalf("errors: %v", res.Errors)
			}
			if res.DigestNote != tc.note {
				t.Fatalf("note %q, want %q", res.DigestNote, tc.note)
			}
			if tc.note != "" {
				if res.Digest != "" {
					t.Errorf("digest %q with a note", res.Digest)
				}
				return
			}
			_, want, err := conf.ParseFileWithChecksDigest(p)
			if err != nil {
				t.Fatal(err)
			}
			if res.Digest != want {
				t.Errorf("digest %s, nats-server's %s", res.Digest, want)
			}
		})
	}
}
