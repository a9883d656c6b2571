package probe

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Archive layout of `nats audit gather` (jsm.go audit/archive/SPEC.md): a ZIP
// whose capture/misc/manifest.json maps every entry to its tags. The reader
// goes by the tags, never by the path layout, as the spec asks.
const (
	manifestPath = "capture/misc/manifest.json"
	metadataPath = "capture/misc/audit_gather_metadata.json"
	// archiveTotalLimit bounds everything inflated from one archive,
	// whatever its entries claim (what is decoded is bounded by the run's
	// budget, see DefaultMaxValues).
	archiveTotalLimit = 512 << 20
	// maxArchiveEntries bounds the ZIP's central directory, which is read
	// whole before any entry: a real archive of a large supercluster holds
	// a few thousand entries.
	maxArchiveEntries = 50_000
)

// serverArtifacts maps the archive's server artifact types to Live fields.
var serverArtifacts = map[string]string{
	"variables":      "varz",
	"jetstream_info": "jsz",
	"health":         "healthz",
	"connections":    "connz",
	"routes":         "routez",
	"gateways":       "gatewayz",
	"leafs":          "leafz",
	"accounts":       "accountz",
}

type archiveReader struct {
	path    string
	files   map[string]*zip.File
	maxBody int64
	read    int64
	budget  *budget
}

// readArchive turns an audit archive into one snapshot per captured server.
func readArchive(path string, opt Options, b *budget) *Result {
	res := &Result{}
	target := "archive " + path
	if err := checkZipDirectory(path); err != nil {
		res.fail(target, err)
		return res
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		if errors.Is(err, zip.ErrFormat) {
			err = errors.New("not a ZIP archive (want one written by `nats audit gather`)")
		}
		res.fail(target, err)
		return res
	}
	defer zr.Close()
	ar := &archiveReader{path: path, files: map[string]*zip.File{}, maxBody: opt.MaxBody, budget: b}
	for _, f := range zr.File {
		ar.files[f.Name] = f
	}
	manifest, err := ar.manifest()
	if err != nil {
		res.fail(target, fmt.Errorf("not a `nats audit gather` archive: %w", err))
		return res
	}
	if md := ar.metadata(); md != "" {
		res.Notes = append(res.Notes, fmt.Sprintf("archive %s: %s", path, md))
	}

	type page struct {
		path string
		tags map[string]string
	}
	byServer := map[string][]page{} // server artifacts by server name
	var streamPages []page          // stream_info artifacts
	paths := make([]string, 0, len(manifest))
	for p := range manifest {
		paths = append(paths, p)
	}
	sort.Strings(paths) // NNNN.json pages sort in page order
	for _, p := range paths {
		tags := manifest[p]
		typ := tags["artifact_type"]
		switch {
		case tags["server"] == "":
			continue
		case typ == "stream_info":
			streamPages = append(streamPages, page{p, tags})
		case serverArtifacts[typ] != "" && tags["account"] == "":
			byServer[tags["server"]] = append(byServer[tags["server"]], page{p, tags})
		}
	}
	if len(byServer) == 0 && len(streamPages) == 0 {
		res.fail(target, errors.New("the archive holds no server monitoring data"))
		return res
	}

	snaps := map[string]*Snapshot{}
	names := make([]string, 0, len(byServer))
	for name := range byServer {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) > opt.MaxServers {
		res.Notes = append(res.Notes, fmt.Sprintf("archive %s: it holds %d servers: only the first %d by name were audited (--max-servers)", path, len(names), opt.MaxServers))
		names = names[:opt.MaxServers]
	}
	for _, name := range names {
		live := &model.Live{Endpoint: "archive:" + path}
		for _, pg := range byServer[name] {
			field := serverArtifacts[pg.tags["artifact_type"]]
			data, err := ar.response(pg.path)
			if err != nil {
				live.Errors = append(live.Errors, field+": "+err.Error())
				res.fail(fmt.Sprintf("%s (server %s)", target, name), err)
				continue
			}
			addPage(live, field, data)
		}
		if live.Healthz != nil {
			live.HealthzStatus = sysHealthStatus(live.Healthz)
		}
		if live.Varz == nil && live.Jsz == nil {
			continue
		}
		if n := getString(live.Varz, "server_name"); n != "" {
			name = n
		}
		snaps[name] = &Snapshot{Name: name, Live: live}
	}
	// Stream replicas captured per account: add those the server's own jsz
	// does not already list (a gather run with --no-details has only these).
	for _, pg := range streamPages {
		snap := snaps[pg.tags["server"]]
		if snap == nil && len(snaps) >= opt.MaxServers {
			continue
		}
		if snap == nil {
			snap = &Snapshot{Name: pg.tags["server"], Live: &model.Live{Endpoint: "archive:" + path}}
			snaps[snap.Name] = snap
		}
		detail, err := ar.object(pg.path)
		if err != nil {
			res.fail(fmt.Sprintf("%s (server %s)", target, pg.tags["server"]), err)
			continue
		}
		addStreamDetail(snap.Live, pg.tags["account"], detail)
	}
	for _, s := range snaps {
		res.Snapshots = append(res.Snapshots, s)
	}
	return res
}

// addPage stores one page of a server artifact; later pages of a paged
// endpoint extend the first one's list.
func addPage(live *model.Live, field string, data map[string]any) {
	var cur map[string]any
	switch field {
	case "jsz":
		cur = live.Jsz
	case "connz":
		cur = live.Connz
	}
	if cur == nil {
		setDoc(live, field, data)
		return
	}
	for _, key := range []string{"account_details", "connections"} {
		if more := getSlice(data, key); len(more) > 0 {
			cur[key] = append(getSlice(cur, key), more...)
		}
	}
}

// addStreamDetail puts a stream replica's detail under its account in the
// server's jsz, unless the jsz already lists it.
func addStreamDetail(live *model.Live, account string, detail map[string]any) {
	if live.Jsz == nil {
		live.Jsz = map[string]any{}
	}
	var acc map[string]any
	for _, a := range getSlice(live.Jsz, "account_details") {
		am, _ := a.(map[string]any)
		if am != nil && (getString(am, "name") == account || getString(am, "id") == account) {
			acc = am
			break
		}
	}
	if acc == nil {
		acc = map[string]any{"name": account, "id": account}
		live.Jsz["account_details"] = append(getSlice(live.Jsz, "account_details"), acc)
	}
	name := getString(getMap(detail, "config"), "name")
	if name == "" {
		name = getString(detail, "name")
	}
	for _, s := range getSlice(acc, "stream_detail") {
		if sm, _ := s.(map[string]any); sm != nil && getString(sm, "name") == name {
			return
		}
	}
	acc["stream_detail"] = append(getSlice(acc, "stream_detail"), detail)
}

// response reads a page holding a $SYS answer {server, data, error}.
func (ar *archiveReader) response(p string) (map[string]any, error) {
	doc, err := ar.object(p)
	if err != nil {
		return nil, err
	}
	if e := getMap(doc, "error"); e != nil {
		return nil, fmt.Errorf("captured error: %s", getString(e, "description"))
	}
	data := getMap(doc, "data")
	if data == nil {
		return nil, errors.New("unexpected page: no data object")
	}
	return data, nil
}

// object reads one entry holding a JSON object.
func (ar *archiveReader) object(p string) (map[string]any, error) {
	data, err := ar.entry(p)
	if err != nil {
		return nil, err
	}
	m, err := ar.budget.decodeBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return m, nil
}

// entry reads one entry, bounded in size: what it declares, and what it
// really inflates to (the declared size can lie).
func (ar *archiveReader) entry(p string) ([]byte, error) {
	f := ar.files[p]
	if f == nil {
		return nil, fmt.Errorf("%s is missing", p)
	}
	if f.UncompressedSize64 > uint64(ar.maxBody) {
		return nil, fmt.Errorf("%s: %d bytes is over the %d-byte limit", p, f.UncompressedSize64, ar.maxBody)
	}
	if ar.read+int64(f.UncompressedSize64) > archiveTotalLimit {
		return nil, fmt.Errorf("%s: the archive holds more than %d bytes of monitoring data", p, archiveTotalLimit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	defer rc.Close()
	data, err := readBody(rc, int64(f.UncompressedSize64), ar.maxBody)
	switch {
	case errors.Is(err, errOverLimit):
		ar.read += ar.maxBody
		return nil, fmt.Errorf("%s: over the %d-byte limit", p, ar.maxBody)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	ar.read += int64(len(data))
	return data, nil
}

// checkZipDirectory refuses an archive whose central directory lists more
// than maxArchiveEntries entries, from its end record, before archive/zip
// reads the directory whole.
func checkZipDirectory(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	// The end record (22 bytes and a comment of up to 64 KiB) is at the end;
	// a ZIP64 archive's locator (20 bytes) precedes it.
	n := min(st.Size(), 22+0xFFFF+20)
	tail := make([]byte, n)
	if _, err := f.ReadAt(tail, st.Size()-n); err != nil {
		return nil // archive/zip reports the file as it sees it
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < 22 {
		return nil
	}
	entries := uint64(binary.LittleEndian.Uint16(tail[i+10:]))
	if entries == 0xFFFF && i >= 20 && string(tail[i-20:i-16]) == "PK\x06\x07" {
		// ZIP64: the count is in the ZIP64 end record the locator points to.
		off := int64(binary.LittleEndian.Uint64(tail[i-20+8:]))
		rec := make([]byte, 56)
		if off < 0 || off+56 > st.Size() {
			return nil
		}
		if _, err := f.ReadAt(rec, off); err != nil || string(rec[:4]) != "PK\x06\x06" {
			return nil
		}
		entries = binary.LittleEndian.Uint64(rec[32:])
	}
	if entries > maxArchiveEntries {
		return fmt.Errorf("the archive lists %d entries, over the limit of %d; not read", entries, maxArchiveEntries)
	}
	return nil
}

// manifest reads the manifest: entry path -> its tags [{Name, Value}].
func (ar *archiveReader) manifest() (map[string]map[string]string, error) {
	m, err := ar.object(manifestPath)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]string, len(m))
	for p, v := range m {
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: the tags of %s are not a list", manifestPath, p)
		}
		tags := map[string]string{}
		for _, t := range list {
			tm, _ := t.(map[string]any)
			tags[getString(tm, "Name")] = getString(tm, "Value")
		}
		out[p] = tags
	}
	return out, nil
}

// metadata summarises audit_gather_metadata.json for the report notes.
func (ar *archiveReader) metadata() string {
	md, err := ar.object(metadataPath)
	if err != nil {
		return ""
	}
	var parts []string
	if t := getString(md, "capture_timestamp"); t != "" {
		parts = append(parts, "captured "+t)
	}
	if s := getString(md, "connected_server_name"); s != "" {
		parts = append(parts, "through "+s)
	}
	if v := getString(md, "version"); v != "" {
		parts = append(parts, "by "+v)
	}
	return strings.Join(parts, " ")
}
