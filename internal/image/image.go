// Package image knows the official nats container images: which image
// references run nats-server, the version a tag names, and where each
// variant keeps its bundled configuration. Compose, Kubernetes and Helm
// sources share it.
package image

import (
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

var natsRepoRe = regexp.MustCompile(`(?i)(^|/)(nats|nats-server|nats-streaming)(:|@|$)`)

// IsNATS reports whether an image repository is a nats-server image
// (nats, */nats, nats-server); nats-box, the config reloader and the
// Prometheus exporter are not.
func IsNATS(repo string) bool { return natsRepoRe.MatchString(repo) }

// Alpine reports whether a tag names the Alpine variant, whose entrypoint
// script runs nats-server with /etc/nats/nats-server.conf.
func Alpine(tag string) bool { return strings.Contains(strings.ToLower(tag), "alpine") }

// Default config paths of the official image (github.com/nats-io/nats-docker).
const (
	ScratchConfig = "/nats-server.conf"
	AlpineConfig  = "/etc/nats/nats-server.conf"
)

// DefaultConfig is the config file the image's default command runs.
func DefaultConfig(tag string) string {
	if Alpine(tag) {
		return AlpineConfig
	}
	return ScratchConfig
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
