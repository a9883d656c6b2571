package kube

import (
	"net/netip"
	"sort"
	"strings"
)

// What makes a load balancer, an Ingress or a Gateway reachable only from
// the cloud network (a VPC, a peered network, a VPN) instead of from the
// internet. Only documented, well-known switches count: a name that merely
// sounds internal ("nginx-internal") does not, since the scan cannot see
// what the class stands for.

// internalLBAnnotations are the cloud providers' annotations that give a
// Service of type LoadBalancer a private address, with the values that do
// ("" = any value but "false").
var internalLBAnnotations = map[string][]string{
	// AWS in-tree provider: any value ("true", legacy "0.0.0.0/0").
	"service.beta.kubernetes.io/aws-load-balancer-internal": {""},
	// AWS Load Balancer Controller.
	"service.beta.kubernetes.io/aws-load-balancer-scheme": {"internal"},
	// GKE (and its older spelling).
	"networking.gke.io/load-balancer-type": {"internal"},
	"cloud.google.com/load-balancer-type":  {"internal"},
	// AKS.
	"service.beta.kubernetes.io/azure-load-balancer-internal": {"true"},
	// Oracle Cloud, OpenStack, IBM Cloud, Alibaba Cloud, Hetzner.
	"service.beta.kubernetes.io/oci-load-balancer-internal":              {"true"},
	"service.beta.kubernetes.io/openstack-internal-load-balancer":        {"true"},
	"service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type":     {"private"},
	"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": {"intranet"},
	"load-balancer.hetzner.cloud/disable-public-network":                 {"true"},
}

// internalIngressAnnotations: the same for the Ingress controllers that
// provision a cloud load balancer per Ingress.
var internalIngressAnnotations = map[string][]string{
	"alb.ingress.kubernetes.io/scheme":           {"internal"}, // AWS Load Balancer Controller
	"kubernetes.io/ingress.class":                {"gce-internal"},
	"appgw.ingress.kubernetes.io/use-private-ip": {"true"}, // Azure Application Gateway
}

// internalIngressClasses: spec.ingressClassName values that stand for an
// internal load balancer whatever the cluster (GKE's built-in class).
var internalIngressClasses = map[string]bool{"gce-internal": true}

// internalGatewayClasses: GKE's built-in GatewayClasses for internal
// Application Load Balancers.
var internalGatewayClasses = map[string]bool{
	"gke-l7-rilb":                               true,
	"gke-l7-rilb-mc":                            true,
	"gke-l7-cross-regional-internal-managed":    true,
	"gke-l7-cross-regional-internal-managed-mc": true,
}

// annotationSwitch returns "key: value" of the first annotation of table
// set to a value that makes the thing internal, "" when none is.
func annotationSwitch(annotations map[string]string, table map[string][]string) string {
	keys := make([]string, 0, len(annotations))
	for k := range annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals, ok := table[k]
		if !ok {
			continue
		}
		v := strings.TrimSpace(annotations[k])
		for _, want := range vals {
			if want == "" && v != "" && !strings.EqualFold(v, "false") || want != "" && strings.EqualFold(v, want) {
				return k + ": " + annotations[k]
			}
		}
	}
	return ""
}

// privateNets are the address ranges no one outside the network reaches:
// RFC 1918, carrier-grade NAT (RFC 6598), loopback, link-local, unique
// local IPv6.
var privateNets = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fe80::/10"),
}

// privateRange reports whether a CIDR (or a single address) lies wholly
// inside a private range.
func privateRange(s string) bool {
	s = strings.TrimSpace(s)
	p, err := netip.ParsePrefix(s)
	if err != nil {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	p = p.Masked()
	for _, n := range privateNets {
		if n.Addr().Is4() == p.Addr().Is4() && n.Bits() <= p.Bits() && n.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// allPrivate: a non-empty list of ranges, every one private.
func allPrivate(ranges []string) bool {
	for _, r := range ranges {
		if !privateRange(r) {
			return false
		}
	}
	return len(ranges) > 0
}

// splitList splits an annotation holding a comma-separated list.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ServiceScope says why a Service of type LoadBalancer gets only a private
// address (an internal load balancer, or source ranges that are all
// private), "" when it is reachable from the internet. The Helm source uses
// it for the chart's service.merge.
func ServiceScope(annotations map[string]string, sourceRanges []string) string {
	if why := annotationSwitch(annotations, internalLBAnnotations); why != "" {
		return "internal load balancer: " + why
	}
	if allPrivate(sourceRanges) {
		return "loadBalancerSourceRanges only private: " + strings.Join(sourceRanges, ", ")
	}
	return ""
}

// ingressScope says why an Ingress is served only on a private address.
func ingressScope(annotations map[string]string, className string) string {
	if internalIngressClasses[className] {
		return "internal ingress class " + className
	}
	if why := annotationSwitch(annotations, internalIngressAnnotations); why != "" {
		return "internal load balancer: " + why
	}
	for _, k := range []string{"nginx.ingress.kubernetes.io/whitelist-source-range", "nginx.ingress.kubernetes.io/allowlist-source-range"} {
		if rs := splitList(annotations[k]); allPrivate(rs) {
			return "only private sources: " + k + ": " + annotations[k]
		}
	}
	return ""
}
