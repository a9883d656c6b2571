package kube

import (
	"bytes"
	"regexp"

	seam "github.com/natsaudit/natsaudit/internal/source"
)

// Kind is the kind of a file of Kubernetes manifests.
const Kind = "kubernetes"

// Source recognises Kubernetes manifests (the seam: package source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "kubernetes" }

// Recognise implements source.Source: any YAML file may hold manifests.
func (Source) Recognise(base string, _ bool) seam.Match {
	if yamlName(base) {
		return seam.Match{Kind: Kind, Level: seam.Sniff}
	}
	return seam.Match{}
}

// Content implements source.Source: YAML with apiVersion and kind, at least
// one resource of which is not a NACK one (NACK-only files are stream
// files).
func (Source) Content(_ string, data []byte, _ bool) string {
	if !manifestKindLine.Match(data) {
		return ""
	}
	for _, m := range manifestAPIVersion.FindAllSubmatch(data, 64) {
		if !bytes.HasPrefix(m[1], []byte("jetstream.nats.io/")) {
			return Kind
		}
	}
	return ""
}

// Comments implements source.Source.
func (Source) Comments(string, string) seam.Comments { return seam.Hash }

var (
	manifestAPIVersion = regexp.MustCompile(`(?m)^\s*-?\s*["']?apiVersion["']?\s*:\s*["']?([^\s"'#]+)`)
	manifestKindLine   = regexp.MustCompile(`(?m)^\s*-?\s*["']?kind["']?\s*:\s*\S`)
)

func yamlName(base string) bool {
	return seam.HasExt(toLower(base), ".yaml", ".yml")
}

func toLower(s string) string { return string(bytes.ToLower([]byte(s))) }
