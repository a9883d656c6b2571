package streams

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
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
