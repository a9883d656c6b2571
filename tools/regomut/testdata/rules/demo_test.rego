package natsaudit.rules.demo_test

import data.natsaudit.rules.demo

test_fires if {
	count(demo.deny) == 1 with input as {"servers": [{"name": "a", "port": 80}]}
}

test_quiet_tls if {
	count(demo.deny) == 0 with input as {"servers": [{"name": "a", "port": 80, "tls": true}]}
}
