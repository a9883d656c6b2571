package probe

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/source/streams"
)

// The JetStream API of an account, read with that account's credentials
// (--js-creds). It sees what no monitoring document shows: every server's
// /jsz lists only the streams it hosts, so a stream whose replicas are all
// on servers that are down is listed nowhere; the meta leader still knows
// it, and $JS.API.STREAM.LIST returns it under "missing" (its info says
// "stream is offline"). The system account cannot ask another account's
// API, hence credentials per account. $JS.API.INFO gives the account's
// usage and limits (streams, consumers, storage).

// collectJSAccounts reads each account's JetStream API through opt.Server,
// one account after the other (after the $SYS gather: our connections are
// not counted as the servers' clients).
func collectJSAccounts(ctx context.Context, opt Options, tlsConf *tls.Config, b *budget) *Result {
	res := &Result{}
	for _, creds := range opt.JSCreds {
		target := "JetStream API via " + Display(opt.Server) + " (--js-creds " + creds + ")"
		acc, err := readJSAccount(ctx, opt, tlsConf, b, creds)
		if err != nil {
			res.fail(target, err)
			continue
		}
		acc.Endpoint = "JetStream API via " + Display(opt.Server)
		res.Accounts = append(res.Accounts, acc)
		if acc.capped != "" {
			res.Notes = append(res.Notes, target+": "+acc.capped)
		}
	}
	return res
}

// jsAccount is one account's API answers.
type jsAccount struct {
	model.LiveAccount
	// listed are the STREAM.LIST entries by name (config, cluster, state).
	listed map[string]map[string]any
	capped string
}

func readJSAccount(ctx context.Context, opt Options, tlsConf *tls.Config, b *budget, creds string) (*jsAccount, error) {
	o := opt
	o.Auth = Auth{Creds: creds}
	nc, _, err := connect(ctx, o, tlsConf)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	req := func(subj string, body any) (map[string]any, error) {
		data, _ := json.Marshal(body)
		m, err := nc.RequestWithContext(ctx, subj, data)
		switch {
		case errors.Is(err, nats.ErrNoResponders):
			return nil, fmt.Errorf("no answer to %s: JetStream is not enabled for this account", subj)
		case errors.Is(err, context.DeadlineExceeded):
			return nil, fmt.Errorf("%s: %w", subj, errTimeout(opt.Timeout))
		case err != nil:
			return nil, fmt.Errorf("%s: %s", subj, redactSeed(err.Error()))
		}
		doc, err := b.decodeBytes(m.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", subj, err)
		}
		if e := getMap(doc, "error"); e != nil {
			return nil, fmt.Errorf("%s: the server answered %q", subj, getString(e, "description"))
		}
		return doc, nil
	}
	acc := &jsAccount{listed: map[string]map[string]any{}}
	acc.Streams, acc.Missing = []string{}, []string{}
	// Who we are: the account's id (operator mode: its public key).
	if ui, err := req("$SYS.REQ.USER.INFO", nil); err == nil {
		acc.ID = getString(getMap(ui, "data"), "account")
	}
	if acc.ID == "" {
		return nil, errors.New("$SYS.REQ.USER.INFO: no account in the answer (nats-server older than 2.10?)")
	}
	acc.Name = acc.ID
	if acc.Info, err = req("$JS.API.INFO", nil); err != nil {
		return nil, err
	}
	missing := map[string]bool{}
	// STREAM.LIST answers 256 streams a page (the server's fixed page).
	for offset := 0; ; {
		page, err := req("$JS.API.STREAM.LIST", map[string]any{"offset": offset})
		if err != nil {
			return nil, err
		}
		list := getSlice(page, "streams")
		for _, e := range list {
			si, _ := e.(map[string]any)
			name := getString(getMap(si, "config"), "name")
			if name == "" || acc.listed[name] != nil {
				continue
			}
			acc.listed[name] = si
			acc.Streams = append(acc.Streams, name)
		}
		for _, m := range getSlice(page, "missing") {
			if s, ok := m.(string); ok && s != "" {
				missing[s] = true
			}
		}
		total, _ := getInt(page, "total")
		offset += len(list)
		if len(list) == 0 || int64(offset) >= total {
			break
		}
		if len(acc.listed) >= opt.MaxPaged {
			acc.capped = "the account has " + strconv.FormatInt(total, 10) + " streams; " + strconv.Itoa(len(acc.listed)) + " were read (the cap is " + strconv.Itoa(opt.MaxPaged) + ")"
			break
		}
	}
	for m := range missing {
		acc.Missing = append(acc.Missing, m)
	}
	sort.Strings(acc.Streams)
	sort.Strings(acc.Missing)
	return acc, nil
}

// mergeAccounts adds the accounts read through their API, and the streams
// they list that no server's /jsz reported: offline streams.
func mergeAccounts(inv *model.Inventory, accs []*jsAccount) {
	// Name tags (operator mode) from the servers' jsz: streams are merged
	// under the account's name.
	names := map[string]string{}
	for _, s := range inv.Servers {
		if s.Live == nil {
			continue
		}
		for _, a := range getSlice(s.Live.Jsz, "account_details") {
			am, _ := a.(map[string]any)
			if id, name := getString(am, "id"), getString(am, "name"); id != "" && name != "" {
				names[id] = name
			}
		}
	}
	for _, acc := range accs {
		if n := names[acc.ID]; n != "" {
			acc.Name = n
		}
		la := acc.LiveAccount
		la.Ref = model.RefTo(model.RefLiveAccount, len(inv.LiveAccounts))
		inv.LiveAccounts = append(inv.LiveAccounts, &la)
		known := map[string]bool{}
		for _, st := range inv.Streams {
			if st.Source == "live" && (st.Account == acc.Name || st.Account == acc.ID) {
				known[st.Name] = true
			}
		}
		for _, name := range acc.Missing {
			if known[name] {
				continue
			}
			si := acc.listed[name]
			st := &model.Stream{
				Ref: model.RefTo(model.RefStream, len(inv.Streams)), Name: name, Account: acc.Name, Source: "live",
				Config: map[string]any{}, State: getMap(si, "state"), Cluster: getMap(si, "cluster"),
				Servers: []string{}, Locs: model.Locations{},
				Offline: offlineReason(getMap(si, "cluster")),
			}
			if cfg := getMap(si, "config"); cfg != nil {
				st.Config = deepCopy(cfg).(map[string]any)
				streams.StreamDefaults(st.Config)
			}
			inv.Streams = append(inv.Streams, st)
		}
	}
}

// offlineReason names the servers of an offline stream's replicas, as the
// meta leader knows them.
func offlineReason(cluster map[string]any) string {
	var names []string
	for _, r := range getSlice(cluster, "replicas") {
		rm, _ := r.(map[string]any)
		if n := getString(rm, "name"); n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) > 16 {
		names = names[:16]
	}
	if len(names) == 0 {
		return "no server hosting it answered"
	}
	return fmt.Sprintf("no server hosting it answered (its replicas: %s)", strings.Join(names, ", "))
}
