# Tests of the secrets helpers' Rego paths.
package natsaudit.lib.secrets_test

import data.natsaudit.lib.secrets

# A server without a config object has no config secrets and no entry.
test_config_secrets_need_config_object if {
	doc := {"servers": [
		{"ref": "a", "config": {"password": {"secret": true, "origin": "env", "env_var": "A_PASS"}}},
		{"ref": "b", "config": "x", "secret_paths": [["password"]]},
	]}
	count(secrets.config_secrets({"ref": "a"})) == 1 with input as doc
	not secrets.config_secrets({"ref": "b"}) with input as doc
	secrets.config_secret_env_vars == {"A_PASS"} with input as doc
}

# Only secrets read from the environment name an environment variable.
test_config_secret_env_vars_env_origin_only if {
	doc := {"servers": [{"ref": "a", "config": {
		"password": {"secret": true, "origin": "env", "env_var": "A_PASS"},
		"token": {"secret": true, "origin": "literal", "env_var": "B_TOKEN"},
	}}]}
	secrets.config_secret_env_vars == {"A_PASS"} with input as doc
}

# The secret_paths fast path keeps only paths whose value is a secret.
test_secret_paths_fast_path if {
	doc := {"servers": [{"ref": "a", "secret_paths": [["password"], ["user"]], "config": {
		"password": {"secret": true},
		"user": {"secret": false},
	}}]}
	[[p, _, _]] := [x | some x in secrets.config_secrets({"ref": "a"})] with input as doc
	p == "config/password"
}

# A variable whose value is a path or public key is not a secret variable;
# any other value of a secret-named NATS variable is.
test_env_secret_vars_skip_paths if {
	doc := {"servers": [], "env_files": [{"file": ".env", "vars": {
		"NATS_PASSWORD": {"facts": {}},
		"NATS_CREDS": {"facts": {"path": true}},
	}}]}
	names := {n | some [_, n, _] in secrets.env_secret_vars} with input as doc
	names == {"NATS_PASSWORD"}
}

# A URL with credentials counts by its nats:// scheme even in a variable
# the NATS deployment does not otherwise use.
test_url_credential_env_by_scheme if {
	doc := {"servers": [], "env_files": [{"file": ".env", "vars": {
		"BROKER_URL": {"facts": {"url_credentials": true, "nats_url": true}},
		"OTHER_URL": {"facts": {"url_credentials": true, "nats_url": false}},
	}}]}
	names := {n | some [_, n, _] in secrets.url_credential_env} with input as doc
	names == {"BROKER_URL"}
}
