package probe_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/probe"
)

// A monitoring port that echoes credentials back: no real server puts
// passwords in its documents (it reports route hosts only), so this is an
// httptest server playing a hostile or broken one.

// echoSeed and echoSeed2 are nkey seeds used as a server and a stream name.
const (
	echoSeed  = "SNAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4"
	echoSeed2 = "SAAGNJOZTRPYYXG2NJX3ZNGXYUSDYX2BWO447W3SHG6XQ7U66RWHQ3JUXM"
)

// echoSecrets are the short credentials the documents carry.
var echoSecrets = []string{"Rp1", "Gp2", "Lp3", "Lt4", "Rz5", "Lz6", "Cz7", "Gw8", echoSeed, echoSeed2}

var echoDocs = map[string]string{
	"/varz": `{"server_name": "` + echoSeed + `", "server_id": "NECHO", "version": "2.12.1",
	  "cluster": {"name": "c1", "urls": ["nats://ru:Rp1@n2:6222"]},
	  "gateway": {"name": "g1", "gateways": [{"name": "g2", "urls": ["nats://gu:Gp2@g2:7222"]}]},
	  "leaf": {"remotes": [{"local_account": "A", "urls": ["nats-leaf://lu:Lp3@hub:7422", "nats-leaf://Lt4@hub2:7422"]}]}}`,
	"/routez":   `{"routes": [{"rid": 1, "remote_id": "NR", "ip": "10.0.0.2", "port": 6222, "url": "nats://ru:Rz5@n2:6222"}]}`,
	"/leafz":    `{"leafs": [{"name": "leaf1", "account": "A", "remote_url": "nats-leaf://lu:Lz6@hub:7422"}]}`,
	"/connz":    `{"connections": [{"cid": 1, "name": "nats://cu:Cz7@client:4222", "authorized_user": "app"}]}`,
	"/gatewayz": `{"name": "g1", "outbound_gateways": {"nats://gu:Gw8@g2:7222": {"configured": true}}}`,
	"/jsz":      `{"config": {}, "account_details": [{"name": "$G", "stream_detail": [{"name": "` + echoSeed2 + `", "config": {"name": "` + echoSeed2 + `", "subjects": ["x"]}}]}]}`,
}

func echoServer(t *testing.T) string {
	return httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		if doc, ok := echoDocs[r.URL.Path]; ok {
			fmt.Fprint(w, doc)
			return
		}
		fmt.Fprint(w, `{}`)
	})
}

// TestEchoedCredentialsMasked: credentials a server echoes back, of any
// length, and nkey seeds used as names, are masked as the documents enter
// the model, in values and in keys.
func TestEchoedCredentialsMasked(t *testing.T) {
	res, err := probe.Collect(context.Background(), probe.Options{URLs: []string{echoServer(t)}, Timeout: hostileTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Snapshots) != 1 {
		t.Fatalf("snapshots = %d, failures %v", len(res.Snapshots), res.Failures)
	}
	b, err := json.Marshal(res.Snapshots[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range echoSecrets {
		if strings.Contains(string(b), s) {
			t.Errorf("the model holds %q", s)
		}
	}
	// The documents are still there, with what is not a secret.
	for _, want := range []string{`nats://ru:****@n2:6222`, `nats-leaf://****@hub2:7422`, `"nats://gu:****@g2:7222":{"configured":true}`, `"authorized_user":"app"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the model lost %s:\n%s", want, b)
		}
	}
}
