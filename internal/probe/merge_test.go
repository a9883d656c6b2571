package probe_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// replicaView is one server's jsz listing of stream S in account A, with
// consumer c, as that server sees them.
func replicaView(server, streamLeader, consumerLeader string, msgs, pending int64) map[string]any {
	return map[string]any{
		"meta_cluster": map[string]any{"cluster_size": int64(3)},
		"account_details": []any{map[string]any{"name": "A", "stream_detail": []any{map[string]any{
			"name":    "S",
			"config":  map[string]any{"name": "S", "num_replicas": int64(3), "max_bytes": int64(0)},
			"state":   map[string]any{"messages": msgs},
			"cluster": map[string]any{"leader": streamLeader},
			"consumer_detail": []any{map[string]any{
				"name": "c", "config": map[string]any{"ack_policy": "explicit"},
				"num_pending": pending, "cluster": map[string]any{"leader": consumerLeader},
			}},
		}}}},
	}
}

func TestMerge(t *testing.T) {
	inv := &model.Inventory{Servers: []*model.Server{{
		Ref: model.RefTo(model.RefServer, 0), Name: "b", Sources: []string{"compose"},
		Version: &model.Version{Value: "2.10", Series: "2.10", Source: "image_tag"},
	}}}
	snap := func(name, endpoint, version string, jsz map[string]any) *probe.Snapshot {
		return &probe.Snapshot{Name: name, Live: &model.Live{Endpoint: endpoint, Varz: map[string]any{"server_name": name, "version": version}, Jsz: jsz}}
	}
	res := &probe.Result{
		Snapshots: []*probe.Snapshot{
			snap("a", "http://a:8222", "2.11.1", replicaView("a", "b", "c", 7, 70)),
			snap("b", "http://b:8222", "2.11.2", replicaView("b", "b", "c", 9, 90)),
			snap("c", "http://c:8222", "2.11.3", replicaView("c", "b", "c", 8, 5)),
			snap("a", "$SYS via nats://a:4222", "2.11.1", nil), // reached twice
		},
		Failures: []probe.Failure{{Target: "http://d:8222", Err: errString("connection refused")}},
	}
	probe.Merge(inv, res)
	if got := len(inv.Servers); got != 3 {
		t.Fatalf("servers = %d, want a, b, c once each", got)
	}
	b := inv.Servers[0]
	if b.Live == nil || b.Version.Source != "varz" || b.Version.Semver != "2.11.2" || !slices.Equal(b.Sources, []string{"compose", "live"}) {
		t.Errorf("b = live %v, version %+v, sources %v", b.Live != nil, b.Version, b.Sources)
	}
	if inv.Servers[1].Live.Endpoint != "http://a:8222" || !slices.ContainsFunc(inv.Notes, func(n string) bool { return strings.Contains(n, "server a answered at") }) {
		t.Errorf("the first documents of a server win and the duplicate is noted: %v", inv.Notes)
	}
	if len(inv.Streams) != 1 {
		t.Fatalf("streams = %+v", inv.Streams)
	}
	st := inv.Streams[0]
	// The stream leader's view (b), all replicas, defaults applied.
	if st.State["messages"] != int64(9) || !slices.Equal(st.Servers, []string{"a", "b", "c"}) || st.ClusterSize != 3 ||
		st.Config["max_bytes"] != int64(-1) || st.Config["discard"] != "old" || st.Ref != model.RefTo(model.RefStream, 0) {
		t.Errorf("stream = %+v", st)
	}
	// The consumer leader's view (c).
	if len(inv.Consumers) != 1 || inv.Consumers[0].State["num_pending"] != int64(5) || inv.Consumers[0].Config["max_deliver"] != int64(-1) ||
		inv.Consumers[0].State["push_bound"] != false || inv.Consumers[0].Stream != "S" || inv.Consumers[0].Account != "A" {
		t.Errorf("consumer = %+v", inv.Consumers[0])
	}
	// The server's own document is not changed by the defaults.
	cfg := inv.Servers[0].Live.Jsz["account_details"].([]any)[0].(map[string]any)["stream_detail"].([]any)[0].(map[string]any)["config"].(map[string]any)
	if cfg["max_bytes"] != int64(0) {
		t.Errorf("live jsz was modified: %v", cfg)
	}
	if len(inv.Errors) != 1 || inv.Errors[0].Kind != "probe" || inv.Errors[0].Target != "http://d:8222" {
		t.Errorf("errors = %+v", inv.Errors)
	}
	if !inv.Scan.Live || !inv.Scan.HasSource("live") {
		t.Errorf("scan = %+v", inv.Scan)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
