package shell

import (
	"testing"

	"github.com/natsaudit/natsaudit/internal/secret"
)

// FuzzParse: any script is read without a panic, in bounded work.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"nats stream add S --replicas 1\n",
		"cat <<EOF\nx\nEOF\n",
		"a=\"${b:-$(c \"d)\"}\" nats con add S C --max-deliver=-1 \\\n --ack",
		"'unterminated",
		"$(((",
		"${",
		"<<",
		"nats --server nats://u:p@h context save x --password 'q'",
	} {
		f.Add([]byte(s))
	}
	a, err := secret.NewAnalyzer(secret.Params{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		Parse("f.sh", b, a)
	})
}
