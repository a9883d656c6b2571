package kube

import (
	"strconv"
	"strings"
	"testing"
)

// The StatefulSet and ClusterIP Service of nats-io/k8s's chart output,
// reduced: routes publish through the Service, not the Service's type.
const routedPod = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats, namespace: msg}
spec:
  template:
    metadata: {labels: {app: nats}}
    spec:
      containers:
      - name: nats
        image: nats:2.14.9-alpine
        ports:
        - {name: client, containerPort: 4222}
        - {name: monitor, containerPort: 8222}
        - {name: websocket, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: nats, namespace: msg}
spec:
  selector: {app: nats}
  ports:
  - {name: client, port: 4222, targetPort: client}
  - {name: monitor, port: 8222, targetPort: monitor}
  - {name: websocket, port: 443, targetPort: websocket}
`

func TestRoutesPublishThroughClusterIPServices(t *testing.T) {
	for _, tc := range []struct {
		name, route string
		want        []string // "outside->container via-prefix @line"
	}{
		{"ingress with TLS to monitoring", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: msg}
spec:
  tls: [{hosts: [nats.example.com]}]
  rules:
  - host: nats.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: nats, port: {name: monitor}}
`, []string{"443->8222 Ingress web (host nats.example.com) @13"}},
		{"ingress default backend by number, no TLS", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ws, namespace: msg}
spec:
  defaultBackend:
    service: {name: nats, port: {number: 443}}
`, []string{"80->8080 Ingress ws (any host) @6"}},
		{"legacy extensions ingress", `apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: old}
spec:
  backend: {serviceName: nats, servicePort: 8222}
`, []string{"80->8222 Ingress old (any host) @5"}},
		{"gateway TCPRoute", `apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: nats-tcp, namespace: msg}
spec:
  parentRefs: [{name: public}]
  rules:
  - backendRefs:
    - {name: nats, port: 4222}
`, []string{"4222->4222 TCPRoute nats-tcp (Gateway public) @8"}},
		{"traefik IngressRouteTCP", `apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: nats, namespace: msg}
spec:
  entryPoints: [nats]
  routes:
  - match: HostSNI(` + "`*`" + `)
    services:
    - {name: nats, port: 4222}
`, []string{"4222->4222 IngressRouteTCP nats (entry points nats) @9"}},
		{"route to another namespace's service", `apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: other, namespace: elsewhere}
spec:
  rules:
  - backendRefs: [{name: nats, port: 4222}]
`, nil},
		{"route to a port the service does not have", `apiVersion: traefik.io/v1alpha1
kind: IngressRouteTCP
metadata: {name: nats, namespace: msg}
spec:
  routes:
  - services: [{name: nats, port: 9999}]
`, nil},
		{"another group's Ingress kind", `apiVersion: example.com/v1
kind: Ingress
metadata: {name: x, namespace: msg}
spec:
  backend: {serviceName: nats, servicePort: 4222}
`, nil},
		{"TraefikService backend is not followed", `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: w, namespace: msg}
spec:
  routes:
  - services: [{name: nats, kind: TraefikService}]
`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := one(t, load(t, "nats.yaml", routedPod, "route.yaml", tc.route))
			var got []string
			for i, p := range s.Deployment.Ports {
				if !strings.Contains(p.Via, "route.yaml") {
					continue
				}
				l := s.Locs[portKey(i)]
				if l.File != "route.yaml" || !p.AllInterfaces {
					t.Errorf("port %d: at %s, all interfaces %v", i, l.File, p.AllInterfaces)
				}
				via, _, _ := strings.Cut(p.Via, " → ")
				got = append(got, strings.Join([]string{itoa(p.HostPort) + "->" + itoa(p.ContainerPort), via, "@" + itoa(l.Line)}, " "))
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("routed ports\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func portKey(i int) string { return "deployment/ports/" + itoa(i) }

func itoa(i int) string { return strconv.Itoa(i) }

// gateways of the Gateway API: a public one with TCP and HTTPS listeners,
// and an internal one (GKE's internal class).
const gateways = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: msg}
spec:
  gatewayClassName: eg
  listeners:
  - {name: nats, protocol: TCP, port: 14222}
  - {name: web, protocol: HTTPS, port: 8443, hostname: nats.example.com}
  - {name: shared, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: HTTPRoute}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: private, namespace: msg}
spec:
  gatewayClassName: gke-l7-rilb
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: vpc, namespace: msg, annotations: {networking.gke.io/load-balancer-type: Internal}}
spec:
  gatewayClassName: istio
  listeners: [{name: nats, protocol: TCP, port: 4222}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: fixed, namespace: msg}
spec:
  gatewayClassName: eg
  addresses: [{type: IPAddress, value: 10.1.2.3}]
  listeners: [{name: nats, protocol: TCP, port: 4222}]
`

// TestGatewayListenersAndInternalRoutes: a route attached to a Gateway of
// the manifests publishes on the listener's port (not the Service's), only
// on the listeners its parentRef, kind and namespace may attach to; an
// internal Gateway or Ingress publishes on the private network only.
func TestGatewayListenersAndInternalRoutes(t *testing.T) {
	for _, tc := range []struct {
		name, route string
		want        []string // "outside->container public|internal via-prefix"
	}{
		{"TCPRoute on the TCP listener", `apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t, namespace: msg}
spec:
  parentRefs: [{name: public}]
  rules: [{backendRefs: [{name: nats, port: 4222}]}]
`, []string{"14222->4222 public TCPRoute t (Gateway public, class eg, listener nats TCP 14222, gw.yaml)"}},
		{"HTTPRoute on the HTTP(S) listeners", `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: h, namespace: msg}
spec:
  parentRefs: [{name: public}]
  rules: [{backendRefs: [{name: nats, port: 8222}]}]
`, []string{"8443->8222 public HTTPRoute h (Gateway public, class eg, listener web HTTPS 8443, gw.yaml)",
			"80->8222 public HTTPRoute h (Gateway public, class eg, listener shared HTTP 80, gw.yaml)"}},
		{"sectionName picks one listener", `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: h, namespace: msg}
spec:
  parentRefs: [{name: public, sectionName: web}]
  rules: [{backendRefs: [{name: nats, port: 8222}]}]
`, []string{"8443->8222 public HTTPRoute h (Gateway public, class eg, listener web HTTPS 8443, gw.yaml)"}},
		{"parentRef port picks one listener", `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: h, namespace: msg}
spec:
  parentRefs: [{name: public, port: 80}]
  rules: [{backendRefs: [{name: nats, port: 8222}]}]
`, []string{"80->8222 public HTTPRoute h (Gateway public, class eg, listener shared HTTP 80, gw.yaml)"}},
		{"a TLSRoute has no TLS listener to attach to", `apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: {name: s, namespace: msg}
spec:
  parentRefs: [{name: public}]
  rules: [{backendRefs: [{name: nats, port: 4222}]}]
`, nil},
		{"internal gateway class", `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: h, namespace: msg}
spec:
  parentRefs: [{name: private}]
  rules: [{backendRefs: [{name: nats, port: 8222}]}]
`, []string{"80->8222 internal HTTPRoute h (Gateway private, class gke-l7-rilb, listener http HTTP 80, gw.yaml)"}},
		{"internal load balancer annotation on the gateway", `apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t, namespace: msg}
spec:
  parentRefs: [{name: vpc}]
  rules: [{backendRefs: [{name: nats, port: 4222}]}]
`, []string{"4222->4222 internal TCPRoute t (Gateway vpc, class istio, listener nats TCP 4222, gw.yaml)"}},
		{"gateway on a private address", `apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t, namespace: msg}
spec:
  parentRefs: [{name: fixed}]
  rules: [{backendRefs: [{name: nats, port: 4222}]}]
`, []string{"4222->4222 internal TCPRoute t (Gateway fixed, class eg, listener nats TCP 4222, gw.yaml)"}},
		{"a route of another namespace may use only the From All listener", `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: h, namespace: apps}
spec:
  parentRefs: [{name: public, namespace: msg}]
  rules: [{backendRefs: [{name: nats, namespace: msg, port: 8222}]}]
`, nil}, // the backend is in another namespace than the route: not followed either
		{"mesh parentRef to a Service publishes nothing", `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: h, namespace: msg}
spec:
  parentRefs: [{name: nats, kind: Service, group: ""}]
  rules: [{backendRefs: [{name: nats, port: 8222}]}]
`, nil},
		{"internal ingress class", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: msg}
spec:
  ingressClassName: gce-internal
  defaultBackend: {service: {name: nats, port: {number: 8222}}}
`, []string{"80->8222 internal Ingress web (any host)"}},
		{"internal ALB", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: msg, annotations: {alb.ingress.kubernetes.io/scheme: internal}}
spec:
  defaultBackend: {service: {name: nats, port: {number: 8222}}}
`, []string{"80->8222 internal Ingress web (any host)"}},
		{"internet-facing ALB", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: msg, annotations: {alb.ingress.kubernetes.io/scheme: internet-facing}}
spec:
  defaultBackend: {service: {name: nats, port: {number: 8222}}}
`, []string{"80->8222 public Ingress web (any host)"}},
		{"IngressClass with internal IngressClassParams (AWS)", `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb-private}
spec:
  controller: ingress.k8s.aws/alb
  parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: private}
---
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: {name: private}
spec: {scheme: internal}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: msg}
spec:
  ingressClassName: alb-private
  defaultBackend: {service: {name: nats, port: {number: 8222}}}
`, []string{"80->8222 internal Ingress web (any host)"}},
		{"IngressClass with internet-facing IngressClassParams", `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: alb}
spec:
  controller: ingress.k8s.aws/alb
  parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: public}
---
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: {name: public}
spec: {scheme: internet-facing}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: msg}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: nats, port: {number: 8222}}}
`, []string{"80->8222 public Ingress web (any host)"}},
		{"nginx allow-list of private ranges", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: msg, annotations: {nginx.ingress.kubernetes.io/whitelist-source-range: "10.0.0.0/8, 172.16.0.0/12"}}
spec:
  defaultBackend: {service: {name: nats, port: {number: 8222}}}
`, []string{"80->8222 internal Ingress web (any host)"}},
		{"nginx allow-list with a public range", `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: msg, annotations: {nginx.ingress.kubernetes.io/whitelist-source-range: "10.0.0.0/8,203.0.113.0/24"}}
spec:
  defaultBackend: {service: {name: nats, port: {number: 8222}}}
`, []string{"80->8222 public Ingress web (any host)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := one(t, load(t, "nats.yaml", routedPod, "gw.yaml", gateways, "route.yaml", tc.route))
			var got []string
			for i, p := range s.Deployment.Ports {
				if l := s.Locs[portKey(i)]; l.File != "route.yaml" {
					t.Errorf("port %d at %+v, want the route's backend", i, l)
				}
				scope := "public"
				if !p.AllInterfaces {
					scope = "internal"
					if p.HostIP != InternalHost {
						t.Errorf("port %d: host_ip %q", i, p.HostIP)
					}
				}
				via, _, _ := strings.Cut(p.Via, " → ")
				if scope == "internal" {
					via, _, _ = strings.Cut(via, ", internal")
					via, _, _ = strings.Cut(via, ", only private")
					via, _, _ = strings.Cut(via, ", private addresses")
					via, _, _ = strings.Cut(via, ", IngressClass")
				}
				got = append(got, strings.Join([]string{itoa(p.HostPort) + "->" + itoa(p.ContainerPort), scope, via}, " "))
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("routed ports\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
