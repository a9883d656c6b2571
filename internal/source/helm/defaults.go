package helm

// chartDefaults are the defaults of the nats chart (1.x and 2.x share them;
// only the image tag follows the chart version, see appVersions) for the
// values this package maps. They are facts read from the chart's
// values.yaml (nats-io/k8s, helm/charts/nats), not a copy of it.
const chartDefaults = `
tlsCA: {enabled: false, dir: /etc/nats-ca-cert, key: ca.crt}
config:
  cluster:
    enabled: false
    port: 6222
    replicas: 3
    noAdvertise: true
    routeURLs: {useFQDN: false, k8sClusterDomain: cluster.local}
    tls: {enabled: false, dir: /etc/nats-certs/cluster, cert: tls.crt, key: tls.key}
  jetstream:
    enabled: false
    fileStore:
      enabled: true
      dir: /data
      pvc: {enabled: true, size: 10Gi}
    memoryStore: {enabled: false, maxSize: 1Gi}
  nats:
    port: 4222
    tls: {enabled: false, dir: /etc/nats-certs/nats, cert: tls.crt, key: tls.key}
  leafnodes:
    enabled: false
    port: 7422
    tls: {enabled: false, dir: /etc/nats-certs/leafnodes, cert: tls.crt, key: tls.key}
  websocket:
    enabled: false
    port: 8080
    tls: {enabled: false, dir: /etc/nats-certs/websocket, cert: tls.crt, key: tls.key}
  mqtt:
    enabled: false
    port: 1883
    tls: {enabled: false, dir: /etc/nats-certs/mqtt, cert: tls.crt, key: tls.key}
  gateway:
    enabled: false
    port: 7222
    tls: {enabled: false, dir: /etc/nats-certs/gateway, cert: tls.crt, key: tls.key}
  monitor: {enabled: true, port: 8222, tls: {enabled: false}}
  profiling: {enabled: false, port: 65432}
  resolver: {enabled: false, dir: /data/resolver}
  serverNamePrefix: ""
container:
  image: {repository: nats}
service:
  enabled: true
  ports:
    nats: {enabled: true}
    leafnodes: {enabled: true}
    websocket: {enabled: true}
    mqtt: {enabled: true}
    cluster: {enabled: false}
    gateway: {enabled: false}
    monitor: {enabled: false}
    profiling: {enabled: false}
podDisruptionBudget: {enabled: true}
natsBox: {enabled: true}
`

// latestChart is the newest chart version known to this build; releases
// whose chart version is unknown get its defaults, and a note says so.
const latestChart = "2.14.2"
