# Tests of the version helpers' Rego paths.
package natsaudit.lib.versions_test

import data.natsaudit.lib.versions

# A semver that is not a string is ignored; /varz is the fallback.
test_server_semver_needs_string if {
	not versions.server_semver({"version": {"semver": 5}})
	versions.server_semver({"version": {"semver": 5}, "live": {"varz": {"version": "v2.10.3"}}}) == "2.10.3"
	versions.server_semver({"version": {"semver": "2.9.1"}}) == "2.9.1"
}

test_server_series_needs_string if {
	versions.server_series({"version": {"series": 2}, "live": {"varz": {"version": "2.11.4"}}}) == "2.11"
	versions.server_series({"version": {"series": "2.10"}}) == "2.10"
}

# The image tag wins over /varz only when the version came from the tag.
test_version_path_by_source if {
	varz := {"varz": {"version": "2.10.3"}}
	versions.version_path({"version": {"source": "image_tag"}, "live": varz}) == "deployment/image"
	versions.version_path({"version": {"source": "varz"}, "live": varz}) == "live/varz/version"
	versions.version_path({"version": {"source": "image_tag"}}) == "deployment/image"
}

# Ranges are [introduced, fixed): the introducing version is affected.
test_in_range_includes_introduced if {
	versions.in_range("2.10.0", {"introduced": "2.10.0", "fixed": ""})
	versions.in_range("2.10.0", {"introduced": "2.10.0", "fixed": "2.10.5"})
	not versions.in_range("2.10.5", {"introduced": "2.10.0", "fixed": "2.10.5"})
	not versions.in_range("2.9.9", {"introduced": "2.10.0", "fixed": ""})
}

test_server_semver_varz_must_be_valid if {
	not versions.server_semver({"live": {"varz": {"version": "dev"}}})
	versions.server_series({"version": {"series": ""}, "live": {"varz": {"version": "2.12.0"}}}) == "2.12"
}

test_version_path_without_varz_version if {
	versions.version_path({"live": {"varz": {}}}) == "deployment/image"
	versions.version_path({"live": {"varz": {"version": "2.10.3"}}}) == "live/varz/version"
}

test_version_label_sources if {
	versions.version_label({"version": {"source": "image_tag", "series": "2.10"}, "deployment": {"image": "nats:2.10"}}) == "image nats:2.10"
	versions.version_label({"version": {"source": "varz", "series": "2.10"}, "deployment": {"image": "nats:2.10"}}) == "series 2.10"
	versions.version_label({"version": {"source": "image_tag", "series": "2.10"}, "deployment": {"image": 5}}) == "series 2.10"
	versions.version_label({"version": {"series": "2.10"}, "live": {"varz": {"version": "2.10.3"}}}) == "reported by /varz"
	versions.version_label({"version": {"series": "2.10"}, "live": {"varz": {}}}) == "series 2.10"
}

test_in_range_needs_introduced if {
	not versions.in_range("2.9.0", {"introduced": "2.10.0", "fixed": "2.10.5"})
	versions.in_range("2.10.1", {"introduced": "2.10.0", "fixed": "2.10.5"})
}
