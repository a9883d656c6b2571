package audit

import (
	"strings"

	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// ScrubReport is the last line of defence before a report leaves the
// process: it masks secrets in the report's string values, in place, by
// what each field holds. It never touches the report's structure (keys,
// rule IDs, severities, titles, remediation, fingerprints, scores), so a
// password equal to "results" or "findings" cannot rename or drop
// anything, and file paths are masked only for nkey seeds and JWTs (a seed
// used as a file name), so a path component equal to a password stays and
// the finding still points at its file.
//
//   - values from the input (snippets, names, endpoints, parser messages,
//     suppression reasons): every remembered secret (Analyzer.Redact);
//   - the tool's words mixed with values (messages, notes): what is a
//     secret by shape, long secrets, and the input values that hold a
//     secret (Analyzer.RedactText), never the tool's own words;
//   - paths and logical paths: seeds and JWTs only (secret.RedactPath).
//
// Secrets are masked where values are produced (the model carries facts);
// this pass catches what reached the report anyway. It is idempotent.
func ScrubReport(rep *report.Report, a *secret.Analyzer) {
	if rep == nil {
		return
	}
	for i := range rep.Findings {
		scrubFinding(&rep.Findings[i], a)
	}
	for i := range rep.Suppressed {
		scrubFinding(&rep.Suppressed[i], a)
	}
	for i := range rep.Errors {
		e := &rep.Errors[i]
		e.File = secret.RedactPath(e.File)
		e.Message = a.Redact(e.Message)
		e.Target = a.Redact(e.Target)
	}
	for i, n := range rep.Notes {
		rep.Notes[i] = a.RedactText(n)
	}
	paths(rep.Scan.Roots)
	paths(rep.Scan.Files)
	for i, t := range rep.Scan.Targets {
		rep.Scan.Targets[i] = a.Redact(t)
	}
	for i, s := range rep.Scan.Servers {
		rep.Scan.Servers[i] = a.Redact(s)
	}
}

func paths(ps []string) {
	for i, p := range ps {
		ps[i] = secret.RedactPath(p)
	}
}

func scrubFinding(f *report.Finding, a *secret.Analyzer) {
	f.Message = a.RedactText(f.Message)
	f.Snippet = a.Redact(f.Snippet)
	if name := a.Redact(f.TargetName); name != f.TargetName {
		f.TargetName = name
		f.Target = strings.TrimSpace(f.TargetKind + " " + name)
	}
	f.Endpoint = a.Redact(f.Endpoint)
	f.Path = secret.RedactPath(f.Path)
	if f.Location != nil {
		l := *f.Location
		l.File = secret.RedactPath(l.File)
		f.Location = &l
	}
	if s := f.Suppression; s != nil {
		c := *s
		c.Reason = a.Redact(c.Reason)
		c.Source = secret.RedactPath(c.Source)
		f.Suppression = &c
	}
}
