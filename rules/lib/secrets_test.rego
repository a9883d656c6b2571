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

# Without secret_paths the config is walked for secret objects only.
test_config_secrets_walk_fallback if {
	doc := {"servers": [{"ref": "a", "config": {
		"authorization": {"password": {"secret": true}},
		"user": {"secret": false},
	}}]}
	{p | some [p, _, _] in secrets.config_secrets({"ref": "a"})} == {"config/authorization/password"} with input as doc
}

test_from_env_file_needs_resolution if {
	doc := {"env_files": [{"file": ".env"}]}
	secrets.from_env_file({"origin": "env", "resolved": true, "resolved_from": ".env"}) with input as doc
	not secrets.from_env_file({"origin": "literal", "resolved": true, "resolved_from": ".env"}) with input as doc
	not secrets.from_env_file({"origin": "env", "resolved": false, "resolved_from": ".env"}) with input as doc
	not secrets.from_env_file({"origin": "env", "resolved": true, "resolved_from": "other.env"}) with input as doc
}

# A variable the NATS deployment uses: named NATS_*, read by a config, or
# in an env file a NATS service loads; others are not.
test_nats_env_var_sources if {
	doc := {"servers": [{"config_env": {"password": "BROKER_PASS"}, "deployment": {"env_files": ["svc.env"]}}]}
	secrets.nats_env_var({"file": "x.env"}, "my_nats_pass") with input as doc
	secrets.nats_env_var({"file": "x.env"}, "BROKER_PASS") with input as doc
	secrets.nats_env_var({"file": "svc.env"}, "DB_PASSWORD") with input as doc
	not secrets.nats_env_var({"file": "x.env"}, "DB_PASSWORD") with input as doc
}

test_env_secret_vars_need_facts_and_nats_use if {
	doc := {"servers": [], "env_files": [{"file": ".env", "vars": {
		"NATS_PASSWORD": {"facts": "x"},
		"DB_PASSWORD": {"facts": {}},
		"NATS_NKEY": {"facts": {"public_key": true}},
		"NATS_TOKEN": {"facts": {"public_key": false}},
	}}]}
	{n | some [_, n, _] in secrets.env_secret_vars} == {"NATS_TOKEN"} with input as doc
}

# url_credential_env needs credentials in the URL, and a NATS URL or a
# variable the NATS deployment uses.
test_url_credential_env_needs_nats_use if {
	doc := {"servers": [], "env_files": [{"file": ".env", "vars": {
		"NATS_URL": {"facts": {"url_credentials": true}},
		"DB_URL": {"facts": {"url_credentials": true}},
		"NATS_PLAIN": {"facts": {"url_credentials": false, "nats_url": true}},
	}}]}
	{n | some [_, n, _] in secrets.url_credential_env} == {"NATS_URL"} with input as doc
}

test_config_secret_env_vars_string_names_only if {
	doc := {"servers": [
		{"ref": "a", "config": {"password": {"secret": true, "origin": "env", "env_var": 5}}},
		{"ref": "b", "config": {"token": {"secret": true, "origin": "env", "env_var": "B_TOKEN"}}},
	]}
	secrets.config_secret_env_vars == {"B_TOKEN"} with input as doc
}
