package compose

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

// TestCommandSecretsInEveryForm: whatever form a compose command line has
// (string, exec-form list, block list, entrypoint, -flag=value, single
// dash), the model holds facts, never the secrets nats-server takes on
// its command line, however short: --pass, --auth, --user (hidden like
// nats-server's own RedactArgs), the userinfo of --routes, --cluster and
// --cluster_listen URLs (a password or a bare token).
func TestCommandSecretsInEveryForm(t *testing.T) {
	secrets := []string{"Qz9", "tk1", "rp", "tk2", "c1", "adm1n", "Wv4"}
	for name, svc := range map[string]string{
		"string":     `    command: nats-server --user adm1n --pass Qz9 --routes nats://ru:rp@n2:6222,nats://tk2@n3:6222 --cluster nats://cu:c1@0.0.0.0:6222`,
		"exec form":  `    command: ["--user","adm1n","--pass","Qz9","--routes","nats://ru:rp@n2:6222,nats://tk2@n3:6222","--cluster","nats://cu:c1@0.0.0.0:6222"]`,
		"block list": "    command:\n      - --user\n      - adm1n\n      - --pass\n      - Qz9\n      - --routes\n      - nats://ru:rp@n2:6222,nats://tk2@n3:6222\n      - --cluster\n      - nats://cu:c1@0.0.0.0:6222",
		"entrypoint": `    entrypoint: ["nats-server","-user","adm1n","-pass","Qz9","-routes","nats://ru:rp@n2:6222,nats://tk2@n3:6222","-cluster_listen","nats://cu:c1@0.0.0.0:6222"]`,
		"equals":     `    command: ["--user=adm1n","--pass=Qz9","--routes=nats://ru:rp@n2:6222,nats://tk2@n3:6222","--cluster=nats://cu:c1@0.0.0.0:6222"]`,
		"auth":       `    command: ["--auth","Wv4","--routes","nats://ru:rp@n2:6222,nats://tk2@n3:6222","--user","adm1n","--pass","Qz9","--cluster","nats://cu:c1@0.0.0.0:6222"]`,
	} {
		t.Run(name, func(t *testing.T) {
			p := load(t, nil, Input{Rel: "compose.yaml", Data: []byte("services:\n  nats:\n    image: nats:2.12.1\n" + svc + "\n")})
			if len(p.Errors) > 0 || len(p.Services) != 1 {
				t.Fatalf("project = %+v", p)
			}
			s := p.Services[0]
			cmd := strings.Join(s.Deployment.Command, " ")
			b, err := json.Marshal(map[string]any{"d": s.Deployment, "c": s.FlagConfig})
			if err != nil {
				t.Fatal(err)
			}
			for _, sec := range secrets {
				for _, w := range strings.FieldsFunc(cmd, func(r rune) bool { return strings.ContainsRune(" =,:@/", r) }) {
					if w == sec {
						t.Errorf("the command line shows %q: %s", sec, cmd)
					}
				}
				if sec == "adm1n" {
					continue // the model keeps the user name: a fact rules need
				}
				if strings.Contains(string(b), `"`+sec+`"`) || strings.Contains(string(b), ":"+sec+"@") || strings.Contains(string(b), "//"+sec+"@") {
					t.Errorf("the model holds %q: %s", sec, b)
				}
			}
			auth, _ := s.FlagConfig["authorization"].(map[string]any)
			if pw, ok := auth["password"].(*model.Secret); !ok || pw.Length != 3 {
				t.Errorf("password facts = %#v", auth["password"])
			}
			if auth["user"] != "adm1n" {
				t.Errorf("the model lost the user name: %#v", auth["user"])
			}
		})
	}
}
