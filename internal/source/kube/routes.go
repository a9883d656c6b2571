package kube

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// route is one backend of something that carries traffic from outside the
// cluster to a Service: an Ingress, a Gateway API route, or a Traefik
// IngressRoute / IngressRouteTCP. The Service then decides which pods and
// which container port it reaches (exposure).
type route struct {
	obj      *object
	service  string     // the backend Service's name
	port     *yaml.Node // the Service port: a number or a port name; nil = the Service's only port
	node     *yaml.Node // where the backend is written, for the finding's line
	outside  int        // the port clients use outside, when the route says (Ingress: 80/443); else 0
	describe string     // "Ingress web (host nats.example.com)"
}

// routeKind reports whether an object routes traffic into the cluster, by
// kind and API group (an Ingress of another group is someone else's CRD).
func routeKind(o *object) bool {
	group := o.apiVersion
	if i := strings.LastIndex(group, "/"); i >= 0 {
		group = group[:i]
	}
	switch o.kind {
	case "Ingress":
		return group == "networking.k8s.io" || group == "extensions"
	case "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute":
		return group == "gateway.networking.k8s.io"
	case "IngressRoute", "IngressRouteTCP", "IngressRouteUDP":
		return group == "traefik.io" || group == "traefik.containo.us"
	}
	return false
}

// routes lists the backends of one routing object.
func routes(o *object) []route {
	var out []route
	add := func(svc string, port, node *yaml.Node, outside int, describe string) {
		if svc != "" {
			out = append(out, route{obj: o, service: svc, port: port, node: node, outside: outside, describe: describe})
		}
	}
	spec := at(o.node, "spec")
	switch o.kind {
	case "Ingress":
		// Clients reach an Ingress on 443 when it terminates TLS for its
		// hosts, else on 80.
		outside := 80
		if len(items(spec, "tls")) > 0 {
			outside = 443
		}
		desc := func(host string) string {
			if host == "" {
				return fmt.Sprintf("Ingress %s (any host)", o.name)
			}
			return fmt.Sprintf("Ingress %s (host %s)", o.name, host)
		}
		ingressBackend := func(b *yaml.Node, host string) {
			if b == nil {
				return
			}
			if s := at(b, "service"); s != nil { // networking.k8s.io/v1
				port := at(s, "port", "number")
				if port == nil {
					port = at(s, "port", "name")
				}
				add(str(s, "name"), port, s, outside, desc(host))
				return
			}
			add(str(b, "serviceName"), at(b, "servicePort"), b, outside, desc(host)) // v1beta1
		}
		ingressBackend(firstOf(at(spec, "defaultBackend"), at(spec, "backend")), "")
		for _, r := range items(spec, "rules") {
			for _, p := range items(r, "http", "paths") {
				ingressBackend(at(p, "backend"), str(r, "host"))
			}
		}
	case "IngressRoute", "IngressRouteTCP", "IngressRouteUDP":
		eps := []string{}
		for _, e := range items(spec, "entryPoints") {
			eps = append(eps, e.Value)
		}
		d := fmt.Sprintf("%s %s", o.kind, o.name)
		if len(eps) > 0 {
			d += " (entry points " + strings.Join(eps, ", ") + ")"
		}
		for _, r := range items(spec, "routes") {
			for _, s := range items(r, "services") {
				if k := str(s, "kind"); k != "" && k != "Service" {
					continue // a TraefikService: weighted or mirrored, not followed
				}
				add(str(s, "name"), at(s, "port"), s, 0, d)
			}
		}
	default: // Gateway API routes
		parents := []string{}
		for _, p := range items(spec, "parentRefs") {
			if n := str(p, "name"); n != "" {
				parents = append(parents, n)
			}
		}
		d := fmt.Sprintf("%s %s", o.kind, o.name)
		if len(parents) > 0 {
			d += " (Gateway " + strings.Join(parents, ", ") + ")"
		}
		for _, r := range items(spec, "rules") {
			for _, b := range items(r, "backendRefs") {
				if k := str(b, "kind"); k != "" && k != "Service" {
					continue
				}
				if g := str(b, "group"); g != "" && g != "core" {
					continue
				}
				add(str(b, "name"), at(b, "port"), b, 0, d)
			}
		}
	}
	return out
}

func firstOf(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

// servicePort finds the Service port a route names (by number or name; the
// only port when the route names none) and the container port it targets
// on a pod whose named container ports are named. ok is false when the
// route's port is not one of the Service's, or targets a named port of
// another container.
func servicePort(svc *object, want *yaml.Node, named map[string]int) (port, target int, ok bool) {
	ports := items(svc.node, "spec", "ports")
	for _, sp := range ports {
		p, _ := strconv.Atoi(str(sp, "port"))
		switch {
		case want == nil && len(ports) == 1:
		case want != nil && (want.Value == str(sp, "port") || want.Value == str(sp, "name")):
		default:
			continue
		}
		target, ok := targetPort(sp, p, named)
		return p, target, ok
	}
	return 0, 0, false
}

// targetPort is the container port a Service port sends to: targetPort by
// number, or by the name of one of the pod's container ports (named), or
// the Service port itself when targetPort is absent. ok is false for a name
// the pod's container does not have (another container's port).
func targetPort(sp *yaml.Node, port int, named map[string]int) (target int, ok bool) {
	t := at(sp, "targetPort")
	if t == nil {
		return port, true
	}
	if n, err := strconv.Atoi(t.Value); err == nil {
		return n, true
	}
	n, ok := named[t.Value]
	return n, ok
}
