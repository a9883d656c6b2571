# Tests of the base helpers (data.natsaudit.lib).
package natsaudit.lib.natsaudit_test

import data.natsaudit.lib

test_is_secret_needs_flag if {
	lib.is_secret({"secret": true})
	not lib.is_secret({"secret": false})
	not lib.is_secret({})
}

# published returns the port object that publishes that container port,
# not the first one.
test_published_matches_container_port if {
	s := {"deployment": {"ports": [
		{"container_port": 4222, "host_port": 14222},
		{"container_port": 8222, "host_port": 18222},
	]}}
	lib.published(s, 8222).host_port == 18222
	lib.published(s, 4222).host_port == 14222
	not lib.published(s, 6222)
}

test_human_duration_units if {
	lib.human_duration(0) == "0s"
	lib.human_duration(172800000000000) == "2d"
	lib.human_duration(7200000000000) == "2h"
	lib.human_duration(90000000000000) == "25h"
	lib.human_duration(120000000000) == "2m"
	lib.human_duration(5000000000) == "5s"
	lib.human_duration(1500000000) == "1.5s"
	lib.human_duration(250000000) == "250ms"
}
