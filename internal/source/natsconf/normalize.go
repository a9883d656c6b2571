package natsconf

import (
	"fmt"
	"maps"
	"math"
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/conf"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// normalize turns a node into plain values with canonical keys, recording
// locations under path.
func (p *parser) normalize(n *node, ctx context, path string, depth int) any {
	if n == nil {
		return nil
	}
	// The same included file can be merged in many places: bound the values
	// a configuration expands to, so that a fan-out of includes stays cheap.
	if p.values++; p.values > maxValues {
		if p.values == maxValues+1 {
			p.res.Errors = append(p.res.Errors, model.ParseError{File: n.loc.File, Line: n.loc.Line, Kind: "nats_conf",
				Message: fmt.Sprintf("the configuration expands to more than %d values (includes merged many times?); the rest is not read", maxValues)})
		}
		return nil
	}
	p.res.Locs.Set(path, n.loc)
	if n.envVar != "" {
		return p.resolveEnv(n, ctx, path)
	}
	switch x := n.val.(type) {
	case map[string]*node:
		return p.normalizeMap(x, ctx, path, depth)
	case []*node:
		out := make([]any, 0, len(x))
		for i, e := range x {
			out = append(out, p.normalize(e, ctx, fmt.Sprintf("%s/%d", path, i), depth+1))
		}
		return out
	case string:
		return p.scalarString(x, path)
	default:
		return x
	}
}

func (p *parser) normalizeMap(x map[string]*node, ctx context, path string, depth int) map[string]any {
	out := make(map[string]any, len(x))
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := x[k]
		ck := k
		if ctx != ctxAccounts && ctx != ctxOther {
			ck = canonical(ctx, strings.ToLower(k))
		}
		if ctx == ctxTop && !topLevelKeys[ck] {
			p.res.Errors = append(p.res.Errors, model.ParseError{File: v.loc.File, Line: v.loc.Line, Column: v.loc.Column,
				Kind: "nats_conf", Message: fmt.Sprintf("unknown field %q: nats-server refuses to start", k)})
		}
		cpath := path + "/" + escapeKey(ck)
		cctx := child(ctx, ck)
		var val any
		switch {
		case secretKeys[ctx][ck]:
			val = p.secretValue(v, cpath)
		case ctx == ctxLeafRemote && ck == "nkey":
			val = p.secretValue(v, cpath) // an inline seed
		case ctx == ctxPerms && (ck == "publish" || ck == "subscribe"):
			val = p.permission(v, cpath, depth)
		case ctx == ctxTop && ck == "jetstream", ctx == ctxAccount && ck == "jetstream":
			val = p.jetstream(v, cctx, cpath, depth)
		case durationKeys[ctx][ck]:
			val = p.duration(v, cpath)
		case sizeKeys[ctx][ck]:
			val = p.size(v, cpath)
		case ctx == ctxGatewayRem && ck == "urls", ctx == ctxLeafRemote && ck == "urls":
			val = p.normalize(v, cctx, cpath, depth+1)
			if s, ok := val.(string); ok {
				val = []any{s}
			}
		default:
			val = p.normalize(v, cctx, cpath, depth+1)
		}
		out[ck] = val
	}
	// A user entry whose password equals its user name.
	if ctx == ctxUser || ctx == ctxAuth {
		if sec, ok := out["password"].(*model.Secret); ok {
			if u, ok := x[findKey(x, ctx, "user")]; ok && u != nil {
				if us, ok := u.val.(string); ok && us != "" && p.opt.Secrets != nil {
					sec.EqualsUser = p.opt.Secrets.Digest(us) == sec.Digest
				}
			}
		}
	}
	return out
}

// findKey is the key of x that normalises to canon. When several spellings
// do (user and username), it is the last in sorted order: the one whose
// value normalisation keeps, and the same on every run.
func findKey(x map[string]*node, ctx context, canon string) string {
	found := ""
	for k := range x {
		if canonical(ctx, strings.ToLower(k)) == canon && (found == "" || k > found) {
			found = k
		}
	}
	return found
}

// escapeKey keeps a key usable as one segment of a slash path.
func escapeKey(k string) string { return strings.ReplaceAll(k, "/", "~1") }

func (p *parser) analyzer() *secret.Analyzer {
	if p.opt.Secrets == nil {
		a, _ := secret.NewAnalyzer(secret.Params{})
		p.opt.Secrets = a
	}
	return p.opt.Secrets
}

// secretValue replaces a secret by its facts.
func (p *parser) secretValue(n *node, path string) any {
	p.res.Locs.Set(path, n.loc)
	a := p.analyzer()
	if n.envVar != "" {
		p.res.EnvRef[path] = n.envVar
		if v, file, ok := p.opt.Env.Lookup(n.envVar); ok {
			return a.FromEnv(n.envVar, v, file)
		}
		return a.Unresolved(n.envVar)
	}
	switch v := n.val.(type) {
	case string:
		return a.Describe(v)
	case nil:
		return nil
	default:
		return a.Describe(fmt.Sprint(v))
	}
}

// scalarString catches secrets that can appear in any string: nkey seeds,
// private keys and passwords in URLs.
func (p *parser) scalarString(s, path string) any {
	a := p.analyzer()
	switch {
	case secret.IsNkeySeed(strings.TrimSpace(s)), secret.IsPrivateKeyPEM(s):
		return a.Describe(s)
	case secret.HasURLCredentials(s):
		return maskURL(s, a)
	}
	return s
}

var urlPass = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]+:)([^/@\s]+)(@.*)$`)

// maskURL hides the password of a URL, remembering it for redaction.
func maskURL(s string, a *secret.Analyzer) string {
	m := urlPass.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	a.Remember(m[2])
	if strings.HasPrefix(m[2], "$") {
		return s // a reference, not a value
	}
	return m[1] + secret.Mask + m[3]
}

// resolveEnv resolves a $VAR reference for a non-secret key.
func (p *parser) resolveEnv(n *node, ctx context, path string) any {
	p.res.EnvRef[path] = n.envVar
	v, _, ok := p.opt.Env.Lookup(n.envVar)
	if !ok {
		return "$" + n.envVar
	}
	// nats-server re-parses environment values as config values, so
	// NATS_X=10GB is a number and "true" a boolean.
	if strings.ContainsAny(v, "$\n{}[]") {
		return p.scalarString(v, path)
	}
	m, err := conf.Parse("pk=" + v)
	if err != nil {
		return p.scalarString(v, path)
	}
	switch x := m["pk"].(type) {
	case string:
		return p.scalarString(x, path)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	default:
		return x
	}
}

// permission normalises a publish/subscribe permission to {allow, deny}.
func (p *parser) permission(n *node, path string, depth int) any {
	v := p.normalize(n, ctxOther, path, depth+1)
	out := map[string]any{"allow": []any{}, "deny": []any{}}
	switch x := v.(type) {
	case string:
		out["allow"] = []any{x}
	case []any:
		out["allow"] = x
	case map[string]any:
		// Sorted: of Allow and allow, the last spelling wins on every run.
		for _, k := range slices.Sorted(maps.Keys(x)) {
			vv := x[k]
			key := strings.ToLower(k)
			if key != "allow" && key != "deny" {
				continue
			}
			switch y := vv.(type) {
			case string:
				out[key] = []any{y}
			case []any:
				out[key] = y
			}
			p.res.Locs.Set(path+"/"+key, p.res.Locs[path+"/"+k])
		}
	}
	return out
}

// jetstream normalises `jetstream: enabled|true|false|{...}` to a map with an
// "enabled" boolean.
func (p *parser) jetstream(n *node, ctx context, path string, depth int) any {
	p.res.Locs.Set(path, n.loc)
	if n.envVar != "" {
		v := p.resolveEnv(n, ctx, path)
		return map[string]any{"enabled": truthy(v)}
	}
	switch x := n.val.(type) {
	case map[string]*node:
		m := p.normalizeMap(x, ctx, path, depth+1)
		if _, ok := m["enabled"]; !ok {
			m["enabled"] = true
			if d, ok := m["disabled"].(bool); ok {
				m["enabled"] = !d
			}
		}
		if ctx == ctxAccountJS {
			m["limits_set"] = hasAny(m, "max_memory", "max_store", "max_streams", "max_consumers")
		}
		return m
	default:
		m := map[string]any{"enabled": truthy(x)}
		if ctx == ctxAccountJS {
			m["limits_set"] = false
		}
		return m
	}
}

func hasAny(m map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		switch strings.ToLower(x) {
		case "enabled", "enable", "true", "yes", "on":
			return true
		}
	case int64:
		return x != 0
	}
	return false
}

// duration normalises a duration to nanoseconds. Integers are seconds (the
// server accepts them with a deprecation warning). "always" (sync_interval)
// is kept as a string.
func (p *parser) duration(n *node, path string) any {
	v := p.normalize(n, ctxOther, path, 0)
	switch x := v.(type) {
	case int64:
		return x * int64(time.Second)
	case float64:
		return int64(x * float64(time.Second))
	case string:
		if d, err := time.ParseDuration(x); err == nil {
			return int64(d)
		}
		return x
	}
	return v
}

// size normalises a byte size.
func (p *parser) size(n *node, path string) any {
	v := p.normalize(n, ctxOther, path, 0)
	if s, ok := v.(string); ok {
		if b, ok := parseSize(s); ok {
			return b
		}
	}
	if f, ok := v.(float64); ok && f == math.Trunc(f) {
		return int64(f)
	}
	return v
}

var sizeRe = regexp.MustCompile(`(?i)^\s*(-?\d+)\s*([kmgtp]?)(i?b?)\s*$`)

// parseSize reads "1G", "512MB", "10 GiB" with binary multipliers, like
// nats-server's getStorageSize.
func parseSize(s string) (int64, bool) {
	m := sizeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]int64{"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}[strings.ToLower(m[2])]
	return n * mult, true
}

func (p *parser) deriveListeners(top map[string]any) { DeriveListeners(top, p.res.Locs) }

// DeriveListeners splits listen/http/https "host:port" values into the
// host/port keys the server derives from them, so rules read one shape.
// locs holds "config/..." locations and receives the derived keys'.
func DeriveListeners(top map[string]any, locs model.Locations) {
	splitListen(locs, top, "config", "listen", "host", "port")
	splitListen(locs, top, "config", "http", "http_host", "http_port")
	splitListen(locs, top, "config", "https", "http_host", "https_port")
	for _, blk := range []string{"cluster", "gateway", "leafnodes", "websocket", "mqtt"} {
		if m, ok := top[blk].(map[string]any); ok {
			splitListen(locs, m, "config/"+blk, "listen", "host", "port")
		}
	}
}

func splitListen(locs model.Locations, m map[string]any, path, key, hostKey, portKey string) {
	v, ok := m[key]
	if !ok {
		return
	}
	loc := locs[path+"/"+key]
	if s, ok := v.(string); ok {
		if i := strings.Index(s, "://"); i >= 0 {
			v = s[i+3:]
		}
	}
	// A port of -1 is kept: nats-server then listens on a random port, so
	// the listener exists (http: -1 is monitoring on, not off).
	var host string
	var port int64
	hasPort := false
	switch x := v.(type) {
	case int64:
		port, hasPort = x, true
	case string:
		if strings.HasPrefix(x, "$") {
			// An unresolved $VAR: the listener is configured from the
			// environment, host and port unknown (never "absent").
			if _, set := m[hostKey]; !set {
				m[hostKey] = x
				locs.Set(path+"/"+hostKey, loc)
			}
			if _, set := m[portKey]; !set {
				m[portKey] = x
				locs.Set(path+"/"+portKey, loc)
			}
			return
		}
		h, ps, err := net.SplitHostPort(x)
		if err != nil {
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				port, hasPort = n, true
			} else {
				host = x
			}
		} else {
			host = h
			if n, err := strconv.ParseInt(ps, 10, 64); err == nil {
				port, hasPort = n, true
			}
		}
	}
	if _, set := m[hostKey]; !set && host != "" {
		m[hostKey] = host
		locs.Set(path+"/"+hostKey, loc)
	}
	if _, set := m[portKey]; !set && hasPort && port >= -1 {
		m[portKey] = port
		locs.Set(path+"/"+portKey, loc)
	}
}
