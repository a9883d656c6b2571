package kube

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
)

// exposure turns what publishes the container's ports beyond the cluster
// into the Port facts compose's ports: give: hostPort on the container,
// and Services of type LoadBalancer or NodePort (every interface of every
// node, or of the load balancer) or with externalIPs. ClusterIP Services
// are listed (k.Services) but publish nothing outside the cluster.
func (l *loader) exposure(p *pod, c *yaml.Node, srv *model.Server) {
	d := srv.Deployment
	k := d.Kubernetes
	named := map[string]int{}
	for _, pn := range items(c, "ports") {
		cp, _ := strconv.Atoi(str(pn, "containerPort"))
		if n := str(pn, "name"); n != "" {
			named[n] = cp
		}
		hp, _ := strconv.Atoi(str(pn, "hostPort"))
		if hp > 0 {
			hostIP := str(pn, "hostIP")
			d.Ports = append(d.Ports, model.Port{HostIP: hostIP, HostPort: hp, ContainerPort: cp, Protocol: protocol(str(pn, "protocol")),
				AllInterfaces: hostIP == "" || hostIP == "0.0.0.0" || hostIP == "::", Via: "hostPort"})
			srv.Locs.Set(fmt.Sprintf("deployment/ports/%d", len(d.Ports)-1), l.loc(d.File, at(pn, "hostPort")))
		}
	}
	for _, so := range l.services {
		if !sameNamespace(so.namespace, p.obj.namespace) {
			continue
		}
		sel := stringMap(at(so.node, "spec", "selector"))
		if len(sel) == 0 || !selects(sel, p.labels) {
			continue
		}
		typ := str(so.node, "spec", "type")
		if typ == "" {
			typ = "ClusterIP"
		}
		ks := model.KubeService{Name: so.name, Type: typ, File: so.file, Ports: []int{}}
		ranges := items(so.node, "spec", "loadBalancerSourceRanges")
		restricted := ""
		var rangeList []string
		for _, r := range ranges {
			rangeList = append(rangeList, r.Value)
			if r.Value == "0.0.0.0/0" || r.Value == "::/0" {
				restricted = ""
				break
			}
			if restricted == "" {
				restricted = r.Value
			}
		}
		scope := ServiceScope(stringMap(at(so.node, "metadata", "annotations")), rangeList)
		externalIPs := items(so.node, "spec", "externalIPs")
		for _, sp := range items(so.node, "spec", "ports") {
			port, _ := strconv.Atoi(str(sp, "port"))
			target, ok := targetPort(sp, port, named)
			if !ok {
				continue // a named port of another container
			}
			ks.Ports = append(ks.Ports, target)
			proto := protocol(str(sp, "protocol"))
			add := func(pt model.Port, n *yaml.Node) {
				d.Ports = append(d.Ports, pt)
				srv.Locs.Set(fmt.Sprintf("deployment/ports/%d", len(d.Ports)-1), l.loc(so.file, n))
			}
			switch typ {
			case "LoadBalancer":
				pt := model.Port{HostPort: port, ContainerPort: target, Protocol: proto, AllInterfaces: restricted == "",
					Via: fmt.Sprintf("Service %s (LoadBalancer, %s)", so.name, so.file)}
				switch {
				case scope != "":
					// Reachable from the cloud network, not from the
					// internet: not public, but not loopback either.
					pt.AllInterfaces, pt.HostIP = false, InternalHost
					pt.Via = fmt.Sprintf("Service %s (LoadBalancer, %s, %s)", so.name, scope, so.file)
				case restricted != "":
					pt.HostIP = restricted
					pt.Via = fmt.Sprintf("Service %s (LoadBalancer limited to %s, %s)", so.name, restricted, so.file)
				}
				add(pt, sp)
			case "NodePort":
				np, _ := strconv.Atoi(str(sp, "nodePort"))
				if np == 0 {
					np = port
				}
				add(model.Port{HostPort: np, ContainerPort: target, Protocol: proto, AllInterfaces: true,
					Via: fmt.Sprintf("Service %s (NodePort, every node, %s)", so.name, so.file)}, sp)
			}
			for _, ip := range externalIPs {
				add(model.Port{HostIP: ip.Value, HostPort: port, ContainerPort: target, Protocol: proto,
					AllInterfaces: ip.Value == "0.0.0.0", Via: fmt.Sprintf("Service %s (externalIPs %s, %s)", so.name, ip.Value, so.file)}, sp)
			}
		}
		k.Services = append(k.Services, ks)
		l.routedPorts(so, named, srv)
	}
}

// routedPorts adds what an Ingress, a Gateway API route or a Traefik
// IngressRoute publishes through a Service that selects the pod: clients
// outside reach that container port, whatever the Service's own type (a
// ClusterIP Service behind an Ingress is the usual way to publish one).
func (l *loader) routedPorts(so *object, named map[string]int, srv *model.Server) {
	d := srv.Deployment
	for _, r := range l.routes {
		if r.service != so.name || !sameNamespace(r.obj.namespace, so.namespace) {
			continue
		}
		port, target, ok := servicePort(so, r.port, named)
		if !ok {
			continue
		}
		outside := r.outside
		if outside == 0 {
			outside = port
		}
		pt := model.Port{HostPort: outside, ContainerPort: target, Protocol: r.protocol, AllInterfaces: true,
			Via: fmt.Sprintf("%s → Service %s:%d, %s", r.describe, so.name, port, r.obj.file)}
		if pt.Protocol == "" {
			pt.Protocol = "tcp"
		}
		if r.internal != "" {
			pt.AllInterfaces, pt.HostIP = false, InternalHost
			pt.Via = fmt.Sprintf("%s, %s → Service %s:%d, %s", r.describe, r.internal, so.name, port, r.obj.file)
		}
		d.Ports = append(d.Ports, pt)
		srv.Locs.Set(fmt.Sprintf("deployment/ports/%d", len(d.Ports)-1), l.loc(r.obj.file, r.node))
	}
}

// InternalHost is the host_ip of a port published only on a private
// address (an internal load balancer or Ingress, a Gateway on a private
// address): reachable from the network, not from the internet, so the
// rules count it as reachable but not public.
const InternalHost = "internal"

func protocol(p string) string {
	if p == "" {
		return "tcp"
	}
	switch p {
	case "TCP":
		return "tcp"
	case "UDP":
		return "udp"
	case "SCTP":
		return "sctp"
	}
	return p
}
