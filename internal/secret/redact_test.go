package secret

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRedactOverlapping(t *testing.T) {
	a, _ := NewAnalyzer(Params{})
	a.Remember("s3cret-pass")
	a.Remember("s3cret-passphrase")
	a.Remember("phrase-and-more")
	for in, want := range map[string]string{
		"pw=s3cret-passphrase;": "pw=****;",
		"pw=s3cret-pass;":       "pw=****;",
		"a s3cret-pass b":       "a **** b",
		"phrase-and-more":       "****",
		// A value shorter than longLen is masked as a whole word only:
		// inside another word it is not that secret.
		"x s3cret-passs3cret-pa": "x s3cret-passs3cret-pa",
	} {
		if got := a.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	// A value remembered after a Redact is masked by the next one.
	a.Remember("later-s3cret")
	if got := a.Redact("later-s3cret"); got != Mask {
		t.Errorf("Redact after Remember = %q", got)
	}
}

// Redact costs the length of its text, not the number of secrets: 16,000
// users with passwords and 48,000 findings (the hostile case that took
// minutes) redact in well under a second of CPU.
func TestRedactManySecrets(t *testing.T) {
	a, _ := NewAnalyzer(Params{})
	for i := 0; i < 16000; i++ {
		a.Remember(fmt.Sprintf("user-password-%06d", i))
	}
	msg := strings.Repeat("server nats-1: user u123 has a weak password (entropy 2.1) ", 2)
	start := time.Now()
	for i := 0; i < 48000; i++ {
		a.Redact(msg)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("48,000 redactions with 16,000 secrets took %s", d)
	}
	if got := a.Redact("x user-password-000042 y"); got != "x **** y" {
		t.Errorf("Redact = %q", got)
	}
}

func TestValuesInLine(t *testing.T) {
	for line, want := range map[string][]string{
		`  password: "Pa55-quoted" x y {`:                   {"Pa55-quoted"},
		`token = s3cr3t; user: bob`:                         {"s3cr3t"},
		`routes: ["nats://u:Url-Pa55@h:6222"]`:              {"Url-Pa55"},
		`password: $NATS_PASSWORD`:                          nil,
		`nkey: SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KF`: {"SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KF"},
		`port: 4222`: nil,
	} {
		got := ValuesInLine(line)
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("ValuesInLine(%q) = %q, want %q in it", line, got, w)
			}
		}
		if want == nil && len(got) > 0 {
			t.Errorf("ValuesInLine(%q) = %q, want none", line, got)
		}
	}
}

// One policy: a variable reference stays visible, its default does not,
// whether it is a placeholder or a real password.
func TestRedactLineReferenceDefault(t *testing.T) {
	for in, want := range map[string]string{
		"NATS_PASSWORD=${NATS_PASSWORD:-MUST_SET_IN_PRODUCTION}": "NATS_PASSWORD=${NATS_PASSWORD:-****}",
		"NATS_PASSWORD=${NATS_PASSWORD-hunter2}":                 "NATS_PASSWORD=${NATS_PASSWORD-****}",
		`password: "${NATS_PASSWORD:=s3cr3t}"`:                   `password: "${NATS_PASSWORD:=****}"`,
		"NATS_PASSWORD=${NATS_PASSWORD}":                         "NATS_PASSWORD=${NATS_PASSWORD}",
		"password: $NATS_PASSWORD":                               "password: $NATS_PASSWORD",
		`password: "changeme"`:                                   `password: "****"`,
	} {
		if got := RedactLine(in); got != want {
			t.Errorf("RedactLine(%q) = %q, want %q", in, got, want)
		}
	}
}
