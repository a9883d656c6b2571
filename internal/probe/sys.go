package probe

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"

	"github.com/natsaudit/natsaudit/internal/model"
)

// pingSubject discovers the servers: every server of the cluster,
// supercluster and system-sharing leafnodes answers with its statsz.
const pingSubject = "$SYS.REQ.SERVER.PING"

// quietPeriod ends a discovery whose expected size is unknown (servers older
// than active_servers): no new answer for this long means everyone answered.
const quietPeriod = 300 * time.Millisecond

// lingerPeriod is how long discovery waits after the expected number of
// servers answered, for answers that raise the expectation.
const lingerPeriod = 50 * time.Millisecond

// ownName is the name natsaudit's $SYS connection announces: with its client
// id, it tells our connection apart in /connz.
const ownName = "natsaudit"

// errNoSystemAccount explains the no-responders answer to a $SYS request.
var errNoSystemAccount = errors.New("no server answered $SYS.REQ.SERVER.PING: the credentials are not those of a system-account user (give --creds / --user of the system account)")

// collectSys reaches every server from one connection: discover them with
// $SYS.REQ.SERVER.PING, then scatter-gather each monitoring document with
// $SYS.REQ.SERVER.PING.<ENDPOINT>, stopping as soon as every discovered
// server has answered.
func collectSys(ctx context.Context, opt Options, tlsConf *tls.Config, b *budget) *Result {
	res := &Result{}
	target := "$SYS via " + Display(opt.Server)
	nc, asyncErr, err := connect(ctx, opt, tlsConf)
	if err != nil {
		res.fail(target, err)
		return res
	}
	defer nc.Close()

	servers, err := discover(ctx, nc, opt.Timeout, asyncErr, maxDiscovered(opt.MaxServers))
	if err != nil {
		res.fail(target, err)
		return res
	}
	answered := map[string]bool{}
	for _, si := range servers {
		answered[si.Name] = true
	}
	if note := capServers(servers, opt.MaxServers); note != "" {
		res.Notes = append(res.Notes, target+": "+note)
	}
	snaps := map[string]*Snapshot{}
	var ids []string
	for id, si := range servers {
		ids = append(ids, id)
		snaps[id] = &Snapshot{Name: si.Name, Live: &model.Live{Endpoint: target}}
	}
	sort.Strings(ids)

	got, err := gather(ctx, nc, opt, servers, asyncErr, b)
	if err != nil {
		res.fail(target, err)
		return res
	}
	res.Notes = append(res.Notes, pageSys(ctx, nc, opt, servers, got, b)...)
	excludeOwn(nc, got)
	raftz := sysRaftzAll(ctx, nc, opt, got, b)
	// The account details of all servers share one timeout.
	detailsCtx, cancelDetails := context.WithTimeout(ctx, opt.Timeout)
	defer cancelDetails()
	for _, id := range ids {
		snap := snaps[id]
		for _, ep := range endpoints {
			r, ok := got[ep.name][id]
			switch {
			case !ok && got[oversized][ep.name].err != nil:
				err = got[oversized][ep.name].err
			case !ok:
				err = errTimeout(opt.Timeout)
			case r.err != nil:
				err = r.err
			default:
				setDoc(snap.Live, ep.name, r.doc)
				if ep.name == "healthz" {
					snap.Live.HealthzStatus = sysHealthStatus(r.doc)
				}
				continue
			}
			snap.Live.Errors = append(snap.Live.Errors, ep.name+": "+err.Error())
			res.fail(fmt.Sprintf("%s (server %s) %s", target, snap.Name, ep.sys), err)
		}
		if snap.Live.Varz == nil {
			continue // the name is known, but nothing a rule could use
		}
		if r, ok := raftz[id]; ok {
			if r.err != nil {
				res.Failures = append(res.Failures, raftzFailed(snap.Live, fmt.Sprintf("%s (server %s) RAFTZ {group}", target, snap.Name), r.err))
			} else {
				snap.Live.Raftz = r.doc
			}
		}
		if note, err := sysAccountDetails(detailsCtx, nc, id, snap.Live, snap.Name, opt, b); err != nil {
			snap.Live.Errors = append(snap.Live.Errors, "accountz details: "+err.Error())
			res.fail(fmt.Sprintf("%s (server %s) ACCOUNTZ {account}", target, snap.Name), err)
		} else if note != "" {
			res.Notes = append(res.Notes, target+": "+note)
		}
		res.Snapshots = append(res.Snapshots, snap)
	}
	for _, name := range silentPeers(res.Snapshots, answered) {
		res.fail(fmt.Sprintf("%s (server %s)", target, name), fmt.Errorf("did not answer %s within %s: it is down, or cut off from the servers that answered (the others list it as a JetStream meta peer or route)", pingSubject, opt.Timeout))
	}
	return res
}

// silentPeers are the servers the others know of (JetStream meta peers,
// route peers) that did not answer the discovery, by name.
func silentPeers(snaps []*Snapshot, answered map[string]bool) []string {
	known := map[string]bool{}
	for _, s := range snaps {
		meta := getMap(s.Live.Jsz, "meta_cluster")
		for _, r := range getSlice(meta, "replicas") {
			rm, _ := r.(map[string]any)
			known[getString(rm, "name")] = true
		}
		for _, r := range getSlice(s.Live.Routez, "routes") {
			rm, _ := r.(map[string]any)
			known[getString(rm, "remote_name")] = true
		}
	}
	var out []string
	for name := range known {
		if name != "" && !answered[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	if len(out) > maxSilentNamed {
		out = out[:maxSilentNamed]
	}
	return out
}

// maxSilentNamed bounds the names taken from the servers' documents (a
// rogue server can list any number of peers).
const maxSilentNamed = 64

// connect opens the NATS connection, bounded by the timeout.
func connect(ctx context.Context, opt Options, tlsConf *tls.Config) (*nats.Conn, <-chan error, error) {
	asyncErr := make(chan error, 16)
	opts := []nats.Option{
		nats.Name(ownName),
		nats.Timeout(opt.Timeout),
		nats.NoReconnect(),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case asyncErr <- err:
			default:
			}
		}),
	}
	a := opt.Auth
	switch {
	case a.Creds != "":
		if err := checkCreds(a.Creds); err != nil {
			return nil, nil, err
		}
		opts = append(opts, nats.UserCredentials(a.Creds))
	case a.NkeyFile != "":
		o, err := nats.NkeyOptionFromSeed(a.NkeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("--nkey %s: %s", a.NkeyFile, redactSeed(err.Error()))
		}
		opts = append(opts, o)
	}
	if a.User != "" {
		opts = append(opts, nats.UserInfo(a.User, a.Password))
	}
	if tlsConf != nil {
		opts = append(opts, nats.Secure(tlsConf))
	}
	// A comma-separated list is a server list, as nats.go and the nats CLI
	// take it: the first that answers is used.
	var urls []string
	for _, u := range strings.Split(opt.Server, ",") {
		u = strings.TrimSpace(u)
		if !strings.Contains(u, "://") {
			u = "nats://" + u
		}
		if pu, err := url.Parse(u); err != nil || pu.Host == "" {
			return nil, nil, errors.New("not a NATS URL (want nats://host:4222)")
		}
		urls = append(urls, u)
	}
	u := strings.Join(urls, ",")
	// The whole connect, whatever the number of URLs in the list, stays
	// within the timeout.
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	type result struct {
		nc  *nats.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		nc, err := nats.Connect(u, opts...)
		done <- result{nc, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, nil, describeNATSError(r.err, opt.Timeout)
		}
		return r.nc, asyncErr, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.nc != nil {
				r.nc.Close()
			}
		}()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, nil, errTimeout(opt.Timeout)
		}
		return nil, nil, ctx.Err()
	}
}

func describeNATSError(err error, timeout time.Duration) error {
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, nats.ErrAuthorization) || strings.Contains(msg, "authorization violation") || strings.Contains(msg, "authentication"):
		return errors.New("authentication failed: the server rejected the credentials (check --creds, --user/--password or --nkey)")
	case errors.Is(err, nats.ErrNoServers):
		// nats.go drops the dial error: say what it means.
		return errors.New("cannot connect: connection refused or host unreachable")
	case errors.Is(err, nats.ErrSecureConnWanted):
		return errors.New("the server does not offer TLS, but TLS options were given")
	case errors.Is(err, nats.ErrSecureConnRequired):
		return errors.New("the server requires TLS: use tls:// or give --tlsca")
	case isTimeout(err) || errors.Is(err, nats.ErrTimeout):
		return errTimeout(timeout)
	case strings.Contains(msg, "remote error: tls") || strings.Contains(msg, "tls error") && !strings.Contains(msg, "x509"):
		// The server ended the handshake: most often, it wants a client
		// certificate.
		return errors.New("TLS handshake failed: the server closed the connection (does it require a client certificate? give --tlscert and --tlskey)")
	case strings.Contains(msg, "x509"):
		return fmt.Errorf("TLS certificate not trusted: %s (give the CA with --tlsca)", redactSeed(err.Error()))
	case strings.Contains(msg, "refused"):
		return errors.New("connection refused")
	}
	return errors.New(redactSeed(err.Error()))
}

// maxCredsFile bounds a .creds file (a JWT and a seed: a few KiB).
const maxCredsFile = 1 << 20

// checkCreds reads a .creds file before nats.go does, so that a file that
// is missing, holds no user JWT, or whose JWT expired gets an error that
// says so (the server would only answer "authorization violation"). The
// seed is never part of the message.
func checkCreds(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--creds %s: cannot read it: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCredsFile+1))
	if err != nil {
		return fmt.Errorf("--creds %s: cannot read it: %w", path, err)
	}
	if len(b) > maxCredsFile {
		return fmt.Errorf("--creds %s: larger than %d bytes: not a credentials file", path, maxCredsFile)
	}
	tok, err := jwt.ParseDecoratedJWT(b)
	if err != nil {
		return fmt.Errorf("--creds %s: no user JWT in the file", path)
	}
	uc, err := jwt.DecodeUserClaims(tok)
	if err != nil {
		return fmt.Errorf("--creds %s: the JWT in the file is not a valid user JWT", path)
	}
	if uc.Expires > 0 && time.Unix(uc.Expires, 0).Before(time.Now()) {
		return fmt.Errorf("--creds %s: the user JWT expired on %s", path, time.Unix(uc.Expires, 0).UTC().Format(time.RFC3339))
	}
	return nil
}

// redactSeed keeps nkey seeds out of error messages, whatever produced them.
func redactSeed(s string) string {
	var b strings.Builder
	for _, f := range strings.Fields(s) {
		if len(f) >= 50 && strings.HasPrefix(strings.Trim(f, `"'`), "S") && strings.ToUpper(f) == f {
			f = "****"
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

// serverInfo is the server identity of a $SYS answer.
type serverInfo struct {
	ID      string
	Name    string
	Cluster string
}

// maxDiscovered is how many distinct servers discovery remembers: enough
// to choose the first max by name among the servers of a real cluster, and
// a bound on what a rogue responder inventing server IDs costs.
func maxDiscovered(max int) int { return max * 4 }

// capServers keeps the first max servers by name (then ID), so that the
// choice does not depend on the order of the answers, and returns the note
// that says so, or "".
func capServers(servers map[string]serverInfo, max int) string {
	if len(servers) <= max {
		return ""
	}
	all := make([]serverInfo, 0, len(servers))
	for _, si := range servers {
		all = append(all, si)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Name != all[j].Name {
			return all[i].Name < all[j].Name
		}
		return all[i].ID < all[j].ID
	})
	seen := fmt.Sprint(len(servers))
	if len(servers) >= maxDiscovered(max) {
		seen = "at least " + seen
	}
	for _, si := range all[max:] {
		delete(servers, si.ID)
	}
	return fmt.Sprintf("more than %d servers answered %s (%s): only the first %d by name were audited (--max-servers)", max, pingSubject, seen, max)
}

// statszBudget bounds each discovery answer (a statsz of a few hundred
// values), which is kept only as the server's identity.
func statszBudget() *budget {
	return &budget{docValues: 10_000, maxValues: 1 << 62, maxBytes: 1 << 62}
}

// discover asks every server for its statsz and stops once the number of
// servers they report (active_servers, or the JetStream meta cluster size)
// have answered, at the timeout, or when limit servers answered.
func discover(ctx context.Context, nc *nats.Conn, timeout time.Duration, asyncErr <-chan error, limit int) (map[string]serverInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	inbox := nc.NewInbox()
	ch := make(chan *nats.Msg, 256)
	sub, err := nc.ChanSubscribe(inbox, ch)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	defer sub.Unsubscribe() //nolint:errcheck // best effort on a connection about to close
	if err := nc.PublishMsg(&nats.Msg{Subject: pingSubject, Reply: inbox}); err != nil {
		return nil, fmt.Errorf("publish %s: %w", pingSubject, err)
	}
	servers := map[string]serverInfo{}
	expected := 0
	quiet := time.NewTimer(time.Hour)
	defer quiet.Stop()
	for {
		select {
		case m := <-ch:
			if isNoResponders(m) {
				return nil, errNoSystemAccount
			}
			doc, err := statszBudget().decodeBytes(m.Data)
			if err != nil {
				continue // not a statsz answer: ignore it, others may follow
			}
			si := infoOf(doc)
			if si.ID == "" {
				continue
			}
			servers[si.ID] = si
			if len(servers) >= limit {
				return servers, nil
			}
			st := getMap(doc, "statsz")
			if n, ok := getInt(st, "active_servers"); ok && int(n) > expected {
				expected = int(n)
			}
			if n, ok := getInt(getMap(st, "jetstream", "meta"), "cluster_size"); ok && int(n) > expected {
				expected = int(n)
			}
			switch {
			case expected > 0 && len(servers) >= expected:
				// Everyone we know of answered; linger briefly for a server
				// whose view is wider (just after a cluster forms, the first
				// answer may count only itself).
				quiet.Reset(lingerPeriod)
			case expected == 0:
				quiet.Reset(quietPeriod)
			default:
				quiet.Reset(time.Hour)
			}
		case err := <-asyncErr:
			if isPermissionErr(err) {
				return nil, fmt.Errorf("not allowed to request %s: %v (the user needs the system account's permissions)", pingSubject, err)
			}
		case <-quiet.C:
			return servers, nil
		case <-ctx.Done():
			if len(servers) == 0 {
				return nil, fmt.Errorf("no server answered %s within %s", pingSubject, timeout)
			}
			return servers, nil
		}
	}
}

// oversized is the key, in gather's answers, of the endpoints for which an
// answer over the size limit was dropped.
const oversized = "\x00oversized"

type reply struct {
	doc map[string]any
	err error
}

// gather sends every endpoint request at once and collects the answers of
// the known servers until all have answered or the timeout passed.
func gather(ctx context.Context, nc *nats.Conn, opt Options, servers map[string]serverInfo, asyncErr <-chan error, b *budget) (map[string]map[string]reply, error) {
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	prefix := nc.NewInbox()
	ch := make(chan *nats.Msg, 64*len(endpoints))
	sub, err := nc.ChanSubscribe(prefix+".*", ch)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	defer sub.Unsubscribe() //nolint:errcheck // best effort on a connection about to close
	// Responses can be large (jsz with consumers): let the subscription hold
	// what the byte limit allows for every server and endpoint, but never
	// more than the run can decode (what is beyond is dropped by the client
	// library, and the servers it belonged to are reported missing).
	_ = sub.SetPendingLimits(-1, int(min(opt.MaxBody*int64(len(servers)*len(endpoints)), opt.MaxBytes+opt.MaxBody, 1<<31-1)))
	got := map[string]map[string]reply{oversized: {}}
	byName := map[string]endpoint{}
	for _, ep := range endpoints {
		got[ep.name] = map[string]reply{}
		byName[ep.name] = ep
		body := []byte("{}")
		if ep.query != nil {
			body, _ = json.Marshal(ep.query)
		}
		if err := nc.PublishMsg(&nats.Msg{Subject: pingSubject + "." + ep.sys, Reply: prefix + "." + ep.name, Data: body}); err != nil {
			return nil, fmt.Errorf("publish %s.%s: %w", pingSubject, ep.sys, err)
		}
	}
	want := len(servers) * len(endpoints)
	n := 0
	for n < want {
		select {
		case m := <-ch:
			name := m.Subject[strings.LastIndexByte(m.Subject, '.')+1:]
			ep, ok := byName[name]
			if !ok || isNoResponders(m) {
				continue
			}
			if int64(len(m.Data)) > opt.MaxBody {
				// Not decoded: whose answer it was stays unknown, so the
				// servers missing at the end are told why.
				got[oversized][name] = reply{err: fmt.Errorf("%s: an answer over the %d-byte limit was dropped", ep.sys, opt.MaxBody)}
				continue
			}
			// The envelope first, without decoding the document: answers of
			// servers that were not discovered (or were left out by
			// --max-servers), and repeated ones, cost no decoding and no
			// part of the run's budget.
			a, err := splitAnswer(m.Data)
			if err != nil {
				continue // not an answer: others may follow
			}
			si := a.info()
			if _, known := servers[si.ID]; !known {
				continue // joined after discovery; the next run will see it
			}
			if _, dup := got[name][si.ID]; dup {
				continue
			}
			got[name][si.ID] = a.reply(ep, b)
			n++
		case err := <-asyncErr:
			if isPermissionErr(err) {
				return nil, fmt.Errorf("not allowed to request the monitoring endpoints: %v (the user needs the system account's permissions)", err)
			}
		case <-ctx.Done():
			return got, nil
		}
	}
	return got, nil
}

// sysAnswer is the envelope of a $SYS monitoring answer, its parts kept
// undecoded until the server is known.
type sysAnswer struct {
	Server, Data, Error []byte
}

// splitAnswer finds the parts of {"server": ..., "data": ..., "error": ...}
// without decoding them (each is decoded, and checked, on its own).
func splitAnswer(b []byte) (*sysAnswer, error) {
	members, err := topLevelMembers(b)
	if err != nil {
		return nil, err
	}
	return &sysAnswer{Server: members["server"], Data: members["data"], Error: members["error"]}, nil
}

func (a *sysAnswer) info() serverInfo {
	s, err := statszBudget().decodeBytes(a.Server)
	if err != nil {
		return serverInfo{}
	}
	return infoOf(map[string]any{"server": s})
}

// reply unwraps the answer of a known server: its error, or its data
// decoded within the run's budget.
func (a *sysAnswer) reply(ep endpoint, b *budget) reply {
	doc := map[string]any{}
	if len(a.Error) > 0 && string(a.Error) != "null" {
		e, err := statszBudget().decodeBytes(a.Error)
		if err != nil {
			return reply{err: fmt.Errorf("%s: unexpected error answer: %v", ep.sys, err)}
		}
		doc["error"] = e
	} else if len(a.Data) > 0 && string(a.Data) != "null" {
		data, err := b.decodeBytes(a.Data)
		if err != nil {
			return reply{err: err} // the caller names the server and endpoint
		}
		doc["data"] = data
	}
	return apiReply(doc, ep)
}

// apiReply unwraps {server, data, error}.
func apiReply(doc map[string]any, ep endpoint) reply {
	if e := getMap(doc, "error"); e != nil {
		code, _ := getInt(e, "code")
		desc := getString(e, "description")
		if code == 503 || strings.Contains(strings.ToLower(desc), "system privileges") {
			return reply{err: fmt.Errorf("%s: %s (ensure the account has system privileges)", ep.sys, desc)}
		}
		return reply{err: fmt.Errorf("%s: server error %d: %s", ep.sys, code, desc)}
	}
	data := getMap(doc, "data")
	if data == nil {
		return reply{err: fmt.Errorf("%s: unexpected answer: no data object", ep.sys)}
	}
	return reply{doc: data}
}

func infoOf(doc map[string]any) serverInfo {
	s := getMap(doc, "server")
	return serverInfo{ID: getString(s, "id"), Name: getString(s, "name"), Cluster: getString(s, "cluster")}
}

// sysHealthStatus is the HTTP status /healthz would have answered with.
func sysHealthStatus(doc map[string]any) int {
	if c, ok := getInt(doc, "status_code"); ok && c > 0 {
		return int(c)
	}
	if strings.EqualFold(getString(doc, "status"), "ok") {
		return 200
	}
	return 503
}

func isNoResponders(m *nats.Msg) bool {
	return len(m.Data) == 0 && m.Header.Get("Status") == "503"
}

func isPermissionErr(err error) bool {
	return err != nil && (errors.Is(err, nats.ErrPermissionViolation) || strings.Contains(strings.ToLower(err.Error()), "permissions violation"))
}

// pageSys reads the further pages of the paged documents from each server
// that has more ($SYS.REQ.SERVER.<ID>.<ENDPOINT> with offset/limit): the
// servers concurrently, each one's pages one after the other. A page that
// fails turns the document into a failure naming the server.
func pageSys(ctx context.Context, nc *nats.Conn, opt Options, servers map[string]serverInfo, got map[string]map[string]reply, b *budget) []string {
	type job struct {
		id string
		ep endpoint
		p  pager
	}
	var jobs []job
	for _, ep := range endpoints {
		p, ok := pagers[ep.name]
		if !ok {
			continue
		}
		for id, r := range got[ep.name] {
			if r.err == nil && nextOffset(r.doc, p, opt.MaxPaged) >= 0 {
				jobs = append(jobs, job{id, ep, p})
			}
		}
	}
	notes := make([]string, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			doc := got[j.ep.name][j.id].doc
			for {
				off := nextOffset(doc, j.p, opt.MaxPaged)
				if off < 0 {
					break
				}
				q := map[string]any{"offset": off, "limit": pageSize}
				for k, v := range j.ep.query {
					q[k] = v
				}
				page, err := requestPage(ctx, nc, opt, j.id, j.ep, q, b)
				if err != nil {
					errs[i] = fmt.Errorf("page at offset %d: %w", off, err)
					return
				}
				if !appendPage(doc, page, j.p, opt.MaxPaged) {
					break
				}
			}
			notes[i] = finishPaging(doc, j.p, j.ep.sys, servers[j.id].Name, opt.MaxPaged)
		}()
	}
	wg.Wait()
	var out []string
	for i, j := range jobs {
		if errs[i] != nil {
			got[j.ep.name][j.id] = reply{err: errs[i]}
			continue
		}
		if notes[i] != "" {
			out = append(out, notes[i])
		}
	}
	sort.Strings(out)
	return out
}

// requestPage asks one server for one page of an endpoint.
func requestPage(ctx context.Context, nc *nats.Conn, opt Options, id string, ep endpoint, q map[string]any, b *budget) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	body, _ := json.Marshal(q)
	m, err := nc.RequestWithContext(ctx, "$SYS.REQ.SERVER."+id+"."+ep.sys, body)
	// The server answered the first page, so it is there: "no responders"
	// for a later page is its request subscription momentarily not seen
	// through the route (seen on a loaded 3-node cluster). Retry a few
	// times within the request's own timeout.
	for wait := 50 * time.Millisecond; errors.Is(err, nats.ErrNoResponders) && wait <= 800*time.Millisecond; wait *= 2 {
		select {
		case <-ctx.Done():
		case <-time.After(wait):
			m, err = nc.RequestWithContext(ctx, "$SYS.REQ.SERVER."+id+"."+ep.sys, body)
			continue
		}
		break
	}
	if err != nil {
		if isTimeout(err) {
			return nil, errTimeout(opt.Timeout)
		}
		return nil, err
	}
	if int64(len(m.Data)) > opt.MaxBody {
		return nil, fmt.Errorf("%s: an answer over the %d-byte limit", ep.sys, opt.MaxBody)
	}
	a, err := splitAnswer(m.Data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ep.sys, err)
	}
	if a.info().ID != id {
		return nil, fmt.Errorf("%s: answered by another server", ep.sys)
	}
	r := a.reply(ep, b)
	return r.doc, r.err
}

// excludeOwn removes natsaudit's own connection from the documents of the
// server it is connected to: the connection exists only because of the
// audit, and counting it would raise connection-limit findings that the
// same server, probed over HTTP, does not have.
func excludeOwn(nc *nats.Conn, got map[string]map[string]reply) {
	cid, err := nc.GetClientID()
	if err != nil {
		return
	}
	sid := nc.ConnectedServerId()
	if r, ok := got["connz"][sid]; ok && r.err == nil {
		conns := getSlice(r.doc, "connections")
		kept := conns[:0:0]
		for _, c := range conns {
			cm, _ := c.(map[string]any)
			if id, ok := getInt(cm, "cid"); ok && uint64(id) == cid && getString(cm, "name") == ownName {
				continue
			}
			kept = append(kept, c)
		}
		if removed := int64(len(conns) - len(kept)); removed > 0 {
			r.doc["connections"] = kept
			for _, k := range []string{"num_connections", "total"} {
				if n, ok := getInt(r.doc, k); ok {
					r.doc[k] = n - removed
				}
			}
		}
	}
	if r, ok := got["varz"][sid]; ok && r.err == nil {
		if n, ok := getInt(r.doc, "connections"); ok && n > 0 {
			r.doc["connections"] = n - 1
		}
	}
}
