// Package natscontext reads NATS CLI context files (the JSON that
// `nats context save` writes to ~/.config/nats/context/NAME.json) committed
// to a repository: their password, token and URL credentials are committed
// credentials (MISS-CONTEXT-JSON). Values become facts at once; only the
// secret analyzer keeps them, for redaction.
package natscontext

import (
	"bytes"
	"encoding/json"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source/yamllimit"
)

// contextKeys are the keys of natscli's context (natscontext.settings).
var contextKeys = map[string]bool{
	"description": true, "url": true, "socks_proxy": true, "token": true, "user": true, "password": true,
	"creds": true, "nkey": true, "cert": true, "key": true, "ca": true, "nsc": true, "jetstream_domain": true,
	"jetstream_api_prefix": true, "jetstream_event_prefix": true, "inbox_prefix": true, "user_jwt": true,
	"color_scheme": true, "tls_first": true, "windows_cert_store": true, "windows_cert_match_by": true,
	"windows_cert_match": true, "windows_ca_certs_match": true,
}

// sniff is the cheap test discovery uses before Parse decides.
var sniff = regexp.MustCompile(`"url"\s*:`)

// Looks reports whether data may be a context file: a JSON object with a
// "url" key. Parse decides.
func Looks(data []byte) bool {
	t := bytes.TrimSpace(data)
	return len(t) > 0 && t[0] == '{' && sniff.Match(data)
}

// Parse reads a context file. ok is false when the document is not a
// context (other keys, or no url with credentials, user or token): it is
// then simply not one of ours.
func Parse(rel string, data []byte, a *secret.Analyzer) (creds []*model.Credential, ok bool) {
	if !Looks(data) || yamllimit.Check(data) != nil || !json.Valid(data) {
		return nil, false
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil || len(n.Content) == 0 {
		return nil, false
	}
	doc := n.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, false
	}
	vals := map[string]*yaml.Node{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if !contextKeys[k.Value] {
			return nil, false // another JSON document with a url key
		}
		if v.Kind == yaml.ScalarNode {
			vals[k.Value] = v
		}
	}
	url := vals["url"]
	if url == nil {
		return nil, false
	}
	user := ""
	if u := vals["user"]; u != nil {
		user = u.Value
	}
	add := func(key, kind string, line int, f *model.Secret) {
		creds = append(creds, &model.Credential{File: rel, Line: line, Source: "context", Key: key, Kind: kind, Facts: f})
	}
	if _, _, pass, ok := secret.URLCredentials(url.Value); ok {
		f, _ := a.URLFacts(url.Value)
		a.MaskAt(rel, url.Line, pass)
		add("url", "url", url.Line, f)
	}
	if p := vals["password"]; p != nil && p.Value != "" && !isRef(p.Value) {
		a.RememberAt(rel, p.Line, p.Value)
		f := a.Describe(p.Value)
		f.EqualsUser = user != "" && user == p.Value
		add("password", "password", p.Line, f)
	}
	if t := vals["token"]; t != nil && t.Value != "" && !isRef(t.Value) {
		a.RememberAt(rel, t.Line, t.Value)
		add("token", "token", t.Line, a.Describe(t.Value))
	}
	return creds, true
}

// isRef: a committed "$NATS_PASSWORD" is a template some tool fills in,
// not a password.
func isRef(v string) bool { return len(v) > 1 && v[0] == '$' }
