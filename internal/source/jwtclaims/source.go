package jwtclaims

import (
	"strings"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Kind is the kind of a NATS JWT file (resolver dirs, operator: files).
const Kind = "jwt"

// Source recognises NATS JWT files (the seam: package source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "jwt" }

// Recognise implements source.Source.
func (Source) Recognise(base string, _ bool) source.Match {
	if strings.HasSuffix(strings.ToLower(base), ".jwt") {
		return source.Match{Kind: Kind, Level: source.Certain}
	}
	return source.Match{}
}

// Content implements source.Source: names decide.
func (Source) Content(string, []byte, bool) string { return "" }

// Comments implements source.Source.
func (Source) Comments(string, string) source.Comments { return source.NoComments }
