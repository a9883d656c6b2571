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

test_human_bytes_boundaries if {
	lib.human_bytes(1023) == "1023 bytes"
	lib.human_bytes(1024) == "1 KiB"
	lib.human_bytes(1536) == "1.5 KiB"
	lib.human_bytes(1073741824) == "1 GiB"
	lib.human_bytes(1099511627776) == "1 TiB"
}

# Whole units at their boundary take the larger unit.
test_human_duration_boundaries if {
	lib.human_duration(86400000000000) == "1d"
	lib.human_duration(3600000000000) == "1h"
	lib.human_duration(5400000000000) == "90m"
	lib.human_duration(60000000000) == "1m"
	lib.human_duration(90000000000) == "90s"
}

test_short_lists if {
	lib.short_list(["b", "a"], 2) == "a, b"
	lib.short_list(["c", "b", "a"], 2) == "a, b and 1 more"
	lib.short_list_ordered(["b", "a"], 2) == "b, a"
	lib.short_list_ordered(["c", "b", "a"], 2) == "c, b and 1 more"
}

test_num_and_unknown if {
	lib.num(3) == 3
	not lib.num("3")
	lib.unknown("$PORT")
	not lib.unknown("4222")
	not lib.unknown(4222)
	lib.host({"config": {"host": 5}}) == "0.0.0.0"
	lib.host({"config": {"host": "127.0.0.1"}}) == "127.0.0.1"
}
