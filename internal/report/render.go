package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/natsaudit/natsaudit/internal/finding"
)

// Formats are the output formats of scan and probe.
var Formats = []string{"text", "json", "markdown", "sarif", "html", "junit", "github", "gitlab", "prometheus"}

// RenderOptions are shared by the formats.
type RenderOptions struct {
	Color bool
	// Rules is the catalog the run used. Markdown and SARIF take each rule's
	// description, remediation and references from it; without it they fall
	// back to what the report itself holds.
	Rules []*finding.Rule
	// SourceRoot is the scanned directory relative to the repository root
	// (or absolute when outside any repository). SARIF artifact URIs are
	// report paths joined to it, so that GitHub finds the files.
	SourceRoot string
	// SARIFCategory is the code-scanning category (automationDetails.id is
	// "natsaudit/<category>/"); empty picks "config" or "live".
	SARIFCategory string
	// SARIFIncludeSuppressed keeps suppressed findings in SARIF, marked with
	// suppressions[] (GitHub shows them as open alerts, hence off by default).
	SARIFIncludeSuppressed bool
	// FailOn is the --fail-on severity ("" for high, "never"): JUnit marks
	// findings at or above it as failures, the others as passed with output.
	FailOn string
	// MarkdownMaxBytes bounds the Markdown report (0: DefaultMarkdownMaxBytes,
	// negative: no bound). See WriteMarkdown.
	MarkdownMaxBytes int
	// Redact, when set, masks secrets in every string from input before a
	// format escapes it (see Report.Redacted).
	Redact Redactor
	// Previous is the last audit's JSON report (--previous): Markdown and
	// HTML open with what changed since.
	Previous *Report
	// History is what the HTML report shows of past audits (--history):
	// the trend charts and what changed per rule since the report before.
	History *History
	// Owners assign the remediation plan's actions to people
	// (.natsaudit.yaml owners:), first match wins.
	Owners []Owner
	// Provenance is what the Markdown and HTML reports give the auditor
	// beyond the report itself (settings file hash, CI run, commit).
	Provenance *Provenance
}

// Owner assigns the actions whose rule ID or file matches Match (a glob:
// "NATS-TLS-*", "config/nats/*.conf", "jetstream/**") to Owner, due Due.
type Owner struct {
	Match string `yaml:"match" json:"match"`
	Owner string `yaml:"owner" json:"owner"`
	Due   string `yaml:"due" json:"due,omitempty"`
}

// Provenance says where a report comes from. Every value is plain text from
// the run's environment or flags: never a secret (the CI variables read are
// listed in docs/reports.md), never read from inside .git.
type Provenance struct {
	SettingsFile   string // the .natsaudit.yaml used, "" when none
	SettingsSHA256 string
	Commit         string // --commit, or the CI's commit variable
	// TreeDirty says whether the scanned tree had changes not in Commit
	// (--tree-dirty): nil when not known. natsaudit never reads .git to
	// find out: the checkout may be hostile.
	TreeDirty *bool
	CI        []KV // standard CI variables: name and value
	// Build is how this natsaudit was built (its module version, VCS
	// revision, whether that tree was modified, Go version), "" when not
	// known. The CLI fills it from runtime/debug.ReadBuildInfo; tests give
	// it, so that a golden does not depend on the build that runs it.
	Build string
}

// KV is one named value.
type KV struct{ Key, Value string }

// Render writes r in the named format.
func Render(format string, w io.Writer, r *Report, opt RenderOptions) error {
	if opt.Redact != nil {
		r = r.Redacted(opt.Redact)
	}
	switch format {
	case "text":
		return WriteText(w, r, TextOptions{Color: opt.Color})
	case "json":
		return WriteJSON(w, r)
	case "markdown":
		return WriteMarkdown(w, r, opt)
	case "sarif":
		return WriteSARIF(w, r, opt)
	case "html":
		return WriteHTML(w, r, opt)
	case "junit":
		return WriteJUnit(w, r, opt)
	case "github":
		return WriteGitHub(w, r, opt)
	case "gitlab":
		return WriteGitLab(w, r, opt)
	case "prometheus":
		return WritePrometheus(w, r, opt)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// OwnFix is a finding's own remediation when it differs from its rule's
// (NATS-VER-001 gives the workaround of each advisory that applies), as
// lines with list markers removed; nil when the rule's fix says it all.
// The text is from the rule's output, so renderers escape it. Only
// built-in rules: a custom rule's remediation is shown as its rule's
// (escaped, from the finding when the rule has none).
func OwnFix(rule *finding.Rule, f Finding) []string {
	own := strings.TrimSpace(f.Remediation)
	if own == "" || rule == nil || rule.Custom || own == strings.TrimSpace(rule.Remediation) {
		return nil
	}
	var out []string
	for _, l := range strings.Split(own, "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(l, "- "), "* "))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// RuleFix is the rule's remediation as a report shows it under the rule's
// findings. When every finding carries a fix computed from this deployment
// (OwnFix, not merely the rule's wording for the finding's input format),
// only the rule's first sentence is shown: the rule's generic example
// (another deployment's stream names, sizes and subjects, such as
// `nats stream edit EVENTS --max-bytes 10GB`) would contradict the
// computed fixes right above it, for instance a size that this deployment's
// file store cannot reserve. The whole remediation stays in the catalog
// (rules show, docs/rules.md, SARIF rule help).
func RuleFix(rule *finding.Rule, fs []Finding) string {
	if rule == nil {
		return ""
	}
	fix := strings.TrimSpace(rule.Remediation)
	if fix == "" || len(fs) == 0 {
		return fix
	}
	for _, f := range fs {
		if OwnFix(rule, f) == nil || SourceFix(rule, f) != "" {
			return fix
		}
	}
	return firstSentence(fix)
}

// SourceFix is the finding's fix when it is its rule's wording for the
// finding's input format (custom.remediation_by_source), "" otherwise.
func SourceFix(rule *finding.Rule, f Finding) string {
	if rule == nil || rule.Custom {
		return ""
	}
	own := strings.TrimSpace(f.Remediation)
	for _, src := range finding.RemediationSources {
		if v := rule.RemediationBySource[src]; v != "" && v == own {
			return v
		}
	}
	return ""
}

// History is the trend of this audit and the past ones (--history), as the
// scan's HTML report shows it: the charts of `natsaudit trend`, and per rule
// the findings new, fixed and still open since the report before this one.
// internal/trend computes it; every string is from reports, so the HTML
// renderer escapes it like any other.
type History struct {
	Summary string
	Charts  []Chart
	// From names the report before this one and its date.
	From  string
	Rules []HistoryRule
}

// HistoryRule is one rule's change since the report before.
type HistoryRule struct {
	RuleID, Title         string
	New, Fixed, StillOpen int
}
