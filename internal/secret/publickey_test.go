package secret

import (
	"strings"
	"testing"

	"github.com/nats-io/nkeys"
)

// TestPublicKeysAreNotSeeds: a public key (an account's A… ID, a server's
// N… ID) may contain "SA", "SU"… followed by 50 base32 characters; it is
// not a seed and stays readable: the probe names accounts by it (masking
// it made /accountz?acc= and ACCOUNTZ ask for "ABBZ****"). A seed is
// masked wherever it starts a token, after a space, quote, =, _ or /.
func TestPublicKeysAreNotSeeds(t *testing.T) {
	// Public keys that hold a seed-shaped run: generated until found, so
	// the case is real nkeys output, not a hand-made string.
	var found []string
	for i := 0; len(found) < 3 && i < 200000; i++ {
		kp, err := nkeys.CreateAccount()
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := kp.PublicKey()
		if j := strings.IndexAny(pub[1:], "S"); j >= 0 && j+1+52 <= len(pub) && strings.ContainsRune("UAONCXP", rune(pub[j+2])) {
			found = append(found, pub)
		}
	}
	if len(found) == 0 {
		t.Fatal("no account key with a seed-shaped run")
	}
	for _, pub := range found {
		for _, s := range []string{pub, "account " + pub, `{"acc":"` + pub + `"}`} {
			if got := MaskPatterns(s); got != s {
				t.Errorf("public key masked: %q -> %q", s, got)
			}
			if got := RedactPath(s); got != s {
				t.Errorf("RedactPath masked a public key: %q -> %q", s, got)
			}
		}
	}
	kp, _ := nkeys.CreateUser()
	seed, _ := kp.Seed()
	for _, s := range []string{string(seed), "seed " + string(seed), `"` + string(seed) + `"`, "x=" + string(seed), "keys/nats_" + string(seed) + ".nk", "/run/" + string(seed)} {
		if got := MaskPatterns(s); strings.Contains(got, string(seed)) || !strings.Contains(got, Mask) {
			t.Errorf("seed not masked in %q: %q", s, got)
		}
	}
}
