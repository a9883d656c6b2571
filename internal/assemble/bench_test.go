package assemble

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

// BenchmarkBuild parses every discovered file (nats.conf, compose, .env,
// streams) and links them into one inventory, for generated repos of 10 to
// 5,000 config files. Discovery is outside the timed loop (BenchmarkWalk).
func BenchmarkBuild(b *testing.B) {
	a, err := secret.NewAnalyzer(secret.Params{Placeholders: []string{"changeme", "MUST_SET_IN_PRODUCTION"}})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range testgen.BenchSizes() {
		dir, st := testgen.ForBench(b, n)
		d, err := discover.Walk(context.Background(), dir, []string{dir}, discover.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				inv := Build(d, dir, Options{Secrets: a, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
				if len(inv.Servers) != st.Servers {
					b.Fatalf("%d servers, generated %d", len(inv.Servers), st.Servers)
				}
			}
		})
	}
}
