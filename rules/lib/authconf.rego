# Authentication and authorization: users, permissions, accounts,
# operator mode, anonymous clients.
package natsaudit.lib.authconf

import data.natsaudit.lib.tlsconf

# client_auth(c): the config authenticates clients in some way.
client_auth(c) if _nonempty(c.authorization.user)

client_auth(c) if c.authorization.token

client_auth(c) if count(c.authorization.users) > 0

client_auth(c) if c.authorization.auth_callout

client_auth(c) if {
	some a in c.accounts
	count(a.users) > 0
}

client_auth(c) if operator_mode(c)

# cert_auth(c): clients must present a certificate signed by the CA in
# tls.ca_file (verify or verify_and_map, TLS not optional): only holders of
# such a certificate connect, even without users. varz auth_required stays
# false in this case.
cert_auth(c) if {
	_client_mtls(c)
	_nonempty(c.tls.ca_file)
}

# cert_auth_any_ca(c): client certificates are verified, but without
# ca_file against the host's trusted CAs (any publicly issued certificate).
cert_auth_any_ca(c) if {
	_client_mtls(c)
	not _nonempty(object.get(c.tls, "ca_file", ""))
}

_client_mtls(c) if {
	tlsconf.has_tls(c)
	tlsconf.tls_verifies(c.tls)
	not c.allow_non_tls == true
}

# auth_callout(c): clients are authenticated by an auth callout service,
# which issues users into accounts at connect time (static users are not
# the whole picture).
auth_callout(c) if is_object(c.authorization.auth_callout)

# operator_mode(c): JWT / operator mode (users live in account JWTs).
operator_mode(c) if _nonempty(c.operator)

operator_mode(c) if _nonempty(c.trusted_keys)

operator_mode(c) if _nonempty(c.resolver)

_nonempty(x) if {
	is_string(x)
	x != ""
}

_nonempty(x) if {
	is_array(x)
	count(x) > 0
}

_nonempty(x) if is_object(x)

# implicit_no_auth(c): nats-server silently adds an anonymous user to $G when
# the accounts block defines only the system account and there is no
# authorization block, no no_auth_user and no operator (server.go
# configureAccounts, "sysAccOnlyNoAuthUser").
implicit_no_auth(c) if {
	sys_only_accounts(c)
	not c.authorization
	not _nonempty(object.get(c, "no_auth_user", ""))
	not operator_mode(c)
}

# sys_only_accounts(c): accounts{} has exactly one account and it is the
# system account (named by system_account, or $SYS).
sys_only_accounts(c) if {
	is_object(c.accounts)
	count(c.accounts) == 1
	some name, _ in c.accounts
	name == system_account_name(c)
}

# system_account_name(c): the configured system account ("$SYS" by default).
system_account_name(c) := n if {
	n := c.system_account
	is_string(n)
	n != ""
} else := "$SYS"

# anonymous_clients(s): anyone who reaches the client port gets in.
anonymous_clients(s) if not client_auth(s.config)

anonymous_clients(s) if implicit_no_auth(s.config)

# app_users(c): [path, user, block] for every client user outside the
# system account; block is the account whose users[] holds the entry, or ""
# for authorization.users (whose default_permissions come from the
# authorization block, whatever account the user is bound to).
app_users(c) := {[sprintf("config/authorization/users/%d", [i]), u, ""] |
	some i, u in c.authorization.users
	is_object(u)
	object.get(u, "account", "") != system_account_name(c)
} | {[sprintf("config/accounts/%s/users/%d", [escape_key(name), i]), u, name] |
	some name, a in c.accounts
	name != system_account_name(c)
	some i, u in a.users
	is_object(u)
}

# system_users(c): [path, user] for users of the system account.
system_users(c) := {[sprintf("config/accounts/%s/users/%d", [escape_key(name), i]), u] |
	some name, a in c.accounts
	name == system_account_name(c)
	some i, u in a.users
	is_object(u)
}

# escape_key keeps an account name usable as one path segment (as the config
# source does).
escape_key(k) := replace(k, "/", "~1")

# user_label(u) names a user in messages without revealing secrets.
user_label(u) := sprintf("user %q", [u.user]) if {
	is_string(u.user)
} else := sprintf("nkey user %s", [u.nkey]) if {
	is_string(u.nkey)
} else := "a user"
