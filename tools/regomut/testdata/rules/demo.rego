package natsaudit.rules.demo

deny contains msg if {
	some s in input.servers
	is_number(s.port)
	s.port < 1024
	not s.tls
	msg := sprintf("%s listens on a low port without TLS", [s.name])
}
