package probe

import (
	"fmt"
	"sort"
	"time"

	"github.com/natsaudit/natsaudit/internal/assemble"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/source/streams"
)

// Merge adds a collection to the inventory: each snapshot joins the
// config-derived server with the same server_name (or becomes a live-only
// server), the streams and consumers the servers host become live entries,
// and every failure becomes an error of kind "probe".
func Merge(inv *model.Inventory, res *Result) {
	for _, f := range res.Failures {
		inv.Errors = append(inv.Errors, model.ParseError{Kind: "probe", Target: f.Target, Message: f.Err.Error()})
	}
	inv.Notes = append(inv.Notes, res.Notes...)
	if len(res.Snapshots) == 0 {
		return
	}
	inv.Scan.Live = true
	inv.Scan.AddSource("live")
	var used []*Snapshot
	for _, snap := range res.Snapshots {
		s := findServer(inv, snap.Name)
		if s != nil && s.Live != nil {
			// The same server reached twice (two URLs, or HTTP and $SYS):
			// one server, the first documents win.
			inv.Notes = append(inv.Notes, fmt.Sprintf("server %s answered at %s and at %s: kept %s", snap.Name, s.Live.Endpoint, snap.Live.Endpoint, s.Live.Endpoint))
			continue
		}
		if s == nil {
			s = &model.Server{
				Ref: model.RefTo(model.RefServer, len(inv.Servers)), Name: snap.Name,
				ConfigEnv: map[string]string{}, Certs: []*model.Cert{}, Locs: model.Locations{},
			}
			inv.Servers = append(inv.Servers, s)
		}
		s.Live = snap.Live
		s.AddSource("live")
		// The running version is the truth: it replaces an image tag's.
		if v := assemble.VersionFromString(getString(snap.Live.Varz, "version"), "varz"); v != nil {
			s.Version = v
		}
		s.Certs = append(s.Certs, liveCerts(snap.Live.Varz)...)
		used = append(used, snap)
	}
	mergeStreams(inv, used)
	mergeAccounts(inv, res.Accounts)
}

// findServer is the server whose name (or literal config server_name) is
// name.
func findServer(inv *model.Inventory, name string) *model.Server {
	for _, s := range inv.Servers {
		if s.Name == name {
			return s
		}
	}
	for _, s := range inv.Servers {
		if n, ok := s.Config["server_name"].(string); ok && n == name {
			return s
		}
	}
	return nil
}

// tlsBlocks are the varz objects that report tls_cert_not_after ("" = the
// client listener at the top level).
var tlsBlocks = []string{"", "cluster", "gateway", "leaf", "mqtt", "websocket"}

// liveCerts are the certificate expiry dates the server reports (2.14+).
func liveCerts(varz map[string]any) []*model.Cert {
	var out []*model.Cert
	for _, blk := range tlsBlocks {
		m, path := varz, "live/varz/tls_cert_not_after"
		if blk != "" {
			m, path = getMap(varz, blk), "live/varz/"+blk+"/tls_cert_not_after"
		}
		raw := getString(m, "tls_cert_not_after")
		if raw == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil || t.IsZero() {
			continue
		}
		out = append(out, &model.Cert{Path: path, NotAfter: t.UTC().Format(time.RFC3339), NotAfterNS: t.UnixNano(), DNSNames: []string{}})
	}
	return out
}

// replica is one server's view of a stream.
type replica struct {
	server      string
	account     string
	detail      map[string]any
	clusterSize int
}

// mergeStreams merges the streams every server hosts by account and name:
// in a cluster each server lists only its own replicas.
func mergeStreams(inv *model.Inventory, snaps []*Snapshot) {
	type key struct{ account, name string }
	groups := map[key][]replica{}
	for _, snap := range snaps {
		size := clusterSize(snap.Live)
		for _, a := range getSlice(snap.Live.Jsz, "account_details") {
			acc, _ := a.(map[string]any)
			accName := getString(acc, "name")
			if accName == "" {
				accName = getString(acc, "id")
			}
			for _, d := range getSlice(acc, "stream_detail") {
				detail, _ := d.(map[string]any)
				name := getString(detail, "name")
				if name == "" {
					name = getString(getMap(detail, "config"), "name")
				}
				if name == "" {
					continue
				}
				k := key{accName, name}
				groups[k] = append(groups[k], replica{server: snap.Name, account: accName, detail: detail, clusterSize: size})
			}
		}
	}
	keys := make([]key, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].account != keys[j].account {
			return keys[i].account < keys[j].account
		}
		return keys[i].name < keys[j].name
	})
	for _, k := range keys {
		reps := groups[k]
		sort.Slice(reps, func(i, j int) bool { return reps[i].server < reps[j].server })
		primary := reps[0]
		for _, r := range reps {
			if getString(getMap(r.detail, "cluster"), "leader") == r.server {
				primary = r // the leader's view has the replicas' lag and state
				break
			}
		}
		st := &model.Stream{
			Ref: model.RefTo(model.RefStream, len(inv.Streams)), Name: k.name, Account: k.account, Source: "live",
			Config: map[string]any{}, State: getMap(primary.detail, "state"), Cluster: getMap(primary.detail, "cluster"),
			Mirror: getMap(primary.detail, "mirror"), Sources: getSlice(primary.detail, "sources"), Created: getString(primary.detail, "created"),
			Locs: model.Locations{},
		}
		if cfg := getMap(primary.detail, "config"); cfg != nil {
			st.Config = deepCopy(cfg).(map[string]any)
			streams.StreamDefaults(st.Config)
		}
		for _, r := range reps {
			st.Servers = append(st.Servers, r.server)
			st.ClusterSize = max(st.ClusterSize, r.clusterSize)
		}
		inv.Streams = append(inv.Streams, st)
		mergeConsumers(inv, k.account, k.name, reps, primary)
	}
}

// mergeConsumers adds the consumers of one stream, each from its leader's
// view when a replica reports being the consumer leader.
func mergeConsumers(inv *model.Inventory, account, stream string, reps []replica, primary replica) {
	type pick struct {
		detail map[string]any
		leader bool
	}
	picks := map[string]pick{}
	var names []string
	// The primary (stream leader, or first) goes first so that it wins ties.
	ordered := append([]replica{primary}, reps...)
	for _, r := range ordered {
		for _, c := range getSlice(r.detail, "consumer_detail") {
			cd, _ := c.(map[string]any)
			name := getString(cd, "name")
			if name == "" {
				continue
			}
			leader := getString(getMap(cd, "cluster"), "leader") == r.server
			cur, seen := picks[name]
			if !seen {
				names = append(names, name)
			}
			if !seen || leader && !cur.leader {
				picks[name] = pick{cd, leader}
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		cd := picks[name].detail
		c := &model.Consumer{
			Ref: model.RefTo(model.RefConsumer, len(inv.Consumers)), Name: name, Stream: stream, Account: account,
			Source: "live", Config: map[string]any{}, State: consumerState(cd), Cluster: getMap(cd, "cluster"), Created: getString(cd, "created"), Locs: model.Locations{},
		}
		if cfg := getMap(cd, "config"); cfg != nil {
			c.Config = deepCopy(cfg).(map[string]any)
			streams.ConsumerDefaults(c.Config)
		}
		inv.Consumers = append(inv.Consumers, c)
	}
}

// consumerState keeps the ConsumerInfo fields docs/model.md promises, with
// omitempty fields (push_bound) made explicit.
func consumerState(cd map[string]any) map[string]any {
	st := map[string]any{}
	for _, k := range []string{"num_pending", "num_ack_pending", "num_redelivered", "num_waiting"} {
		if v, ok := cd[k]; ok {
			st[k] = v
		} else {
			st[k] = int64(0)
		}
	}
	for _, k := range []string{"delivered", "ack_floor"} {
		if m := getMap(cd, k); m != nil {
			st[k] = m
		} else {
			st[k] = map[string]any{}
		}
	}
	pb, _ := cd["push_bound"].(bool)
	st["push_bound"] = pb
	return st
}

// clusterSize is the JetStream meta cluster size a server reports: from jsz,
// else varz; 1 for a standalone JetStream server; 0 when unknown.
func clusterSize(l *model.Live) int {
	if n, ok := getInt(getMap(l.Jsz, "meta_cluster"), "cluster_size"); ok && n > 0 {
		return int(n)
	}
	if n, ok := getInt(getMap(l.Varz, "jetstream", "meta"), "cluster_size"); ok && n > 0 {
		return int(n)
	}
	if l.Jsz != nil && l.Jsz["disabled"] != true && getMap(l.Jsz, "meta_cluster") == nil && getMap(l.Varz, "jetstream", "meta") == nil {
		if _, ok := l.Jsz["config"]; ok {
			return 1
		}
	}
	return 0
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}
