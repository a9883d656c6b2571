// Package image knows the official nats container images: which image
// references run nats-server, the version a tag names, and where each
// variant keeps its bundled configuration. Compose, Kubernetes and Helm
// sources share it.
package image

import (
	"path"
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Ref is an image reference split into its parts.
type Ref struct {
	Repo   string // "nats", "docker.io/library/nats", "registry.example.com/nats"
	Tag    string // "2.10.24-alpine", "" when none
	Digest string // "sha256:...", "" when none
}

// Split splits "registry/nats:2.10.24-alpine@sha256:..." into repository,
// tag and digest.
func Split(img string) Ref {
	var r Ref
	if i := strings.Index(img, "@"); i >= 0 {
		img, r.Digest = img[:i], img[i+1:]
	}
	r.Repo = img
	if i := strings.LastIndex(img, ":"); i > strings.LastIndex(img, "/") {
		r.Repo, r.Tag = img[:i], img[i+1:]
	}
	return r
}

// Kind says what an image runs.
type Kind int

// Kinds of image.
const (
	Other     Kind = iota
	NATS           // nats-server: official, mirrored, or a distribution (Bitnami)
	Streaming      // NATS Streaming (STAN): embeds a nats-server; its version is not nats-server's
)

var (
	streamingNameRe = regexp.MustCompile(`^(nats-streaming(-server)?|stan)$`)
	// natsNameRe: the last path component of an image that runs
	// nats-server: "nats", "nats-server", and mirrors that keep the name
	// behind a prefix ("csghub_nats", "acme-nats").
	natsNameRe = regexp.MustCompile(`^(nats|nats-server|[a-z0-9.]+[_-]nats)$`)
)

// KindOf classifies an image repository by its last path component, so
// that registry-prefixed and mirrored names count (registry.example.com/
// library/nats, opencsg_public/csghub_nats, bitnami/nats); nats-box, the
// config reloader, exporters and surveyors are clients, not servers.
func KindOf(repo string) Kind {
	n := strings.ToLower(path.Base(repo))
	switch {
	case streamingNameRe.MatchString(n):
		return Streaming
	case natsNameRe.MatchString(n):
		return NATS
	}
	return Other
}

// IsNATS reports whether an image repository runs a nats-server (NATS
// Streaming embeds one).
func IsNATS(repo string) bool { return KindOf(repo) != Other }

// Bitnami reports whether the repository is Bitnami's nats distribution.
func Bitnami(repo string) bool { return strings.Contains(strings.ToLower(repo), "bitnami/") }

// Alpine reports whether a tag names the Alpine variant, whose entrypoint
// script runs nats-server with /etc/nats/nats-server.conf.
func Alpine(tag string) bool { return strings.Contains(strings.ToLower(tag), "alpine") }

// Default config paths of the official image (github.com/nats-io/nats-docker).
const (
	ScratchConfig = "/nats-server.conf"
	AlpineConfig  = "/etc/nats/nats-server.conf"
	BitnamiConfig = "/opt/bitnami/nats/conf/nats-server.conf"
)

// DefaultConfig is the config file the image's default command runs.
func DefaultConfig(tag string) string {
	if Alpine(tag) {
		return AlpineConfig
	}
	return ScratchConfig
}

// DefaultConfigOf is the config file a nats-server image runs when the
// workload sets no command: the scratch image's /nats-server.conf (its CMD
// is --config nats-server.conf in /), the alpine image's
// /etc/nats/nats-server.conf, Bitnami's own path; "" for NATS Streaming,
// Windows tags and images that are not NATS.
func DefaultConfigOf(r Ref) string {
	if KindOf(r.Repo) != NATS {
		return ""
	}
	if Bitnami(r.Repo) {
		return BitnamiConfig
	}
	t := strings.ToLower(r.Tag)
	if strings.Contains(t, "windows") || strings.Contains(t, "nanoserver") {
		return ""
	}
	return DefaultConfig(r.Tag)
}

// WorkingDir is the directory a relative --config is read from: / for the
// official images (neither sets WORKDIR).
const WorkingDir = "/"

// ServerVersion is the nats-server version an image reference names: from
// the tag of a NATS image ("2.10.16", also behind a registry or mirror);
// nil for NATS Streaming (0.x is its own version), for images that are not
// NATS (a custom image's tag is its own release) and for tags that are not
// versions (latest, alpine).
func ServerVersion(r Ref) *model.Version {
	if KindOf(r.Repo) != NATS {
		return nil
	}
	return Version(r.Tag)
}

var tagVersionRe = regexp.MustCompile(`^v?(\d+)\.(\d+)(?:\.(\d+))?`)

// Version reads a nats-server version from an image tag ("2.10.24-alpine",
// "2.10", "latest": nil).
func Version(tag string) *model.Version {
	m := tagVersionRe.FindStringSubmatch(tag)
	if m == nil {
		return nil
	}
	v := &model.Version{Raw: tag, Source: "image_tag", Series: m[1] + "." + m[2]}
	if m[3] != "" {
		v.Value = m[1] + "." + m[2] + "." + m[3]
		v.Semver = v.Value
	} else {
		v.Value = v.Series
	}
	return v
}

// BundledConfig is what the official image's own nats-server.conf sets
// (the scratch and alpine variants ship the same file; nats-io/nats-docker
// at aa0caa57, 2.12.x/*/nats-server.conf): clients on 4222 on every
// interface, monitoring on 8222, and a cluster listener on 6222 whose
// routes authenticate with the publicly documented ruser/T0pS3cr3t. A
// service that runs it is audited as this configuration. Written here as
// nats.conf syntax so that the config parser normalises it like any file.
const BundledConfig = `port: 4222
monitor_port: 8222
cluster {
  name: "my_cluster"
  port: 6222
  authorization {
    user: ruser
    password: T0pS3cr3t
    timeout: 2
  }
  routes = []
}
`
