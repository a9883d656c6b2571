# Credential rules: how passwords, tokens, keys and seeds are stored and
# chosen, in nats.conf, compose files (command lines and environment) and
# .env files. Rules see facts about secrets, never their values.
package natsaudit.rules.credentials

import data.natsaudit.lib
import data.natsaudit.lib.authconf
import data.natsaudit.lib.exposure
import data.natsaudit.lib.secrets
import data.natsaudit.lib.tlsconf
import data.natsaudit.lib.versions

# METADATA
# title: Plaintext secrets (passwords, tokens, URL credentials, encryption keys)
# description: >-
#   A password or token is written in clear instead of as a bcrypt hash
#   (nats-server itself warns "Plaintext passwords detected"), credentials are
#   embedded in a URL, a JetStream encryption key is written literally, or a
#   secret is committed in a .env file: anyone who can read the repository
#   can use them. Covers the catalog's CRED-006 (URLs) and CRED-007
#   (encryption keys), and credentials committed outside the config: NATS
#   URLs with user:password@ in a client service's compose environment, NATS
#   CLI context files, shell scripts (nats context save --password, --server
#   nats://user:password@). Route and gateway authorization blocks are exempt
#   from the bcrypt check: the soliciting side needs the plaintext. Template
#   placeholders (`xxxx`, `<password>`, `changeme`) and, outside the config,
#   defaults are NATS-CRED-002's alone.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/username_password#bcrypted-passwords
#   - ref: https://docs.nats.io/running-a-nats-service/nats_admin/jetstream_admin/encryption_at_rest
# custom:
#   id: NATS-CRED-001
#   severity: medium
#   category: security
#   fix_kind: secret_value
#   facets: [config, deployment, env, credentials]
#   remediation: |-
#     Take the secret out of the file and rotate it: store NATS passwords as
#     bcrypt hashes (`nats server passwd`, quoted because of the `$`) or use
#     nkeys, and inject other secrets from the environment or a mounted
#     secret.
#
#         { user: monitor, password: "$2a$11$..." }
#
#     Inject keys and URL credentials from the environment (`key: $JS_KEY`)
#     or a mounted secret, and keep .env files with real secrets out of the
#     repository.
#   remediation_by_source:
#     env: |-
#       Take the value out of the committed .env file and rotate it: keep
#       .env out of the repository (`.gitignore`), commit a `.env.example`
#       with empty values, and let the deployment inject the real one from a
#       secret store (CI variables, Docker or Kubernetes secrets). A value
#       nats-server checks as a password can be a bcrypt hash
#       (`nats server passwd`).
#     compose: |-
#       Take the value out of the compose file and rotate it: require it
#       from the environment (`${NATS_PASSWORD:?required}`) or a Docker
#       secret (`secrets:` mounted as a file), never a literal or a
#       `${VAR:-default}` fallback that holds it.
#     kubernetes: |-
#       Take the value out of the manifest and rotate it: keep it in a
#       Secret created outside the repository (`kubectl create secret
#       generic nats-auth --from-literal=password=...`, or an external
#       secrets operator) and reference it (`valueFrom.secretKeyRef`, or a
#       mounted Secret volume for the config).
#     helm: |-
#       Take the value out of the values file and rotate it: pass it at
#       install time from a secret store (`helm install --set-file`, or a
#       Secret the chart references) rather than committing it in
#       values.yaml. A NATS user's password can instead be a bcrypt hash
#       (`nats server passwd`).
deny contains f if {
	some h in _cred_001
	f := lib.finding_of(rego.metadata.rule(), h)
}

_cred_001 contains h if {
	some s in lib.configured_servers
	some [path, p, v] in secrets.config_secrets(s)
	p[count(p) - 1] in {"password", "token"}
	secrets.literal_secret(v)
	not v.bcrypt
	not v.empty
	not v.template
	not _route_auth(p)
	not _from_flag(s, p)
	h := {"obj": s, "path": path, "msg": sprintf("%s: the %s is stored in plaintext in the config (not a bcrypt hash)", [lib.server_label(s), _label(s, p)])}
}

_cred_001 contains h if {
	some s in lib.configured_servers
	some [path, p, v] in secrets.config_secrets(s)
	p in [["jetstream", "key"], ["jetstream", "prev_key"]]
	secrets.literal_secret(v)
	not v.empty
	h := {"obj": s, "path": path, "msg": sprintf("%s: the JetStream encryption key (%s) is written in the config", [lib.server_label(s), p[1]])}
}

_cred_001 contains h if {
	some s in lib.configured_servers
	some [p, v] in tlsconf.url_values(s.config)
	_url_with_credentials(v)
	not _from_flag(s, p)
	path := tlsconf.path_string("config", p)
	h := {"obj": s, "path": path, "msg": sprintf("%s: credentials are embedded in the URL %s (%s)", [lib.server_label(s), v, path])}
}

_cred_001 contains h if {
	some [ef, name, v] in secrets.env_secret_vars
	v.facts.origin == "literal"
	not v.facts.empty
	not v.facts.bcrypt
	not v.facts.template
	not v.facts.url_credentials
	not _is_key(v.facts)
	h := {"obj": ef, "path": sprintf("vars/%s", [name]), "msg": sprintf("%s commits the secret %s in plaintext", [ef.file, name])}
}

_cred_001 contains h if {
	some [ef, name, v] in secrets.url_credential_env
	not _weak_default(v.facts)
	h := {"obj": ef, "path": sprintf("vars/%s", [name]), "msg": sprintf("%s: %s embeds a user name and password in a URL", [ef.file, name])}
}

_cred_001 contains h if {
	some s in input.servers
	some [name, v] in _compose_env(s)
	v.origin == "literal"
	not v.empty
	not v.bcrypt
	not v.template
	not _is_key(v)
	_secret_or_url(name, v)
	not _weak_url(v)
	h := {"obj": s, "path": sprintf("deployment/environment/%s", [name]), "msg": sprintf("%s: %s sets %s in plaintext in its environment", [lib.server_label(s), s.deployment.file, name])}
}

# Credentials committed outside a server's config: a NATS URL with
# user:password@ in a client's compose environment, a NATS CLI context file,
# a shell script (nats context save --password, --server nats://u:p@).
# Defaults and placeholders are NATS-CRED-002's alone.
_cred_001 contains h if {
	some c in input.credentials
	not c.facts.empty
	not c.facts.bcrypt
	not _weak_default(c.facts)
	h := {"obj": c, "path": c.key, "msg": sprintf("%s commits %s in plaintext (%s)", [c.file, _credential_what(c), c.key])}
}

_credential_what(c) := "a NATS URL with a user name and password" if {
	c.kind == "url"
} else := "a NATS token" if {
	c.kind == "token"
} else := "a NATS password"

# Route and gateway authorization: the soliciting side needs the plaintext in
# its route URLs, so a hash would not help.
_route_auth(p) if {
	p[0] in {"cluster", "gateway"}
	p[1] == "authorization"
}

# Values set by compose command-line flags are NATS-CRED-004's.
_from_flag(s, p) if {
	p == ["authorization", "password"]
	s.deployment.flags.pass
}

_from_flag(s, p) if {
	p == ["authorization", "token"]
	s.deployment.flags.auth
}

_from_flag(s, p) if {
	p[0] == "cluster"
	p[1] == "routes"
	s.deployment.flags.routes
}

# A URL with user:password@ whose password is not an environment reference.
_url_with_credentials(v) if {
	m := regex.find_all_string_submatch_n(`^[A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]+:([^/@\s]+)@`, v, 1)[0]
	not startswith(m[1], "$")
}

_is_key(facts) if facts.nkey_seed == true

_is_key(facts) if facts.private_key == true

# _compose_env(s): [name, facts] of environment values written in the compose
# file itself (values from env_file: are judged in their .env file).
_compose_env(s) := {[name, v] |
	some name, v in s.deployment.environment
	is_object(v)
	not v.resolved_from in secrets.env_file_paths
	secrets.not_a_secret_value(v) == false
}

# _weak_url(v): URL credentials whose password is a default or placeholder:
# NATS-CRED-002's alone.
_weak_url(v) if {
	v.url_credentials == true
	_weak_default(v)
}

_secret_or_url(name, _) if secrets.secret_var_name(name)

_secret_or_url(_, v) if v.url_credentials == true

# _label names a secret by its place in the config.
_label(s, p) := "route password (cluster.authorization)" if {
	p == ["cluster", "authorization", "password"]
} else := "gateway password (gateway.authorization)" if {
	p == ["gateway", "authorization", "password"]
} else := "authorization token" if {
	p == ["authorization", "token"]
} else := sprintf("password of %s", [authconf.user_label(u)]) if {
	p[count(p) - 1] == "password"
	u := object.get(s.config, array.slice(p, 0, count(p) - 1), {})
	_has_identity(u)
} else := sprintf("%s at %s", [p[count(p) - 1], concat("/", [sprintf("%v", [x]) | some x in p])])

_has_identity(u) if is_string(u.user)

_has_identity(u) if is_string(u.nkey)

# METADATA
# title: Default, placeholder or documented credentials
# description: >-
#   A password or token is a well-known default (nats-docker's
#   ruser/T0pS3cr3t, "changeme", "password"...), a placeholder that was meant
#   to be replaced (MUST_SET_IN_PRODUCTION, `<password>`, `${VAR:-changeme}`), a
#   bcrypt hash copied from the NATS documentation, or equal to the user
#   name. Anyone can guess it.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/username_password
#   - ref: https://github.com/nats-io/nats-docker
# custom:
#   id: NATS-CRED-002
#   severity: critical
#   category: security
#   fix_kind: secret_value
#   facets: [config, deployment, env, credentials]
#   remediation: |-
#     Generate a real secret and rotate it everywhere it is used, e.g.
#     `openssl rand -base64 32`, stored as a bcrypt hash (`nats server passwd`)
#     in the config. Do not give `${VAR:-default}` a usable default: fail when
#     the variable is missing (`${VAR:?must be set}`).
deny contains f if {
	some h in _cred_002
	f := lib.finding_of(rego.metadata.rule(), h)
}

_cred_002 contains h if {
	some s in input.servers
	is_object(s.config)
	some [path, p, v] in secrets.config_secrets(s)
	why := _weak_default(v)
	not secrets.from_env_file(v)
	h := {"obj": s, "path": path, "msg": sprintf("%s: the %s %s", [lib.server_label(s), _label(s, p), why])}
}

_cred_002 contains h if {
	some [ef, name, v] in secrets.env_secret_vars
	not v.facts.url_credentials
	why := _weak_default(v.facts)
	h := {"obj": ef, "path": sprintf("vars/%s", [name]), "msg": sprintf("%s: %s %s", [ef.file, name, why])}
}

_cred_002 contains h if {
	some [ef, name, v] in secrets.url_credential_env
	why := _weak_default(v.facts)
	h := {"obj": ef, "path": sprintf("vars/%s", [name]), "msg": sprintf("%s: the password in the URL of %s %s", [ef.file, name, why])}
}

_cred_002 contains h if {
	some s in input.servers
	some [name, v] in _compose_env(s)
	v.url_credentials == true
	why := _weak_default(v)
	h := {"obj": s, "path": sprintf("deployment/environment/%s", [name]), "msg": sprintf("%s: the password in the URL of %s in %s %s", [lib.server_label(s), name, s.deployment.file, why])}
}

_cred_002 contains h if {
	some s in input.servers
	some [name, v] in _compose_env(s)
	secrets.secret_var_name(name)
	not v.url_credentials
	why := _weak_default(v)
	h := {"obj": s, "path": sprintf("deployment/environment/%s", [name]), "msg": sprintf("%s: %s in %s %s", [lib.server_label(s), name, s.deployment.file, why])}
}

_cred_002 contains h if {
	some c in input.credentials
	why := _weak_default(c.facts)
	h := {"obj": c, "path": c.key, "msg": _weak_credential_msg(c, why)}
}

_weak_credential_msg(c, why) := sprintf("%s commits a NATS URL whose password %s (%s)", [c.file, why, c.key]) if {
	c.kind == "url"
} else := sprintf("%s commits %s that %s (%s)", [c.file, _credential_what(c), why, c.key])

_weak_default(v) := "is a bcrypt hash published in the NATS documentation" if {
	v.known_hash == true
} else := "falls back to a placeholder default (${VAR:-...}) when the variable is not set" if {
	v.placeholder == true
	v.origin == "env"
} else := "is a well-known default or placeholder value" if {
	v.placeholder == true
} else := "equals the user name" if {
	v.equals_user == true
}

# METADATA
# title: Weak secret (short or low entropy)
# description: >-
#   A password is shorter than params.credentials.min_password_length (a
#   token or encryption key than min_token_length) or has less than
#   min_entropy bits of Shannon entropy per character, so it can be brute
#   forced; NATS has no login rate limiting.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/tokens
# custom:
#   id: NATS-CRED-003
#   severity: medium
#   category: security
#   fix_kind: secret_value
#   facets: [config, deployment, env]
#   remediation: Use long random values, e.g. `openssl rand -base64 32` (tokens and keys 32+ characters), or nkeys.
#   remediation_by_source:
#     env: |-
#       Replace the value in the .env file with a long random one
#       (`openssl rand -base64 32`) and keep the real one out of the
#       repository (commit a `.env.example` with empty values).
#     compose: |-
#       Replace the value with a long random one (`openssl rand -base64 32`)
#       injected from the environment (`${NATS_PASSWORD:?required}`) or a
#       Docker secret, not written in the compose file.
#     kubernetes: |-
#       Replace the value with a long random one (`openssl rand -base64 32`)
#       kept in a Secret created outside the repository and referenced with
#       `valueFrom.secretKeyRef`.
#     helm: |-
#       Replace the value with a long random one (`openssl rand -base64 32`)
#       passed at install time (`--set-file`, or a Secret the chart
#       references), not committed in values.yaml.
deny contains f if {
	some h in _cred_003
	f := lib.finding_of(rego.metadata.rule(), h)
}

_cred_003 contains h if {
	some s in lib.configured_servers
	some [path, p, v] in secrets.config_secrets(s)
	kind := _kind(p)
	_judgeable(v)
	not secrets.from_env_file(v)
	why := _weakness(v, kind)
	h := {"obj": s, "path": path, "msg": sprintf("%s: the %s is weak (%s)", [lib.server_label(s), _label(s, p), why])}
}

_cred_003 contains h if {
	some [ef, name, v] in secrets.env_secret_vars
	_judgeable(v.facts)
	not v.facts.url_credentials
	why := _weakness(v.facts, _var_kind(name))
	h := {"obj": ef, "path": sprintf("vars/%s", [name]), "msg": sprintf("%s: %s is weak (%s)", [ef.file, name, why])}
}

_cred_003 contains h if {
	some s in input.servers
	some [name, v] in _compose_env(s)
	secrets.secret_var_name(name)
	_judgeable(v)
	not v.url_credentials
	why := _weakness(v, _var_kind(name))
	h := {"obj": s, "path": sprintf("deployment/environment/%s", [name]), "msg": sprintf("%s: %s in %s is weak (%s)", [lib.server_label(s), name, s.deployment.file, why])}
}

_kind(p) := "password" if p[count(p) - 1] == "password"

_kind(p) := "token" if p[count(p) - 1] == "token"

_kind(p) := "token" if p in [["jetstream", "key"], ["jetstream", "prev_key"]]

_var_kind(name) := "token" if {
	regex.match(`(?i)(token|key)`, name)
} else := "password"

# A value the scan knows (resolved), that is not a hash, a placeholder
# (NATS-CRED-002) or a key.
_judgeable(v) if {
	v.resolved == true
	_judgeable_common(v)
}

_judgeable(v) if {
	secrets.literal_secret(v)
	_judgeable_common(v)
}

_judgeable_common(v) if {
	not v.bcrypt
	not v.placeholder
	not v.known_hash
	not _is_key(v)
}

_weakness(v, _) := "empty" if v.empty == true

_weakness(v, kind) := sprintf("%d characters, fewer than %d", [v.length, m]) if {
	not v.empty
	m := _min_length(kind)
	v.length < m
}

_weakness(v, kind) := sprintf("%.1f bits of entropy per character, below %.1f", [v.entropy, lib.params.credentials.min_entropy]) if {
	not v.empty
	v.length >= _min_length(kind)
	v.entropy < lib.params.credentials.min_entropy
}

_min_length("password") := lib.params.credentials.min_password_length

_min_length("token") := lib.params.credentials.min_token_length

# METADATA
# title: Credentials on the command line
# description: >-
#   The compose command passes a password, token or route credentials as
#   nats-server flags (--pass, --auth, --routes nats://u:p@...): they are
#   visible in `ps`, `docker inspect`, the compose file and, on versions
#   affected by CVE-2026-33247, in /debug/vars on the monitoring port (high
#   then).
# related_resources:
#   - ref: https://advisories.nats.io/CVE/secnote-2026-14.txt
#   - ref: https://docs.nats.io/running-a-nats-service/introduction/flags
# custom:
#   id: NATS-CRED-004
#   severity: medium
#   category: security
#   facets: [deployment]
#   remediation: |-
#     Move the secrets into the config file (bcrypt hashes, or an include
#     from a mounted secret) and run `nats-server -c /etc/nats/nats.conf`.
deny contains f if {
	some h in _cred_004
	f := lib.finding_of(rego.metadata.rule(), h)
}

_cred_flags := [
	["pass", "config/authorization/password", "a password (--pass)"],
	["auth", "config/authorization/token", "a token (--auth)"],
	["routes_with_credentials", "config/cluster/routes", "route credentials (--routes nats://user:password@...)"],
]

_cred_004 contains h if {
	some s in input.servers
	some [flag, path, what] in _cred_flags
	s.deployment.flags[flag]
	h := object.union({"obj": s, "path": path}, _argv_sev(s, sprintf("%s: %s passes %s on the nats-server command line", [lib.server_label(s), s.deployment.file, what])))
}

_argv_sev(s, msg) := {"sev": "high", "msg": sprintf("%s, and nats-server %s shows it in /debug/vars on the monitoring port (CVE-2026-33247)", [msg, v])} if {
	_monitoring(s)
	v := versions.server_semver(s)
	versions.affected_by(v, versions.advisory("CVE-2026-33247"))
} else := {"msg": msg}

_monitoring(s) if {
	some l in exposure.config_listeners(s)
	l.kind in {"monitoring", "monitoring_https"}
}

# METADATA
# title: NKey seed or private key in the configuration
# description: >-
#   A string that is an nkey seed (S...: a private key) or a PEM private key is
#   written in the config or an environment file, where a public key (U.../
#   A.../O...) or a file path belongs. Whoever reads the repository can sign
#   in as that user, account or operator. Inline seeds of leafnode remotes
#   (expected there) are high rather than critical.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/nkey_auth
# custom:
#   id: NATS-CRED-005
#   severity: critical
#   category: security
#   facets: [config, deployment, env]
#   remediation: |-
#     Put the public key in the config (`nkey: UDXU4RCS...`), keep seeds in
#     .nk/.creds files with 0600 permissions mounted at run time (leafnode
#     remotes: `credentials: "/etc/nats/leaf.creds"`), and rotate the exposed
#     seed.
deny contains f if {
	some h in _cred_005
	f := lib.finding_of(rego.metadata.rule(), h)
}

_cred_005 contains h if {
	some s in lib.configured_servers
	some [path, p, v] in secrets.config_secrets(s)
	_is_key(v)
	secrets.literal_secret(v)
	h := object.union({"obj": s, "path": path}, _seed_sev(s, p, v, path))
}

_cred_005 contains h if {
	some ef in input.env_files
	some name, v in ef.vars
	_is_key(v.facts)
	v.facts.origin == "literal"
	h := {"obj": ef, "path": sprintf("vars/%s", [name]), "sev": "high", "msg": sprintf("%s: %s holds %s in plaintext", [ef.file, name, _key_what(v.facts)])}
}

_cred_005 contains h if {
	some s in input.servers
	some [name, v] in _compose_env(s)
	_is_key(v)
	v.origin == "literal"
	h := {"obj": s, "path": sprintf("deployment/environment/%s", [name]), "sev": "high", "msg": sprintf("%s: %s sets %s to %s in plaintext", [lib.server_label(s), s.deployment.file, name, _key_what(v)])}
}

_seed_sev(s, p, v, path) := {"sev": "high", "msg": sprintf("%s: leafnode remote %v has its nkey seed inline in the config", [lib.server_label(s), p[2]])} if {
	p[0] == "leafnodes"
	p[1] == "remotes"
} else := {"msg": sprintf("%s: %s is written at %s", [lib.server_label(s), _key_what(v), path])}

_key_what(v) := "an nkey seed (private key)" if {
	v.nkey_seed == true
} else := "a PEM private key"
