package assemble

import (
	"fmt"
	"slices"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/source"
	"github.com/natsaudit/natsaudit/internal/source/kube"
	"github.com/natsaudit/natsaudit/internal/source/natsconf"
	"github.com/natsaudit/natsaudit/internal/source/registry"
)

// loaders runs every registered source that loads its own files
// (source.Loader) and links the facts it gives by what they mean: a
// workload becomes a server running the config file its command line
// names, with the environment it gets. The sources that predate the seam
// (compose, configs, Helm, ...) are still loaded by the stages of Build, in
// their order (.env before compose before stand-alone configs); a new
// source needs none (docs/architecture.md). A Loader in staged is loaded at
// its own stage of Build instead of here, where it used to be, so the
// order of servers (their refs) is unchanged.
func (b *builder) loaders() {
	for _, s := range registry.Sources {
		if l, ok := s.(source.Loader); ok && !staged[s.Name()] {
			b.load(l)
		}
	}
}

// staged are the Loaders Build calls at a stage of their own: Kubernetes
// manifests after the stand-alone configs, whose servers a kustomize
// generator's nats.conf replaces.
var staged = map[string]bool{kube.Kind: true}

// context is what a Loader may use besides its files, made once.
func (b *builder) context() *source.Context {
	if b.ctx == nil {
		tree := slices.Sorted(func(yield func(string) bool) {
			for rel := range b.d.All {
				if !yield(rel) {
					return
				}
			}
		})
		b.ctx = &source.Context{Secrets: b.opt.Secrets, Tree: source.NewTree(tree), Read: b.readTreeFile}
	}
	return b.ctx
}

// load runs one Loader on the files discover gave it and adds its facts.
func (b *builder) load(l source.Loader) {
	var files []source.File
	for _, f := range b.d.Files {
		if f.Source() == l {
			files = append(files, source.File{Rel: f.Rel, Kind: f.Kind, Data: f.Data, Explicit: f.Explicit})
		}
	}
	if len(files) == 0 {
		return
	}
	facts := l.Load(b.context(), files)
	name := l.Name()
	for _, r := range facts.Read {
		b.addFile(r.Rel, r.Kind)
	}
	b.dropConfigServers(facts.ConfigFiles)
	for _, r := range facts.LineScans {
		if f := b.byRel[r.Rel]; f != nil {
			b.lineCredentials(r.Rel, f.Data, r.Kind)
		}
	}
	b.inv.Errors = append(b.inv.Errors, facts.Errors...)
	b.inv.Notes = append(b.inv.Notes, facts.Notes...)
	for _, c := range facts.Credentials {
		b.addCredential(c)
	}
	for _, w := range facts.Workloads {
		b.inv.Scan.AddSource(name)
		b.workloadServer(name, w)
	}
	for _, s := range facts.Servers {
		b.inv.Scan.AddSource(name)
		b.addServer(s)
	}
	for _, s := range facts.Sources {
		b.inv.Scan.AddSource(s)
	}
	b.addStreams(facts.Streams, facts.Consumers)
	for _, s := range facts.KubeSecrets {
		s.Ref = model.RefTo(model.RefKubeSecret, len(b.inv.KubeSecrets))
		b.inv.KubeSecrets = append(b.inv.KubeSecrets, s)
		b.inv.Scan.AddSource(name)
	}
}

// workloadServer makes a workload a server: the config file it runs (found
// by its host path, or through its mounts), parsed with the environment
// the workload gets, and its command-line flags on top.
func (b *builder) workloadServer(name string, w *source.Workload) {
	srv := w.Server
	if srv.Locs == nil {
		srv.Locs = model.Locations{}
	}
	if srv.ConfigEnv == nil {
		srv.ConfigEnv = map[string]string{}
	}
	if srv.Certs == nil {
		srv.Certs = []*model.Cert{}
	}
	srv.AddSource(name)
	cfg := map[string]any{}
	if w.ConfigPath != "" {
		rel, why, ok := b.workloadConfig(w)
		if f := b.byRel[rel]; ok && f != nil {
			res := natsconf.Parse(f.Abs, f.Data, natsconf.Options{Reader: b.reader(f.Root), Env: workloadEnv{w: w, repo: b.repo}, Secrets: b.opt.Secrets})
			cfg = b.runConfig(srv, rel, res)
		} else {
			// The server runs a file natsaudit cannot see: judging the
			// flags alone would report "no authentication".
			if ok {
				why = rel + " is not a nats-server config natsaudit read"
			}
			if srv.Deployment != nil {
				srv.Deployment.ConfigUnavailable = true
			}
			b.inv.Notes = append(b.inv.Notes, fmt.Sprintf("%s %s runs the config %s, which is not in the scanned tree (%s): config not available, not evaluated", name, srv.Name, w.ConfigPath, why))
			b.certs(srv)
			b.addServer(srv)
			return
		}
	}
	applyFlags(srv, cfg, w.FlagConfig, w.FlagLocs)
	srv.Config = cfg
	srv.AddSource("config")
	b.inv.Scan.AddSource("config")
	b.certs(srv)
	b.addServer(srv)
}

// workloadConfig is the repository file a workload's config path names:
// by path for a path on a host (a unit file's /etc/nats/nats.conf is the
// repository's nats.conf), through the mounts for a container.
func (b *builder) workloadConfig(w *source.Workload) (string, string, bool) {
	if w.HostPaths {
		if b.configTree == nil {
			var configs []string
			for _, f := range b.files(discover.KindNatsConf) {
				configs = append(configs, f.Rel)
			}
			b.configTree = source.NewTree(configs)
		}
		from := ""
		if w.Server.Deployment != nil {
			from = w.Server.Deployment.File
		}
		return b.configTree.Resolve(from, w.ConfigPath)
	}
	if w.Server.Deployment == nil {
		return "", "no deployment says where it comes from", false
	}
	rel, ok := b.mountedFile(w.Server.Deployment, w.ConfigPath)
	if !ok {
		return "", b.mountSource(w.Server.Deployment, w.ConfigPath), false
	}
	return rel, "", true
}

// workloadEnv resolves $VARs of a workload's config: the workload's
// environment first, then the repository's unambiguous values.
type workloadEnv struct {
	w    *source.Workload
	repo *repoEnv
}

func (e workloadEnv) Lookup(name string) (string, string, bool) {
	if v, ok := e.w.Env[name]; ok {
		return v.Value, v.File, true
	}
	return e.repo.Lookup(name)
}
