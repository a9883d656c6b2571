package assemble

import (
	"context"
	"encoding/json"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

// TestParallelBuildIsSequentialBuild: parsing files concurrently gives the
// inventory (refs, order, errors, notes) of a one-CPU build.
func TestParallelBuildIsSequentialBuild(t *testing.T) {
	gen := t.TempDir()
	if _, err := testgen.Generate(gen, testgen.Options{Services: 30, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	// One analyzer for both builds: secret digests are keyed per analyzer.
	a, err := secret.NewAnalyzer(secret.Params{Placeholders: []string{"changeme", "MUST_SET_IN_PRODUCTION"}})
	if err != nil {
		t.Fatal(err)
	}
	build := func(dir string) *model.Inventory {
		d, err := discover.Walk(context.Background(), dir, []string{dir}, discover.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return Build(d, dir, Options{Secrets: a, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	}
	for _, dir := range []string{"../../testdata/repos/sahool", "../../testdata/repos/hardened", gen} {
		prev := runtime.GOMAXPROCS(1)
		seq := build(dir)
		runtime.GOMAXPROCS(4)
		par := build(dir)
		runtime.GOMAXPROCS(prev)
		a, _ := json.Marshal(seq)
		b, _ := json.Marshal(par)
		if string(a) != string(b) {
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			lo := max(i-300, 0)
			t.Errorf("%s: the concurrent build differs from the sequential one at byte %d:\n%s\n%s", dir, i, a[lo:min(i+200, len(a))], b[lo:min(i+200, len(b))])
		}
		if !reflect.DeepEqual(seq.Notes, par.Notes) {
			t.Errorf("%s: notes differ:\n%v\n%v", dir, seq.Notes, par.Notes)
		}
		if len(seq.Servers) == 0 {
			t.Errorf("%s: no servers: the comparison proves nothing", dir)
		}
	}
}

func TestEachCallsEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 100} {
		seen := make([]int32, n)
		each(n, func(i int) { seen[i]++ })
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: index %d called %d times", n, i, c)
			}
		}
	}
}
