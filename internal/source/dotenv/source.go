package dotenv

import (
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Kind is the kind of a .env file.
const Kind = "env"

// Source recognises .env files (the seam: package source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "env" }

var envName = regexp.MustCompile(`^(\.env(\..+)?|.+\.env)$`)

// Recognise implements source.Source.
func (Source) Recognise(base string, _ bool) source.Match {
	lower := strings.ToLower(base)
	if envName.MatchString(lower) && !strings.HasSuffix(lower, ".envrc") {
		return source.Match{Kind: Kind, Level: source.Certain}
	}
	return source.Match{}
}

// Content implements source.Source: names decide.
func (Source) Content(string, []byte, bool) string { return "" }

// Comments implements source.Source.
func (Source) Comments(string, string) source.Comments { return source.Hash }
