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
