// Package assemble builds one model.Inventory from the discovered files: it
// runs each source, then links what belongs together (a compose service and
// the config it mounts are one server; certificate paths resolve back to repo
// files through the mounts).
package assemble

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/image"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/natsflags"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/secret"
	"github.com/natsaudit/natsaudit/internal/source"
	"github.com/natsaudit/natsaudit/internal/source/certs"
	"github.com/natsaudit/natsaudit/internal/source/compose"
	"github.com/natsaudit/natsaudit/internal/source/dotenv"
	"github.com/natsaudit/natsaudit/internal/source/helm"
	"github.com/natsaudit/natsaudit/internal/source/jwtclaims"
	"github.com/natsaudit/natsaudit/internal/source/kube"
	"github.com/natsaudit/natsaudit/internal/source/natsconf"
	"github.com/natsaudit/natsaudit/internal/source/natscontext"
	"github.com/natsaudit/natsaudit/internal/source/shell"
	"github.com/natsaudit/natsaudit/internal/source/streams"
)

// Options configure Build.
type Options struct {
	Secrets *secret.Analyzer
	Now     time.Time
	MaxSize int64
	// ComposeProjects are compose files to merge as one project each
	// (.natsaudit.yaml compose: projects:), report paths, base first.
	ComposeProjects [][]string
	// Helm releases named in .natsaudit.yaml.
	Helm []helm.Spec
}

// Build turns discovered files into an Inventory.
func Build(d *discover.Result, base string, opt Options) *model.Inventory {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.Secrets == nil {
		opt.Secrets, _ = secret.NewAnalyzer(secret.Params{})
	}
	if abs, err := filepath.Abs(base); err == nil {
		base = abs
	}
	b := &builder{d: d, base: base, opt: opt, inv: &model.Inventory{
		Servers: []*model.Server{}, Streams: []*model.Stream{}, Consumers: []*model.Consumer{},
		EnvFiles: []*model.EnvFile{}, Credentials: []*model.Credential{}, Files: []*model.File{}, Errors: []model.ParseError{}, KubeSecrets: []*model.KubeSecret{},
	}, byRel: map[string]*discover.File{}, certCache: map[string]*model.Cert{}}
	b.inv.Scan.NowNS = opt.Now.UnixNano()
	b.inv.Scan.Now = opt.Now.UTC().Format(time.RFC3339)
	b.inv.Scan.Sources = []string{}
	for _, f := range d.Files {
		b.byRel[f.Rel] = f
	}
	for _, s := range d.Skipped {
		b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("skipped %s: %s", s.Path, s.Reason))
	}
	if d.Excluded > 0 {
		b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("%d directories and files were left out by --skip-dirs/--skip-files/.natsauditignore", d.Excluded))
	}
	b.envFiles()
	b.composeServers()
	b.loaders()
	b.standaloneConfigs()
	b.kubeManifests()
	b.helmReleases()
	b.streamFiles()
	b.contextFiles()
	b.scripts()
	b.keyFiles()
	b.commentSeeds()
	b.finish()
	return b.inv
}

type builder struct {
	d        *discover.Result
	base     string
	opt      Options
	inv      *model.Inventory
	byRel    map[string]*discover.File
	env      *envFiles
	repo     *repoEnv
	mounted  map[string]bool // config files consumed by a compose service
	included map[string]bool // config files included by another config
	// recognised are configs read as NATS by their parsed keys, not by
	// their name or content (looksNATS).
	recognised map[string]bool
	certCache  map[string]*model.Cert
	// projects: the compose project (its files joined) of each compose
	// server, for cluster linking.
	projects map[*model.Server]string
	// configTree indexes the config files, for workloads that name their
	// config by a host path.
	configTree *source.Tree
	ctx        *source.Context // for Loaders, made once
}

func (b *builder) files(kind string) []*discover.File {
	var out []*discover.File
	for _, f := range b.d.Files {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

func (b *builder) addFile(rel, kind string) *model.File {
	f := &model.File{Ref: model.RefTo(model.RefFile, len(b.inv.Files)), Path: rel, Kind: kind}
	b.inv.Files = append(b.inv.Files, f)
	return f
}

func (b *builder) envFiles() {
	b.env = &envFiles{files: map[string]*dotenv.File{}, resolved: map[string]map[string]envValue{}}
	b.repo = &repoEnv{values: map[string][]envValue{}}
	for _, f := range b.files(discover.KindEnv) {
		parsed, errs := dotenv.Parse(f.Data)
		for _, e := range errs {
			b.inv.Errors = append(b.inv.Errors, model.ParseError{File: f.Rel, Line: e.Line, Kind: "env", Message: e.Msg})
		}
		b.env.files[f.Rel] = parsed
		res := resolveFile(parsed, f.Rel)
		b.env.resolved[f.Rel] = res
		ef := &model.EnvFile{Ref: model.RefTo(model.RefEnvFile, len(b.inv.EnvFiles)), File: f.Rel, Vars: map[string]*model.EnvVar{}, Locs: model.Locations{}}
		for _, v := range parsed.Vars {
			rv := res[v.Name]
			ef.Vars[v.Name] = &model.EnvVar{Name: v.Name, Line: v.Line, Facts: facts(b.opt.Secrets, v.Name, rv)}
			ef.Locs.Set("vars/"+v.Name, model.Location{File: f.Rel, Line: v.Line, Column: 1})
			b.repo.values[v.Name] = append(b.repo.values[v.Name], rv)
		}
		b.inv.EnvFiles = append(b.inv.EnvFiles, ef)
		b.addFile(f.Rel, discover.KindEnv)
		b.inv.Scan.AddSource("env")
	}
}

// reader reads config includes from the scanned tree only.
func (b *builder) reader(root string) natsconf.Reader {
	return natsconf.OSReader{Root: root, MaxSize: b.opt.MaxSize, RelFn: func(abs string) string {
		if r, err := filepath.Rel(b.base, abs); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
		return filepath.ToSlash(abs)
	}}
}

// configJob is a config file to parse with the environment it sees.
type configJob struct {
	f   *discover.File
	env natsconf.Env
}

// parseConfigs parses configs concurrently; the results are in job order.
// The includes they read are recorded by the caller, in order (useConfig).
func (b *builder) parseConfigs(jobs []configJob) []*natsconf.Result {
	out := make([]*natsconf.Result, len(jobs))
	each(len(jobs), func(i int) {
		j := jobs[i]
		out[i] = natsconf.Parse(j.f.Abs, j.f.Data, natsconf.Options{Reader: b.reader(j.f.Root), Env: j.env, Secrets: b.opt.Secrets})
	})
	return out
}

// useConfig records the files a parsed config included.
func (b *builder) useConfig(res *natsconf.Result) *natsconf.Result {
	for _, inc := range res.Files[1:] {
		b.included[inc] = true
	}
	return res
}

// each calls f(0) ... f(n-1) on one goroutine per CPU. Sources parse each
// file on its own (they share only the secret analyzer, which is safe for
// concurrent use); the builder then assembles the results in file order, so
// the inventory is the one a sequential build gives. Parsing was most of
// the assembly of a 1,000-file repo (docs/performance.md).
func each(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

func (b *builder) composeServers() {
	b.mounted = map[string]bool{}
	b.included = map[string]bool{}
	b.recognised = map[string]bool{}
	var inputs []compose.Input
	for _, f := range b.files(discover.KindCompose) {
		inputs = append(inputs, compose.Input{Rel: f.Rel, Data: f.Data})
		b.addFile(f.Rel, discover.KindCompose)
	}
	groups, notes := compose.Group(inputs, b.opt.ComposeProjects)
	b.inv.Notes = append(b.inv.Notes, notes...)
	declared := map[string]bool{}
	for _, p := range b.opt.ComposeProjects {
		for _, f := range p {
			declared[path.Clean(f)] = true
		}
	}
	projects := make([]*compose.Project, len(groups))
	each(len(groups), func(i int) {
		projects[i] = compose.Load(groups[i], compose.Options{Env: b.env, Secrets: b.opt.Secrets, Read: b.readTreeFile})
	})
	// A file another project reaches through extends:/include: is part of
	// that project, not a deployment of its own.
	fragments := compose.Fragments(projects, declared)
	kept := projects[:0:0]
	for i, p := range projects {
		if !fragments[i] {
			kept = append(kept, p)
		}
	}
	projects = kept
	b.inv.Notes = append(b.inv.Notes, compose.OverrideNotes(projects)...)
	b.projects = map[*model.Server]string{}
	// The configs the NATS services run, parsed concurrently up front.
	var jobs []configJob
	job := map[*compose.Service]int{}
	for _, p := range projects {
		for _, svc := range p.Services {
			if f := b.serviceConfig(svc); svc.IsNATS && f != nil {
				job[svc] = len(jobs)
				jobs = append(jobs, configJob{f, serviceEnv{svc: svc, repo: b.repo}})
			}
		}
	}
	parsed := b.parseConfigs(jobs)
	seenRead := map[string]bool{}
	for _, p := range projects {
		b.inv.Errors = append(b.inv.Errors, p.Errors...)
		b.inv.Notes = append(b.inv.Notes, p.Notes...)
		for _, r := range p.Read {
			if b.byRel[r] == nil && !seenRead[r] {
				seenRead[r] = true
				b.addFile(r, discover.KindCompose)
			}
		}
		for _, svc := range p.Services {
			if !svc.IsNATS {
				b.clientCredentials(svc)
				continue
			}
			b.inv.Scan.AddSource("compose")
			var res *natsconf.Result
			if i, ok := job[svc]; ok {
				res = parsed[i]
			}
			srv := b.composeServer(svc, res)
			b.projects[srv] = strings.Join(p.Files, "+")
			if srv.Deployment != nil {
				srv.Deployment.Project = b.projects[srv]
			}
		}
	}
}

// readTreeFile reads a file of the scanned tree by report path, for the
// files compose's extends: and include: name: only a file the walk saw
// (inside a scanned root, not in .git), read again through safefile so
// that a link planted since cannot lead out.
func (b *builder) readTreeFile(rel string) ([]byte, error) {
	if f := b.byRel[rel]; f != nil {
		return f.Data, nil
	}
	if _, ok := b.d.All[rel]; !ok {
		// Callers name the file (as for safefile's errors, which carry no
		// path), so the message does not repeat it.
		return nil, errors.New("not a file of the scanned tree")
	}
	root := safefile.NewRoot(b.base)
	max := b.opt.MaxSize
	if max <= 0 {
		max = discover.DefaultMaxSize
	}
	return root.ReadFile(filepath.Join(b.base, filepath.FromSlash(rel)), max)
}

// serviceConfig is the repository file a service runs as its config (the
// file bind-mounted at its -c path), or nil.
func (b *builder) serviceConfig(svc *compose.Service) *discover.File {
	d := svc.Deployment
	if d.ConfigPath == "" {
		return nil
	}
	rel, ok := b.mountedFile(d, d.ConfigPath)
	if !ok {
		return nil
	}
	return b.byRel[rel]
}

// bundledConfig parses image.BundledConfig: a fresh map per server, as
// flags are overlaid on it.
func (b *builder) bundledConfig() map[string]any {
	res := natsconf.Parse("/nats-server.conf", []byte(image.BundledConfig), natsconf.Options{Reader: noIncludes{}, Secrets: b.opt.Secrets})
	if !res.OK() {
		return nil
	}
	return res.Config
}

// noIncludes reads nothing: the bundled config has no includes.
type noIncludes struct{}

func (noIncludes) Read(string) ([]byte, error) {
	return nil, fmt.Errorf("no includes in the bundled config")
}
func (noIncludes) Rel(abs string) string { return abs }

// composeServer builds the server of a compose service; res is its parsed
// config (serviceConfig), nil when the repo does not hold it.
func (b *builder) composeServer(svc *compose.Service, res *natsconf.Result) *model.Server {
	d := svc.Deployment
	srv := &model.Server{Name: svc.Name, Deployment: d, Locs: model.Locations{}, ConfigEnv: map[string]string{}, Certs: []*model.Cert{}}
	srv.AddSource("compose")
	for k, v := range svc.Locs {
		srv.Locs[k] = v
	}
	cfg := map[string]any{}
	// The config file the container runs, if it is in the repository.
	found := false
	if d.ConfigPath != "" {
		if rel, ok := b.mountedFile(d, d.ConfigPath); ok {
			if f := b.byRel[rel]; f != nil {
				found = true
				d.UsesImageDefaultConfig = false
				cfg = b.runConfig(srv, rel, res)
			} else if b.d.All[rel] != "" {
				b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("service %s mounts %s as its config, but it could not be read", svc.Name, rel))
			}
		}
	}
	// The image's bundled config is a known configuration: audit it as
	// such (its settings have no line of their own in the repository:
	// findings about it point at the service).
	if !found && d.UsesImageDefaultConfig && !svc.Built {
		if bc := b.bundledConfig(); bc != nil {
			cfg = bc
			srv.AddSource("config")
			b.inv.Scan.AddSource("config")
			b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("service %s of %s runs the nats image's bundled config (%s): audited as its known contents (clients on 4222, monitoring on 8222, routes on 6222 with the documented ruser/T0pS3cr3t)", svc.Name, d.File, d.ConfigPath))
		}
	}
	applyFlags(srv, cfg, svc.FlagConfig, svc.FlagLocs)
	if len(cfg) > 0 || srv.ConfigFile != "" {
		srv.Config = cfg
	}
	switch {
	case d.ConfigPath != "" && !found && !d.UsesImageDefaultConfig:
		// The server runs a file natsaudit cannot see: judging the flags
		// alone would report "no authentication", "no store_dir".
		d.ConfigUnavailable = true
		srv.Config = nil
		b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("service %s of %s runs the config %s, which is not in the scanned tree (%s): config not available, not evaluated", svc.Name, d.File, d.ConfigPath, b.mountSource(d, d.ConfigPath)))
	case svc.Built && srv.ConfigFile == "":
		srv.Config = nil
		b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("service %s of %s is built from a Dockerfile (build:): the config its image runs is not evaluated", svc.Name, d.File))
	}
	if v := svc.Image.Version(); v != "" {
		srv.Version = versionFromTag(v)
		srv.Version.Raw = d.ImageTag
	} else if !svc.Built {
		b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("service %s of %s: nats-server version unknown (%s)", svc.Name, d.File, versionUnknown(svc)))
	}
	b.certs(srv)
	b.addServer(srv)
	return srv
}

// runConfig makes the parsed config file rel the one srv runs (a compose
// service's mount, a unit's -c path): the file is the server's, not a
// server of its own; its locations, $VARs and server_name are the
// server's. It returns the config (empty when it did not parse).
func (b *builder) runConfig(srv *model.Server, rel string, res *natsconf.Result) map[string]any {
	cfg := map[string]any{}
	b.mounted[rel] = true
	b.useConfig(res)
	b.inv.Errors = append(b.inv.Errors, res.Errors...)
	srv.ConfigFile = rel
	srv.AddSource("config")
	b.inv.Scan.AddSource("config")
	if res.OK() {
		cfg = res.Config
		srv.ConfigDigest, srv.ConfigDigestNote = res.Digest, res.DigestNote
	}
	for k, v := range res.Locs {
		srv.Locs[k] = v
	}
	for k, v := range res.EnvRef {
		srv.ConfigEnv[strings.TrimPrefix(k, "config/")] = v
	}
	if n, ok := cfg["server_name"].(string); ok && n != "" && !strings.HasPrefix(n, "$") {
		srv.Name = n
	}
	return cfg
}

// applyFlags overlays the configuration a command line sets on cfg:
// command-line flags override the config file (--tls alone does not make
// a tls block "enabled"; --js without a store turns JetStream on).
func applyFlags(srv *model.Server, cfg, flags map[string]any, locs model.Locations) {
	if len(flags) == 0 {
		return
	}
	natsflags.Override(cfg, flags)
	for k, v := range locs {
		srv.Locs[k] = v
	}
	natsconf.DeriveListeners(cfg, srv.Locs)
}

// versionUnknown says why an image gives no nats-server version.
func versionUnknown(svc *compose.Service) string {
	d := svc.Deployment
	switch {
	case d.ImageFromEnv:
		return fmt.Sprintf("image %s is set from the environment", d.Image)
	case svc.Streaming:
		return fmt.Sprintf("image %s is NATS Streaming, whose version is not a nats-server version; NATS Streaming reached end of life in 2023", d.Image)
	case svc.Image.Kind() != image.NATS:
		return fmt.Sprintf("image %s runs nats-server, but its tag is the image's own release", d.Image)
	case d.Image == "":
		return "no image"
	}
	return fmt.Sprintf("image tag %q is not a version", d.ImageTag)
}

// mountSource says where the config path of a service comes from.
func (b *builder) mountSource(d *model.Deployment, containerPath string) string {
	cp := path.Clean(containerPath)
	for _, v := range d.Volumes {
		t := path.Clean(v.Target)
		if cp == t || strings.HasPrefix(cp, t+"/") {
			switch {
			case v.RepoPath != "":
				return "mounted from " + v.RepoPath + ", not found"
			case v.Type == "bind":
				return "mounted from outside the repository"
			default:
				return "in the " + v.Type + " " + v.Source
			}
		}
	}
	return "no volume holds it: the image's own file"
}

// mountedFile maps a container path to the repository file bind-mounted
// there (directly, or through a mounted directory).
func (b *builder) mountedFile(d *model.Deployment, containerPath string) (string, bool) {
	cp := path.Clean(containerPath)
	best := ""
	bestLen := -1
	for _, v := range d.Volumes {
		if v.RepoPath == "" {
			continue
		}
		t := path.Clean(v.Target)
		switch {
		case cp == t:
			return v.RepoPath, true
		case strings.HasPrefix(cp, t+"/") && len(t) > bestLen:
			best = path.Join(v.RepoPath, strings.TrimPrefix(cp, t+"/"))
			bestLen = len(t)
		}
	}
	return best, bestLen >= 0
}

func (b *builder) standaloneConfigs() {
	type parsed struct {
		f   *discover.File
		res *natsconf.Result
	}
	var all []parsed
	var notNATS []*discover.File
	// Files included by configs mounted into compose services.
	mountIncluded := maps.Clone(b.included)
	var jobs []configJob
	for _, f := range b.files(discover.KindNatsConf) {
		if !b.mounted[f.Rel] {
			jobs = append(jobs, configJob{f, b.repo})
		}
	}
	for i, res := range b.parseConfigs(jobs) {
		f := jobs[i].f
		// A .conf neither named nor written like a NATS config counts when
		// it parses with keys nats-server knows, one of them particular to
		// NATS; otherwise it is another tool's (redis, postgresql, ...).
		if !looksNATS(f) {
			if !res.LooksNATS() {
				notNATS = append(notNATS, f)
				continue
			}
			b.recognised[f.Rel] = true
		}
		all = append(all, parsed{f, b.useConfig(res)})
	}
	for _, f := range notNATS {
		if !b.included[f.Rel] {
			b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("skipped %s: not a NATS server config (no NATS-specific setting and no \"nats\" in its name; give its path to scan it anyway)", f.Rel))
		}
	}
	// A fragment is a file another config includes (and that does not
	// include that config back: in an include cycle, every file is read as
	// a configuration, so that each reports the cycle).
	reads := map[string]map[string]bool{}
	for _, p := range all {
		reads[p.f.Rel] = map[string]bool{}
		for _, inc := range p.res.Files[1:] {
			reads[p.f.Rel][inc] = true
		}
	}
	fragment := func(rel string) bool {
		if mountIncluded[rel] {
			return true
		}
		for q, files := range reads {
			if q != rel && files[rel] && !reads[rel][q] {
				return true
			}
		}
		return false
	}
	for _, p := range all {
		if fragment(p.f.Rel) {
			continue // read as part of the config including it
		}
		b.inv.Errors = append(b.inv.Errors, p.res.Errors...)
		b.inv.Scan.AddSource("config")
		srv := &model.Server{Name: p.f.Rel, ConfigFile: p.f.Rel, Locs: model.Locations{}, ConfigEnv: map[string]string{}, Certs: []*model.Cert{}}
		srv.AddSource("config")
		if p.res.OK() {
			srv.Config = p.res.Config
			srv.ConfigDigest, srv.ConfigDigestNote = p.res.Digest, p.res.DigestNote
			if n, ok := srv.Config["server_name"].(string); ok && n != "" && !strings.HasPrefix(n, "$") {
				srv.Name = n
			}
		}
		for k, v := range p.res.Locs {
			srv.Locs[k] = v
		}
		for k, v := range p.res.EnvRef {
			srv.ConfigEnv[strings.TrimPrefix(k, "config/")] = v
		}
		b.certs(srv)
		b.addServer(srv)
	}
	for _, f := range b.files(discover.KindNatsConf) {
		if b.mounted[f.Rel] || b.included[f.Rel] || b.recognised[f.Rel] || looksNATS(f) {
			b.addFile(f.Rel, discover.KindNatsConf)
		}
	}
}

var natsNameRe = regexp.MustCompile(`(?i)nats`)

// natsContentRe matches settings only nats-server has. Generic ones (port,
// listen, include, max_connections) are left out: redis.conf, postgresql.conf
// and haproxy.cfg have them too, and reading those as NATS servers gives
// nonsense findings.
var natsContentRe = regexp.MustCompile(`(?m)^\s*"?(jetstream|leafnodes|authorization|accounts|gateway|websocket|mqtt|cluster)"?\s*[:=]?\s*\{|^\s*"?(http_port|https_port|monitor_port|max_payload|server_name|no_auth_user|system_account|max_pending|write_deadline|lame_duck_duration|lame_duck_grace_period|ping_interval|max_control_line|server_tags|default_js_domain|resolver_preload|trusted_keys|no_sys_acc|max_subscriptions)"?\s*[:=\s]|^\s*"?(port|listen)"?\s*[:=]\s*"?[\w.\[\]:-]*\b(4222|6222|7222|7422|8222)\b`)

// looksNATS keeps other tools' .conf files (nginx, redis, postgresql, ...)
// out of the scan: a config counts when it was named on the command line,
// or its name or its content says NATS.
func looksNATS(f *discover.File) bool {
	return f.Explicit || natsNameRe.MatchString(f.Rel) || natsContentRe.Match(f.Data) && !strings.Contains(string(f.Data), "server {")
}

func (b *builder) addServer(s *model.Server) {
	s.Ref = model.RefTo(model.RefServer, len(b.inv.Servers))
	b.inv.Servers = append(b.inv.Servers, s)
}

var tlsBlocks = []string{"tls", "cluster/tls", "gateway/tls", "leafnodes/tls", "websocket/tls", "mqtt/tls"}

// certs reads the certificates a server's config points at, when the repo
// holds them.
func (b *builder) certs(s *model.Server) {
	if s.Config == nil {
		return
	}
	for _, blk := range tlsBlocks {
		m := lookupMap(s.Config, blk)
		if m == nil {
			continue
		}
		cf, _ := m["cert_file"].(string)
		if cf == "" {
			continue
		}
		rel, ok := b.resolveRepoPath(s, cf)
		if !ok {
			continue
		}
		f := b.byRel[rel]
		if f == nil {
			continue
		}
		c, cached := b.certCache[rel]
		if !cached {
			var err error
			c, err = certs.Certificate(rel, f.Data)
			if err != nil {
				b.inv.Errors = append(b.inv.Errors, model.ParseError{File: rel, Kind: "cert", Message: err.Error()})
			}
			b.certCache[rel] = c
		}
		if c == nil {
			continue
		}
		cc := *c
		cc.Path = "config/" + blk + "/cert_file"
		if kf, _ := m["key_file"].(string); kf != "" {
			if krel, ok := b.resolveRepoPath(s, kf); ok && b.byRel[krel] != nil {
				cc.KeyFile = krel
			}
		}
		s.Certs = append(s.Certs, &cc)
		b.inv.Scan.AddSource("certs")
	}
}

// resolveRepoPath maps a path written in a config to a repository file:
// through the service's bind mounts, or relative to the config file.
func (b *builder) resolveRepoPath(s *model.Server, p string) (string, bool) {
	if s.Deployment != nil && path.IsAbs(p) {
		if rel, ok := b.mountedFile(s.Deployment, p); ok {
			return rel, true
		}
	}
	if !path.IsAbs(p) && s.ConfigFile != "" {
		return path.Clean(path.Join(path.Dir(s.ConfigFile), p)), true
	}
	return "", false
}

func lookupMap(m map[string]any, p string) map[string]any {
	for _, k := range strings.Split(p, "/") {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}

func (b *builder) streamFiles() {
	files := b.files(discover.KindStream)
	parsed := make([]*streams.Result, len(files))
	each(len(files), func(i int) { parsed[i] = streams.Parse(files[i].Rel, files[i].Data) })
	for i, f := range files {
		res := parsed[i]
		if !res.Recognised {
			continue
		}
		b.addFile(f.Rel, discover.KindStream)
		b.inv.Errors = append(b.inv.Errors, res.Errors...)
		b.addStreams(res.Streams, res.Consumers)
		b.lineCredentials(f.Rel, f.Data, "stream")
	}
}

// kubeManifests reads the Kubernetes manifests together (a workload, the
// ConfigMap it mounts and the Service in front of it are often in different
// files): servers, NACK streams and consumers, committed Secrets, through
// the source's Loader (kube.Source.Load).
func (b *builder) kubeManifests() { b.load(kube.Source{}) }

// dropConfigServers removes the servers read from config files on their
// own that a Kubernetes workload reads as its config (a kustomize
// generator's nats.conf): the workload's server has that config, with its
// deployment, as a compose service's bind-mounted config does.
func (b *builder) dropConfigServers(files []string) {
	if len(files) == 0 {
		return
	}
	used := map[string]bool{}
	for _, f := range files {
		used[f] = true
	}
	kept := b.inv.Servers[:0]
	for _, s := range b.inv.Servers {
		if s.Deployment == nil && used[s.ConfigFile] && len(s.Sources) == 1 && s.Sources[0] == "config" {
			continue
		}
		kept = append(kept, s)
	}
	b.inv.Servers = kept
	for i, s := range b.inv.Servers {
		s.Ref = model.RefTo(model.RefServer, i)
	}
}

// helmReleases maps the values of the nats chart's releases.
func (b *builder) helmReleases() {
	charts, values := b.files(discover.KindHelmChart), b.files(discover.KindHelmValues)
	if len(values) == 0 && len(b.opt.Helm) == 0 {
		return
	}
	toHelm := func(fs []*discover.File) []helm.File {
		out := make([]helm.File, len(fs))
		for i, f := range fs {
			out[i] = helm.File{Rel: f.Rel, Data: f.Data}
		}
		return out
	}
	read := func(rel string) ([]byte, error) {
		if f := b.byRel[rel]; f != nil {
			return f.Data, nil
		}
		real, ok := b.d.All[rel]
		if !ok {
			return nil, fmt.Errorf("not found in the scanned tree")
		}
		return discover.ReadRegular(real, b.opt.MaxSize)
	}
	res := helm.Load(toHelm(charts), toHelm(values), helm.Options{Secrets: b.opt.Secrets, Releases: b.opt.Helm, Read: read})
	for _, rel := range res.Files {
		b.addFile(rel, "helm")
	}
	b.inv.Errors = append(b.inv.Errors, res.Errors...)
	b.inv.Notes = append(b.inv.Notes, res.Notes...)
	for _, s := range res.Servers {
		b.inv.Scan.AddSource("helm")
		b.inv.Scan.AddSource("config")
		b.addServer(s)
	}
	for _, s := range res.Secrets {
		s.Ref = model.RefTo(model.RefKubeSecret, len(b.inv.KubeSecrets))
		b.inv.KubeSecrets = append(b.inv.KubeSecrets, s)
		b.inv.Scan.AddSource("helm")
	}
}

func (b *builder) addStreams(ss []*model.Stream, cs []*model.Consumer) {
	for _, s := range ss {
		s.Ref = model.RefTo(model.RefStream, len(b.inv.Streams))
		b.inv.Streams = append(b.inv.Streams, s)
	}
	for _, c := range cs {
		c.Ref = model.RefTo(model.RefConsumer, len(b.inv.Consumers))
		b.inv.Consumers = append(b.inv.Consumers, c)
	}
	if len(ss)+len(cs) > 0 {
		b.inv.Scan.AddSource("streams")
	}
}

func (b *builder) keyFiles() {
	for _, kind := range []string{discover.KindPrivateKey, discover.KindCreds, discover.KindNkeySeed, discover.KindCert} {
		for _, f := range b.files(kind) {
			k := "creds"
			if kind != discover.KindCreds {
				k = kind
			}
			facts := certs.KeyFacts(f.Rel, k, f.Data)
			var jwts []*model.JWT
			if kind == discover.KindCreds {
				jwts = jwtclaims.Find(f.Data)
			}
			if facts == nil {
				switch {
				case kind == discover.KindCert:
					b.addFile(f.Rel, kind)
				case len(jwts) > 0:
					b.addFile(f.Rel, k).JWTs = jwts
				}
				continue
			}
			facts.JWTs = jwts
			facts.Ref = model.RefTo(model.RefFile, len(b.inv.Files))
			b.inv.Files = append(b.inv.Files, facts)
		}
	}
	for _, f := range b.files(discover.KindJWT) {
		if jwts := jwtclaims.Find(f.Data); len(jwts) > 0 {
			fl := b.addFile(f.Rel, discover.KindJWT)
			fl.JWTs, fl.Line = jwts, jwts[0].Line
		}
	}
}

// clientCredentials: a NATS URL with user:password@ in the environment:
// of a service that connects to NATS (MISS-URL-CREDS) is a committed
// credential at its line. Values from env_file: are judged in their .env.
func (b *builder) clientCredentials(svc *compose.Service) {
	d := svc.Deployment
	fromEnvFile := map[string]bool{}
	for _, f := range d.EnvFiles {
		fromEnvFile[f] = true
	}
	for _, k := range slices.Sorted(maps.Keys(svc.Env)) {
		e := svc.Env[k]
		if fromEnvFile[e.File] {
			continue
		}
		scheme, _, pass, ok := secret.URLCredentials(e.Raw)
		if !ok || !secret.IsNATSScheme(scheme) && !strings.Contains(strings.ToUpper(k), "NATS") {
			continue
		}
		f, _ := b.opt.Secrets.URLFacts(e.Raw)
		b.opt.Secrets.MaskAt(e.File, e.Line, pass)
		b.addCredential(&model.Credential{File: e.File, Line: e.Line, Source: "compose", Key: "services/" + svc.Name + "/environment/" + k, Kind: "url", Facts: f})
	}
}

// lineCredentials: NATS URLs with user:password@ written in a file read
// as data (stream and consumer definitions, NACK manifests with server
// URLs), one credential per line that holds one.
func (b *builder) lineCredentials(rel string, data []byte, source string) {
	line, n := 0, 0
	for rest := string(data); rest != ""; {
		line++
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		if !strings.Contains(l, "@") {
			continue
		}
		scheme, _, pass, ok := secret.URLCredentials(l)
		if !ok || !secret.IsNATSScheme(scheme) {
			continue
		}
		f, _ := b.opt.Secrets.URLFacts(l)
		b.opt.Secrets.MaskAt(rel, line, pass)
		n++
		key := "url"
		if n > 1 {
			key = fmt.Sprintf("url#%d", n)
		}
		b.addCredential(&model.Credential{File: rel, Line: line, Source: source, Key: key, Kind: "url", Facts: f})
	}
}

// addCredential adds a committed credential to the inventory.
func (b *builder) addCredential(c *model.Credential) {
	c.Ref = model.RefTo(model.RefCredential, len(b.inv.Credentials))
	b.inv.Credentials = append(b.inv.Credentials, c)
}

// contextFiles reads NATS CLI context files (MISS-CONTEXT-JSON).
func (b *builder) contextFiles() {
	for _, f := range b.files(discover.KindContext) {
		creds, ok := natscontext.Parse(f.Rel, f.Data, b.opt.Secrets)
		if !ok {
			continue
		}
		b.addFile(f.Rel, discover.KindContext)
		b.inv.Scan.AddSource("context")
		for _, c := range creds {
			b.addCredential(c)
		}
	}
}

// scripts reads shell scripts: streams and consumers they create, the
// credentials they commit (MISS-SHELL-STREAMS, MISS-SHELL-CONTEXT,
// MISS-URL-CREDS).
func (b *builder) scripts() {
	files := b.files(discover.KindScript)
	parsed := make([]*shell.Result, len(files))
	each(len(files), func(i int) { parsed[i] = shell.Parse(files[i].Rel, files[i].Data, b.opt.Secrets) })
	for i, f := range files {
		res := parsed[i]
		if len(res.Streams)+len(res.Consumers)+len(res.Credentials)+len(res.Heredocs)+len(res.Servers) == 0 {
			continue
		}
		b.addFile(f.Rel, discover.KindScript)
		b.inv.Scan.AddSource("script")
		for _, s := range res.Streams {
			s.Ref = model.RefTo(model.RefStream, len(b.inv.Streams))
			b.inv.Streams = append(b.inv.Streams, s)
		}
		for _, c := range res.Consumers {
			c.Ref = model.RefTo(model.RefConsumer, len(b.inv.Consumers))
			b.inv.Consumers = append(b.inv.Consumers, c)
		}
		for _, c := range res.Credentials {
			b.addCredential(c)
		}
		for _, h := range res.Heredocs {
			b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("%s:%d writes %s with a here-document; configs written by scripts are not read", f.Rel, h.Line, h.Target))
		}
		for _, s := range res.Servers {
			b.scriptServer(f.Rel, s)
		}
	}
}

// scriptServer is a nats-server a script starts (a nats-server command
// line, or docker run of a NATS image), read like a compose command: the
// flags are its configuration, at the script's lines; docker run adds the
// image (version) and the published ports. A server started with -c FILE
// runs that file, which is audited on its own: the script adds a note,
// not a second server.
func (b *builder) scriptServer(rel string, ss shell.Server) {
	args := make([]natsflags.Arg, 0, len(ss.Args))
	for _, a := range ss.Args {
		args = append(args, natsflags.Arg{Value: a.Value, Loc: model.Location{File: rel, Line: a.Line}})
	}
	for _, a := range ss.Args {
		// nats-server --signal reload, --help, --version, -t (check a
		// config): a command to a server or about it, not a server.
		name, _, _ := strings.Cut(a.Value, "=")
		switch name {
		case "--signal", "-sl", "-h", "--help", "-v", "--version", "-t", "--help_tls":
			return
		}
	}
	fl := natsflags.Parse(args, b.opt.Secrets)
	if fl.ConfigPath != "" {
		b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("%s:%d starts nats-server with the config %s: that file is audited on its own when the scan holds it", rel, ss.Line, fl.ConfigPath))
		return
	}
	name := ss.Name
	if n, ok := fl.Config["server_name"].(string); ok && n != "" && !strings.HasPrefix(n, "$") {
		name = n
	}
	if name == "" {
		name = fmt.Sprintf("%s:%d", rel, ss.Line)
	}
	srv := &model.Server{Name: name, Locs: model.Locations{}, ConfigEnv: map[string]string{}, Certs: []*model.Cert{}}
	srv.AddSource("script")
	srv.Locs.Set("deployment", model.Location{File: rel, Line: ss.Line})
	cfg := map[string]any{}
	if ss.Image != "" {
		ref := image.Split(ss.Image)
		d := &model.Deployment{Kind: "docker", File: rel, Service: name, Image: ss.Image, ImageRepo: ref.Repo, ImageTag: ref.Tag, ImageDigest: ref.Digest,
			Command: fl.Command, Flags: fl.Flags, FlagNames: fl.FlagNames, Ports: []model.Port{}, Volumes: []model.Volume{}, Environment: map[string]any{}, EnvFiles: []string{}}
		srv.Locs.Set("deployment/image", model.Location{File: rel, Line: ss.Line})
		for i, p := range ss.Publish {
			if port, ok := publishedPort(p.Value); ok {
				port.Via = "docker run -p"
				d.Ports = append(d.Ports, port)
				srv.Locs.Set(fmt.Sprintf("deployment/ports/%d", i), model.Location{File: rel, Line: p.Line})
			}
		}
		if len(ss.Args) == 0 {
			// The image's CMD: its bundled config.
			d.UsesImageDefaultConfig = true
			d.ConfigPath = image.DefaultConfigOf(ref)
			if bc := b.bundledConfig(); bc != nil {
				cfg = bc
			}
		}
		if v := image.ServerVersion(ref); v != nil {
			srv.Version = v
			srv.Version.Raw = ref.Tag
		}
		srv.Deployment = d
	}
	natsflags.Overlay(cfg, fl.Config)
	for k, v := range fl.Locs {
		srv.Locs[k] = v
	}
	if js, ok := cfg["jetstream"].(map[string]any); ok {
		if _, set := js["enabled"]; !set {
			js["enabled"] = true
		}
	}
	natsconf.DeriveListeners(cfg, srv.Locs)
	srv.Config = cfg
	srv.AddSource("config")
	b.inv.Scan.AddSource("config")
	b.addServer(srv)
}

// publishedPort reads a docker run -p value: [[ip:]host:]container[/proto].
func publishedPort(s string) (model.Port, bool) {
	p := model.Port{Protocol: "tcp"}
	if i := strings.LastIndex(s, "/"); i >= 0 {
		p.Protocol, s = s[i+1:], s[:i]
	}
	if strings.HasPrefix(s, "[") {
		if j := strings.Index(s, "]:"); j > 0 {
			p.HostIP, s = s[1:j], s[j+2:]
		}
	}
	parts := strings.Split(s, ":")
	var host, ctr string
	switch len(parts) {
	case 1:
		ctr = parts[0]
	case 2:
		host, ctr = parts[0], parts[1]
	default:
		p.HostIP = strings.Join(parts[:len(parts)-2], ":")
		host, ctr = parts[len(parts)-2], parts[len(parts)-1]
	}
	c, err := strconv.Atoi(strings.Split(ctr, "-")[0])
	if err != nil {
		return p, false
	}
	p.ContainerPort, p.HostPort = c, c
	if h, err := strconv.Atoi(strings.Split(host, "-")[0]); err == nil {
		p.HostPort = h
	}
	p.AllInterfaces = p.HostIP == "" || p.HostIP == "0.0.0.0" || p.HostIP == "::"
	return p, true
}

// commentSeeds lists nkey seeds written in comments of the config files
// (MISS-SEED-IN-COMMENT): each is a committed private key at its line,
// judged like a seed file (NATS-TLS-016). The line is masked by shape in
// every output.
func (b *builder) commentSeeds() {
	for _, f := range b.files(discover.KindNatsConf) {
		for _, line := range natsconf.CommentSeeds(f.Data) {
			fl := b.addFile(f.Rel, discover.KindNkeySeed)
			fl.KeyType = "nkey"
			fl.Line = line
		}
	}
}

func (b *builder) finish() {
	for _, s := range b.inv.Servers {
		s.SecretPaths = model.FindSecrets(s.Config)
	}
	b.clusterGroups()
	b.linkDefinitions()
	b.inv.Errors = capErrors(b.inv.Errors, maxErrorsPerFile)
	sort.Strings(b.inv.Notes)
}

// maxErrorsPerFile bounds the errors listed for one file. Every error is a
// NATS-OPS-005 finding: a 1 MB config of 100,000 unknown keys made 100,000
// findings (17 s, 1.7 GB); the first errors say what is wrong with the file.
const maxErrorsPerFile = 50

// capErrors keeps the first max errors of each file, in order, and replaces
// the rest of a file's errors by one that counts them.
func capErrors(errs []model.ParseError, max int) []model.ParseError {
	count := map[string]int{}
	for _, e := range errs {
		count[e.File]++
	}
	out := errs[:0:0]
	seen := map[string]int{}
	for _, e := range errs {
		seen[e.File]++
		switch n := seen[e.File]; {
		case n <= max:
			out = append(out, e)
		case n == max+1:
			out = append(out, model.ParseError{File: e.File, Kind: e.Kind,
				Message: fmt.Sprintf("%d more errors in this file are not listed", count[e.File]-max)})
		}
	}
	return out
}

// versionFromTag reads a nats-server version from an image tag
// ("2.10.24-alpine", "2.10", "latest"): package image.
func versionFromTag(tag string) *model.Version { return image.Version(tag) }

// VersionFromString is versionFromTag for varz versions ("2.10.24",
// "2.11.0-RC.1").
func VersionFromString(s, source string) *model.Version {
	v := versionFromTag(s)
	if v == nil {
		return nil
	}
	v.Source = source
	v.Raw = s
	return v
}
