package natsaudit.rules.jwt

import data.natsaudit.lib

# NATS JWTs kept in the repository: .creds files, .jwt files (operator:
# files, resolver directories) and resolver_preload in configs. Their claims
# are decoded in Go without verifying signatures (internal/source/jwtclaims);
# the tokens never reach the rules.

# _jwts: {obj, path, jwt, where} for every JWT found.
_jwts contains {"obj": f, "path": "", "jwt": j, "where": f.path} if {
	some f in input.files
	some j in object.get(f, "jwts", [])
}

_jwts contains {"obj": s, "path": j.path, "jwt": j, "where": lib.server_label(s)} if {
	some ref, js in object.get(object.get(input, "facts", {}), "config_jwts", {})
	some s in input.servers
	s.ref == ref
	some j in js
}

_label(j) := sprintf("%s JWT %q", [j.kind, j.name]) if {
	j.name != ""
} else := sprintf("%s JWT", [j.kind])

_day_ns := 86400000000000

# METADATA
# title: NATS JWT expired or expiring soon
# description: >-
#   A user, account or operator JWT kept in the repository has expired, or
#   expires within 30 days: the server rejects it from then on, and the
#   clients or accounts that depend on it stop connecting.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/jwt
# custom:
#   id: NATS-CRED-006
#   severity: high
#   category: security
#   facets: [files, config]
#   remediation: |-
#     Reissue it before it expires and deliver it from a secret store
#     rather than the repository:
#
#         nsc edit user billing --expiry 90d && nsc generate creds -n billing
deny contains f if {
	some h in _jwts
	exp := h.jwt.expires_ns
	exp > 0
	left := exp - input.scan.now_ns
	left < lib.params.jwt.expiry_warning_days * _day_ns
	f := object.union(
		lib.with_deadline(
			lib.finding_sev(rego.metadata.rule(), h.obj, h.path, _expiry_msg(h, left), _expiry_sev(left)),
			lib.date_of(exp), "jwt_expiry", sprintf("%s in %s expires", [_label(h.jwt), h.where]),
		),
		{"remediation": _cred006_fix(h, exp, left)},
	)
}

# _cred006_fix: NATS-CRED-006's fix for this JWT: the nsc commands with its
# own name and kind, the account that issued a user (nsc finds an account by
# name, the JWT names only its key), and who is cut off and when.
_cred006_fix(h, exp, left) := sprintf("Reissue %s with a lifetime and new credentials: `nsc edit user --name %s --expiry 90d && nsc generate creds --name %s` in the account whose public key is %s. %s the clients that use %s from a secret store instead, and delete the file from the repository.", [
	_label(h.jwt), h.jwt.name, h.jwt.name, _cred006_account(h.jwt), _cred006_when(exp, left), h.where,
]) if {
	h.jwt.kind == "user"
	h.jwt.name != ""
	h.path == ""
} else := sprintf("Reissue %s with a later expiry and push it: `nsc edit account --name %s --expiry 1y && nsc push --account %s`, then update it in %s. %s the servers and clients that depend on it.", [
	_label(h.jwt), h.jwt.name, h.jwt.name, h.where, _cred006_when(exp, left),
]) if {
	h.jwt.kind == "account"
	h.jwt.name != ""
} else := sprintf("Reissue %s in %s with a later expiry before it lapses. %s everything that depends on it.", [_label(h.jwt), h.where, _cred006_when(exp, left)])

_cred006_account(j) := j.issuer_account if {
	j.issuer_account != ""
} else := j.issuer

_cred006_when(exp, left) := sprintf("It expired on %s, so it is refused now: deliver the new one to", [lib.date_of(exp)]) if {
	left <= 0
} else := sprintf("It expires on %s and is refused from then on: deliver the new one before that date to", [lib.date_of(exp)])

_expiry_sev(left) := "high" if left <= 0

_expiry_sev(left) := "medium" if left > 0

_expiry_msg(h, left) := sprintf("%s in %s expired %d days ago", [_label(h.jwt), h.where, floor((0 - left) / _day_ns)]) if {
	left <= 0
} else := sprintf("%s in %s expires in %d days", [_label(h.jwt), h.where, floor(left / _day_ns)])

# METADATA
# title: User JWT without expiry
# description: >-
#   A user JWT committed to the repository never expires: anyone who copies
#   the .creds file keeps access until the user is revoked explicitly, which
#   is easily forgotten.
# related_resources:
#   - ref: https://docs.nats.io/using-nats/nats-tools/nsc/basics
# custom:
#   id: NATS-CRED-007
#   severity: low
#   category: security
#   facets: [files, config]
#   remediation: |-
#     Issue user credentials with a lifetime and rotate them:
#
#         nsc edit user billing --expiry 90d
deny contains f if {
	some h in _jwts
	h.jwt.kind == "user"
	h.jwt.expires_ns == 0
	f := lib.finding(rego.metadata.rule(), h.obj, h.path, sprintf("%s in %s never expires", [_label(h.jwt), h.where]))
}

# METADATA
# title: Bearer-token user JWT
# description: >-
#   A user JWT with bearer_token set lets whoever holds the JWT connect
#   without proving possession of the user's private key: the JWT alone is
#   the password, and it is stored in the repository.
# related_resources:
#   - ref: https://docs.nats.io/running-a-nats-service/configuration/securing_nats/jwt
# custom:
#   id: NATS-CRED-008
#   severity: medium
#   category: security
#   facets: [files, config]
#   remediation: |-
#     Reissue the user without bearer token and keep its seed with it:
#
#         nsc edit user billing --bearer=false
deny contains f if {
	some h in _jwts
	h.jwt.kind == "user"
	h.jwt.bearer == true
	f := lib.finding(rego.metadata.rule(), h.obj, h.path, sprintf("%s in %s is a bearer token: the JWT alone grants access", [_label(h.jwt), h.where]))
}

# METADATA
# title: JWT signed with an identity key instead of a signing key
# description: >-
#   A user JWT signed directly by its account's identity key, or an
#   operator without signing keys, means the identity key has to be online
#   wherever credentials are issued. If it leaks, the whole account (or
#   operator) must be recreated; a leaked signing key is simply revoked.
# related_resources:
#   - ref: https://docs.nats.io/using-nats/nats-tools/nsc/signing_keys
# custom:
#   id: NATS-CRED-009
#   severity: low
#   category: security
#   facets: [files, config]
#   remediation: |-
#     Add signing keys and issue with them; keep identity keys offline:
#
#         nsc edit operator --sk generate
#         nsc edit account ORDERS --sk generate
deny contains f if {
	some h in _jwts
	msg := _identity_signed(h.jwt)
	f := lib.finding(rego.metadata.rule(), h.obj, h.path, sprintf("%s in %s %s", [_label(h.jwt), h.where, msg]))
}

_identity_signed(j) := "is signed by its account's identity key, not a signing key" if {
	j.kind == "user"
	object.get(j, "issuer_account", "") == ""
}

_identity_signed(j) := "has no signing keys: accounts are signed with the operator's identity key" if {
	j.kind == "operator"
	j.signing_keys == 0
}
