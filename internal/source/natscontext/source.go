package natscontext

import (
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Kind is the kind of a NATS CLI context file.
const Kind = "nats_context"

// Source recognises NATS CLI contexts (the seam: package source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "context" }

// Recognise implements source.Source.
func (Source) Recognise(base string, _ bool) source.Match {
	if strings.HasSuffix(strings.ToLower(base), ".json") {
		return source.Match{Kind: Kind, Level: source.Sniff}
	}
	return source.Match{}
}

// contextURL and contextCreds: a NATS CLI context (Parse decides).
var (
	contextURL   = regexp.MustCompile(`"url"\s*:`)
	contextCreds = regexp.MustCompile(`"(user|password|token)"\s*:`)
)

// Content implements source.Source.
func (Source) Content(_ string, data []byte, _ bool) string {
	if contextURL.Match(data) && contextCreds.Match(data) {
		return Kind
	}
	return ""
}

// Comments implements source.Source: JSON has none.
func (Source) Comments(string, string) source.Comments { return source.NoComments }
