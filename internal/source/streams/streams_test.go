package streams

import (
	"testing"
	"time"
)

func TestJSONStreamDefaults(t *testing.T) {
	r := Parse("s.json", []byte(`{"name":"ORDERS","subjects":["orders.>"],"max_bytes":1024}`))
	if !r.Recognised || len(r.Streams) != 1 {
		t.Fatalf("result = %+v", r)
	}
	c := r.Streams[0].Config
	if c["num_replicas"] != int64(1) || c["discard"] != "old" || c["max_msgs"] != int64(-1) || c["max_bytes"] != int64(1024) || c["storage"] != "file" {
		t.Errorf("config = %#v", c)
	}
	if l := r.Streams[0].Locs["config/max_bytes"]; l.Line != 1 || l.File != "s.json" {
		t.Errorf("loc = %+v", l)
	}
}

func TestStreamInfoJSON(t *testing.T) {
	r := Parse("info.json", []byte(`{"config":{"name":"DLQ","subjects":["dlq.>"],"num_replicas":3,"discard":"new"},"state":{"messages":5,"bytes":10}}`))
	if len(r.Streams) != 1 || r.Streams[0].Config["num_replicas"] != int64(3) || r.Streams[0].State["messages"] != int64(5) {
		t.Fatalf("streams = %+v", r.Streams)
	}
}

func TestNACK(t *testing.T) {
	r := Parse("k8s.yaml", []byte(`apiVersion: jetstream.nats.io/v1beta2
kind: Stream
metadata: {name: orders}
spec:
  name: ORDERS
  subjects: [orders.>]
  replicas: 3
  maxAge: 30d
  maxBytes: 1073741824
  discard: new
---
apiVersion: jetstream.nats.io/v1beta2
kind: Consumer
metadata: {name: worker}
spec:
  streamName: ORDERS
  durableName: worker
  ackPolicy: explicit
  backoff: ["1s", "1m"]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
`))
	if len(r.Errors) > 0 || len(r.Streams) != 1 || len(r.Consumers) != 1 {
		t.Fatalf("result = %+v", r)
	}
	s := r.Streams[0].Config
	if s["num_replicas"] != int64(3) || s["max_age"] != int64(30*24*time.Hour) || s["discard"] != "new" {
		t.Errorf("stream = %#v", s)
	}
	c := r.Consumers[0]
	if c.Stream != "ORDERS" || c.Config["max_deliver"] != int64(-1) || c.Config["max_ack_pending"] != int64(1000) {
		t.Errorf("consumer = %+v", c)
	}
	if b := c.Config["backoff"].([]any); b[1] != int64(time.Minute) {
		t.Errorf("backoff = %#v", b)
	}
	if l := r.Streams[0].Locs["config/num_replicas"]; l.Line != 7 {
		t.Errorf("replicas loc = %+v", l)
	}
}

// TestNACKExternalOrigin: a NACK mirror or source whose origin lives in
// another domain or account (externalApiPrefix) is external, as in the
// stream JSON, so NATS-STR-012 does not look for the origin in the
// repository (nats-io/nack@f6dad096d5d422b353a7f8408e9efb2745a51bc5
// deploy/examples/stream_mirror.yml).
func TestNACKExternalOrigin(t *testing.T) {
	r := Parse("stream_mirror.yml", []byte(`apiVersion: jetstream.nats.io/v1beta2
kind: Stream
metadata:
  name: mystream-mirror
spec:
  name: mystream-mirror
  storage: file
  mirror:
    name: my-publish-subj
    externalApiPrefix: FOO.JS.API
    externalDeliverPrefix: FOO.DELIVER.SYNC.MIRRORS
---
apiVersion: jetstream.nats.io/v1beta2
kind: Stream
metadata: {name: agg}
spec:
  name: agg
  sources:
  - name: m1
    filterSubject: orders.>
  - name: remote
    externalApiPrefix: HUB.JS.API
`))
	if len(r.Errors) > 0 || len(r.Streams) != 2 {
		t.Fatalf("result = %+v", r)
	}
	m, _ := r.Streams[0].Config["mirror"].(map[string]any)
	ext, _ := m["external"].(map[string]any)
	if m["name"] != "my-publish-subj" || ext["api"] != "FOO.JS.API" || ext["deliver"] != "FOO.DELIVER.SYNC.MIRRORS" {
		t.Errorf("mirror = %#v", m)
	}
	srcs, _ := r.Streams[1].Config["sources"].([]any)
	if len(srcs) != 2 {
		t.Fatalf("sources = %#v", r.Streams[1].Config["sources"])
	}
	s0, _ := srcs[0].(map[string]any)
	s1, _ := srcs[1].(map[string]any)
	if s0["external"] != nil || s0["filter_subject"] != "orders.>" {
		t.Errorf("local source = %#v", s0)
	}
	if e, _ := s1["external"].(map[string]any); e["api"] != "HUB.JS.API" {
		t.Errorf("external source = %#v", s1)
	}
}

func TestNotAStream(t *testing.T) {
	if r := Parse("package.json", []byte(`{"name":"web","version":"1.0.0"}`)); r.Recognised {
		t.Errorf("package.json recognised: %+v", r)
	}
	r := Parse("bad.json", []byte(`{"name":"X","num_replicas": [1,`))
	if !r.Recognised || len(r.Errors) != 1 {
		t.Errorf("broken stream file: %+v", r)
	}
	r = Parse("wrong.json", []byte(`{"name":"X","subjects":["a"],"num_replicas":"three"}`))
	if len(r.Errors) != 1 || r.Errors[0].Line != 1 {
		t.Errorf("wrong type: %+v", r.Errors)
	}
}

// TestNACKBuckets: KeyValue and ObjectStore resources become the streams
// that back them, named and shaped as a live server reports them.
func TestNACKBuckets(t *testing.T) {
	r := Parse("kv.yaml", []byte(`apiVersion: jetstream.nats.io/v1beta2
kind: KeyValue
metadata: {name: config}
spec:
  bucket: app-config
  history: 5
  ttl: 1h
  replicas: 3
  maxBytes: 1048576
---
apiVersion: jetstream.nats.io/v1beta2
kind: ObjectStore
metadata: {name: blobs}
spec:
  bucket: blobs
  storage: memory
`))
	if len(r.Errors) > 0 || len(r.Streams) != 2 {
		t.Fatalf("result = %+v", r)
	}
	kv, obj := r.Streams[0], r.Streams[1]
	if kv.Name != "KV_app-config" || kv.Config["max_msgs_per_subject"] != int64(5) || kv.Config["max_age"] != int64(time.Hour) ||
		kv.Config["num_replicas"] != int64(3) || kv.Config["discard"] != "new" || kv.Config["max_bytes"] != int64(1048576) {
		t.Errorf("kv = %s %#v", kv.Name, kv.Config)
	}
	if l := kv.Locs["config/max_msgs_per_subject"]; l.Line != 6 {
		t.Errorf("history at %+v, want line 6", l)
	}
	if obj.Name != "OBJ_blobs" || obj.Config["storage"] != "memory" || obj.Config["num_replicas"] != int64(1) {
		t.Errorf("object store = %s %#v", obj.Name, obj.Config)
	}
}
