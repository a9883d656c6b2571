package shell

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/natsaudit/natsaudit/internal/secret"
)

func analyzer(t *testing.T) *secret.Analyzer {
	t.Helper()
	a, err := secret.NewAnalyzer(secret.Params{Placeholders: []string{"admin", "pass", "T0pS3cr3t"}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLexWords(t *testing.T) {
	tests := []struct {
		name, script string
		want         []string // commands, words joined by |, with their line
	}{
		{"continuations and quotes", "nats stream add S \\\n  --subjects \"a.*,b\" \\\n  --description 'x y'\n", []string{"1: nats|stream|add|S|--subjects|a.*,b|--description|x y"}},
		{"operators split commands", "a 1 && b 2; c 3 | d 4 & e", []string{"1: a|1", "1: b|2", "1: c|3", "1: d|4", "1: e"}},
		{"comments", "# nats stream add X\nnats s add Y # --replicas 1\n", []string{"2: nats|s|add|Y"}},
		{"redirections are not arguments", "nats stream ls 2>/dev/null >out.txt\n", []string{"1: nats|stream|ls"}},
		{"here-document bodies are skipped", "cat > n.conf <<EOF\nnats stream add NO\nEOF\nnats stream add YES\n", []string{"1: cat", "4: nats|stream|add|YES"}},
		{"tab-stripped here-document", "cat <<-'END' > x\n\tnats x\n\tEND\nnats y\n", []string{"1: cat", "4: nats|y"}},
		{"empty quoted word", "nats con add S C --filter \"\" --ack explicit\n", []string{"1: nats|con|add|S|C|--filter||--ack|explicit"}},
		{"command substitution is unknown", "nats stream add $(date +%s) --replicas `echo 3`\n", []string{"1: nats|stream|add|$(...)|--replicas|$(...)"}},
		{"unterminated quote ends at EOF", "nats stream add 'S\n", []string{"1: nats|stream|add|S\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &parser{vars: map[string]string{}}
			var got []string
			for _, c := range lex([]byte(tc.script)) {
				var ws []string
				for _, w := range p.evalWords(c.words) {
					ws = append(ws, w.text)
				}
				got = append(got, strings.Join([]string{strconv.Itoa(c.line), strings.Join(ws, "|")}, ": "))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestStreamsAndConsumers(t *testing.T) {
	script := `#!/bin/sh
REPL=3
NATS="docker exec -i box nats"
$NATS stream add ORDERS --subjects "orders.>" --replicas $REPL --max-age=1y --max-bytes 1GB --storage memory --retention work --discard new
nats str add EVENTS --subjects e --replicas "$FROM_ENV" --max-msgs=-1 --max-bytes=-1 --max-age=-1
nats stream edit ORDERS --replicas 5
nats stream edit UNKNOWN --replicas 1
nats stream add --config orders.json FILE
nats con add ORDERS worker --ack explicit --max-deliver=-1 --wait 45s --max-pending 50 --pull --deliver last-per-subject
nats consumer add ORDERS push --target out.subj --max-deliver ${MAXD:-5}
`
	res := Parse("s.sh", []byte(script), analyzer(t))
	if len(res.Streams) != 2 {
		t.Fatalf("streams = %d, want 2 (ORDERS, EVENTS; edit merges, --config is read elsewhere)", len(res.Streams))
	}
	o, e := res.Streams[0].Config, res.Streams[1].Config
	checks := []struct {
		what string
		got  any
		want any
	}{
		{"ORDERS name", res.Streams[0].Name, "ORDERS"},
		{"ORDERS replicas (edit after add)", o["num_replicas"], int64(5)},
		{"ORDERS max_age 1y", o["max_age"], int64(365 * 24 * 3600 * 1e9)},
		{"ORDERS max_bytes", o["max_bytes"], int64(1 << 30)},
		{"ORDERS storage", o["storage"], "memory"},
		{"ORDERS retention", o["retention"], "workqueue"},
		{"ORDERS discard", o["discard"], "new"},
		{"ORDERS max_msgs default", o["max_msgs"], int64(-1)},
		{"EVENTS replicas unknown", e["num_replicas"], "$FROM_ENV"},
		{"EVENTS max_age -1 is unlimited", e["max_age"], int64(0)},
		{"EVENTS max_msgs", e["max_msgs"], int64(-1)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
	if l := res.Streams[0].Locs["config"]; l.Line != 4 {
		t.Errorf("ORDERS defined at line %d, want 4", l.Line)
	}
	if len(res.Consumers) != 2 {
		t.Fatalf("consumers = %d, want 2", len(res.Consumers))
	}
	w, p := res.Consumers[0], res.Consumers[1].Config
	if w.Stream != "ORDERS" || w.Name != "worker" || w.Config["max_deliver"] != int64(-1) || w.Config["ack_wait"] != int64(45e9) ||
		w.Config["max_ack_pending"] != int64(50) || w.Config["deliver_policy"] != "last_per_subject" || w.Config["ack_policy"] != "explicit" {
		t.Errorf("worker = %s/%s %#v", w.Stream, w.Name, w.Config)
	}
	if p["max_deliver"] != "$MAXD" || p["deliver_subject"] != "out.subj" || p["ack_policy"] != "none" {
		t.Errorf("push = %#v (an environment default is unknown, not 5)", p)
	}
}

func TestCredentials(t *testing.T) {
	script := `#!/bin/bash
SERVERS="nats://app:app@n1:4222,nats://app:app@n2:4222"
nats --server "$SERVERS" stream ls
nats context save one --server nats://admin:Zq8vN3kLx7Wm2Rt5@localhost:4222
nats context add two --user=ruser --password=T0pS3cr3t -s nats-main
nats context save three \
  --user ops \
  --password "$OPS_PASSWORD"
nats pub x y --token 'Tk9mW2vQ8xLr5Zn3Pb7Yc4Hd6Js1Ga0'
nats-server -js --user admin --pass Sv4rP9qLm2Xz7Wk3 --routes nats://ru:Rp2@n2:6222
export NATS_URL=tls://u:Ux5kQ8vL3mWz9Rt2@hub:4222
echo "postgres://u:p@db/x"
`
	a := analyzer(t)
	res := Parse("c.sh", []byte(script), a)
	var got []string
	for _, c := range res.Credentials {
		got = append(got, strings.Join([]string{strconv.Itoa(c.Line), c.Kind, c.Key}, " "))
	}
	want := []string{
		"2 url SERVERS",
		"4 url nats context save --server",
		"5 password nats context add --password",
		"9 token nats pub x --token",
		"10 password nats-server --pass",
		"10 url nats-server",
		"11 url NATS_URL",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("credentials:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Credentials) == len(want) {
		if !res.Credentials[0].Facts.EqualsUser {
			t.Error("app:app@ is not seen as equal to the user")
		}
		if !res.Credentials[2].Facts.Placeholder {
			t.Error("T0pS3cr3t is not a placeholder")
		}
	}
	line := `nats context save one --server nats://admin:Zq8vN3kLx7Wm2Rt5@localhost:4222`
	if out := a.Redact(a.RedactAt("c.sh", 4, line)); strings.Contains(out, "Zq8vN3kLx7Wm2Rt5") {
		t.Errorf("line 4 not masked: %s", out)
	}
}

// TestHostileScriptsAreLinear: scripts built to make a naive reader
// quadratic (a megabyte of escapes in one word, a long quoted string,
// a variable doubled on every line, a huge value expanded many times) are
// read in well under a second each.
func TestHostileScriptsAreLinear(t *testing.T) {
	big := strings.Repeat("x", 16<<10)
	scripts := map[string]string{
		"escapes":  "nats stream add " + strings.Repeat(`\a`, 512<<10) + "\n",
		"quoted":   `nats stream add "` + strings.Repeat("a", 1<<20) + "\"\n",
		"doubling": "A=x\n" + strings.Repeat("A=\"$A$A\"\n", 4000),
		"expand":   "B=\"" + big + " " + big + "\"\n" + strings.Repeat("nats $B $B $B $B $B $B $B $B\n", 2000),
		"heredocs": strings.Repeat("cat <<E\n", 20000) + "E\n",
	}
	a := analyzer(t)
	for name, s := range scripts {
		start := time.Now()
		Parse("h.sh", []byte(s), a)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: %v", name, d)
		}
	}
}

// TestHostileWordsStayOutOfKeysAndNotes: a script's words become credential
// keys and note targets only as plain text (no escapes, no markup).
func TestHostileWordsStayOutOfKeysAndNotes(t *testing.T) {
	script := "nats context save $'\\x1b[31m' `x` --password 'Pq7mW3vK9xLr' \"<img src=x>\"\n" +
		"cat > \"$(printf '\\033]8;;x')evil.conf\" <<EOF\nport: 1\nEOF\n" +
		"cat > '<b>x</b>.conf' <<EOF\nport: 1\nEOF\n"
	res := Parse("h.sh", []byte(script), analyzer(t))
	for _, c := range res.Credentials {
		if strings.ContainsAny(c.Key, "\x1b<>`$'\"") {
			t.Errorf("key %q", c.Key)
		}
	}
	if len(res.Credentials) != 1 {
		t.Errorf("credentials = %d, want 1", len(res.Credentials))
	}
	if len(res.Heredocs) != 0 {
		t.Errorf("notes quote unsafe names: %+v", res.Heredocs)
	}
}
