package streams

import (
	"testing"
	"time"
)

// FuzzParse reads arbitrary bytes as a stream definition, both as JSON and
// as YAML (NACK): no panic, no hang, errors name their file, and every
// stream and consumer has the defaults rules rely on.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"name": "ORDERS", "subjects": ["orders.>"], "retention": "limits", "max_bytes": "1GB", "num_replicas": 3, "max_age": 86400000000000, "discard": "new", "placement": {"tags": ["a"]}}`,
		`{"config": {"name": "S", "subjects": "s", "storage": "memory"}, "state": {"messages": 5, "bytes": 10}, "cluster": {"leader": "n1"}}`,
		`{"stream_name": "S", "config": {"durable_name": "C", "ack_policy": "explicit", "max_deliver": 5, "backoff": [1, 2]}}`,
		"apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nmetadata: {name: orders}\nspec:\n  name: orders\n  subjects: [\"orders.*\"]\n  maxAge: 30d12h\n  replicas: 3\n  maxBytes: 10Gi\n---\napiVersion: jetstream.nats.io/v1beta2\nkind: Consumer\nspec: {streamName: orders, durableName: c, ackPolicy: explicit, backoff: [1s, 5s], ackWait: 1m}\n",
		"apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nspec: &s {name: x, placement: *s}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"stream.json", "nack.yaml"} {
			start := time.Now()
			res := Parse(name, data)
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("%s: took %s", name, d)
			}
			for _, e := range res.Errors {
				if e.File != name {
					t.Errorf("error names %q, want %q", e.File, name)
				}
			}
			for _, s := range res.Streams {
				if _, ok := s.Config["num_replicas"].(int64); !ok {
					t.Errorf("stream %q: num_replicas = %#v", s.Name, s.Config["num_replicas"])
				}
			}
			for _, c := range res.Consumers {
				if _, ok := c.Config["ack_policy"].(string); !ok {
					t.Errorf("consumer %q: ack_policy = %#v", c.Name, c.Config["ack_policy"])
				}
			}
		}
	})
}
