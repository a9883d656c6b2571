package compose

import (
	"path"
	"regexp"
	"strings"
)

// This file is what natsaudit knows about container images that run
// nats-server: which images are NATS, which version a tag names, and which
// config file the image runs by default. It does not depend on Compose
// (Kubernetes manifests run the same images).

// Image is a parsed image reference.
type Image struct {
	Ref    string // as written, after interpolation
	Repo   string // registry/path/name without tag or digest
	Tag    string
	Digest string
	// Unresolved is set when the reference still holds a ${VAR} without a
	// value: the tag (and so the version) comes from the environment.
	Unresolved bool
}

// ImageKind says what an image runs.
type ImageKind int

// Kinds of image.
const (
	ImageOther     ImageKind = iota
	ImageNATS                // nats-server: official, mirrored or a distribution (bitnami)
	ImageStreaming           // NATS Streaming (STAN): another product, end of life
)

// ParseImage splits "registry/nats:2.10.24-alpine@sha256:..." into
// repository, tag and digest.
func ParseImage(ref string) Image {
	img := Image{Ref: ref}
	rest := ref
	if i := strings.Index(rest, "@"); i >= 0 {
		rest, img.Digest = rest[:i], rest[i+1:]
	}
	img.Repo = rest
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		img.Repo, img.Tag = rest[:i], rest[i+1:]
	}
	return img
}

// Name is the last path component of the repository ("nats" for
// registry.example.com/library/nats).
func (i Image) Name() string { return strings.ToLower(path.Base(i.Repo)) }

// streamingNameRe: NATS Streaming images (nats-streaming, stan).
var streamingNameRe = regexp.MustCompile(`^(nats-streaming(-server)?|stan)$`)

// natsNameRe: the last component of an image that runs nats-server: the
// official "nats", "nats-server", and mirrors that keep the name with a
// prefix ("csghub_nats", "acme-nats").
var natsNameRe = regexp.MustCompile(`^(nats|nats-server|[a-z0-9.]+[_-]nats)$`)

// Kind says whether the image runs nats-server, NATS Streaming or
// something else (nats-box, the CLI, exporters and surveyors are clients).
func (i Image) Kind() ImageKind {
	n := i.Name()
	switch {
	case streamingNameRe.MatchString(n):
		return ImageStreaming
	case natsNameRe.MatchString(n):
		return ImageNATS
	}
	return ImageOther
}

// Bitnami reports whether the image is Bitnami's nats distribution.
func (i Image) Bitnami() bool {
	return strings.Contains(strings.ToLower(i.Repo), "bitnami/")
}

var tagVersionRe = regexp.MustCompile(`^v?(\d+)\.(\d+)(?:\.(\d+))?`)

// Version is the nats-server version a NATS image's tag names ("2.10.24",
// "2.10" for "2.10-alpine"), or "" when the tag is not a version (latest,
// alpine, a ${VAR} from the environment) or the image is not NATS: the
// tag of a custom image names that image's release, not the server's.
func (i Image) Version() string {
	if i.Unresolved || i.Kind() != ImageNATS {
		return ""
	}
	m := tagVersionRe.FindStringSubmatch(i.Tag)
	if m == nil {
		return ""
	}
	if m[3] != "" {
		return m[1] + "." + m[2] + "." + m[3]
	}
	return m[1] + "." + m[2]
}

// Default config paths of the images (nats-io/nats-docker, bitnami).
const (
	// ScratchConfig: the scratch image's CMD is --config nats-server.conf
	// in the working directory /.
	ScratchConfig = "/nats-server.conf"
	// AlpineConfig: the alpine image's CMD is
	// nats-server --config /etc/nats/nats-server.conf.
	AlpineConfig  = "/etc/nats/nats-server.conf"
	BitnamiConfig = "/opt/bitnami/nats/conf/nats-server.conf"
)

// DefaultConfigPath is the config file a NATS image runs when the service
// sets no command: /nats-server.conf for the default (scratch) tags,
// /etc/nats/nats-server.conf for -alpine tags. "" when unknown.
func (i Image) DefaultConfigPath() string {
	if i.Kind() != ImageNATS {
		return ""
	}
	if i.Bitnami() {
		return BitnamiConfig
	}
	t := strings.ToLower(i.Tag)
	if i.Unresolved {
		return "" // the flavour is in the variable
	}
	if strings.Contains(t, "alpine") {
		return AlpineConfig
	}
	if strings.Contains(t, "windows") || strings.Contains(t, "nanoserver") {
		return ""
	}
	return ScratchConfig
}

// WorkingDir is the directory a relative --config is read from: / for the
// official images (neither sets WORKDIR).
func (i Image) WorkingDir() string { return "/" }
