package streams

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestListValues: a list setting keeps its scalar items, in order; a list
// of something else is an empty list, never nil (issue 20, Go mutation
// testing: no test read a list's items).
func TestListValues(t *testing.T) {
	r := Parse("s.json", []byte(`{"name":"A","subjects":["a.>","b"]}`))
	if len(r.Streams) != 1 || !reflect.DeepEqual(r.Streams[0].Config["subjects"], []any{"a.>", "b"}) {
		t.Fatalf("subjects = %#v", r.Streams)
	}
	r = Parse("s.yaml", []byte("name: A\nsubjects: a.>\n"))
	if len(r.Streams) != 1 || !reflect.DeepEqual(r.Streams[0].Config["subjects"], []any{"a.>"}) {
		t.Errorf("a scalar subject = %#v", r.Streams[0].Config["subjects"])
	}
	r = Parse("s.yaml", []byte("name: A\nsubjects: [{x: 1}]\n"))
	if len(r.Streams) != 1 || !reflect.DeepEqual(r.Streams[0].Config["subjects"], []any{}) {
		t.Errorf("a list of mappings = %#v", r.Streams[0].Config["subjects"])
	}
}

// TestConsumerMaxAckPending: nats-server's default of 1000 applies when an
// acknowledging consumer sets none (or 0), not over a set value, and not
// to a consumer that does not acknowledge.
func TestConsumerMaxAckPending(t *testing.T) {
	for _, tc := range []struct {
		in   map[string]any
		want any
	}{
		{map[string]any{"ack_policy": "explicit"}, int64(1000)},
		{map[string]any{"ack_policy": "explicit", "max_ack_pending": int64(0)}, int64(1000)},
		{map[string]any{"ack_policy": "explicit", "max_ack_pending": int64(5)}, int64(5)},
		{map[string]any{"ack_policy": "none"}, nil},
	} {
		ConsumerDefaults(tc.in)
		if got := tc.in["max_ack_pending"]; got != tc.want {
			t.Errorf("%v: max_ack_pending = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestDocumentLimit: a file's first 1000 YAML documents are read, no more.
func TestDocumentLimit(t *testing.T) {
	var b strings.Builder
	for i := range 1001 {
		if i > 0 {
			b.WriteString("---\n")
		}
		fmt.Fprintf(&b, "name: S%d\nsubjects: [s%d]\n", i, i)
	}
	r := Parse("many.yaml", []byte(b.String()))
	if len(r.Streams) != 1000 {
		t.Errorf("%d streams, want the first 1000", len(r.Streams))
	}
}

// TestDurationsWithDays: a NACK duration may start with a day count and go
// on with a Go duration ("1d12h"); what follows the days must be one, or
// the value is an error (issue 20, second Go round).
func TestDurationsWithDays(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"30d", int64(30 * 24 * time.Hour), false},
		{"1d12h", int64(36 * time.Hour), false},
		{"2d30m", int64(48*time.Hour + 30*time.Minute), false},
		{"90s", int64(90 * time.Second), false},
		{"1dfoo", 0, true},
		{"soon", 0, true},
	} {
		r := Parse("k8s.yaml", []byte("apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nspec:\n  name: S\n  maxAge: "+tc.in+"\n"))
		if len(r.Streams) != 1 {
			t.Fatalf("%s: streams = %+v", tc.in, r.Streams)
		}
		if tc.bad {
			if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "maxAge") {
				t.Errorf("%s: errors = %+v, want one about maxAge", tc.in, r.Errors)
			}
			continue
		}
		if len(r.Errors) != 0 || r.Streams[0].Config["max_age"] != tc.want {
			t.Errorf("%s: max_age = %#v (errors %+v), want %d", tc.in, r.Streams[0].Config["max_age"], r.Errors, tc.want)
		}
		if d, err := ParseDuration(tc.in); err != nil || int64(d) != tc.want {
			t.Errorf("ParseDuration(%s) = %v, %v", tc.in, d, err)
		}
	}
}

// TestStreamLimitDefaults: a limit written as 0 is "unlimited" to
// nats-server (-1 in jsz), like an absent one; a set limit is kept.
func TestStreamLimitDefaults(t *testing.T) {
	c := map[string]any{"max_msgs": int64(0), "max_bytes": int64(5), "max_consumers": int64(0), "max_msg_size": "x",
		"num_replicas": int64(0), "discard": "NEW", "retention": "", "max_age": int64(7)}
	StreamDefaults(c)
	want := map[string]any{"max_msgs": int64(-1), "max_bytes": int64(5), "max_msgs_per_subject": int64(-1),
		"max_consumers": int64(-1), "max_msg_size": int64(-1), "num_replicas": int64(1), "discard": "new",
		"retention": "limits", "storage": "file", "max_age": int64(7)}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %#v, want %#v", k, c[k], v)
		}
	}
	c = map[string]any{"num_replicas": int64(3)}
	StreamDefaults(c)
	if c["num_replicas"] != int64(3) || c["max_age"] != int64(0) || !reflect.DeepEqual(c["subjects"], []any{}) {
		t.Errorf("defaults over a set replica count: %#v", c)
	}
}

// TestConsumerAckWait: nats-server's 30 s ack wait applies to an
// acknowledging consumer that sets none or 0, not over a set value.
func TestConsumerAckWait(t *testing.T) {
	for _, tc := range []struct {
		in   map[string]any
		want any
	}{
		{map[string]any{"ack_policy": "explicit"}, int64(30 * time.Second)},
		{map[string]any{"ack_policy": "All", "ack_wait": int64(0)}, int64(30 * time.Second)},
		{map[string]any{"ack_policy": "explicit", "ack_wait": int64(5e9)}, int64(5e9)},
		{map[string]any{"ack_policy": "none"}, nil},
		{map[string]any{}, nil},
	} {
		ConsumerDefaults(tc.in)
		if got := tc.in["ack_wait"]; got != tc.want {
			t.Errorf("%v: ack_wait = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestConsumerNames: a consumer file's name is its durable name, else its
// name; `nats consumer info --json` names the stream beside the config.
func TestConsumerNames(t *testing.T) {
	for _, tc := range []struct{ in, name, stream string }{
		{`{"durable_name":"D","name":"N","ack_policy":"explicit"}`, "D", ""},
		{`{"name":"N","ack_policy":"explicit"}`, "N", ""},
		{`{"stream_name":"ORDERS","name":"N","config":{"durable_name":"W","ack_policy":"explicit"}}`, "W", "ORDERS"},
	} {
		r := Parse("c.json", []byte(tc.in))
		if len(r.Consumers) != 1 || r.Consumers[0].Name != tc.name || r.Consumers[0].Stream != tc.stream {
			t.Errorf("%s: consumers = %+v", tc.in, r.Consumers)
		}
	}
}

// TestNACKBucketStreams: a KeyValue bucket's stream has the KV subjects,
// denies deletes and keeps at least one value a key (history 0 → 1); an
// ObjectStore's has the chunk and meta subjects and neither of those.
// Compression is a boolean in the bucket specs and "s2" on the stream.
func TestNACKBucketStreams(t *testing.T) {
	r := Parse("b.yaml", []byte(`apiVersion: jetstream.nats.io/v1beta2
kind: KeyValue
metadata: {name: cfg}
spec: {history: 0, compression: true}
---
apiVersion: jetstream.nats.io/v1beta2
kind: ObjectStore
metadata: {name: blobs}
spec: {bucket: files, compression: false}
`))
	if len(r.Errors) > 0 || len(r.Streams) != 2 {
		t.Fatalf("result = %+v", r)
	}
	kv, obj := r.Streams[0].Config, r.Streams[1].Config
	if r.Streams[0].Name != "KV_cfg" || !reflect.DeepEqual(kv["subjects"], []any{"$KV.cfg.>"}) || kv["deny_delete"] != true ||
		kv["max_msgs_per_subject"] != int64(1) || kv["compression"] != "s2" || kv["allow_direct"] != true {
		t.Errorf("kv = %s %#v", r.Streams[0].Name, kv)
	}
	if r.Streams[1].Name != "OBJ_files" || !reflect.DeepEqual(obj["subjects"], []any{"$O.files.C.>", "$O.files.M.>"}) ||
		obj["deny_delete"] != nil || obj["max_msgs_per_subject"] != int64(-1) || obj["compression"] != nil {
		t.Errorf("object store = %s %#v", r.Streams[1].Name, obj)
	}
}

// TestNACKStreamName: a NACK stream is named by spec.name, else by its
// resource name.
func TestNACKStreamName(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"{name: ORDERS, subjects: [a]}", "ORDERS"},
		{"{subjects: [a]}", "orders-res"},
	} {
		r := Parse("s.yaml", []byte("apiVersion: jetstream.nats.io/v1beta2\nkind: Stream\nmetadata: {name: orders-res}\nspec: "+tc.spec+"\n"))
		if len(r.Streams) != 1 || r.Streams[0].Name != tc.want {
			t.Errorf("%s: streams = %+v", tc.spec, r.Streams)
		}
	}
}

// TestTreeGetNotAMapping: a key is looked up in a mapping only: a missing
// node or a sequence that happens to hold the key's name as an item has no
// such key (kills tree.get's `t.n == nil || t.n.Kind != MappingNode`
// turned into `&&`, a seed-3 survivor: nil crashed, a list was read as
// key/value pairs).
func TestTreeGetNotAMapping(t *testing.T) {
	var seq yaml.Node
	if err := yaml.Unmarshal([]byte("[subjects, orders.>, retention, limits]\n"), &seq); err != nil {
		t.Fatal(err)
	}
	for name, tr := range map[string]tree{"nil": {}, "sequence": {n: seq.Content[0]}} {
		if k, v := tr.get("subjects"); k != nil || v != nil {
			t.Errorf("%s: get(subjects) = %v, %v, want nothing", name, k, v)
		}
	}
}

// TestParseBytesUnits: a byte size's unit multiplies its number (kills
// parseBytes' `n * unit` turned into `n / unit`, a seed-3 survivor).
func TestParseBytesUnits(t *testing.T) {
	for in, want := range map[string]int64{"7": 7, "2k": 2 << 10, "3M": 3 << 20, "1g": 1 << 30, "2T": 2 << 40} {
		if got, ok := parseBytes(in); !ok || got != want {
			t.Errorf("parseBytes(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
}

// TestConsumerMaxDeliverZero: max_deliver 0 is nats-server's "unlimited",
// -1, like an unset one; another value stays (kills the `!ok || v == 0`
// test turned into `&&`, a seed-3 survivor: an explicit 0 stayed 0).
func TestConsumerMaxDeliverZero(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want int64
	}{{int64(0), -1}, {nil, -1}, {int64(5), 5}} {
		c := map[string]any{}
		if tc.in != nil {
			c["max_deliver"] = tc.in
		}
		ConsumerDefaults(c)
		if c["max_deliver"] != tc.want {
			t.Errorf("max_deliver %v: %v, want %d", tc.in, c["max_deliver"], tc.want)
		}
	}
}

// TestConsumerDeliverPolicy: a consumer's deliver_policy defaults to all
// and a given one stays (kills the `!ok || s == ""` test with `==`
// negated, a seed-3 survivor).
func TestConsumerDeliverPolicy(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{{nil, "all"}, {"", "all"}, {"last", "last"}, {"by_start_time", "by_start_time"}} {
		c := map[string]any{}
		if tc.in != nil {
			c["deliver_policy"] = tc.in
		}
		ConsumerDefaults(c)
		if c["deliver_policy"] != tc.want {
			t.Errorf("deliver_policy %v: %v, want %s", tc.in, c["deliver_policy"], tc.want)
		}
	}
}
