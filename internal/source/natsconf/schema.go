package natsconf

import "strings"

// The canonical names and aliases below follow nats-server's opts.go
// (processConfigFileLine and the parse* helpers, v2.15). Keys are matched
// case-insensitively, as the server does.

// context names the kind of block a key lives in.
type context string

const (
	ctxTop        context = "top"
	ctxTLS        context = "tls"
	ctxAuth       context = "authorization"
	ctxUser       context = "user"
	ctxPerms      context = "permissions"
	ctxAccounts   context = "accounts"
	ctxAccount    context = "account"
	ctxAccountJS  context = "account_jetstream"
	ctxAccLimits  context = "account_limits"
	ctxJetStream  context = "jetstream"
	ctxCluster    context = "cluster"
	ctxGateway    context = "gateway"
	ctxGatewayRem context = "gateway_remote"
	ctxLeaf       context = "leafnodes"
	ctxLeafRemote context = "leaf_remote"
	ctxWebsocket  context = "websocket"
	ctxMQTT       context = "mqtt"
	ctxProxy      context = "proxy"
	ctxOther      context = "other" // keys kept verbatim (lower-cased)
)

var aliases = map[context]map[string]string{
	ctxTop: {
		"net": "host", "monitor_port": "http_port", "leaf": "leafnodes", "storedir": "store_dir",
		"log_file": "logfile", "log_size_limit": "logfile_size_limit", "log_max_num": "logfile_max_num",
		"pid_file": "pidfile", "max_conn": "max_connections", "max_subs": "max_subscriptions",
		"max_subscription_tokens": "max_sub_tokens", "operators": "operator", "roots": "operator",
		"root": "operator", "root_operators": "operator", "root_operator": "operator",
		"account_resolver": "resolver", "accounts_resolver": "resolver", "system": "system_account",
		"no_system": "no_system_account", "no_sys_acc": "no_system_account", "trusted": "trusted_keys",
		"ws": "websocket", "maps": "mappings", "no_sublist_cache": "disable_sublist_cache",
	},
	ctxTLS: {"first": "handshake_first", "immediate": "handshake_first", "certificates": "certs"},
	ctxAuth: {
		"username": "user", "pass": "password", "default_permission": "default_permissions",
		"permissions": "default_permissions", "auth_hook": "auth_callout",
	},
	ctxUser: {
		"username": "user", "pass": "password", "permission": "permissions", "authorization": "permissions",
		"connection_types": "allowed_connection_types", "clients": "allowed_connection_types", "acc": "account",
	},
	ctxPerms: {
		"pub": "publish", "import": "publish", "sub": "subscribe", "export": "subscribe",
		"publish_allow_responses": "allow_responses",
	},
	ctxAccount: {"maps": "mappings", "trace_dest": "msg_trace"},
	ctxAccountJS: {
		"max_mem": "max_memory", "mem": "max_memory", "memory": "max_memory",
		"max_file": "max_store", "max_disk": "max_store", "store": "max_store", "disk": "max_store",
		"streams": "max_streams", "consumers": "max_consumers",
		"max_stream_bytes": "max_bytes_required", "max_bytes": "max_bytes_required",
		"memory_max_stream_bytes": "mem_max_stream_bytes", "store_max_stream_bytes": "disk_max_stream_bytes",
		"enable": "enabled",
	},
	ctxAccLimits: {"max_conn": "max_connections", "max_subs": "max_subscriptions", "max_pay": "max_payload", "max_leafs": "max_leafnodes"},
	ctxJetStream: {
		"enable": "enabled", "store": "store_dir", "storedir": "store_dir", "sync": "sync_interval",
		"max_mem_store": "max_memory_store", "max_mem": "max_memory_store", "max_file": "max_file_store",
		"ek": "key", "encryption_key": "key", "prev_ek": "prev_key", "prev_encryption_key": "prev_key",
	},
	ctxCluster:    {"net": "host", "cluster_advertise": "advertise"},
	ctxGateway:    {"net": "host", "reject_unknown": "reject_unknown_cluster"},
	ctxGatewayRem: {"url": "urls"},
	ctxLeaf: {
		"net": "host", "reconnect_delay": "reconnect", "reconnect_interval": "reconnect",
		"leafnode_advertise": "advertise", "minimum_version": "min_version", "isolate": "isolate_leafnode_interest",
	},
	ctxLeafRemote: {
		"url": "urls", "dont_randomize": "no_randomize", "local": "account", "credentials": "creds",
		"seed": "nkey", "deny_import": "deny_imports", "deny_export": "deny_exports", "js_cluster_migrate": "jetstream_cluster_migrate",
	},
	ctxWebsocket: {
		"net": "host", "allowed_origin": "allowed_origins", "allow_origins": "allowed_origins",
		"allow_origin": "allowed_origins", "origins": "allowed_origins", "origin": "allowed_origins",
		"compress": "compression", "authentication": "authorization",
	},
	ctxMQTT: {
		"net": "host", "authentication": "authorization", "ackwait": "ack_wait",
		"max_pending": "max_ack_pending", "max_inflight": "max_ack_pending", "api_timeout": "js_api_timeout",
		"consumer_auto_cleanup": "consumer_inactive_threshold",
	},
	ctxProxy: {"user": "username", "pass": "password"},
}

// topLevelKeys are the keys nats-server accepts at the top level; anything
// else stops the server from starting ("unknown field").
var topLevelKeys = setOf("listen", "client_advertise", "port", "server_name", "host", "debug", "trace",
	"trace_verbose", "trace_headers", "logtime", "logtime_utc", "mappings", "disable_sublist_cache",
	"accounts", "default_sentinel", "authorization", "http", "https", "http_port", "https_port",
	"http_base_path", "cluster", "gateway", "leafnodes", "store_dir", "jetstream", "logfile",
	"logfile_size_limit", "logfile_max_num", "syslog", "remote_syslog", "pidfile", "ports_file_dir",
	"prof_port", "prof_block_rate", "max_control_line", "max_payload", "max_pending", "proxy_protocol",
	"max_connections", "max_traced_msg_len", "max_subscriptions", "max_sub_tokens", "ping_interval",
	"ping_max", "tls", "ocsp", "allow_non_tls", "write_deadline", "write_timeout", "lame_duck_duration",
	"lame_duck_grace_period", "operator", "resolver", "resolver_tls", "resolver_preload",
	"resolver_pinned_accounts", "no_auth_user", "system_account", "no_system_account", "no_header_support",
	"trusted_keys", "connect_error_reports", "reconnect_error_reports", "websocket", "mqtt", "server_tags",
	"server_metadata", "feature_flags", "default_js_domain", "ocsp_cache", "no_fast_producer_stall",
	"max_closed_clients", "proxies")

// genericKeys are top-level keys other servers' .conf files have too
// (redis, postgresql, haproxy, mosquitto...): a file made of these only is
// not recognisably a NATS config.
var genericKeys = setOf("port", "host", "listen", "debug", "trace", "logfile", "pidfile", "max_connections",
	"http", "https", "syslog", "remote_syslog", "server_name", "mappings")

// LooksNATS reports whether a parsed file is recognisably a nats-server
// config: it parsed, nats-server would know every top-level key, and at
// least one of them is particular to NATS (tls, jetstream, logtime,
// operator...), not only port/host/listen/debug.
func (r *Result) LooksNATS() bool {
	if !r.OK() {
		return false
	}
	for _, e := range r.Errors {
		if strings.HasPrefix(e.Message, "unknown field") {
			return false
		}
	}
	for k := range r.Config {
		if topLevelKeys[k] && !genericKeys[k] {
			return true
		}
	}
	return false
}

// child returns the context of the value stored under key (canonical) in ctx.
func child(ctx context, key string) context {
	switch ctx {
	case ctxTop:
		switch key {
		case "tls", "resolver_tls":
			return ctxTLS
		case "authorization":
			return ctxAuth
		case "accounts":
			return ctxAccounts
		case "jetstream":
			return ctxJetStream
		case "cluster":
			return ctxCluster
		case "gateway":
			return ctxGateway
		case "leafnodes":
			return ctxLeaf
		case "websocket":
			return ctxWebsocket
		case "mqtt":
			return ctxMQTT
		}
	case ctxAuth:
		switch key {
		case "users":
			return ctxUser
		case "default_permissions":
			return ctxPerms
		}
	case ctxUser:
		if key == "permissions" {
			return ctxPerms
		}
	case ctxAccounts:
		return ctxAccount
	case ctxAccount:
		switch key {
		case "users":
			return ctxUser
		case "default_permissions":
			return ctxPerms
		case "jetstream":
			return ctxAccountJS
		case "limits":
			return ctxAccLimits
		}
	case ctxCluster, ctxGateway, ctxLeaf, ctxWebsocket, ctxMQTT:
		switch key {
		case "tls":
			return ctxTLS
		case "authorization":
			if ctx == ctxLeaf || ctx == ctxWebsocket || ctx == ctxMQTT {
				return ctxAuth
			}
			return ctxAuth
		case "permissions":
			return ctxPerms
		case "remotes":
			return ctxLeafRemote
		case "gateways":
			return ctxGatewayRem
		}
	case ctxGatewayRem, ctxLeafRemote:
		switch key {
		case "tls":
			return ctxTLS
		case "proxy":
			return ctxProxy
		}
	}
	return ctxOther
}

// durationKeys hold a duration: strings like "2m", or integers in seconds.
// They are normalised to nanoseconds.
var durationKeys = map[context]map[string]bool{
	ctxTop:        setOf("ping_interval", "write_deadline", "lame_duck_duration", "lame_duck_grace_period"),
	ctxJetStream:  setOf("sync_interval"),
	ctxCluster:    setOf("ping_interval", "write_deadline", "connect_backoff"),
	ctxGateway:    setOf("write_deadline"),
	ctxLeaf:       setOf("write_deadline", "reconnect", "dial_timeout"),
	ctxLeafRemote: setOf("first_info_timeout", "dial_timeout"),
	ctxWebsocket:  setOf("handshake_timeout", "ping_interval"),
	ctxMQTT:       setOf("ack_wait", "js_api_timeout", "consumer_inactive_threshold"),
}

// sizeKeys hold a byte size; quoted strings such as "1G" are read with binary
// multipliers, as nats-server's getStorageSize does.
var sizeKeys = map[context]map[string]bool{
	ctxTop:       setOf("max_payload", "max_pending", "max_control_line", "logfile_size_limit", "max_traced_msg_len"),
	ctxJetStream: setOf("max_memory_store", "max_file_store", "max_buffered_size", "max_outstanding_catchup"),
	ctxAccountJS: setOf("max_memory", "max_store", "max_bytes_required", "mem_max_stream_bytes", "disk_max_stream_bytes"),
	ctxAccLimits: setOf("max_payload"),
}

// secretKeys hold secret values (passwords, tokens, keys).
var secretKeys = map[context]map[string]bool{
	ctxAuth:       setOf("password", "token"),
	ctxUser:       setOf("password"),
	ctxJetStream:  setOf("key", "prev_key"),
	ctxProxy:      setOf("password"),
	ctxLeafRemote: setOf(),
}

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func canonical(ctx context, lowerKey string) string {
	if a, ok := aliases[ctx][lowerKey]; ok {
		return a
	}
	return lowerKey
}
