package report_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/audit"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/testgen"
)

// BenchmarkRender renders the report of a generated 1,000-config-file repo
// (about 11,000 findings) in each format (docs/performance.md).
func BenchmarkRender(b *testing.B) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10, 1000} {
		dir, _ := testgen.ForBench(b, n)
		res, err := audit.Run(context.Background(), eng, audit.Options{Paths: []string{dir}, Base: dir, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			b.Fatal(err)
		}
		for _, format := range report.Formats {
			b.Run(fmt.Sprintf("files=%d/%s", n, format), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := report.Render(format, io.Discard, res.Report, report.RenderOptions{Rules: eng.Rules()}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(res.Report.Findings)), "findings")
			})
		}
	}
}
