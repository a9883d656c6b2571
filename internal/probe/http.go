package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/natsaudit/natsaudit/internal/model"
)

// endpoint is one monitoring document to fetch.
type endpoint struct {
	name  string // field of model.Live
	path  string // path and query, relative to the base URL
	sys   string // $SYS.REQ.SERVER.PING.<sys>
	query map[string]any
}

// endpoints are the documents the rules read. jsz asks for everything a
// stream or consumer rule needs (config is stripped without config=true);
// healthz asks for the per-asset details.
var endpoints = []endpoint{
	{name: "varz", path: "/varz", sys: "VARZ"},
	{name: "jsz", path: "/jsz?accounts=true&streams=true&consumers=true&config=true", sys: "JSZ",
		query: map[string]any{"accounts": true, "streams": true, "consumer": true, "config": true}},
	{name: "healthz", path: "/healthz?details=true", sys: "HEALTHZ", query: map[string]any{"details": true}},
	{name: "connz", path: "/connz?auth=true", sys: "CONNZ", query: map[string]any{"auth": true}},
	{name: "routez", path: "/routez", sys: "ROUTEZ"},
	{name: "gatewayz", path: "/gatewayz", sys: "GATEWAYZ"},
	{name: "leafz", path: "/leafz", sys: "LEAFZ"},
	{name: "accountz", path: "/accountz", sys: "ACCOUNTZ"},
}

// setDoc stores a document in its Live field.
func setDoc(l *model.Live, name string, doc map[string]any) {
	switch name {
	case "varz":
		l.Varz = doc
	case "jsz":
		l.Jsz = doc
	case "healthz":
		l.Healthz = doc
	case "connz":
		l.Connz = doc
	case "routez":
		l.Routez = doc
	case "gatewayz":
		l.Gatewayz = doc
	case "leafz":
		l.Leafz = doc
	case "accountz":
		l.Accountz = doc
	}
}

// httpTarget is one monitoring base URL.
type httpTarget struct {
	base    *url.URL // without userinfo
	display string
	user    *url.Userinfo // basic auth for a proxy in front of the port
}

func parseTarget(raw string) (*httpTarget, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("scheme %q: monitoring URLs are http:// or https:// (use --server for nats://)", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("no host in the URL")
	}
	t := &httpTarget{user: u.User}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	t.base = u
	t.display = u.String()
	return t, nil
}

func newHTTPClient(tlsConf *tls.Config, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		// Never a proxy from the environment: the probe goes where the user
		// pointed it, and nowhere else.
		Proxy:                  nil,
		DialContext:            (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    timeout,
		MaxIdleConnsPerHost:    len(endpoints),
		IdleConnTimeout:        10 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout, // a backstop: each request also carries its own context deadline
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			first := via[0].URL
			if req.URL.Host != first.Host {
				return fmt.Errorf("redirected to another host (%s): refused", Display(req.URL.String()))
			}
			if first.Scheme == "https" && req.URL.Scheme != "https" {
				return errors.New("redirected from https to http: refused")
			}
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
}

// collectHTTP probes every URL concurrently: one round, bounded by the
// timeout, whatever the number of servers.
func collectHTTP(ctx context.Context, opt Options, tlsConf *tls.Config, b *budget) *Result {
	client := newHTTPClient(tlsConf, opt.Timeout)
	defer client.CloseIdleConnections()
	res := &Result{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	seen := map[string]bool{}
	for _, raw := range opt.URLs {
		t, err := parseTarget(raw)
		if err != nil {
			res.fail(Display(raw), err)
			continue
		}
		if seen[t.display] {
			continue
		}
		seen[t.display] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			snap, fails := probeHTTP(ctx, client, t, opt, b)
			mu.Lock()
			defer mu.Unlock()
			if snap != nil {
				res.Snapshots = append(res.Snapshots, snap)
			}
			res.Failures = append(res.Failures, fails...)
		}()
	}
	wg.Wait()
	return res
}

type fetched struct {
	doc    map[string]any
	status int
	err    error
}

// probeHTTP fetches all endpoints of one server at once. /varz identifies
// the server: without it the target counts as unreadable.
func probeHTTP(ctx context.Context, client *http.Client, t *httpTarget, opt Options, b *budget) (*Snapshot, []Failure) {
	out := make([]fetched, len(endpoints))
	var wg sync.WaitGroup
	for i, ep := range endpoints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = fetch(ctx, client, t, ep, opt, b)
		}()
	}
	wg.Wait()
	varz := out[0]
	if varz.err != nil {
		return nil, []Failure{{Target: t.display, Err: varz.err}}
	}
	name := getString(varz.doc, "server_name")
	if name == "" {
		return nil, []Failure{{Target: t.display, Err: errors.New("unexpected /varz: no server_name (is this a NATS monitoring port?)")}}
	}
	live := &model.Live{Endpoint: t.display}
	var fails []Failure
	var notes []string
	for i, ep := range endpoints {
		f := out[i]
		if f.err == nil {
			if p, ok := pagers[ep.name]; ok {
				if note, err := pageHTTP(ctx, client, t, ep, p, f.doc, name, opt, b); err != nil {
					f.err = err
				} else if note != "" {
					notes = append(notes, note)
				}
			}
		}
		if f.err != nil {
			live.Errors = append(live.Errors, ep.name+": "+f.err.Error())
			fails = append(fails, Failure{Target: t.display + "/" + ep.name, Err: f.err})
			continue
		}
		setDoc(live, ep.name, f.doc)
		if ep.name == "healthz" {
			live.HealthzStatus = f.status
		}
	}
	if live.Varz != nil && hasRaftz(live.Varz) {
		if f := fetch(ctx, client, t, raftzEndpoint, opt, b); f.err != nil {
			fails = append(fails, raftzFailed(live, t.display+"/raftz", f.err))
		} else {
			live.Raftz = f.doc
		}
	}
	if note, err := httpAccountDetails(ctx, client, t, live, name, opt, b); err != nil {
		live.Errors = append(live.Errors, "accountz details: "+err.Error())
		fails = append(fails, Failure{Target: t.display + "/accountz?acc=", Err: err})
	} else if note != "" {
		notes = append(notes, note)
	}
	return &Snapshot{Name: name, Live: live, notes: notes}, fails
}

// pageHTTP reads the pages after the first of a paged document, one after
// the other, into doc.
func pageHTTP(ctx context.Context, client *http.Client, t *httpTarget, ep endpoint, p pager, doc map[string]any, server string, opt Options, b *budget) (string, error) {
	for {
		off := nextOffset(doc, p, opt.MaxPaged)
		if off < 0 {
			break
		}
		sep := "?"
		if strings.Contains(ep.path, "?") {
			sep = "&"
		}
		pe := ep
		pe.path = ep.path + sep + pageQuery(off)
		f := fetch(ctx, client, t, pe, opt, b)
		if f.err != nil {
			return "", fmt.Errorf("page at offset %d: %w", off, f.err)
		}
		if !appendPage(doc, f.doc, p, opt.MaxPaged) {
			break
		}
	}
	return finishPaging(doc, p, "/"+ep.name, server, opt.MaxPaged), nil
}

func fetch(ctx context.Context, client *http.Client, t *httpTarget, ep endpoint, opt Options, b *budget) fetched {
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	u := *t.base
	p, q, _ := strings.Cut(ep.path, "?")
	u.Path += p
	u.RawQuery = q
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fetched{err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "natsaudit")
	if t.user != nil {
		pw, _ := t.user.Password()
		req.SetBasicAuth(t.user.Username(), pw)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fetched{err: describeHTTPError(err, opt.Timeout)}
	}
	if resp.StatusCode == http.StatusBadRequest && t.base.Scheme == "http" && resp.Header.Get("Content-Type") == "" {
		// Go's TLS server answers a plaintext request with a bare 400 ("Client
		// sent an HTTP request to an HTTPS server").
		resp.Body.Close()
		return fetched{err: fmt.Errorf("/%s: HTTP 400: is this an HTTPS monitoring port (https_port)? use https://%s", ep.name, t.base.Host)}
	}
	defer resp.Body.Close()
	// /healthz answers 503 with a JSON body when the server is unhealthy:
	// that is a finding, not a failure to read.
	healthz := ep.name == "healthz" && resp.StatusCode == http.StatusServiceUnavailable
	if resp.StatusCode != http.StatusOK && !healthz {
		return fetched{err: fmt.Errorf("/%s: HTTP %s", ep.name, resp.Status)}
	}
	limit := opt.MaxBody
	if smallDocs[ep.name] {
		limit = min(limit, smallDocLimit)
	}
	if resp.ContentLength > limit {
		return fetched{err: fmt.Errorf("/%s: response of %d bytes is over the %d-byte limit", ep.name, resp.ContentLength, limit)}
	}
	data, err := readBody(resp.Body, resp.ContentLength, limit)
	switch {
	case errors.Is(err, errOverLimit):
		return fetched{err: fmt.Errorf("/%s: response over the %d-byte limit", ep.name, limit)}
	case err != nil:
		return fetched{err: fmt.Errorf("/%s: %w", ep.name, describeHTTPError(err, opt.Timeout))}
	}
	doc, err := b.decodeBytes(data)
	if err != nil {
		return fetched{err: fmt.Errorf("/%s: %w", ep.name, err)}
	}
	return fetched{doc: doc, status: resp.StatusCode}
}

var errOverLimit = errors.New("over the size limit")

// readBody reads a whole body of at most limit bytes into one buffer, sized
// from the announced length when there is one (a body longer than it
// announced still cannot pass the limit).
func readBody(r io.Reader, announced, limit int64) ([]byte, error) {
	size := int64(64 << 10)
	if announced >= 0 {
		size = min(announced, limit) + 1 // +1: EOF is seen without growing
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			// Doubling, never beyond the limit: few copies, and at most
			// twice the body.
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), limit+1))
			copy(grown, buf)
			buf = grown
		}
		end := cap(buf)
		if int64(end) > limit+1 {
			end = int(limit + 1)
		}
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errOverLimit
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// smallDocs are the documents that stay small on any real server (healthz,
// and connz, routez, gatewayz, leafz, accountz at their default page sizes,
// and raftz for the meta group alone):
// they get a smaller limit than varz and jsz, so that a server answering
// 200 MB on every endpoint costs two full limits of memory, not eight.
var smallDocs = map[string]bool{"healthz": true, "connz": true, "routez": true, "gatewayz": true, "leafz": true, "accountz": true, "raftz": true}

const smallDocLimit = 4 << 20

// describeHTTPError turns transport errors into one short line that says
// what went wrong and, where it helps, what to do.
func describeHTTPError(err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	switch {
	case isTimeout(err):
		return errTimeout(timeout)
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid), errors.As(err, &verify):
		return fmt.Errorf("TLS certificate not trusted: %v (give the CA with --tlsca)", err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("connection refused")
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("cannot resolve host %s", dnsErr.Name)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return fmt.Errorf("%s: %v", opErr.Op, opErr.Err)
	}
	return err
}
