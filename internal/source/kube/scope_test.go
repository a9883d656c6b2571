package kube

import (
	"strings"
	"testing"
)

// TestInternalLoadBalancers: a Service of type LoadBalancer that a cloud
// provider's annotation makes internal, or whose source ranges are all
// private, publishes on the private network only (reachable, not public);
// other LoadBalancers, and switches set to false, stay public.
func TestInternalLoadBalancers(t *testing.T) {
	pod := `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  template:
    metadata: {labels: {app: nats}}
    spec:
      containers:
      - {name: nats, image: "nats:2.14.9-alpine"}
`
	svc := func(meta, spec string) string {
		return "apiVersion: v1\nkind: Service\nmetadata: {name: lb" + meta + "}\nspec:\n  type: LoadBalancer\n  selector: {app: nats}\n  ports: [{port: 4222}]\n" + spec
	}
	for _, tc := range []struct {
		name, svc string
		public    bool
		via       string
	}{
		{"plain", svc("", ""), true, "(LoadBalancer, svc.yaml)"},
		{"aws in-tree", svc(`, annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: "true"}`, ""), false, "internal load balancer: service.beta.kubernetes.io/aws-load-balancer-internal: true"},
		{"aws in-tree legacy cidr value", svc(`, annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: 0.0.0.0/0}`, ""), false, "aws-load-balancer-internal"},
		{"aws in-tree false", svc(`, annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: "false"}`, ""), true, ""},
		{"aws lb controller", svc(`, annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internal}`, ""), false, "aws-load-balancer-scheme: internal"},
		{"aws lb controller internet-facing", svc(`, annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing}`, ""), true, ""},
		{"gke", svc(`, annotations: {networking.gke.io/load-balancer-type: Internal}`, ""), false, "networking.gke.io/load-balancer-type: Internal"},
		{"gke legacy", svc(`, annotations: {cloud.google.com/load-balancer-type: "Internal"}`, ""), false, "cloud.google.com/load-balancer-type"},
		{"azure", svc(`, annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: "true"}`, ""), false, "azure-load-balancer-internal"},
		{"private source ranges", svc("", "  loadBalancerSourceRanges: [10.0.0.0/8, 192.168.10.0/24]\n"), false, "loadBalancerSourceRanges only private: 10.0.0.0/8, 192.168.10.0/24"},
		{"a range wider than the private one", svc("", "  loadBalancerSourceRanges: [10.0.0.0/7]\n"), false, "limited to 10.0.0.0/7"},
		{"open source range", svc("", "  loadBalancerSourceRanges: [10.0.0.0/8, 0.0.0.0/0]\n"), true, ""},
		{"annotation on another key", svc(`, annotations: {example.com/internal: "true"}`, ""), true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := one(t, load(t, "pod.yaml", pod, "svc.yaml", tc.svc))
			ps := s.Deployment.Ports
			if len(ps) != 1 {
				t.Fatalf("ports = %+v", ps)
			}
			p := ps[0]
			if p.AllInterfaces != tc.public || !strings.Contains(p.Via, tc.via) {
				t.Errorf("public %v via %q, want public %v via ...%q...", p.AllInterfaces, p.Via, tc.public, tc.via)
			}
			if !tc.public && (p.HostIP == "" || p.HostIP == "127.0.0.1") {
				t.Errorf("host_ip %q: an internal load balancer is reachable on the network, not loopback", p.HostIP)
			}
		})
	}
}

func TestPrivateRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"10.0.0.0/8", true}, {"10.1.2.3", true}, {"10.0.0.0/7", false}, {"172.16.0.0/12", true}, {"172.32.0.0/16", false},
		{"192.168.1.0/24", true}, {"100.64.0.0/10", true}, {"8.8.8.8/32", false}, {"0.0.0.0/0", false},
		{"fd00::/8", true}, {"2001:db8::/32", false}, {"::/0", false}, {"not a cidr", false}, {"", false},
	} {
		if got := privateRange(tc.in); got != tc.want {
			t.Errorf("privateRange(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
