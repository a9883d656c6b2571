package systemd

import (
	"testing"

	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source"
)

// A unit file is hostile input: any bytes parse without a panic.
func FuzzLoad(f *testing.F) {
	f.Add("[Service]\nExecStart=/usr/bin/nats-server -c /etc/nats.conf --js \\\n  --user ${U} --pass $P\nEnvironment=\"U=a\" P=b\nEnvironmentFile=-/etc/default/nats\n")
	f.Add("[Service]\nExecStart=\\\n\nExecStart=\"\nExecStart=-\n[\n]\n[]\n")
	f.Add("[Service]\nExecStart=nats-server '\\")
	a, _ := secret.NewAnalyzer(secret.Params{})
	ctx := &source.Context{Secrets: a, Tree: source.NewTree([]string{"default/nats"}), Read: func(string) ([]byte, error) { return []byte("P=x\n"), nil }}
	f.Fuzz(func(t *testing.T, unit string) {
		(Source{}).Load(ctx, []source.File{{Rel: "u.service", Kind: Kind, Data: []byte(unit)}})
	})
}
