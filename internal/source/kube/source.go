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

// Load implements source.Loader: every manifest of the scan is read
// together (a workload, the ConfigMap holding its nats.conf and the Service
// in front of it are often in different files), kustomizations and their
// overlays included. The servers it gives are complete: their configs come
// from the manifests, not from a path assemble resolves.
func (Source) Load(ctx *seam.Context, files []seam.File) *seam.Facts {
	inputs := make([]Input, len(files))
	for i, f := range files {
		inputs[i] = Input{Rel: f.Rel, Data: f.Data}
	}
	var paths []string
	if ctx.Tree != nil {
		paths = ctx.Tree.Paths()
	}
	res := Load(inputs, Options{Secrets: ctx.Secrets, Read: ctx.Read, Paths: paths})
	facts := &seam.Facts{Servers: res.Servers, ConfigFiles: res.ConfigFiles, Streams: res.Streams, Consumers: res.Consumers,
		KubeSecrets: res.Secrets, Errors: res.Errors, Notes: res.Notes}
	for _, rel := range res.Files {
		facts.Read = append(facts.Read, seam.ReadFile{Rel: rel, Kind: Kind})
	}
	for _, f := range files {
		// NACK resources (an Account's servers) are data like stream
		// files; a ConfigMap's nats.conf is judged as a config.
		if bytes.Contains(f.Data, []byte("jetstream.nats.io/")) && !bytes.Contains(f.Data, []byte("ConfigMap")) {
			facts.LineScans = append(facts.LineScans, seam.ReadFile{Rel: f.Rel, Kind: "stream"})
		}
	}
	if res.Configs {
		facts.Sources = append(facts.Sources, "config")
	}
	return facts
}
