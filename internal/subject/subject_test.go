package subject

import (
	"reflect"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

func TestOverlap(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"fulcrum.>", "fulcrum.audit.>", true}, // seed 000
		{"fulcrum.audit.>", "fulcrum.>", true},
		{"orders.*", "orders.new", true},
		{"orders.*", "orders.new.eu", false},
		{"orders.>", "orders", false}, // ">" needs at least one token
		{"orders", "orders", true},
		{"orders", "order", false},
		{"orders.*.eu", "orders.new.*", true},
		{"orders.*.eu", "orders.new.us", false},
		{"*.*", "a.>", true},
		{"*", ">", true},
		{">", "a.b.c.d", true},
		{"*.b", "a.*.c", false},
		{"a.*.>", "a.b", false},
		{"a.*.>", "a.b.c", true},
		{"$JS.EVENT.ADVISORY.>", "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C", true},
		{"a..b", "a.x.b", false},  // invalid: empty token
		{"a.>.b", "a.x.b", false}, // invalid: ">" not last
		{"", ">", false},
		{"a b", "a b", false},
	} {
		if got := Overlap(tc.a, tc.b); got != tc.want {
			t.Errorf("Overlap(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		f, s string
		want bool
	}{
		{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>", "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.audit", true},
		{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.*", "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.audit", true},
		{"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.*", "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.audit", false},
		{"$JS.EVENT.ADVISORY.CONSUMER.*", "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.audit", false},
		{"a.>", "a.*", true},
		{"a.*", "a.>", false},
		{"a.*", "a.b", true},
		{"a.b", "a.*", false},
		{"a.>", "a", false},
		{">", "a", true},
		{"a", "a.b", false},
	} {
		if got := Matches(tc.f, tc.s); got != tc.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tc.f, tc.s, got, tc.want)
		}
	}
	if !Subset("fulcrum.audit.>", "fulcrum.>") || Subset("fulcrum.>", "fulcrum.audit.>") {
		t.Error("Subset")
	}
}

func stream(ref model.Ref, name, account string, cfg map[string]any) *model.Stream {
	return &model.Stream{Ref: ref, Name: name, Account: account, Config: cfg}
}

func TestFacts(t *testing.T) {
	subj := func(s ...string) map[string]any {
		out := []any{}
		for _, x := range s {
			out = append(out, x)
		}
		return map[string]any{"subjects": out}
	}
	wq := subj("jobs.>")
	wq["retention"] = "workqueue"
	inv := &model.Inventory{
		Streams: []*model.Stream{
			stream(model.RefTo(model.RefStream, 0), "FULCRUM_EVENTS", "", subj("fulcrum.>")),
			stream(model.RefTo(model.RefStream, 1), "FULCRUM_AUDIT", "", subj("fulcrum.audit.>")),
			stream(model.RefTo(model.RefStream, 2), "OTHER", "B", subj("other.>", "fulcrum.x")), // overlaps both file streams (no account)
			stream(model.RefTo(model.RefStream, 3), "OTHER2", "C", subj("other.a")),             // account C vs B: no overlap
			stream(model.RefTo(model.RefStream, 4), "FULCRUM_EVENTS", "A", subj("fulcrum.>")),   // same name as streams/0: the same stream
			stream(model.RefTo(model.RefStream, 5), "DLQ", "", subj("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.EVENTS.>")),
			stream(model.RefTo(model.RefStream, 6), "JOBS", "", wq),
			stream(model.RefTo(model.RefStream, 7), "WILD", "Z", subj("*.audit.>")),
		},
		Consumers: []*model.Consumer{
			{Ref: model.RefTo(model.RefConsumer, 0), Name: "audit", Stream: "EVENTS", Config: map[string]any{"ack_policy": "explicit", "max_deliver": int64(3)}},
			{Ref: model.RefTo(model.RefConsumer, 1), Name: "audit", Stream: "ORDERS", Config: map[string]any{"ack_policy": "explicit", "max_deliver": int64(3)}},
			{Ref: model.RefTo(model.RefConsumer, 2), Name: "tail", Stream: "ORDERS", Config: map[string]any{"ack_policy": "none", "max_deliver": int64(3)}},
			{Ref: model.RefTo(model.RefConsumer, 3), Name: "loop", Stream: "ORDERS", Config: map[string]any{"ack_policy": "explicit", "max_deliver": int64(-1)}},
			{Ref: model.RefTo(model.RefConsumer, 4), Name: "w1", Stream: "JOBS", Config: map[string]any{"filter_subject": "jobs.a.>"}},
			{Ref: model.RefTo(model.RefConsumer, 5), Name: "w2", Stream: "JOBS", Config: map[string]any{"filter_subjects": []any{"jobs.b", "jobs.*.x"}}},
			{Ref: model.RefTo(model.RefConsumer, 6), Name: "w3", Stream: "JOBS", Config: map[string]any{"filter_subject": "jobs.c"}},
		},
	}
	f := Facts(inv)
	wantS := []model.SubjectOverlap{
		{A: "streams/0", B: "streams/1", SubjectA: "fulcrum.>", SubjectB: "fulcrum.audit.>"},
		{A: "streams/0", B: "streams/2", SubjectA: "fulcrum.>", SubjectB: "fulcrum.x"},
		{A: "streams/0", B: "streams/7", SubjectA: "fulcrum.>", SubjectB: "*.audit.>"}, // fulcrum.audit.x
		{A: "streams/1", B: "streams/4", SubjectA: "fulcrum.audit.>", SubjectB: "fulcrum.>"},
		{A: "streams/1", B: "streams/7", SubjectA: "fulcrum.audit.>", SubjectB: "*.audit.>"},
		{A: "streams/6", B: "streams/7", SubjectA: "jobs.>", SubjectB: "*.audit.>"}, // jobs.audit.x
	}
	if !reflect.DeepEqual(f.StreamOverlaps, wantS) {
		t.Errorf("stream overlaps:\n got %+v\nwant %+v", f.StreamOverlaps, wantS)
	}
	wantC := []model.SubjectOverlap{{A: "consumers/4", B: "consumers/5", SubjectA: "jobs.a.>", SubjectB: "jobs.*.x"}}
	if !reflect.DeepEqual(f.ConsumerOverlaps, wantC) {
		t.Errorf("consumer overlaps:\n got %+v\nwant %+v", f.ConsumerOverlaps, wantC)
	}
	wantM := map[string][]string{"consumers/0": {"DLQ"}, "consumers/1": {}}
	if !reflect.DeepEqual(f.MaxDeliveriesCapture, wantM) {
		t.Errorf("max deliveries capture: got %v, want %v", f.MaxDeliveriesCapture, wantM)
	}
}

// TestFactsScale: the overlap index keeps a large inventory of disjoint
// streams from being compared pair by pair.
func TestFactsScale(t *testing.T) {
	inv := &model.Inventory{}
	for i := 0; i < 20000; i++ {
		inv.Streams = append(inv.Streams, stream(model.RefTo(model.RefStream, i), "S"+string(rune('a'+i%26))+itoa(i), "", map[string]any{"subjects": []any{"s" + itoa(i) + ".>"}}))
	}
	if f := Facts(inv); len(f.StreamOverlaps) != 0 {
		t.Errorf("got %d overlaps", len(f.StreamOverlaps))
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
