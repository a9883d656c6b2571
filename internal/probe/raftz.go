package probe

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/natsaudit/natsaudit/internal/model"
)

// The JetStream meta group's Raft state. /jsz names the meta leader but
// not since when, nor the Raft term; /raftz (nats-server 2.11+; its
// leader_since in 2.12+) has both, for every Raft group the server runs.
// natsaudit asks only for the meta group (?group=_meta_, one small object
// per server: the group's leader, term, leader_since and peers), never the
// whole document (one entry per stream and consumer replica: megabytes on
// a big server), and only from servers that have it: a clustered
// JetStream server (varz.jetstream.meta) of 2.11 or later. Older servers
// answer /raftz with their HTML index page and do not answer RAFTZ over
// $SYS at all, which would make every probe of them wait for --timeout.

// metaGroup is the Raft group name of the JetStream meta group
// (nats-server jetstream_cluster.go defaultMetaGroupName).
const metaGroup = "_meta_"

var raftzEndpoint = endpoint{name: "raftz", path: "/raftz?group=" + metaGroup, sys: "RAFTZ", query: map[string]any{"group": metaGroup}}

// hasRaftz reports whether a server's /varz says it runs the JetStream
// meta group and serves /raftz.
func hasRaftz(varz map[string]any) bool {
	if getMap(varz, "jetstream", "meta") == nil {
		return false
	}
	return versionAtLeast(getString(varz, "version"), 2, 11)
}

// versionAtLeast compares a nats-server version ("2.11.0", "2.12.0-RC.1")
// with major.minor; an unparsable version is not.
func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// raftzFailed records a failed /raftz in the live document's errors and
// returns the failure.
func raftzFailed(live *model.Live, target string, err error) Failure {
	live.Errors = append(live.Errors, "raftz: "+err.Error())
	return Failure{Target: target, Err: err}
}

// sysRaftzAll asks every server whose varz says it has the meta group for
// its Raft state over $SYS, all at once, within one timeout of their own
// (a server that does not answer costs the timeout once, and does not eat
// into the account details' time).
func sysRaftzAll(ctx context.Context, nc *nats.Conn, opt Options, got map[string]map[string]reply, b *budget) map[string]reply {
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	out := map[string]reply{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for id, v := range got["varz"] {
		if v.err != nil || !hasRaftz(v.doc) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			doc, err := requestPage(ctx, nc, opt, id, raftzEndpoint, raftzEndpoint.query, b)
			mu.Lock()
			defer mu.Unlock()
			out[id] = reply{doc: doc, err: err}
		}()
	}
	wg.Wait()
	return out
}
