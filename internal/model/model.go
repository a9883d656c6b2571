// Package model defines the Inventory: the one contract between the sources and
// the probe (which produce facts) and the rules (which judge them).
//
// The Inventory is deployment-shaped, not file-shaped: a nats.conf, the compose
// service that mounts it and the live server that reports the same server_name
// are one Server. It is serialised to JSON as the Rego input; see docs/model.md.
package model

import (
	"fmt"
	"sort"
)

// Location is where a value came from in a scanned file.
type Location struct {
	File   string `json:"file"` // slash-separated, relative to the scan root
	Line   int    `json:"line"`
	Column int    `json:"column,omitempty"`
}

// Valid reports whether the location points into a file.
func (l Location) Valid() bool { return l.File != "" }

// Locations maps a slash-separated logical path ("config/tls/verify",
// "deployment/ports/0") to where that value was written.
type Locations map[string]Location

// Set records loc for path unless loc is empty.
func (l Locations) Set(path string, loc Location) {
	if loc.File != "" {
		l[path] = loc
	}
}

// Inventory is everything known about one deployment.
type Inventory struct {
	Scan      Scan        `json:"scan"`
	Servers   []*Server   `json:"servers"`
	Streams   []*Stream   `json:"streams"`
	Consumers []*Consumer `json:"consumers"`
	EnvFiles  []*EnvFile  `json:"env_files"`
	// Credentials are credentials committed outside a server's config:
	// NATS URLs with user:password@ in a compose environment, NATS CLI
	// context files, shell scripts, stream files.
	Credentials []*Credential `json:"credentials"`
	Files       []*File       `json:"files"`
	// KubeSecrets are Kubernetes Secrets committed to the repository (and
	// credentials a Helm release embeds in its values): facts, never values.
	KubeSecrets []*KubeSecret `json:"kube_secrets"`
	Errors      []ParseError  `json:"errors"`
	// Facts are derived from the rest of the inventory in Go (package
	// subject) just before evaluation; nil until then.
	Facts *Facts `json:"facts,omitempty"`
	// LiveAccounts are JetStream accounts read through their own API
	// (probe --js-creds): usage against the account's limits.
	LiveAccounts []*LiveAccount `json:"live_accounts,omitempty"`
	Notes        []string       `json:"-"` // skipped files and other non-fatal remarks for the report
}

// Scan describes the run itself; rules use Now so that tests are deterministic.
type Scan struct {
	NowNS   int64    `json:"now_ns"`
	Now     string   `json:"now"`
	Roots   []string `json:"roots"`
	Sources []string `json:"sources"` // kinds of input present: config, compose, env, streams, certs, live
	Live    bool     `json:"live"`
}

// HasSource reports whether the scan saw input of the given kind.
func (s *Scan) HasSource(kind string) bool {
	for _, k := range s.Sources {
		if k == kind {
			return true
		}
	}
	return false
}

// AddSource records an input kind once, keeping the list sorted.
func (s *Scan) AddSource(kind string) {
	if s.HasSource(kind) {
		return
	}
	s.Sources = append(s.Sources, kind)
	sort.Strings(s.Sources)
}

// ParseError is a file that could not be read or parsed. The message never
// quotes secret values.
type ParseError struct {
	Ref     Ref    `json:"ref"`
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	Kind    string `json:"kind"` // nats_conf, compose, env, stream, cert, probe, rule, ...
	Target  string `json:"target,omitempty"`
	// Rules are the rule IDs a "rule" error left without results (a rule
	// package that failed at evaluation; Target is the package).
	Rules []string `json:"rules,omitempty"`
}

// Server is one nats-server instance.
type Server struct {
	Ref        Ref            `json:"ref"` // "servers/<index>"; findings point back with it
	Name       string         `json:"name"`
	Sources    []string       `json:"sources"` // config, compose, live
	ConfigFile string         `json:"config_file,omitempty"`
	Config     map[string]any `json:"config"` // canonical keys, sizes in bytes, durations in ns; secrets as Secret objects
	// ConfigEnv names the environment variable each config value was set
	// from ("authorization/users/0/password" -> "NATS_PASSWORD").
	ConfigEnv map[string]string `json:"config_env"`
	// SecretPaths are the paths (keys and array indexes, as Rego's walk
	// gives them) of every Secret in Config, so rules need not walk it.
	SecretPaths [][]any     `json:"secret_paths"`
	Deployment  *Deployment `json:"deployment,omitempty"`
	Version     *Version    `json:"version,omitempty"`
	Certs       []*Cert     `json:"certs"`
	Live        *Live       `json:"live,omitempty"`
	Locs        Locations   `json:"-"`
	// Defaults are the config paths a Helm release takes from the chart's
	// defaults (not set in its values): their location is the release, and
	// findings about them say so.
	Defaults map[string]bool `json:"-"`
	// ClusterGroup identifies the servers that form one cluster: servers
	// whose config has the same cluster name and that something links
	// (one compose project, routes naming each other, configs side by
	// side). Two servers sharing a cluster name in unrelated directories
	// have different groups. "" without a cluster.
	ClusterGroup string `json:"cluster_group,omitempty"`
	// ConfigDigest is the digest nats-server would report as
	// varz.config_digest for ConfigFile ("sha256:<hex>" of the parsed
	// config as JSON, conf.ParseFileWithChecksDigest); empty when it
	// cannot be computed from the repository, and ConfigDigestNote says
	// why (includes, variables from the environment).
	ConfigDigest     string `json:"config_digest,omitempty"`
	ConfigDigestNote string `json:"config_digest_note,omitempty"`
	// Derived are facts about this server that many rules need, computed
	// once in Go just before evaluation (package audit, serverfacts.go);
	// nil until then. The rules fall back to computing them in Rego when
	// they are absent (hand-written test inputs).
	Derived *ServerFacts `json:"derived,omitempty"`
}

// ServerFacts are per-server conclusions computed in Go once, instead of
// in Rego by every rule that needs them (docs/performance.md).
type ServerFacts struct {
	// Listeners are the listeners the server's config opens, by kind
	// (client, monitoring, monitoring_https, cluster, gateway, leafnodes,
	// websocket, mqtt): what lib.exposure.config_listeners gives. Empty
	// when the server has no config.
	Listeners map[string]*Listener `json:"listeners"`
	// Features are the states ("yes", "no", "unknown") of the feature
	// gates that advisories name (rules/version.rego `_status`).
	Features map[string]string `json:"features"`
	// TLSBlocks are the config's tls{} blocks that nats-server reads
	// (lib.tlsconf.tls_blocks), where they are, not their contents.
	TLSBlocks []*TLSBlock `json:"tls_blocks"`
	// Exposure says, for each of Listeners (same kind), how far the
	// deployment exposes it (lib.exposure.public, reachable and the
	// compose ports entry that publishes it).
	Exposure map[string]*Exposure `json:"exposure"`
}

// Exposure is how far a configured listener is exposed by the server's
// deployment, what lib.exposure computes from the listener's host and
// port and the deployment's ports.
type Exposure struct {
	// Public: lib.exposure.public but for its case of a server without a
	// deployment, which depends on a parameter and stays in Rego.
	Public bool `json:"public"`
	// Reachable is lib.exposure.reachable.
	Reachable bool `json:"reachable"`
	// PublishedAll and BeyondLoopback are lib.exposure.published_all and
	// published_beyond_loopback of the listener's port: the index of the
	// first ports entry publishing it on all host interfaces, or on an
	// address other than loopback; absent when none does.
	PublishedAll   *int `json:"published_all,omitempty"`
	BeyondLoopback *int `json:"published_beyond_loopback,omitempty"`
}

// TLSBlock is where a tls{} block of a server's config is.
type TLSBlock struct {
	Path string `json:"path"` // "config/gateway/gateways/0/tls"
	At   []any  `json:"at"`   // the same as Rego's walk path: ["gateway", "gateways", 0, "tls"]
}

// Listener is one listener a server's config opens.
type Listener struct {
	Kind string `json:"kind"`
	Host string `json:"host"`
	// Port is a number, or "$NAME" when it comes from an environment
	// variable the repository does not define.
	Port  any    `json:"port"`
	Path  string `json:"path"`  // where the port is set ("config/websocket/port")
	Block string `json:"block"` // the config block ("config/websocket")
}

// AddSource records where facts about the server came from.
func (s *Server) AddSource(src string) {
	for _, x := range s.Sources {
		if x == src {
			return
		}
	}
	s.Sources = append(s.Sources, src)
}

// Version is the nats-server version and where it was learnt.
type Version struct {
	Value  string `json:"value"`  // "2.10.24" (no leading v)
	Series string `json:"series"` // "2.10"
	Semver string `json:"semver"` // same, valid for semver.compare; empty when unknown
	Source string `json:"source"` // image_tag, varz
	Raw    string `json:"raw"`
}

// Deployment is how the server is run: a compose service, a Kubernetes
// workload or a Helm release of the nats chart.
type Deployment struct {
	Kind    string `json:"kind"` // compose, kubernetes, helm, systemd
	File    string `json:"file"`
	Service string `json:"service"`
	// Project names the compose project the service belongs to (its
	// files joined by "+"); services of one project run together.
	Project string `json:"project,omitempty"`
	// Profiles are the compose profiles: that enable the service; two
	// services with disjoint profiles never run together.
	Profiles    []string `json:"profiles,omitempty"`
	Image       string   `json:"image"`
	ImageRepo   string   `json:"image_repo"`
	ImageTag    string   `json:"image_tag"`
	ImageDigest string   `json:"image_digest"`
	// ImageFromEnv: the image reference holds a ${VAR} with no value in
	// the repository (nats:${TAG}): its tag and version are set when it
	// is deployed, unknown here (not unpinned).
	ImageFromEnv bool `json:"image_from_env,omitempty"`
	// Built: the service is built from a Dockerfile (build:), so image:
	// names the result, and the config is whatever the Dockerfile copies.
	Built           bool           `json:"built,omitempty"`
	Command         []string       `json:"command"` // secrets replaced by ****
	Flags           map[string]any `json:"flags"`   // parsed nats-server flags by canonical config name
	FlagNames       []string       `json:"flag_names"`
	Ports           []Port         `json:"ports"`
	Volumes         []Volume       `json:"volumes"`
	Environment     map[string]any `json:"environment"` // name -> EnvValue facts (never the value)
	EnvFiles        []string       `json:"env_files"`
	MemoryLimit     int64          `json:"memory_limit"` // bytes; 0 when unset
	CPULimit        float64        `json:"cpu_limit"`
	StopGracePeriod int64          `json:"stop_grace_period"` // ns; 0 when unset
	StopSignal      string         `json:"stop_signal"`
	NetworkMode     string         `json:"network_mode,omitempty"`
	ConfigPath      string         `json:"config_path"` // in-container path given with -c/--config
	// UsesImageDefaultConfig is true when the official image runs its bundled
	// nats-server.conf (no command, or -c pointing at it without a mount).
	UsesImageDefaultConfig bool `json:"uses_image_default_config"`
	// ConfigUnavailable: the server runs a config file (ConfigPath) that is
	// not in the scanned tree (mounted from outside it, or missing): its
	// config is not evaluated, rather than judged empty.
	ConfigUnavailable bool `json:"config_unavailable,omitempty"`
	// Replicas is how many copies of the server the deployment runs (a
	// Kubernetes workload's replicas); 0 when the format does not say.
	Replicas int `json:"replicas"`
	// Kubernetes holds what only a Kubernetes workload or Helm release has.
	Kubernetes *Kubernetes `json:"kubernetes,omitempty"`
}

// Kubernetes describes the workload running nats-server (kind kubernetes:
// from manifests; kind helm: from the nats chart's values and defaults).
type Kubernetes struct {
	Kind      string `json:"kind"` // StatefulSet, Deployment, DaemonSet, Pod, Job, CronJob
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Container string `json:"container"`
	// Chart is "nats 2.12.3" for a Helm release ("" for manifests).
	Chart string `json:"chart,omitempty"`
	// ConfigFrom names what holds the config the container runs:
	// "ConfigMap nats-config (nats.conf)", "Secret ...", or "".
	ConfigFrom      string          `json:"config_from"`
	SecurityContext SecurityContext `json:"security_context"`
	HostNetwork     bool            `json:"host_network"`
	// AntiAffinity is "required", "preferred" or "" (pod anti-affinity
	// between the server's own pods).
	AntiAffinity   string `json:"anti_affinity"`
	TopologySpread bool   `json:"topology_spread"`
	// PodDisruptionBudget is the name of a PDB selecting the pods, "" when
	// none was found.
	PodDisruptionBudget string `json:"pod_disruption_budget"`
	// NetworkPolicies name the policies selecting the pods (none found: []).
	NetworkPolicies []string      `json:"network_policies"`
	Services        []KubeService `json:"services"`
	Partial         []string      `json:"partial,omitempty"` // helm: values the mapping could not follow
}

// SecurityContext is the container's effective security context (the pod's
// with the container's on top). nil pointers are unset.
type SecurityContext struct {
	RunAsNonRoot             *bool    `json:"run_as_non_root"`
	RunAsUser                *int64   `json:"run_as_user"`
	ReadOnlyRootFilesystem   *bool    `json:"read_only_root_filesystem"`
	AllowPrivilegeEscalation *bool    `json:"allow_privilege_escalation"`
	Privileged               *bool    `json:"privileged"`
	CapabilitiesAdd          []string `json:"capabilities_add"`
}

// KubeService is a Service selecting the server's pods.
type KubeService struct {
	Name  string `json:"name"`
	Type  string `json:"type"` // ClusterIP, NodePort, LoadBalancer, ExternalName
	File  string `json:"file"`
	Ports []int  `json:"ports"` // target (container) ports
}

// KubeSecret is a Kubernetes Secret committed to the repository, or the
// credentials a Helm release's values embed. Keys holds facts about each
// value (decoded from base64), never the value.
type KubeSecret struct {
	Ref       Ref                `json:"ref"`
	Name      string             `json:"name"`
	Namespace string             `json:"namespace"`
	File      string             `json:"file"`
	Type      string             `json:"type"`
	Source    string             `json:"source"` // manifest, helm_values
	Keys      map[string]*Secret `json:"keys"`
	// UsedBy names the NATS servers (and NACK accounts) that read it.
	UsedBy []string  `json:"used_by"`
	Locs   Locations `json:"-"`
}

// Port is one published port.
type Port struct {
	HostIP        string `json:"host_ip"` // "" means all interfaces
	HostPort      int    `json:"host_port"`
	ContainerPort int    `json:"container_port"`
	Protocol      string `json:"protocol"`
	AllInterfaces bool   `json:"all_interfaces"`
	// Via says what publishes the port when it is not a compose ports:
	// entry ("Service nats (LoadBalancer)", "hostPort").
	Via string `json:"via,omitempty"`
}

// Volume is one mount of a service.
type Volume struct {
	Type     string `json:"type"` // bind, volume, tmpfs; kubernetes: pvc, emptyDir, hostPath, configMap, secret
	Source   string `json:"source"`
	Target   string `json:"target"`
	ReadOnly bool   `json:"read_only"`
	RepoPath string `json:"repo_path,omitempty"` // the scanned file/dir a bind mount points at
	// Size is the storage the volume requests, in bytes (a Kubernetes
	// PersistentVolumeClaim's or volumeClaimTemplate's
	// resources.requests.storage, the nats chart's fileStore.pvc.size);
	// 0 when the repository does not say.
	Size int64 `json:"size,omitempty"`
}

// Live holds a server's monitoring documents as the server sent them.
type Live struct {
	Endpoint      string         `json:"endpoint"` // URL without credentials, "$SYS via nats://host:4222", or "archive:FILE"
	Varz          map[string]any `json:"varz,omitempty"`
	Jsz           map[string]any `json:"jsz,omitempty"`
	Healthz       map[string]any `json:"healthz,omitempty"`
	HealthzStatus int            `json:"healthz_status,omitempty"`
	Connz         map[string]any `json:"connz,omitempty"`
	Routez        map[string]any `json:"routez,omitempty"`
	Gatewayz      map[string]any `json:"gatewayz,omitempty"`
	Leafz         map[string]any `json:"leafz,omitempty"`
	Accountz      map[string]any `json:"accountz,omitempty"`
	// Raftz is /raftz?group=_meta_ (nats-server 2.11+, clustered
	// JetStream): {account: {"_meta_": {leader, leader_since, term,
	// state, peers, ...}}}, the meta group's Raft state as this server
	// sees it.
	Raftz map[string]any `json:"raftz,omitempty"`
	// AccountDetails are /accountz?acc=<id> account_detail objects, read
	// in operator mode only (JWT claims: limits, expiry; this server's
	// client_connections, leafnode_connections, subscriptions).
	AccountDetails []any    `json:"account_details,omitempty"`
	Errors         []string `json:"errors,omitempty"` // endpoints that failed
}

// LiveAccount is one account's JetStream API view ($JS.API.INFO), read
// with that account's credentials.
type LiveAccount struct {
	Ref      Ref            `json:"ref"`
	Name     string         `json:"name"`     // the account (its name tag when a server's jsz gives one, else its id)
	ID       string         `json:"id"`       // as the server names it ($SYS.REQ.USER.INFO)
	Endpoint string         `json:"endpoint"` // "JetStream API via nats://host:4222"
	Info     map[string]any `json:"info"`     // $JS.API.INFO: memory, storage, streams, consumers, limits
	// Streams are the account's stream names the API lists (STREAM.LIST),
	// Missing those whose info no server could give.
	Streams []string `json:"streams"`
	Missing []string `json:"missing"`
}

// Cert is a certificate referenced by a server's config and found in the repo
// (or reported live).
type Cert struct {
	Path       string   `json:"path"` // config path of the cert_file value, e.g. "config/tls/cert_file"
	File       string   `json:"file"`
	Subject    string   `json:"subject"`
	Issuer     string   `json:"issuer"`
	NotBefore  string   `json:"not_before"`
	NotAfter   string   `json:"not_after"`
	NotAfterNS int64    `json:"not_after_ns"`
	SelfSigned bool     `json:"self_signed"`
	IsCA       bool     `json:"is_ca"`
	DNSNames   []string `json:"dns_names"`
	// IPAddresses are the certificate's IP subjectAltNames: with DNSNames,
	// what a Go client checks the host against (it ignores the CN).
	IPAddresses []string `json:"ip_addresses,omitempty"`
	// KeyFile is the repository file of the matching key_file, when the
	// private key is committed next to the certificate.
	KeyFile string `json:"key_file,omitempty"`
}

// Stream is a JetStream stream from a definition file or a live server. Config
// uses the nats JSON field names (num_replicas, max_bytes, ...) with server
// defaults applied, whatever the source format was.
type Stream struct {
	Ref     Ref            `json:"ref"`
	Name    string         `json:"name"`
	Account string         `json:"account"`
	Source  string         `json:"source"` // file, nack, live
	File    string         `json:"file,omitempty"`
	Config  map[string]any `json:"config"`
	State   map[string]any `json:"state,omitempty"`
	Cluster map[string]any `json:"cluster,omitempty"`
	Servers []string       `json:"servers,omitempty"` // live: servers hosting a replica
	// ClusterSize is the JetStream meta cluster size seen by the servers that
	// reported the stream (live), 0 when unknown.
	ClusterSize int `json:"cluster_size"`
	// LinkedServers are the refs of the servers a definition file is
	// linked to: the servers of the nearest directory (the file's own or
	// an ancestor) that has any, so that a stream of one example is not
	// judged against another example's cluster. Empty when the inventory
	// has no server.
	LinkedServers []Ref `json:"linked_servers,omitempty"`
	// Offline is set for a live stream that no server's /jsz lists but its
	// account's JetStream API does (STREAM.LIST "missing"): every server
	// hosting a replica is down. It says why.
	Offline string `json:"offline,omitempty"`
	// Mirror and Sources are the live replication state of a stream that
	// mirrors or sources (StreamSourceInfo: name, lag, active ns since the
	// origin was last heard from, error), from the stream leader's view.
	Mirror  map[string]any `json:"mirror,omitempty"`
	Sources []any          `json:"sources,omitempty"`
	// Created is when a live stream was created (RFC 3339, as the server
	// reports it): a leader elected then is its first, not a change.
	Created string    `json:"created,omitempty"`
	Locs    Locations `json:"-"`
}

// Consumer is a JetStream consumer from a definition file or a live server.
type Consumer struct {
	Ref     Ref            `json:"ref"`
	Name    string         `json:"name"`
	Stream  string         `json:"stream"`
	Account string         `json:"account"`
	Source  string         `json:"source"`
	File    string         `json:"file,omitempty"`
	Config  map[string]any `json:"config"`
	State   map[string]any `json:"state,omitempty"` // live: num_pending, num_ack_pending, num_redelivered, delivered, ack_floor, push_bound
	// Cluster is the live consumer's cluster info (leader, leader_since
	// from its leader's view, replicas).
	Cluster map[string]any `json:"cluster,omitempty"`
	Created string         `json:"created,omitempty"` // live: when it was created (RFC 3339)
	Locs    Locations      `json:"-"`
}

// Facts are conclusions drawn across inventory objects that Rego would
// compute slowly or wrongly (NATS subject wildcards).
type Facts struct {
	// StreamOverlaps are pairs of streams of one account whose subjects
	// overlap (the server refuses to create the second one).
	StreamOverlaps []SubjectOverlap `json:"stream_overlaps"`
	// ConsumerOverlaps are pairs of consumers of one work-queue stream whose
	// filter subjects overlap (the server refuses the second one).
	ConsumerOverlaps []SubjectOverlap `json:"consumer_overlaps"`
	// MaxDeliveriesCapture maps each consumer with a bounded max_deliver (by
	// ref) to the names of the streams whose subjects capture its
	// $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>
	// advisory; an empty list means the advisory is not stored anywhere.
	MaxDeliveriesCapture map[string][]string `json:"max_deliveries_capture"`
	// ConfigJWTs are the JWTs written into server configs (resolver_preload),
	// by server ref.
	ConfigJWTs map[string][]*JWT `json:"config_jwts"`
}

// SubjectOverlap is a pair of objects (refs) and the two filters that overlap.
type SubjectOverlap struct {
	A        string `json:"a"`
	B        string `json:"b"`
	SubjectA string `json:"subject_a"`
	SubjectB string `json:"subject_b"`
}

// EnvFile is a .env file. Values never leave the source package: only facts.
type EnvFile struct {
	Ref  Ref                `json:"ref"`
	File string             `json:"file"`
	Vars map[string]*EnvVar `json:"vars"`
	Locs Locations          `json:"-"`
}

// EnvVar describes a variable without its value.
type EnvVar struct {
	Name  string    `json:"name"`
	Line  int       `json:"line"`
	Facts *EnvValue `json:"facts"`
}

// Credential is one committed credential outside a server's config, as
// facts: the value never leaves its source.
type Credential struct {
	Ref    Ref    `json:"ref"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Source string `json:"source"` // compose, context, script
	// Key names what holds it, unique within the file: "services/api/environment/NATS_URL",
	// "password" (a context), "nats context save nats1/--server".
	Key   string  `json:"key"`
	Kind  string  `json:"kind"` // url (the password of user:password@), password, token
	Facts *Secret `json:"facts"`
}

// File is one input file read by the scan.
type File struct {
	Ref  Ref    `json:"ref"`
	Path string `json:"path"`
	Kind string `json:"kind"` // nats_conf, compose, env, stream, certificate, private_key, creds, nkey_seed
	// PrivateKey facts, for Kind == private_key / creds / nkey_seed.
	KeyType   string `json:"key_type,omitempty"`
	Encrypted bool   `json:"encrypted,omitempty"`
	Line      int    `json:"line,omitempty"`
	// JWTs are the claims of the NATS JWTs in a .creds or .jwt file, decoded
	// without verifying signatures; the tokens themselves never enter the
	// inventory.
	JWTs []*JWT `json:"jwts,omitempty"`
}

// JWT is what natsaudit keeps of a NATS user, account or operator JWT.
type JWT struct {
	Kind          string `json:"kind"` // user, account, operator (nats.type)
	Name          string `json:"name"`
	Subject       string `json:"subject"`        // public nkey
	Issuer        string `json:"issuer"`         // public nkey of the signer
	IssuerAccount string `json:"issuer_account"` // user JWTs signed by an account signing key
	IssuedAtNS    int64  `json:"issued_at_ns"`
	ExpiresNS     int64  `json:"expires_ns"` // 0: no expiry
	Bearer        bool   `json:"bearer"`
	SigningKeys   int    `json:"signing_keys"`
	Line          int    `json:"line"`
	// Path is where a JWT inside a config was found (config/resolver_preload/<account>).
	Path string `json:"path,omitempty"`
	// Permissions of a user JWT (nats.pub, nats.sub): the allow and deny
	// subjects. All four empty: the user may publish and subscribe to
	// whatever its account may (unless its signer is a scoped signing key,
	// whose scope then applies instead).
	PubAllow []string `json:"pub_allow,omitempty"`
	PubDeny  []string `json:"pub_deny,omitempty"`
	SubAllow []string `json:"sub_allow,omitempty"`
	SubDeny  []string `json:"sub_deny,omitempty"`
	// ScopedSigningKeys are an account JWT's signing keys that carry a
	// scope (public keys): users they sign get the scope's permissions.
	ScopedSigningKeys []string `json:"scoped_signing_keys,omitempty"`
}

// Secret stands in for a secret value (password, token, nkey seed, encryption
// key, private key) everywhere in the Inventory. It carries facts that rules
// need and never the value itself.
type Secret struct {
	Secret       bool   `json:"secret"` // always true: marks a redacted value
	Origin       string `json:"origin"` // literal, env (a $VAR / ${VAR} reference), variable (a conf variable)
	EnvVar       string `json:"env_var,omitempty"`
	Resolved     bool   `json:"resolved"` // for env: a value was found in the repo (.env, compose)
	ResolvedFrom string `json:"resolved_from,omitempty"`
	Empty        bool   `json:"empty"`
	Bcrypt       bool   `json:"bcrypt"`
	Placeholder  bool   `json:"placeholder"` // a default/placeholder from the dictionary or its patterns
	KnownHash    bool   `json:"known_hash"`  // a bcrypt hash published in the NATS docs
	NkeySeed     bool   `json:"nkey_seed"`
	PrivateKey   bool   `json:"private_key"`
	URLCreds     bool   `json:"url_credentials"` // a URL with user:password@
	// NATSURL: the URL with credentials is a NATS one (nats://, tls://,
	// ws://, wss://); the other facts then describe its password.
	NATSURL bool `json:"nats_url"`
	// Template: a placeholder meant to be replaced (xxxx, <password>,
	// changeme, your-password-here): NATS-CRED-002's, never a committed
	// secret (NATS-CRED-001).
	Template bool `json:"template"`
	// PublicKey: the value is an nkey public key (U.../A.../O...), which
	// is not a secret.
	PublicKey bool `json:"public_key"`
	// Path: the value names a file (NATS_CREDS=./user.creds, a variable
	// named *_FILE/*_PATH/*_DIR): where a secret is, not a secret.
	Path       bool    `json:"path"`
	Length     int     `json:"length"`
	Entropy    float64 `json:"entropy"` // Shannon entropy, bits per character
	EqualsUser bool    `json:"equals_user"`
	Digest     string  `json:"digest"` // keyed hash, stable within one run only: lets rules compare secrets
}

// EnvValue is the facts kept about a .env or compose environment value.
type EnvValue = Secret

// FindSecrets returns the paths of the Secret values in a config tree.
func FindSecrets(cfg map[string]any) [][]any {
	out := [][]any{}
	var walk func(v any, path []any)
	walk = func(v any, path []any) {
		switch x := v.(type) {
		case *Secret:
			out = append(out, append([]any{}, path...))
		case map[string]any:
			for k, c := range x {
				walk(c, append(path, k))
			}
		case []any:
			for i, c := range x {
				walk(c, append(path, i))
			}
		}
	}
	walk(cfg, nil)
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]...) < fmt.Sprint(out[j]...) })
	return out
}

// HasFacet reports whether the inventory holds facts of a facet a rule can
// judge (finding.Facets: config, deployment, deployment.kubernetes, env,
// credentials, streams, certs, files, errors, live), from whichever input
// format gave them.
func (inv *Inventory) HasFacet(facet string) bool {
	has := inv.Scan.HasSource
	switch facet {
	case "config", "env", "streams", "certs", "live":
		return has(facet)
	case "deployment":
		if has("compose") || has("kubernetes") || has("helm") {
			return true
		}
		for _, s := range inv.Servers {
			if s.Deployment != nil {
				return true
			}
		}
		return false
	case "deployment.kubernetes":
		return has("kubernetes") || has("helm")
	case "credentials":
		return has("context") || has("script") || len(inv.Credentials) > 0
	case "files":
		return len(inv.Files) > 0
	case "errors":
		return len(inv.Errors) > 0
	}
	return false
}
