// Package suppress decides which findings a team has accepted: inline
// `natsaudit:ignore` comments next to the code, entries of the exceptions
// file (.natsaudit.yaml) and a baseline (a previous JSON report). Accepted
// findings are moved aside with a record of who accepted them where, why and
// until when; nothing is dropped silently, and an expired exception stops
// suppressing and says so.
package suppress

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/natsaudit/natsaudit/internal/report"
)

// Kinds of suppression (report.Suppression.Kind).
const (
	KindInline    = "inline"
	KindException = "exception"
	KindBaseline  = "baseline"
)

// Options are what findings are checked against.
type Options struct {
	// Files are the scanned files whose comments are read. All of them are
	// read, not only those with findings, so that stale comments are noted.
	Files      []File
	Exceptions []Exception
	Baseline   *Baseline
	Now        time.Time
	// Known reports whether a rule ID exists, to flag typos in comments;
	// nil accepts every ID.
	Known func(id string) bool
}

// Result splits findings into reported and suppressed ones.
type Result struct {
	Findings   []report.Finding
	Suppressed []report.Finding
	// Notes go into the report: what was suppressed by what, what expired,
	// what matched nothing.
	Notes []string
	// Warnings need the user's attention (also shown on stderr): malformed
	// comments, missing reasons, expired exceptions. Each is also a note.
	Warnings []string
}

// Apply checks each finding against the inline comments, then the
// exceptions, then the baseline; the first that covers it suppresses it.
func Apply(findings []report.Finding, opt Options) Result {
	res := Result{Findings: []report.Finding{}, Suppressed: []report.Finding{}}
	warn := func(s string) {
		res.Warnings = append(res.Warnings, s)
	}

	// Inline comments, indexed by file and covered line.
	type key struct {
		file string
		line int
	}
	byLine := map[key][]*Directive{}
	var directives []*Directive
	for _, f := range opt.Files {
		for _, d := range ParseInline(f) {
			directives = append(directives, d)
			for _, p := range d.Problems {
				warn(fmt.Sprintf("%s: %s", d.Source(), p))
			}
			for _, id := range d.Rules {
				if opt.Known != nil && !opt.Known(id) {
					warn(fmt.Sprintf("%s: natsaudit:ignore names unknown rule %s (natsaudit rules list shows the catalog)", d.Source(), id))
				}
			}
			for _, l := range d.Lines {
				byLine[key{d.File, l}] = append(byLine[key{d.File, l}], d)
			}
		}
	}
	usedDirective := map[*Directive]bool{}
	expiredDirective := map[*Directive]bool{}
	usedException := map[int]bool{}
	expiredException := map[int]bool{}
	baselined := map[string]bool{}

	for _, f := range findings {
		var sup *report.Suppression
		var expired []string
		if f.Location != nil {
			for _, d := range byLine[key{f.Location.File, f.Location.Line}] {
				if d.invalid || !slices.Contains(d.Rules, f.RuleID) {
					continue
				}
				if d.expiry.expired(opt.Now) {
					expiredDirective[d] = true
					expired = append(expired, fmt.Sprintf("ignore comment at %s expired on %s", d.Source(), d.Until))
					continue
				}
				usedDirective[d] = true
				sup = &report.Suppression{Kind: KindInline, Reason: d.Reason, Until: d.Until, Source: d.Source()}
				break
			}
		}
		if sup == nil {
			for i := range opt.Exceptions {
				e := &opt.Exceptions[i]
				if !e.matches(&f) {
					continue
				}
				if e.tooSevere(&f) {
					usedException[i] = true
					expired = append(expired, fmt.Sprintf("the exception at %s accepts up to %s; this finding is %s", e.Source, e.MaxSeverity, f.Severity))
					continue
				}
				if e.expiry.expired(opt.Now) {
					expiredException[i] = true
					expired = append(expired, fmt.Sprintf("exception at %s expired on %s", e.Source, e.Expires))
					continue
				}
				usedException[i] = true
				sup = &report.Suppression{Kind: KindException, Reason: e.Reason, Until: e.Expires, Source: e.Source}
				break
			}
		}
		if sup == nil && opt.Baseline != nil {
			if ok, why := opt.Baseline.match(&f); ok {
				baselined[f.Fingerprint] = true
				reason := "accepted in the baseline"
				if d := dateOf(opt.Baseline.Date); d != "" {
					reason += " of " + d
				}
				sup = &report.Suppression{Kind: KindBaseline, Reason: reason, Source: opt.Baseline.Source}
			} else if why != "" {
				baselined[f.Fingerprint] = true
				// Reported, and its message says why the baseline no
				// longer covers it (like an expired suppression).
				expired = append(expired, "escalated since the baseline: "+why)
			}
		}
		if sup != nil {
			f.Suppression = sup
			res.Suppressed = append(res.Suppressed, f)
			continue
		}
		if len(expired) > 0 {
			// The finding is back; its message says why it is no longer
			// suppressed, in every format.
			f.Message += " (" + strings.Join(expired, "; ") + ")"
		}
		res.Findings = append(res.Findings, f)
	}

	// What the team should know about its suppressions.
	var notes []string
	for _, d := range directives {
		switch {
		case expiredDirective[d]:
			warn(fmt.Sprintf("%s: the ignore comment for %s expired on %s and no longer suppresses its findings", d.Source(), strings.Join(d.Rules, ", "), d.Until))
		case !d.invalid && !usedDirective[d] && d.expiry.expired(opt.Now):
			notes = append(notes, fmt.Sprintf("%s: the ignore comment for %s expired on %s (it matches no finding now: remove it)", d.Source(), strings.Join(d.Rules, ", "), d.Until))
		case !d.invalid && !usedDirective[d]:
			notes = append(notes, fmt.Sprintf("%s: the ignore comment for %s matches no finding (fixed? then remove it)", d.Source(), strings.Join(d.Rules, ", ")))
		}
	}
	for i, e := range opt.Exceptions {
		switch {
		case expiredException[i]:
			warn(fmt.Sprintf("%s: the exception for %s expired on %s and no longer suppresses its findings", e.Source, e.Rule, e.Expires))
		case !usedException[i] && e.expiry.expired(opt.Now):
			notes = append(notes, fmt.Sprintf("%s: the exception for %s expired on %s (it matches no finding now: remove it)", e.Source, e.Rule, e.Expires))
		case !usedException[i]:
			notes = append(notes, fmt.Sprintf("%s: the exception for %s matches no finding in this scan", e.Source, e.Rule))
		}
	}
	if b := opt.Baseline; b != nil {
		gone := b.Len() - len(baselined)
		notes = append(notes, fmt.Sprintf("baseline %s: %d of its %d findings are still present and not counted; %d no longer found", b.Source, len(baselined), b.Len(), gone))
	}
	counts := map[string]int{}
	for _, f := range res.Suppressed {
		counts[f.Suppression.Kind]++
	}
	if len(res.Suppressed) > 0 {
		var parts []string
		for _, k := range []string{KindInline, KindException, KindBaseline} {
			if counts[k] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
			}
		}
		notes = append([]string{fmt.Sprintf("%d findings suppressed (%s); they are listed as suppressed and not counted in scores or --fail-on", len(res.Suppressed), strings.Join(parts, ", "))}, notes...)
	}
	sort.Strings(res.Warnings)
	res.Warnings = slices.Compact(res.Warnings)
	res.Notes = append(notes, res.Warnings...)
	return res
}

// dateOf is the date part of an RFC 3339 time, or "".
func dateOf(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format(time.DateOnly)
	}
	return ""
}
