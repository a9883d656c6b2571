package streams

import (
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Kind is the kind of a stream/consumer definition file (JSON, or YAML
// holding NACK resources).
const Kind = "stream"

// Source recognises stream and consumer definitions (the seam: package
// source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "streams" }

// Recognise implements source.Source.
func (Source) Recognise(base string, _ bool) source.Match {
	if source.HasExt(strings.ToLower(base), ".json", ".yaml", ".yml") {
		return source.Match{Kind: Kind, Level: source.Sniff}
	}
	return source.Match{}
}

var (
	nackKind   = regexp.MustCompile(`(?m)^\s*apiVersion:\s*["']?jetstream\.nats\.io/`)
	streamKeys = regexp.MustCompile(`"(num_replicas|retention|subjects|max_msgs|max_bytes|discard|storage|durable_name|ack_policy|max_deliver)"\s*:`)
)

// Content implements source.Source: JSON with stream or consumer keys,
// YAML with NACK resources.
func (Source) Content(rel string, data []byte, _ bool) string {
	if isJSON(rel) {
		if streamKeys.Match(data) {
			return Kind
		}
		return ""
	}
	if nackKind.Match(data) {
		return Kind
	}
	return ""
}

// Comments implements source.Source: YAML has comments, JSON none.
func (Source) Comments(_, rel string) source.Comments {
	if isJSON(rel) {
		return source.NoComments
	}
	return source.Hash
}

func isJSON(rel string) bool { return strings.HasSuffix(strings.ToLower(rel), ".json") }
