package rules_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/assemble"
	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
)

// BenchmarkLargeInventory evaluates the whole catalog over the sahool
// example's server copied 60 times, each with 40 authorization users and 5
// accounts of 10 users: about 5,400 users, the size where a rule that passes
// a whole config to a per-user function, or walks every config several
// times, becomes visible (run with -bench LargeInventory -benchtime 3x).
func BenchmarkLargeInventory(b *testing.B) {
	ctx := context.Background()
	eng, err := engine.New(ctx, engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	secrets, err := audit.NewAnalyzer(eng)
	if err != nil {
		b.Fatal(err)
	}
	d, err := discover.Walk(ctx, ".", []string{"../testdata/repos/sahool"}, discover.Options{})
	if err != nil {
		b.Fatal(err)
	}
	base := assemble.Build(d, ".", assemble.Options{Secrets: secrets, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	src := base.Servers[0]
	users := src.Config["authorization"].(map[string]any)["users"].([]any)
	inv := *base
	inv.Servers = nil
	for i := range 60 {
		s := *src
		s.Ref, s.Name = model.RefTo(model.RefServer, i), fmt.Sprintf("nats-%d", i)
		cfg := map[string]any{}
		for k, v := range src.Config {
			cfg[k] = v
		}
		var list []any
		for j := range 40 {
			u := map[string]any{}
			for k, v := range users[j%len(users)].(map[string]any) {
				u[k] = v
			}
			u["user"] = fmt.Sprintf("u%d", j)
			list = append(list, u)
		}
		cfg["authorization"] = map[string]any{"users": list}
		accounts := map[string]any{}
		for k := range 5 {
			accounts[fmt.Sprintf("A%d", k)] = map[string]any{"users": list[:10]}
		}
		cfg["accounts"] = accounts
		s.Config = cfg
		inv.Servers = append(inv.Servers, &s)
	}
	input, err := audit.Input(&inv)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		raws, err := eng.Eval(ctx, input)
		if err != nil {
			b.Fatal(err)
		}
		if len(raws) == 0 {
			b.Fatal("no findings")
		}
	}
}
