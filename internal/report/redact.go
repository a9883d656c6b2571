package report

import "strings"

// Redactor masks secrets in the three kinds of string a report holds
// (*secret.Analyzer is one):
//   - Redact: a value from input (a snippet, a name, an endpoint, a
//     parser's message, a suppression reason);
//   - RedactText: the tool's own words mixed with values (a rule's
//     message, a note), without ever masking a word of the tool;
//   - RedactPath: a file path, masked only for what must never be printed
//     even there (an nkey seed used as a file name), so that a path
//     component equal to a password stays and the finding still points at
//     its file.
type Redactor interface {
	Redact(string) string
	RedactText(string) string
	RedactPath(string) string
}

// Redacted returns a copy of r in which every string that comes from input
// is masked by what it holds (see Redactor): the names of roots, targets,
// files and servers, and each finding's message, snippet, target, path,
// endpoint and location, suppression reasons and sources, errors and notes.
// Keys, rule IDs, severities, categories, kinds, titles, fingerprints and
// rule metadata are left alone, and nothing is replaced in rendered bytes:
// a secret that happens to equal one of the tool's words ("results",
// "server", "critical") cannot rename a key, drop a finding or reveal
// itself.
//
// Render applies it before a format escapes anything: once Markdown has
// written "pa_ss*" as "pa\_ss\*", or JSON "a\"b" as "a\\\"b", a pass over
// the rendered bytes no longer finds the secret.
func (r *Report) Redacted(x Redactor) *Report {
	out := *r
	strs := func(xs []string, redact func(string) string) []string {
		if xs == nil {
			return nil
		}
		ys := make([]string, len(xs))
		for i, s := range xs {
			ys[i] = redact(s)
		}
		return ys
	}
	findings := func(fs []Finding) []Finding {
		if fs == nil {
			return nil
		}
		gs := make([]Finding, len(fs))
		for i, f := range fs {
			f.Message, f.Snippet, f.Endpoint = x.RedactText(f.Message), x.Redact(f.Snippet), x.Redact(f.Endpoint)
			f.FixDiff = x.Redact(f.FixDiff)
			f.Target, f.TargetName = redactTarget(x, f.Target, f.TargetName)
			f.Path = x.RedactPath(f.Path)
			if f.Deadline != nil {
				d := *f.Deadline
				d.What = x.RedactText(d.What)
				f.Deadline = &d
			}
			if f.Servers != nil {
				f.Servers = strs(f.Servers, x.Redact) // names like Scan.Servers
			}
			if f.Location != nil {
				l := *f.Location
				l.File = x.RedactPath(l.File)
				f.Location = &l
			}
			if f.Suppression != nil {
				s := *f.Suppression
				s.Reason, s.Until, s.Source = x.Redact(s.Reason), x.Redact(s.Until), x.RedactPath(s.Source)
				f.Suppression = &s
			}
			gs[i] = f
		}
		return gs
	}
	out.Scan.Roots, out.Scan.Files = strs(r.Scan.Roots, x.RedactPath), strs(r.Scan.Files, x.RedactPath)
	if r.Scan.FileDigests != nil {
		out.Scan.FileDigests = make([]FileDigest, len(r.Scan.FileDigests))
		for i, f := range r.Scan.FileDigests {
			f.Path = x.RedactPath(f.Path)
			out.Scan.FileDigests[i] = f
		}
	}
	out.Scan.Targets, out.Scan.Servers = strs(r.Scan.Targets, x.Redact), strs(r.Scan.Servers, x.Redact)
	out.Findings, out.Suppressed = findings(r.Findings), findings(r.Suppressed)
	if r.Errors != nil {
		out.Errors = append(out.Errors[:0:0], r.Errors...)
		for i := range out.Errors {
			e := &out.Errors[i]
			e.File, e.Message, e.Target = x.RedactPath(e.File), x.Redact(e.Message), x.RedactText(e.Target)
		}
	}
	out.Notes = strs(r.Notes, x.RedactText)
	return &out
}

// redactTarget masks a finding's target ("server nats-1", the kind in the
// tool's words and then the name): the name as a value, the kind left
// alone.
func redactTarget(x Redactor, target, name string) (string, string) {
	if name != "" && strings.HasSuffix(target, name) {
		masked := x.Redact(name)
		return target[:len(target)-len(name)] + masked, masked
	}
	return x.RedactText(target), x.Redact(name)
}
