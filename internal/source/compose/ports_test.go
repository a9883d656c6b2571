package compose

import (
	"reflect"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

// TestPublishedPorts pins the published facts of every ports: form, not
// only that it parses: the exposure rules decide on HostIP and
// AllInterfaces, so an IPv6 wildcard read as a host address, or a
// long-syntax host_ip dropped, changes critical findings.
func TestPublishedPorts(t *testing.T) {
	for _, tc := range []struct {
		name, ports string
		want        model.Port
	}{
		{"container port only", `["4222"]`, model.Port{HostPort: 4222, ContainerPort: 4222, Protocol: "tcp", AllInterfaces: true}},
		{"host:container", `["14222:4222"]`, model.Port{HostPort: 14222, ContainerPort: 4222, Protocol: "tcp", AllInterfaces: true}},
		{"IPv4 loopback", `["127.0.0.1:4222:4222"]`, model.Port{HostIP: "127.0.0.1", HostPort: 4222, ContainerPort: 4222, Protocol: "tcp"}},
		{"IPv4 wildcard", `["0.0.0.0:4222:4222"]`, model.Port{HostIP: "0.0.0.0", HostPort: 4222, ContainerPort: 4222, Protocol: "tcp", AllInterfaces: true}},
		{"IPv6 wildcard", `["[::]:4222:4222"]`, model.Port{HostIP: "::", HostPort: 4222, ContainerPort: 4222, Protocol: "tcp", AllInterfaces: true}},
		{"IPv6 loopback", `["[::1]:8222:8222"]`, model.Port{HostIP: "::1", HostPort: 8222, ContainerPort: 8222, Protocol: "tcp"}},
		{"IPv6 with protocol", `["[::1]:6222:6222/udp"]`, model.Port{HostIP: "::1", HostPort: 6222, ContainerPort: 6222, Protocol: "udp"}},
		{"long syntax, host_ip loopback", "\n      - target: 4222\n        published: 4222\n        host_ip: 127.0.0.1",
			model.Port{HostIP: "127.0.0.1", HostPort: 4222, ContainerPort: 4222, Protocol: "tcp"}},
		{"long syntax, host_ip IPv6 wildcard", "\n      - target: 4222\n        published: \"4222\"\n        host_ip: \"::\"",
			model.Port{HostIP: "::", HostPort: 4222, ContainerPort: 4222, Protocol: "tcp", AllInterfaces: true}},
		{"long syntax, no host_ip, udp", "\n      - target: 6222\n        published: 16222\n        protocol: udp",
			model.Port{HostPort: 16222, ContainerPort: 6222, Protocol: "udp", AllInterfaces: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := load(t, nil, Input{Rel: "docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.15.2\n    ports: " + tc.ports + "\n")})
			if len(p.Services) != 1 || p.Services[0].Deployment == nil {
				t.Fatalf("services: %+v", p.Services)
			}
			got := p.Services[0].Deployment.Ports
			if len(got) != 1 || !reflect.DeepEqual(got[0], tc.want) {
				t.Errorf("ports %s:\n got %+v\nwant [%+v]", tc.ports, got, tc.want)
			}
		})
	}
}
