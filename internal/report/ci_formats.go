package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strings"
)

// repoPath is a report path relative to the repository root (SourceRoot
// joined), where GitHub and GitLab look for the file. An absolute root
// (a scan outside any repository) leaves the path as the report has it.
func repoPath(root, file string) string {
	file = toSlash(file)
	if strings.HasPrefix(root, "/") || isWindowsAbs(root) {
		return file
	}
	r := strings.Trim(path.Clean("/"+strings.TrimPrefix(toSlash(root), "./")), "/")
	if r == "" {
		return file
	}
	return path.Join(r, file)
}

// GitHub workflow commands (docs.github.com, "Workflow commands for GitHub
// Actions"): one annotation per finding,
//
//	::error file=config/nats.conf,line=37,title=NATS-TLS-002 …::message
//
// critical and high are errors, medium warnings, low and info notices. The
// runner reads a command from any line that starts (after white space) with
// "::", and legacy "##[" commands anywhere in a line; so every untrusted
// string is made one line first (TerminalSafe: controls and line breaks as
// visible escapes, "##[" broken), then escaped per GitHub's rules: % as %25,
// CR as %0D, LF as %0A, and in properties also : as %3A and , as %2C. The
// only line breaks in the output are the ones between commands, and every
// line starts with the command natsaudit chose.

var ghLevel = map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}

// WriteGitHub renders the findings as GitHub workflow commands.
func WriteGitHub(w io.Writer, r *Report, opt RenderOptions) error {
	var b strings.Builder
	// An audit that is not complete (a rule failed, nothing parsed,
	// nothing found) says so first: the annotations alone would read as
	// the whole picture.
	if msg := StatusMessage(r); msg != "" {
		fmt.Fprintf(&b, "::warning title=%s::%s\n", ghProperty("natsaudit: incomplete audit"), ghData(sentence(msg)))
	}
	for _, e := range r.Errors {
		if e.Kind == ErrorKindRule {
			fmt.Fprintf(&b, "::warning title=%s::%s\n", ghProperty("natsaudit: rule package not evaluated"), ghData(sentence(e.Target+" "+e.Message)))
		}
	}
	for _, f := range r.Findings {
		level := ghLevel[string(f.Severity)]
		if level == "" {
			level = "warning"
		}
		var props []string
		if f.Location != nil && f.Location.File != "" {
			props = append(props, "file="+ghProperty(repoPath(opt.SourceRoot, f.Location.File)))
			if f.Location.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Location.Line))
			}
			if f.Location.Column > 0 {
				props = append(props, fmt.Sprintf("col=%d", f.Location.Column))
			}
		}
		props = append(props, "title="+ghProperty(fmt.Sprintf("%s %s (%s)", f.RuleID, f.Title, f.Severity)))
		msg := []string{ghData(sentence(resultMessage(f)) + serversSentence(f))}
		if f.Location == nil && f.Endpoint != "" {
			msg = append(msg, ghData("live: "+f.Endpoint+" "+f.Path))
		}
		if f.Snippet != "" {
			msg = append(msg, ghData("| "+f.Snippet))
		}
		if fix := firstSentence(f.Remediation); fix != "" {
			msg = append(msg, ghData("fix: "+fix))
		}
		// %0A is a line break in the annotation, not in the log.
		fmt.Fprintf(&b, "::%s %s::%s\n", level, strings.Join(props, ","), strings.Join(msg, "%0A"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData escapes a command's message.
func ghData(s string) string {
	s = TerminalSafe(s)
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a command's property value.
func ghProperty(s string) string {
	s = TerminalSafe(s)
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// GitLab Code Quality (docs.gitlab.com, "Code Quality" report format): a
// JSON array of issues that merge request widgets show. GitLab's five
// severities take natsaudit's five in order. A finding without a file (a
// live one) points at the scanned root, line 1, and names its endpoint.

var glSeverity = map[string]string{"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}

type glIssue struct {
	Type        string     `json:"type"`
	Description string     `json:"description"`
	CheckName   string     `json:"check_name"`
	Fingerprint string     `json:"fingerprint"`
	Severity    string     `json:"severity"`
	Categories  []string   `json:"categories,omitempty"`
	Location    glLocation `json:"location"`
}

type glLocation struct {
	Path  string  `json:"path"`
	Lines glLines `json:"lines"`
}

type glLines struct {
	Begin int `json:"begin"`
}

var glCategory = map[string]string{"security": "Security", "reliability": "Bug Risk", "performance": "Performance", "operations": "Bug Risk"}

// WriteGitLab renders the findings as a GitLab Code Quality report.
func WriteGitLab(w io.Writer, r *Report, opt RenderOptions) error {
	issues := make([]glIssue, 0, len(r.Findings))
	for _, f := range r.Findings {
		is := glIssue{
			Type:        "issue",
			Description: fmt.Sprintf("%s: %s", f.Title, sentence(resultMessage(f))+serversSentence(f)),
			CheckName:   f.RuleID,
			Fingerprint: f.Fingerprint,
			Severity:    nonEmpty(glSeverity[string(f.Severity)], "info"),
		}
		if c := glCategory[string(f.Category)]; c != "" {
			is.Categories = []string{c}
		}
		if f.Location != nil && f.Location.File != "" {
			is.Location = glLocation{Path: repoPath(opt.SourceRoot, f.Location.File), Lines: glLines{Begin: max(f.Location.Line, 1)}}
		} else {
			is.Location = glLocation{Path: nonEmpty(repoPath(opt.SourceRoot, "."), "."), Lines: glLines{Begin: 1}}
			if f.Endpoint != "" {
				is.Description += " (live: " + f.Endpoint + ")"
			}
		}
		issues = append(issues, is)
	}
	// An incomplete audit is one more issue at the scanned root, so that
	// the merge request widget does not read as the whole picture.
	if msg := StatusMessage(r); msg != "" {
		sum := sha256.Sum256([]byte("natsaudit-incomplete\x00" + msg))
		issues = append(issues, glIssue{Type: "issue", Description: "natsaudit: incomplete audit: " + sentence(msg), CheckName: "natsaudit-incomplete",
			Fingerprint: hex.EncodeToString(sum[:16]), Severity: "major",
			Location: glLocation{Path: nonEmpty(repoPath(opt.SourceRoot, "."), "."), Lines: glLines{Begin: 1}}})
	}
	return writeJSON(w, issues)
}
