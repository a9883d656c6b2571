package compose

import "testing"

// network_mode reaches the inventory: with "host" every listener is on the
// host's interfaces, which the exposure rules must know.
func TestNetworkMode(t *testing.T) {
	p := load(t, envs{".env": parseEnv(t, "NET=host\n")},
		Input{Rel: "docker-compose.yml", Data: []byte("services:\n  nats:\n    image: nats:2.15.2\n    network_mode: ${NET}\n  other:\n    image: nats:2.15.2\n    network_mode: bridge\n")})
	got := map[string]string{}
	for _, s := range p.Services {
		got[s.Name] = s.Deployment.NetworkMode
		if s.Name == "nats" && (!s.NetworkModeHost || !s.Locs["deployment/network_mode"].Valid()) {
			t.Errorf("nats: host %v, location %+v", s.NetworkModeHost, s.Locs["deployment/network_mode"])
		}
	}
	if got["nats"] != "host" || got["other"] != "bridge" {
		t.Errorf("network modes = %v", got)
	}
}
