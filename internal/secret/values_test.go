package secret

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestValuesCacheFollowsRemember: Redact's cached order of the remembered
// secrets is rebuilt when a new secret is remembered, so a secret learnt
// after a first Redact is still masked, longest first.
func TestValuesCacheFollowsRemember(t *testing.T) {
	a, err := NewAnalyzer(Params{Placeholders: []string{"changeme"}})
	if err != nil {
		t.Fatal(err)
	}
	a.Remember("s3cret-pass")
	if got := a.Redact("user s3cret-pass and s3cret-pass."); strings.Contains(got, "s3cret") {
		t.Fatalf("first secret not masked: %q", got)
	}
	// A longer secret containing the first, learnt later: masked whole.
	a.Remember("s3cret-passphrase")
	a.Remember("s3cret-pass") // again: no change
	got := a.Redact("x s3cret-passphrase y")
	if got != "x "+Mask+" y" {
		t.Fatalf("Redact = %q, want the longer secret masked whole", got)
	}
	if v := a.Values(); len(v) != 2 || v[0] != "s3cret-passphrase" || v[1] != "s3cret-pass" {
		t.Fatalf("Values = %q, want longest first", v)
	}
	// Values hands out a copy: changing it does not change redaction.
	v := a.Values()
	v[0] = "other"
	if got := a.Redact("s3cret-passphrase"); got != Mask {
		t.Fatalf("Redact after a caller changed Values' slice = %q", got)
	}
	a.Remember("changeme")
	if len(a.Values()) != 2 {
		t.Fatal("a placeholder word was remembered")
	}
}

// TestRedactConcurrentWithRemember: sources remember secrets while other
// goroutines redact (run with -race).
func TestRedactConcurrentWithRemember(t *testing.T) {
	a, err := NewAnalyzer(Params{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				s := fmt.Sprintf("secret-%d-%03d", g, i)
				a.Remember(s)
				if got := a.Redact("pw=" + s); strings.Contains(got, s) {
					t.Errorf("%s not masked right after Remember: %q", s, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := len(a.Values()); n != 800 {
		t.Fatalf("%d values remembered, want 800", n)
	}
}
