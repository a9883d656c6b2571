# nats-server versions, series and the advisories that apply.
package natsaudit.lib.versions

import data.natsaudit.lib.livedocs

# server_semver(s): the exact nats-server version, undefined when only a
# floating tag or nothing is known.
server_semver(s) := v if {
	v := s.version.semver
	is_string(v)
	v != ""
} else := v if {
	v := trim_prefix(livedocs.varz_of(s).version, "v")
	semver.is_valid(v)
}

# server_series(s): "2.10" (also for floating tags such as nats:2.10).
server_series(s) := x if {
	x := s.version.series
	is_string(x)
	x != ""
} else := x if {
	parts := split(server_semver(s), ".")
	x := sprintf("%s.%s", [parts[0], parts[1]])
}

# version_path(s): where the version was learnt (image tag or /varz).
version_path(s) := "deployment/image" if {
	s.version.source == "image_tag"
} else := "live/varz/version" if {
	livedocs.varz_of(s).version
} else := "deployment/image"

# version_label(s) names the version and its source for messages.
version_label(s) := sprintf("image %s", [s.deployment.image]) if {
	s.version.source == "image_tag"
	is_string(s.deployment.image)
} else := "reported by /varz" if {
	livedocs.varz_of(s).version
} else := sprintf("series %s", [server_series(s)])

# series_cmp(a, b) compares "major.minor" series.
series_cmp(a, b) := semver.compare(sprintf("%s.0", [a]), sprintf("%s.0", [b]))

# in_range(v, r): version v is in the advisory range [introduced, fixed); an
# empty fixed means no fix in that range.
in_range(v, r) if {
	semver.compare(v, r.introduced) >= 0
	r.fixed == ""
}

in_range(v, r) if {
	semver.compare(v, r.introduced) >= 0
	semver.compare(v, r.fixed) < 0
}

# affected_by(v, a): version v is in one of the advisory's ranges.
affected_by(v, a) if {
	some r in a.ranges
	in_range(v, r)
}

# advisory(id): the advisory with that id or alias.
advisory(id) := a if {
	some a in data.natsaudit.advisories.advisories
	id in array.concat([a.id], a.aliases)
}
