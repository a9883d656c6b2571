package shell

import (
	"reflect"
	"testing"
)

// TestServers: nats-server command lines and docker/podman run of a NATS
// image are servers, with their arguments at their lines; other images
// and the nats CLI are not.
func TestServers(t *testing.T) {
	script := `#!/bin/sh
docker run -d --rm --name n1 -p 127.0.0.1:4222:4222 --publish=8222:8222 -v data:/data nats:2.12.1-alpine -js --user u
podman container run -e X=1 registry.example.com/library/nats:2.10 \
  -m 8222
docker run -p 5432:5432 postgres:16 -c max_connections=10
sudo nats-server -p 4333 -js
nats stream add ORDERS --subjects 'orders.>' --defaults
docker run nats
`
	res := Parse("start.sh", []byte(script), nil)
	type srv struct {
		Line    int
		Image   string
		Name    string
		Args    []string
		Publish []string
	}
	var got []srv
	for _, s := range res.Servers {
		g := srv{Line: s.Line, Image: s.Image, Name: s.Name}
		for _, a := range s.Args {
			g.Args = append(g.Args, a.Value)
		}
		for _, p := range s.Publish {
			g.Publish = append(g.Publish, p.Value)
		}
		got = append(got, g)
	}
	want := []srv{
		{Line: 2, Image: "nats:2.12.1-alpine", Name: "n1", Args: []string{"-js", "--user", "u"}, Publish: []string{"127.0.0.1:4222:4222", "8222:8222"}},
		{Line: 3, Image: "registry.example.com/library/nats:2.10", Args: []string{"-m", "8222"}},
		{Line: 6, Args: []string{"-p", "4333", "-js"}},
		{Line: 8, Image: "nats"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("servers:\n got %+v\nwant %+v", got, want)
	}
	if len(res.Streams) != 1 {
		t.Errorf("streams %d, want the nats CLI's one", len(res.Streams))
	}
}
