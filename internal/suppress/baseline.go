package suppress

import "github.com/natsaudit/natsaudit/internal/report"

// Baseline is the set of findings a team has accepted as they were when it
// adopted natsaudit: a previous JSON report. Findings are matched by
// fingerprint (rule, file, target, logical path; never the line), so edits
// elsewhere in a file do not make an old finding new.
type Baseline struct {
	Source string // the baseline file, as given
	Date   string // when the baseline report was made
	fps    map[string]bool
}

// NewBaseline takes the open findings of a report, plus the ones it had
// itself baselined (so that a report made with --baseline still works as the
// next baseline).
func NewBaseline(source string, r *report.Report) *Baseline {
	b := &Baseline{Source: source, Date: r.Scan.Started, fps: map[string]bool{}}
	for _, f := range r.Findings {
		b.fps[f.Fingerprint] = true
	}
	for _, f := range r.Suppressed {
		if f.Suppression != nil && f.Suppression.Kind == KindBaseline {
			b.fps[f.Fingerprint] = true
		}
	}
	return b
}

// Len is the number of baselined findings.
func (b *Baseline) Len() int { return len(b.fps) }
