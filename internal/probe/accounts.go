package probe

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Account details. In operator mode each account's JWT carries its limits
// (connections, leafnodes, subscriptions) and its expiry; /accountz lists
// only the accounts' ids, and /accountz?acc=<id> (over $SYS, ACCOUNTZ with
// {"account": id}) gives one account's claims and this server's counts.
// One request per account and server: read only from servers in operator
// mode (config-file accounts have no JWT), at most DefaultMaxAccountDetails
// accounts per server, a few at a time.

// DefaultMaxAccountDetails bounds the accounts whose details are read from
// one server.
const DefaultMaxAccountDetails = 1024

// accountDetailWorkers is how many account requests run at once per server.
const accountDetailWorkers = 8

// operatorMode reports whether varz shows trusted operators (JWT accounts).
func operatorMode(varz map[string]any) bool {
	return len(getSlice(varz, "trusted_operators_claim")) > 0 || len(getSlice(varz, "trusted_operators_jwt")) > 0
}

// joinNotes adds the skipped accounts' note to the cap's.
func joinNotes(capNote, skipped, server string) string {
	switch {
	case skipped == "":
		return capNote
	case capNote == "":
		return "server " + server + ": " + skipped
	}
	return capNote + "; " + skipped
}

// detailAccounts are the accounts to read: all but the system account (and
// the global account $G, which has no JWT), by
// id, the first max; note says when the cap cut.
func detailAccounts(accountz map[string]any, server string, max int) (ids []string, note string) {
	sys := getString(accountz, "system_account")
	for _, a := range getSlice(accountz, "accounts") {
		if id, ok := a.(string); ok && id != "" && id != sys && id != "$G" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	if len(ids) > max {
		note = fmt.Sprintf("server %s: /accountz lists %d accounts; the details (JWT limits and expiry) of the first %d were read", server, len(ids), max)
		ids = ids[:max]
	}
	return ids, note
}

// readAccountDetails asks get for each account's detail, a few at a time.
// An account that fails (one the server lists but no longer knows, seen
// in operator mode) is skipped and counted; the stage's timeout ends it
// all, as a failure.
func readAccountDetails(ctx context.Context, ids []string, get func(ctx context.Context, id string) (map[string]any, error)) ([]any, string, error) {
	out := make([]any, len(ids))
	errs := make([]error, len(ids))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(accountDetailWorkers, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if ctx.Err() != nil {
					continue
				}
				d, err := get(ctx, ids[i])
				if err != nil {
					errs[i] = fmt.Errorf("account %s: %w", ids[i], err)
					continue
				}
				out[i] = d
			}
		}()
	}
	for i := range ids {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, "", ctx.Err()
	}
	var kept []any
	failed, first := 0, ""
	for i, d := range out {
		switch {
		case errs[i] != nil:
			if failed == 0 {
				first = errs[i].Error()
			}
			failed++
		case d != nil:
			kept = append(kept, d)
		}
	}
	note := ""
	if failed > 0 {
		note = fmt.Sprintf("the details of %d of %d accounts could not be read (%s)", failed, len(ids), first)
	}
	return kept, note, nil
}

// httpAccountDetails reads the details of a server's accounts over HTTP.
func httpAccountDetails(ctx context.Context, client *http.Client, t *httpTarget, live *model.Live, server string, opt Options, b *budget) (string, error) {
	if !operatorMode(live.Varz) || live.Accountz == nil {
		return "", nil
	}
	ids, note := detailAccounts(live.Accountz, server, DefaultMaxAccountDetails)
	// One timeout for the whole stage, not one per account: a server that
	// answers each request slowly cannot multiply it.
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	details, skipped, err := readAccountDetails(ctx, ids, func(ctx context.Context, id string) (map[string]any, error) {
		f := fetch(ctx, client, t, endpoint{name: "accountz", path: "/accountz?acc=" + url.QueryEscape(id)}, opt, b)
		if f.err != nil {
			return nil, f.err
		}
		return getMap(f.doc, "account_detail"), nil
	})
	if err != nil {
		return "", errTimeout(opt.Timeout)
	}
	live.AccountDetails = details
	return joinNotes(note, skipped, server), nil
}

// sysAccountDetails reads the details of a server's accounts over $SYS;
// ctx bounds the stage for all servers (one timeout for all of them).
func sysAccountDetails(ctx context.Context, nc *nats.Conn, id string, live *model.Live, server string, opt Options, b *budget) (string, error) {
	if !operatorMode(live.Varz) || live.Accountz == nil {
		return "", nil
	}
	ids, note := detailAccounts(live.Accountz, server, DefaultMaxAccountDetails)
	ep := endpoint{name: "accountz", sys: "ACCOUNTZ"}
	details, skipped, err := readAccountDetails(ctx, ids, func(ctx context.Context, acc string) (map[string]any, error) {
		doc, err := requestPage(ctx, nc, opt, id, ep, map[string]any{"account": acc}, b)
		if err != nil {
			return nil, err
		}
		return getMap(doc, "account_detail"), nil
	})
	if err != nil {
		return "", errTimeout(opt.Timeout)
	}
	live.AccountDetails = details
	return joinNotes(note, skipped, server), nil
}
