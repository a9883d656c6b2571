package audit

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
)

// serverFacts computes once, in Go, what many rules would otherwise
// recompute in Rego for every server: its configured listeners, the
// states of the advisories' feature gates and where its tls{} blocks are.
// Each function here mirrors a Rego definition value for value (the Rego
// stays as the fallback for inputs without these facts);
// TestServerFactsMatchRego compares the two on every server of the test
// repositories and on hostile shapes.
func serverFacts(s *model.Server) *model.ServerFacts {
	ls := configListeners(s.Config)
	return &model.ServerFacts{
		Listeners: ls,
		Features:  featureStates(s, s.Config),
		TLSBlocks: tlsRefs(tlsBlocks(s.Config)),
		Exposure:  exposures(s.Deployment, ls),
	}
}

// exposures is, for each configured listener, lib.exposure's public (but
// for the parameter-dependent case of no deployment), reachable,
// published_all and published_beyond_loopback.
func exposures(d *model.Deployment, ls map[string]*model.Listener) map[string]*model.Exposure {
	out := make(map[string]*model.Exposure, len(ls))
	for kind, l := range ls {
		e := &model.Exposure{}
		hostNet := d != nil && d.NetworkMode == "host"
		if d != nil {
			for i, p := range d.Ports {
				if !portEquals(l.Port, p.ContainerPort) {
					continue
				}
				if p.AllInterfaces && e.PublishedAll == nil {
					e.PublishedAll = &i
				}
				if !engine.IsLoopback(p.HostIP) && e.BeyondLoopback == nil {
					e.BeyondLoopback = &i
				}
			}
		}
		allIfaces := l.Host == "" || l.Host == "0.0.0.0" || l.Host == "::" || l.Host == "[::]"
		ownService := d != nil && d.Kind == "compose" && l.Host != "" && l.Host == d.Service
		e.Public = (allIfaces && hostNet) || ((allIfaces || ownService) && e.PublishedAll != nil)
		e.Reachable = !engine.IsLoopback(l.Host) && (d == nil || hostNet || e.BeyondLoopback != nil)
		out[kind] = e
	}
	return out
}

// portEquals is Rego's port == container port: numbers compare by value
// (6222.0 is 6222), "$NAME" equals no number.
func portEquals(port any, cp int) bool {
	switch x := port.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return err == nil && f == float64(cp)
	case float64:
		return x == float64(cp)
	case float32:
		return float64(x) == float64(cp)
	case int:
		return x == cp
	case int64:
		return x == int64(cp)
	}
	if !isNumber(port) {
		return false
	}
	f, err := strconv.ParseFloat(fmt.Sprint(port), 64)
	return err == nil && f == float64(cp)
}

// jsonObject returns v as the object Rego sees, or nil when it is not one.
func jsonObject(v any) map[string]any {
	m, _ := jsonValueOf(v).(map[string]any)
	return m
}

// jsonValueOf gives v in the shapes encoding/json decodes into (objects
// map[string]any, arrays []any, numbers as they are), so that the checks
// below see what the Rego input holds. Config values are already in those
// shapes but for a few typed values (secret facts, typed maps), which are
// converted through JSON.
func jsonValueOf(v any) any {
	switch v.(type) {
	case nil, map[string]any, []any, string, bool, json.Number,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if d.Decode(&out) != nil {
		return nil
	}
	return out
}

// get follows keys through objects (Rego's x.a.b): undefined (ok false)
// as soon as a step is not an object or lacks the key.
func get(v any, keys ...string) (any, bool) {
	for _, k := range keys {
		m, ok := jsonValueOf(v).(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return jsonValueOf(v), true
}

func isNumber(v any) bool {
	switch v.(type) {
	case json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

// isZero: v is a number equal to 0.
func isZero(v any) bool {
	if !isNumber(v) {
		return false
	}
	if n, ok := v.(json.Number); ok {
		f, err := strconv.ParseFloat(string(n), 64)
		return err == nil && f == 0
	}
	return reflect.ValueOf(v).IsZero()
}

// truthy: a defined value that is not false (a Rego body expression).
func truthy(v any, ok bool) bool {
	return ok && v != false
}

// count is Rego's count(x) > 0: strings, arrays and objects; undefined
// (false) for anything else.
func countPositive(v any, ok bool) bool {
	if !ok {
		return false
	}
	switch x := v.(type) {
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return false
}

// portValue is lib.exposure.port_value: a number, or "$NAME".
func portValue(v any, ok bool) (any, bool) {
	if !ok {
		return nil, false
	}
	if isNumber(v) {
		return v, true
	}
	if s, isStr := v.(string); isStr && strings.HasPrefix(s, "$") {
		return v, true
	}
	return nil, false
}

// varzPort is lib.livedocs.varz_port(b, k): a number other than 0.
func varzPort(b any, ok bool, k string) bool {
	if !ok {
		return false
	}
	p, ok := get(b, k)
	return ok && isNumber(p) && !isZero(p)
}

// stringAt is m[key] when it is a string, else def.
func stringAt(m map[string]any, key, def string) string {
	if s, ok := m[key].(string); ok {
		return s
	}
	return def
}

// blockListenerKinds is lib.exposure.block_listener_kinds.
var blockListenerKinds = []string{"cluster", "gateway", "leafnodes", "websocket", "mqtt"}

// configListeners is lib.exposure.config_listeners by kind.
func configListeners(cfg map[string]any) map[string]*model.Listener {
	out := map[string]*model.Listener{}
	if cfg == nil {
		return out
	}
	host := stringAt(cfg, "host", "0.0.0.0")
	port, ok := portValue(get(cfg, "port"))
	if !ok {
		port = 4222
	}
	out["client"] = &model.Listener{Kind: "client", Host: host, Port: port, Path: "config/port", Block: "config"}
	httpHost := stringAt(cfg, "http_host", host)
	for _, m := range []struct{ kind, key string }{{"monitoring", "http_port"}, {"monitoring_https", "https_port"}} {
		if p, ok := portValue(get(cfg, m.key)); ok && !isZero(p) {
			out[m.kind] = &model.Listener{Kind: m.kind, Host: httpHost, Port: p, Path: "config/" + m.key, Block: "config"}
		}
	}
	for _, k := range blockListenerKinds {
		b, ok := jsonValueOf(cfg[k]).(map[string]any)
		if !ok {
			continue
		}
		p, ok := portValue(get(b, "port"))
		if !ok || isZero(p) {
			continue
		}
		h := stringAt(b, "host", "0.0.0.0")
		out[k] = &model.Listener{Kind: k, Host: h, Port: p, Path: "config/" + k + "/port", Block: "config/" + k}
	}
	return out
}

// imageDefaultConfig is lib.exposure.image_default_config: the config the
// official nats image bundles (only the parts the feature gates read;
// TestServerFactsMatchRego checks a server that runs it).
var imageDefaultConfig = map[string]any{
	"port":      4222,
	"http_port": 8222,
	"cluster": map[string]any{
		"name":   "my_cluster",
		"port":   6222,
		"routes": []any{},
		"authorization": map[string]any{
			"user":     "ruser",
			"password": map[string]any{"secret": true, "origin": "literal", "placeholder": true, "bcrypt": false, "length": 9},
			"timeout":  2,
		},
	},
}

// Feature gates (rules/version.rego): what a configuration shows, what
// /varz shows, and what a deployment's command line shows.
var (
	configFeatures = []string{
		"websocket", "leafnodes", "leafnode_listener", "mqtt", "jetstream", "operator", "accounts",
		"no_auth_user", "verify_and_map", "monitoring", "routes", "allowed_connection_types",
		"deny_permissions", "sys_only_accounts", "auth_callout",
	}
	varzFeatures = []string{"websocket", "leafnodes", "leafnode_listener", "mqtt", "jetstream", "operator", "routes"}
	cliFeatures  = []string{"cli_credentials", "cli_tls"}
)

// featureStates is rules/version.rego's _status(s, f) for every gate of
// _known_features: "yes" when the server uses the feature, "no" when what
// the scan has rules it out, "unknown" otherwise.
func featureStates(s *model.Server, conf map[string]any) map[string]string {
	cfg := conf
	if cfg == nil && s.Deployment != nil && s.Deployment.UsesImageDefaultConfig {
		cfg = imageDefaultConfig
	}
	var varz map[string]any
	if s.Live != nil && len(s.Live.Varz) > 0 {
		varz = s.Live.Varz
	}
	known := map[string]bool{}
	if cfg != nil {
		for _, f := range configFeatures {
			known[f] = true
		}
	}
	if varz != nil {
		for _, f := range varzFeatures {
			known[f] = true
		}
	}
	if s.Deployment != nil {
		for _, f := range cliFeatures {
			known[f] = true
		}
	}
	if s.Live != nil && strings.HasPrefix(s.Live.Endpoint, "http") {
		known["monitoring"] = true
	}
	yes := features(s, conf, cfg, varz)
	out := map[string]string{}
	for _, list := range [][]string{configFeatures, varzFeatures, cliFeatures} {
		for _, f := range list {
			switch {
			case yes[f]:
				out[f] = "yes"
			case known[f]:
				out[f] = "no"
			default:
				out[f] = "unknown"
			}
		}
	}
	return out
}

// features is rules/version.rego's _feature(s, f): conf is the server's
// own config (nil without one), cfg the one in effect (_cfg: conf or the
// image's), varz its /varz (nil offline).
func features(s *model.Server, conf, cfg, varz map[string]any) map[string]bool {
	yes := map[string]bool{}
	at := func(v map[string]any, keys ...string) (any, bool) {
		if v == nil {
			return nil, false
		}
		return get(v, keys...)
	}
	listener := func(kind, vk string) bool {
		b, ok := at(cfg, kind)
		if varzPort(b, ok, "port") {
			return true
		}
		b, ok = at(varz, vk)
		return varzPort(b, ok, "port")
	}
	yes["websocket"] = listener("websocket", "websocket")
	yes["mqtt"] = listener("mqtt", "mqtt")
	yes["leafnode_listener"] = listener("leafnodes", "leaf")
	yes["leafnodes"] = yes["leafnode_listener"] ||
		countPositive(at(cfg, "leafnodes", "remotes")) ||
		countPositive(at(varz, "leaf", "remotes"))
	{
		b, ok := at(cfg, "cluster")
		vb, vok := at(varz, "cluster")
		yes["routes"] = varzPort(b, ok, "port") ||
			countPositive(at(cfg, "cluster", "routes")) ||
			varzPort(vb, vok, "cluster_port")
	}
	{
		e, ok := at(cfg, "jetstream", "enabled")
		jc, jok := at(varz, "jetstream", "config")
		_, isObj := jc.(map[string]any)
		yes["jetstream"] = (ok && e == true) || (jok && isObj)
	}
	op := cfg != nil && operatorMode(cfg)
	{
		c, ok := at(varz, "trusted_operators_claim")
		yes["operator"] = op || truthy(c, ok)
	}
	yes["accounts"] = countPositive(at(cfg, "accounts")) || op
	for _, p := range [][]string{{"no_auth_user"}, {"websocket", "no_auth_user"}, {"mqtt", "no_auth_user"}} {
		if x, ok := at(cfg, p...); ok {
			if str, isStr := x.(string); isStr && str != "" {
				yes["no_auth_user"] = true
			}
		}
	}
	for _, k := range []string{"websocket", "mqtt"} {
		if x, ok := at(varz, k, "no_auth_user"); ok && x != "" {
			yes["no_auth_user"] = true
		}
	}
	for _, t := range tlsBlocks(conf) {
		if v, ok := t.block["verify_and_map"]; ok && v == true {
			yes["verify_and_map"] = true
		}
	}
	for _, k := range []string{"http_port", "https_port"} {
		if p, ok := at(cfg, k); ok && isNumber(p) && !isZero(p) {
			yes["monitoring"] = true
		}
	}
	if s.Live != nil && strings.HasPrefix(s.Live.Endpoint, "http") {
		yes["monitoring"] = true
	}
	if s.Deployment != nil {
		flags := jsonObject(s.Deployment.Flags)
		for _, k := range []string{"pass", "auth"} {
			if truthy(at(flags, k)) {
				yes["cli_credentials"] = true
			}
		}
		if v, ok := at(flags, "routes_with_credentials"); ok && v == true {
			yes["cli_credentials"] = true
		}
		for _, k := range []string{"tls", "tlscert", "tlskey", "tlsverify", "tlscacert"} {
			if truthy(at(flags, k)) {
				yes["cli_tls"] = true
			}
		}
	}
	if cfg != nil {
		users := allUsers(cfg)
		for _, u := range users {
			for _, k := range []string{"allowed_connection_types", "proxy_required"} {
				if v, ok := u[k]; ok && v != nil {
					yes["allowed_connection_types"] = true
				}
			}
		}
		if v, ok := at(cfg, "authorization", "proxy_required"); ok && v == true {
			yes["allowed_connection_types"] = true
		}
		for _, p := range allPermissions(cfg, users) {
			for _, dir := range []string{"publish", "subscribe"} {
				// object.get(p, [dir, "deny"], []): only objects are
				// stepped through, dir and "deny" being names.
				if countPositive(get(p, dir, "deny")) {
					yes["deny_permissions"] = true
				}
			}
		}
		yes["sys_only_accounts"] = sysOnlyAccounts(cfg)
		yes["auth_callout"] = truthy(at(cfg, "authorization", "auth_callout"))
	}
	return yes
}

// operatorMode is lib.authconf.operator_mode.
func operatorMode(c map[string]any) bool {
	for _, k := range []string{"operator", "trusted_keys", "resolver"} {
		v, ok := get(c, k)
		if !ok {
			continue
		}
		switch x := v.(type) {
		case string:
			if x != "" {
				return true
			}
		case []any:
			if len(x) > 0 {
				return true
			}
		case map[string]any:
			return true
		}
	}
	return false
}

// sysOnlyAccounts is lib.authconf.sys_only_accounts.
func sysOnlyAccounts(c map[string]any) bool {
	accts, ok := jsonValueOf(c["accounts"]).(map[string]any)
	if !ok || len(accts) != 1 {
		return false
	}
	sys := "$SYS"
	if n, isStr := c["system_account"].(string); isStr && n != "" {
		sys = n
	}
	_, ok = accts[sys]
	return ok
}

// members is Rego's `some x in v` over an array's or object's values
// (nothing for other values), in no particular order.
func members(v any, ok bool) []any {
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case []any:
		return x
	case map[string]any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, e)
		}
		return out
	}
	return nil
}

// objects keeps the members that are objects.
func objects(list []any) []map[string]any {
	var out []map[string]any
	for _, e := range list {
		if m, ok := jsonValueOf(e).(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// allUsers is lib.tlsconf.all_users.
func allUsers(c map[string]any) []map[string]any {
	users := objects(members(get(c, "authorization", "users")))
	for _, a := range objects(members(get(c, "accounts"))) {
		users = append(users, objects(members(get(a, "users")))...)
	}
	return append(users, objects(members(get(c, "leafnodes", "authorization", "users")))...)
}

// allPermissions is lib.tlsconf.all_permissions.
func allPermissions(c map[string]any, users []map[string]any) []map[string]any {
	var out []map[string]any
	for _, u := range users {
		if p, ok := jsonValueOf(u["permissions"]).(map[string]any); ok {
			out = append(out, p)
		}
	}
	var more []any
	for _, path := range [][]string{{"authorization", "default_permissions"}, {"cluster", "permissions"}} {
		if v, ok := get(c, path...); ok {
			more = append(more, v)
		}
	}
	for _, a := range objects(members(get(c, "accounts"))) {
		if v, ok := a["default_permissions"]; ok {
			more = append(more, v)
		}
	}
	return append(out, objects(more)...)
}

// tlsBlock is one tls{} of a config: where it is (Rego's walk path) and
// the block.
type tlsBlock struct {
	at    []any
	block map[string]any
}

// tlsBlocks is lib.tlsconf.tls_blocks: the tls{} blocks nats-server reads.
func tlsBlocks(c map[string]any) []tlsBlock {
	if c == nil {
		return nil
	}
	var out []tlsBlock
	add := func(v any, ok bool, at ...any) {
		if m, isObj := jsonValueOf(v).(map[string]any); ok && isObj {
			out = append(out, tlsBlock{at: at, block: m})
		}
	}
	for _, p := range [][]string{{"tls"}, {"resolver_tls"}, {"cluster", "tls"}, {"gateway", "tls"}, {"leafnodes", "tls"}, {"websocket", "tls"}, {"mqtt", "tls"}} {
		v, ok := get(c, p...)
		at := make([]any, len(p))
		for i, k := range p {
			at[i] = k
		}
		add(v, ok, at...)
	}
	for _, p := range [][]string{{"gateway", "gateways"}, {"leafnodes", "remotes"}} {
		v, ok := get(c, p...)
		if !ok {
			continue
		}
		switch x := v.(type) {
		case []any:
			for i, e := range x {
				tv, tok := get(e, "tls")
				add(tv, tok, p[0], p[1], i, "tls")
			}
		case map[string]any:
			for _, k := range sortedKeys(x) {
				tv, tok := get(x[k], "tls")
				add(tv, tok, p[0], p[1], k, "tls")
			}
		}
	}
	return out
}

// tlsRefs are the blocks as the input carries them (model.TLSBlock).
func tlsRefs(blocks []tlsBlock) []*model.TLSBlock {
	out := make([]*model.TLSBlock, 0, len(blocks))
	for _, b := range blocks {
		parts := []string{"config"}
		for _, k := range b.at {
			parts = append(parts, fmt.Sprint(k))
		}
		out = append(out, &model.TLSBlock{Path: strings.Join(parts, "/"), At: b.at})
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
