package natsaudit.rules.credentials_test

import data.natsaudit.rules.credentials
import data.natsaudit.test.helpers
import data.natsaudit.test.security as fx

findings(doc) := {f | some f in credentials.deny with input as doc}

hits(doc, id) := helpers.hits(findings(doc), id)

fires(doc, id) if helpers.fires(findings(doc), id)

one(doc, id) := helpers.one(findings(doc), id)

replace(obj, key, value) := object.union(object.remove(obj, [key]), {key: value})

with_users(list) := replace(fx.good_config, "authorization", {"users": list})

user(name, pw) := {"user": name, "password": pw, "permissions": {"publish": {"allow": ["app.>"], "deny": []}}}

# Secrets as the sources describe them.
literal_pw := fx.secret({"length": 24, "entropy": 4.2, "digest": "1111aaaa2222bbbb"})

changeme := fx.secret({"placeholder": true, "length": 8, "entropy": 2.75, "digest": "b1f8de82829180c3"})

random32 := fx.secret({"length": 32, "entropy": 4.9, "digest": "3333cccc4444dddd"})

short_pw := fx.secret({"length": 7, "entropy": 2.8, "digest": "5555eeee6666ffff"})

env_pw(facts) := fx.secret(object.union({"origin": "env", "env_var": "NATS_PASSWORD", "resolved": true, "resolved_from": "config/base.env"}, facts))

seed := fx.secret({"nkey_seed": true, "length": 58, "entropy": 4.6, "digest": "7777000077770000"})

# env_file(vars): a .env file the NATS compose service loads.
env_file(vars) := {"ref": "env_files/0", "file": "config/base.env", "vars": {name: {"name": name, "line": i + 1, "facts": facts} |
	some i, [name, facts] in vars
}}

with_env(vars) := object.union(fx.input_with(fx.server(fx.good_config)), {"env_files": [env_file(vars)]})

# ---------------------------------------------------------------- NATS-CRED-001

test_cred_001_fires_for_literal_password if {
	f := one(fx.input_with(fx.server(with_users([user("nats_monitor", literal_pw)]))), "NATS-CRED-001")
	f.path == "config/authorization/users/0/password"
	f.msg == "server nats-1: the password of user \"nats_monitor\" is stored in plaintext in the config (not a bcrypt hash)"
}

test_cred_001_quiet_for_bcrypt if {
	not fires(fx.input_with(fx.server(with_users([user("app", fx.bcrypt)]))), "NATS-CRED-001")
}

test_cred_001_quiet_for_env_reference if {
	# password: $NATS_PASSWORD with no value in the repository
	ref := fx.secret({"origin": "env", "env_var": "NATS_PASSWORD", "resolved": false, "length": 0})
	not fires(fx.input_with(fx.server(with_users([user("app", ref)]))), "NATS-CRED-001")
}

test_cred_001_fires_for_literal_token if {
	c := replace(fx.good_config, "authorization", {"token": random32})
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-001")
	contains(f.msg, "authorization token")
}

test_cred_001_quiet_for_route_authorization if {
	c := object.union(fx.good_config, {"cluster": {"port": 6222, "tls": fx.tls_block, "authorization": {"user": "route", "password": literal_pw}}})
	not fires(fx.input_with(fx.server(c)), "NATS-CRED-001")
}

test_cred_001_fires_for_route_url_credentials if {
	c := object.union(fx.good_config, {"cluster": {"port": 6222, "tls": fx.tls_block, "routes": ["nats://route:****@nats-2:6222", "nats://nats-3:6222"]}})
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-001")
	f.path == "config/cluster/routes/0"
	contains(f.msg, "nats://route:****@nats-2:6222")
}

test_cred_001_quiet_for_route_without_userinfo if {
	c := object.union(fx.good_config, {"cluster": {"port": 6222, "tls": fx.tls_block, "routes": ["nats://nats-2:6222", "tls://nats-3:6222"]}})
	not fires(fx.input_with(fx.server(c)), "NATS-CRED-001")
}

test_cred_001_fires_for_literal_jetstream_key if {
	c := object.union(fx.good_config, {"jetstream": {"enabled": true, "cipher": "chachapoly", "key": random32}})
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-001")
	f.path == "config/jetstream/key"
}

test_cred_001_quiet_for_jetstream_key_from_env if {
	k := fx.secret({"origin": "env", "env_var": "JS_KEY", "resolved": false, "length": 0})
	c := object.union(fx.good_config, {"jetstream": {"enabled": true, "cipher": "chachapoly", "key": k}})
	not fires(fx.input_with(fx.server(c)), "NATS-CRED-001")
}

test_cred_001_fires_for_url_credentials_in_env if {
	url := fx.secret({"url_credentials": true, "length": 34})
	f := one(with_env([["NATS_URL", url]]), "NATS-CRED-001")
	f.ref == "env_files/0"
	f.path == "vars/NATS_URL"
}

test_cred_001_quiet_for_url_with_references if {
	# NATS_URL=nats://${NATS_USER}:${NATS_PASSWORD}@nats:4222 has no literal password.
	url := fx.secret({"length": 18, "entropy": 3.09})
	not fires(with_env([["NATS_URL", url]]), "NATS-CRED-001")
}

test_cred_001_fires_for_committed_env_secret if {
	f := one(with_env([["NATS_PASSWORD", literal_pw]]), "NATS-CRED-001")
	f.msg == "config/base.env commits the secret NATS_PASSWORD in plaintext"
}

test_cred_001_quiet_for_env_secret_with_default_reference if {
	# NATS_PASSWORD=${NATS_PASSWORD:-MUST_SET_IN_PRODUCTION}: not a literal (CRED-002's case)
	not fires(with_env([["NATS_PASSWORD", env_pw({"placeholder": true})]]), "NATS-CRED-001")
}

test_cred_001_fires_for_compose_inline_environment if {
	s := object.union(fx.compose_server(fx.good_config, []), {"deployment": object.union(fx.deployment([]), {"environment": {
		"NATS_PASSWORD": fx.secret({"resolved": true, "resolved_from": "docker-compose.yml", "length": 14, "entropy": 2.81}),
		"NATS_SERVER_NAME": fx.secret({"resolved": true, "resolved_from": "docker-compose.yml", "length": 6}),
	}})})
	f := one(fx.input_with(s), "NATS-CRED-001")
	f.path == "deployment/environment/NATS_PASSWORD"
}

test_cred_001_quiet_for_cli_password if {
	# --pass is NATS-CRED-004's
	c := replace(fx.good_config, "authorization", {"user": "admin", "password": literal_pw})
	s := object.union(fx.compose_server(c, []), {"deployment": object.union(fx.deployment([]), {"flags": {"user": "admin", "pass": literal_pw}})})
	not fires(fx.input_with(s), "NATS-CRED-001")
}

test_cred_001_fires_for_leafnode_authorization if {
	# Only route and gateway passwords must stay plaintext (the soliciting
	# side sends them); a leafnode listener's users can use bcrypt.
	c := object.union(fx.good_config, {"leafnodes": {"port": 7422, "authorization": {"user": "leaf", "password": literal_pw}}})
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-001")
	f.path == "config/leafnodes/authorization/password"
}

test_cred_001_fires_for_config_password_when_flags_set_no_pass if {
	# Only a --pass flag makes the config password NATS-CRED-004's.
	c := replace(fx.good_config, "authorization", {"user": "admin", "password": literal_pw})
	s := object.union(fx.compose_server(c, []), {"deployment": object.union(fx.deployment([]), {"flags": {"user": "admin"}})})
	f := one(fx.input_with(s), "NATS-CRED-001")
	f.path == "config/authorization/password"
}

test_cred_001_fires_for_users_password_with_pass_flag if {
	# --pass sets authorization.password, not the passwords of the users list.
	c := with_users([user("app", literal_pw)])
	s := object.union(fx.compose_server(c, []), {"deployment": object.union(fx.deployment([]), {"flags": {"pass": random32}})})
	some f in hits(fx.input_with(s), "NATS-CRED-001")
	contains(f.path, "users")
}

# ---------------------------------------------------------------- NATS-CRED-002

test_cred_002_fires_for_changeme if {
	f := one(fx.input_with(fx.server(with_users([user("nats_monitor", changeme)]))), "NATS-CRED-002")
	f.msg == "server nats-1: the password of user \"nats_monitor\" is a well-known default or placeholder value"
}

test_cred_002_quiet_for_random_password if {
	not fires(fx.input_with(fx.server(with_users([user("nats_monitor", random32)]))), "NATS-CRED-002")
}

test_cred_002_fires_for_docs_hash if {
	h := fx.secret({"bcrypt": true, "known_hash": true, "placeholder": true, "length": 60})
	f := one(fx.input_with(fx.server(with_users([user("app", h)]))), "NATS-CRED-002")
	contains(f.msg, "published in the NATS documentation")
}

test_cred_002_fires_for_password_equal_to_user if {
	f := one(fx.input_with(fx.server(with_users([user("app", fx.secret({"equals_user": true, "length": 12}))]))), "NATS-CRED-002")
	contains(f.msg, "equals the user name")
}

test_cred_002_fires_for_nats_docker_route_password if {
	c := object.union(fx.good_config, {"cluster": {"port": 6222, "authorization": {"user": "ruser", "password": fx.secret({"placeholder": true, "length": 9})}}})
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-002")
	f.path == "config/cluster/authorization/password"
	contains(f.msg, "route password")
}

test_cred_002_fires_in_env_file_for_placeholder_default if {
	f := one(with_env([["NATS_PASSWORD", env_pw({"placeholder": true})], ["NATS_USER", fx.secret({"length": 10})]]), "NATS-CRED-002")
	f.path == "vars/NATS_PASSWORD"
	contains(f.msg, "falls back to a placeholder default")
}

test_cred_002_reported_once_at_the_env_file if {
	# The config reads $NATS_PASSWORD, resolved from config/base.env: one
	# finding, at the .env line.
	c := with_users([user("app", env_pw({"placeholder": true}))])
	doc := object.union(fx.input_with(fx.server(c)), {"env_files": [env_file([["NATS_PASSWORD", env_pw({"placeholder": true})]])]})
	f := one(doc, "NATS-CRED-002")
	f.ref == "env_files/0"
}

test_cred_002_quiet_for_non_secret_variable if {
	# A user name that happens to be a dictionary word is not a credential.
	not fires(with_env([["NATS_USER", fx.secret({"placeholder": true, "length": 5})]]), "NATS-CRED-002")
}

test_cred_002_fires_for_compose_default if {
	tok := fx.secret({"origin": "env", "env_var": "NATS_TOKEN", "resolved": true, "resolved_from": "docker-compose.yml", "placeholder": true, "length": 8})
	s := object.union(fx.compose_server(fx.good_config, []), {"deployment": object.union(fx.deployment([]), {"environment": {"NATS_TOKEN": tok}})})
	f := one(fx.input_with(s), "NATS-CRED-002")
	f.path == "deployment/environment/NATS_TOKEN"
}

# ---------------------------------------------------------------- NATS-CRED-003

test_cred_003_fires_for_short_password if {
	f := one(fx.input_with(fx.server(with_users([user("app", short_pw)]))), "NATS-CRED-003")
	contains(f.msg, "7 characters, fewer than 12")
}

test_cred_003_fires_for_low_entropy if {
	pw := fx.secret({"length": 16, "entropy": 1.5})
	f := one(fx.input_with(fx.server(with_users([user("app", pw)]))), "NATS-CRED-003")
	contains(f.msg, "1.5 bits of entropy per character, below 3.0")
}

test_cred_003_fires_for_short_token if {
	c := replace(fx.good_config, "authorization", {"token": fx.secret({"length": 20, "entropy": 4.1})})
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-003")
	contains(f.msg, "20 characters, fewer than 32")
}

test_cred_003_quiet_for_random_32 if {
	not fires(fx.input_with(fx.server(with_users([user("app", random32)]))), "NATS-CRED-003")
}

test_cred_003_quiet_for_placeholder if {
	# "changeme" is NATS-CRED-002's (critical), not also weak.
	not fires(fx.input_with(fx.server(with_users([user("app", changeme)]))), "NATS-CRED-003")
}

test_cred_003_quiet_for_bcrypt if {
	not fires(fx.input_with(fx.server(with_users([user("app", fx.bcrypt)]))), "NATS-CRED-003")
}

test_cred_003_fires_in_env_file if {
	f := one(with_env([["NATS_ADMIN_PASSWORD", short_pw]]), "NATS-CRED-003")
	f.path == "vars/NATS_ADMIN_PASSWORD"
}

test_cred_003_quiet_for_unresolved_env if {
	ref := fx.secret({"origin": "env", "env_var": "NATS_PASSWORD", "resolved": false, "length": 0, "entropy": 0})
	not fires(fx.input_with(fx.server(with_users([user("app", ref)]))), "NATS-CRED-003")
}

test_cred_003_fires_in_compose_environment if {
	pw := fx.secret({"resolved": true, "resolved_from": "docker-compose.yml", "length": 14, "entropy": 2.81})
	s := object.union(fx.compose_server(fx.good_config, []), {"deployment": object.union(fx.deployment([]), {"environment": {"NATS_PASSWORD": pw}})})
	f := one(fx.input_with(s), "NATS-CRED-003")
	f.path == "deployment/environment/NATS_PASSWORD"
	contains(f.msg, "2.8 bits of entropy per character")
}

# ---------------------------------------------------------------- NATS-CRED-004

cli(flags, cfg, tag) := object.union(fx.compose_server(cfg, []), {
	"version": fx.version(tag, tag),
	"deployment": object.union(fx.deployment([]), {"flags": flags, "image": sprintf("nats:%s", [tag]), "image_tag": tag}),
})

test_cred_004_fires_for_pass_flag if {
	c := replace(fx.good_config, "authorization", {"user": "admin", "password": literal_pw})
	f := one(fx.input_with(cli({"user": "admin", "pass": literal_pw}, c, "2.15.2")), "NATS-CRED-004")
	f.path == "config/authorization/password"
	not f.severity
}

test_cred_004_fires_high_with_monitoring_on_affected_version if {
	c := object.union(replace(fx.good_config, "authorization", {"token": random32}), {"http_port": 8222})
	f := one(fx.input_with(cli({"auth": random32, "http_port": 8222}, c, "2.10.24")), "NATS-CRED-004")
	f.severity == "high"
	contains(f.msg, "CVE-2026-33247")
}

test_cred_004_fires_for_route_credentials if {
	c := object.union(fx.good_config, {"cluster": {"routes": ["nats://ruser:****@nats-2:6222"]}})
	f := one(fx.input_with(cli({"routes": "nats://ruser:****@nats-2:6222", "routes_with_credentials": true}, c, "2.15.2")), "NATS-CRED-004")
	f.path == "config/cluster/routes"
}

test_cred_004_quiet_for_user_flag_only if {
	not fires(fx.input_with(cli({"user": "admin", "jetstream": true}, fx.good_config, "2.15.2")), "NATS-CRED-004")
}

test_cred_004_quiet_for_routes_without_credentials if {
	not fires(fx.input_with(cli({"routes": "nats://nats-2:6222"}, fx.good_config, "2.15.2")), "NATS-CRED-004")
}

# ---------------------------------------------------------------- NATS-CRED-005

test_cred_005_fires_for_seed_as_user_nkey if {
	c := with_users([{"nkey": seed, "permissions": {"publish": {"allow": ["app.>"], "deny": []}}}])
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-005")
	f.path == "config/authorization/users/0/nkey"
	not f.severity
	contains(f.msg, "an nkey seed (private key) is written at config/authorization/users/0/nkey")
}

test_cred_005_quiet_for_public_nkey if {
	c := with_users([{"nkey": "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"}])
	not fires(fx.input_with(fx.server(c)), "NATS-CRED-005")
}

test_cred_005_fires_high_for_inline_remote_seed if {
	c := object.union(fx.good_config, {"leafnodes": {"remotes": [{"urls": ["tls://hub:7422"], "nkey": seed}]}})
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-005")
	f.severity == "high"
}

test_cred_005_quiet_for_remote_credentials_file if {
	c := object.union(fx.good_config, {"leafnodes": {"remotes": [{"urls": ["tls://hub:7422"], "creds": "/etc/nats/leaf.creds"}]}})
	not fires(fx.input_with(fx.server(c)), "NATS-CRED-005")
}

test_cred_005_fires_for_seed_in_env_file if {
	f := one(with_env([["NATS_NKEY_SEED", seed]]), "NATS-CRED-005")
	f.severity == "high"
	f.path == "vars/NATS_NKEY_SEED"
}

test_cred_005_quiet_for_public_key_in_env if {
	not fires(with_env([["NATS_NKEY", fx.secret({"length": 56})]]), "NATS-CRED-005")
}

# ------------------------------------------- conditions, one by one (issue 20)

# compose_env(env): a NATS compose service whose environment: holds env.
compose_env(env) := fx.input_with(object.union(fx.compose_server(fx.good_config, []), {"deployment": object.union(fx.deployment([]), {"environment": env})}))

inline(facts) := fx.secret(object.union({"resolved": true, "resolved_from": "docker-compose.yml"}, facts))

# credential(kind, facts): a credential committed outside a server config.
credential(kind, facts) := {"ref": "credentials/0", "file": "scripts/setup.sh", "line": 3, "source": "script", "key": "NATS_URL", "kind": kind, "facts": fx.secret(facts)}

with_credentials(list) := object.union(fx.input_with(fx.server(fx.good_config)), {"credentials": list})

test_cred_001_quiet_for_empty_or_template_password if {
	# An empty password is NATS-CRED-003's ("empty"); a template is filled
	# in at deploy time.
	not fires(fx.input_with(fx.server(with_users([user("app", fx.secret({"empty": true, "length": 0, "entropy": 0}))]))), "NATS-CRED-001")
	not fires(fx.input_with(fx.server(with_users([user("app", fx.secret({"template": true}))]))), "NATS-CRED-001")
	not fires(fx.input_with(fx.server(object.union(fx.good_config, {"jetstream": {"key": fx.secret({"empty": true, "length": 0})}}))), "NATS-CRED-001")
}

test_cred_001_auth_flag_covers_only_the_token if {
	# --auth sets authorization.token (NATS-CRED-004's); a user's password
	# in the config is still CRED-001's.
	tok := replace(fx.good_config, "authorization", {"token": literal_pw})
	s := object.union(fx.compose_server(tok, []), {"deployment": object.union(fx.deployment([]), {"flags": {"auth": literal_pw}})})
	not fires(fx.input_with(s), "NATS-CRED-001")
	s2 := object.union(fx.compose_server(with_users([user("app", literal_pw)]), []), {"deployment": object.union(fx.deployment([]), {"flags": {"auth": random32}})})
	f := one(fx.input_with(s2), "NATS-CRED-001")
	f.path == "config/authorization/users/0/password"
}

test_cred_001_quiet_for_route_url_from_routes_flag if {
	# --routes nats://u:p@... is NATS-CRED-004's, not also a config URL.
	c := object.union(fx.good_config, {"cluster": {"routes": ["nats://ruser:T0pS3cr3tx@nats-2:6222"]}})
	s := object.union(fx.compose_server(c, []), {"deployment": object.union(fx.deployment([]), {"flags": {"routes": "nats://ruser:T0pS3cr3tx@nats-2:6222", "routes_with_credentials": true}})})
	not fires(fx.input_with(s), "NATS-CRED-001")
	fires(fx.input_with(fx.server(c)), "NATS-CRED-001")
}

test_cred_001_quiet_for_url_password_from_variable if {
	c := object.union(fx.good_config, {"cluster": {"routes": ["nats://ruser:$ROUTE_PASS@nats-2:6222"]}})
	not fires(fx.input_with(fx.server(c)), "NATS-CRED-001")
}

test_cred_001_env_file_values_that_are_not_plaintext_secrets if {
	not fires(with_env([["NATS_PASSWORD", fx.secret({"empty": true, "length": 0, "entropy": 0})]]), "NATS-CRED-001")
	not fires(with_env([["NATS_PASSWORD", fx.bcrypt]]), "NATS-CRED-001")
	not fires(with_env([["NATS_PASSWORD", fx.secret({"template": true})]]), "NATS-CRED-001")
	not fires(with_env([["NATS_NKEY_SEED", seed]]), "NATS-CRED-001")
}

test_cred_001_env_url_reported_once_as_url if {
	f := one(with_env([["NATS_PASSWORD", fx.secret({"url_credentials": true, "length": 34})]]), "NATS-CRED-001")
	contains(f.msg, "embeds a user name and password in a URL")
}

test_cred_001_quiet_for_env_url_with_default_password if {
	# nats://ruser:T0pS3cr3t@...: the published default is NATS-CRED-002's.
	url := fx.secret({"url_credentials": true, "placeholder": true, "length": 34})
	not fires(with_env([["NATS_URL", url]]), "NATS-CRED-001")
	fires(with_env([["NATS_URL", url]]), "NATS-CRED-002")
}

test_cred_001_compose_environment_values_that_are_not_plaintext if {
	not fires(compose_env({"NATS_PASSWORD": inline({"origin": "env", "env_var": "PW", "length": 20})}), "NATS-CRED-001")
	not fires(compose_env({"NATS_PASSWORD": inline({"empty": true, "length": 0, "entropy": 0})}), "NATS-CRED-001")
	not fires(compose_env({"NATS_PASSWORD": inline({"bcrypt": true, "length": 60})}), "NATS-CRED-001")
	not fires(compose_env({"NATS_PASSWORD": inline({"template": true})}), "NATS-CRED-001")
	not fires(compose_env({"NATS_NKEY_SEED": inline({"nkey_seed": true, "length": 58})}), "NATS-CRED-001")
	not fires(compose_env({"NATS_URL": inline({"url_credentials": true, "placeholder": true})}), "NATS-CRED-001")
}

test_cred_001_compose_environment_plaintext if {
	# A literal default password and a URL with a real password are both
	# committed in plaintext.
	f := one(compose_env({"NATS_PASSWORD": inline({"placeholder": true, "length": 8})}), "NATS-CRED-001")
	f.path == "deployment/environment/NATS_PASSWORD"
	g := one(compose_env({"NATS_URL": inline({"url_credentials": true, "length": 40})}), "NATS-CRED-001")
	g.path == "deployment/environment/NATS_URL"
}

test_cred_001_fires_for_committed_credentials if {
	f := one(with_credentials([credential("url", {"url_credentials": true})]), "NATS-CRED-001")
	f.msg == "scripts/setup.sh commits a NATS URL with a user name and password in plaintext (NATS_URL)"
	g := one(with_credentials([credential("token", {})]), "NATS-CRED-001")
	contains(g.msg, "commits a NATS token in plaintext")
	h := one(with_credentials([credential("password", {})]), "NATS-CRED-001")
	contains(h.msg, "commits a NATS password in plaintext")
}

test_cred_001_quiet_for_committed_credentials_that_are_not_plaintext if {
	not fires(with_credentials([credential("password", {"empty": true, "length": 0})]), "NATS-CRED-001")
	not fires(with_credentials([credential("password", {"bcrypt": true})]), "NATS-CRED-001")
	not fires(with_credentials([credential("password", {"placeholder": true})]), "NATS-CRED-001")
}

test_cred_002_committed_credential_messages if {
	f := one(with_credentials([credential("url", {"url_credentials": true, "placeholder": true})]), "NATS-CRED-002")
	f.msg == "scripts/setup.sh commits a NATS URL whose password is a well-known default or placeholder value (NATS_URL)"
	g := one(with_credentials([credential("token", {"placeholder": true})]), "NATS-CRED-002")
	g.msg == "scripts/setup.sh commits a NATS token that is a well-known default or placeholder value (NATS_URL)"
}

test_cred_001_labels_a_password_without_a_user if {
	c := replace(fx.good_config, "authorization", {"password": literal_pw})
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-001")
	f.msg == "server nats-1: the password at authorization/password is stored in plaintext in the config (not a bcrypt hash)"
}

test_cred_001_labels_by_string_user_or_nkey_only if {
	# A user name that is not a string (hostile config) is not quoted as one.
	c := with_users([{"user": 42, "password": literal_pw}])
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-001")
	contains(f.msg, "the password at authorization/users/0/password is stored")
	c2 := with_users([{"nkey": "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4", "password": literal_pw}])
	g := one(fx.input_with(fx.server(c2)), "NATS-CRED-001")
	contains(g.msg, "the password of nkey user UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4 is stored")
	c3 := with_users([{"nkey": 7, "password": literal_pw}])
	h := one(fx.input_with(fx.server(c3)), "NATS-CRED-001")
	contains(h.msg, "the password at authorization/users/0/password is stored")
}

test_cred_002_env_url_reported_once if {
	url := fx.secret({"url_credentials": true, "placeholder": true, "length": 34})
	f := one(with_env([["NATS_PASSWORD", url]]), "NATS-CRED-002")
	contains(f.msg, "the password in the URL of NATS_PASSWORD")
}

test_cred_002_compose_environment if {
	# A non-secret variable is not judged; a URL is reported once, as a URL.
	not fires(compose_env({"NATS_USER": inline({"placeholder": true, "length": 5})}), "NATS-CRED-002")
	f := one(compose_env({"NATS_PASSWORD": inline({"url_credentials": true, "placeholder": true})}), "NATS-CRED-002")
	contains(f.msg, "the password in the URL of NATS_PASSWORD")
}

test_cred_002_env_reference_equal_to_user if {
	# Not a placeholder: the resolved value equals the user name.
	c := with_users([user("app", fx.secret({"origin": "env", "env_var": "PW", "resolved": true, "resolved_from": "docker-compose.yml", "equals_user": true}))])
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-002")
	contains(f.msg, "equals the user name")
}

test_cred_003_reported_once_at_the_env_file if {
	c := with_users([user("app", env_pw({"length": 7, "entropy": 2.8}))])
	doc := object.union(fx.input_with(fx.server(c)), {"env_files": [env_file([["NATS_PASSWORD", env_pw({"length": 7, "entropy": 2.8})]])]})
	f := one(doc, "NATS-CRED-003")
	f.ref == "env_files/0"
}

test_cred_003_env_file_values_not_judged if {
	not fires(with_env([["NATS_PASSWORD", fx.secret({"placeholder": true, "length": 8, "entropy": 2.75})]]), "NATS-CRED-003")
	not fires(with_env([["NATS_PASSWORD", fx.secret({"url_credentials": true, "length": 10, "entropy": 2})]]), "NATS-CRED-003")
}

test_cred_003_compose_environment_values_not_judged if {
	not fires(compose_env({"NATS_USER": inline({"length": 5, "entropy": 1.9})}), "NATS-CRED-003")
	not fires(compose_env({"NATS_PASSWORD": inline({"placeholder": true, "length": 8})}), "NATS-CRED-003")
	not fires(compose_env({"NATS_PASSWORD": inline({"url_credentials": true, "length": 10, "entropy": 2})}), "NATS-CRED-003")
	not fires(compose_env({"NATS_CREDS": inline({"path": true, "length": 9, "entropy": 2.9})}), "NATS-CRED-003")

	# ${NATS_TOKEN:-changeme}: a placeholder default, NATS-CRED-002's.
	not fires(compose_env({"NATS_TOKEN": inline({"origin": "env", "env_var": "NATS_TOKEN", "placeholder": true, "length": 8})}), "NATS-CRED-003")
}

test_cred_003_compose_environment_from_reference if {
	# ${NATS_TOKEN:-abcd1234} resolved in the compose file: judged.
	f := one(compose_env({"NATS_TOKEN": inline({"origin": "env", "env_var": "NATS_TOKEN", "length": 8, "entropy": 3})}), "NATS-CRED-003")
	contains(f.msg, "8 characters, fewer than 32")
}

test_cred_003_compose_value_from_env_file_judged_there if {
	doc := object.union(compose_env({"NATS_PASSWORD": env_pw({"length": 7, "entropy": 2.8})}), {"env_files": [env_file([["NATS_PASSWORD", env_pw({"length": 7, "entropy": 2.8})]])]})
	f := one(doc, "NATS-CRED-003")
	f.ref == "env_files/0"
}

test_cred_003_empty_password if {
	f := one(fx.input_with(fx.server(with_users([user("app", fx.secret({"empty": true, "length": 0, "entropy": 0}))]))), "NATS-CRED-003")
	endswith(f.msg, "is weak (empty)")
}

test_cred_003_length_and_entropy_bounds if {
	# Exactly the minimum length, exactly the minimum entropy: not weak.
	not fires(fx.input_with(fx.server(with_users([user("app", fx.secret({"length": 12, "entropy": 4}))]))), "NATS-CRED-003")
	not fires(fx.input_with(fx.server(with_users([user("app", fx.secret({"length": 16, "entropy": 3}))]))), "NATS-CRED-003")
	f := one(fx.input_with(fx.server(with_users([user("app", fx.secret({"length": 12, "entropy": 1.5}))]))), "NATS-CRED-003")
	contains(f.msg, "1.5 bits of entropy per character")
}

test_cred_004_medium_without_monitoring_or_on_fixed_version if {
	c := replace(fx.good_config, "authorization", {"token": random32})
	f := one(fx.input_with(cli({"auth": random32}, c, "2.10.24")), "NATS-CRED-004")
	not f.severity
	c2 := object.union(c, {"http_port": 8222})
	g := one(fx.input_with(cli({"auth": random32, "http_port": 8222}, c2, "2.15.2")), "NATS-CRED-004")
	not g.severity
}

test_cred_005_seed_from_env_file_reported_there if {
	env_seed := object.union(seed, {"origin": "env", "env_var": "NATS_NKEY_SEED", "resolved": true, "resolved_from": "config/base.env"})
	c := with_users([{"nkey": env_seed}])
	doc := object.union(fx.input_with(fx.server(c)), {"env_files": [env_file([["NATS_NKEY_SEED", seed]])]})
	f := one(doc, "NATS-CRED-005")
	f.ref == "env_files/0"
}

test_cred_005_env_file_seed_only_when_literal if {
	not fires(with_env([["NATS_NKEY_SEED", object.union(seed, {"origin": "env", "env_var": "SEED"})]]), "NATS-CRED-005")
	f := one(with_env([["NATS_TLS_KEY", fx.secret({"private_key": true, "length": 241})]]), "NATS-CRED-005")
	f.msg == "config/base.env: NATS_TLS_KEY holds a PEM private key in plaintext"
}

test_cred_005_compose_environment_seed if {
	f := one(compose_env({"NATS_NKEY_SEED": inline({"nkey_seed": true, "length": 58})}), "NATS-CRED-005")
	f.severity == "high"
	f.path == "deployment/environment/NATS_NKEY_SEED"
	contains(f.msg, "sets NATS_NKEY_SEED to an nkey seed (private key) in plaintext")
	not fires(compose_env({"NATS_NKEY_SEED": inline({"nkey_seed": true, "origin": "env", "env_var": "SEED", "length": 58})}), "NATS-CRED-005")
	not fires(compose_env({"NATS_PASSWORD": inline({"length": 58})}), "NATS-CRED-005")
}

test_cred_005_leafnode_listener_user_seed_is_critical if {
	# Only a remote's inline seed is expected (high); one in the leafnode
	# listener's users is a misplaced private key.
	c := object.union(fx.good_config, {"leafnodes": {"port": 7422, "authorization": {"users": [{"nkey": seed}]}}})
	f := one(fx.input_with(fx.server(c)), "NATS-CRED-005")
	not f.severity
}
