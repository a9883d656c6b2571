package report

import (
	"fmt"
	"sort"
)

// DefaultMarkdownMaxBytes is what a GitHub pull request comment or issue
// body holds (65,536 characters; counted here in bytes, which is never
// fewer). A job summary holds more (1 MiB), a comment is the tighter bound.
const DefaultMarkdownMaxBytes = 65536

// Levels of detail the Markdown report gives up, in this order, before it
// leaves out findings: a reader keeps every finding's place and message
// for as long as possible.
const (
	mdFull       = iota
	mdFixOnly    // per rule: the first sentence of the fix; no "why", no references
	mdNoSnippets // no snippets, no list of files read
	mdNoFix      // no fix per rule (Recommendations still give it)
)

// mdLimit says what a shortened Markdown report leaves out.
type mdLimit struct {
	detail int
	note   string
}

// fitMarkdown renders the report within opt.MarkdownMaxBytes: first with
// less detail per finding, then, if that is not enough, with the findings
// of lowest severity left out (the summary still counts them). The report
// says what it left out, at the top.
func fitMarkdown(r *Report, opt RenderOptions, full int) string {
	// The digest line ends every Markdown report: the body gets the rest.
	limit := opt.MarkdownMaxBytes - mdDigestLen
	note := func(detail, shown int) string {
		what := map[int]string{
			mdFixOnly:    "the explanations and references of each rule",
			mdNoSnippets: "the explanations, references and snippets of each rule and the list of files read",
			mdNoFix:      "the explanations, fixes, references and snippets of each rule and the list of files read",
		}[detail]
		s := fmt.Sprintf("**This report was shortened** to fit %d bytes (the full one has %d): it leaves out %s", opt.MarkdownMaxBytes, full+mdDigestLen, what)
		if shown < len(r.Findings) {
			s += fmt.Sprintf(", and %d of the %d findings, those of lowest severity (the counts above include them)", len(r.Findings)-shown, len(r.Findings))
		}
		return s + ". The complete report: `--format html`, `--format json`, or `--markdown-max-bytes 0`."
	}
	var out string
	for detail := mdFixOnly; detail <= mdNoFix; detail++ {
		out = renderMarkdown(r, opt, mdLimit{detail: detail, note: note(detail, len(r.Findings))})
		if len(out) <= limit {
			return out
		}
	}
	// Keep the most severe findings (the report holds them in that order):
	// the largest prefix that fits.
	with := func(k int) string {
		cut := *r
		cut.Findings = r.Findings[:k]
		return renderMarkdown(&cut, opt, mdLimit{detail: mdNoFix, note: note(mdNoFix, k)})
	}
	k := sort.Search(len(r.Findings)+1, func(k int) bool { return len(with(k)) > limit }) - 1
	if k < 0 {
		// Even without findings the report is too large (thousands of
		// read errors or notes): give the smallest there is.
		k = 0
	}
	return with(k)
}
