package shell

import (
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Kind is the kind of a shell script that mentions nats.
const Kind = "script"

// Source recognises shell scripts (the seam: package source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "script" }

// Recognise implements source.Source: .sh and .bash files, and files
// whose name says nothing (a shebang decides).
func (Source) Recognise(base string, explicit bool) source.Match {
	switch lower := strings.ToLower(base); {
	case source.HasExt(lower, ".sh", ".bash"):
		return source.Match{Kind: Kind, Level: source.Sniff}
	case source.Unnamed(base, explicit):
		return source.Match{Kind: Kind, Level: source.Fallback}
	}
	return source.Match{}
}

var (
	// shebang of a POSIX shell script (an extensionless file).
	shellShebang = regexp.MustCompile(`^#!\s*(/usr)?/bin/(env\s+)?(ba|da|a|k|z)?sh\b`)
	// natsWord: a script mentions the nats CLI or nats-server.
	natsWord = regexp.MustCompile(`\bnats(-server)?\b`)
)

// Content implements source.Source: a script that mentions nats. A file
// with a shell shebang is a script whatever else it holds: one that does
// not mention nats is no input.
func (Source) Content(rel string, data []byte, _ bool) string {
	if source.HasExt(strings.ToLower(rel), ".sh", ".bash") {
		if source.LooksText(data) && natsWord.Match(data) {
			return Kind
		}
		return ""
	}
	if shellShebang.Match(data) {
		if natsWord.Match(data) {
			return Kind
		}
		return source.Reject
	}
	return ""
}

// Comments implements source.Source: scripts are not read for inline
// ignores (their findings point at nats commands, not at settings).
func (Source) Comments(string, string) source.Comments { return source.NoComments }
