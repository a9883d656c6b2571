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
	outside  int        // the port clients use outside, when the route says (Ingress: 80/443, a Gateway listener); else 0
	describe string     // "Ingress web (host nats.example.com)"
	protocol string     // tcp (default) or udp
	// internal says why clients reach the route only on a private
	// address ("internal ingress class gce-internal"), "" when public.
	internal string
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

// routesOf lists the backends of one routing object.
func (l *loader) routesOf(o *object) []route {
	var out []route
	internal := ""
	add := func(svc string, port, node *yaml.Node, outside int, describe string) {
		if svc != "" {
			out = append(out, route{obj: o, service: svc, port: port, node: node, outside: outside, describe: describe, internal: internal})
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
		ann := stringMap(at(o.node, "metadata", "annotations"))
		internal = ingressScope(ann, str(spec, "ingressClassName"))
		if internal == "" {
			class := str(spec, "ingressClassName")
			if class == "" {
				class = ann["kubernetes.io/ingress.class"]
			}
			internal = l.ingressClassScope(class)
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
		proto := ""
		if o.kind == "UDPRoute" {
			proto = "udp"
		}
		for _, att := range l.attachments(o) {
			internal = att.internal
			for _, r := range items(spec, "rules") {
				for _, b := range items(r, "backendRefs") {
					if k := str(b, "kind"); k != "" && k != "Service" {
						continue
					}
					if g := str(b, "group"); g != "" && g != "core" {
						continue
					}
					add(str(b, "name"), at(b, "port"), b, att.port, att.describe)
					out[len(out)-1].protocol = proto
				}
			}
		}
	}
	return out
}

// attachment is where a Gateway API route is served: a listener of a
// Gateway of the scanned manifests (its port, and whether the Gateway has
// only private addresses), or a Gateway the manifests do not hold (port 0:
// the route's backend port stands for it).
type attachment struct {
	port     int
	describe string
	internal string
}

// routeProtocols are the listener protocols each route kind attaches to
// (Gateway API spec, "Listener.protocol").
var routeProtocols = map[string][]string{
	"HTTPRoute": {"HTTP", "HTTPS"},
	"GRPCRoute": {"HTTP", "HTTPS"},
	"TLSRoute":  {"TLS"},
	"TCPRoute":  {"TCP"},
	"UDPRoute":  {"UDP"},
}

// attachments follows a route's parentRefs to the Gateways' listeners:
// sectionName and port narrow them, the listener's protocol must carry the
// route's kind, and allowedRoutes (namespaces from Same/All/Selector, kinds)
// must let it in. A parentRef to a Service (GAMMA, mesh routing inside the
// cluster) publishes nothing.
func (l *loader) attachments(o *object) []attachment {
	var out []attachment
	var missing []string
	for _, p := range items(o.node, "spec", "parentRefs") {
		name := str(p, "name")
		if k := str(p, "kind"); name == "" || k != "" && k != "Gateway" {
			continue
		}
		if g := str(p, "group"); g != "" && g != "gateway.networking.k8s.io" {
			continue
		}
		ns := str(p, "namespace")
		if ns == "" {
			ns = o.namespace
		}
		gw := lookup(l.gateways, ns, name)
		if gw == nil {
			missing = append(missing, name)
			continue
		}
		before := len(out)
		for _, ln := range items(gw.node, "spec", "listeners") {
			lname, lproto := str(ln, "name"), str(ln, "protocol")
			port, _ := strconv.Atoi(str(ln, "port"))
			if s := str(p, "sectionName"); s != "" && s != lname {
				continue
			}
			if s := str(p, "port"); s != "" && s != str(ln, "port") {
				continue
			}
			if !strings.Contains(lproto, "/") && !contains(routeProtocols[o.kind], lproto) {
				continue // an implementation's own protocol ("example.com/x") may carry anything
			}
			if !allowsRoute(ln, gw, o) {
				continue
			}
			d := fmt.Sprintf("%s %s (Gateway %s", o.kind, o.name, gw.name)
			if c := str(gw.node, "spec", "gatewayClassName"); c != "" {
				d += ", class " + c
			}
			d += fmt.Sprintf(", listener %s %s %d, %s)", lname, lproto, port, gw.file)
			out = append(out, attachment{port: port, describe: d, internal: gatewayScope(gw)})
		}
		if len(out) == before {
			l.res.Notes = append(l.res.Notes, fmt.Sprintf("%s %s (%s): Gateway %s has no listener the route can attach to (sectionName, port, protocol, allowedRoutes); the route publishes nothing",
				o.kind, o.name, o.file, gw.name))
		}
	}
	if len(missing) > 0 || len(items(o.node, "spec", "parentRefs")) == 0 {
		// The Gateway is elsewhere (another repository, a platform team's):
		// its listeners are unknown, so the route is taken as public on the
		// backend's port.
		d := fmt.Sprintf("%s %s", o.kind, o.name)
		if len(missing) > 0 {
			d += " (Gateway " + strings.Join(missing, ", ") + ")"
		}
		out = append(out, attachment{describe: d})
	}
	return out
}

// allowsRoute: the listener's allowedRoutes admit the route (namespaces
// from Same by default; kinds, when listed, name the route's kind).
func allowsRoute(ln *yaml.Node, gw, route *object) bool {
	switch str(ln, "allowedRoutes", "namespaces", "from") {
	case "", "Same":
		if !sameNamespace(gw.namespace, route.namespace) {
			return false
		}
	case "None":
		return false
	}
	kinds := items(ln, "allowedRoutes", "kinds")
	for _, k := range kinds {
		if str(k, "kind") == route.kind {
			return true
		}
	}
	return len(kinds) == 0
}

// gatewayScope says why a Gateway is served only on private addresses: an
// internal GatewayClass, an internal load balancer annotation (on the
// Gateway, which Istio copies to its Service, or in
// spec.infrastructure.annotations), or addresses that are all private IPs.
func gatewayScope(gw *object) string {
	class := str(gw.node, "spec", "gatewayClassName")
	if internalGatewayClasses[class] {
		return "internal gateway class " + class
	}
	for _, n := range []*yaml.Node{at(gw.node, "spec", "infrastructure", "annotations"), at(gw.node, "metadata", "annotations")} {
		if why := annotationSwitch(stringMap(n), internalLBAnnotations); why != "" {
			return "internal load balancer: " + why
		}
	}
	var addrs []string
	for _, a := range items(gw.node, "spec", "addresses") {
		if t := str(a, "type"); t != "" && t != "IPAddress" {
			return "" // a named address: where it lives is not in the manifests
		}
		addrs = append(addrs, str(a, "value"))
	}
	if allPrivate(addrs) {
		return "private addresses " + strings.Join(addrs, ", ")
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ingressClassScope: an IngressClass of the manifests whose parameters are
// the AWS Load Balancer Controller's IngressClassParams with scheme
// internal provisions internal load balancers for its Ingresses.
func (l *loader) ingressClassScope(class string) string {
	ic := l.ingressClasses[class]
	if class == "" || ic == nil {
		return ""
	}
	p := at(ic.node, "spec", "parameters")
	if str(p, "kind") != "IngressClassParams" || str(p, "apiGroup") != "elbv2.k8s.aws" {
		return ""
	}
	if params := l.classParams[str(p, "name")]; params != nil && strings.EqualFold(str(params.node, "spec", "scheme"), "internal") {
		return fmt.Sprintf("IngressClass %s: IngressClassParams %s scheme internal", class, params.name)
	}
	return ""
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
