package audit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// maxContext is the number of unchanged lines a fix diff shows on each
// side of the changed line, at most.
const maxContext = 3

var (
	allowNonTLSLine = regexp.MustCompile(`^\s*allow_non_tls\s*[:=]?\s*true\s*,?\s*(#.*)?$`)
	verifyFalseLine = regexp.MustCompile(`^(\s*verify\s*[:=]?\s*)false(\s*,?\s*(?:#.*)?)$`)
	// An image line of the official nats image with a release tag; the
	// variants kept are those published for every release.
	natsImageLine = regexp.MustCompile(`^(\s*(?:-\s+)?image:\s*["']?(?:docker\.io/)?(?:library/)?nats:)(\d+\.\d+\.\d+)((?:-alpine|-scratch|-linux)?["']?\s*(?:#.*)?)$`)
	// A Helm values line that sets the nats image's tag (container.image.tag
	// of the nats chart, image.tag of older charts): the finding points at
	// it only when it is the tag the release runs.
	helmTagLine    = regexp.MustCompile(`^(\s*tag:\s*["']?)(\d+\.\d+\.\d+)((?:-alpine|-scratch|-linux)?["']?\s*(?:#.*)?)$`)
	releaseVersion = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	envFallback    = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):-[^{}$]*\}`) // a default holding another ${...} is no exact edit
)

// fixLine returns the finding's line after its mechanical fix: removed
// (del), or replaced by repl; ok is false when the fix is not an exact
// edit of this line. line is the masked line.
func fixLine(f report.Finding, line string) (repl string, del, ok bool) {
	switch {
	case f.RuleID == "NATS-TLS-002" && f.Path == "config/allow_non_tls":
		return "", true, allowNonTLSLine.MatchString(line)
	case strings.HasSuffix(f.Path, "tls/verify"):
		m := verifyFalseLine.FindStringSubmatch(line)
		if m == nil {
			return "", false, false
		}
		return m[1] + "true" + m[2], false, true
	case f.RuleID == "NATS-VER-001" && f.Path == "deployment/image":
		d := f.Deadline
		if d == nil || d.Kind != finding.DeadlineAdvisoryFix || !releaseVersion.MatchString(d.Version) {
			return "", false, false
		}
		m := natsImageLine.FindStringSubmatch(line)
		if m == nil {
			m = helmTagLine.FindStringSubmatch(line)
		}
		if m == nil || m[2] == d.Version {
			return "", false, false
		}
		return m[1] + d.Version + m[3], false, true
	case f.RuleID == "NATS-CRED-002" && (strings.HasPrefix(f.Path, "vars/") || strings.HasPrefix(f.Path, "deployment/environment/")):
		ms := envFallback.FindAllStringSubmatchIndex(line, -1)
		if len(ms) != 1 {
			return "", false, false
		}
		m := ms[0]
		name := line[m[2]:m[3]]
		return line[:m[0]] + "${" + name + ":?" + name + " is required}" + line[m[1]:], false, true
	}
	return "", false, false
}

// fixDiff is the finding's fix as a unified diff against its file, or ""
// when the fix is not a mechanical edit of its line. Every line it shows
// is the masked line the report would quote: a line whose masking changes
// it holds a secret and is left out (context stops there; the diff is not
// made when the changed line would keep one). The one exception is the
// ${VAR:-default} fallback, whose default is what the fix removes: its
// removed line shows the mask, and the added line holds no value.
func fixDiff(a *secret.Analyzer, lines *lineCache, f report.Finding) string {
	if f.Location == nil || !safeDiffPath(f.Location.File) {
		return ""
	}
	file, n := f.Location.File, f.Location.Line
	total := lines.count(file)
	if n < 1 || n > total || !lines.terminated(file, n) {
		return ""
	}
	raw := lines.line(file, n)
	masked, clean := diffLine(a, lines, file, n)
	if masked == "" && raw != "" {
		return ""
	}
	repl, del, ok := fixLine(f, masked)
	if !ok {
		return ""
	}
	if !clean {
		// Only the fallback's default may have been masked: the fix of
		// the real line must be the same line, with no value in it.
		rawRepl, rawDel, rawOK := fixLine(f, raw)
		if f.RuleID != "NATS-CRED-002" || !rawOK || rawDel || rawRepl != repl || strings.Contains(repl, secret.Mask) {
			return ""
		}
	}
	var before, after []string
	for i := n - 1; i >= 1 && n-i <= maxContext; i-- {
		l, clean := diffLine(a, lines, file, i)
		if !clean {
			break
		}
		before = append([]string{l}, before...)
	}
	for i := n + 1; i <= total && i-n <= maxContext && lines.terminated(file, i); i++ {
		l, clean := diffLine(a, lines, file, i)
		if !clean {
			break
		}
		after = append(after, l)
	}
	if len(before)+len(after) == 0 {
		return ""
	}
	start := n - len(before)
	oldN := len(before) + 1 + len(after)
	newN := oldN
	if del {
		newN--
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n@@ -%d,%d +%d,%d @@\n", file, file, start, oldN, start, newN)
	for _, l := range before {
		b.WriteString(" " + l + "\n")
	}
	b.WriteString("-" + masked + "\n")
	if !del {
		b.WriteString("+" + repl + "\n")
	}
	for _, l := range after {
		b.WriteString(" " + l + "\n")
	}
	return b.String()
}

// diffLine is line n of file as a diff shows it, masked; clean reports
// whether it is the line of the file unchanged (no secret masked, no
// control character dropped, not cut).
func diffLine(a *secret.Analyzer, lines *lineCache, file string, n int) (string, bool) {
	raw := lines.line(file, n)
	if len(raw) > maxSnippet {
		return "", false
	}
	s := secret.RedactSnippet(lines.prev(file, n), raw)
	s = a.Redact(a.RedactAt(file, n, s))
	if printable(s) != s {
		return "", false
	}
	return s, s == raw
}

// safeDiffPath reports whether a relative path can be written in a diff
// header as is: no space, quote, backslash or control character (which git
// would quote), not absolute, no "..".
func safeDiffPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
		return false
	}
	for _, r := range p {
		if r <= ' ' || r == '"' || r == '\\' || r == 0x7f {
			return false
		}
	}
	return true
}
