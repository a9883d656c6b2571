package natsaudit.rules.jwt_test

import data.natsaudit.rules.jwt
import data.natsaudit.test.helpers

# now: 2026-11-23T00:00:00Z
now_ns := 1795392000000000000

day := 86400000000000

findings(doc) := fs if {
	fs := jwt.deny with input as object.union({"scan": {"now_ns": now_ns}, "servers": [], "files": [], "facts": {}}, doc)
}

by_id(doc, id) := helpers.hits(findings(doc), id)

user(cfg) := object.union({"kind": "user", "name": "billing", "subject": "UABC", "issuer": "AXYZ", "issuer_account": "AACC", "issued_at_ns": now_ns - (100 * day), "expires_ns": now_ns + (90 * day), "bearer": false, "signing_keys": 0, "line": 2}, cfg)

creds(j) := {"files": [{"ref": "files/0", "path": "secrets/billing.creds", "kind": "creds", "key_type": "nkey", "line": 5, "jwts": [j]}]}

preload(j) := {
	"servers": [{"ref": "servers/0", "name": "hub", "config": {}}],
	"facts": {"config_jwts": {"servers/0": [object.union(j, {"path": "config/resolver_preload/AACC"})]}},
}

# --- NATS-CRED-006 --------------------------------------------------------

test_cred_006_fires_expired_high if {
	[f] := by_id(creds(user({"expires_ns": now_ns - (3 * day)})), "NATS-CRED-006")
	helpers.sev(f) == "high"
	contains(f.msg, "expired 3 days ago")
	f.ref == "files/0"
}

# CRED-006's fix names the user, the account key that issued it (the
# account key, not the signing key) and the file its clients load.
test_cred_006_fix_user_creds_expired if {
	[f] := by_id(creds(user({"expires_ns": now_ns - (3 * day)})), "NATS-CRED-006")
	f.remediation == "Reissue user JWT \"billing\" with a lifetime and new credentials: `nsc edit user --name billing --expiry 90d && nsc generate creds --name billing` in the account whose public key is AACC. It expired on 2026-11-20, so it is refused now: deliver the new one to the clients that use secrets/billing.creds from a secret store instead, and delete the file from the repository."
}

test_cred_006_fix_user_expiring_signed_by_identity_key if {
	[f] := by_id(creds(user({"expires_ns": now_ns + (10 * day), "issuer_account": ""})), "NATS-CRED-006")
	contains(f.remediation, "in the account whose public key is AXYZ. It expires on 2026-12-03 and is refused from then on: deliver the new one before that date to the clients that use secrets/billing.creds")
}

test_cred_006_fix_account_preload if {
	[f] := by_id(preload(user({"kind": "account", "name": "ORDERS", "expires_ns": now_ns - day})), "NATS-CRED-006")
	f.remediation == "Reissue account JWT \"ORDERS\" with a later expiry and push it: `nsc edit account --name ORDERS --expiry 1y && nsc push --account ORDERS`, then update it in server hub. It expired on 2026-11-22, so it is refused now: deliver the new one to the servers and clients that depend on it."
}

test_cred_006_fix_unnamed_operator if {
	[f] := by_id(creds(user({"kind": "operator", "name": "", "expires_ns": now_ns + day})), "NATS-CRED-006")
	f.remediation == "Reissue operator JWT in secrets/billing.creds with a later expiry before it lapses. It expires on 2026-11-24 and is refused from then on: deliver the new one before that date to everything that depends on it."
}

# Each branch of CRED-006's fix is chosen by kind, name and place together:
# an account JWT in a .creds file gets the account commands, an unnamed
# user or account and a preloaded user JWT the general sentence, a named
# operator is no account.
test_cred_006_fix_account_in_creds_file if {
	[f] := by_id(creds(user({"kind": "account", "name": "ORDERS", "expires_ns": now_ns - day})), "NATS-CRED-006")
	startswith(f.remediation, "Reissue account JWT \"ORDERS\" with a later expiry and push it: `nsc edit account --name ORDERS --expiry 1y && nsc push --account ORDERS`, then update it in secrets/billing.creds.")
}

test_cred_006_fix_unnamed_user if {
	[f] := by_id(creds(user({"name": "", "expires_ns": now_ns + day})), "NATS-CRED-006")
	startswith(f.remediation, "Reissue user JWT in secrets/billing.creds with a later expiry before it lapses.")
}

test_cred_006_fix_unnamed_account if {
	[f] := by_id(preload(user({"kind": "account", "name": "", "expires_ns": now_ns + day})), "NATS-CRED-006")
	startswith(f.remediation, "Reissue account JWT in server hub with a later expiry before it lapses.")
}

test_cred_006_fix_preloaded_user if {
	[f] := by_id(preload(user({"expires_ns": now_ns + day})), "NATS-CRED-006")
	startswith(f.remediation, "Reissue user JWT \"billing\" in server hub with a later expiry before it lapses.")
}

test_cred_006_fix_named_operator if {
	[f] := by_id(creds(user({"kind": "operator", "name": "OP", "expires_ns": now_ns + day})), "NATS-CRED-006")
	startswith(f.remediation, "Reissue operator JWT \"OP\" in secrets/billing.creds with a later expiry before it lapses.")
}

# Expiring at the scan instant is expired: high, "expired 0 days ago".
test_cred_006_expires_at_scan_instant_is_expired if {
	[f] := by_id(creds(user({"expires_ns": now_ns})), "NATS-CRED-006")
	f.severity == "high"
	contains(f.msg, "expired 0 days ago")
	contains(f.remediation, "It expired on 2026-11-23, so it is refused now")
}

test_cred_006_fires_expiring_medium if {
	[f] := by_id(creds(user({"expires_ns": now_ns + (10 * day)})), "NATS-CRED-006")
	helpers.sev(f) == "medium"
	contains(f.msg, "expires in 10 days")
}

test_cred_006_fires_preloaded_account if {
	[f] := by_id(preload(user({"kind": "account", "name": "ORDERS", "expires_ns": now_ns - day})), "NATS-CRED-006")
	f.path == "config/resolver_preload/AACC"
	f.ref == "servers/0"
}

test_cred_006_quiet_90_days_left if {
	count(by_id(creds(user({})), "NATS-CRED-006")) == 0
}

test_cred_006_quiet_no_expiry if {
	count(by_id(creds(user({"expires_ns": 0})), "NATS-CRED-006")) == 0
}

# --- NATS-CRED-007 --------------------------------------------------------

test_cred_007_fires_user_without_expiry if {
	[f] := by_id(creds(user({"expires_ns": 0})), "NATS-CRED-007")
	contains(f.msg, "never expires")
}

test_cred_007_quiet_account_without_expiry if {
	count(by_id(creds(user({"kind": "account", "expires_ns": 0})), "NATS-CRED-007")) == 0
}

test_cred_007_quiet_user_with_expiry if {
	count(by_id(creds(user({})), "NATS-CRED-007")) == 0
}

# --- NATS-CRED-008 --------------------------------------------------------

test_cred_008_fires_bearer_user if {
	[f] := by_id(creds(user({"bearer": true})), "NATS-CRED-008")
	contains(f.msg, "bearer token")
}

test_cred_008_quiet_non_bearer if {
	count(by_id(creds(user({})), "NATS-CRED-008")) == 0
}

# --- NATS-CRED-009 --------------------------------------------------------

test_cred_009_fires_user_signed_by_account_identity if {
	[f] := by_id(creds(user({"issuer_account": ""})), "NATS-CRED-009")
	contains(f.msg, "identity key")
}

test_cred_009_fires_operator_without_signing_keys if {
	[f] := by_id(creds(user({"kind": "operator", "name": "ACME", "expires_ns": 0})), "NATS-CRED-009")
	contains(f.msg, "no signing keys")
}

test_cred_009_quiet_signing_key_user if {
	count(by_id(creds(user({})), "NATS-CRED-009")) == 0
}

test_cred_009_quiet_operator_with_signing_keys if {
	count(by_id(creds(user({"kind": "operator", "signing_keys": 1})), "NATS-CRED-009")) == 0
}

test_cred_006_deadline_is_the_expiry_date if {
	[f] := by_id(creds(user({"expires_ns": now_ns + (10 * day)})), "NATS-CRED-006")
	f.deadline.kind == "jwt_expiry"
	f.deadline.date == "2026-12-03"
	contains(f.deadline.what, "secrets/billing.creds expires")
}
