package natsconf

import (
	"regexp"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Kind is the kind of a nats-server config file.
const Kind = "nats_conf"

// Source recognises nats-server configs (the seam: package source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "config" }

var confName = regexp.MustCompile(`(?i)\.(conf|cfg)$|(?i)nats[^/]*\.(conf|cfg|config)$`)

// Recognise implements source.Source: .conf/.cfg and nats*.config by name;
// a file whose name says nothing when it reads like a config.
func (Source) Recognise(base string, explicit bool) source.Match {
	switch {
	case confName.MatchString(base):
		return source.Match{Kind: Kind, Level: source.Certain}
	case source.Unnamed(base, explicit):
		return source.Match{Kind: Kind, Level: source.Fallback}
	}
	return source.Match{}
}

var confSniff = regexp.MustCompile(`(?m)^\s*(jetstream|cluster|leafnodes|leaf|authorization|accounts|gateway|websocket|mqtt|tls)\s*[:=]?\s*\{|^\s*(http_port|monitor_port|max_payload|server_name|max_connections|no_auth_user|system_account|max_pending|write_deadline|lame_duck_duration)\s*[:=\s]`)

// Content implements source.Source: a file that reads like a config, or
// any file the user named (so that the report says why it cannot be read).
func (Source) Content(_ string, data []byte, explicit bool) string {
	if !source.LooksText(data) {
		if explicit {
			return Kind
		}
		return source.Reject
	}
	if confSniff.Match(data) || explicit {
		return Kind
	}
	return ""
}

// Comments implements source.Source.
func (Source) Comments(string, string) source.Comments { return source.HashSlash }
