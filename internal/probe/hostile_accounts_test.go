package probe_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/probe"
)

// A hostile monitoring port claims operator mode and thousands of
// accounts, and answers each /accountz?acc= slowly, just within the
// timeout: the account details are one request per account, so without a
// bound on the whole stage the probe would take (accounts / workers) ×
// delay. The stage shares one timeout: the probe ends near it, with a
// failure naming the server.
func TestHostileAccountDetailsBounded(t *testing.T) {
	var ids []string
	for i := range 5000 {
		ids = append(ids, fmt.Sprintf("%q", fmt.Sprintf("A%055d", i)))
	}
	accountz := `{"server_id":"x","system_account":"SYS","accounts":[` + strings.Join(ids, ",") + `]}`
	u := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/varz":
			fmt.Fprint(w, `{"server_name":"rogue","trusted_operators_claim":[{"name":"op"}]}`)
		case r.URL.Path == "/accountz" && r.URL.Query().Get("acc") != "":
			time.Sleep(hostileTimeout / 2)
			fmt.Fprintf(w, `{"account_detail":{"account_name":%q}}`, r.URL.Query().Get("acc"))
		case r.URL.Path == "/accountz":
			fmt.Fprint(w, accountz)
		default:
			fmt.Fprint(w, `{}`)
		}
	})
	start := time.Now()
	res, err := probe.Collect(context.Background(), probe.Options{URLs: []string{u}, Timeout: hostileTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > hostileTimeout+slack {
		t.Errorf("the probe took %s (timeout %s)", d, hostileTimeout)
	}
	found := false
	for _, f := range res.Failures {
		found = found || strings.Contains(f.Target, "/accountz?acc=") && strings.Contains(f.Err.Error(), "no complete answer within")
	}
	if !found {
		t.Errorf("failures = %v, want the account details cut at the timeout", res.Failures)
	}
	if len(res.Snapshots) != 1 {
		t.Errorf("snapshots = %d: the server's other documents are still read", len(res.Snapshots))
	}
}
