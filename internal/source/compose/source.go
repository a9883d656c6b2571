package compose

import (
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Kind is the kind of a compose file.
const Kind = "compose"

// Source recognises compose files (the seam: package source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "compose" }

var composeName = regexp.MustCompile(`^(docker-)?compose([.-][A-Za-z0-9_.-]+)?\.ya?ml$`)

// Recognise implements source.Source: compose.yaml and its variants by
// name; any other YAML by content (IsContent).
func (Source) Recognise(base string, _ bool) source.Match {
	lower := strings.ToLower(base)
	switch {
	case composeName.MatchString(lower):
		return source.Match{Kind: Kind, Level: source.Certain}
	case source.HasExt(lower, ".yaml", ".yml"):
		return source.Match{Kind: Kind, Level: source.Sniff}
	}
	return source.Match{}
}

// Content implements source.Source.
func (Source) Content(_ string, data []byte, _ bool) string {
	if IsContent(data) {
		return Kind
	}
	return ""
}

// Comments implements source.Source.
func (Source) Comments(string, string) source.Comments { return source.Hash }

var (
	composeServices = regexp.MustCompile(`(?m)^services:[ \t]*(#.*)?$`)
	// composeRunsNATS: a service line that runs NATS: an image named
	// nats/nats-server (also under a registry or mirror path), a command
	// or entrypoint running nats-server, or extends: of a file named like
	// NATS.
	composeRunsNATS = regexp.MustCompile(`(?mi)^[ \t]+(image:[ \t]*["']?[^\s"'#]*\bnats(-server)?([:@"'\s]|$)|(command|entrypoint):.*\bnats-server\b|-[ \t]+["']?[^\s"']*nats-server\b|file:[ \t]*["']?[^\s"']*nats[^\s"']*\.ya?ml)`)
)

// IsContent reports whether a YAML file not named like a compose file is
// one: a top-level services: map whose services run NATS (allinone.yml,
// docker/brokers/nats.yml). Other YAML with services: (CI pipelines,
// unrelated stacks) is left alone.
func IsContent(data []byte) bool {
	return composeServices.Match(data) && composeRunsNATS.Match(data)
}
