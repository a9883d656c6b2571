package helm

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
)

// The chart renders nats.conf from about nine small templates
// (helm/charts/nats/files/config/*.yaml); render does the same from the
// values, building a tree whose every value keeps the values line it came
// from (File "" for chart defaults), then writes it as nats.conf text with
// a line map, so the natsconf source parses it like any config and each
// location maps back to the values file.

func scalar(s string, loc model.Location) *vv { return &vv{kind: 's', s: s, tag: "raw", loc: loc} }

func quoted(s string, loc model.Location) *vv { return &vv{kind: 's', s: s, tag: "!!str", loc: loc} }

func mapv(loc model.Location) *vv { return &vv{kind: 'm', m: map[string]*vv{}, loc: loc} }

func (v *vv) set(k string, c *vv) {
	if _, ok := v.m[k]; !ok {
		v.keys = append(v.keys, k)
	}
	v.m[k] = c
}

// at returns the value at p of the effective values with its location
// (File "" when the chart default applies).
func (r *release) val(p string) *vv { return r.eff.get(p) }

func (r *release) enabled(p string) bool {
	b, _ := r.eff.boolean(p + "/enabled")
	return b
}

// leaf copies a values scalar into the rendered tree.
func (r *release) leaf(p string) *vv {
	v := r.val(p)
	if v == nil || v.kind != 's' {
		return scalar("", model.Location{})
	}
	return &vv{kind: 's', s: v.s, tag: "raw", loc: v.loc}
}

var envRefRe = regexp.MustCompile(`^<<\s*(.*?)\s*>>$`)

// fromValues turns a merge block of the values into rendered config: strings
// "<< $VAR >>" are written unquoted, as the chart does.
func (r *release) fromValues(v *vv, p string) *vv {
	switch v.kind {
	case 'm':
		out := &vv{kind: 'm', m: map[string]*vv{}, loc: v.loc, key: v.key}
		for _, k := range v.keys {
			if k == "$include" || strings.HasPrefix(k, "$tpl") {
				r.partial(fmt.Sprintf("%s/%s (%s:%d): the chart renders it with a template engine or an include natsaudit does not follow", p, k, v.m[k].key.File, v.m[k].key.Line))
				continue
			}
			c := r.fromValues(v.m[k], p+"/"+k)
			c.key = v.m[k].key
			out.set(k, c)
		}
		return out
	case 'a':
		out := &vv{kind: 'a', loc: v.loc, key: v.key}
		for i, c := range v.arr {
			out.arr = append(out.arr, r.fromValues(c, fmt.Sprintf("%s/%d", p, i)))
		}
		return out
	}
	c := *v
	if m := envRefRe.FindStringSubmatch(v.s); m != nil && v.tag == "!!str" {
		c.s, c.tag = m[1], "raw"
	}
	return &c
}

// mergeBlock applies <p>/merge and <p>/patch of the values onto block.
func (r *release) mergeBlock(block *vv, p string) *vv {
	if m := r.val(p + "/merge"); m != nil && m.kind == 'm' && len(m.keys) > 0 {
		block = merge(block, r.fromValues(m, p+"/merge"))
	}
	if pt := r.val(p + "/patch"); pt != nil && pt.kind == 'a' && len(pt.arr) > 0 {
		block = r.patch(block, pt, p+"/patch")
	}
	return block
}

// patch applies an RFC 6902 patch (add, replace, remove) to block.
func (r *release) patch(block *vv, ops *vv, p string) *vv {
	for i, op := range ops.arr {
		kind, ptr := op.str("op"), op.str("path")
		parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
		for j, x := range parts {
			parts[j] = strings.ReplaceAll(strings.ReplaceAll(x, "~1", "/"), "~0", "~")
		}
		parent := block
		for _, k := range parts[:len(parts)-1] {
			if parent == nil || parent.kind != 'm' {
				parent = nil
				break
			}
			parent = parent.m[k]
		}
		last := parts[len(parts)-1]
		if parent == nil || parent.kind != 'm' || ptr == "" {
			r.partial(fmt.Sprintf("%s/%d (%s:%d): patch %s %s not followed", p, i, op.loc.File, op.loc.Line, kind, ptr))
			continue
		}
		switch kind {
		case "add", "replace":
			v := op.get("value")
			if v == nil {
				continue
			}
			c := r.fromValues(v, fmt.Sprintf("%s/%d/value", p, i))
			c.key = op.loc
			parent.set(last, c)
		case "remove":
			if _, ok := parent.m[last]; ok {
				delete(parent.m, last)
				parent.keys = remove(parent.keys, last)
			}
		default:
			r.partial(fmt.Sprintf("%s/%d (%s:%d): patch op %q not followed", p, i, op.loc.File, op.loc.Line, kind))
		}
	}
	return block
}

// tlsBlock renders config/<proto>/tls (templates/config/tls.yaml).
func (r *release) tlsBlock(p string) *vv {
	t := mapv(r.locOf(p + "/enabled"))
	t.key = r.keyOf(p + "/enabled")
	if r.val(p+"/secretName") != nil && r.eff.str(p+"/secretName") != "" {
		dir := strings.TrimSuffix(r.eff.str(p+"/dir"), "/")
		sl := r.locOf(p + "/secretName")
		t.set("cert_file", quoted(dir+"/"+orDefault(r.eff.str(p+"/cert"), "tls.crt"), sl))
		t.set("key_file", quoted(dir+"/"+orDefault(r.eff.str(p+"/key"), "tls.key"), sl))
	}
	if r.enabled("tlsCA") && (r.eff.str("tlsCA/configMapName") != "" || r.eff.str("tlsCA/secretName") != "") {
		dir := strings.TrimSuffix(r.eff.str("tlsCA/dir"), "/")
		t.set("ca_file", quoted(dir+"/"+orDefault(r.eff.str("tlsCA/key"), "ca.crt"), r.locOf("tlsCA/enabled")))
	}
	return r.mergeBlock(t, p)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// renderConfig is templates/config/config.yaml.
func (r *release) renderConfig() *vv {
	c := mapv(model.Location{})
	c.set("server_name", scalar("$SERVER_NAME", model.Location{}))
	c.set("lame_duck_grace_period", scalar("10s", model.Location{}))
	c.set("lame_duck_duration", scalar("30s", model.Location{}))
	c.set("pid_file", quoted("/var/run/nats/nats.pid", model.Location{}))
	c.set("port", r.leaf("config/nats/port"))
	if r.enabled("config/nats/tls") {
		c.set("tls", r.tlsBlock("config/nats/tls"))
	}
	for _, b := range []string{"leafnodes", "websocket", "mqtt", "cluster", "gateway"} {
		p := "config/" + b
		if !r.enabled(p) {
			continue
		}
		blk := mapv(r.locOf(p + "/enabled"))
		blk.key = r.keyOf(p + "/enabled")
		switch b {
		case "cluster":
			blk.set("name", quoted(r.name, model.Location{}))
			blk.set("port", r.leaf(p+"/port"))
			blk.set("no_advertise", r.leaf(p+"/noAdvertise"))
			blk.set("routes", r.routes())
			user, pass := r.eff.str(p+"/routeURLs/user"), r.eff.str(p+"/routeURLs/password")
			if user != "" && pass != "" {
				auth := mapv(r.locOf(p + "/routeURLs/user"))
				auth.set("user", quoted(user, r.locOf(p+"/routeURLs/user")))
				auth.set("password", quoted(pass, r.locOf(p+"/routeURLs/password")))
				blk.set("authorization", auth)
			}
		case "gateway":
			blk.set("name", quoted(r.name, model.Location{}))
			blk.set("port", r.leaf(p+"/port"))
		case "leafnodes":
			blk.set("port", r.leaf(p+"/port"))
			blk.set("no_advertise", scalar("true", model.Location{}))
		default:
			blk.set("port", r.leaf(p+"/port"))
		}
		if b == "websocket" && !r.enabled(p+"/tls") {
			blk.set("no_tls", scalar("true", r.locOf(p+"/tls/enabled")))
		} else if r.enabled(p + "/tls") {
			blk.set("tls", r.tlsBlock(p+"/tls"))
		}
		c.set(b, r.mergeBlock(blk, p))
	}
	if r.enabled("config/monitor") {
		k := "http_port"
		if r.enabled("config/monitor/tls") {
			k = "https_port"
		}
		c.set(k, r.leaf("config/monitor/port"))
	}
	if r.enabled("config/profiling") {
		c.set("prof_port", r.leaf("config/profiling/port"))
	}
	if r.enabled("config/jetstream") {
		p := "config/jetstream"
		js := mapv(r.locOf(p + "/enabled"))
		js.key = r.keyOf(p + "/enabled")
		if r.enabled(p + "/memoryStore") {
			if r.eff.str(p+"/memoryStore/maxSize") != "" {
				js.set("max_memory_store", r.leaf(p+"/memoryStore/maxSize"))
			}
		} else {
			js.set("max_memory_store", scalar("0", r.locOf(p+"/memoryStore/enabled")))
		}
		if r.enabled(p + "/fileStore") {
			dir := r.leaf(p + "/fileStore/dir")
			if !r.enabled(p + "/fileStore/pvc") {
				// The store is on the container's filesystem because the
				// PVC is disabled: that is the line to point at.
				dir.loc = r.locOf(p + "/fileStore/pvc/enabled")
			}
			js.set("store_dir", dir)
			switch {
			case r.eff.str(p+"/fileStore/maxSize") != "":
				js.set("max_file_store", r.leaf(p+"/fileStore/maxSize"))
			case r.enabled(p + "/fileStore/pvc"):
				js.set("max_file_store", r.leaf(p+"/fileStore/pvc/size"))
			}
		} else {
			js.set("max_file_store", scalar("0", r.locOf(p+"/fileStore/enabled")))
		}
		c.set("jetstream", r.mergeBlock(js, p))
	}
	if r.enabled("config/resolver") {
		res := mapv(r.locOf("config/resolver/enabled"))
		res.set("dir", r.leaf("config/resolver/dir"))
		c.set("resolver", r.mergeBlock(res, "config/resolver"))
	}
	return r.mergeBlock(c, "config")
}

// routes are the chart's generated route URLs, one per replica, with the
// routeURLs credentials in each.
func (r *release) routes() *vv {
	p := "config/cluster"
	proto := "nats"
	if r.enabled(p + "/tls") {
		proto = "tls"
	}
	auth := ""
	user, pass := r.eff.str(p+"/routeURLs/user"), r.eff.str(p+"/routeURLs/password")
	if user != "" && pass != "" {
		auth = url.QueryEscape(user) + ":" + url.QueryEscape(pass) + "@"
	}
	port := r.eff.str(p + "/port")
	n, _ := strconv.Atoi(r.eff.str(p + "/replicas"))
	loc := r.locOf(p + "/replicas")
	out := &vv{kind: 'a', loc: loc}
	if auth != "" {
		loc = r.locOf(p + "/routeURLs/password") // the credential each URL carries
	}
	for i := 0; i < n && i < 1000; i++ {
		out.arr = append(out.arr, quoted(fmt.Sprintf("%s://%s%s-%d.%s-headless:%s", proto, auth, r.name, i, r.name, port), loc))
	}
	return out
}

// gen writes a rendered tree as nats.conf text and remembers, for every
// line, where its value came from.
type gen struct {
	b     strings.Builder
	lines []model.Location
}

func (g *gen) line(indent int, text string, loc model.Location) {
	g.b.WriteString(strings.Repeat("  ", indent))
	g.b.WriteString(text)
	g.b.WriteByte('\n')
	g.lines = append(g.lines, loc)
}

func quoteConf(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

func (g *gen) value(v *vv) string {
	switch {
	case v.tag == "raw" || v.tag == "!!int" || v.tag == "!!float" || v.tag == "!!bool":
		if v.s == "" {
			return `""`
		}
		return v.s
	}
	return quoteConf(v.s)
}

func keyLoc(v *vv) model.Location {
	if v.key.File != "" {
		return v.key
	}
	return v.loc
}

func (g *gen) write(v *vv, indent int) {
	for _, k := range v.keys {
		c := v.m[k]
		if c.isNull() {
			continue
		}
		g.entry(quoteConf(k)+": ", c, indent)
	}
}

func (g *gen) entry(prefix string, c *vv, indent int) {
	switch c.kind {
	case 'm':
		g.line(indent, prefix+"{", keyLoc(c))
		g.write(c, indent+1)
		g.line(indent, "}", keyLoc(c))
	case 'a':
		g.line(indent, prefix+"[", keyLoc(c))
		for _, it := range c.arr {
			g.entry("", it, indent+1)
		}
		g.line(indent, "]", keyLoc(c))
	default:
		loc := c.loc
		if loc.File == "" {
			loc = c.key
		}
		g.line(indent, prefix+g.value(c), loc)
	}
}

// locOf is where the value at p was written, and keyOf where its key was:
// no location when values replaced the block holding p by a scalar or
// deleted it with null (pvc: false, replicas: null), which the render
// reads as "off", never as a crash.
func (r *release) locOf(p string) model.Location {
	if v := r.val(p); v != nil {
		return v.loc
	}
	return model.Location{}
}

func (r *release) keyOf(p string) model.Location {
	if v := r.val(p); v != nil {
		return v.key
	}
	return model.Location{}
}
