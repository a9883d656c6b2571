package discover

import (
	"context"
	"fmt"
	"testing"

	"github.com/natsaudit/natsaudit/internal/testgen"
)

// BenchmarkWalk walks and classifies generated repos of 10 to 5,000 config
// files (plus their .env and stream files), reading each input once.
func BenchmarkWalk(b *testing.B) {
	for _, n := range testgen.BenchSizes() {
		dir, st := testgen.ForBench(b, n)
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := Walk(context.Background(), dir, []string{dir}, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Files) != st.Files {
					b.Fatalf("classified %d files, generated %d", len(res.Files), st.Files)
				}
			}
		})
	}
}
