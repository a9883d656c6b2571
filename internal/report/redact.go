package report

// Redacted returns a copy of r in which redact has been applied to every
// string that comes from input: names of roots, targets, files and
// servers, and each finding's message, snippet, target, path, endpoint and
// location, suppression reasons and sources, errors and notes. Keys, rule
// IDs, severities, categories, kinds, fingerprints and rule metadata are
// left alone: a secret that happens to equal one of the tool's words must
// not change the report's structure.
//
// Render applies it before a format escapes anything: once Markdown has
// written "pa_ss*" as "pa\_ss\*", or JSON "a\"b" as "a\\\"b", a pass over
// the rendered bytes no longer finds the secret.
func (r *Report) Redacted(redact func(string) string) *Report {
	out := *r
	strs := func(xs []string) []string {
		if xs == nil {
			return nil
		}
		ys := make([]string, len(xs))
		for i, x := range xs {
			ys[i] = redact(x)
		}
		return ys
	}
	findings := func(fs []Finding) []Finding {
		if fs == nil {
			return nil
		}
		gs := make([]Finding, len(fs))
		for i, f := range fs {
			f.Message, f.Snippet, f.Target, f.TargetName = redact(f.Message), redact(f.Snippet), redact(f.Target), redact(f.TargetName)
			f.Path, f.Endpoint = redact(f.Path), redact(f.Endpoint)
			if f.Location != nil {
				l := *f.Location
				l.File = redact(l.File)
				f.Location = &l
			}
			if f.Suppression != nil {
				s := *f.Suppression
				s.Reason, s.Until, s.Source = redact(s.Reason), redact(s.Until), redact(s.Source)
				f.Suppression = &s
			}
			gs[i] = f
		}
		return gs
	}
	out.Scan.Roots, out.Scan.Targets = strs(r.Scan.Roots), strs(r.Scan.Targets)
	out.Scan.Files, out.Scan.Servers = strs(r.Scan.Files), strs(r.Scan.Servers)
	out.Findings, out.Suppressed = findings(r.Findings), findings(r.Suppressed)
	if r.Errors != nil {
		out.Errors = append(out.Errors[:0:0], r.Errors...)
		for i := range out.Errors {
			e := &out.Errors[i]
			e.File, e.Message, e.Target = redact(e.File), redact(e.Message), redact(e.Target)
		}
	}
	out.Notes = strs(r.Notes)
	return &out
}
