package report

import (
	"fmt"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// fillAudit copies the audit view into the HTML report's data, each string
// from input made safe with htmlText (html/template escapes it again for
// where it lands).
func (d *htmlReport) fillAudit(r *Report, v *auditView, opt RenderOptions) {
	if opt.Previous != nil {
		df := Compare(opt.Previous, r)
		s := &htmlSince{Summary: htmlText(df.Summary), Fixed: df.Counts.Fixed, New: df.Counts.New, Escalated: df.Counts.Escalated,
			StillOpen: df.Counts.StillOpen, Suppressed: df.Counts.Suppressed, Unchecked: df.Counts.Unchecked, Overall: htmlText(scoreText(df.Overall))}
		list := func(es []DiffEntry) []string {
			var out []string
			for _, e := range es {
				x := fmt.Sprintf("%s (%s) at %s", e.RuleID, e.Severity, whereOf(e.Finding))
				if e.Note != "" {
					x += ": " + e.Note
				}
				out = append(out, htmlText(x))
			}
			return out
		}
		s.NewList, s.EscalatedList, s.FixedList = list(df.Added), list(df.Escalated), list(df.Fixed)
		d.Since = s
	}
	if hs := opt.History; hs != nil {
		x := &History{Summary: htmlText(hs.Summary), From: htmlText(hs.From), Charts: hs.Charts}
		for _, r := range hs.Rules {
			x.Rules = append(x.Rules, HistoryRule{RuleID: htmlText(r.RuleID), Title: htmlText(r.Title), New: r.New, Fixed: r.Fixed, StillOpen: r.StillOpen})
		}
		d.History = x
	}
	for _, x := range v.Exec {
		d.Exec = append(d.Exec, htmlText(x))
	}
	for _, x := range v.Deadlines {
		d.Deadlines = append(d.Deadlines, htmlDeadline{When: htmlText(x.When()), Kind: htmlText(x.Kind), What: htmlText(x.What), Where: htmlText(x.Where)})
	}
	for _, c := range finding.CategoryNames() {
		cs := r.Scores.Categories[c]
		if cs.Score == nil {
			d.Scores = append(d.Scores, fmt.Sprintf("%s: n/a (no %s rule could be evaluated on these inputs)", Title(c), c))
			continue
		}
		d.Scores = append(d.Scores, strings.ReplaceAll(categoryLine(c, cs), "**", ""))
	}
	if r.Scores.GradeWithheld != "" {
		d.Withheld = htmlText("No grade, because " + r.Scores.GradeWithheld + ".")
	}
	d.Owners = len(opt.Owners) > 0
	root := "."
	if len(r.Scan.Roots) == 1 {
		root = r.Scan.Roots[0]
	}
	d.Rescan = htmlText("natsaudit scan " + shellWord(root) + " --format json | jq '[.findings[] | select(.rule_id == \"RULE\")] | length'")
	for _, g := range v.Good {
		d.Good = append(d.Good, htmlText(g))
	}
	var pass []string
	for _, c := range v.Controls {
		if c.Status == "pass" {
			pass = append(pass, c.ID)
		}
	}
	d.Pass = htmlText(strings.Join(pass, ", "))
	for _, x := range v.Scope {
		d.Scope = append(d.Scope, htmlText(x))
	}
	d.Provenance = provenanceRows(r, catalogIndex(opt.Rules), opt.Provenance)
	for i := range d.Provenance {
		d.Provenance[i].Value = htmlText(d.Provenance[i].Value)
	}
}

// provenanceRows are the provenance facts as name/value pairs (plain text).
func provenanceRows(r *Report, cat map[string]*engineRule, p *Provenance) []KV {
	out := []KV{
		{"Tool", nonEmpty(r.Tool.Name, "natsaudit") + " " + nonEmpty(r.Tool.Version, "(unknown version)")},
		{"Build", buildText(p)},
		{"Ruleset digest", fmt.Sprintf("%s (%s)", rulesetDigest(cat), plural(len(r.Rules), "rule"))},
		{"Advisory data", nonEmpty(r.Tool.AdvisoriesDate, "undated")},
	}
	if len(r.Scan.FileDigests) > 0 {
		out = append(out, KV{"Files read", filesProvenance(r.Scan.FileDigests, r.Scan.FilesSHA256)})
	}
	if p != nil && p.SettingsFile != "" {
		out = append(out, KV{"Settings file", p.SettingsFile + ", SHA-256 " + p.SettingsSHA256})
	} else {
		out = append(out, KV{"Settings file", "none"})
	}
	if p != nil && p.Commit != "" {
		out = append(out, KV{"Commit", p.Commit})
	} else {
		out = append(out, KV{"Commit", "not given (pass --commit, or run in CI); natsaudit does not read .git"})
	}
	switch {
	case p != nil && p.TreeDirty != nil && *p.TreeDirty:
		out = append(out, KV{"Scanned tree", "dirty: it had changes that are not in the commit (--tree-dirty)"})
	case p != nil && p.TreeDirty != nil:
		out = append(out, KV{"Scanned tree", "clean: as committed (--tree-dirty=false)"})
	default:
		out = append(out, KV{"Scanned tree", "not known whether it had uncommitted changes (pass --tree-dirty=true or false); natsaudit does not read .git"})
	}
	if p != nil {
		for _, x := range p.CI {
			out = append(out, KV{"CI " + x.Key, x.Value})
		}
	}
	out = append(out, KV{"Report digest", "the last line of this file: the SHA-256 of every line above it, with the command that checks it"})
	return out
}

type engineRule = finding.Rule

// buildText is the provenance's build of natsaudit, or why it is not known.
func buildText(p *Provenance) string {
	if p == nil || p.Build == "" {
		return "not known"
	}
	return p.Build
}

// fileDigestText is a file's digest as plain text, or why it has none.
func fileDigestText(f FileDigest) string {
	if f.SHA256 != "" {
		return "sha256:" + f.SHA256
	}
	return "SHA-256 withheld: " + nonEmpty(f.Withheld, WithheldUnread)
}

// filesProvenance sums up the digests of the files read: how many were
// hashed, how many withheld and why, and the digest of the hashed list.
func filesProvenance(fs []FileDigest, list string) string {
	hashed, secret, unread := 0, 0, 0
	for _, f := range fs {
		switch {
		case f.SHA256 != "":
			hashed++
		case f.Withheld == WithheldSecret:
			secret++
		default:
			unread++
		}
	}
	s := fmt.Sprintf("%s: %d hashed (each SHA-256 is listed with the files read)", plural(len(fs), "file"), hashed)
	if secret > 0 {
		s += fmt.Sprintf("; %d withheld because they hold a secret (a digest would confirm a guess of it)", secret)
	}
	if unread > 0 {
		s += fmt.Sprintf("; %d not hashed (not parsed, or could not be read again)", unread)
	}
	if list != "" {
		s += "; SHA-256 of the hashed list: " + list + " (sha256sum FILE... | sha256sum from the project root, the hashed files in the listed order)"
	}
	return s
}
