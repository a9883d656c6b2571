package probe_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/natsaudit/natsaudit/internal/cli"
	"github.com/natsaudit/natsaudit/internal/probe"
)

// archiveWriter writes the layout of `nats audit gather` (jsm.go
// audit/archive/SPEC.md): capture/... pages, tags in
// capture/misc/manifest.json.
type archiveWriter struct {
	buf      bytes.Buffer
	zw       *zip.Writer
	manifest map[string][]map[string]string
	pages    map[string]int
}

func newArchiveWriter() *archiveWriter {
	w := &archiveWriter{manifest: map[string][]map[string]string{}, pages: map[string]int{}}
	w.zw = zip.NewWriter(&w.buf)
	return w
}

func (w *archiveWriter) write(t *testing.T, path string, data []byte, tags ...[2]string) {
	t.Helper()
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Deflate, Modified: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	var ts []map[string]string
	for _, tg := range tags {
		ts = append(ts, map[string]string{"Name": tg[0], "Value": tg[1]})
	}
	w.manifest[path] = ts
}

// page adds one paged artifact under dir.
func (w *archiveWriter) page(t *testing.T, dir string, data []byte, tags ...[2]string) {
	t.Helper()
	w.pages[dir]++
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, data, "", "  "); err != nil {
		t.Fatal(err)
	}
	w.write(t, fmt.Sprintf("%s/%04d.json", dir, w.pages[dir]), pretty.Bytes(), tags...)
}

func (w *archiveWriter) close(t *testing.T, path string) string {
	t.Helper()
	m, _ := json.Marshal(w.manifest)
	f, err := w.zw.Create("capture/misc/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(m)
	if err := w.zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, w.buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gatherArchive does what `nats audit gather` does against the real
// cluster, through the system account, and files the answers in the
// archive layout. withServerJSZ=false leaves out the per-server JSZ, as an
// archive gathered without details would, so streams come only from the
// per-replica stream_info artifacts.
func gatherArchive(t *testing.T, withServerJSZ bool) string {
	t.Helper()
	cs := clusterServers(t)
	nc, err := nats.Connect(cs[0].ClientURL(), nats.UserInfo(sysUser, sysPass))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	w := newArchiveWriter()
	type ep struct {
		suffix, typ string
		opts        map[string]any
	}
	eps := []ep{
		{"VARZ", "variables", nil},
		{"HEALTHZ", "health", map[string]any{"details": true}},
		{"CONNZ", "connections", map[string]any{"subscriptions": true, "offset": 0, "limit": 1024}},
		{"ROUTEZ", "routes", nil},
		{"GATEWAYZ", "gateways", nil},
		{"LEAFZ", "leafs", nil},
		{"SUBSZ", "subs", nil},
		{"ACCOUNTZ", "accounts", nil},
	}
	if withServerJSZ {
		eps = append(eps, ep{"JSZ", "jetstream_info", map[string]any{"accounts": true, "streams": true, "consumer": true, "config": true, "raft": true, "offset": 0, "limit": 1024}})
	}
	for _, s := range cs {
		for _, e := range eps {
			body, _ := json.Marshal(e.opts)
			if e.opts == nil {
				body = nil
			}
			msg, err := nc.Request(fmt.Sprintf("$SYS.REQ.SERVER.%s.%s", s.ID(), e.suffix), body, 2*time.Second)
			if err != nil {
				t.Fatalf("%s %s: %v", s.Name(), e.suffix, err)
			}
			w.page(t, fmt.Sprintf("capture/clusters/c1/%s/%s", s.Name(), e.typ), msg.Data,
				[2]string{"cluster", "c1"}, [2]string{"server", s.Name()}, [2]string{"artifact_type", e.typ})
		}
		// A profile is binary: the reader must leave it alone.
		w.write(t, fmt.Sprintf("capture/profiles/c1/%s__heap.prof", s.Name()), []byte{0x1f, 0x8b, 0, 1, 2},
			[2]string{"cluster", "c1"}, [2]string{"server", s.Name()}, [2]string{"artifact_type", "profile"}, [2]string{"profile_name", "heap"})
	}
	// Stream state per replica, from the account's JSZ on every server.
	inbox := nc.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := json.Marshal(map[string]any{"account": "APP", "streams": true, "consumer": true, "config": true, "raft": true})
	if err := nc.PublishRequest("$SYS.REQ.SERVER.PING.JSZ", inbox, q); err != nil {
		t.Fatal(err)
	}
	for range cs {
		msg, err := sub.NextMsg(2 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			Server struct{ Name string } `json:"server"`
			Data   struct {
				AccountDetails []struct {
					Streams []json.RawMessage `json:"stream_detail"`
				} `json:"account_details"`
			} `json:"data"`
		}
		if err := json.Unmarshal(msg.Data, &resp); err != nil {
			t.Fatal(err)
		}
		for _, ad := range resp.Data.AccountDetails {
			for _, raw := range ad.Streams {
				var sd struct{ Name string }
				json.Unmarshal(raw, &sd)
				w.page(t, fmt.Sprintf("capture/accounts/APP/streams/%s/replicas/c1__%s/stream_info", sd.Name, resp.Server.Name), raw,
					[2]string{"account", "APP"}, [2]string{"cluster", "c1"}, [2]string{"server", resp.Server.Name},
					[2]string{"stream", sd.Name}, [2]string{"artifact_type", "stream_info"})
			}
		}
	}
	md, _ := json.Marshal(map[string]string{
		"capture_timestamp": "2026-11-20T10:00:00Z", "connected_server_name": "n1", "connected_server_version": "2.15.2",
		"connect_url": "nats://127.0.0.1:4222", "user_name": "ops", "version": "nats 0.5.0",
	})
	w.write(t, "capture/misc/audit_gather_metadata.json", md, [2]string{"special", "audit_gather_metadata"})
	return w.close(t, filepath.Join(t.TempDir(), "audit.zip"))
}

func TestProbeArchive(t *testing.T) {
	for _, withJSZ := range []bool{true, false} {
		t.Run(fmt.Sprintf("server jsz %v", withJSZ), func(t *testing.T) {
			path := gatherArchive(t, withJSZ)
			r := natsaudit(t, nil, "probe", "--archive", path)
			if r.code == cli.ExitError {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr = %q", r.stderr)
			}
			if got := r.report.Scan.Servers; !slices.Equal(got, []string{"n1", "n2", "n3"}) {
				t.Fatalf("servers = %v", got)
			}
			for _, s := range r.inv.Servers {
				if s.Live.Endpoint != "archive:"+path || s.Live.Varz == nil || s.Live.Healthz == nil || s.Live.HealthzStatus != 200 || s.Version == nil {
					t.Errorf("server %s: endpoint %q, varz %v, healthz %v/%d, version %v", s.Name, s.Live.Endpoint, s.Live.Varz != nil, s.Live.Healthz, s.Live.HealthzStatus, s.Version)
				}
			}
			single, triple := r.stream("APP", "SINGLE"), r.stream("APP", "TRIPLE")
			if single == nil || triple == nil {
				t.Fatalf("streams = %+v", r.inv.Streams)
			}
			if len(triple.Servers) != 3 || triple.ClusterSize != 3 || triple.State["messages"] != float64(10) {
				t.Errorf("TRIPLE = servers %v, cluster_size %d, state %v", triple.Servers, triple.ClusterSize, triple.State)
			}
			r.wantFinding(t, "NATS-STR-001", "stream APP/SINGLE")
			if got := r.findingsFor("stream APP/TRIPLE"); len(got) > 0 {
				t.Errorf("the healthy R3 stream has findings: %v", got)
			}
			if !slices.ContainsFunc(r.report.Notes, func(n string) bool { return strings.Contains(n, "captured 2026-11-20T10:00:00Z") }) {
				t.Errorf("notes = %v", r.report.Notes)
			}
		})
	}
}

// zipOf builds an archive from name -> content, with an optional manifest.
func zipOf(t *testing.T, files map[string]string, manifest map[string][][2]string) string {
	t.Helper()
	w := newArchiveWriter()
	for name, data := range files {
		w.write(t, name, []byte(data))
	}
	if manifest != nil {
		for p, tags := range manifest {
			var ts []map[string]string
			for _, tg := range tags {
				ts = append(ts, map[string]string{"Name": tg[0], "Value": tg[1]})
			}
			w.manifest[p] = ts
		}
		return w.close(t, filepath.Join(t.TempDir(), "a.zip"))
	}
	w.zw.Close()
	p := filepath.Join(t.TempDir(), "a.zip")
	os.WriteFile(p, w.buf.Bytes(), 0o644)
	return p
}

func varzTags(server string) [][2]string {
	return [][2]string{{"cluster", "unclustered"}, {"server", server}, {"artifact_type", "variables"}}
}

func TestBadArchives(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "notes.zip")
	os.WriteFile(notZip, []byte("just text"), 0o644)

	// Deflate bombs: 64 MiB of zeros in ~64 KiB, with an honest header and
	// with one that claims 20 bytes.
	var bomb bytes.Buffer
	fw, _ := flate.NewWriter(&bomb, flate.BestCompression)
	zeros := make([]byte, 64<<20)
	fw.Write(zeros)
	fw.Close()
	bombZip := func(name string, declared uint64) string {
		var zb bytes.Buffer
		zw := zip.NewWriter(&zb)
		hw, _ := zw.CreateRaw(&zip.FileHeader{Name: "capture/clusters/unclustered/bomb/variables/0001.json", Method: zip.Deflate,
			CRC32: crc32.ChecksumIEEE(zeros), CompressedSize64: uint64(bomb.Len()), UncompressedSize64: declared})
		hw.Write(bomb.Bytes())
		mw, _ := zw.Create("capture/misc/manifest.json")
		mb, _ := json.Marshal(map[string]any{"capture/clusters/unclustered/bomb/variables/0001.json": []map[string]string{
			{"Name": "cluster", "Value": "unclustered"}, {"Name": "server", "Value": "bomb"}, {"Name": "artifact_type", "Value": "variables"}}})
		mw.Write(mb)
		zw.Close()
		p := filepath.Join(dir, name)
		os.WriteFile(p, zb.Bytes(), 0o644)
		return p
	}

	good := `{"server": {"name": "s1"}, "data": {"server_name": "s1", "version": "2.10.24"}}`
	cases := []struct {
		name, path string
		maxBody    int64
		snapshots  int
		want       string
	}{
		{"missing file", filepath.Join(dir, "nope.zip"), 0, 0, "no such file"},
		{"not a zip", notZip, 0, 0, "not a ZIP archive"},
		{"no manifest", zipOf(t, map[string]string{"capture/clusters/unclustered/s1/variables/0001.json": good}, nil), 0, 0, "not a `nats audit gather` archive"},
		{"manifest lists a missing page", zipOf(t, map[string]string{"capture/clusters/unclustered/s1/variables/0001.json": good},
			map[string][][2]string{
				"capture/clusters/unclustered/s1/variables/0001.json": varzTags("s1"),
				"capture/clusters/unclustered/s2/variables/0001.json": varzTags("s2"),
			}), 0, 1, "is missing"},
		{"page not JSON", zipOf(t, map[string]string{"capture/clusters/unclustered/s1/variables/0001.json": "{nope"},
			map[string][][2]string{"capture/clusters/unclustered/s1/variables/0001.json": varzTags("s1")}), 0, 0, "not JSON"},
		{"captured error", zipOf(t, map[string]string{"capture/clusters/unclustered/s1/variables/0001.json": `{"server": {}, "error": {"code": 500, "description": "boom"}}`},
			map[string][][2]string{"capture/clusters/unclustered/s1/variables/0001.json": varzTags("s1")}), 0, 0, "captured error: boom"},
		{"page over the limit", zipOf(t, map[string]string{"capture/clusters/unclustered/s1/variables/0001.json": good},
			map[string][][2]string{"capture/clusters/unclustered/s1/variables/0001.json": varzTags("s1")}), 40, 0, "over the 40-byte limit"},
		{"deflate bomb", bombZip("bomb.zip", 64<<20), 0, 0, "over the 33554432-byte limit"},
		// archive/zip itself refuses to inflate past the declared size.
		{"deflate bomb with a lying header", bombZip("liar.zip", 20), 0, 0, "not a valid zip file"},
		{"no monitoring data", zipOf(t, map[string]string{"capture/misc/x.json": "{}"},
			map[string][][2]string{"capture/misc/x.json": {{"special", "x"}}}), 0, 0, "holds no server monitoring data"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := probe.Collect(context.Background(), probe.Options{Archives: []string{tc.path}, MaxBody: tc.maxBody})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Snapshots) != tc.snapshots {
				t.Errorf("snapshots = %d, want %d", len(res.Snapshots), tc.snapshots)
			}
			if len(res.Failures) == 0 || !strings.Contains(res.Failures[0].Error(), tc.want) || !strings.HasPrefix(res.Failures[0].Target, "archive "+tc.path) {
				t.Errorf("failures = %v, want %q", res.Failures, tc.want)
			}
		})
	}
}

// An archive written by the real natscli (see testdata/README.md).
func TestRealNatscliArchive(t *testing.T) {
	r := natsaudit(t, nil, "probe", "--archive", filepath.Join("testdata", "natscli-v0.5.0-audit.zip"), "--now", "2026-11-24T00:00:00Z")
	if r.code == cli.ExitError {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := r.report.Scan.Servers; !slices.Equal(got, []string{"n1", "n2", "n3"}) {
		t.Fatalf("servers = %v", got)
	}
	want := map[string][]string{"SINGLE": {"n2"}, "TRIPLE": {"n1", "n2", "n3"}, "ORDERS_DLQ": {"n1", "n2", "n3"}}
	for name, servers := range want {
		st := r.stream("APP", name)
		if st == nil || !slices.Equal(st.Servers, servers) || st.ClusterSize != 3 {
			t.Errorf("stream %s = %+v, want servers %v", name, st, servers)
		}
	}
	if len(r.inv.Consumers) != 1 || r.inv.Consumers[0].Name != "worker" || r.inv.Consumers[0].Config["max_deliver"] != float64(-1) {
		t.Errorf("consumers = %+v", r.inv.Consumers)
	}
	r.wantFinding(t, "NATS-STR-001", "stream APP/SINGLE")
	r.wantFinding(t, "NATS-STR-005", "stream APP/ORDERS_DLQ")
	r.wantFinding(t, "NATS-STR-006", "stream APP/ORDERS_DLQ")
	r.wantFinding(t, "NATS-CON-001", "consumer APP/TRIPLE/worker")
	if got := r.findingsFor("stream APP/TRIPLE"); len(got) > 0 {
		t.Errorf("the healthy R3 stream has findings: %v", got)
	}
}
