package report

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// fixEdit is a finding's fix diff read back as one edit of one line: the
// line number in the scanned file, the line as it is (Old) and after the
// fix (New; Delete when the line goes).
type fixEdit struct {
	Line     int
	Old, New string
	Delete   bool
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@$`)

// parseFixDiff reads the one-hunk, one-changed-line diffs internal/audit
// writes (fixdiff.go); ok is false for anything else, so that a diff from
// a hand-edited JSON report never becomes an edit.
func parseFixDiff(d string) (e fixEdit, ok bool) {
	lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "--- a/") || !strings.HasPrefix(lines[1], "+++ b/") {
		return e, false
	}
	m := hunkHeader.FindStringSubmatch(lines[2])
	if m == nil {
		return e, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 {
		return e, false
	}
	minus, plus := 0, 0
	for _, l := range lines[3:] {
		switch {
		case strings.HasPrefix(l, " "):
			if minus == 0 {
				n++
			}
		case strings.HasPrefix(l, "-"):
			minus++
			e.Old = l[1:]
		case strings.HasPrefix(l, "+"):
			plus++
			e.New = l[1:]
		default:
			return fixEdit{}, false
		}
	}
	if minus != 1 || plus > 1 {
		return fixEdit{}, false
	}
	e.Line, e.Delete = n, plus == 0
	return e, true
}

// exactFix is the finding's fix as an edit that applies to the scanned
// file as is: never the ${VAR:-default} kind, whose removed line is shown
// masked (docs/reports.md, Fixes as diffs), nor any diff whose removed
// line holds a mask.
func exactFix(f Finding) (fixEdit, bool) {
	if f.FixDiff == "" || f.RuleID == "NATS-CRED-002" || f.Location == nil {
		return fixEdit{}, false
	}
	e, ok := parseFixDiff(f.FixDiff)
	if !ok || e.Line != f.Location.Line || strings.Contains(e.Old, "****") || strings.Contains(e.New, "****") {
		return fixEdit{}, false
	}
	return e, true
}

// utf16Len is the length of s in UTF-16 code units, SARIF's default
// column unit.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

type sarifFix struct {
	Description     sarifMessage          `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLoc   `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifFixRegion `json:"deletedRegion"`
	InsertedContent *sarifContent  `json:"insertedContent,omitempty"`
}

type sarifFixRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

type sarifContent struct {
	Text string `json:"text"`
}

// sarifFixes is the finding's fix as a SARIF fix (3.55): one replacement
// of the exact region of its line — the line's text replaced, or the
// whole line with its line feed deleted. None when the fix is not an
// exact edit.
func sarifFixes(f Finding, uri string) []sarifFix {
	e, ok := exactFix(f)
	if !ok {
		return nil
	}
	rep := sarifReplacement{DeletedRegion: sarifFixRegion{StartLine: e.Line, StartColumn: 1, EndLine: e.Line, EndColumn: utf16Len(e.Old) + 1}}
	desc := "Replace line " + strconv.Itoa(e.Line) + " with: " + strings.TrimSpace(e.New)
	if e.Delete {
		rep.DeletedRegion.EndLine, rep.DeletedRegion.EndColumn = e.Line+1, 1
		desc = "Delete line " + strconv.Itoa(e.Line) + "."
	} else {
		rep.InsertedContent = &sarifContent{Text: e.New}
	}
	return []sarifFix{{
		Description:     sarifMessage{Text: desc},
		ArtifactChanges: []sarifArtifactChange{{ArtifactLocation: sarifArtifactLoc{URI: uri, URIBaseID: SARIFSourceRoot}, Replacements: []sarifReplacement{rep}}},
	}}
}
