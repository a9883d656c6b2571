package natsaudit.rules.kubernetes_test

import data.natsaudit.rules.kubernetes
import data.natsaudit.test.helpers
import data.natsaudit.test.security as fx

findings(doc) := {f | some f in kubernetes.deny with input as doc}

hits(doc, id) := helpers.hits(findings(doc), id)

fires(doc, id) if helpers.fires(findings(doc), id)

one(doc, id) := helpers.one(findings(doc), id)

# hardened is the security context of a container that passes every check.
hardened := {
	"run_as_non_root": true, "run_as_user": 1000, "read_only_root_filesystem": true,
	"allow_privilege_escalation": false, "privileged": false, "capabilities_add": [],
}

# kube(extra): the workload facts; a security_context in extra replaces the
# hardened one whole (object.union would merge the two).
kube(extra) := object.union(
	{
		"kind": "StatefulSet", "name": "nats", "namespace": "messaging", "container": "nats",
		"config_from": "ConfigMap nats-config (key nats.conf)",
		"security_context": object.get(extra, "security_context", hardened),
		"host_network": false, "anti_affinity": "", "topology_spread": true,
		"pod_disruption_budget": "nats", "network_policies": ["nats"], "services": [],
	},
	object.remove(extra, ["security_context"]),
)

# server(cfg, replicas, k): a server run by a Kubernetes workload.
server(cfg, replicas, k) := object.union(fx.compose_server(cfg, []), {
	"sources": ["kubernetes", "config"],
	"deployment": {"kind": "kubernetes", "file": "k8s/nats.yaml", "service": "nats", "replicas": replicas, "kubernetes": kube(k)},
})

clustered(js) := object.union(fx.good_config, {
	"jetstream": {"enabled": js},
	"cluster": {"name": "nats", "port": 6222, "routes": ["nats://nats-0.nats:6222", "nats://nats-1.nats:6222", "nats://nats-2.nats:6222"]},
})

sc(extra) := {"security_context": object.union(hardened, extra)}

# ---------------------------------------------------------------- NATS-K8S-001

test_k8s_001_fires_for_privileged if {
	f := one(fx.input_with(server(fx.good_config, 1, sc({"privileged": true}))), "NATS-K8S-001")
	f.path == "deployment/kubernetes/security_context/privileged"
}

test_k8s_001_fires_for_sys_admin if {
	fires(fx.input_with(server(fx.good_config, 1, sc({"capabilities_add": ["SYS_ADMIN"]}))), "NATS-K8S-001")
}

test_k8s_001_quiet_when_hardened if {
	not fires(fx.input_with(server(fx.good_config, 1, {})), "NATS-K8S-001")
	not fires(fx.input_with(server(fx.good_config, 1, sc({"capabilities_add": ["NET_BIND_SERVICE"]}))), "NATS-K8S-001")
}

test_k8s_001_quiet_for_compose if {
	# compose deployments have no kubernetes facts
	not fires(fx.input_with(fx.compose_server(fx.good_config, [])), "NATS-K8S-001")
}

# ---------------------------------------------------------------- NATS-K8S-002

test_k8s_002_fires_without_run_as if {
	s := server(fx.good_config, 1, {"security_context": {"capabilities_add": []}})
	f := one(fx.input_with(s), "NATS-K8S-002")
	f.path == "deployment/kubernetes/security_context/run_as_non_root"
}

test_k8s_002_fires_for_uid_0 if {
	s := server(fx.good_config, 1, {"security_context": {"run_as_user": 0, "capabilities_add": []}})
	fires(fx.input_with(s), "NATS-K8S-002")
}

test_k8s_002_quiet_with_run_as_user if {
	s := server(fx.good_config, 1, {"security_context": {"run_as_user": 1000, "capabilities_add": []}})
	not fires(fx.input_with(s), "NATS-K8S-002")
	not fires(fx.input_with(server(fx.good_config, 1, {})), "NATS-K8S-002")
}

# ---------------------------------------------------------------- NATS-K8S-003

test_k8s_003_fires_and_names_what_is_missing if {
	s := server(fx.good_config, 1, {"security_context": {"run_as_non_root": true, "allow_privilege_escalation": false, "capabilities_add": []}})
	f := one(fx.input_with(s), "NATS-K8S-003")
	contains(f.msg, "readOnlyRootFilesystem: true")
	not contains(f.msg, "allowPrivilegeEscalation")
}

test_k8s_003_quiet_when_hardened if {
	not fires(fx.input_with(server(fx.good_config, 1, {})), "NATS-K8S-003")
}

# ---------------------------------------------------------------- NATS-K8S-004

test_k8s_004_fires_without_spread if {
	s := server(clustered(true), 3, {"topology_spread": false})
	f := one(fx.input_with(s), "NATS-K8S-004")
	f.path == "deployment/replicas"
}

test_k8s_004_fires_for_preferred_anti_affinity_only if {
	s := server(clustered(true), 3, {"topology_spread": false, "anti_affinity": "preferred"})
	f := one(fx.input_with(s), "NATS-K8S-004")
	f.path == "deployment/kubernetes/anti_affinity"
}

test_k8s_004_quiet_with_required_anti_affinity_or_spread if {
	not fires(fx.input_with(server(clustered(true), 3, {"topology_spread": false, "anti_affinity": "required"})), "NATS-K8S-004")
	not fires(fx.input_with(server(clustered(true), 3, {})), "NATS-K8S-004")
}

test_k8s_004_quiet_for_one_replica_or_no_jetstream if {
	not fires(fx.input_with(server(clustered(true), 1, {"topology_spread": false})), "NATS-K8S-004")
	not fires(fx.input_with(server(clustered(false), 3, {"topology_spread": false})), "NATS-K8S-004")
}

# ---------------------------------------------------------------- NATS-K8S-005

test_k8s_005_fires_without_pdb if {
	s := server(clustered(true), 3, {"pod_disruption_budget": ""})
	f := one(fx.input_with(s), "NATS-K8S-005")
	f.path == "deployment/replicas"
}

test_k8s_005_quiet_with_pdb_or_single_replica if {
	not fires(fx.input_with(server(clustered(true), 3, {})), "NATS-K8S-005")
	not fires(fx.input_with(server(clustered(true), 1, {"pod_disruption_budget": ""})), "NATS-K8S-005")
}

# ---------------------------------------------------------------- NATS-K8S-006

test_k8s_006_fires_without_network_policy if {
	s := server(fx.good_config, 1, {"network_policies": []})
	f := one(fx.input_with(s), "NATS-K8S-006")
	f.path == "deployment"
}

test_k8s_006_quiet_with_network_policy if {
	not fires(fx.input_with(server(fx.good_config, 1, {})), "NATS-K8S-006")
}

# ---------------------------------------------------------------- NATS-K8S-007

pw(facts) := object.union({"secret": true, "origin": "literal", "empty": false, "bcrypt": false, "nkey_seed": false, "private_key": false}, facts)

with_password(facts) := object.union(fx.good_config, {"authorization": {"users": [{"user": "app", "password": pw(facts)}]}})

in_configmap(cfg) := object.union(server(cfg, 1, {}), {"secret_paths": [["authorization", "users", 0, "password"]]})

test_k8s_007_fires_for_plaintext_password_in_configmap if {
	f := one(fx.input_with(in_configmap(with_password({}))), "NATS-K8S-007")
	f.path == "config/authorization/users/0/password"
	contains(f.msg, "ConfigMap nats-config")
}

test_k8s_007_quiet_for_bcrypt_or_env if {
	not fires(fx.input_with(in_configmap(with_password({"bcrypt": true}))), "NATS-K8S-007")
	not fires(fx.input_with(in_configmap(with_password({"origin": "env"}))), "NATS-K8S-007")
}

test_k8s_007_quiet_for_config_from_a_secret if {
	s := object.union(in_configmap(with_password({})), {"deployment": {"kubernetes": {"config_from": "Secret nats-config (key nats.conf)"}}})
	not fires(fx.input_with(s), "NATS-K8S-007")
}

# ---------------------------------------------------------------- NATS-K8S-008

ksecret(name, used_by, keys) := {
	"ref": "kube_secrets/0", "name": name, "namespace": "messaging", "file": "k8s/secret.yaml",
	"type": "Opaque", "source": "manifest", "keys": keys, "used_by": used_by,
}

key(facts) := object.union({"secret": true, "origin": "literal", "empty": false, "nkey_seed": false, "private_key": false}, facts)

with_secret(ks) := object.union(fx.input_with(server(fx.good_config, 1, {})), {"kube_secrets": [ks]})

test_k8s_008_fires_for_a_used_password if {
	f := one(with_secret(ksecret("app-auth", ["nats"], {"password": key({})})), "NATS-K8S-008")
	f.ref == "kube_secrets/0"
	f.path == "keys/password"
	contains(f.msg, "used by nats")
}

test_k8s_008_fires_for_a_seed_in_a_nats_secret if {
	fires(with_secret(ksecret("nats-creds", [], {"user.nk": key({"nkey_seed": true})})), "NATS-K8S-008")
}

test_k8s_008_quiet_for_unrelated_or_empty_secrets if {
	not fires(with_secret(ksecret("postgres", [], {"password": key({})})), "NATS-K8S-008")
	not fires(with_secret(ksecret("nats-auth", ["nats"], {"password": key({"empty": true})})), "NATS-K8S-008")
	not fires(with_secret(ksecret("nats-tls", ["nats"], {"ca.crt": key({})})), "NATS-K8S-008")
}

# ---------------------------------------------------------------- NATS-K8S-009

test_k8s_009_fires_for_replicas_without_cluster if {
	f := one(fx.input_with(server(fx.good_config, 3, {})), "NATS-K8S-009")
	f.path == "deployment/replicas"
	contains(f.msg, "3 unrelated servers")
}

test_k8s_009_quiet_when_clustered_or_single if {
	not fires(fx.input_with(server(clustered(false), 3, {})), "NATS-K8S-009")
	not fires(fx.input_with(server(fx.good_config, 1, {})), "NATS-K8S-009")
}
