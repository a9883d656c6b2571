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
