package compose

import "github.com/natsaudit/natsaudit/internal/image"

// Image is a service's image reference after interpolation (what images
// run, their versions and config paths: package image).
type Image struct {
	image.Ref
	// Unresolved is set when the reference still holds a ${VAR} without a
	// value: the tag (and so the version and flavour) comes from the
	// environment.
	Unresolved bool
}

// Kind says whether the image runs nats-server, NATS Streaming or something
// else.
func (i Image) Kind() image.Kind { return image.KindOf(i.Repo) }

// Version is the nats-server version the tag names, "" when unknown.
func (i Image) Version() string {
	if i.Unresolved {
		return ""
	}
	if v := image.ServerVersion(i.Ref); v != nil {
		return v.Value
	}
	return ""
}

// DefaultConfigPath is the config file the image runs without a command, ""
// when unknown.
func (i Image) DefaultConfigPath() string {
	if i.Unresolved {
		return ""
	}
	return image.DefaultConfigOf(i.Ref)
}
