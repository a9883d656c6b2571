// Package probe collects live facts about running NATS servers: their HTTP
// monitoring endpoints, the system account ($SYS scatter-gather) and archives
// written by `nats audit gather`. It only produces facts: every server's
// documents land in model.Server.Live, streams and consumers the servers
// report become live model.Stream / model.Consumer entries, and the rules
// judge them like any other input.
package probe

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Defaults.
const (
	DefaultTimeout = 5 * time.Second
	// DefaultMaxBody bounds every monitoring response (and archive entry): a
	// busy server's /jsz with consumer details is a few MiB; anything far
	// beyond is refused rather than buffered.
	DefaultMaxBody = 32 << 20
	// DefaultMaxServers bounds the servers read from $SYS answers and from
	// one archive: each costs its documents' memory, and a rogue responder
	// on the system account can claim any number.
	DefaultMaxServers = 256
)

// Options configure one live collection.
type Options struct {
	URLs     []string // HTTP(S) monitoring base URLs, e.g. http://nats-1:8222
	Server   string   // NATS URL for the system-account gather; "" for none
	Archives []string // `nats audit gather` archives
	Auth     Auth     // credentials for Server
	// JSCreds are .creds files of users of JetStream accounts: each
	// account's API is read through Server (offline streams, usage
	// against the account's limits).
	JSCreds []string
	TLS     TLSFiles // HTTPS monitoring and the NATS connection
	Timeout time.Duration
	MaxBody int64
	// MaxServers bounds the servers taken from $SYS answers and from each
	// archive (the first by name; a note says so when more answered).
	MaxServers int
	// MaxDocValues, MaxValues and MaxBytes bound the JSON values of one
	// document, and the values and bytes of all documents of the collection
	// (see DefaultMaxValues).
	MaxDocValues int64
	MaxValues    int64
	MaxBytes     int64
	// MaxPaged bounds the connections (/connz) and JetStream accounts (/jsz)
	// read page by page from one server (DefaultMaxPaged).
	MaxPaged int
}

// Auth are the system-account credentials.
type Auth struct {
	Creds    string // .creds file (JWT + seed)
	User     string
	Password string
	NkeyFile string // file holding an nkey seed
}

// TLSFiles are the TLS settings given on the command line.
type TLSFiles struct {
	CA       string
	Cert     string
	Key      string
	Insecure bool // skip certificate verification (reported loudly)
}

// Snapshot is what one server reported.
type Snapshot struct {
	Name  string // server_name
	Live  *model.Live
	notes []string // e.g. a paged document cut by the cap
}

// Failure is a target (or one endpoint of it) that could not be read.
type Failure struct {
	Target string // URL without credentials, "$SYS via nats://host:4222", or the archive path
	Err    error
}

func (f Failure) Error() string { return f.Target + ": " + f.Err.Error() }

// Result is a finished collection.
type Result struct {
	Snapshots []*Snapshot
	Accounts  []*jsAccount // read through their JetStream API (--js-creds)
	Failures  []Failure
	Notes     []string
}

// Reached reports whether at least one server could be read.
func (r *Result) Reached() bool { return len(r.Snapshots) > 0 }

func (r *Result) fail(target string, err error) {
	r.Failures = append(r.Failures, Failure{Target: target, Err: err})
}

func (o *Options) normalize() {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxServers <= 0 {
		o.MaxServers = DefaultMaxServers
	}
	if o.MaxDocValues <= 0 {
		o.MaxDocValues = DefaultMaxDocValues
	}
	if o.MaxValues <= 0 {
		o.MaxValues = DefaultMaxValues
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxPaged <= 0 {
		o.MaxPaged = DefaultMaxPaged
	}
}

// Empty reports whether there is nothing to collect.
func (o Options) Empty() bool {
	return len(o.URLs) == 0 && o.Server == "" && len(o.Archives) == 0
}

// Collect reads every target concurrently. It returns an error only for
// unusable options (e.g. a --tlsca file that cannot be read); unreachable or
// misbehaving targets are Failures in the result.
func Collect(ctx context.Context, opt Options) (*Result, error) {
	opt.normalize()
	tlsConf, err := opt.TLS.config()
	if err != nil {
		return nil, err
	}
	res := &Result{}
	b := newBudget(opt)
	if opt.TLS.Insecure {
		res.Notes = append(res.Notes, "--insecure: TLS certificates of live targets were NOT verified")
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var notes []string
	merge := func(r *Result) {
		mu.Lock()
		defer mu.Unlock()
		res.Snapshots = append(res.Snapshots, r.Snapshots...)
		res.Failures = append(res.Failures, r.Failures...)
		res.Accounts = append(res.Accounts, r.Accounts...)
		notes = append(notes, r.Notes...)
		for _, s := range r.Snapshots {
			notes = append(notes, s.notes...)
		}
	}
	if len(opt.URLs) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			merge(collectHTTP(ctx, opt, tlsConf, b))
		}()
	}
	if opt.Server != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			merge(collectSys(ctx, opt, tlsConf, b))
		}()
	}
	for _, a := range opt.Archives {
		wg.Add(1)
		go func() {
			defer wg.Done()
			merge(readArchive(a, opt, b))
		}()
	}
	wg.Wait()
	// After the gather, so that these connections are not among the
	// servers' clients in it.
	if opt.Server != "" && len(opt.JSCreds) > 0 {
		merge(collectJSAccounts(ctx, opt, tlsConf, b))
	}
	// The collectors finish in any order: their notes, sorted.
	sort.Strings(notes)
	res.Notes = append(res.Notes, notes...)
	if n := b.note(); n != "" {
		res.Notes = append(res.Notes, n)
	}
	// Deterministic order whatever the answering order was; for a server
	// reached several ways, its monitoring port first, then $SYS, then an
	// archive (Merge keeps the first).
	sort.SliceStable(res.Snapshots, func(i, j int) bool {
		a, b := res.Snapshots[i], res.Snapshots[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if ra, rb := viaRank(a.Live.Endpoint), viaRank(b.Live.Endpoint); ra != rb {
			return ra < rb
		}
		return a.Live.Endpoint < b.Live.Endpoint
	})
	sort.SliceStable(res.Failures, func(i, j int) bool { return res.Failures[i].Target < res.Failures[j].Target })
	return res, nil
}

func viaRank(endpoint string) int {
	switch {
	case strings.HasPrefix(endpoint, "$SYS"):
		return 1
	case strings.HasPrefix(endpoint, "archive:"):
		return 2
	}
	return 0
}

// SecretValues are the credentials found in the options (passwords, URL
// userinfo), for the caller to scrub from every output.
func SecretValues(opt Options) []string {
	var out []string
	if opt.Auth.Password != "" {
		out = append(out, opt.Auth.Password)
	}
	for _, raw := range append(append([]string{}, opt.URLs...), strings.Split(opt.Server, ",")...) {
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok && p != "" {
				out = append(out, p)
			} else if n := u.User.Username(); n != "" {
				out = append(out, n) // a bare token in nats://token@host
			}
		}
	}
	return out
}

// Display returns raw without userinfo, query or fragment: the form targets
// take in output.
func Display(raw string) string {
	if strings.Contains(raw, ",") { // a NATS server list
		parts := strings.Split(raw, ",")
		for i, p := range parts {
			parts[i] = Display(strings.TrimSpace(p))
		}
		return strings.Join(parts, ",")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		// Not a URL we can take apart: drop anything up to an '@' so that
		// credentials cannot leak through a malformed value.
		if i := strings.LastIndexByte(raw, '@'); i >= 0 {
			return raw[i+1:]
		}
		return raw
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimSuffix(u.String(), "/")
}

// errTimeout is returned when a target did not answer within the timeout.
type errTimeout time.Duration

func (e errTimeout) Error() string {
	return fmt.Sprintf("no complete answer within %s", time.Duration(e))
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
