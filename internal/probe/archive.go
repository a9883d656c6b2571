package probe

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	// archiveTotalLimit bounds everything read from one archive, whatever its
	// entries claim: a hostile ZIP cannot make the probe buffer more.
	archiveTotalLimit = 512 << 20
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

type archiveTag struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type archiveReader struct {
	path    string
	files   map[string]*zip.File
	maxBody int64
	read    int64
}

// readArchive turns an audit archive into one snapshot per captured server.
func readArchive(path string, maxBody int64) *Result {
	res := &Result{}
	target := "archive " + path
	zr, err := zip.OpenReader(path)
	if err != nil {
		if errors.Is(err, zip.ErrFormat) {
			err = errors.New("not a ZIP archive (want one written by `nats audit gather`)")
		}
		res.fail(target, err)
		return res
	}
	defer zr.Close()
	ar := &archiveReader{path: path, files: map[string]*zip.File{}, maxBody: maxBody}
	for _, f := range zr.File {
		ar.files[f.Name] = f
	}
	var manifest map[string][]archiveTag
	if err := ar.decode(manifestPath, &manifest); err != nil {
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
		tags := map[string]string{}
		for _, t := range manifest[p] {
			tags[t.Name] = t.Value
		}
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
		if snap == nil {
			snap = &Snapshot{Name: pg.tags["server"], Live: &model.Live{Endpoint: "archive:" + path}}
			snaps[snap.Name] = snap
		}
		var detail map[string]any
		if err := ar.decode(pg.path, &detail); err != nil || detail == nil {
			if err == nil {
				err = fmt.Errorf("%s: not a stream info object", pg.path)
			}
			res.fail(fmt.Sprintf("%s (server %s)", target, pg.tags["server"]), err)
			continue
		}
		normalize(detail)
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
	var doc map[string]any
	if err := ar.decode(p, &doc); err != nil {
		return nil, err
	}
	normalize(doc)
	if e := getMap(doc, "error"); e != nil {
		return nil, fmt.Errorf("captured error: %s", getString(e, "description"))
	}
	data := getMap(doc, "data")
	if data == nil {
		return nil, errors.New("unexpected page: no data object")
	}
	return data, nil
}

// decode reads one entry as JSON, bounded in size.
func (ar *archiveReader) decode(p string, v any) error {
	f := ar.files[p]
	if f == nil {
		return fmt.Errorf("%s is missing", p)
	}
	if f.UncompressedSize64 > uint64(ar.maxBody) {
		return fmt.Errorf("%s: %d bytes is over the %d-byte limit", p, f.UncompressedSize64, ar.maxBody)
	}
	if ar.read+int64(f.UncompressedSize64) > archiveTotalLimit {
		return fmt.Errorf("%s: the archive holds more than %d bytes of monitoring data", p, archiveTotalLimit)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	defer rc.Close()
	// The declared size can lie: read at most the limit.
	data, err := io.ReadAll(io.LimitReader(rc, ar.maxBody+1))
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	ar.read += int64(len(data))
	if int64(len(data)) > ar.maxBody {
		return fmt.Errorf("%s: over the %d-byte limit", p, ar.maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: not JSON: %s", p, shortJSONError(err))
	}
	return nil
}

// metadata summarises audit_gather_metadata.json for the report notes.
func (ar *archiveReader) metadata() string {
	var md map[string]any
	if err := ar.decode(metadataPath, &md); err != nil {
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
