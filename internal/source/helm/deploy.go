package helm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/natsaudit/natsaudit/internal/image"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/source/kube"
)

// locOr is the location of a values entry, or the release anchor for a
// chart default.
func (r *release) locOr(paths ...string) model.Location {
	for _, p := range paths {
		if v := r.eff.get(p); v != nil && v.loc.File != "" {
			if v.key.File != "" && v.kind != 's' {
				return v.key
			}
			return v.loc
		}
	}
	return r.anchor
}

// deployment is the StatefulSet, Service and container the chart creates.
func (l *loader) deployment(r *release, srv *model.Server, last string) *model.Deployment {
	a := l.opt.Secrets
	img := r.eff.str("container/image/fullImageName")
	if img == "" {
		repo := r.eff.str("container/image/repository")
		if reg := orDefault(r.eff.str("container/image/registry"), r.eff.str("global/image/registry")); reg != "" {
			repo = reg + "/" + repo
		}
		if dg := r.eff.str("container/image/digest"); dg != "" {
			img = repo + "@" + dg
		} else {
			img = repo + ":" + r.eff.str("container/image/tag")
		}
	}
	ref := image.Split(img)
	if strings.Contains(img, "{{") {
		// A templated image: its version is unknown, not a floating tag.
		ref = image.Ref{}
	}
	d := &model.Deployment{Kind: "helm", File: last, Service: r.name, Image: img, ImageRepo: ref.Repo, ImageTag: ref.Tag, ImageDigest: ref.Digest,
		Command: []string{"nats-server", "--config", "/etc/nats-config/nats.conf"}, Flags: map[string]any{}, FlagNames: []string{"config"},
		Ports: []model.Port{}, Volumes: []model.Volume{}, Environment: map[string]any{}, EnvFiles: []string{},
		ConfigPath: "/etc/nats-config/nats.conf", StopGracePeriod: 60e9, StopSignal: "SIGUSR2", Replicas: 1}
	k := &model.Kubernetes{Kind: "StatefulSet", Name: r.name, Namespace: r.eff.str("namespaceOverride"), Container: "nats",
		Chart: "nats " + r.versionLabel(), ConfigFrom: fmt.Sprintf("ConfigMap %s-config (rendered by the nats chart)", r.name),
		NetworkPolicies: []string{}, Services: []model.KubeService{}}
	d.Kubernetes = k
	srv.Locs.Set("deployment", r.anchor)
	srv.Locs.Set("deployment/image", r.locOr("container/image/fullImageName", "container/image/tag", "container/image/digest", "container/image/repository", "container/image"))
	if r.enabled("config/cluster") {
		d.Replicas, _ = strconv.Atoi(r.eff.str("config/cluster/replicas"))
		srv.Locs.Set("deployment/replicas", r.locOr("config/cluster/replicas", "config/cluster/enabled"))
	}

	// Volumes: the rendered config, the PID directory, the JetStream PVC.
	d.Volumes = append(d.Volumes, model.Volume{Type: "configMap", Source: r.name + "-config", Target: "/etc/nats-config"},
		model.Volume{Type: "emptyDir", Source: "pid", Target: "/var/run/nats"})
	if r.enabled("config/jetstream") && r.enabled("config/jetstream/fileStore") && r.enabled("config/jetstream/fileStore/pvc") {
		v := model.Volume{Type: "pvc", Source: r.name + "-js", Target: r.eff.str("config/jetstream/fileStore/dir")}
		// The chart's volumeClaimTemplate requests fileStore.pvc.size
		// (10Gi by default).
		if q, ok := kube.Quantity(r.eff.str("config/jetstream/fileStore/pvc/size")); ok && q >= 1 {
			v.Size = int64(q)
			srv.Locs.Set(fmt.Sprintf("deployment/volumes/%d/size", len(d.Volumes)), r.locOr("config/jetstream/fileStore/pvc/size", "config/jetstream/fileStore/pvc/enabled", "config/jetstream/enabled"))
		}
		d.Volumes = append(d.Volumes, v)
		srv.Locs.Set(fmt.Sprintf("deployment/volumes/%d", len(d.Volumes)-1), r.locOr("config/jetstream/fileStore/pvc/enabled", "config/jetstream/enabled"))
	}

	// Resources.
	for _, p := range []string{"container/merge/resources/limits/memory", "container/resources/limits/memory"} {
		if s := r.eff.str(p); s != "" {
			if q, ok := kube.Quantity(s); ok {
				d.MemoryLimit = int64(q)
				srv.Locs.Set("deployment/memory_limit", r.locOr(p))
				break
			}
		}
	}
	for _, p := range []string{"container/merge/resources/limits/cpu", "container/resources/limits/cpu"} {
		if s := r.eff.str(p); s != "" {
			if q, ok := kube.Quantity(s); ok {
				d.CPULimit = q
				srv.Locs.Set("deployment/cpu_limit", r.locOr(p))
				break
			}
		}
	}

	// Environment: container.env (a value, or a valueFrom map).
	d.Environment["POD_NAME"] = &model.Secret{Secret: true, Origin: "env", EnvVar: "POD_NAME"}
	d.Environment["SERVER_NAME"] = &model.Secret{Secret: true, Origin: "env", EnvVar: "SERVER_NAME"}
	if env := r.eff.get("container/env"); env != nil && env.kind == 'm' {
		for _, name := range env.keys {
			v := env.m[name]
			srv.Locs.Set("deployment/environment/"+name, keyLoc(v))
			if v.kind == 's' && !v.isNull() {
				f := a.EnvFacts(name, v.s, v.loc.File)
				f.Origin = "literal"
				d.Environment[name] = f
			} else {
				d.Environment[name] = a.Unresolved(name)
			}
		}
	}

	// Service: which ports, and whether its type publishes them.
	l.service(r, srv, d)

	// Security context, placement, PDB, NetworkPolicies.
	sc := &k.SecurityContext
	sc.CapabilitiesAdd = []string{}
	setBool := func(dst **bool, field string, paths ...string) {
		for _, p := range paths {
			if b, ok := r.eff.boolean(p + "/" + field); ok {
				v := b
				*dst = &v
				srv.Locs.Set("deployment/kubernetes/security_context/"+snakeCase(field), r.locOr(p+"/"+field))
			}
		}
	}
	podSC, ctrSC := "podTemplate/merge/spec/securityContext", "container/merge/securityContext"
	setBool(&sc.RunAsNonRoot, "runAsNonRoot", podSC, ctrSC)
	setBool(&sc.ReadOnlyRootFilesystem, "readOnlyRootFilesystem", ctrSC)
	setBool(&sc.AllowPrivilegeEscalation, "allowPrivilegeEscalation", ctrSC)
	setBool(&sc.Privileged, "privileged", ctrSC)
	for _, p := range []string{podSC, ctrSC} {
		if u, err := strconv.ParseInt(r.eff.str(p+"/runAsUser"), 10, 64); err == nil {
			sc.RunAsUser = &u
			srv.Locs.Set("deployment/kubernetes/security_context/run_as_user", r.locOr(p+"/runAsUser"))
		}
	}
	if caps := r.eff.get(ctrSC + "/capabilities/add"); caps != nil && caps.kind == 'a' {
		for _, c := range caps.arr {
			sc.CapabilitiesAdd = append(sc.CapabilitiesAdd, strings.ToUpper(c.s))
		}
	}
	srv.Locs.Set("deployment/kubernetes/security_context", r.locOr(ctrSC, podSC, "container"))
	if aa := r.eff.get("podTemplate/merge/spec/affinity/podAntiAffinity"); aa != nil && aa.kind == 'm' {
		if aa.m["requiredDuringSchedulingIgnoredDuringExecution"] != nil {
			k.AntiAffinity = "required"
		} else if aa.m["preferredDuringSchedulingIgnoredDuringExecution"] != nil {
			k.AntiAffinity = "preferred"
		}
		srv.Locs.Set("deployment/kubernetes/anti_affinity", r.locOr("podTemplate/merge/spec/affinity/podAntiAffinity"))
	}
	if ts := r.eff.get("podTemplate/topologySpreadConstraints"); ts != nil && (ts.kind == 'm' && len(ts.keys) > 0 || ts.kind == 'a' && len(ts.arr) > 0) {
		k.TopologySpread = true
		srv.Locs.Set("deployment/kubernetes/topology_spread", r.locOr("podTemplate/topologySpreadConstraints"))
	}
	if r.enabled("podDisruptionBudget") {
		k.PodDisruptionBudget = orDefault(r.eff.str("podDisruptionBudget/name"), r.name)
	}
	if xs := r.eff.get("extraResources"); xs != nil && xs.kind == 'a' {
		for _, x := range xs.arr {
			if x.str("kind") == "NetworkPolicy" {
				k.NetworkPolicies = append(k.NetworkPolicies, x.str("metadata/name"))
			}
		}
	}
	return d
}

// protocols are the chart's listeners, in its order, with the config block
// that enables each ("" = always on).
var protocols = []struct{ name, block string }{
	{"nats", ""}, {"leafnodes", "leafnodes"}, {"websocket", "websocket"}, {"mqtt", "mqtt"},
	{"cluster", "cluster"}, {"gateway", "gateway"}, {"monitor", "monitor"}, {"profiling", "profiling"},
}

func (l *loader) service(r *release, srv *model.Server, d *model.Deployment) {
	port := func(p string) int {
		n, _ := strconv.Atoi(r.eff.str("config/" + p + "/port"))
		return n
	}
	// hostPort on the container (container.ports.<proto>.hostPort).
	for _, pr := range protocols {
		if pr.block != "" && !r.enabled("config/"+pr.block) {
			continue
		}
		if hp, err := strconv.Atoi(r.eff.str("container/ports/" + pr.name + "/hostPort")); err == nil && hp > 0 {
			d.Ports = append(d.Ports, model.Port{HostPort: hp, ContainerPort: port(pr.name), Protocol: "tcp", AllInterfaces: true, Via: "hostPort"})
			srv.Locs.Set(fmt.Sprintf("deployment/ports/%d", len(d.Ports)-1), r.locOr("container/ports/"+pr.name+"/hostPort"))
		}
	}
	if b, _ := r.eff.boolean("service/enabled"); !b {
		return
	}
	typ := orDefault(r.eff.str("service/merge/spec/type"), "ClusterIP")
	name := orDefault(r.eff.str("service/name"), r.name)
	ks := model.KubeService{Name: name, Type: typ, File: d.File, Ports: []int{}}
	restricted := ""
	var ranges []string
	if rs := r.eff.get("service/merge/spec/loadBalancerSourceRanges"); rs != nil && rs.kind == 'a' {
		for _, x := range rs.arr {
			ranges = append(ranges, x.s)
			if x.s == "0.0.0.0/0" || x.s == "::/0" {
				restricted = ""
				break
			}
			if restricted == "" {
				restricted = x.s
			}
		}
	}
	annotations := map[string]string{}
	if a := r.eff.get("service/merge/metadata/annotations"); a != nil && a.kind == 'm' {
		for k, v := range a.m {
			if v.kind == 's' {
				annotations[k] = v.s
			}
		}
	}
	scope := kube.ServiceScope(annotations, ranges)
	where := r.locOr("service/merge/spec/type")
	for _, pr := range protocols {
		if pr.block != "" && !r.enabled("config/"+pr.block) {
			continue
		}
		if b, _ := r.eff.boolean("service/ports/" + pr.name + "/enabled"); !b {
			continue
		}
		p := port(pr.name)
		ks.Ports = append(ks.Ports, p)
		if typ != "LoadBalancer" && typ != "NodePort" {
			continue
		}
		pt := model.Port{HostPort: p, ContainerPort: p, Protocol: "tcp", AllInterfaces: restricted == "",
			Via: fmt.Sprintf("Service %s (%s, %s)", name, typ, where.File)}
		switch {
		case typ == "LoadBalancer" && scope != "":
			pt.AllInterfaces, pt.HostIP = false, kube.InternalHost
			pt.Via = fmt.Sprintf("Service %s (%s, %s, %s)", name, typ, scope, where.File)
		case restricted != "":
			pt.HostIP = restricted
		}
		d.Ports = append(d.Ports, pt)
		srv.Locs.Set(fmt.Sprintf("deployment/ports/%d", len(d.Ports)-1), where)
	}
	d.Kubernetes.Services = append(d.Kubernetes.Services, ks)
}

// natsBox: credentials the values embed for the nats-box pod.
func (l *loader) natsBox(r *release) {
	if !r.enabled("natsBox") {
		return
	}
	ctxs := r.eff.get("natsBox/contexts")
	if ctxs == nil || ctxs.kind != 'm' {
		return
	}
	for _, name := range ctxs.keys {
		c := ctxs.m[name]
		s := &model.KubeSecret{Name: "natsBox.contexts." + name, Namespace: r.eff.str("namespaceOverride"), Source: "helm_values",
			Keys: map[string]*model.Secret{}, UsedBy: []string{"nats-box of release " + r.name}, Locs: model.Locations{}}
		for _, k := range []string{"creds", "nkey"} {
			v := c.get(k + "/contents")
			if v == nil || v.kind != 's' || v.isNull() || v.s == "" {
				continue
			}
			key := k + ".contents"
			if k == "creds" {
				key = "nats.creds"
			}
			f := l.opt.Secrets.Describe(v.s)
			s.Keys[key] = f
			s.File = v.loc.File
			s.Locs.Set("keys/"+key, v.loc)
			s.Locs.Set("", v.loc)
		}
		if len(s.Keys) > 0 {
			l.res.Secrets = append(l.res.Secrets, s)
		}
	}
}

func (r *release) versionLabel() string {
	if r.version == "" {
		return "(version not given)"
	}
	return r.version
}

func snakeCase(s string) string {
	var b strings.Builder
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}
