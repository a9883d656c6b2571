# Secrets: facts about committed secrets and the environment
# variables that carry them (never values).
package natsaudit.lib.secrets

import data.natsaudit.lib
import data.natsaudit.lib.tlsconf

# config_secrets(s): [path, walk path, secret] for every redacted secret in
# the config (passwords, tokens, encryption keys, seeds, private keys).
config_secrets(s) := _secrets_by_server[s.ref]

# A complete object, built once per evaluation: a partial object whose key
# is computed in its body makes every lookup scan all servers (quadratic on
# a monorepo).
_secrets_by_server := {ref: secrets |
	some s in input.servers
	is_object(s.config)
	ref := s.ref
	secrets := _secrets_of(s)
}

# The inventory lists where the secrets are (secret_paths, from Go); a
# hand-written input without that list is walked.
_secrets_of(s) := {[tlsconf.path_string("config", p), p, v] |
	some p in s.secret_paths
	v := object.get(s.config, p, null)
	v.secret == true
} if is_array(s.secret_paths)

else := {[tlsconf.path_string("config", p), p, v] |
	walk(s.config, [p, v])
	v.secret == true # is_secret, inlined: this runs for every node
}

# literal_secret(v): the value is written in the repository itself (not an
# environment reference).
literal_secret(v) if v.origin in {"literal", "variable"}

# env_file_paths: the .env files of the inventory.
env_file_paths := {ef.file | some ef in input.env_files}

# from_env_file(v): a secret resolved from a .env file of the inventory; the
# env file rules report it there, at its own line.
from_env_file(v) if {
	v.origin == "env"
	v.resolved == true
	v.resolved_from in env_file_paths
}

# secret_var_name(n): an environment variable name that holds a secret.
secret_var_name(n) if regex.match(lib.params.credentials.secret_var_pattern, n)

# nats_env_files: .env files a NATS service loads (compose env_file).
nats_env_files := {f | some s in input.servers; some f in s.deployment.env_files}

# config_env_vars: variables that a server config reads.
config_env_vars := {n | some s in input.servers; some _, n in s.config_env}

# config_secret_env_vars: variables that a server config reads a secret from
# (password: $NATS_PASSWORD).
config_secret_env_vars := {v.env_var |
	some s in input.servers
	is_object(s.config)
	some [_, _, v] in config_secrets(s)
	v.origin == "env"
	is_string(v.env_var)
}

# nats_env_var(ef, name): a variable the NATS deployment uses: named NATS_*,
# read by a config, or in an env file a NATS service loads.
nats_env_var(_, name) if contains(upper(name), "NATS")

nats_env_var(_, name) if name in config_env_vars

nats_env_var(ef, _) if ef.file in nats_env_files

# env_secret_vars: [env file, name, var] for secret variables the NATS
# deployment uses.
env_secret_vars contains [ef, name, v] if {
	some ef in input.env_files
	some name, v in ef.vars
	is_object(v.facts)
	nats_env_var(ef, name)
	_secret_var(name)
	not_a_secret_value(v.facts) == false
}

# not_a_secret_value(facts): true when the value only names or identifies a
# secret: a file path (NATS_CREDS=./user.creds, NATS_CREDS_FILE=) or an
# nkey public key; false otherwise.
not_a_secret_value(facts) if {
	facts.path == true
} else if {
	facts.public_key == true
} else := false

# url_credential_env: [env file, name, var] of .env variables holding a
# NATS URL with user:password@ (by its scheme, or a variable the NATS
# deployment uses).
url_credential_env contains [ef, name, v] if {
	some ef in input.env_files
	some name, v in ef.vars
	v.facts.url_credentials == true
	_nats_url_var(ef, name, v.facts)
}

_nats_url_var(_, _, facts) if facts.nats_url == true

_nats_url_var(ef, name, _) if nats_env_var(ef, name)

_secret_var(name) if secret_var_name(name)

_secret_var(name) if name in config_secret_env_vars
