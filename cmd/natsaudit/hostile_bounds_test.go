package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsaudit/natsaudit/internal/natstest"
)

// Small inputs that amplify: a few hundred KB of archive, two monitoring
// documents, a rogue responder on the system account, one line of Rego.
// Each once took gigabytes (issue 11, items 10 and 11); the whole process
// must now stay under 1 GB and say what it refused. The inputs are served from this test
// process (loopback HTTP, an in-process nats-server); the binary under test
// is measured (wait4's maxrss) and killed at 2 GB so that a regression
// fails the test instead of taking the machine's memory.

const boundedRSS = 1 << 20 // KB: 1 GB

// repeatJSON is n copies of elem separated by commas.
func repeatJSON(elem string, n int) []byte {
	b := bytes.Repeat([]byte(elem+","), n)
	return b[:len(b)-1]
}

// deflateParts compresses parts into one raw DEFLATE stream. Each part is
// compressed on its own and flushed to a byte boundary, so that a part that
// repeats across entries (the big body) is compressed once and spliced in.
type deflated struct {
	raw  []byte
	crc  uint32
	size uint64
}

func deflatePart(t *testing.T, data []byte, final bool) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	must(t, err)
	_, err = w.Write(data)
	must(t, err)
	if final {
		must(t, w.Close())
	} else {
		must(t, w.Flush())
	}
	return b.Bytes()
}

// bombArchive writes a `nats audit gather` archive of n servers whose
// /varz page is a $SYS answer padded with body (compressed once).
func bombArchive(t *testing.T, path string, n int, body []byte) int64 {
	t.Helper()
	zbody := deflatePart(t, body, false)
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	manifest := map[string][]map[string]string{}
	for i := range n {
		name := fmt.Sprintf("capture/clusters/unclustered/bomb%02d/variables/0001.json", i)
		head := []byte(fmt.Sprintf(`{"server": {"name": "bomb%02d"}, "data": {"server_name": "bomb%02d", "version": "2.10.24", "pad": [`, i, i))
		tail := []byte("]}}")
		d := deflated{size: uint64(len(head) + len(body) + len(tail))}
		d.crc = crc32.Update(crc32.Update(crc32.ChecksumIEEE(head), crc32.IEEETable, body), crc32.IEEETable, tail)
		d.raw = append(append(deflatePart(t, head, false), zbody...), deflatePart(t, tail, true)...)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: d.crc,
			CompressedSize64: uint64(len(d.raw)), UncompressedSize64: d.size, Modified: time.Unix(1700000000, 0)})
		must(t, err)
		_, err = w.Write(d.raw)
		must(t, err)
		manifest[name] = []map[string]string{{"Name": "cluster", "Value": "unclustered"}, {"Name": "server", "Value": fmt.Sprintf("bomb%02d", i)}, {"Name": "artifact_type", "Value": "variables"}}
	}
	mw, err := zw.Create("capture/misc/manifest.json")
	must(t, err)
	mb, _ := json.Marshal(manifest)
	_, err = mw.Write(mb)
	must(t, err)
	must(t, zw.Close())
	must(t, os.WriteFile(path, zb.Bytes(), 0o644))
	return int64(zb.Len())
}

func TestHostileLive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak memory from wait4 and /proc: Linux")
	}
	bin := natsauditBinary(t)

	// 15 pages of 32 MB (just under --max-response-size) of "0," in about
	// 480 KB: 16 million JSON values each.
	t.Run("archive bomb", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.zip")
		body := repeatJSON("0", 16<<20-64)
		size := bombArchive(t, path, 15, body)
		t.Logf("archive: %d KB, 15 pages of %d MB", size>>10, len(body)>>20)
		r := runBin(t, bin, runOpts{maxRSS: boundedRSS}, "probe", "--archive", path, "--fail-on", "never")
		if r.code != 2 {
			t.Errorf("exit %d, want 2 (nothing readable)", r.code)
		}
		if !strings.Contains(r.stderr, "bomb00/variables/0001.json: document holds more than 1000000 JSON values (the limit for one document); not read") {
			t.Errorf("stderr = %q, want the value limit", r.stderr)
		}
	})

	// Two servers whose /jsz is 30 MB of empty objects (10 million each);
	// their /varz is fine, so both are read and the two documents refused.
	t.Run("two 30 MB monitoring documents", func(t *testing.T) {
		pad := repeatJSON("{}", 10<<20)
		var urls []string
		for i := range 2 {
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/varz":
					fmt.Fprintf(w, `{"server_name": "big%d", "version": "2.10.24"}`, i)
				case "/jsz":
					w.Header().Set("Content-Length", fmt.Sprint(len(pad)+len(`{"pad": []}`)))
					io.WriteString(w, `{"pad": [`)
					w.Write(pad)
					io.WriteString(w, `]}`)
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(s.Close)
			urls = append(urls, s.URL)
		}
		r := runBin(t, bin, runOpts{maxRSS: boundedRSS}, append([]string{"probe", "--timeout", "10s", "--fail-on", "never"}, urls...)...)
		if r.code != 0 {
			t.Errorf("exit %d, want 0: both servers are readable", r.code)
		}
		for _, u := range urls {
			if !strings.Contains(r.stderr, "natsaudit: probe "+u+"/jsz: /jsz: document holds more than 1000000 JSON values (the limit for one document); not read\n") {
				t.Errorf("stderr = %q, want %s/jsz refused for its size", r.stderr, u)
			}
		}
	})

	// Three servers whose /jsz holds just under a million empty objects
	// each: each document is within its own limit, and the run's budget (2
	// million values) takes two of them; the third is refused and noted.
	// This is the most memory the documents of one run can take.
	t.Run("documents at the run's budget", func(t *testing.T) {
		pad := repeatJSON("{}", 999_000)
		var urls []string
		for i := range 3 {
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/varz":
					fmt.Fprintf(w, `{"server_name": "full%d", "version": "2.10.24"}`, i)
				case "/jsz":
					io.WriteString(w, `{"pad": [`)
					w.Write(pad)
					io.WriteString(w, `]}`)
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(s.Close)
			urls = append(urls, s.URL)
		}
		r := runBin(t, bin, runOpts{maxRSS: boundedRSS}, append([]string{"probe", "--timeout", "10s", "--fail-on", "never"}, urls...)...)
		if r.code != 0 {
			t.Errorf("exit %d, want 0", r.code)
		}
		if n := strings.Count(r.stderr, "/jsz: not read: the documents read so far hold"); n != 1 {
			t.Errorf("%d documents refused for the run's budget, want 1; stderr %q", n, r.stderr)
		}
		if !r.hasNote("1 live documents were not read: one run reads at most 2000000 JSON values") {
			t.Errorf("notes = %v", r.report.Notes)
		}
	})

	// A system-account user answers $SYS.REQ.SERVER.PING as 400 servers and
	// every monitoring request 400 times with 10,000 empty objects (30 KB):
	// 32 million values in all.
	t.Run("rogue $SYS responder claiming 400 servers", func(t *testing.T) {
		dir := t.TempDir()
		s, err := natstest.StartConf(dir, "real", `server_name: real
listen: "127.0.0.1:-1"
max_payload: 1MB
accounts { SYS { users: [{user: sys, password: sys-pass-0123}] } }
system_account: SYS
`)
		must(t, err)
		t.Cleanup(s.Shutdown)
		nc, err := nats.Connect(s.ClientURL(), nats.UserInfo("sys", "sys-pass-0123"))
		must(t, err)
		t.Cleanup(nc.Close)
		const fakes = 400
		pad := repeatJSON("{}", 10_000)
		docs := make([][]byte, fakes)
		for i := range docs {
			doc := fmt.Appendf(nil, `{"server": {"id": "NROGUE%04d", "name": "rogue%04d"}, "data": {"server_name": "rogue%04d", "version": "2.10.24", "pad": [`, i, i, i)
			docs[i] = append(append(doc, pad...), "]}}"...)
		}
		_, err = nc.Subscribe("$SYS.REQ.SERVER.PING", func(m *nats.Msg) {
			for i := range fakes {
				_ = nc.Publish(m.Reply, []byte(fmt.Sprintf(`{"server": {"id": "NROGUE%04d", "name": "rogue%04d"}, "statsz": {"active_servers": %d}}`, i, i, fakes+1)))
			}
		})
		must(t, err)
		_, err = nc.Subscribe("$SYS.REQ.SERVER.PING.*", func(m *nats.Msg) {
			for _, doc := range docs {
				_ = nc.Publish(m.Reply, doc)
			}
		})
		must(t, err)
		must(t, nc.Flush())
		r := runBin(t, bin, runOpts{maxRSS: boundedRSS, env: []string{"NATS_PASSWORD=sys-pass-0123"}},
			// A cap of 32 instead of the default 256: the same defence
			// (400 answer, the first 32 by name are kept), in a fraction
			// of the time on a loaded 2-core machine.
			"probe", "--server", s.ClientURL(), "--user", "sys", "--timeout", "3s", "--max-servers", "32", "--fail-on", "never")
		if r.code != 0 {
			t.Errorf("exit %d, want 0", r.code)
		}
		t.Logf("stderr: %.3000s", r.stderr)
		if !r.hasNote("more than 32 servers answered") {
			t.Errorf("notes = %v, want the server cap", r.report.Notes)
		}
	})
}

// A custom rule that builds a range of 400 million numbers: the evaluation
// is stopped by the heap budget within seconds, with an error that says
// why, instead of growing to the timeout (9.3 GB in 60 s).
func TestHostileRule(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak memory from wait4 and /proc: Linux")
	}
	bin := natsauditBinary(t)
	dir := repo(t, map[string]string{"policies/range.rego": `package natsaudit.rules.big_range

import data.natsaudit.lib

# METADATA
# title: Counts to 400 million
# description: A rule that allocates without bound.
# custom:
#   id: BIG-001
#   severity: low
#   category: operations
#   sources: [config]
#   remediation: none
deny contains f if {
	some s in lib.configured_servers
	count(numbers.range(1, 4e8)) > 1
	f := lib.finding(rego.metadata.rule(), s, "", "counted")
}
`})
	r := runBin(t, bin, runOpts{maxRSS: boundedRSS, limit: 30 * time.Second}, "scan", dir, "--rules", filepath.Join(dir, "policies"), "--fail-on", "never")
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	if !strings.Contains(r.stderr, "rule evaluation stopped: heap over") || !strings.Contains(r.stderr, "policies/range.rego") {
		t.Errorf("stderr = %q, want the heap budget and the rule's file", r.stderr)
	}
	if r.elapsed > 15*time.Second {
		t.Errorf("took %s", r.elapsed)
	}
}
