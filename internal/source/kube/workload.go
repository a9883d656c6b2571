package kube

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/image"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/natsflags"
)

// podSpec returns the pod template of a workload: its spec, labels, and
// the replica count (0 when the kind does not fix it, e.g. DaemonSet).
func podSpec(o *object) (spec *yaml.Node, labels map[string]string, replicas int, replicasNode *yaml.Node, ok bool) {
	n := o.node
	switch o.kind {
	case "Pod":
		return at(n, "spec"), stringMap(at(n, "metadata", "labels")), 1, nil, at(n, "spec") != nil
	case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController":
		replicas = 1
		if r := at(n, "spec", "replicas"); r != nil {
			if v, err := strconv.Atoi(r.Value); err == nil {
				replicas, replicasNode = v, r
			}
		}
	case "DaemonSet":
	case "Job":
		replicas = 1
	case "CronJob":
		n = at(n, "spec", "jobTemplate")
		replicas = 1
	default:
		return nil, nil, 0, nil, false
	}
	t := at(n, "spec", "template")
	if t == nil {
		return nil, nil, 0, nil, false
	}
	return at(t, "spec"), stringMap(at(t, "metadata", "labels")), replicas, replicasNode, at(t, "spec") != nil
}

// volume is a pod volume: what backs it.
type volume struct {
	name  string
	kind  string // configMap, secret, pvc, emptyDir, hostPath, projected, other
	ref   string // ConfigMap / Secret / claim name, hostPath path
	items map[string]string
	// sources of a projected volume: ConfigMaps and Secrets with their items.
	sources []volume
	node    *yaml.Node
	// size is the claim's resources.requests.storage node (in sizeFile):
	// a volumeClaimTemplate's, or the referenced PersistentVolumeClaim's.
	size     *yaml.Node
	sizeFile string
}

func readVolume(n *yaml.Node) volume {
	v := volume{name: str(n, "name"), kind: "other", node: n}
	readItems := func(src *yaml.Node) map[string]string {
		m := map[string]string{}
		for _, it := range items(src, "items") {
			m[str(it, "path")] = str(it, "key")
		}
		return m
	}
	switch {
	case at(n, "configMap") != nil:
		v.kind, v.ref, v.items = "configMap", str(n, "configMap", "name"), readItems(at(n, "configMap"))
	case at(n, "secret") != nil:
		v.kind, v.ref, v.items = "secret", str(n, "secret", "secretName"), readItems(at(n, "secret"))
	case at(n, "persistentVolumeClaim") != nil:
		v.kind, v.ref = "pvc", str(n, "persistentVolumeClaim", "claimName")
	case at(n, "emptyDir") != nil:
		v.kind = "emptyDir"
	case at(n, "hostPath") != nil:
		v.kind, v.ref = "hostPath", str(n, "hostPath", "path")
	case at(n, "ephemeral") != nil:
		v.kind = "ephemeral"
	case at(n, "projected") != nil:
		v.kind = "projected"
		for _, s := range items(n, "projected", "sources") {
			switch {
			case at(s, "configMap") != nil:
				v.sources = append(v.sources, volume{kind: "configMap", ref: str(s, "configMap", "name"), items: readItems(at(s, "configMap"))})
			case at(s, "secret") != nil:
				v.sources = append(v.sources, volume{kind: "secret", ref: str(s, "secret", "name"), items: readItems(at(s, "secret"))})
			}
		}
	}
	return v
}

// mount is a container volumeMount with its volume.
type mount struct {
	path    string
	subPath string
	ro      bool
	vol     volume
	node    *yaml.Node
}

// pod is what the containers of one workload share.
type pod struct {
	obj      *object
	spec     *yaml.Node
	labels   map[string]string
	replicas int
	repNode  *yaml.Node
	volumes  map[string]volume
}

// workload builds a server for every container of o that runs nats-server.
func (l *loader) workload(o *object) {
	spec, labels, replicas, repNode, ok := podSpec(o)
	if !ok {
		return
	}
	p := &pod{obj: o, spec: spec, labels: labels, replicas: replicas, repNode: repNode, volumes: map[string]volume{}}
	for _, vn := range items(spec, "volumes") {
		v := readVolume(vn)
		if v.kind == "pvc" {
			if c := l.find(l.pvcs, o, v.ref); c != nil {
				v.size, v.sizeFile = at(c.node, "spec", "resources", "requests", "storage"), c.file
			}
		}
		p.volumes[v.name] = v
	}
	if o.kind == "StatefulSet" {
		for _, t := range items(o.node, "spec", "volumeClaimTemplates") {
			name := str(t, "metadata", "name")
			p.volumes[name] = volume{name: name, kind: "pvc", ref: name, node: t,
				size: at(t, "spec", "resources", "requests", "storage"), sizeFile: o.file}
		}
	}
	cs := items(spec, "containers")
	var nats []*yaml.Node
	for _, c := range cs {
		if runsNATS(c) {
			nats = append(nats, c)
		}
	}
	for _, c := range nats {
		l.container(p, c, len(nats) > 1)
	}
}

// runsNATS: the container runs a nats image, or its command runs
// nats-server.
func runsNATS(c *yaml.Node) bool {
	if image.IsNATS(image.Split(str(c, "image")).Repo) {
		return true
	}
	for _, k := range []string{"command", "args"} {
		for _, w := range items(c, k) {
			if natsflags.IsBinary(w.Value) || strings.Contains(w.Value, "nats-server ") && !strings.Contains(w.Value, "-sl") {
				return true
			}
		}
	}
	return false
}

// commandLine works out what the container runs, as nats-server words: the
// command (or the image's entrypoint) and the args (or the image's CMD).
// defaulted is true when the image's default command runs.
func (l *loader) commandLine(c *yaml.Node, file string, tag string) (words []natsflags.Arg, defaulted bool, note string) {
	word := func(n *yaml.Node) natsflags.Arg { return natsflags.Arg{Value: n.Value, Loc: l.loc(file, n)} }
	var cmd, args []natsflags.Arg
	for _, n := range items(c, "command") {
		cmd = append(cmd, word(n))
	}
	for _, n := range items(c, "args") {
		args = append(args, word(n))
	}
	all := append(append([]natsflags.Arg{}, cmd...), args...)
	// A shell running nats-server ("sh -c 'exec nats-server -c ...'").
	if out, script, ok := natsflags.ShellScript(all); ok {
		if strings.Contains(script.Value, "<<") {
			note = "writes its config with a shell here-document, which natsaudit does not read"
		}
		return out, false, note
	}
	switch {
	case len(cmd) > 0:
		return natsflags.FromBinary(all), false, ""
	case len(args) > 0:
		if image.Alpine(tag) && !strings.HasPrefix(args[0].Value, "-") {
			return natsflags.FromBinary(args), false, "" // docker-entrypoint.sh runs the args as they are
		}
		return append([]natsflags.Arg{{Value: "nats-server"}}, args...), false, ""
	}
	return []natsflags.Arg{{Value: "nats-server"}, {Value: "--config"}, {Value: image.DefaultConfig(tag)}}, true, ""
}

// container builds the server of one nats-server container.
func (l *loader) container(p *pod, c *yaml.Node, several bool) {
	o := p.obj
	a := l.opt.Secrets
	img := str(c, "image")
	ref := image.Split(img)
	cname := str(c, "name")
	name := o.name
	if several {
		name = o.name + "/" + cname
	}
	d := &model.Deployment{Kind: "kubernetes", File: o.file, Service: name, Image: img, ImageRepo: ref.Repo, ImageTag: ref.Tag, ImageDigest: ref.Digest,
		Flags: map[string]any{}, Environment: map[string]any{}, Command: []string{}, FlagNames: []string{}, Ports: []model.Port{},
		Volumes: []model.Volume{}, EnvFiles: []string{}, Replicas: p.replicas}
	k := &model.Kubernetes{Kind: o.kind, Name: o.name, Namespace: o.namespace, Container: cname, NetworkPolicies: []string{}, Services: []model.KubeService{}}
	d.Kubernetes = k
	srv := &model.Server{Name: name, Deployment: d, Locs: model.Locations{}, ConfigEnv: map[string]string{}, Certs: []*model.Cert{}}
	srv.AddSource("kubernetes")
	srv.Locs.Set("deployment", l.loc(o.file, at(c, "name")))
	if srv.Locs["deployment"].Line == 0 {
		srv.Locs.Set("deployment", l.loc(o.file, c))
	}
	srv.Locs.Set("deployment/image", l.loc(o.file, at(c, "image")))
	srv.Locs.Set("deployment/replicas", l.loc(o.file, p.repNode))
	srv.Version = image.Version(ref.Tag)

	// The command line.
	words, defaulted, note := l.commandLine(c, o.file, ref.Tag)
	if note != "" {
		l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s %s (%s): container %s %s", o.kind, o.name, o.file, cname, note))
	}
	if n := at(c, "args"); n != nil {
		srv.Locs.Set("deployment/command", l.loc(o.file, n))
	}
	if n := at(c, "command"); n != nil {
		srv.Locs.Set("deployment/command", l.loc(o.file, n))
	}
	fr := natsflags.Parse(words, a)
	d.Command, d.Flags, d.FlagNames = fr.Command, fr.Flags, fr.FlagNames
	if defaulted {
		d.Command = []string{}
	}
	cfgPath := fr.ConfigPath
	if cfgPath != "" && !path.IsAbs(cfgPath) {
		wd := str(c, "workingDir")
		if wd == "" {
			wd = "/"
		}
		cfgPath = path.Join(wd, cfgPath)
	}
	d.ConfigPath = cfgPath

	// Mounts.
	var mounts []mount
	for i, mn := range items(c, "volumeMounts") {
		ro, _ := boolAt(mn, "readOnly")
		m := mount{path: path.Clean(str(mn, "mountPath")), subPath: str(mn, "subPath"), ro: ro, vol: p.volumes[str(mn, "name")], node: mn}
		mounts = append(mounts, m)
		v := model.Volume{Type: m.vol.kind, Source: m.vol.ref, Target: m.path, ReadOnly: ro}
		if v.Type == "" {
			v.Type = "other"
		}
		if v.Source == "" {
			v.Source = m.vol.name
		}
		if m.vol.size != nil && m.vol.size.Kind == yaml.ScalarNode {
			if q, ok := Quantity(m.vol.size.Value); ok && q >= 1 {
				v.Size = int64(q)
				srv.Locs.Set(fmt.Sprintf("deployment/volumes/%d/size", i), l.loc(m.vol.sizeFile, m.vol.size))
			} else {
				l.errorf(m.vol.sizeFile, m.vol.size.Line, "volume %s: storage request %q is not a Kubernetes quantity", m.vol.name, m.vol.size.Value)
			}
		}
		d.Volumes = append(d.Volumes, v)
		srv.Locs.Set(fmt.Sprintf("deployment/volumes/%d", i), l.loc(o.file, mn))
	}

	// Environment, resolved from the repository's ConfigMaps and Secrets.
	env := l.environment(p, c, srv)

	// Resources, lifecycle, security, placement, exposure.
	l.resources(c, srv)
	l.lifecycle(p, c, srv)
	l.security(p, c, srv)
	l.placement(p, srv)
	l.exposure(p, c, srv)

	// The config file: a ConfigMap or Secret key mounted at the path.
	cfg := map[string]any{}
	if cfgPath != "" {
		if src, ok := l.mounted(p, mounts, cfgPath); ok {
			k.ConfigFrom = src.describe()
			if src.obj == nil {
				l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s %s (%s): container %s reads its config %s from %s, which is not in the scanned manifests",
					o.kind, o.name, o.file, cname, cfgPath, src.describe()))
			} else if v, ok := keyValue(src.obj, src.key); ok {
				if src.obj.kind == "Secret" {
					l.useSecret(src.obj, srv.Name)
				}
				res := l.parseConfig(p, mounts, cfgPath, v, env)
				l.res.Errors = append(l.res.Errors, res.Errors...)
				srv.ConfigFile = src.obj.file
				if v.disk != "" {
					// A kustomize generator's file: the config is that file.
					srv.ConfigFile = v.disk
				}
				srv.AddSource("config")
				l.res.Configs = true
				if res.OK() {
					cfg = res.Config
				}
				for k, v := range res.Locs {
					srv.Locs[k] = v
				}
				// A setting the config lacks belongs to the config: the
				// ConfigMap (Secret) key that holds it, not line 1 of a
				// file of many documents.
				srv.Locs.Set("config", l.keyLoc(src.obj, src.key))
				for k, v := range res.EnvRef {
					srv.ConfigEnv[strings.TrimPrefix(k, "config/")] = v
				}
			} else {
				l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s %s (%s): container %s reads its config %s from %s, which has no such key",
					o.kind, o.name, o.file, cname, cfgPath, src.describe()))
			}
		} else if image.IsNATS(ref.Repo) && (cfgPath == image.DefaultConfig(ref.Tag) || cfgPath == image.AlpineConfig || cfgPath == image.ScratchConfig) {
			d.UsesImageDefaultConfig = true
		}
	}
	if defaulted && !d.UsesImageDefaultConfig && k.ConfigFrom == "" {
		d.UsesImageDefaultConfig = image.IsNATS(ref.Repo)
	}
	// Command-line flags override the config file.
	if len(fr.Config) > 0 {
		natsflags.Override(cfg, fr.Config)
		for k, v := range fr.Locs {
			srv.Locs[k] = v
		}
	}
	if len(cfg) > 0 || srv.ConfigFile != "" {
		srv.Config = cfg
		if n, ok := cfg["server_name"].(string); ok && n != "" && !strings.HasPrefix(n, "$") {
			srv.Name = n
		}
	}
	l.res.Servers = append(l.res.Servers, srv)
	if l.built != nil {
		l.built[o] = append(l.built[o], srv)
	}
}

// source is a ConfigMap or Secret key mounted at a container path.
type source struct {
	kind string // configMap, secret
	name string
	key  string
	obj  *object // nil when the repository does not hold it
}

func (s source) describe() string {
	k := "ConfigMap"
	if s.kind == "secret" {
		k = "Secret"
	}
	return fmt.Sprintf("%s %s (key %s)", k, s.name, s.key)
}

// mounted finds the ConfigMap or Secret key mounted at container path p:
// a subPath mount of exactly p, or a volume mounted on a directory above
// it (with items mapping file names to keys).
func (l *loader) mounted(pd *pod, mounts []mount, p string) (source, bool) {
	p = path.Clean(p)
	best, bestLen := source{}, -1
	for _, m := range mounts {
		var rel string
		switch {
		case m.subPath != "" && m.path == p:
			rel = m.subPath
		case m.subPath == "" && strings.HasPrefix(p, m.path+"/") && len(m.path) > bestLen:
			rel = strings.TrimPrefix(p, m.path+"/")
		case m.subPath == "" && m.path == "/" && len(m.path) > bestLen:
			rel = strings.TrimPrefix(p, "/")
		default:
			continue
		}
		vols := []volume{m.vol}
		if m.vol.kind == "projected" {
			vols = m.vol.sources
		}
		var fallback *source
		for _, v := range vols {
			if v.kind != "configMap" && v.kind != "secret" {
				continue
			}
			key := rel
			if len(v.items) > 0 {
				k, ok := v.items[rel]
				if !ok {
					continue
				}
				key = k
			}
			s := source{kind: v.kind, name: v.ref, key: key}
			if v.kind == "configMap" {
				s.obj = l.find(l.configMaps, pd.obj, v.ref)
			} else {
				s.obj = l.find(l.secrets, pd.obj, v.ref)
			}
			if _, ok := keyValue(s.obj, key); !ok && len(vols) > 1 {
				// Another source of the projected volume may hold it.
				if fallback == nil {
					fallback = &s
				}
				continue
			}
			fallback = &s
			break
		}
		if fallback == nil {
			continue
		}
		if m.subPath != "" {
			return *fallback, true
		}
		best, bestLen = *fallback, len(m.path)
	}
	return best, bestLen >= 0
}

// resources reads limits.memory and limits.cpu.
func (l *loader) resources(c *yaml.Node, srv *model.Server) {
	d := srv.Deployment
	file := d.File
	if n := at(c, "resources", "limits", "memory"); n != nil {
		if q, ok := Quantity(n.Value); ok {
			d.MemoryLimit = int64(q)
			srv.Locs.Set("deployment/memory_limit", l.loc(file, n))
		}
	}
	if n := at(c, "resources", "limits", "cpu"); n != nil {
		if q, ok := Quantity(n.Value); ok {
			d.CPULimit = q
			srv.Locs.Set("deployment/cpu_limit", l.loc(file, n))
		}
	}
	if srv.Locs["deployment/memory_limit"].Line == 0 {
		srv.Locs.Set("deployment/memory_limit", l.loc(file, at(c, "resources")))
	}
}

// lifecycle: the grace period Kubernetes gives the pod on stop (30s by
// default), and whether a preStop hook puts the server in lame-duck mode.
func (l *loader) lifecycle(p *pod, c *yaml.Node, srv *model.Server) {
	d := srv.Deployment
	d.StopGracePeriod = 30e9
	if n := at(p.spec, "terminationGracePeriodSeconds"); n != nil {
		if s, err := strconv.ParseInt(n.Value, 10, 64); err == nil && s >= 0 && s < 1<<31 {
			d.StopGracePeriod = s * 1e9
			srv.Locs.Set("deployment/stop_grace_period", l.loc(d.File, n))
		}
	}
	for _, w := range items(c, "lifecycle", "preStop", "exec", "command") {
		if strings.Contains(w.Value, "ldm") || strings.Contains(w.Value, "lame") {
			d.StopSignal = "SIGUSR2"
			srv.Locs.Set("deployment/stop_signal", l.loc(d.File, w))
		}
	}
}

// security reads the effective security context: the pod's, with the
// container's on top.
func (l *loader) security(p *pod, c *yaml.Node, srv *model.Server) {
	k := srv.Deployment.Kubernetes
	file := srv.Deployment.File
	sc := &k.SecurityContext
	setBool := func(dst **bool, field string, nodes ...*yaml.Node) {
		for _, n := range nodes {
			if b, ok := boolAt(n, field); ok {
				v := b
				*dst = &v
				srv.Locs.Set("deployment/kubernetes/security_context/"+snake(field), l.loc(file, at(n, field)))
			}
		}
	}
	psc, csc := at(p.spec, "securityContext"), at(c, "securityContext")
	setBool(&sc.RunAsNonRoot, "runAsNonRoot", psc, csc)
	setBool(&sc.ReadOnlyRootFilesystem, "readOnlyRootFilesystem", csc)
	setBool(&sc.AllowPrivilegeEscalation, "allowPrivilegeEscalation", csc)
	setBool(&sc.Privileged, "privileged", csc)
	for _, n := range []*yaml.Node{psc, csc} {
		if u := at(n, "runAsUser"); u != nil {
			if v, err := strconv.ParseInt(u.Value, 10, 64); err == nil {
				sc.RunAsUser = &v
				srv.Locs.Set("deployment/kubernetes/security_context/run_as_user", l.loc(file, u))
			}
		}
	}
	sc.CapabilitiesAdd = []string{}
	for _, capn := range items(csc, "capabilities", "add") {
		sc.CapabilitiesAdd = append(sc.CapabilitiesAdd, strings.ToUpper(capn.Value))
	}
	if csc != nil {
		srv.Locs.Set("deployment/kubernetes/security_context", l.loc(file, csc))
	} else if psc != nil {
		srv.Locs.Set("deployment/kubernetes/security_context", l.loc(file, psc))
	}
	if b, ok := boolAt(p.spec, "hostNetwork"); ok && b {
		k.HostNetwork = true
		srv.Deployment.NetworkMode = "host"
		srv.Locs.Set("deployment/network_mode", l.loc(file, at(p.spec, "hostNetwork")))
		srv.Locs.Set("deployment/kubernetes/host_network", l.loc(file, at(p.spec, "hostNetwork")))
	}
}

func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// placement: anti-affinity, topology spread, PodDisruptionBudget and the
// NetworkPolicies selecting the pods.
func (l *loader) placement(p *pod, srv *model.Server) {
	k := srv.Deployment.Kubernetes
	file := srv.Deployment.File
	if n := at(p.spec, "affinity", "podAntiAffinity"); n != nil {
		if r := at(n, "requiredDuringSchedulingIgnoredDuringExecution"); r != nil {
			k.AntiAffinity = "required"
		} else if at(n, "preferredDuringSchedulingIgnoredDuringExecution") != nil {
			k.AntiAffinity = "preferred"
		}
		srv.Locs.Set("deployment/kubernetes/anti_affinity", l.loc(file, n))
	}
	if ts := items(p.spec, "topologySpreadConstraints"); len(ts) > 0 {
		k.TopologySpread = true
		srv.Locs.Set("deployment/kubernetes/topology_spread", l.loc(file, at(p.spec, "topologySpreadConstraints")))
	}
	for _, o := range l.pdbs {
		if sameNamespace(o.namespace, p.obj.namespace) && selectorMatches(at(o.node, "spec", "selector"), p.labels) {
			k.PodDisruptionBudget = o.name
			break
		}
	}
	for _, o := range l.netpols {
		if !sameNamespace(o.namespace, p.obj.namespace) || !selectorMatches(at(o.node, "spec", "podSelector"), p.labels) {
			continue
		}
		types := items(o.node, "spec", "policyTypes")
		ingress := len(types) == 0
		for _, t := range types {
			if t.Value == "Ingress" {
				ingress = true
			}
		}
		if ingress {
			k.NetworkPolicies = append(k.NetworkPolicies, o.name)
		}
	}
	sort.Strings(k.NetworkPolicies)
}

// selectorMatches evaluates a LabelSelector's matchLabels against labels;
// an empty selector selects every pod of the namespace.
func selectorMatches(sel *yaml.Node, labels map[string]string) bool {
	if sel == nil {
		return false
	}
	return selects(stringMap(at(sel, "matchLabels")), labels)
}
