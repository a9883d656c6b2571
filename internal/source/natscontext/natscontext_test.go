package natscontext

import (
	"strconv"
	"testing"

	"github.com/natsaudit/natsaudit/internal/secret"
)

func TestParse(t *testing.T) {
	a, err := secret.NewAnalyzer(secret.Params{Placeholders: []string{"test"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, doc string
		ok        bool
		want      []string // key@line
	}{
		{"password equal to the user", "{\n  \"url\": \"nats://nats:4222\",\n  \"user\": \"test\",\n  \"password\": \"test\"\n}", true, []string{"password@4"}},
		{"url credentials and token", "{\"description\": \"x\",\n\"url\": \"tls://u:Zt8mQ2vK7xLp@h:4222\",\n\"token\": \"Tk9mW2vQ8xLr5Zn3\"}", true, []string{"url@2", "token@3"}},
		{"creds and nkey files only", "{\"url\": \"nats://h\", \"creds\": \"/a.creds\", \"nkey\": \"/a.nk\"}", true, nil},
		{"password from the environment", "{\"url\": \"nats://h\", \"user\": \"u\", \"password\": \"$NATS_PASSWORD\"}", true, nil},
		{"another JSON with a url", "{\"name\": \"web\", \"url\": \"https://x\", \"user\": \"u\"}", false, nil},
		{"not an object", "[{\"url\": \"nats://u:p@h\"}]", false, nil},
		{"YAML is not a context", "url: nats://u:p@h\npassword: x\n", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			creds, ok := Parse("c.json", []byte(tc.doc), a)
			if ok != tc.ok {
				t.Fatalf("ok = %v", ok)
			}
			var got []string
			for _, c := range creds {
				got = append(got, c.Key+"@"+strconv.Itoa(c.Line))
				if c.Source != "context" || c.File != "c.json" {
					t.Errorf("%+v", c)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
			if tc.name == "password equal to the user" && (!creds[0].Facts.EqualsUser || !creds[0].Facts.Placeholder) {
				t.Errorf("facts %+v", creds[0].Facts)
			}
		})
	}
}
