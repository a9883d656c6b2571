package rules_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/natsaudit/natsaudit/internal/natstest"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// A cross-account mirror and source whose origin's account exports the
// JetStream API and the delivery subjects but not `$JS.FC.>` (an easy
// mistake in cross-account setups). The origin's consumer for each
// copy sends the first flow-control window (nats-server's
// JsFlowControlMaxPending 32 MiB / 16 = 2 MiB of messages), then waits for a
// flow-control reply that never reaches it. nats-server sets a copy's `lag`
// from the pending count of the last message it received (stream.go,
// processInboundMirrorMsg / processInboundSourceMsg), so the lag stays at
// what was left after that window; heartbeats keep arriving, so `active`
// stays fresh, and after three of them the copy reports "stream source
// consumer stalled on flow control". The window is counted in bytes, so
// the lag does not depend on timing: with 10,000 messages of 1 KiB it was
// 8,134 (mirror) and 8,129 (source) on every run, idle or busy. With
// `$JS.FC.>` exported and imported the same copies catch up to all 10,000
// messages with a lag of 0 (checked by hand; not repeated here, it would
// only test nats-server). The lag would move only if the copy stopped
// hearing heartbeats for 10 s (sourceHealthCheckInterval) and recreated
// its consumer.
const mirrorAccountsConf = `
accounts {
  ORIG {
    jetstream: enabled
    users: [{user: orig, password: orig-pass-123456}]
    exports: [
      {service: "$JS.API.>"}
      {stream: "deliver.copy.>"}
    ]
  }
  COPY {
    jetstream: enabled
    users: [{user: copy, password: copy-pass-123456}]
    imports: [
      {service: {account: ORIG, subject: "$JS.API.>"}, to: "orig.api.>"}
      {stream: {account: ORIG, subject: "deliver.copy.>"}}
    ]
  }
  SYS { users: [{user: sys, password: sys-pass-123456}] }
}
system_account: SYS
`

const mirrorBacklog = 10000

func TestLiveMirrorLagging(t *testing.T) {
	dir := t.TempDir()
	conf := fmt.Sprintf("server_name: mirror\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\njetstream { store_dir: %q, max_memory_store: 256MB, max_file_store: 1GB }\n%s",
		filepath.Join(dir, "js"), mirrorAccountsConf)
	s, err := natstest.StartConf(dir, "mirror", conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	jsFor := func(user, pass string) jetstream.JetStream {
		nc, err := nats.Connect(s.ClientURL(), nats.UserInfo(user, pass))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		return js
	}
	orig, cp := jsFor("orig", "orig-pass-123456"), jsFor("copy", "copy-pass-123456")
	if _, err := orig.CreateStream(ctx, jetstream.StreamConfig{Name: "ORIGIN", Subjects: []string{"origin.>"}}); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte("x"), 1024)
	// A generous stall wait: with the default (200 ms) a loaded CI machine
	// fails the publish with ErrTooManyStalledMsgs before the server acks.
	for i := range mirrorBacklog {
		if _, err := orig.PublishAsync(fmt.Sprintf("origin.%d", i%10), payload, jetstream.WithStallWait(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-orig.PublishAsyncComplete():
	case <-ctx.Done():
		t.Fatal("publishing the backlog timed out")
	}
	ext := &jetstream.ExternalStream{APIPrefix: "orig.api", DeliverPrefix: "deliver.copy"}
	if _, err := cp.CreateStream(ctx, jetstream.StreamConfig{Name: "MIRROR", Mirror: &jetstream.StreamSource{Name: "ORIGIN", External: ext}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.CreateStream(ctx, jetstream.StreamConfig{Name: "SOURCED", Sources: []*jetstream.StreamSource{{Name: "ORIGIN", External: ext}}}); err != nil {
		t.Fatal(err)
	}

	// copyState is a copy's lag, stored messages and error as probed.
	type copyState struct {
		lag, msgs int64
		err       string
	}
	state := func(f findings, name string) (copyState, bool) {
		for _, st := range f.inv.Streams {
			if st.Account != "COPY" || st.Name != name {
				continue
			}
			o := st.Mirror
			if o == nil && len(st.Sources) == 1 {
				o, _ = st.Sources[0].(map[string]any)
			}
			if o == nil {
				return copyState{}, false
			}
			var c copyState
			c.lag, _ = o["lag"].(int64)
			c.msgs, _ = st.State["messages"].(int64)
			if e, ok := o["error"].(map[string]any); ok {
				c.err, _ = e["description"].(string)
			}
			return c, true
		}
		return copyState{}, false
	}
	copies := []struct{ stream, what string }{{"MIRROR", "mirror"}, {"SOURCED", "source"}}
	stalled := func(f findings) bool {
		for _, c := range copies {
			if st, ok := state(f, c.stream); !ok || st.lag < 1000 || st.err == "" {
				return false
			}
		}
		return true
	}
	f := eventually(t, 30*time.Second, []*server.Server{s}, stalled)
	if !stalled(f) {
		t.Fatalf("the copies did not stall with a lag of 1,000 or more:%s", f)
	}
	first := map[string]copyState{}
	for _, c := range copies {
		st, _ := state(f, c.stream)
		t.Logf("%s: lag %d, %d messages stored, error %q", c.stream, st.lag, st.msgs, st.err)
		// nats-server reports the pending count less one: what the copy
		// holds plus its lag is the backlog less one.
		if st.msgs+st.lag != mirrorBacklog-1 {
			t.Errorf("%s: %d messages stored + lag %d, want %d", c.stream, st.msgs, st.lag, mirrorBacklog-1)
		}
		first[c.stream] = st
	}
	// The stall error needs three heartbeats (a second apart) naming the
	// same flow-control request, so the copies have been stuck for seconds
	// already; the probes below must see the same lag and messages.
	check := func(t *testing.T, f findings) {
		t.Helper()
		for _, c := range copies {
			if st, _ := state(f, c.stream); st != first[c.stream] {
				t.Errorf("%s: %+v, first probe %+v", c.stream, st, first[c.stream])
			}
			got := f.get("NATS-HLT-012", "stream COPY/"+c.stream)
			want := fmt.Sprintf("stream %s (account COPY): its %s ORIGIN (via orig.api) is %d messages behind its origin (stream source consumer stalled on flow control)", c.stream, c.what, first[c.stream].lag)
			if len(got) != 1 || got[0].Severity != "medium" || got[0].Msg != want {
				t.Errorf("HLT-012 on %s: %v, want one medium %q%s", c.stream, got, want, f)
			}
		}
	}
	t.Run("http", func(t *testing.T) { check(t, auditLive(t, s)) })
	t.Run("sys", func(t *testing.T) {
		f, res := auditWith(t, probe.Options{Server: s.ClientURL(), Auth: probe.Auth{User: "sys", Password: "sys-pass-123456"}})
		if len(res.Failures) > 0 {
			t.Fatalf("failures: %v", res.Failures)
		}
		check(t, f)
	})
}
