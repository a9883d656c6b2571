# Kubernetes rules: what a Kubernetes workload (plain manifests or the nats
# Helm chart) adds to a container: its security context, how its replicas
# are placed and protected, who may reach its pods, and credentials kept in
# ConfigMaps or committed Secrets. Everything else (TLS, auth, exposure
# through LoadBalancer/NodePort Services, JetStream storage and limits,
# versions) is judged by the other families through the same
# input.servers[].deployment facts compose gives.
package natsaudit.rules.kubernetes

import data.natsaudit.lib
import data.natsaudit.lib.clustering
import data.natsaudit.lib.secrets

# _kube_servers: servers run by a Kubernetes workload or Helm release.
_kube_servers contains s if {
	some s in input.servers
	s.deployment.kind in {"kubernetes", "helm"}
	is_object(s.deployment.kubernetes)
}

_sc(s) := s.deployment.kubernetes.security_context

_sc_path(_, field) := sprintf("deployment/kubernetes/security_context/%s", [field])

# METADATA
# title: Privileged NATS container
# description: >-
#   The nats-server container runs privileged or adds powerful Linux
#   capabilities (SYS_ADMIN, NET_ADMIN, ALL). nats-server needs none of
#   them; a compromise of the server (or of anything with exec into the pod)
#   becomes a compromise of the node.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
# custom:
#   id: NATS-K8S-001
#   severity: high
#   category: security
#   facets: [deployment.kubernetes]
#   remediation: |-
#     Drop privileges from the container:
#
#         securityContext:
#           privileged: false
#           allowPrivilegeEscalation: false
#           capabilities: {drop: [ALL]}
deny contains f if {
	some h in _k8s_001
	f := lib.finding_of(rego.metadata.rule(), h)
}

_k8s_001 contains h if {
	some s in _kube_servers
	_sc(s).privileged == true
	h := {"obj": s, "path": _sc_path(s, "privileged"), "msg": sprintf("%s: container %s runs privileged", [lib.server_label(s), s.deployment.kubernetes.container])}
}

_k8s_001 contains h if {
	some s in _kube_servers
	some c in _sc(s).capabilities_add
	c in {"SYS_ADMIN", "NET_ADMIN", "ALL", "SYS_PTRACE", "SYS_MODULE"}
	h := {"obj": s, "path": _sc_path(s, "capabilities_add"), "msg": sprintf("%s: container %s adds the %s capability", [lib.server_label(s), s.deployment.kubernetes.container, c])}
}

# METADATA
# title: NATS container may run as root
# description: >-
#   Neither the pod nor the container sets runAsNonRoot: true or a non-zero
#   runAsUser, and the official nats image runs as root. nats-server needs
#   no root privileges (its ports are above 1024); running as root turns a
#   server compromise or a writable mount into root on the node's files.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
# custom:
#   id: NATS-K8S-002
#   severity: medium
#   category: security
#   facets: [deployment.kubernetes]
#   remediation: |-
#     Run as an unprivileged user (the store volume must be writable by it:
#     fsGroup):
#
#         securityContext:          # pod
#           runAsNonRoot: true
#           runAsUser: 1000
#           fsGroup: 1000
deny contains f if {
	some s in _kube_servers
	not _non_root(_sc(s))
	f := lib.finding(rego.metadata.rule(), s, _sc_path(s, "run_as_non_root"), sprintf("%s: container %s may run as root (no runAsNonRoot: true or non-zero runAsUser)", [lib.server_label(s), s.deployment.kubernetes.container]))
}

_non_root(sc) if sc.run_as_non_root == true

_non_root(sc) if lib.num(sc.run_as_user) > 0

# METADATA
# title: NATS container security context not hardened
# description: >-
#   The container allows privilege escalation (allowPrivilegeEscalation is
#   not false) or has a writable root filesystem (readOnlyRootFilesystem is
#   not true). nats-server writes only to its store and PID directories,
#   which are volumes; the restricted Pod Security Standard asks for both.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: NATS-K8S-003
#   severity: low
#   category: security
#   facets: [deployment.kubernetes]
#   remediation: |-
#     Set both on the nats container (its store and PID directories are
#     volumes, so the root filesystem can be read-only):
#
#         securityContext:
#           allowPrivilegeEscalation: false
#           readOnlyRootFilesystem: true
#           capabilities: {drop: [ALL]}
deny contains f if {
	some s in _kube_servers
	missing := [m | some m in _hardening(_sc(s))]
	count(missing) > 0
	f := lib.finding(rego.metadata.rule(), s, "deployment/kubernetes/security_context", sprintf("%s: container %s does not set %s", [lib.server_label(s), s.deployment.kubernetes.container, concat(" or ", sort(missing))]))
}

_hardening(sc) := {m |
	some field, m in {"allow_privilege_escalation": "allowPrivilegeEscalation: false", "read_only_root_filesystem": "readOnlyRootFilesystem: true"}
	not _hardened(sc, field)
}

_hardened(sc, "allow_privilege_escalation") if sc.allow_privilege_escalation == false

_hardened(sc, "read_only_root_filesystem") if sc.read_only_root_filesystem == true

# _js_replicated(s): a JetStream workload running more than one pod.
_js_replicated(s) if {
	lib.jetstream_enabled(s)
	lib.num(s.deployment.replicas) > 1
}

# METADATA
# title: JetStream replicas not spread over nodes
# description: >-
#   The workload runs several JetStream servers but sets neither pod
#   anti-affinity nor topologySpreadConstraints, so the scheduler may place
#   two (or all) of them on one node or zone: losing that node loses the
#   RAFT quorum and every replicated stream with it.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
#   - ref: https://docs.nats.io/running-a-nats-service/nats-kubernetes
# custom:
#   id: NATS-K8S-004
#   severity: medium
#   category: reliability
#   facets: [deployment.kubernetes]
#   remediation: |-
#     Spread the pods over nodes (and zones):
#
#         topologySpreadConstraints:
#         - maxSkew: 1
#           topologyKey: kubernetes.io/hostname
#           whenUnsatisfiable: DoNotSchedule
#           labelSelector: {matchLabels: {app.kubernetes.io/name: nats}}
#
#     With the nats chart: `podTemplate.topologySpreadConstraints:
#     {kubernetes.io/hostname: {maxSkew: 1, whenUnsatisfiable: DoNotSchedule}}`.
deny contains f if {
	some s in _kube_servers
	_js_replicated(s)
	k := s.deployment.kubernetes
	k.anti_affinity != "required"
	k.topology_spread != true
	f := lib.finding(rego.metadata.rule(), s, _spread_path(k), _spread_msg(s, k))
}

_spread_path(k) := "deployment/kubernetes/anti_affinity" if k.anti_affinity == "preferred"

_spread_path(k) := "deployment/replicas" if k.anti_affinity == ""

_spread_msg(s, k) := sprintf("%s: %d JetStream replicas with only a preferred pod anti-affinity and no topologySpreadConstraints: the scheduler may still put them on one node", [lib.server_label(s), s.deployment.replicas]) if {
	k.anti_affinity == "preferred"
} else := sprintf("%s: %d JetStream replicas without pod anti-affinity or topologySpreadConstraints: several may run on one node, and losing it loses the quorum", [lib.server_label(s), s.deployment.replicas])

# METADATA
# title: No PodDisruptionBudget for a JetStream cluster
# description: >-
#   No PodDisruptionBudget selects the pods of a multi-replica JetStream
#   workload, so a node drain or cluster upgrade may evict several servers
#   at once and take the RAFT quorum (and every R3 stream) down.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/run-application/configure-pdb/
# custom:
#   id: NATS-K8S-005
#   severity: medium
#   category: reliability
#   facets: [deployment.kubernetes]
#   remediation: |-
#     Allow one voluntary disruption at a time:
#
#         apiVersion: policy/v1
#         kind: PodDisruptionBudget
#         metadata: {name: nats}
#         spec:
#           maxUnavailable: 1
#           selector: {matchLabels: {app.kubernetes.io/name: nats}}
#
#     (the nats chart creates it unless `podDisruptionBudget.enabled: false`).
deny contains f if {
	some s in _kube_servers
	_js_replicated(s)
	s.deployment.kubernetes.pod_disruption_budget == ""
	f := lib.finding(rego.metadata.rule(), s, "deployment/replicas", sprintf("%s: no PodDisruptionBudget selects the %d JetStream pods of %s %s: a drain may evict several at once", [lib.server_label(s), s.deployment.replicas, s.deployment.kubernetes.kind, s.deployment.kubernetes.name]))
}

# METADATA
# title: No NetworkPolicy restricts who reaches NATS
# description: >-
#   No NetworkPolicy (with Ingress rules) selects the NATS pods in the
#   scanned manifests, so every pod of the cluster can reach the client,
#   route, leafnode and monitoring ports, including the cluster port where a
#   peer joins without credentials unless routes are authorized. Policies
#   kept outside the scanned tree are not seen.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/
# custom:
#   id: NATS-K8S-006
#   severity: low
#   category: security
#   facets: [deployment.kubernetes]
#   remediation: |-
#     Allow clients on 4222 and the NATS pods themselves on 6222, nothing
#     else:
#
#         apiVersion: networking.k8s.io/v1
#         kind: NetworkPolicy
#         metadata: {name: nats}
#         spec:
#           podSelector: {matchLabels: {app.kubernetes.io/name: nats}}
#           policyTypes: [Ingress]
#           ingress:
#           - from: [{podSelector: {matchLabels: {nats-client: "true"}}}]
#             ports: [{port: 4222}]
#           - from: [{podSelector: {matchLabels: {app.kubernetes.io/name: nats}}}]
#             ports: [{port: 6222}]
deny contains f if {
	some s in _kube_servers
	count(s.deployment.kubernetes.network_policies) == 0
	f := lib.finding(rego.metadata.rule(), s, "deployment", sprintf("%s: no NetworkPolicy selects the pods of %s %s: every pod of the cluster can reach its ports", [lib.server_label(s), s.deployment.kubernetes.kind, s.deployment.kubernetes.name]))
}

# METADATA
# title: Credentials in a ConfigMap
# description: >-
#   The server's nats.conf comes from a ConfigMap and holds a plaintext
#   password, token, nkey seed or private key. ConfigMaps are not secret:
#   anyone allowed to read ConfigMaps in the namespace (many roles and
#   tools are) reads the credential, it is not encrypted at rest, and it is
#   committed to this repository. The nats chart renders its config into a
#   ConfigMap, so credentials in config.merge land there too.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/configmap/
#   - ref: https://kubernetes.io/docs/concepts/configuration/secret/
# custom:
#   id: NATS-K8S-007
#   severity: high
#   category: security
#   facets: [deployment.kubernetes]
#   remediation: |-
#     Keep credentials out of the ConfigMap: store bcrypt hashes for
#     passwords, or reference environment variables filled from a Secret
#     (`password: $NATS_PASSWORD` with `env[].valueFrom.secretKeyRef`), or
#     mount the authorization block from a Secret and `include` it.
deny contains f if {
	some s in _kube_servers
	startswith(s.deployment.kubernetes.config_from, "ConfigMap")
	some p in s.secret_paths
	v := object.get(s.config, p, null)
	_plaintext(v)
	f := lib.finding(rego.metadata.rule(), s, concat("/", array.concat(["config"], [sprintf("%v", [x]) | some x in p])), sprintf("%s: %s holds %s in plaintext (%s)", [lib.server_label(s), s.deployment.kubernetes.config_from, _what(v), concat("/", [sprintf("%v", [x]) | some x in p])]))
}

_plaintext(v) if {
	v.origin == "literal"
	not v.empty
	not v.bcrypt
}

_what(v) := "an nkey seed" if {
	v.nkey_seed == true
} else := "a private key" if {
	v.private_key == true
} else := "a credential"

# METADATA
# title: NATS credentials committed in a Kubernetes Secret or Helm values
# description: >-
#   A Secret manifest committed to the repository holds a password, token,
#   nkey seed or creds file that a NATS server or NACK account uses (or the
#   nats chart's values embed credentials, e.g. natsBox.contexts.*.creds).
#   base64 in `data:` is an encoding, not encryption: everyone who can read
#   the repository, its forks and its CI logs has the credential.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/secrets-good-practices/
# custom:
#   id: NATS-K8S-008
#   severity: high
#   category: security
#   facets: [deployment.kubernetes]
#   remediation: |-
#     Keep the value out of git: create the Secret at deploy time (External
#     Secrets Operator, Sealed Secrets, SOPS, Vault), commit only the
#     reference (`secretKeyRef`, `natsBox.contexts.default.creds.secretName`),
#     and rotate the committed credential.
deny contains f if {
	some ks in input.kube_secrets
	_nats_secret(ks)
	some key, v in ks.keys
	_credential(key, v)
	f := lib.finding(rego.metadata.rule(), ks, sprintf("keys/%s", [key]), _k8s_008_msg(ks, key, v))
}

_nats_secret(ks) if count(ks.used_by) > 0

_nats_secret(ks) if contains(lower(ks.name), "nats")

_nats_secret(ks) if ks.source == "helm_values"

_credential(key, v) if {
	not v.empty
	secrets.secret_var_name(key)
}

_credential(_, v) if v.nkey_seed == true

_credential(_, v) if v.private_key == true

_credential(key, v) if {
	not v.empty
	endswith(lower(key), ".creds")
}

_k8s_008_msg(ks, key, _) := sprintf("the values of %s embed %s in plaintext", [ks.file, key]) if {
	ks.source == "helm_values"
} else := sprintf("Secret %s commits %s to the repository%s", [ks.name, key, _used(ks)])

_used(ks) := sprintf(" (used by %s)", [lib.short_list(ks.used_by, 3)]) if {
	count(ks.used_by) > 0
} else := ""

# METADATA
# title: Several NATS replicas that do not form a cluster
# description: >-
#   The workload runs more than one nats-server pod but the config has no
#   cluster block, so the pods are independent servers behind one Service:
#   a client connected to one pod never sees messages published on another,
#   and each pod has its own JetStream with its own copy of nothing.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/clustering
# custom:
#   id: NATS-K8S-009
#   severity: high
#   category: reliability
#   facets: [deployment.kubernetes]
#   remediation: |-
#     Cluster the pods (routes to each StatefulSet pod through the headless
#     Service), or run one replica:
#
#         cluster {
#           name: nats
#           port: 6222
#           routes: [nats://nats-0.nats-headless:6222, nats://nats-1.nats-headless:6222, nats://nats-2.nats-headless:6222]
#         }
deny contains f if {
	some s in _kube_servers
	is_object(s.config)
	lib.num(s.deployment.replicas) > 1
	not clustering.clustered_config(s)
	f := lib.finding(rego.metadata.rule(), s, "deployment/replicas", sprintf("%s: %s %s runs %d replicas but its config has no cluster block: they are %d unrelated servers behind one Service", [lib.server_label(s), s.deployment.kubernetes.kind, s.deployment.kubernetes.name, s.deployment.replicas, s.deployment.replicas]))
}
